//===- Schedules.cpp - noise schedules, timesteps and Philox noise --------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// - diffc.noise_schedule depends on attributes only: its tables are computed
//   here, in double precision, and become constants.
// - diffc.timesteps depends on the run-time step count: a tensor.generate
//   with diffusers' set_timesteps formulas.
// - diffc.random_normal evaluates Philox4x32-10 + Box-Muller per element with
//   exactly the stream mapping of runtime/include/diffc/philox.h, so compiled
//   code and the runtime draw the same numbers; diffc.random_integers maps
//   one word of the same stream per element to [low, high).
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/PopulatePatterns.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <vector>

using namespace mlir;
using namespace mlir::diffc;

//===----------------------------------------------------------------------===//
// Noise schedule (compile time)
//===----------------------------------------------------------------------===//

std::vector<double> mlir::diffc::computeBetas(BetaSchedule kind, int64_t n,
                                              double start, double end,
                                              bool rescaleZeroSnr) {
  std::vector<double> betas(n);
  auto linspace = [&](double a, double b, int64_t i) {
    return n == 1 ? a : a + (b - a) * double(i) / double(n - 1);
  };
  for (int64_t i = 0; i < n; ++i) {
    switch (kind) {
    case BetaSchedule::linear:
      betas[i] = linspace(start, end, i);
      break;
    case BetaSchedule::scaled_linear: {
      double r = linspace(std::sqrt(start), std::sqrt(end), i);
      betas[i] = r * r;
      break;
    }
    case BetaSchedule::squaredcos_cap_v2: {
      auto alphaBar = [](double t) {
        double c = std::cos((t + 0.008) / 1.008 * M_PI / 2);
        return c * c;
      };
      double t1 = double(i) / n, t2 = double(i + 1) / n;
      betas[i] = std::min(1.0 - alphaBar(t2) / alphaBar(t1), 0.999);
      break;
    }
    }
  }
  if (rescaleZeroSnr) {
    // diffusers' rescale_zero_terminal_snr (Lin et al. 2023, Algorithm 1).
    std::vector<double> sqrtAbar(n);
    double abar = 1.0;
    for (int64_t i = 0; i < n; ++i) {
      abar *= 1.0 - betas[i];
      sqrtAbar[i] = std::sqrt(abar);
    }
    double first = sqrtAbar[0], last = sqrtAbar[n - 1];
    for (double &s : sqrtAbar)
      s = (s - last) * first / (first - last);
    double prev = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      double cur = sqrtAbar[i] * sqrtAbar[i];
      double alpha = i == 0 ? cur : cur / prev;
      betas[i] = 1.0 - alpha;
      prev = cur;
    }
  }
  return betas;
}

namespace {

DenseElementsAttr tableAttr(RankedTensorType type, ArrayRef<double> values) {
  Type et = type.getElementType();
  SmallVector<APFloat> elems;
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(cast<FloatType>(et).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    elems.push_back(f);
  }
  return DenseElementsAttr::get(type, elems);
}

struct NoiseSchedulePattern : OpRewritePattern<NoiseScheduleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NoiseScheduleOp op,
                                PatternRewriter &rewriter) const override {
    int64_t n = op.getNumTrainTimesteps();
    std::vector<double> betas = computeBetas(
        op.getBetaSchedule(), n, op.getBetaStart().convertToDouble(),
        op.getBetaEnd().convertToDouble(), op.getRescaleBetasZeroSnr());
    std::vector<double> alphas(n), abar(n);
    double prod = 1.0;
    for (int64_t i = 0; i < n; ++i) {
      alphas[i] = 1.0 - betas[i];
      prod *= alphas[i];
      abar[i] = prod;
    }
    auto type = cast<RankedTensorType>(op.getBetas().getType());
    SmallVector<Value> results;
    for (ArrayRef<double> table : {ArrayRef<double>(betas),
                                   ArrayRef<double>(alphas),
                                   ArrayRef<double>(abar)})
      results.push_back(arith::ConstantOp::create(rewriter, op.getLoc(), type,
                                                  tableAttr(type, table)));
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Timesteps (run time)
//===----------------------------------------------------------------------===//

struct TimestepsPattern : OpRewritePattern<TimestepsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TimestepsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ImplicitLocOpBuilder b(loc, rewriter);
    Value n = op.getNumInferenceSteps();
    Value count = arith::IndexCastOp::create(b, b.getIndexType(), n);
    int64_t trainSteps = op.getNumTrainTimesteps();
    int64_t offset = op.getStepsOffset();
    TimestepSpacing spacing = op.getSpacing();
    auto generate = tensor::GenerateOp::create(
        b, op.getType(), ValueRange{count},
        [&](OpBuilder &nb, Location l, ValueRange ivs) {
          ImplicitLocOpBuilder e(l, nb);
          Type i64 = e.getI64Type(), f64 = e.getF64Type();
          auto ci = [&](int64_t v) {
            return arith::ConstantIntOp::create(e, i64, v).getResult();
          };
          auto cf = [&](double v) {
            return arith::ConstantFloatOp::create(e, cast<FloatType>(f64),
                                                  APFloat(v))
                .getResult();
          };
          Value i = arith::IndexCastOp::create(e, i64, ivs[0]);
          // Position in increasing order (diffusers reverses at the end).
          Value j = arith::SubIOp::create(
              e, arith::SubIOp::create(e, n, ci(1)), i);
          Value t;
          switch (spacing) {
          case TimestepSpacing::leading: {
            // (arange(0, n) * (T // n))[::-1] + steps_offset
            Value ratio = arith::DivSIOp::create(e, ci(trainSteps), n);
            t = arith::AddIOp::create(e, arith::MulIOp::create(e, j, ratio),
                                      ci(offset));
            break;
          }
          case TimestepSpacing::trailing: {
            // round(arange(T, 0, -T / n)) - 1, element i = T - i * (T / n).
            Value ratio = arith::DivFOp::create(
                e, cf(double(trainSteps)), arith::SIToFPOp::create(e, f64, n));
            Value v = arith::SubFOp::create(
                e, cf(double(trainSteps)),
                arith::MulFOp::create(e, arith::SIToFPOp::create(e, f64, i),
                                      ratio));
            t = arith::SubIOp::create(
                e, arith::FPToSIOp::create(e, i64,
                                           math::RoundEvenOp::create(e, v)),
                ci(1));
            break;
          }
          case TimestepSpacing::linspace: {
            // round(linspace(0, T - 1, n))[::-1]; numpy's linspace computes
            // j * ((T - 1) / (n - 1)) and pins the last point to T - 1.
            Value denom = arith::SIToFPOp::create(
                e, f64, arith::MaxSIOp::create(
                            e, arith::SubIOp::create(e, n, ci(1)), ci(1)));
            Value step = arith::DivFOp::create(e, cf(double(trainSteps - 1)),
                                               denom);
            Value v = arith::MulFOp::create(
                e, arith::SIToFPOp::create(e, f64, j), step);
            Value rounded = arith::FPToSIOp::create(
                e, i64, math::RoundEvenOp::create(e, v));
            Value isLast = arith::AndIOp::create(
                e,
                arith::CmpIOp::create(e, arith::CmpIPredicate::eq, j,
                                      arith::SubIOp::create(e, n, ci(1))),
                arith::CmpIOp::create(e, arith::CmpIPredicate::sgt, n, ci(1)));
            t = arith::SelectOp::create(e, isLast, ci(trainSteps - 1), rounded);
            break;
          }
          }
          tensor::YieldOp::create(e, t);
        });
    rewriter.replaceOp(op, generate.getResult());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Philox normal noise
//===----------------------------------------------------------------------===//

/// The four Philox4x32-10 words of the block holding global stream index
/// `g` of `seed` (philox.h: counter {block, 0, 0}, key {seed}), and the
/// lane `g % 4` as i64.
struct PhiloxBlock {
  Value words[4];
  Value lane;
};

PhiloxBlock philoxBlock(ImplicitLocOpBuilder &b, Value seed, Value g) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c32 = [&](uint32_t v) {
    return arith::ConstantIntOp::create(b, i32, int64_t(int32_t(v)))
        .getResult();
  };
  auto c64 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, i64, v).getResult();
  };
  auto lo = [&](Value v) { return arith::TruncIOp::create(b, i32, v); };
  auto hi = [&](Value v) {
    return arith::TruncIOp::create(b, i32,
                                   arith::ShRUIOp::create(b, v, c64(32)));
  };
  Value block = arith::ShRUIOp::create(b, g, c64(2));
  Value ctr[4] = {lo(block), hi(block), c32(0), c32(0)};
  Value key[2] = {lo(seed), hi(seed)};
  auto mulhilo = [&](uint32_t m, Value x, Value &h, Value &l) {
    auto r = arith::MulUIExtendedOp::create(b, c32(m), x);
    l = r.getLow();
    h = r.getHigh();
  };
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] = arith::AddIOp::create(b, key[0], c32(0x9E3779B9u));
      key[1] = arith::AddIOp::create(b, key[1], c32(0xBB67AE85u));
    }
    Value hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, ctr[0], hi0, lo0);
    mulhilo(0xCD9E8D57u, ctr[2], hi1, lo1);
    Value n0 = arith::XOrIOp::create(
        b, arith::XOrIOp::create(b, hi1, ctr[1]), key[0]);
    Value n2 = arith::XOrIOp::create(
        b, arith::XOrIOp::create(b, hi0, ctr[3]), key[1]);
    ctr[0] = n0;
    ctr[1] = lo1;
    ctr[2] = n2;
    ctr[3] = lo0;
  }
  PhiloxBlock result;
  for (int w = 0; w < 4; ++w)
    result.words[w] = ctr[w];
  result.lane = arith::AndIOp::create(b, g, c64(3));
  return result;
}

/// Builds the normal number with global stream index `g` for `seed`, in f32:
/// philox.h's normal_at().
Value philoxNormal(ImplicitLocOpBuilder &b, Value seed, Value g) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), f32 = b.getF32Type();
  auto c32 = [&](uint32_t v) {
    return arith::ConstantIntOp::create(b, i32, int64_t(int32_t(v)))
        .getResult();
  };
  auto c64 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, i64, v).getResult();
  };
  PhiloxBlock block = philoxBlock(b, seed, g);
  Value lane = block.lane;
  // Lanes 0/1 use words 0 and 1, lanes 2/3 words 2 and 3.
  Value upperPair = arith::CmpIOp::create(
      b, arith::CmpIPredicate::uge, lane, c64(2));
  Value wr =
      arith::SelectOp::create(b, upperPair, block.words[2], block.words[0]);
  Value wt =
      arith::SelectOp::create(b, upperPair, block.words[3], block.words[1]);
  auto uniform = [&](Value w) {
    // ((w >> 8) + 1) * 2^-24, exact in f32.
    Value k = arith::AddIOp::create(
        b, arith::ShRUIOp::create(b, w, c32(8)), c32(1));
    return arith::MulFOp::create(
        b, arith::UIToFPOp::create(b, f32, k),
        arith::ConstantFloatOp::create(b, cast<FloatType>(f32),
                                       APFloat(0x1p-24f)));
  };
  Value r = math::SqrtOp::create(
      b, arith::MulFOp::create(
             b,
             arith::ConstantFloatOp::create(b, cast<FloatType>(f32),
                                            APFloat(-2.0f)),
             math::LogOp::create(b, uniform(wr))));
  Value theta = arith::MulFOp::create(
      b,
      arith::ConstantFloatOp::create(b, cast<FloatType>(f32),
                                     APFloat(6.28318530717958647692f)),
      uniform(wt));
  Value odd = arith::CmpIOp::create(b, arith::CmpIPredicate::ne,
                                    arith::AndIOp::create(b, lane, c64(1)),
                                    c64(0));
  Value trig = arith::SelectOp::create(b, odd, math::SinOp::create(b, theta),
                                       math::CosOp::create(b, theta));
  return arith::MulFOp::create(b, r, trig);
}

/// Builds the integer in [low, high) with global stream index `g` for
/// `seed`, as i64: philox.h's integer_at(), word `g % 4` of the block.
Value philoxInteger(ImplicitLocOpBuilder &b, Value seed, Value g, int64_t low,
                    int64_t high) {
  Type i64 = b.getI64Type();
  auto c64 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, i64, v).getResult();
  };
  PhiloxBlock block = philoxBlock(b, seed, g);
  auto laneIs = [&](int64_t l) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, block.lane,
                                 c64(l));
  };
  Value w = arith::SelectOp::create(
      b, laneIs(0), block.words[0],
      arith::SelectOp::create(b, laneIs(1), block.words[1],
                              arith::SelectOp::create(b, laneIs(2),
                                                      block.words[2],
                                                      block.words[3])));
  // (w * range) >> 32 in unsigned 64-bit arithmetic; range <= 2^32, so the
  // product does not wrap (2^32 itself is fine modulo 2^64 too).
  uint64_t range = uint64_t(high) - uint64_t(low);
  Value product = arith::MulIOp::create(b, arith::ExtUIOp::create(b, i64, w),
                                        c64(int64_t(range)));
  Value scaled = arith::ShRUIOp::create(b, product, c64(32));
  return arith::AddIOp::create(b, scaled, c64(low));
}

/// The row-major linear index of the current linalg.generic element, in
/// i64, from the result's extents.
Value linearIndex(ImplicitLocOpBuilder &b, ArrayRef<Value> extents) {
  Value linear = arith::ConstantIntOp::create(b, b.getI64Type(), 0);
  for (auto [d, extent] : llvm::enumerate(extents)) {
    Value idx = arith::IndexCastOp::create(b, b.getI64Type(),
                                           linalg::IndexOp::create(b, d));
    linear =
        arith::AddIOp::create(b, arith::MulIOp::create(b, linear, extent), idx);
  }
  return linear;
}

/// A linalg.generic filling a tensor of `type` (dynamic extents from
/// `dynamicSizes`) with `element(b, linear index)`.
Value generateByIndex(
    PatternRewriter &rewriter, Location loc, RankedTensorType type,
    ValueRange dynamicSizes,
    function_ref<Value(ImplicitLocOpBuilder &, Value)> element) {
  int64_t rank = type.getRank();
  Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                       type.getElementType(), dynamicSizes);
  // Extents in i64 for the row-major linear index.
  SmallVector<Value> extents;
  for (int64_t d = 0; d < rank; ++d) {
    Value ext = tensor::DimOp::create(rewriter, loc, init, d);
    extents.push_back(
        arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), ext));
  }
  auto generic = linalg::GenericOp::create(
      rewriter, loc, type, ValueRange{}, init,
      ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
      parallelIterators(rank), [&](OpBuilder &nb, Location l, ValueRange) {
        ImplicitLocOpBuilder b(l, nb);
        linalg::YieldOp::create(b, element(b, linearIndex(b, extents)));
      });
  return generic.getResult(0);
}

struct RandomNormalPattern : OpRewritePattern<RandomNormalOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RandomNormalOp op,
                                PatternRewriter &rewriter) const override {
    Value seed = op.getSeed(), offset = op.getOffset();
    Type et = op.getType().getElementType();
    Value result = generateByIndex(
        rewriter, op.getLoc(), op.getType(), op.getDynamicSizes(),
        [&](ImplicitLocOpBuilder &b, Value linear) {
          Value g = arith::AddIOp::create(b, offset, linear);
          Value v = philoxNormal(b, seed, g);
          if (v.getType() != et)
            v = cast<FloatType>(et).getWidth() > 32
                    ? arith::ExtFOp::create(b, et, v).getResult()
                    : arith::TruncFOp::create(b, et, v).getResult();
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RandomIntegersPattern : OpRewritePattern<RandomIntegersOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RandomIntegersOp op,
                                PatternRewriter &rewriter) const override {
    Value seed = op.getSeed(), offset = op.getOffset();
    Type et = op.getType().getElementType();
    int64_t low = op.getLow(), high = op.getHigh();
    Value result = generateByIndex(
        rewriter, op.getLoc(), op.getType(), op.getDynamicSizes(),
        [&](ImplicitLocOpBuilder &b, Value linear) {
          Value g = arith::AddIOp::create(b, offset, linear);
          Value v = philoxInteger(b, seed, g, low, high);
          if (v.getType() != et) // i32: the verifier checked the bounds fit
            v = arith::TruncIOp::create(b, et, v);
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::diffc::populateScheduleToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<NoiseSchedulePattern, RandomIntegersPattern, RandomNormalPattern,
               TimestepsPattern>(patterns.getContext());
}
