// Ops without a GPU lowering yet stop a GPU compile with an error at the
// op's location (docs/gpu.md lists them), and no artifact is written.
// REQUIRES: ptxas
// RUN: not diffc compile %s --target=sm_90,x86_64 -o %t.diffc 2>&1 | FileCheck %s
// RUN: not test -e %t.diffc
// The same program compiles for x86_64 alone.
// RUN: diffc compile %s --target=x86_64 -o %t.cpu.diffc

// CHECK: compile-unsupported.mlir:[[@LINE+3]]:8: error: 'linalg.{{.*}}' is not yet lowered for GPU targets
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = diffc.silu %x : tensor<1x3x8x8xf32>
  %1 = diffc.conv2d %0, %w {padding = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}
