// What has no GPU lowering stops a GPU compile with an error at its
// location (docs/gpu.md), and no artifact is written. Since every linalg op
// maps to a kernel (diffc-gpu-map-elementwise, diffc-gpu-map-reductions),
// what is left is host code that calls outside the module.
// REQUIRES: ptxas
// RUN: rm -f %t.diffc
// RUN: not diffc compile %s --target=sm_90,x86_64 -o %t.diffc 2>&1 | FileCheck %s
// RUN: not test -e %t.diffc

// CHECK: compile-unsupported.mlir:[[@LINE+5]]:3: error: call of @host_hook is not yet lowered for GPU targets
func.func private @host_hook(tensor<1x4x8x8xf32>)
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = diffc.silu %x : tensor<1x3x8x8xf32>
  %1 = diffc.conv2d %0, %w {padding = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.call @host_hook(%1) : (tensor<1x4x8x8xf32>) -> ()
  return %1 : tensor<1x4x8x8xf32>
}
