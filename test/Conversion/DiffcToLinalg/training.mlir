// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// Adam is one generic with three results. The per-step scalars (bias
// corrections, step size) are f64 outside the loop nest, rounded to f32
// once; Adam's weight decay is added to the gradient inside.
// CHECK-LABEL: func.func @adam
//  CHECK-SAME:   (%[[P:.*]]: tensor<?x3xf32>, %[[G:.*]]: tensor<?x3xf32>, %[[M:.*]]: tensor<?x3xf32>, %[[V:.*]]: tensor<?x3xf32>, %[[STEP:.*]]: i64, %[[LR:.*]]: f32)
//       CHECK:   %[[S:.*]] = arith.sitofp %[[STEP]] : i64 to f64
//       CHECK:   %[[LR64:.*]] = arith.extf %[[LR]] : f32 to f64
//       CHECK:   math.powf %{{.*}}, %[[S]] : f64
//       CHECK:   math.powf %{{.*}}, %[[S]] : f64
//       CHECK:   %[[SS:.*]] = arith.divf %[[LR64]], %{{.*}} : f64
//       CHECK:   %[[SSF:.*]] = arith.truncf %[[SS]] : f64 to f32
//       CHECK:   %[[B2:.*]] = math.sqrt %{{.*}} : f64
//       CHECK:   %[[B2F:.*]] = arith.truncf %[[B2]] : f64 to f32
//       CHECK:   %[[R:.*]]:3 = linalg.generic
//  CHECK-SAME:     ins(%[[P]], %[[G]], %[[M]], %[[V]] : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>)
//  CHECK-SAME:     outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>)
//       CHECK:   ^bb0(%[[p:[^:]+]]: f32, %[[g:[^:]+]]: f32, %[[m:[^:]+]]: f32, %[[v:[^:]+]]: f32,
//       CHECK:     %[[WD:.*]] = arith.mulf %[[p]], %{{.*}} : f32
//       CHECK:     %[[G1:.*]] = arith.addf %[[g]], %[[WD]] : f32
//       CHECK:     math.sqrt
//       CHECK:     arith.divf %{{.*}}, %[[B2F]] : f32
//       CHECK:     %[[UPD:.*]] = arith.mulf %[[SSF]], %{{.*}} : f32
//       CHECK:     %[[P1:.*]] = arith.subf %[[p]], %[[UPD]] : f32
//       CHECK:     linalg.yield %[[P1]], %{{.*}}, %{{.*}} : f32, f32, f32
//       CHECK:   return %[[R]]#0, %[[R]]#1, %[[R]]#2
//   CHECK-NOT:   diffc.adam_update
func.func @adam(%p: tensor<?x3xf32>, %g: tensor<?x3xf32>, %m: tensor<?x3xf32>, %v: tensor<?x3xf32>, %step: i64, %lr: f32) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %p1, %m1, %v1 = diffc.adam_update adam %p, %g, %m, %v, %step, %lr {weight_decay = 0.1 : f64} : tensor<?x3xf32>, i64, f32
  return %p1, %m1, %v1 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// AdamW scales the parameter by 1 - lr * weight_decay (f64, rounded once)
// and leaves the gradient alone.
// CHECK-LABEL: func.func @adamw
//       CHECK:   %[[LR64:.*]] = arith.extf %{{.*}} : f32 to f64
//       CHECK:   %[[LRWD:.*]] = arith.mulf %[[LR64]], %{{.*}} : f64
//       CHECK:   %[[F:.*]] = arith.subf %{{.*}}, %[[LRWD]] : f64
//       CHECK:   %[[FF:.*]] = arith.truncf %[[F]] : f64 to f32
//       CHECK:   linalg.generic
//       CHECK:   ^bb0(%[[p:[^:]+]]: f32, %[[g:[^:]+]]: f32,
//       CHECK:     arith.mulf %[[p]], %[[FF]] : f32
//   CHECK-NOT:     arith.addf %[[g]]
//       CHECK:     linalg.yield
func.func @adamw(%p: tensor<8xf32>, %g: tensor<8xf32>, %step: i64, %lr: f32) -> tensor<8xf32> {
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %g, %g, %g, %step, %lr {weight_decay = 0.01 : f64} : tensor<8xf32>, i64, f32
  return %p1 : tensor<8xf32>
}

// -----

// EMA: decay * ema + (1 - decay) * param, 1 - decay computed once.
// CHECK-LABEL: func.func @ema
//  CHECK-SAME:   (%[[E:.*]]: tensor<?x4xf32>, %[[P:.*]]: tensor<?x4xf32>, %[[D:.*]]: f32)
//       CHECK:   %[[REST:.*]] = arith.subf %{{.*}}, %[[D]] : f32
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%[[E]], %[[P]] : tensor<?x4xf32>, tensor<?x4xf32>)
//       CHECK:   ^bb0(%[[e:[^:]+]]: f32, %[[p:[^:]+]]: f32,
//       CHECK:     %[[K:.*]] = arith.mulf %[[e]], %[[D]] : f32
//       CHECK:     %[[A:.*]] = arith.mulf %[[p]], %[[REST]] : f32
//       CHECK:     %[[S:.*]] = arith.addf %[[K]], %[[A]] : f32
//       CHECK:     linalg.yield %[[S]] : f32
func.func @ema(%e: tensor<?x4xf32>, %p: tensor<?x4xf32>, %d: f32) -> tensor<?x4xf32> {
  %e1 = diffc.ema_update %e, %p, %d : tensor<?x4xf32>, f32
  return %e1 : tensor<?x4xf32>
}

// -----

// random_integers: one Philox block per element (counter from g / 4), the
// word of lane g % 4, then low + ((w * range) >> 32); i32 results truncate.
// CHECK-LABEL: func.func @random_integers
//  CHECK-SAME:   (%[[SEED:.*]]: i64, %[[OFF:.*]]: i64, %[[N:.*]]: index)
//       CHECK:   %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2xi32>
//       CHECK:   linalg.generic
//  CHECK-SAME:     outs(%[[E]] : tensor<?x2xi32>)
//       CHECK:     %[[G:.*]] = arith.addi %[[OFF]], %{{.*}} : i64
//       CHECK:     arith.shrui %[[G]], %{{.*}} : i64
//       CHECK:     arith.mului_extended
//       CHECK:     %[[LANE:.*]] = arith.andi %[[G]], %{{.*}} : i64
//       CHECK:     arith.cmpi eq, %[[LANE]]
//       CHECK:     %[[W64:.*]] = arith.extui %{{.*}} : i32 to i64
//       CHECK:     %[[PROD:.*]] = arith.muli %[[W64]], %c16_i64 : i64
//       CHECK:     %[[HI:.*]] = arith.shrui %[[PROD]], %{{.*}} : i64
//       CHECK:     %[[V:.*]] = arith.addi %[[HI]], %c-7_i64 : i64
//       CHECK:     %[[T:.*]] = arith.trunci %[[V]] : i64 to i32
//       CHECK:     linalg.yield %[[T]] : i32
func.func @random_integers(%seed: i64, %off: i64, %n: index) -> tensor<?x2xi32> {
  %t = diffc.random_integers %seed, %off [%n] {low = -7 : i64, high = 9 : i64} : tensor<?x2xi32>
  return %t : tensor<?x2xi32>
}
