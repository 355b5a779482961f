//===- SamplerSteps.cpp - diffc sampler ops to linalg.generic -------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// A sampler step is a few scalars read from the alpha-bar table (computed
// once, outside the loop nest) and one elementwise formula over the sample:
// one linalg.generic. Guidance combines are elementwise too, so after
// diffc-fuse-elementwise the whole update (guidance, x0 prediction,
// clipping, x_prev, noise) is one kernel.
//
// The formulas are diffusers' DDIMScheduler.step, DDIMInverseScheduler.step
// and add_noise; the comments name the diffusers variables.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Thresholding.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Scalar arithmetic in the element type `t`, with short names so that the
/// formulas below read like diffusers' Python.
struct Scalars {
  OpBuilder &b;
  Location loc;
  Type t;
  Value c(double v) { return floatConstant(b, loc, t, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  Value clamp(Value x, double lo, double hi) {
    Value v = arith::MaximumFOp::create(b, loc, x, c(lo));
    return arith::MinimumFOp::create(b, loc, v, c(hi));
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
};

/// `table[index]` converted to `t`; `index` is an i64 timestep. The index
/// is clamped into the table: a timestep outside it (an entry point called
/// with t >= num_train_timesteps) reads the nearest end instead of memory
/// past the table, which on a GPU would fault and end the context.
/// diffc-run's samplers refuse such step counts before they run
/// (checkSamplingSteps); valid timesteps read exactly as before.
Value lookup(OpBuilder &b, Location loc, Value table, Value index, Type t) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value size = tensor::DimOp::create(b, loc, table, 0);
  Value last = arith::SubIOp::create(b, loc, size, one);
  i = arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, i, zero),
                             last);
  Value v = tensor::ExtractOp::create(b, loc, table, ValueRange{i});
  return convertFloat(b, loc, v, t);
}

/// `table[t]` if t >= 0, else `fallback` (diffusers' final / initial
/// alpha_cumprod). A negative index is never read.
Value lookupOr(OpBuilder &b, Location loc, Value table, Value index, Type t,
               Value fallback) {
  Value zero = arith::ConstantIntOp::create(b, loc, index.getType(), 0);
  Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, index,
                                      zero);
  Value safe = arith::SelectOp::create(b, loc, valid, index, zero);
  Value v = lookup(b, loc, table, safe, t);
  return arith::SelectOp::create(b, loc, valid, v, fallback);
}

/// alpha-bar used past the table's start (diffusers' final_alpha_cumprod /
/// initial_alpha_cumprod): 1 with set_alpha_to_one, else alphas_cumprod[0].
Value alphaBeyondTable(OpBuilder &b, Location loc, Value table,
                       bool setAlphaToOne, Type t) {
  if (setAlphaToOne)
    return floatConstant(b, loc, t, 1.0);
  Value zero = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0);
  return lookup(b, loc, table, zero, t);
}


/// (x0, eps) from the model output, diffusers' "pred_original_sample" and
/// "pred_epsilon".
std::pair<Value, Value> predictX0AndEps(Scalars &s, PredictionType kind,
                                        Value x, Value out, Value alphaProd,
                                        Value betaProd) {
  Value sa = s.sqrt(alphaProd), sb = s.sqrt(betaProd);
  switch (kind) {
  case PredictionType::epsilon:
    return {s.div(s.sub(x, s.mul(sb, out)), sa), out};
  case PredictionType::sample:
    return {out, s.div(s.sub(x, s.mul(sa, out)), sb)};
  case PredictionType::v_prediction:
    return {s.sub(s.mul(sa, x), s.mul(sb, out)),
            s.add(s.mul(sa, out), s.mul(sb, x))};
  }
  llvm_unreachable("unknown prediction type");
}

/// Dynamic thresholding needs the whole x0 of a sample before any element
/// of the step: x0 is computed by one elementwise kernel, the per-sample
/// scale s by Thresholding.cpp, and the step kernel reads both (appended to
/// `inputs` with their maps). Returns the index of x0 in `inputs`.
unsigned addThresholdInputs(OpBuilder &b, Location loc, PredictionType kind,
                            Value sample, Value modelOutput, Value alphaT,
                            Value betaT, double ratio, double maxValue,
                            SmallVector<Value> &inputs,
                            SmallVector<AffineMap> &maps) {
  auto type = cast<RankedTensorType>(sample.getType());
  Type et = type.getElementType();
  Value x0 = buildElementwise(b, loc, type, {sample, modelOutput},
                         [&](OpBuilder &nb, Location l, ValueRange a) {
                           Scalars e{nb, l, et};
                           return predictX0AndEps(e, kind, a[0], a[1], alphaT,
                                                  betaT)
                               .first;
                         });
  Value scale = dynamicThresholdScale(b, loc, x0, ratio, maxValue);
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  unsigned index = inputs.size();
  inputs.push_back(x0);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  inputs.push_back(scale);
  maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(0, ctx), ctx));
  return index;
}

/// x0 = clamp(x0, -s, s) / s.
Value applyThreshold(Scalars &e, Value x0, Value s) {
  Value neg = arith::NegFOp::create(e.b, e.loc, s);
  Value c = arith::MinimumFOp::create(
      e.b, e.loc, arith::MaximumFOp::create(e.b, e.loc, x0, neg), s);
  return e.div(c, s);
}

struct DDIMStepPattern : OpRewritePattern<DDIMStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DDIMStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    Scalars s{rewriter, loc, et};
    // alpha_prod_t, alpha_prod_t_prev, beta_prod_t, variance, std_dev_t.
    Value table = op.getAlphasCumprod();
    Value final =
        alphaBeyondTable(rewriter, loc, table, op.getSetAlphaToOne(), et);
    Value alphaT = lookup(rewriter, loc, table, op.getTimestep(), et);
    Value alphaPrev =
        lookupOr(rewriter, loc, table, op.getPrevTimestep(), et, final);
    Value betaT = s.sub(s.c(1.0), alphaT);
    Value betaPrev = s.sub(s.c(1.0), alphaPrev);
    Value variance =
        s.mul(s.div(betaPrev, betaT), s.sub(s.c(1.0), s.div(alphaT, alphaPrev)));
    Value eta = convertFloat(rewriter, loc, op.getEta(), et);
    Value std = s.mul(eta, s.sqrt(variance));
    Value dirCoeff =
        s.sqrt(s.sub(s.sub(s.c(1.0), alphaPrev), s.mul(std, std)));
    Value sqrtAlphaPrev = s.sqrt(alphaPrev);

    PredictionType kind = op.getPredictionType();
    bool clip = op.getClipSample();
    double range = op.getClipSampleRange().convertToDouble();
    bool useClipped = op.getUseClippedModelOutput();
    SmallVector<Value> inputs = {op.getSample(), op.getModelOutput()};
    unsigned rank = type.getRank();
    SmallVector<AffineMap> maps(2, rewriter.getMultiDimIdentityMap(rank));
    int noiseIndex = -1, x0Index = -1;
    if (op.getNoise()) {
      noiseIndex = inputs.size();
      inputs.push_back(op.getNoise());
      maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    }
    if (op.getThresholding())
      x0Index = addThresholdInputs(
          rewriter, loc, kind, op.getSample(), op.getModelOutput(), alphaT,
          betaT, op.getDynamicThresholdingRatio().convertToDouble(),
          op.getSampleMaxValue().convertToDouble(), inputs, maps);
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = createEmptyLike(rewriter, loc, type, {op.getSample()});
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, inputs, init, maps, parallelIterators(rank),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Scalars e{b, l, et};
              auto [x0, eps] =
                  predictX0AndEps(e, kind, a[0], a[1], alphaT, betaT);
              if (x0Index >= 0)
                x0 = applyThreshold(e, a[x0Index], a[x0Index + 1]);
              else if (clip)
                x0 = e.clamp(x0, -range, range);
              if (useClipped) // eps re-derived from the clipped x0
                eps = e.div(e.sub(a[0], e.mul(e.sqrt(alphaT), x0)),
                            e.sqrt(betaT));
              Value prev =
                  e.add(e.mul(sqrtAlphaPrev, x0), e.mul(dirCoeff, eps));
              if (noiseIndex >= 0)
                prev = e.add(prev, e.mul(std, a[noiseIndex]));
              linalg::YieldOp::create(b, l, prev);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// diffusers' DDPMScheduler.step (with _get_variance): posterior mean of
/// x_{t-1} from the predicted x0, plus the chosen standard deviation times
/// `noise` when t > 0. Learned variances read the second half of the model
/// output's channels through a shifted indexing map.
struct DDPMStepPattern : OpRewritePattern<DDPMStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DDPMStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    Scalars s{rewriter, loc, et};
    Value table = op.getAlphasCumprod();
    Value alphaT = lookup(rewriter, loc, table, op.getTimestep(), et);
    Value alphaPrev =
        lookupOr(rewriter, loc, table, op.getPrevTimestep(), et, s.c(1.0));
    Value betaT = s.sub(s.c(1.0), alphaT);
    Value betaPrev = s.sub(s.c(1.0), alphaPrev);
    Value currentAlpha = s.div(alphaT, alphaPrev);
    Value currentBeta = s.sub(s.c(1.0), currentAlpha);
    Value x0Coeff = s.div(s.mul(s.sqrt(alphaPrev), currentBeta), betaT);
    Value xtCoeff = s.div(s.mul(s.sqrt(currentAlpha), betaPrev), betaT);
    // Posterior variance beta~_t, clamped at 1e-20 as diffusers does.
    Value posterior = arith::MaximumFOp::create(
        rewriter, loc, s.mul(s.div(betaPrev, betaT), currentBeta), s.c(1e-20));
    // No noise at t == 0: scale the noise by 0 there.
    Value zero64 = arith::ConstantIntOp::create(rewriter, loc,
                                                rewriter.getI64Type(), 0);
    Value addNoise = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::sgt, op.getTimestep(), zero64);
    Value noiseScale = arith::SelectOp::create(rewriter, loc, addNoise,
                                               s.c(1.0), s.c(0.0));

    VarianceType variance = op.getVarianceType();
    bool learned = variance == VarianceType::learned ||
                   variance == VarianceType::learned_range;
    // Standard deviation for the fixed kinds (the else-branch of step():
    // sqrt(_get_variance); fixed_small_log returns it directly).
    Value fixedStd;
    switch (variance) {
    case VarianceType::fixed_small:
    case VarianceType::fixed_small_log:
      fixedStd = s.sqrt(posterior);
      break;
    case VarianceType::fixed_large:
      fixedStd = s.sqrt(currentBeta);
      break;
    default:
      break; // learned kinds compute it per element; fixed_large_log is
             // rejected by the verifier.
    }
    Value logPosterior = math::LogOp::create(rewriter, loc, posterior);
    Value logBeta = math::LogOp::create(rewriter, loc, currentBeta);

    PredictionType kind = op.getPredictionType();
    bool clip = op.getClipSample();
    double range = op.getClipSampleRange().convertToDouble();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = type.getRank();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<Value> inputs = {op.getSample(), op.getModelOutput(),
                                 op.getNoise()};
    SmallVector<AffineMap> maps = {id, id, id};
    if (learned) {
      // predicted_variance = model_output[:, C:] where C = sample channels.
      int64_t channels = type.getDimSize(1);
      SmallVector<AffineExpr> exprs;
      for (unsigned d = 0; d < rank; ++d)
        exprs.push_back(d == 1 ? getAffineDimExpr(1, ctx) + channels
                               : getAffineDimExpr(d, ctx));
      inputs.push_back(op.getModelOutput());
      maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    }
    int x0Index = -1;
    if (op.getThresholding())
      x0Index = addThresholdInputs(
          rewriter, loc, kind, op.getSample(), op.getModelOutput(), alphaT,
          betaT, op.getDynamicThresholdingRatio().convertToDouble(),
          op.getSampleMaxValue().convertToDouble(), inputs, maps);
    maps.push_back(id);
    Value init = createEmptyLike(rewriter, loc, type, {op.getSample()});
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, init, maps, parallelIterators(rank),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Scalars e{b, l, et};
          auto [x0, eps] = predictX0AndEps(e, kind, a[0], a[1], alphaT, betaT);
          (void)eps;
          if (x0Index >= 0)
            x0 = applyThreshold(e, a[x0Index], a[x0Index + 1]);
          else if (clip)
            x0 = e.clamp(x0, -range, range);
          Value mean = e.add(e.mul(x0Coeff, x0), e.mul(xtCoeff, a[0]));
          Value std = fixedStd;
          if (variance == VarianceType::learned) {
            std = e.sqrt(a[3]);
          } else if (variance == VarianceType::learned_range) {
            Value frac = e.mul(e.add(a[3], e.c(1.0)), e.c(0.5));
            Value logVar = e.add(e.mul(frac, logBeta),
                                 e.mul(e.sub(e.c(1.0), frac), logPosterior));
            std = math::ExpOp::create(b, l, e.mul(e.c(0.5), logVar));
          }
          Value r = e.add(mean, e.mul(e.mul(noiseScale, std), a[2]));
          linalg::YieldOp::create(b, l, r);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct DDIMInverseStepPattern : OpRewritePattern<DDIMInverseStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DDIMInverseStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    Scalars s{rewriter, loc, et};
    Value table = op.getAlphasCumprod();
    Value initial =
        alphaBeyondTable(rewriter, loc, table, op.getSetAlphaToOne(), et);
    // diffusers: alpha_prod_t = alphas_cumprod[t] if t >= 0 else initial;
    // alpha_prod_t_prev = alphas_cumprod[next] (the later timestep).
    Value alphaT = lookupOr(rewriter, loc, table, op.getTimestep(), et, initial);
    Value alphaNext = lookup(rewriter, loc, table, op.getNextTimestep(), et);
    Value betaT = s.sub(s.c(1.0), alphaT);
    Value sqrtAlphaNext = s.sqrt(alphaNext);
    Value dirCoeff = s.sqrt(s.sub(s.c(1.0), alphaNext));
    PredictionType kind = op.getPredictionType();
    bool clip = op.getClipSample();
    double range = op.getClipSampleRange().convertToDouble();
    Value result = buildElementwise(
        rewriter, loc, type, {op.getSample(), op.getModelOutput()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Scalars e{b, l, et};
          auto [x0, eps] =
              predictX0AndEps(e, kind, a[0], a[1], alphaT, betaT);
          if (clip)
            x0 = e.clamp(x0, -range, range);
          return e.add(e.mul(sqrtAlphaNext, x0), e.mul(dirCoeff, eps));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct CfgCombinePattern : OpRewritePattern<CfgCombineOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CfgCombineOp op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    Value w = convertFloat(rewriter, op.getLoc(), op.getScale(), et);
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        {op.getUnconditional(), op.getConditional()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Scalars e{b, l, et};
          return e.add(a[0], e.mul(w, e.sub(a[1], a[0])));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ClassifierGuidancePattern : OpRewritePattern<ClassifierGuidanceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClassifierGuidanceOp op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    Value scale = convertFloat(rewriter, op.getLoc(), op.getScale(), et);
    Value result = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        {op.getMean(), op.getVariance(), op.getGradient()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Scalars e{b, l, et};
          return e.add(a[0], e.mul(scale, e.mul(a[1], a[2])));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// sqrt(abar[t_n]) x0 + sqrt(1 - abar[t_n]) noise with t_n per batch element:
/// the per-sample coefficients are gathered inside the loop nest.
struct AddNoisePattern : OpRewritePattern<AddNoiseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddNoiseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type et = type.getElementType();
    Value table = op.getAlphasCumprod();
    Value timesteps = op.getTimesteps();
    Value init = createEmptyLike(rewriter, loc, type, {op.getOriginal()});
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = type.getRank();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap batch = AffineMap::get(rank, 0, getAffineDimExpr(0, ctx), ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type,
        ValueRange{op.getOriginal(), op.getNoise(), timesteps}, init,
        ArrayRef<AffineMap>{id, id, batch, id}, parallelIterators(rank),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Scalars e{b, l, et};
          Value t = a[2];
          if (!t.getType().isInteger(64))
            t = arith::ExtSIOp::create(b, l, b.getI64Type(), t);
          Value abar = lookup(b, l, table, t, et);
          Value r = e.add(e.mul(e.sqrt(abar), a[0]),
                          e.mul(e.sqrt(e.sub(e.c(1.0), abar)), a[1]));
          linalg::YieldOp::create(b, l, r);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::diffc::populateSamplerToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<AddNoisePattern, CfgCombinePattern, ClassifierGuidancePattern,
               DDIMInverseStepPattern, DDIMStepPattern, DDPMStepPattern>(patterns.getContext());
}
