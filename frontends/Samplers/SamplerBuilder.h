//===- SamplerBuilder.h - DDPM and DDIM sampling programs ------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Builds the sampling entry points around a denoising model
// `@model(sample, timestep)` (a function in the dialect returning the
// prediction named by the scheduler's prediction_type):
//
//   @sample_ddim(%x_T, %steps: i64, %eta: f32, %seed: i64) -> x_0
//   @sample_ddpm(%x_T, %steps: i64, %seed: i64) -> x_0
//
// The noise stream: x_T is the caller's (diffc-run draws it from Philox at
// offset 0 with the same seed), and step i draws its z at offset
// (i + 1) * numel(x_T). Steps, eta, seed and batch are run-time values; the
// scheduler options are compiled in.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_FRONTENDS_SAMPLERS_SAMPLERBUILDER_H
#define DIFFC_FRONTENDS_SAMPLERS_SAMPLERBUILDER_H

#include "frontends/Samplers/SchedulerConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::diffc {

enum class SamplerKind { DDIM, DDPM };

/// Name of the entry point of `kind`: "sample_ddim" or "sample_ddpm".
llvm::StringRef samplerEntryName(SamplerKind kind);

/// Adds the sampler entry of `kind` for `model` to `module`. Emits an error
/// at the model and fails when its signature is not (tensor<?x...xf32>,
/// tensor<?xi64>) -> tensor of the sample's type.
FailureOr<func::FuncOp> buildSampler(ModuleOp module, func::FuncOp model,
                                     SamplerKind kind,
                                     const SchedulerConfig &config);

} // namespace mlir::diffc

#endif // DIFFC_FRONTENDS_SAMPLERS_SAMPLERBUILDER_H
