//===- SamplerBuilder.cpp - DDPM and DDIM sampling programs ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "frontends/Samplers/SamplerBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

llvm::StringRef mlir::diffc::samplerEntryName(SamplerKind kind) {
  return kind == SamplerKind::DDIM ? "sample_ddim" : "sample_ddpm";
}

/// The model must map (sample, timesteps) to a tensor of the sample's type.
static LogicalResult checkModel(func::FuncOp model, const SchedulerConfig &c) {
  FunctionType type = model.getFunctionType();
  auto sample = type.getNumInputs() == 2
                    ? dyn_cast<RankedTensorType>(type.getInput(0))
                    : RankedTensorType();
  auto timesteps = sample ? dyn_cast<RankedTensorType>(type.getInput(1))
                          : RankedTensorType();
  bool ok = sample && sample.getRank() >= 2 && sample.isDynamicDim(0) &&
            sample.getElementType().isF32() && timesteps &&
            timesteps.getRank() == 1 &&
            timesteps.getElementType().isInteger(64) &&
            type.getNumResults() == 1;
  if (ok) {
    Type out = type.getResult(0);
    bool learned = c.varianceType == VarianceType::learned ||
                   c.varianceType == VarianceType::learned_range;
    ok = learned ? isa<RankedTensorType>(out) : out == sample;
  }
  if (!ok)
    return model.emitError()
           << "a sampler needs @" << model.getSymName()
           << " : (tensor<?xCxHxWxf32>, tensor<?xi64>) -> the sample's type, "
              "got "
           << type;
  return success();
}

FailureOr<func::FuncOp> mlir::diffc::buildSampler(ModuleOp module,
                                                  func::FuncOp model,
                                                  SamplerKind kind,
                                                  const SchedulerConfig &c) {
  if (failed(checkModel(model, c)))
    return failure();
  MLIRContext *ctx = module.getContext();
  // The input may not have used these dialects yet.
  ctx->loadDialect<arith::ArithDialect, DiffcDialect, func::FuncDialect,
                   linalg::LinalgDialect, tensor::TensorDialect>();
  Location loc = model.getLoc();
  auto sampleType = cast<RankedTensorType>(model.getFunctionType().getInput(0));
  Type i64 = IntegerType::get(ctx, 64), f32 = Float32Type::get(ctx);
  bool ddim = kind == SamplerKind::DDIM;
  SmallVector<Type> inputs = {sampleType, i64};
  if (ddim)
    inputs.push_back(f32);
  inputs.push_back(i64);

  OpBuilder mb(module.getBodyRegion());
  mb.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(
      mb, loc, samplerEntryName(kind),
      FunctionType::get(ctx, inputs, {sampleType}));
  Block *entry = func.addEntryBlock();
  ImplicitLocOpBuilder b(loc, ctx);
  b.setInsertionPointToStart(entry);
  Value xT = entry->getArgument(0), steps = entry->getArgument(1);
  Value eta = ddim ? entry->getArgument(2) : Value();
  Value seed = entry->getArgument(ddim ? 3 : 2);

  auto table =
      RankedTensorType::get({c.numTrainTimesteps}, b.getF32Type());
  auto schedule = NoiseScheduleOp::create(
      b, TypeRange{table, table, table}, c.betaSchedule, c.numTrainTimesteps,
      APFloat(c.betaStart), APFloat(c.betaEnd), c.rescaleBetasZeroSnr);
  Value abar = schedule.getAlphasCumprod();
  auto tsType = RankedTensorType::get({ShapedType::kDynamic}, i64);
  Value ts = TimestepsOp::create(b, tsType, steps, c.timestepSpacing,
                                 c.numTrainTimesteps, c.stepsOffset);

  // numel(x_T) for the noise offsets, and the batch for the timestep vector
  // and for the noise tensors' dynamic extent.
  Value batch = tensor::DimOp::create(b, xT, 0);
  Value numel = arith::IndexCastOp::create(b, i64, batch);
  for (int64_t d : sampleType.getShape().drop_front())
    numel = arith::MulIOp::create(b, numel,
                                  arith::ConstantIntOp::create(b, i64, d));
  Value ratio = arith::DivSIOp::create(
      b, arith::ConstantIntOp::create(b, i64, c.numTrainTimesteps), steps);

  auto loop = SamplerLoopOp::create(b, TypeRange{sampleType}, ts,
                                    ValueRange{xT});
  Block *body = b.createBlock(&loop.getBody());
  for (Type t : {Type(b.getIndexType()), i64, i64, Type(sampleType)})
    body->addArgument(t, loc);
  b.setInsertionPointToStart(body);
  Value step = body->getArgument(0), t = body->getArgument(1);
  Value tNext = body->getArgument(2), x = body->getArgument(3);

  // The model sees one timestep per batch element.
  auto batchTs = RankedTensorType::get({ShapedType::kDynamic}, i64);
  Value empty = tensor::EmptyOp::create(b, batchTs.getShape(), i64,
                                        ValueRange{batch});
  Value tVec =
      linalg::FillOp::create(b, ValueRange{t}, ValueRange{empty}).getResult(0);
  Value out =
      func::CallOp::create(b, model, ValueRange{x, tVec}).getResult(0);

  Value stepI64 = arith::IndexCastOp::create(b, i64, step);
  Value offset = arith::MulIOp::create(
      b, arith::AddIOp::create(b, stepI64, arith::ConstantIntOp::create(b, i64, 1)),
      numel);
  Value z = RandomNormalOp::create(b, sampleType, seed, offset,
                                   ValueRange{batch});
  Value next;
  if (ddim) {
    // DDIMScheduler.step: prev_timestep = t - T / num_inference_steps.
    Value prev = arith::SubIOp::create(b, t, ratio);
    next = DDIMStepOp::create(
        b, sampleType, out, x, abar, t, prev, eta, z, c.predictionType,
        c.setAlphaToOne, /*use_clipped_model_output=*/false, c.clipSample,
        APFloat(c.clipSampleRange), c.thresholding,
        APFloat(c.dynamicThresholdingRatio), APFloat(c.sampleMaxValue));
  } else {
    // DDPMScheduler.previous_timestep: the next entry of the sequence.
    next = DDPMStepOp::create(
        b, sampleType, out, x, z, abar, t, tNext, c.predictionType,
        c.varianceType, c.clipSample, APFloat(c.clipSampleRange),
        c.thresholding, APFloat(c.dynamicThresholdingRatio),
        APFloat(c.sampleMaxValue));
  }
  YieldOp::create(b, ValueRange{next});
  b.setInsertionPointAfter(loop);
  func::ReturnOp::create(b, loop.getResults());
  if (failed(func.verify()))
    return failure();
  return func;
}
