//===- ContractionGradients.cpp - gradient rules of contractions ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Products of matrices differentiate into products of matrices:
//
//   linear  y = x W^T + b:  dx = dy W,  dW = sum over rows of dy^T x,
//                           db = sum over rows of dy
//   matmul  C = A B:        dA = dC B^T, dB = A^T dC, each summed back over
//                           the batch dimensions its operand broadcast
//   conv2d                  dx = conv2d_backward_input(dy, w),
//                           dw = conv2d_backward_weight(x, dy),
//                           db = sum of dy over N, H, W
//
// linear's rows are every position of the input's leading dimensions. When
// they are static, or one dynamic batch dimension alone, dW is one matrix
// product over the rows viewed as [M, in]; a dynamic batch in front of
// other leading dimensions ([?, L, in]) cannot be flattened by a reshape
// (one dynamic extent must stand for the same extent on both sides), so
// dW is then a batched product summed over the batch.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

LogicalResult linearGrad(LinearOp op, GradientBuilder &g, ArrayRef<Value> rg,
                         MutableArrayRef<Value> og) {
  Value x = op.getInput(), w = op.getWeight(), dy = rg[0];
  RankedTensorType xt = typeOf(x), wt = typeOf(w);
  int64_t rank = xt.getRank(), out = wt.getDimSize(0), in = wt.getDimSize(1);

  // dx = dy W: [..., out] x [out, in]; a vector is one row.
  if (rank == 1)
    og[0] = g.reshape(g.matmul(g.reshape(dy, {1, out}), w), xt);
  else
    og[0] = g.reshape(g.matmul(dy, w), xt);

  // dW = dy^T x over all rows.
  ArrayRef<int64_t> lead = xt.getShape().drop_back();
  bool dynamicLead = llvm::any_of(lead, ShapedType::isDynamic);
  if (rank > 2 && dynamicLead) {
    // [..., M, out]^T x [..., M, in] per batch, summed over the batch.
    Value perBatch = g.matmul(g.transposeLast2(dy), x);
    SmallVector<int64_t> batchDims =
        llvm::to_vector(llvm::seq<int64_t>(0, rank - 2));
    og[1] =
        g.reshape(g.reduce(ReduceKind::sum, perBatch, batchDims, false), wt);
  } else {
    int64_t rows = 1;
    for (int64_t d : lead)
      rows *= d;
    Value dyRows = rank == 2 ? dy : g.reshape(dy, {rank == 1 ? 1 : rows, out});
    Value xRows = rank == 2 ? x : g.reshape(x, {rank == 1 ? 1 : rows, in});
    og[1] = g.reshape(g.matmul(g.transposeLast2(dyRows), xRows), wt);
  }

  if (Value bias = op.getBias())
    og[2] = g.sumToType(dy, typeOf(bias));
  return success();
}

LogicalResult matmulGrad(MatmulOp op, GradientBuilder &g, ArrayRef<Value> rg,
                         MutableArrayRef<Value> og) {
  Value a = op.getLhs(), b = op.getRhs(), dc = rg[0];
  og[0] = g.sumToType(g.matmul(dc, g.transposeLast2(b)), typeOf(a));
  og[1] = g.sumToType(g.matmul(g.transposeLast2(a), dc), typeOf(b));
  return success();
}

LogicalResult conv2dGrad(Conv2DOp op, GradientBuilder &g, ArrayRef<Value> rg,
                         MutableArrayRef<Value> og) {
  Value x = op.getInput(), w = op.getWeight(), dy = rg[0];
  RankedTensorType xt = typeOf(x), wt = typeOf(w), dyt = typeOf(dy);
  // The backward convolutions place the gradient by static offsets.
  if (llvm::any_of(xt.getShape().drop_front(), ShapedType::isDynamic) ||
      llvm::any_of(dyt.getShape().drop_front(), ShapedType::isDynamic) ||
      !wt.hasStaticShape())
    return op.emitOpError("has a gradient rule only for static extents "
                          "except the batch, got input ")
           << xt << ", weight " << wt << ", output " << dyt;
  OpBuilder &b = g.builder();
  og[0] = Conv2DBackwardInputOp::create(b, g.location(), xt, dy, w,
                                        op.getStride(), op.getPadding(),
                                        op.getDilation(), op.getGroups());
  og[1] = Conv2DBackwardWeightOp::create(b, g.location(), wt, x, dy,
                                         op.getStride(), op.getPadding(),
                                         op.getDilation(), op.getGroups());
  if (Value bias = op.getBias())
    og[2] = g.reshape(g.reduce(ReduceKind::sum, dy, {0, 2, 3}, false),
                      typeOf(bias));
  return success();
}

} // namespace

void mlir::diffc::registerContractionGradients(MLIRContext *ctx) {
  attachGradient<LinearOp, linearGrad>(ctx);
  attachGradient<MatmulOp, matmulGrad>(ctx);
  attachGradient<Conv2DOp, conv2dGrad>(ctx);
}
