// The GPU kernels' logic on the CPU (docs/gpu.md): the e2e programs compiled
// through the GPU pipeline (thread mapping, one thread per element), with
// each gpu.launch run as host loops over block and thread ids
// (--gpu-host-loops), then checked by the same harness against the same
// float64 references as the CPU path. Every linalg op becomes a kernel:
// all-parallel ops one thread per element (diffc-gpu-map-elementwise), ops
// with reductions (softmax, norms, losses, matrix products, convolutions,
// attention) one thread per output running its reduction loops
// (diffc-gpu-map-reductions). Only the thresholding cases' radix-select
// loops, which are scf loops rather than linalg ops, stay host code.
//
// RUN: diffc compile %S/../e2e/reductions.mlir --gpu-host-loops -o %t.red.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.red.diffc --case softmax_last --case softmax_middle_large --case softmax_f16 --case reduce_kinds --case reduce_all --case reduce_f16_mean --case mse_loss_all --case gaussian_kl_all --case bce_with_logits_all --case hinge_real --case hinge_fake --case hinge_generator | FileCheck %s --check-prefix=RED
// RED-COUNT-29: ok
// RED-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/normalization.mlir --gpu-host-loops -o %t.norm.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.norm.diffc --case group_norm_silu --case group_norm_rank3 --case group_norm_one_group --case group_norm_dynamic_channels --case group_norm_offset_mean --case group_norm_f16 --case layer_norm_silu --case layer_norm_rank1 --case layer_norm_f64 | FileCheck %s --check-prefix=NORM
// NORM-COUNT-9: ok
// NORM-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/contraction.mlir --gpu-host-loops -o %t.con.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.con.diffc --case linear_bias --case linear_vector --case linear_wide --case matmul_2d --case matmul_batched --case matmul_rhs_2d --case matmul_broadcast --case conv2d_same --case conv2d_stride2_pad1 --case conv2d_dilation2 --case conv2d_groups2 --case conv2d_pointwise --case conv2d_unet_block --case conv3d_temporal --case conv3d_stride2 --case conv3d_groups2_dilation --case attention_self_heads --case attention_cross --case attention_bool_mask --case attention_float_mask --case attention_dynamic_batch | FileCheck %s --check-prefix=CON
// CON-COUNT-21: ok
// CON-NOT: FAIL
//
// The same contractions with 4 output points per thread (--gpu-coarsen=4:
// convolutions share the input loads of 4 output channels).
// RUN: diffc compile %S/../e2e/contraction.mlir --gpu-host-loops --gpu-coarsen=4 -o %t.con4.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.con4.diffc --case linear_bias --case linear_vector --case linear_wide --case matmul_2d --case matmul_batched --case matmul_rhs_2d --case matmul_broadcast --case conv2d_same --case conv2d_stride2_pad1 --case conv2d_dilation2 --case conv2d_groups2 --case conv2d_pointwise --case conv2d_unet_block --case conv3d_temporal --case conv3d_stride2 --case conv3d_groups2_dilation --case attention_self_heads --case attention_cross --case attention_bool_mask --case attention_float_mask --case attention_dynamic_batch | FileCheck %s --check-prefix=CON4
// CON4-COUNT-21: ok
// CON4-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/elementwise.mlir --gpu-host-loops -o %t.ew.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.ew.diffc --case bias_silu_residual --case unary_chain --case binary_broadcast --case shared_result | FileCheck %s --check-prefix=EW
// EW-COUNT-22: ok
// EW-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/sampler-steps.mlir --gpu-host-loops -o %t.steps.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.steps.diffc --case ddim_epsilon --case ddim_epsilon_eta --case ddim_v_prediction_last --case ddim_sample_clip --case ddim_no_alpha_one_clipped_output --case ddim_inverse --case ddim_inverse_v_no_alpha_one --case cfg_ddim_fused --case add_noise --case classifier_guidance --case ddpm_fixed_small --case ddpm_fixed_small_log_clip --case ddpm_fixed_large_v --case ddpm_last_step --case ddpm_learned --case ddpm_learned_range --case ddim_thresholding --case ddpm_thresholding_learned_range | FileCheck %s --check-prefix=STEPS
// STEPS-COUNT-18: ok
// STEPS-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/schedules.mlir --gpu-host-loops -o %t.sched.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.sched.diffc --case philox_noise --case ddim_loop_eta0 --case ddim_loop_eta1_v | FileCheck %s --check-prefix=SCHED
// SCHED-COUNT-3: ok
// SCHED-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/samplers.mlir --gpu-host-loops --sampler=ddim,ddpm --scheduler-config %S/../e2e/Inputs/ddim_leading.json -o %t.samplers.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.samplers.diffc --case sampler_ddim_leading --case sampler_ddpm_leading | FileCheck %s --check-prefix=SAMPLERS
// SAMPLERS-COUNT-2: ok
// SAMPLERS-NOT: FAIL
//
// RUN: diffc compile %S/../e2e/training.mlir --gpu-host-loops -o %t.train.diffc
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.train.diffc --case adam_first_step --case adam_weight_decay --case adam_late_step --case adamw_weight_decay --case adamw_three_steps --case adamw_f64 --case ema_half_life --case random_integers_timesteps --case random_integers_i32 --case random_integers_full_range | FileCheck %s --check-prefix=TRAIN
// TRAIN-COUNT-22: ok
// TRAIN-NOT: FAIL
