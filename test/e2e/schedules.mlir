// Noise schedules, timesteps, Philox noise and whole DDIM sampling loops,
// compiled for x86-64 and checked against float64 references of diffusers'
// formulas and of the Philox stream.
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case schedule_linear --case schedule_scaled_linear --case schedule_cosine --case schedule_zero_snr --case philox_noise --case ddim_loop_eta0 --case ddim_loop_eta1_v | FileCheck %s --check-prefix=CHECK
// CHECK-COUNT-15: ok
// CHECK-NOT: FAIL
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case timesteps_leading_1 --case timesteps_leading_3 --case timesteps_leading_10 --case timesteps_leading_50 --case timesteps_leading_61 --case timesteps_leading_999 --case timesteps_leading_1000 --case timesteps_trailing_1 --case timesteps_trailing_3 --case timesteps_trailing_10 --case timesteps_trailing_50 --case timesteps_trailing_61 --case timesteps_trailing_999 --case timesteps_trailing_1000 --case timesteps_linspace_1 --case timesteps_linspace_3 --case timesteps_linspace_10 --case timesteps_linspace_50 --case timesteps_linspace_61 --case timesteps_linspace_999 --case timesteps_linspace_1000 | FileCheck %s --check-prefix=TS
// TS-COUNT-21: ok
// TS-NOT: FAIL

func.func @schedule_linear() -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %b, %a, %ab = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64} : tensor<1000xf32>
  return %b, %a, %ab : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
}

func.func @schedule_scaled_linear() -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %b, %a, %ab = diffc.noise_schedule scaled_linear {num_train_timesteps = 1000 : i64, beta_start = 0.00085 : f64, beta_end = 0.012 : f64} : tensor<1000xf32>
  return %b, %a, %ab : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
}

func.func @schedule_cosine() -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %b, %a, %ab = diffc.noise_schedule squaredcos_cap_v2 {num_train_timesteps = 1000 : i64} : tensor<1000xf32>
  return %b, %a, %ab : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
}

func.func @schedule_zero_snr() -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %b, %a, %ab = diffc.noise_schedule scaled_linear {num_train_timesteps = 1000 : i64, beta_start = 0.00085 : f64, beta_end = 0.012 : f64, rescale_betas_zero_snr = true} : tensor<1000xf32>
  return %b, %a, %ab : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
}

func.func @timesteps_leading(%n: i64) -> tensor<?xi64> {
  %t = diffc.timesteps %n leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64} : tensor<?xi64>
  return %t : tensor<?xi64>
}

func.func @timesteps_trailing(%n: i64) -> tensor<?xi64> {
  %t = diffc.timesteps %n trailing {num_train_timesteps = 1000 : i64} : tensor<?xi64>
  return %t : tensor<?xi64>
}

func.func @timesteps_linspace(%n: i64) -> tensor<?xi64> {
  %t = diffc.timesteps %n linspace {num_train_timesteps = 1000 : i64} : tensor<?xi64>
  return %t : tensor<?xi64>
}

func.func @philox_noise(%seed: i64, %offset: i64, %batch: index) -> tensor<?x1x5x7xf32> {
  %z = diffc.random_normal %seed, %offset [%batch] : tensor<?x1x5x7xf32>
  return %z : tensor<?x1x5x7xf32>
}

// x_T from Philox at offset 0; step i draws its noise at (i + 1) * numel;
// prev_t = t - T / n as in DDIMScheduler.step; the toy model is eps = tanh(x).
func.func private @ddim_loop(%n: i64, %seed: i64, %batch: index, %eta: f32, %abar: tensor<1000xf32>, %ts: tensor<?xi64>, %pred: i1) -> tensor<?x1x4x4xf32> {
  %c0 = arith.constant 0 : i64
  %x = diffc.random_normal %seed, %c0 [%batch] : tensor<?x1x4x4xf32>
  %bi = arith.index_cast %batch : index to i64
  %c16 = arith.constant 16 : i64
  %numel = arith.muli %bi, %c16 : i64
  %c1000 = arith.constant 1000 : i64
  %ratio = arith.divsi %c1000, %n : i64
  %o = diffc.sampler_loop %ts iter_args(%x : tensor<?x1x4x4xf32>) : tensor<?xi64> -> tensor<?x1x4x4xf32> {
  ^bb0(%i: index, %t: i64, %tn: i64, %xx: tensor<?x1x4x4xf32>):
    %ii = arith.index_cast %i : index to i64
    %c1 = arith.constant 1 : i64
    %ip1 = arith.addi %ii, %c1 : i64
    %off = arith.muli %ip1, %numel : i64
    %z = diffc.random_normal %seed, %off [%batch] : tensor<?x1x4x4xf32>
    %eps = diffc.tanh %xx : tensor<?x1x4x4xf32>
    %tp = arith.subi %t, %ratio : i64
    %x1 = scf.if %pred -> tensor<?x1x4x4xf32> {
      %e = diffc.ddim_step %eps, %xx, %abar, %t, %tp, %eta, %z prediction epsilon : (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>, tensor<1000xf32>, i64, i64, f32, tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
      scf.yield %e : tensor<?x1x4x4xf32>
    } else {
      %v = diffc.ddim_step %eps, %xx, %abar, %t, %tp, %eta, %z prediction v_prediction : (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>, tensor<1000xf32>, i64, i64, f32, tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
      scf.yield %v : tensor<?x1x4x4xf32>
    }
    diffc.yield %x1 : tensor<?x1x4x4xf32>
  }
  return %o : tensor<?x1x4x4xf32>
}

func.func @ddim_loop_eta0(%n: i64, %seed: i64, %batch: index, %eta: f32) -> tensor<?x1x4x4xf32> {
  %b, %a, %abar = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64} : tensor<1000xf32>
  %ts = diffc.timesteps %n leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64} : tensor<?xi64>
  %true = arith.constant true
  %o = func.call @ddim_loop(%n, %seed, %batch, %eta, %abar, %ts, %true) : (i64, i64, index, f32, tensor<1000xf32>, tensor<?xi64>, i1) -> tensor<?x1x4x4xf32>
  return %o : tensor<?x1x4x4xf32>
}

func.func @ddim_loop_eta1_v(%n: i64, %seed: i64, %batch: index, %eta: f32) -> tensor<?x1x4x4xf32> {
  %b, %a, %abar = diffc.noise_schedule linear {num_train_timesteps = 1000 : i64} : tensor<1000xf32>
  %ts = diffc.timesteps %n trailing {num_train_timesteps = 1000 : i64} : tensor<?xi64>
  %false = arith.constant false
  %o = func.call @ddim_loop(%n, %seed, %batch, %eta, %abar, %ts, %false) : (i64, i64, index, f32, tensor<1000xf32>, tensor<?xi64>, i1) -> tensor<?x1x4x4xf32>
  return %o : tensor<?x1x4x4xf32>
}
