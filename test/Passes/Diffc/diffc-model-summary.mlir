// RUN: diffc-opt %s --split-input-file --diffc-model-summary="batch=4" -o /dev/null | FileCheck %s
// RUN: diffc-opt %s --split-input-file --diffc-model-summary -o /dev/null | FileCheck %s --check-prefix=BATCH1

// Hand-computed with dynamic extents as 4:
//   conv2d (groups 2): 4 x 6 x 8 x 8 outputs x (2 x 3 x 3)  = 27,648 MACs
//   linear:            4 x 32 outputs x 16                  =  2,048 MACs
//   matmul:            2 x 5 x 3 outputs x 7                =    210 MACs
//   attention:         4 x 10 x 6 scores x (8 + 4)          =  2,880 MACs
//   total 32,786 MACs = 65,572 FLOP; parameters 108 + 6 + 512 = 626.

// CHECK-LABEL: diffc model summary: @counted (dynamic extents as 4)
// CHECK-NEXT:    parameters  626 in 3 tensors
// CHECK-NEXT:    FLOP/call   65,572 (0.000 GFLOP
// CHECK:         diffc.parameter      3     0
// CHECK-NEXT:    diffc.conv2d         1     55,296
// CHECK-NEXT:    diffc.linear         1     4,096
// CHECK-NEXT:    diffc.matmul         1     420
// CHECK-NEXT:    diffc.attention      1     5,760
// CHECK-NEXT:    diffc.silu           1     0

// BATCH1-LABEL: diffc model summary: @counted (dynamic extents as 1)
// With extents as 1: 6,912 + 512 + 210 + 720 = 8,354 MACs.
// BATCH1:         FLOP/call   16,708 (
func.func @counted(%x: tensor<?x4x8x8xf32>, %h: tensor<?x16xf32>,
                   %a: tensor<2x5x7xf32>, %b: tensor<7x3xf32>,
                   %q: tensor<?x10x8xf32>, %k: tensor<?x6x8xf32>,
                   %v: tensor<?x6x4xf32>) {
  %w = diffc.parameter "conv.weight" : tensor<6x2x3x3xf32>
  %bias = diffc.parameter "conv.bias" : tensor<6xf32>
  %y = diffc.conv2d %x, %w, %bias {padding = array<i64: 1, 1>, groups = 2 : i64}
      : (tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<?x6x8x8xf32>
  %lw = diffc.parameter "proj.weight" : tensor<32x16xf32>
  %l = diffc.linear %h, %lw : (tensor<?x16xf32>, tensor<32x16xf32>) -> tensor<?x32xf32>
  %m = diffc.matmul %a, %b : (tensor<2x5x7xf32>, tensor<7x3xf32>) -> tensor<2x5x3xf32>
  %o = diffc.attention %q, %k, %v : (tensor<?x10x8xf32>, tensor<?x6x8xf32>, tensor<?x6x4xf32>) -> tensor<?x10x4xf32>
  %s = diffc.silu %o : tensor<?x10x4xf32>
  return
}

// -----

// A function without diffc ops still gets a (zero) summary.
// CHECK-LABEL: diffc model summary: @empty
// CHECK-NEXT:    parameters  0 in 0 tensors
// CHECK-NEXT:    FLOP/call   0 (
func.func @empty(%x: f32) -> f32 {
  return %x : f32
}
