//===- ConvBackward.cpp - conv2d gradients to the runtime's kernels -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The two generics diffc-convert-to-linalg makes of conv2d_backward_weight
// and conv2d_backward_input (DiffcToLinalg/ConvBackward.cpp) are recognized
// by their indexing maps, from which the window attributes are read back:
//
//   weight gradient, loops (g, o, c, i, j | n, ho, wo):
//     x_pad (n, g, c, ho sH + i dH, wo sW + j dW), dy (n, g, o, ho, wo),
//     dw (g, o, c, i, j)
//   input gradient, loops (n, g, c, h, w | o, i, j):
//     dy_spread (n, g, o, h - i dH + c0H, w - j dW + c0W),
//     weight (g, o, c, i, j), dx (n, g, c, h, w)
//
// with the body `out + a * b`. Each becomes one call on 6-D views (a unit
// frame dimension in front of the rows). The zero-padded input of the
// weight gradient and the stride-spread output gradient of the input
// gradient are bufferized copies into zero-filled buffers; the kernel reads
// the copy's source instead, with the copy's offsets as padding and its
// strides as the stride, and the copy disappears (when nothing writes the
// source in between). Without that, the kernel reads the copy as it is
// (padding 0, or stride 1 and padding c0), which is the same function.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/CpuMicrokernels/KernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "diffc-cpu-microkernels"

using namespace mlir;
using namespace mlir::diffc::kernel_calls;

namespace {

/// A recognized gradient generic and its window attributes.
struct GradientForm {
  bool inputGradient;
  int64_t stride[2] = {1, 1}; // weight gradient only
  int64_t dilation[2] = {1, 1};
  int64_t origin[2] = {0, 0}; // input gradient only: c0
};

/// True when the body is `out + a * b` over the two inputs, in any order.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = *op.getBody();
  if (body.getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getNumOperands() == 1
                 ? yield.getOperand(0).getDefiningOp<arith::AddFOp>()
                 : arith::AddFOp();
  if (!add)
    return false;
  Value acc = body.getArgument(2);
  Value other = add.getLhs() == acc   ? add.getRhs()
                : add.getRhs() == acc ? add.getLhs()
                                      : Value();
  auto mul = other ? other.getDefiningOp<arith::MulFOp>() : arith::MulFOp();
  if (!mul)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// The maps of the weight gradient's generic for the window attributes.
SmallVector<AffineMap> weightGradientMaps(MLIRContext *ctx,
                                          const GradientForm &f) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  return {AffineMap::get(8, 0,
                         {d(5), d(0), d(2),
                          d(6) * f.stride[0] + d(3) * f.dilation[0],
                          d(7) * f.stride[1] + d(4) * f.dilation[1]},
                         ctx),
          AffineMap::get(8, 0, {d(5), d(0), d(1), d(6), d(7)}, ctx),
          AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
}

/// The maps of the input gradient's generic for the window attributes.
SmallVector<AffineMap> inputGradientMaps(MLIRContext *ctx,
                                         const GradientForm &f) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  return {AffineMap::get(8, 0,
                         {d(0), d(1), d(5),
                          d(3) - d(6) * f.dilation[0] + f.origin[0],
                          d(4) - d(7) * f.dilation[1] + f.origin[1]},
                         ctx),
          AffineMap::get(8, 0, {d(1), d(5), d(2), d(6), d(7)}, ctx),
          AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
}

std::optional<GradientForm> gradientFormOf(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != 8)
    return std::nullopt;
  for (auto [i, it] : llvm::enumerate(generic.getIteratorTypesArray()))
    if (it != (i < 5 ? utils::IteratorType::parallel
                     : utils::IteratorType::reduction))
      return std::nullopt;
  for (Value v : generic->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || type.getRank() != 5 || !type.getElementType().isF32())
      return std::nullopt;
  }
  if (!isMultiplyAccumulate(generic))
    return std::nullopt;

  // The window coefficients: the first map at the origin and at unit
  // vectors of the loops that move the window.
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (maps[0].getNumSymbols() != 0)
    return std::nullopt;
  auto at = [&](int unitLoop) {
    SmallVector<int64_t> point(8, 0);
    if (unitLoop >= 0)
      point[unitLoop] = 1;
    return maps[0].compose(point);
  };
  SmallVector<int64_t> origin = at(-1);
  MLIRContext *ctx = op->getContext();

  GradientForm weight{/*inputGradient=*/false};
  weight.stride[0] = at(6)[3];
  weight.stride[1] = at(7)[4];
  weight.dilation[0] = at(3)[3];
  weight.dilation[1] = at(4)[4];
  if (weight.stride[0] > 0 && weight.stride[1] > 0 && weight.dilation[0] > 0 &&
      weight.dilation[1] > 0 && maps == weightGradientMaps(ctx, weight))
    return weight;

  GradientForm input{/*inputGradient=*/true};
  input.origin[0] = origin[3];
  input.origin[1] = origin[4];
  input.dilation[0] = origin[3] - at(6)[3];
  input.dilation[1] = origin[4] - at(7)[4];
  if (input.dilation[0] > 0 && input.dilation[1] > 0 && origin[3] >= 0 &&
      origin[4] >= 0 && maps == inputGradientMaps(ctx, input))
    return input;
  return std::nullopt;
}

/// The copy `operand` is read from, when it can replace the operand: it
/// placed its source only along the spatial dimensions (3, 4) and the
/// kernel does not write that source.
std::optional<PaddedCopy> foldableCopy(Value operand, Operation *op,
                                       Value output, bool allowStrides) {
  std::optional<PaddedCopy> copy = matchPaddedCopy(operand, op, allowStrides);
  if (!copy || fullViewRoot(copy->source) == fullViewRoot(output))
    return std::nullopt;
  for (int d = 0; d < 3; ++d)
    if (copy->lowPadding[d] != 0 || copy->strides[d] != 1)
      return std::nullopt;
  return copy;
}

} // namespace

LogicalResult mlir::diffc::kernel_calls::rewriteConvGradient(
    RewriterBase &rewriter, linalg::LinalgOp op, KernelDecls &decls) {
  std::optional<GradientForm> form = gradientFormOf(op);
  if (!form)
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value windowed = op.getDpsInputs()[0], other = op.getDpsInputs()[1];
  Value output = op.getDpsInits()[0];

  // The windowed operand (padded input, spread output gradient) read from
  // the copy's source where possible.
  int64_t stride[2], padding[2];
  std::optional<PaddedCopy> copy =
      foldableCopy(windowed, op, output, form->inputGradient);
  for (int i = 0; i < 2; ++i) {
    if (form->inputGradient) {
      // dy[ho] sits at ho * stride + offset; the generic reads index
      // h - i d + c0, so the forward padding is c0 - offset.
      stride[i] = copy ? copy->strides[3 + i] : 1;
      padding[i] = form->origin[i] - (copy ? copy->lowPadding[3 + i] : 0);
    } else {
      stride[i] = form->stride[i];
      padding[i] = copy ? copy->lowPadding[3 + i] : 0;
    }
  }
  if (copy)
    windowed = copy->source;

  Value bias;
  Operation *init;
  Mode mode = outputMode(op, output, /*biasDim=*/~0u, bias, init,
                         copy ? ArrayRef<Operation *>(copy->ops)
                              : ArrayRef<Operation *>());

  // [N, G, C, H, W] -> [N, G, C, 1, H, W]; [G, O, C, kH, kW] likewise.
  SmallVector<ReassociationIndices> toSixD = {{0}, {1}, {2}, {3, 4}, {5}};
  auto view = [&](Value v) {
    return toKernelType(rewriter, loc,
                        expandWithUnits(rewriter, loc, v, toSixD));
  };
  // (output gradient, weight, input gradient) or (input, output gradient,
  // weight gradient): the windowed operand comes first in both.
  SmallVector<Value> args = {view(windowed), view(other), view(output)};
  args.append(
      windowArguments(rewriter, loc, stride, padding, form->dilation, mode));
  func::FuncOp callee = form->inputGradient ? decls.getConvBackwardInput()
                                            : decls.getConvBackwardWeight();
  func::CallOp::create(rewriter, loc, callee, args);
  LLVM_DEBUG(llvm::dbgs() << callee.getName() << " call for " << *op << "\n");

  rewriter.eraseOp(op);
  if (init)
    rewriter.eraseOp(init);
  if (copy)
    for (Operation *dead : copy->ops)
      rewriter.eraseOp(dead);
  return success();
}
