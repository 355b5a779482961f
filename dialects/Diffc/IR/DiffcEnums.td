//===- DiffcEnums.td - diffc enum attributes ---------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Every "kind" in the dialect is a typed enum attribute, never a string. The
// spellings follow diffusers' config values so that a scheduler_config.json
// maps one to one.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_ENUMS_TD
#define DIFFC_ENUMS_TD

include "DiffcBase.td"
include "mlir/IR/EnumAttr.td"

class Diffc_I32Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::diffc";
}

class Diffc_EnumAttr<EnumAttrInfo info, string mnemonic>
    : EnumAttr<Diffc_Dialect, info, mnemonic>;

def Diffc_BetaSchedule : Diffc_I32Enum<"BetaSchedule",
    "beta schedule of the forward process", [
      I32EnumAttrCase<"linear", 0>,
      I32EnumAttrCase<"scaled_linear", 1>,
      I32EnumAttrCase<"squaredcos_cap_v2", 2>]>;
def Diffc_BetaScheduleAttr : Diffc_EnumAttr<Diffc_BetaSchedule, "beta_schedule">;

def Diffc_TimestepSpacing : Diffc_I32Enum<"TimestepSpacing",
    "how inference timesteps are picked from the training timesteps", [
      I32EnumAttrCase<"leading", 0>,
      I32EnumAttrCase<"trailing", 1>,
      I32EnumAttrCase<"linspace", 2>]>;
def Diffc_TimestepSpacingAttr
    : Diffc_EnumAttr<Diffc_TimestepSpacing, "timestep_spacing">;

def Diffc_PredictionType : Diffc_I32Enum<"PredictionType",
    "what the model predicts", [
      I32EnumAttrCase<"epsilon", 0>,
      I32EnumAttrCase<"v_prediction", 1>,
      I32EnumAttrCase<"sample", 2>]>;
def Diffc_PredictionTypeAttr
    : Diffc_EnumAttr<Diffc_PredictionType, "prediction_type">;

def Diffc_VarianceType : Diffc_I32Enum<"VarianceType",
    "DDPM posterior variance choice", [
      I32EnumAttrCase<"fixed_small", 0>,
      I32EnumAttrCase<"fixed_small_log", 1>,
      I32EnumAttrCase<"fixed_large", 2>,
      I32EnumAttrCase<"fixed_large_log", 3>,
      I32EnumAttrCase<"learned", 4>,
      I32EnumAttrCase<"learned_range", 5>]>;
def Diffc_VarianceTypeAttr
    : Diffc_EnumAttr<Diffc_VarianceType, "variance_type">;

def Diffc_GeluApproximation : Diffc_I32Enum<"GeluApproximation",
    "GELU formula", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"tanh", 1>]>;
def Diffc_GeluApproximationAttr
    : Diffc_EnumAttr<Diffc_GeluApproximation, "gelu_approximation">;

def Diffc_ReduceKind : Diffc_I32Enum<"ReduceKind", "reduction", [
      I32EnumAttrCase<"sum", 0>,
      I32EnumAttrCase<"mean", 1>,
      I32EnumAttrCase<"max", 2>]>;
def Diffc_ReduceKindAttr : Diffc_EnumAttr<Diffc_ReduceKind, "reduce_kind">;

def Diffc_LossReduction : Diffc_I32Enum<"LossReduction",
    "how a loss is reduced over its elements", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"mean", 1>,
      I32EnumAttrCase<"sum", 2>]>;
def Diffc_LossReductionAttr
    : Diffc_EnumAttr<Diffc_LossReduction, "loss_reduction">;

def Diffc_GanTarget : Diffc_I32Enum<"GanTarget",
    "which side of an adversarial loss", [
      I32EnumAttrCase<"real", 0>,
      I32EnumAttrCase<"fake", 1>,
      I32EnumAttrCase<"generator", 2>]>;
def Diffc_GanTargetAttr : Diffc_EnumAttr<Diffc_GanTarget, "gan_target">;

def Diffc_OptimizerKind : Diffc_I32Enum<"OptimizerKind",
    "Adam with L2 weight decay or AdamW with decoupled weight decay", [
      I32EnumAttrCase<"adam", 0>,
      I32EnumAttrCase<"adamw", 1>]>;
def Diffc_OptimizerKindAttr
    : Diffc_EnumAttr<Diffc_OptimizerKind, "optimizer">;

#endif // DIFFC_ENUMS_TD
