// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-reductions=coarsen=4 | FileCheck %s
// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-reductions=coarsen=4 --canonicalize --cse | FileCheck %s --check-prefix=CSE

// Test: with coarsen=4 a convolution's thread covers 4 consecutive output
// channels (the input does not depend on them), each with its own
// accumulator in linalg's order: 16 / 4 = 4 channel groups in the grid, 4
// initial loads, a loop nest carrying 4 values, 4 stores. After CSE the
// input is loaded once per term for the 4 channels, the weights 4 times.
// CHECK-LABEL: func.func @conv
// CHECK:         %[[GROUPS:.*]] = arith.divui %c16, %c4 : index
// CHECK:         gpu.launch
// CHECK-COUNT-4:   memref.load %arg2
// CHECK:           scf.for {{.*}} -> (f32, f32, f32, f32)
// CHECK-COUNT-4:   memref.store %{{.*}}, %arg2
// CSE-LABEL: func.func @conv
// CSE:           scf.for
// CSE:             scf.for
// CSE:               scf.for
// CSE-COUNT-1:         memref.load %arg0
// CSE-NOT:             memref.load %arg0
// CSE-COUNT-4:         memref.load %arg1
// CSE-NOT:             memref.load %arg0
// CSE:                 scf.yield
func.func @conv(%x: memref<?x8x10x10xf32>, %w: memref<16x8x3x3xf32>, %y: memref<?x16x8x8xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<?x8x10x10xf32>, memref<16x8x3x3xf32>) outs(%y : memref<?x16x8x8xf32>)
  return
}

// -----

// Test: no loop qualifies (the only parallel loop besides the innermost is
// the dynamic batch): one output per thread, as without coarsening; plain
// reductions (one input) are never coarsened.
// CHECK-LABEL: func.func @mm
// CHECK:           scf.for {{.*}} -> (f32) {
// CHECK-LABEL: func.func @rowsum
// CHECK:           scf.for {{.*}} -> (f32) {
func.func @mm(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>)
  return
}
#r2 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#r1 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @rowsum(%x: memref<8x16x32xf32>, %s: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [#r2, #r1], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<8x16x32xf32>) outs(%s : memref<8x16xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %t = arith.addf %acc, %u : f32
    linalg.yield %t : f32
  }
  return
}
