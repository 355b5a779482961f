// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg --diffc-fuse-elementwise | FileCheck %s

// Bias + activation + residual with a dynamic batch become one loop nest;
// the tensor.dim that sized each intermediate does not block fusion.
// CHECK-LABEL: func.func @chain
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<8xf32>, tensor<?x8xf32>)
//       CHECK:     arith.addf
//       CHECK:     math.exp
//       CHECK:     arith.addf
//       CHECK:     linalg.yield
//   CHECK-NOT:   linalg.generic
func.func @chain(%x: tensor<?x8xf32>, %b: tensor<8xf32>, %r: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = diffc.add %x, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %1 = diffc.silu %0 : tensor<?x8xf32>
  %2 = diffc.add %1, %r : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %2 : tensor<?x8xf32>
}

// -----

// A producer used twice by one consumer is fused (computed once per
// element).
// CHECK-LABEL: func.func @one_consumer_twice
//       CHECK:   linalg.generic
//       CHECK:     %[[E:.*]] = math.exp
//       CHECK:     arith.mulf %[[E]], %[[E]]
//   CHECK-NOT:   linalg.generic
func.func @one_consumer_twice(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = diffc.exp %x : tensor<4xf32>
  %1 = diffc.mul %0, %0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// A producer with two consumer ops is not duplicated into both.
// CHECK-LABEL: func.func @two_consumers
//       CHECK:   %[[P:.*]] = linalg.generic
//       CHECK:     math.exp
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%[[P]], %{{.*}} :
//       CHECK:     arith.addf
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%[[P]], %{{.*}} :
//       CHECK:     arith.mulf
func.func @two_consumers(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = diffc.exp %x : tensor<4xf32>
  %1 = diffc.add %0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = diffc.mul %0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// GroupNorm + SiLU: the normalization generic and the SiLU are one loop
// nest; the statistics (two reductions and the two-result mean / rstd
// generic) stay separate, so rsqrt runs once per group.
// CHECK-LABEL: func.func @group_norm_silu
//       CHECK:   linalg.generic {{.*}}"reduction"
//       CHECK:   linalg.generic {{.*}}"reduction"
//       CHECK:   %[[STATS:.*]]:2 = linalg.generic
//       CHECK:     math.rsqrt
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%{{.*}}, %[[STATS]]#0, %[[STATS]]#1, %{{.*}}, %{{.*}} : tensor<?x6x5x7xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<6xf32>, tensor<6xf32>)
//       CHECK:     %[[C:.*]] = arith.subf
//       CHECK:     %[[N:.*]] = arith.addf
//       CHECK:     arith.negf %[[N]]
//       CHECK:     math.exp
//       CHECK:     linalg.yield
//   CHECK-NOT:   linalg.generic
func.func @group_norm_silu(%x: tensor<?x6x5x7xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6x5x7xf32> {
  %0 = diffc.group_norm %x, %g, %b {num_groups = 3 : i64} : (tensor<?x6x5x7xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x5x7xf32>
  %1 = diffc.silu %0 : tensor<?x6x5x7xf32>
  return %1 : tensor<?x6x5x7xf32>
}
