//===- DiffcSamplerOps.td - diffc sampler ops --------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Noise schedules, timestep selection, the forward process, one DDPM / DDIM /
// inverse-DDIM step, guidance, noise and the sampler loop. The semantics are
// those of diffusers' DDPMScheduler, DDIMScheduler and DDIMInverseScheduler
// (DESIGN.md decision 5); option names keep diffusers' config spellings.
// Run-time choices (number of steps, eta, guidance weight) are operands so
// that changing them never needs a recompile.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_SAMPLER_OPS_TD
#define DIFFC_SAMPLER_OPS_TD

include "DiffcBase.td"
include "DiffcEnums.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Diffc_NoiseScheduleOp : Diffc_Op<"noise_schedule",
    [Pure, AllTypesMatch<["betas", "alphas", "alphas_cumprod"]>]> {
  let summary = "beta, alpha and alpha-bar tables of the forward process";
  let description = [{
    Builds the `num_train_timesteps`-long tables `beta_t`, `alpha_t = 1 -
    beta_t` and `alphabar_t = prod_{s <= t} alpha_s` for the chosen schedule:
    `linear` (betas evenly spaced from `beta_start` to `beta_end`),
    `scaled_linear` (square of evenly spaced square roots) or
    `squaredcos_cap_v2` (the cosine schedule of Nichol & Dhariwal, betas capped
    at 0.999; `beta_start`/`beta_end` unused). `rescale_betas_zero_snr`
    rescales to zero terminal SNR (Lin et al. 2023) as diffusers does.

    ```mlir
    %betas, %alphas, %abar = diffc.noise_schedule linear
        {num_train_timesteps = 1000 : i64, beta_start = 1.0e-04 : f64, beta_end = 2.0e-02 : f64}
        : tensor<1000xf32>
    ```
  }];
  let arguments = (ins Diffc_BetaScheduleAttr:$beta_schedule,
                       I64Attr:$num_train_timesteps,
                       DefaultValuedAttr<F64Attr, "1.0e-4">:$beta_start,
                       DefaultValuedAttr<F64Attr, "0.02">:$beta_end,
                       DefaultValuedAttr<BoolAttr, "false">:$rescale_betas_zero_snr);
  let results = (outs Diffc_Vector:$betas, Diffc_Vector:$alphas,
                      Diffc_Vector:$alphas_cumprod);
  let assemblyFormat = "$beta_schedule attr-dict `:` type($betas)";
  let hasVerifier = 1;
}

def Diffc_TimestepsOp : Diffc_Op<"timesteps", [Pure]> {
  let summary = "the inference timesteps, in sampling (decreasing) order";
  let description = [{
    diffusers' `set_timesteps(num_inference_steps)` for the chosen spacing:
    `leading` (`arange(0, n) * (T / n) + steps_offset`, reversed), `trailing`
    (`round(arange(T, 0, -T / n)) - 1`) or `linspace`
    (`round(linspace(0, T - 1, n))`, reversed). The step count is a run-time
    operand, so the result length is dynamic.

    ```mlir
    %ts = diffc.timesteps %n leading {num_train_timesteps = 1000 : i64, steps_offset = 1 : i64}
        : tensor<?xi64>
    ```
  }];
  let arguments = (ins I64:$num_inference_steps,
                       Diffc_TimestepSpacingAttr:$spacing,
                       I64Attr:$num_train_timesteps,
                       DefaultValuedAttr<I64Attr, "0">:$steps_offset);
  let results = (outs 1DTensorOf<[I64]>:$timesteps);
  let assemblyFormat = [{
    $num_inference_steps $spacing attr-dict `:` type($timesteps)
  }];
  let hasVerifier = 1;
}

def Diffc_AddNoiseOp : Diffc_Op<"add_noise", [Pure]> {
  let summary = "sample q(x_t | x_0): the forward process at per-sample timesteps";
  let description = [{
    `sqrt(abar_t) x0 + sqrt(1 - abar_t) noise` with `abar_t` looked up in the
    `alphas_cumprod` table at `timesteps[n]` for batch element `n`
    (diffusers' `add_noise`).

    ```mlir
    %xt = diffc.add_noise %x0, %eps, %abar, %t
        : (tensor<64x1x28x28xf32>, tensor<64x1x28x28xf32>, tensor<1000xf32>, tensor<64xi64>)
        -> tensor<64x1x28x28xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$original, Diffc_FloatTensor:$noise,
                       Diffc_Vector:$alphas_cumprod, Diffc_IndexTensor:$timesteps);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $original `,` $noise `,` $alphas_cumprod `,` $timesteps attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

/// The options DDPM and DDIM steps share, diffusers' config names.
defvar Diffc_SampleClipOptions = (ins
    DefaultValuedAttr<BoolAttr, "false">:$clip_sample,
    DefaultValuedAttr<F64Attr, "1.0">:$clip_sample_range,
    DefaultValuedAttr<BoolAttr, "false">:$thresholding,
    DefaultValuedAttr<F64Attr, "0.995">:$dynamic_thresholding_ratio,
    DefaultValuedAttr<F64Attr, "1.0">:$sample_max_value);

def Diffc_DDPMStepOp : Diffc_Op<"ddpm_step", [Pure]> {
  let summary = "one ancestral DDPM step x_t -> x_{t-1}";
  let description = [{
    diffusers' `DDPMScheduler.step`: predicts `x0` from the model output
    (`prediction_type`), optionally clips or dynamically thresholds it, forms
    the posterior mean `mu~_t(x_t, x0)` and adds `sigma_t z` with the variance
    chosen by `variance_type` (`fixed_small` is beta-tilde, `fixed_large` is
    beta, `learned_range` interpolates with the model's second half of
    channels). `prev_timestep < 0` means the final step: `abar_prev = 1` and no
    noise is added. `noise` is the standard normal `z`.

    ```mlir
    %x1 = diffc.ddpm_step %eps, %x, %z, %abar, %t, %tp prediction epsilon variance fixed_small
        : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64)
        -> tensor<16x1x28x28xf32>
    ```
  }];
  let arguments = !con((ins Diffc_FloatTensor:$model_output,
                            Diffc_FloatTensor:$sample, Diffc_FloatTensor:$noise,
                            Diffc_Vector:$alphas_cumprod, I64:$timestep,
                            I64:$prev_timestep,
                            Diffc_PredictionTypeAttr:$prediction_type,
                            Diffc_VarianceTypeAttr:$variance_type),
                       Diffc_SampleClipOptions);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $model_output `,` $sample `,` $noise `,` $alphas_cumprod `,` $timestep `,`
    $prev_timestep `prediction` $prediction_type `variance` $variance_type
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_DDIMStepOp : Diffc_Op<"ddim_step", [Pure]> {
  let summary = "one DDIM step x_t -> x_prev with run-time eta";
  let description = [{
    diffusers' `DDIMScheduler.step`: `x0_pred` from the model output,
    optional clipping / thresholding, `sigma = eta sqrt((1 - abar_prev) /
    (1 - abar_t)) sqrt(1 - abar_t / abar_prev)`, then `x_prev = sqrt(abar_prev)
    x0_pred + sqrt(1 - abar_prev - sigma^2) eps + sigma z`. For
    `prev_timestep < 0`, `abar_prev` is 1 with `set_alpha_to_one`, else
    `abar_0`. Without a `noise` operand `z` is zero. `eta` is a run-time
    scalar: 0 is deterministic DDIM, 1 is DDPM-like.

    ```mlir
    %x1 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta prediction epsilon
        {set_alpha_to_one = true}
        : (tensor<16x1x28x28xf32>, tensor<16x1x28x28xf32>, tensor<1000xf32>, i64, i64, f32)
        -> tensor<16x1x28x28xf32>
    ```
  }];
  let arguments = !con((ins Diffc_FloatTensor:$model_output,
                            Diffc_FloatTensor:$sample,
                            Diffc_Vector:$alphas_cumprod, I64:$timestep,
                            I64:$prev_timestep, Diffc_Float:$eta,
                            Optional<Diffc_FloatTensor>:$noise,
                            Diffc_PredictionTypeAttr:$prediction_type,
                            DefaultValuedAttr<BoolAttr, "true">:$set_alpha_to_one,
                            DefaultValuedAttr<BoolAttr, "false">:$use_clipped_model_output),
                       Diffc_SampleClipOptions);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $model_output `,` $sample `,` $alphas_cumprod `,` $timestep `,`
    $prev_timestep `,` $eta (`,` $noise^)? `prediction` $prediction_type
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_DDIMInverseStepOp : Diffc_Op<"ddim_inverse_step", [Pure]> {
  let summary = "one deterministic DDIM step run forward in time (inversion)";
  let description = [{
    diffusers' `DDIMInverseScheduler.step`: maps `x_t` to `x_next` at the later
    timestep `next_timestep`, with `abar_t` taken as 1 (with
    `set_alpha_to_one`) or `abar_0` when `timestep < 0`. Used by DDIM
    inversion and the pivots of null-text inversion.

    ```mlir
    %xn = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction epsilon
        : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>, tensor<1000xf32>, i64, i64)
        -> tensor<1x4x64x64xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$model_output, Diffc_FloatTensor:$sample,
                       Diffc_Vector:$alphas_cumprod, I64:$timestep,
                       I64:$next_timestep,
                       Diffc_PredictionTypeAttr:$prediction_type,
                       DefaultValuedAttr<BoolAttr, "true">:$set_alpha_to_one,
                       DefaultValuedAttr<BoolAttr, "false">:$clip_sample,
                       DefaultValuedAttr<F64Attr, "1.0">:$clip_sample_range);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $model_output `,` $sample `,` $alphas_cumprod `,` $timestep `,`
    $next_timestep `prediction` $prediction_type attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_CfgCombineOp : Diffc_Op<"cfg_combine",
    [Pure, AllTypesMatch<["unconditional", "conditional", "result"]>]> {
  let summary = "classifier-free guidance: uncond + w (cond - uncond)";
  let description = [{
    `eps~ = w eps(z_t, t, c) + (1 - w) eps(z_t, t, null)`, written as
    `uncond + w (cond - uncond)`; `w` is a run-time scalar.

    ```mlir
    %e = diffc.cfg_combine %eu, %ec, %w : tensor<2x4x32x32xf32>, f32
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$unconditional,
                       Diffc_FloatTensor:$conditional, Diffc_Float:$scale);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $unconditional `,` $conditional `,` $scale attr-dict `:` type($result) `,` type($scale)
  }];
}

def Diffc_ClassifierGuidanceOp : Diffc_Op<"classifier_guidance", [Pure]> {
  let summary = "shift a posterior mean by s Sigma grad log p(y | x_t)";
  let description = [{
    Classifier guidance (Dhariwal & Nichol): `mean + scale * variance *
    gradient`, where `gradient` is `grad_x log p_phi(y | x_t)` from the
    autodiff of a noisy classifier and `variance` (Sigma) broadcasts to the
    mean's shape.

    ```mlir
    %m = diffc.classifier_guidance %mu, %var, %g, %s
        : (tensor<16x1x28x28xf32>, tensor<f32>, tensor<16x1x28x28xf32>, f32) -> tensor<16x1x28x28xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$mean, Diffc_FloatTensor:$variance,
                       Diffc_FloatTensor:$gradient, Diffc_Float:$scale);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $mean `,` $variance `,` $gradient `,` $scale attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_RandomNormalOp : Diffc_Op<"random_normal", [Pure]> {
  let summary = "standard normal noise from Philox4x32-10";
  let description = [{
    Fills the result with N(0, 1) samples from the counter-based Philox4x32-10
    generator keyed by `seed`; row-major element `i` is normal number
    `offset + i` of the stream (offsets count elements, the mapping is in
    runtime/include/diffc/philox.h), so it depends only on `(seed, offset,
    i)` and CPU and GPU give the same noise (DESIGN.md decision 6). Tensors
    drawn from one seed use disjoint offset ranges. The op is pure: equal operands give equal noise.
    Dynamic result dimensions take their sizes from `dynamic_sizes`, in order.

    ```mlir
    %z = diffc.random_normal %seed, %off [%n] : tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins I64:$seed, I64:$offset, Variadic<Index>:$dynamic_sizes);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $seed `,` $offset (`[` $dynamic_sizes^ `]`)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Diffc_RandomIntegersOp : Diffc_Op<"random_integers", [Pure]> {
  let summary = "uniform integers in [low, high) from Philox4x32-10";
  let description = [{
    Fills the result with integers uniform in `[low, high)` from the same
    Philox4x32-10 stream as `diffc.random_normal`, one 32-bit word per
    element: row-major element `i` takes word `w` of global index
    `g = offset + i` (word `g % 4` of block `g / 4`) and is
    `low + ((w * (high - low)) >> 32)` in unsigned 64-bit arithmetic
    (runtime/include/diffc/philox.h, "Uniform integers"). `high - low` is at
    most 2^32 and the bounds fit the element type. Integers and normals of
    one seed must use offset ranges in different Philox blocks (start each
    range at a multiple of 4). Training steps draw their timesteps
    `t ~ U{0..T-1}` with it. Dynamic result dimensions take their sizes from
    `dynamic_sizes`, in order.

    ```mlir
    %t = diffc.random_integers %seed, %off [%n] {low = 0 : i64, high = 1000 : i64} : tensor<?xi64>
    ```
  }];
  let arguments = (ins I64:$seed, I64:$offset, Variadic<Index>:$dynamic_sizes,
                       I64Attr:$low, I64Attr:$high);
  let results = (outs Diffc_IndexTensor:$result);
  let assemblyFormat = [{
    $seed `,` $offset (`[` $dynamic_sizes^ `]`)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Diffc_SamplerLoopOp : Diffc_Op<"sampler_loop",
    [RecursiveMemoryEffects, SingleBlock,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "run a body once per timestep, carrying values";
  let description = [{
    Iterates over the 1-D `timesteps` tensor in order. The body's block
    arguments are the step index (`index`), the current timestep (`i64`), the
    next timestep in the sequence (`i64`, -1 after the last), then one value
    per carried value. The body ends in `diffc.yield` with the next carried
    values; the op returns the last ones. The loop stays a loop through
    scheduling: it is not unrolled per step.

    ```mlir
    %x0 = diffc.sampler_loop %ts iter_args(%xT : tensor<16x1x28x28xf32>)
        : tensor<?xi64> -> tensor<16x1x28x28xf32> {
    ^bb0(%i: index, %t: i64, %tn: i64, %x: tensor<16x1x28x28xf32>):
      ...
      diffc.yield %x1 : tensor<16x1x28x28xf32>
    }
    ```
  }];
  let arguments = (ins 1DTensorOf<[I32, I64]>:$timesteps,
                       Variadic<AnyType>:$inits);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $timesteps (`iter_args` `(` $inits^ `:` type($inits) `)`)? attr-dict
    `:` type($timesteps) (`->` type($results)^)? $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Diffc_YieldOp : Diffc_Op<"yield",
    [Pure, Terminator, ReturnLike, HasParent<"SamplerLoopOp">]> {
  let summary = "carry values to the next iteration of a sampler loop";
  let description = [{
    ```mlir
    diffc.yield %x1 : tensor<16x1x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // DIFFC_SAMPLER_OPS_TD
