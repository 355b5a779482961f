//===- Thresholding.cpp - dynamic thresholding of x0 predictions ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// torch.quantile sorts each row. Generated code needs only two order
// statistics, and for non-negative floats the IEEE bit pattern orders like
// the value, so each is found by a radix select: 31 passes over the row
// (one per bit below the sign), each counting the elements at or below a
// candidate bit pattern. That is 31 x 2 reductions per step, all linalg,
// whatever the sample size; no sort kernel is needed.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/DiffcToLinalg/Thresholding.h"
#include "passes/Conversion/DiffcToLinalg/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// The bit pattern of |x| as an integer of the float's width.
Value absBits(ImplicitLocOpBuilder &b, Value x) {
  auto ft = cast<FloatType>(x.getType());
  Type it = b.getIntegerType(ft.getWidth());
  return arith::BitcastOp::create(b, it, math::AbsFOp::create(b, x));
}

/// [N] tensor of the k-th smallest |x0| (0-based) of each sample.
Value orderStatistic(ImplicitLocOpBuilder &b, Value x0, int64_t k) {
  auto type = cast<RankedTensorType>(x0.getType());
  auto ft = cast<FloatType>(type.getElementType());
  unsigned width = ft.getWidth();
  Type it = b.getIntegerType(width);
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  Value n = tensor::DimOp::create(b, x0, 0);
  auto rowType = RankedTensorType::get({ShapedType::kDynamic}, it);
  auto cst = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, it, v).getResult();
  };
  Value zeros = linalg::FillOp::create(
                    b, ValueRange{cst(0)},
                    ValueRange{tensor::EmptyOp::create(b, rowType.getShape(), it,
                                                       ValueRange{n})})
                    .getResult(0);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap row = AffineMap::get(rank, 0, getAffineDimExpr(0, ctx), ctx);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  iters[0] = utils::IteratorType::parallel;

  // Bits from the highest below the sign down to 0.
  Value lo = arith::ConstantIndexOp::create(b, 0);
  Value hi = arith::ConstantIndexOp::create(b, width - 1);
  Value one = arith::ConstantIndexOp::create(b, 1);
  auto loop = scf::ForOp::create(
      b, lo, hi, one, ValueRange{zeros},
      [&](OpBuilder &nb, Location l, Value iv, ValueRange args) {
        ImplicitLocOpBuilder e(l, nb);
        auto c = [&](int64_t v) {
          return arith::ConstantIntOp::create(e, it, v).getResult();
        };
        // bit = width - 2 - iv; step = 1 << bit.
        Value bit = arith::SubIOp::create(
            e, c(width - 2), arith::IndexCastOp::create(e, it, iv));
        Value step = arith::ShLIOp::create(e, c(1), bit);
        Value prefix = args[0];
        // count[n] = #{ x : bits(|x|) <= prefix[n] + step - 1 }
        Value counts = linalg::GenericOp::create(
                           e, TypeRange{rowType}, ValueRange{x0, prefix},
                           ValueRange{zeros}, ArrayRef<AffineMap>{id, row, row},
                           iters,
                           [&](OpBuilder &gb, Location gl, ValueRange a) {
                             ImplicitLocOpBuilder g(gl, gb);
                             Value trial = arith::SubIOp::create(
                                 g, arith::AddIOp::create(g, a[1], step),
                                 arith::ConstantIntOp::create(g, it, 1));
                             Value le = arith::CmpIOp::create(
                                 g, arith::CmpIPredicate::sle, absBits(g, a[0]),
                                 trial);
                             Value inc = arith::ExtUIOp::create(g, it, le);
                             linalg::YieldOp::create(
                                 g, ValueRange{arith::AddIOp::create(g, a[2], inc)});
                           })
                           .getResult(0);
        // Enough values at or below the trial: the bit stays 0.
        AffineMap r1 = b.getMultiDimIdentityMap(1);
        Value next =
            linalg::GenericOp::create(
                e, TypeRange{rowType}, ValueRange{prefix, counts},
                ValueRange{zeros}, ArrayRef<AffineMap>{r1, r1, r1},
                parallelIterators(1),
                [&](OpBuilder &gb, Location gl, ValueRange a) {
                  ImplicitLocOpBuilder g(gl, gb);
                  Value enough = arith::CmpIOp::create(
                      g, arith::CmpIPredicate::sge, a[1],
                      arith::ConstantIntOp::create(g, it, k + 1));
                  Value set = arith::OrIOp::create(g, a[0], step);
                  linalg::YieldOp::create(
                      g, ValueRange{arith::SelectOp::create(g, enough, a[0], set)});
                })
                .getResult(0);
        scf::YieldOp::create(e, next);
      });
  return loop.getResult(0);
}

} // namespace

Value mlir::diffc::dynamicThresholdScale(OpBuilder &builder, Location loc,
                                         Value x0, double ratio,
                                         double maxValue) {
  ImplicitLocOpBuilder b(loc, builder);
  auto type = cast<RankedTensorType>(x0.getType());
  Type et = type.getElementType();
  int64_t count = 1;
  for (int64_t d : type.getShape().drop_front())
    count *= d;
  // torch.quantile: position q (count - 1), linear interpolation between the
  // two order statistics around it.
  double pos = ratio * double(count - 1);
  int64_t k = static_cast<int64_t>(std::floor(pos));
  int64_t kNext = std::min(k + 1, count - 1);
  double frac = pos - double(k);
  Value lower = orderStatistic(b, x0, k);
  Value upper = kNext == k ? lower : orderStatistic(b, x0, kNext);
  Value n = tensor::DimOp::create(b, x0, 0);
  auto rowType = RankedTensorType::get({ShapedType::kDynamic}, et);
  Value init = tensor::EmptyOp::create(b, rowType.getShape(), et, ValueRange{n});
  AffineMap r1 = b.getMultiDimIdentityMap(1);
  return linalg::GenericOp::create(
             b, TypeRange{rowType}, ValueRange{lower, upper}, ValueRange{init},
             ArrayRef<AffineMap>{r1, r1, r1}, parallelIterators(1),
             [&](OpBuilder &gb, Location gl, ValueRange a) {
               ImplicitLocOpBuilder g(gl, gb);
               Value v0 = arith::BitcastOp::create(g, et, a[0]);
               Value v1 = arith::BitcastOp::create(g, et, a[1]);
               Value q = arith::AddFOp::create(
                   g, v0,
                   arith::MulFOp::create(g, arith::SubFOp::create(g, v1, v0),
                                         floatConstant(g, gl, et, frac)));
               Value s = arith::MinimumFOp::create(
                   g,
                   arith::MaximumFOp::create(g, q, floatConstant(g, gl, et, 1.0)),
                   floatConstant(g, gl, et, maxValue));
               linalg::YieldOp::create(g, ValueRange{s});
             })
      .getResult(0);
}
