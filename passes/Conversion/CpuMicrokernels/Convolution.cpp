//===- Convolution.cpp - named convolutions to diffc_ukernel_conv ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// conv_2d_nchw_fchw, conv_2d_ngchw_gfchw and conv_3d_ncdhw_fcdhw become one
// call on 6-D [N, G, C, D, H, W] / [G, O, C, kD, kH, kW] views. An input
// read from a bufferized tensor.pad is read directly, with the padding as a
// kernel argument, and the padded copy disappears.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/CpuMicrokernels/KernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "diffc-cpu-microkernels"

using namespace mlir;
using namespace mlir::diffc::kernel_calls;

namespace {

/// What differs between the three convolution ops: how their operands
/// expand to the kernel's 6-D [N, G, C, D, H, W] / [G, O, C, kD, kH, kW]
/// form, and where the spatial dimensions are.
struct ConvolutionForm {
  SmallVector<ReassociationIndices> activation, filter;
  SmallVector<unsigned> spatialDims; // of the activation operand
  /// The bias dimension of the buffer the output is a view of ([N, G*O,
  /// ...] for grouped convolutions, whose bias index is g * O + o).
  unsigned channelDim;
};

std::optional<ConvolutionForm> formOf(Operation *op) {
  if (isa<linalg::Conv2DNchwFchwOp>(op))
    // [N, C, H, W] -> [N, 1, C, 1, H, W]; [O, C, kH, kW] -> [1, O, C, 1, kH, kW]
    return ConvolutionForm{{{0}, {1, 2}, {3, 4}, {5}},
                           {{0, 1}, {2}, {3, 4}, {5}},
                           {2, 3},
                           1};
  if (isa<linalg::Conv2DNgchwGfchwOp>(op))
    // [N, G, C, H, W] -> [N, G, C, 1, H, W]; [G, O, C, kH, kW] likewise
    return ConvolutionForm{{{0}, {1}, {2}, {3, 4}, {5}},
                           {{0}, {1}, {2}, {3, 4}, {5}},
                           {3, 4},
                           1};
  if (isa<linalg::Conv3DNcdhwFcdhwOp>(op))
    // [N, C, D, H, W] -> [N, 1, C, D, H, W]; [O, C, kD, kH, kW] likewise
    return ConvolutionForm{{{0}, {1, 2}, {3}, {4}, {5}},
                           {{0, 1}, {2}, {3}, {4}, {5}},
                           {2, 3, 4},
                           1};
  return std::nullopt;
}

} // namespace

bool mlir::diffc::kernel_calls::isNamedConvolution(Operation *op) {
  return formOf(op).has_value();
}

LogicalResult mlir::diffc::kernel_calls::rewriteConvolution(
    RewriterBase &rewriter, linalg::LinalgOp op, KernelDecls &decls) {
  std::optional<ConvolutionForm> form = formOf(op);
  if (!form || !op.hasPureBufferSemantics())
    return failure();
  for (Value v : op->getOperands())
    if (!cast<MemRefType>(v.getType()).getElementType().isF32())
      return failure();
  auto ints = [&](StringRef name) {
    auto attr = op->getAttrOfType<DenseIntElementsAttr>(name);
    return llvm::to_vector(llvm::map_range(
        attr.getValues<int64_t>(), [](int64_t v) { return v; }));
  };
  SmallVector<int64_t> strides = ints("strides"), dilations = ints("dilations");
  unsigned spatial = form->spatialDims.size();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
  Value y = op.getDpsInits()[0];

  SmallVector<int64_t> padding(spatial, 0);
  std::optional<PaddedCopy> padded = matchPaddedCopy(x, op);
  if (padded) {
    bool onlySpatial = true;
    for (auto [d, p] : llvm::enumerate(padded->lowPadding))
      if (p != 0 && !llvm::is_contained(form->spatialDims, d))
        onlySpatial = false;
    if (!onlySpatial)
      padded.reset();
  }
  // The kernel must not write what it reads: an output in the padded
  // copy's source keeps the copy.
  if (padded && fullViewRoot(padded->source) == fullViewRoot(y))
    padded.reset();
  if (padded) {
    x = padded->source;
    for (unsigned i = 0; i < spatial; ++i)
      padding[i] = padded->lowPadding[form->spatialDims[i]];
  }

  Value bias;
  Operation *init;
  Mode mode = outputMode(op, y, form->channelDim, bias, init,
                         padded ? ArrayRef<Operation *>(padded->ops)
                                : ArrayRef<Operation *>());

  Value x6 = expandWithUnits(rewriter, loc, x, form->activation);
  Value w6 = expandWithUnits(rewriter, loc, w, form->filter);
  Value y6 = expandWithUnits(rewriter, loc, y, form->activation);
  SmallVector<Value> args = {toKernelType(rewriter, loc, x6),
                             toKernelType(rewriter, loc, w6),
                             toKernelType(rewriter, loc, y6),
                             bias ? toKernelType(rewriter, loc, bias)
                                  : decls.noBiasOperand(rewriter, loc)};
  // A 2-D convolution has a unit frame dimension.
  args.append(
      windowArguments(rewriter, loc, strides, padding, dilations, mode));
  func::CallOp::create(rewriter, loc, decls.getConv(), args);
  LLVM_DEBUG(llvm::dbgs() << "conv call for " << *op << "\n");

  rewriter.eraseOp(op);
  if (init)
    rewriter.eraseOp(init);
  if (padded)
    for (Operation *dead : padded->ops)
      rewriter.eraseOp(dead);
  return success();
}

