// The training-step ops compiled for x86-64 and run through diffc-run:
// adam_update (Adam and AdamW, weight decay, several steps, a late step, f64)
// and ema_update against float64 NumPy formulas of torch.optim, and
// random_integers against an independent numpy Philox (exact).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case adam_first_step --case adam_weight_decay --case adam_late_step --case adamw_weight_decay --case adamw_three_steps --case adamw_f64 --case ema_half_life --case random_integers_timesteps --case random_integers_i32 --case random_integers_full_range | FileCheck %s
// CHECK-COUNT-22: ok
// CHECK-NOT: FAIL
// The references above are torch.optim's formulas; check them against
// torch.optim itself.
// RUN: %python %S/check_optim_reference.py | FileCheck %s --check-prefix=TORCH
// TORCH: adam: ok
// TORCH: adamw: ok

func.func @adam(%p: tensor<?x3x5xf32>, %g: tensor<?x3x5xf32>, %m: tensor<?x3x5xf32>, %v: tensor<?x3x5xf32>, %step: i64, %lr: f32) -> (tensor<?x3x5xf32>, tensor<?x3x5xf32>, tensor<?x3x5xf32>) {
  %p1, %m1, %v1 = diffc.adam_update adam %p, %g, %m, %v, %step, %lr : tensor<?x3x5xf32>, i64, f32
  return %p1, %m1, %v1 : tensor<?x3x5xf32>, tensor<?x3x5xf32>, tensor<?x3x5xf32>
}

func.func @adam_wd(%p: tensor<7x9xf32>, %g: tensor<7x9xf32>, %m: tensor<7x9xf32>, %v: tensor<7x9xf32>, %step: i64, %lr: f32) -> (tensor<7x9xf32>, tensor<7x9xf32>, tensor<7x9xf32>) {
  %p1, %m1, %v1 = diffc.adam_update adam %p, %g, %m, %v, %step, %lr {beta1 = 0.8 : f64, beta2 = 0.99 : f64, epsilon = 1.0e-06 : f64, weight_decay = 0.1 : f64} : tensor<7x9xf32>, i64, f32
  return %p1, %m1, %v1 : tensor<7x9xf32>, tensor<7x9xf32>, tensor<7x9xf32>
}

func.func @adamw(%p: tensor<7x9xf32>, %g: tensor<7x9xf32>, %m: tensor<7x9xf32>, %v: tensor<7x9xf32>, %step: i64, %lr: f32) -> (tensor<7x9xf32>, tensor<7x9xf32>, tensor<7x9xf32>) {
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %g, %m, %v, %step, %lr {weight_decay = 0.05 : f64} : tensor<7x9xf32>, i64, f32
  return %p1, %m1, %v1 : tensor<7x9xf32>, tensor<7x9xf32>, tensor<7x9xf32>
}

// Steps 1, 2 and 3 from zero moments, one gradient each.
func.func @adamw_three(%p: tensor<4x6xf32>, %g1: tensor<4x6xf32>, %g2: tensor<4x6xf32>, %g3: tensor<4x6xf32>, %lr: f32) -> (tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4x6xf32>
  %c1 = arith.constant 1 : i64
  %c2 = arith.constant 2 : i64
  %c3 = arith.constant 3 : i64
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %g1, %zero, %zero, %c1, %lr {weight_decay = 0.01 : f64} : tensor<4x6xf32>, i64, f32
  %p2, %m2, %v2 = diffc.adam_update adamw %p1, %g2, %m1, %v1, %c2, %lr {weight_decay = 0.01 : f64} : tensor<4x6xf32>, i64, f32
  %p3, %m3, %v3 = diffc.adam_update adamw %p2, %g3, %m2, %v2, %c3, %lr {weight_decay = 0.01 : f64} : tensor<4x6xf32>, i64, f32
  return %p3, %m3, %v3 : tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>
}

func.func @adamw_f64(%p: tensor<5x5xf64>, %g: tensor<5x5xf64>, %m: tensor<5x5xf64>, %v: tensor<5x5xf64>, %step: i64, %lr: f32) -> (tensor<5x5xf64>, tensor<5x5xf64>, tensor<5x5xf64>) {
  %p1, %m1, %v1 = diffc.adam_update adamw %p, %g, %m, %v, %step, %lr {weight_decay = 0.02 : f64} : tensor<5x5xf64>, i64, f32
  return %p1, %m1, %v1 : tensor<5x5xf64>, tensor<5x5xf64>, tensor<5x5xf64>
}

func.func @ema(%e: tensor<?x8xf32>, %p: tensor<?x8xf32>, %decay: f32) -> tensor<?x8xf32> {
  %e1 = diffc.ema_update %e, %p, %decay : tensor<?x8xf32>, f32
  return %e1 : tensor<?x8xf32>
}

func.func @ints(%seed: i64, %off: i64, %n: index) -> tensor<?x3xi64> {
  %t = diffc.random_integers %seed, %off [%n] {low = 0 : i64, high = 1000 : i64} : tensor<?x3xi64>
  return %t : tensor<?x3xi64>
}

func.func @ints_i32(%seed: i64, %off: i64) -> tensor<5x7xi32> {
  %t = diffc.random_integers %seed, %off {low = -20 : i64, high = 17 : i64} : tensor<5x7xi32>
  return %t : tensor<5x7xi32>
}

func.func @ints_full(%seed: i64, %off: i64) -> tensor<33xi64> {
  %t = diffc.random_integers %seed, %off {low = -2147483648 : i64, high = 2147483648 : i64} : tensor<33xi64>
  return %t : tensor<33xi64>
}
