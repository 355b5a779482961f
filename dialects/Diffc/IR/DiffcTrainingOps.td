//===- DiffcTrainingOps.td - diffc training ops ------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Parameter updates of a training step: the optimizer and the exponential
// moving average of weights.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TRAINING_OPS_TD
#define DIFFC_TRAINING_OPS_TD

include "DiffcBase.td"
include "DiffcEnums.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Diffc_AdamUpdateOp : Diffc_Op<"adam_update", [Pure,
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq",
                   "new_param", "new_exp_avg", "new_exp_avg_sq"]>]> {
  let summary = "one Adam / AdamW update with bias correction";
  let description = [{
    PyTorch's `torch.optim.Adam` / `AdamW` for one tensor at 1-based `step`:
    `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
    `p -= lr * (m / (1 - b1^step)) / (sqrt(v / (1 - b2^step)) + epsilon)`.
    `adam` adds `weight_decay * p` to the gradient; `adamw` first scales
    `p *= 1 - lr * weight_decay`. `step` and `lr` are run-time scalars
    (warm-up schedules change `lr` per step).

    ```mlir
    %p1, %m1, %v1 = diffc.adam_update adamw %p, %g, %m, %v, %step, %lr
        {beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-08 : f64, weight_decay = 0.01 : f64}
        : tensor<64x1x3x3xf32>, i64, f32
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$param, Diffc_FloatTensor:$grad,
                       Diffc_FloatTensor:$exp_avg, Diffc_FloatTensor:$exp_avg_sq,
                       I64:$step, Diffc_Float:$lr,
                       Diffc_OptimizerKindAttr:$optimizer,
                       DefaultValuedAttr<F64Attr, "0.9">:$beta1,
                       DefaultValuedAttr<F64Attr, "0.999">:$beta2,
                       DefaultValuedAttr<F64Attr, "1.0e-8">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs Diffc_FloatTensor:$new_param,
                      Diffc_FloatTensor:$new_exp_avg,
                      Diffc_FloatTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $optimizer $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $step `,` $lr
    attr-dict `:` type($param) `,` type($step) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def Diffc_EmaUpdateOp : Diffc_Op<"ema_update",
    [Pure, AllTypesMatch<["ema", "param", "result"]>]> {
  let summary = "exponential moving average of a weight";
  let description = [{
    `ema = decay * ema + (1 - decay) * param`, with a run-time `decay` so that
    warm-up schedules need no recompile.

    ```mlir
    %e1 = diffc.ema_update %e, %p, %decay : tensor<64x1x3x3xf32>, f32
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$ema, Diffc_FloatTensor:$param,
                       Diffc_Float:$decay);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $ema `,` $param `,` $decay attr-dict `:` type($result) `,` type($decay)
  }];
}

#endif // DIFFC_TRAINING_OPS_TD
