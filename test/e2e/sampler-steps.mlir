// Sampler steps, add_noise and guidance compiled for x86-64 and run through
// diffc-run, against float64 references of diffusers' formulas (harness.py,
// cases.py, reference.py). float32 results within 1e-5 (norm-wise relative).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case ddim_epsilon --case ddim_epsilon_eta --case ddim_v_prediction_last --case ddim_sample_clip --case ddim_no_alpha_one_clipped_output --case ddim_inverse --case ddim_inverse_v_no_alpha_one --case cfg_ddim_fused --case add_noise --case classifier_guidance | FileCheck %s
// CHECK-COUNT-10: ok
// CHECK-NOT: FAIL

!x = tensor<?x1x6x6xf32>

func.func @ddim_epsilon(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32) -> !x {
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64, f32) -> !x
  return %0 : !x
}

func.func @ddim_epsilon_eta(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: !x) -> !x {
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64, f32, !x) -> !x
  return %0 : !x
}

func.func @ddim_v_prediction_last(%v: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: !x) -> !x {
  %0 = diffc.ddim_step %v, %x, %abar, %t, %tp, %eta, %z prediction v_prediction : (!x, !x, tensor<1000xf32>, i64, i64, f32, !x) -> !x
  return %0 : !x
}

func.func @ddim_sample_clip(%s: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: !x) -> !x {
  %0 = diffc.ddim_step %s, %x, %abar, %t, %tp, %eta, %z prediction sample {clip_sample = true, clip_sample_range = 0.5 : f64} : (!x, !x, tensor<1000xf32>, i64, i64, f32, !x) -> !x
  return %0 : !x
}

func.func @ddim_no_alpha_one_clipped_output(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: !x) -> !x {
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon {clip_sample = true, set_alpha_to_one = false, use_clipped_model_output = true} : (!x, !x, tensor<1000xf32>, i64, i64, f32, !x) -> !x
  return %0 : !x
}

func.func @ddim_inverse(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tn: i64) -> !x {
  %0 = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64) -> !x
  return %0 : !x
}

func.func @ddim_inverse_v_no_alpha_one(%v: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tn: i64) -> !x {
  %0 = diffc.ddim_inverse_step %v, %x, %abar, %t, %tn prediction v_prediction {set_alpha_to_one = false} : (!x, !x, tensor<1000xf32>, i64, i64) -> !x
  return %0 : !x
}

// Guidance combine and DDIM step fuse into one kernel (see the fuse test).
func.func @cfg_ddim_fused(%eu: !x, %ec: !x, %x: !x, %z: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %w: f32) -> !x {
  %e = diffc.cfg_combine %eu, %ec, %w : !x, f32
  %0 = diffc.ddim_step %e, %x, %abar, %t, %tp, %eta, %z prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64, f32, !x) -> !x
  return %0 : !x
}

func.func @add_noise(%x0: tensor<?x1x5x5xf32>, %eps: tensor<?x1x5x5xf32>, %abar: tensor<1000xf32>, %t: tensor<?xi64>) -> tensor<?x1x5x5xf32> {
  %0 = diffc.add_noise %x0, %eps, %abar, %t : (tensor<?x1x5x5xf32>, tensor<?x1x5x5xf32>, tensor<1000xf32>, tensor<?xi64>) -> tensor<?x1x5x5xf32>
  return %0 : tensor<?x1x5x5xf32>
}

func.func @classifier_guidance(%mu: tensor<2x3x4xf32>, %var: tensor<1x4xf32>, %g: tensor<2x3x4xf32>, %s: f32) -> tensor<2x3x4xf32> {
  %0 = diffc.classifier_guidance %mu, %var, %g, %s : (tensor<2x3x4xf32>, tensor<1x4xf32>, tensor<2x3x4xf32>, f32) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// DDPM (DDPMScheduler.step) for every supported variance type.
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case ddpm_fixed_small --case ddpm_fixed_small_log_clip --case ddpm_fixed_large_v --case ddpm_last_step --case ddpm_learned --case ddpm_learned_range | FileCheck %s --check-prefix=DDPM
// DDPM-COUNT-6: ok
// DDPM-NOT: FAIL

!abar = tensor<1000xf32>
!x2 = tensor<?x2x6x6xf32>

func.func @ddpm_fixed_small(%e: !x, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction epsilon variance fixed_small : (!x, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}

func.func @ddpm_fixed_small_log_clip(%e: !x, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction sample variance fixed_small_log {clip_sample = true} : (!x, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}

func.func @ddpm_fixed_large_v(%e: !x, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction v_prediction variance fixed_large : (!x, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}

func.func @ddpm_last_step(%e: !x, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction epsilon variance fixed_small : (!x, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}

func.func @ddpm_learned(%e: !x2, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction epsilon variance learned : (!x2, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}

func.func @ddpm_learned_range(%e: !x2, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction epsilon variance learned_range : (!x2, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}

// Dynamic thresholding (quantile of |x0| per sample by radix select).
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case ddim_thresholding --case ddpm_thresholding_learned_range | FileCheck %s --check-prefix=THRESH
// THRESH-COUNT-2: ok
// THRESH-NOT: FAIL

func.func @ddim_thresholding(%eps: !x, %x: !x, %abar: !abar, %t: i64, %tp: i64, %eta: f32, %z: !x) -> !x {
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon {thresholding = true, dynamic_thresholding_ratio = 0.9 : f64, sample_max_value = 20.0 : f64} : (!x, !x, !abar, i64, i64, f32, !x) -> !x
  return %0 : !x
}

func.func @ddpm_thresholding_learned_range(%e: !x2, %x: !x, %z: !x, %abar: !abar, %t: i64, %tp: i64) -> !x {
  %0 = diffc.ddpm_step %e, %x, %z, %abar, %t, %tp prediction v_prediction variance learned_range {thresholding = true, sample_max_value = 10.0 : f64} : (!x2, !x, !x, !abar, i64, i64) -> !x
  return %0 : !x
}
