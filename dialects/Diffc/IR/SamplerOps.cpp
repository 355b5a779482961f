//===- SamplerOps.cpp - verifiers of diffc sampler ops --------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The checks diffusers' schedulers make in __init__ and set_timesteps, made
// at compile time, plus the structural rules of the sampler loop.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "dialects/Diffc/IR/DiffcShapes.h"

using namespace mlir;
using namespace mlir::diffc;

//===----------------------------------------------------------------------===//
// NoiseScheduleOp and TimestepsOp
//===----------------------------------------------------------------------===//

static LogicalResult verifyTrainTimesteps(Operation *op, int64_t n) {
  if (n > 0)
    return success();
  return op->emitOpError("expects positive num_train_timesteps, got ") << n;
}

LogicalResult NoiseScheduleOp::verify() {
  int64_t n = getNumTrainTimesteps();
  if (failed(verifyTrainTimesteps(*this, n)))
    return failure();
  if (failed(verifyResultShape(*this, getBetas().getType(), {n})))
    return failure();
  if (getBetaSchedule() == BetaSchedule::squaredcos_cap_v2)
    return success();
  double start = getBetaStart().convertToDouble();
  double end = getBetaEnd().convertToDouble();
  if (!(start > 0.0 && start <= end && end < 1.0))
    return emitOpError("expects 0 < beta_start <= beta_end < 1, got ")
           << start << " and " << end;
  return success();
}

LogicalResult TimestepsOp::verify() {
  int64_t n = getNumTrainTimesteps();
  if (failed(verifyTrainTimesteps(*this, n)))
    return failure();
  int64_t offset = getStepsOffset();
  if (offset < 0 || offset >= n)
    return emitOpError("expects steps_offset in [0, num_train_timesteps), got ")
           << offset;
  return success();
}

//===----------------------------------------------------------------------===//
// Forward process and steps
//===----------------------------------------------------------------------===//

LogicalResult AddNoiseOp::verify() {
  if (getOriginal().getType() != getNoise().getType() ||
      getOriginal().getType() != getType())
    return emitOpError("expects original, noise and result of one type, got ")
           << getOriginal().getType() << ", " << getNoise().getType()
           << " and " << getType();
  if (getOriginal().getType().getRank() < 1)
    return emitOpError("expects a batched sample of rank at least 1");
  if (failed(verifyTimestepTable(*this, getAlphasCumprod().getType())))
    return failure();
  ArrayRef<int64_t> t = getTimesteps().getType().getShape();
  int64_t batch = getOriginal().getType().getDimSize(0);
  if (t.size() != 1 || !dimsCompatible(t[0], batch))
    return emitOpError("expects one timestep per batch element, shape ")
           << formatShape({batch}) << ", got " << formatShape(t);
  return success();
}

/// The clip_sample / thresholding options, as diffusers validates them.
static LogicalResult verifyClipOptions(Operation *op, bool clip,
                                       double clipRange, bool thresholding,
                                       double ratio, double maxValue) {
  if (clip && clipRange <= 0.0)
    return op->emitOpError("expects positive clip_sample_range, got ")
           << clipRange;
  if (thresholding && !(ratio > 0.0 && ratio <= 1.0))
    return op->emitOpError(
               "expects dynamic_thresholding_ratio in (0, 1], got ")
           << ratio;
  if (thresholding && maxValue <= 0.0)
    return op->emitOpError("expects positive sample_max_value, got ")
           << maxValue;
  if (clip && thresholding)
    return op->emitOpError(
        "clip_sample and thresholding are mutually exclusive");
  return success();
}

/// Sample and result share a type; the model output matches it, or has twice
/// the channels when the model also predicts a variance.
static LogicalResult verifyStepTypes(Operation *op, Value modelOutput,
                                     Value sample, Value result,
                                     bool learnedVariance) {
  auto s = cast<RankedTensorType>(sample.getType());
  if (result.getType() != s)
    return op->emitOpError("expects sample and result of one type, got ")
           << s << " vs " << result.getType();
  auto m = cast<RankedTensorType>(modelOutput.getType());
  if (m.getElementType() != s.getElementType())
    return op->emitOpError("element types differ: ")
           << m.getElementType() << " vs " << s.getElementType();
  SmallVector<int64_t> want(s.getShape());
  if (learnedVariance) {
    if (want.size() < 2)
      return op->emitOpError(
          "learned variance needs a channel dimension in the sample");
    if (!ShapedType::isDynamic(want[1]))
      want[1] *= 2;
  }
  ArrayRef<int64_t> got = m.getShape();
  bool ok = got.size() == want.size();
  for (size_t i = 0; ok && i < got.size(); ++i)
    ok = dimsCompatible(got[i], want[i]);
  if (!ok)
    return op->emitOpError("model output shape ")
           << formatShape(got) << " vs expected " << formatShape(want);
  return success();
}

LogicalResult DDPMStepOp::verify() {
  bool learned = getVarianceType() == VarianceType::learned ||
                 getVarianceType() == VarianceType::learned_range;
  if (failed(verifyStepTypes(*this, getModelOutput(), getSample(), getResult(),
                             learned)) ||
      failed(verifyTimestepTable(*this, getAlphasCumprod().getType())) ||
      failed(verifyClipOptions(*this, getClipSample(),
                               getClipSampleRange().convertToDouble(),
                               getThresholding(),
                               getDynamicThresholdingRatio().convertToDouble(),
                               getSampleMaxValue().convertToDouble())))
    return failure();
  if (getNoise().getType() != getSample().getType())
    return emitOpError("expects noise of the sample's type, got ")
           << getNoise().getType();
  // diffusers' DDPMScheduler.step takes sqrt(log(beta_t)) for this kind,
  // which is NaN for every beta_t < 1: refuse it rather than copy the NaN.
  if (getVarianceType() == VarianceType::fixed_large_log)
    return emitOpError("variance fixed_large_log makes diffusers' "
                       "DDPMScheduler.step produce NaN (sqrt of log(beta_t)); "
                       "use fixed_large");
  return success();
}

LogicalResult DDIMStepOp::verify() {
  if (failed(verifyStepTypes(*this, getModelOutput(), getSample(), getResult(),
                             /*learnedVariance=*/false)) ||
      failed(verifyTimestepTable(*this, getAlphasCumprod().getType())) ||
      failed(verifyClipOptions(*this, getClipSample(),
                               getClipSampleRange().convertToDouble(),
                               getThresholding(),
                               getDynamicThresholdingRatio().convertToDouble(),
                               getSampleMaxValue().convertToDouble())))
    return failure();
  if (getNoise() && getNoise().getType() != getSample().getType())
    return emitOpError("expects noise of the sample's type, got ")
           << getNoise().getType();
  return success();
}

LogicalResult DDIMInverseStepOp::verify() {
  if (failed(verifyStepTypes(*this, getModelOutput(), getSample(), getResult(),
                             /*learnedVariance=*/false)) ||
      failed(verifyTimestepTable(*this, getAlphasCumprod().getType())))
    return failure();
  if (getClipSample() && getClipSampleRange().convertToDouble() <= 0.0)
    return emitOpError("expects positive clip_sample_range, got ")
           << getClipSampleRange().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// Guidance and noise
//===----------------------------------------------------------------------===//

LogicalResult ClassifierGuidanceOp::verify() {
  if (getMean().getType() != getGradient().getType() ||
      getMean().getType() != getType())
    return emitOpError("expects mean, gradient and result of one type, got ")
           << getMean().getType() << ", " << getGradient().getType()
           << " and " << getType();
  if (failed(verifySameElementType(*this, {getMean(), getVariance()})))
    return failure();
  ArrayRef<int64_t> mean = getMean().getType().getShape();
  ArrayRef<int64_t> var = getVariance().getType().getShape();
  FailureOr<SmallVector<int64_t>> b = broadcastShapes(mean, var);
  if (failed(b) || b->size() != mean.size() ||
      failed(verifyResultShape(*this, getType(), *b)))
    return emitOpError("variance shape ")
           << formatShape(var) << " does not broadcast to the mean's "
           << formatShape(mean);
  return success();
}

LogicalResult RandomNormalOp::verify() {
  int64_t dynamic = getType().getNumDynamicDims();
  if ((int64_t)getDynamicSizes().size() != dynamic)
    return emitOpError("expects ")
           << dynamic << " dynamic sizes for " << getType() << ", got "
           << getDynamicSizes().size();
  return success();
}

LogicalResult RandomIntegersOp::verify() {
  int64_t dynamic = getType().getNumDynamicDims();
  if ((int64_t)getDynamicSizes().size() != dynamic)
    return emitOpError("expects ")
           << dynamic << " dynamic sizes for " << getType() << ", got "
           << getDynamicSizes().size();
  int64_t low = getLow(), high = getHigh();
  if (low >= high)
    return emitOpError("expects low < high, got [")
           << low << ", " << high << ")";
  // The multiply-shift map draws from 32-bit words (philox.h).
  if (uint64_t(high) - uint64_t(low) > (uint64_t(1) << 32))
    return emitOpError("expects high - low at most 2^32, got [")
           << low << ", " << high << ")";
  unsigned width = getType().getElementType().getIntOrFloatBitWidth();
  if (width < 64 && (low < -(int64_t(1) << (width - 1)) ||
                     high - 1 > (int64_t(1) << (width - 1)) - 1))
    return emitOpError("bounds [")
           << low << ", " << high << ") do not fit the element type i"
           << width;
  return success();
}

//===----------------------------------------------------------------------===//
// SamplerLoopOp
//===----------------------------------------------------------------------===//

LogicalResult SamplerLoopOp::verify() {
  if (getInits().getTypes() != getResults().getTypes())
    return emitOpError("expects results of the iter_args' types");
  return success();
}

void SamplerLoopOp::getAsmBlockArgumentNames(Region &region,
                                             OpAsmSetValueNameFn setName) {
  Block &body = region.front();
  static constexpr const char *kNames[] = {"step", "t", "t_next"};
  for (auto [arg, name] : llvm::zip(body.getArguments(), kNames))
    setName(arg, name);
  // Invalid IR is printed too (in diagnostics), so do not assume 3 arguments.
  if (body.getNumArguments() > 3)
    for (BlockArgument arg : body.getArguments().drop_front(3))
      setName(arg, "carried");
}

LogicalResult SamplerLoopOp::verifyRegions() {
  Block &body = getBody().front();
  MLIRContext *ctx = getContext();
  SmallVector<Type> want = {IndexType::get(ctx), IntegerType::get(ctx, 64),
                            IntegerType::get(ctx, 64)};
  llvm::append_range(want, getInits().getTypes());
  if (body.getArgumentTypes() != ArrayRef<Type>(want))
    return emitOpError("expects body arguments (index, i64, i64")
           << (getInits().empty() ? "" : ", iter_args...") << "), got "
           << body.getNumArguments() << " arguments";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("expects the body to end in diffc.yield");
  if (yield.getValues().getTypes() != getInits().getTypes())
    return yield.emitOpError("yields ")
           << yield.getValues().size()
           << " values that do not match the loop's iter_args types";
  return success();
}
