//===- Gemm.cpp - contractions to diffc_ukernel_sgemm ---------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// f32 contractions with one M, N and K dimension and at most two batch
// dimensions (matmul, batch_matmul, attention's generics) become one SGEMM
// call on 3-D [batch, rows, cols] strided views: memref.transpose puts each
// operand in kernel order, a unit batch dimension is added by
// memref.expand_shape, two batch dimensions become an scf.for over the one
// known to be smaller.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/CpuMicrokernels/KernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "diffc-cpu-microkernels"

using namespace mlir;
using namespace mlir::diffc::kernel_calls;

namespace {

/// `v`, indexed by `map`, transposed so that its dimensions follow the loop
/// dimensions `order`.
Value permuteTo(OpBuilder &b, Location loc, Value v, AffineMap map,
                ArrayRef<unsigned> order) {
  SmallVector<unsigned> permutation;
  for (unsigned d : order)
    permutation.push_back(
        *map.getResultPosition(getAffineDimExpr(d, b.getContext())));
  bool identity = llvm::all_of(llvm::enumerate(permutation), [](auto p) {
    return p.index() == p.value();
  });
  if (identity)
    return v;
  AffineMap perm = AffineMap::getPermutationMap(permutation, b.getContext());
  return memref::TransposeOp::create(b, loc, v, AffineMapAttr::get(perm));
}

/// A rank-(r-1) view of `v` at index `i` of dimension 0.
Value dropLeading(OpBuilder &b, Location loc, Value v, Value i) {
  auto type = cast<MemRefType>(v.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[0] = i;
  SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, v);
  sizes[0] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  auto resultType = memref::SubViewOp::inferRankReducedResultType(
      type.getShape().drop_front(), type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, resultType, v, offsets, sizes,
                                   strides);
}

} // namespace

LogicalResult mlir::diffc::kernel_calls::rewriteContraction(
    RewriterBase &rewriter, linalg::LinalgOp op, KernelDecls &decls) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return failure();
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || !type.getElementType().isF32())
      return failure();
  }
  if (!linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || dims->batch.size() > 2)
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return failure();
  // Every operand has every batch dimension (a broadcast operand would have
  // made its dimension an M or N one above, which fails the counts).
  unsigned nb = dims->batch.size();
  for (AffineMap m : maps)
    if (m.getNumResults() != nb + 2)
      return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  Value c = op.getDpsInits()[0];

  // A linear layer's bias is the init of a 2-D C whose dimension 1 is N.
  unsigned biasDim = ~0u;
  if (nb == 0 && c == fullViewRoot(c) && maps[2].getDimPosition(1) == dims->n[0])
    biasDim = 1;
  Value bias;
  Operation *init;
  Mode mode = outputMode(op, c, biasDim, bias, init);

  SmallVector<unsigned> order(dims->batch.begin(), dims->batch.end());
  // With two batch dimensions the first is looped over and the second is
  // the kernel's batch, which it spreads over threads: loop over the one
  // known to be smaller (attention: heads, not the dynamic batch).
  if (nb == 2) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t first = ranges[order[0]], second = ranges[order[1]];
    if (!ShapedType::isDynamic(second) &&
        (ShapedType::isDynamic(first) || first > second))
      std::swap(order[0], order[1]);
  }
  auto orderFor = [&](unsigned row, unsigned col) {
    SmallVector<unsigned> o = order;
    o.append({row, col});
    return o;
  };
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  Value av = permuteTo(rewriter, loc, a, maps[0], orderFor(m, k));
  Value bv = permuteTo(rewriter, loc, b, maps[1], orderFor(k, n));
  Value cv = permuteTo(rewriter, loc, c, maps[2], orderFor(m, n));
  if (nb == 0) {
    SmallVector<ReassociationIndices> lead = {{0, 1}, {2}};
    av = expandWithUnits(rewriter, loc, av, lead);
    bv = expandWithUnits(rewriter, loc, bv, lead);
    cv = expandWithUnits(rewriter, loc, cv, lead);
  }
  Value biasArg = bias ? toKernelType(rewriter, loc, bias)
                       : decls.noBiasOperand(rewriter, loc);
  Value modeArg = arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(),
                                               static_cast<int32_t>(mode));
  func::FuncOp sgemm = decls.getSgemm();
  auto call = [&](OpBuilder &bld, Value a3, Value b3, Value c3) {
    func::CallOp::create(bld, loc, sgemm,
                         ValueRange{toKernelType(bld, loc, a3),
                                    toKernelType(bld, loc, b3),
                                    toKernelType(bld, loc, c3), biasArg,
                                    modeArg});
  };
  if (nb == 2) {
    // Two batch dimensions (attention's batch and heads): one call per
    // index of the first.
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value count = memref::DimOp::create(rewriter, loc, cv, 0);
    scf::ForOp::create(rewriter, loc, zero, count, one, ValueRange{},
                       [&](OpBuilder &bld, Location l, Value i, ValueRange) {
                         Value ai = dropLeading(bld, l, av, i);
                         Value bi = dropLeading(bld, l, bv, i);
                         Value ci = dropLeading(bld, l, cv, i);
                         call(bld, ai, bi, ci);
                         scf::YieldOp::create(bld, l);
                       });
  } else {
    call(rewriter, av, bv, cv);
  }
  LLVM_DEBUG(llvm::dbgs() << "sgemm call for " << *op << "\n");
  rewriter.eraseOp(op);
  if (init)
    rewriter.eraseOp(init);
  return success();
}

