//===- MapReductions.cpp - linalg ops with reductions to gpu.launch -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One thread per point of the op's parallel loops, each running the
// reduction loops itself, in order, with the outputs carried as loop values:
// the payload is applied in exactly the order linalg's own loop lowering
// applies it, so every reduction (sums, maxima, GroupNorm statistics,
// softmax, matrix products, convolutions) computes on the GPU what it
// computes on the CPU without --cpu-kernels. It is the correct baseline, not
// the fast kernel: block-level tree reductions with shared memory and warp
// shuffles, and tensor-core GEMM / convolution or cuBLASLt / cuDNN, replace
// it op by op (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"
#include "passes/Gpu/PointLaunch.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUMAPREDUCTIONSPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// The parallel loop a thread covers `factor` points of (register tiling
/// of contractions), or -1: not the innermost parallel loop (consecutive
/// threads keep reading consecutive memory), of a static extent divisible
/// by `factor`, and not read by some input that reads the reduction loops,
/// so that input's loads are the same for all `factor` points (LLVM's
/// redundancy elimination keeps one). Among those, the loop whose
/// independent input is largest.
int64_t coarsenedLoop(linalg::LinalgOp op, int64_t factor) {
  if (factor <= 1)
    return -1;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t innermost = -1;
  for (unsigned d = 0; d < iterators.size(); ++d)
    if (iterators[d] == utils::IteratorType::parallel)
      innermost = d;
  auto readsReduction = [&](AffineMap map) {
    for (unsigned d = 0; d < iterators.size(); ++d)
      if (iterators[d] == utils::IteratorType::reduction &&
          map.isFunctionOfDim(d))
        return true;
    return false;
  };
  int contracted = 0;
  for (OpOperand *input : op.getDpsInputOperands())
    contracted += readsReduction(op.getMatchingIndexingMap(input));
  if (contracted < 2)
    return -1; // a plain reduction: no input to share
  int64_t best = -1, bestSize = -1;
  for (unsigned d = 0; d < iterators.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || int64_t(d) == innermost ||
        ShapedType::isDynamic(ranges[d]) || ranges[d] % factor != 0)
      continue;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      auto type = dyn_cast<MemRefType>(input->get().getType());
      if (!type || !readsReduction(map) || map.isFunctionOfDim(d))
        continue;
      int64_t size = type.hasStaticShape() ? type.getNumElements()
                                           : std::numeric_limits<int64_t>::max();
      if (size > bestSize) {
        best = d;
        bestSize = size;
      }
    }
  }
  return best;
}

/// Replaces `op` (with at least one reduction loop) by a gpu.launch. With
/// `coarsen` > 1, contractions give each thread `coarsen` consecutive points
/// of one parallel loop (coarsenedLoop), each with its own accumulators
/// and in linalg's order, so every output is computed exactly as without.
void mapToLaunch(linalg::LinalgOp op, int64_t blockSize, int64_t coarsen) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  const int64_t tiled = coarsenedLoop(op, coarsen);
  const int64_t factor = tiled >= 0 ? coarsen : 1;
  SmallVector<Value> sizes;
  for (const Range &r : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  SmallVector<Value> parallelSizes, reductionSizes;
  for (auto [d, size, kind] : llvm::enumerate(sizes, iterators)) {
    if (kind != utils::IteratorType::parallel) {
      reductionSizes.push_back(size);
      continue;
    }
    parallelSizes.push_back(
        int64_t(d) == tiled
            ? arith::DivUIOp::create(
                  b, loc, size, arith::ConstantIndexOp::create(b, loc, factor))
                  .getResult()
            : size);
  }

  PointLaunch point = createPointLaunch(b, loc, parallelSizes, blockSize);
  b.restoreInsertionPoint(point.body);
  // The full loop indices of the thread's `k`-th point: its place in the
  // parallel loops, the reduction loops' values (zero until the nest sets
  // them; output maps do not read reduction loops).
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto allIndices = [&](OpBuilder &ib, int64_t k, ValueRange reductionIvs) {
    SmallVector<Value> ivs;
    unsigned p = 0, r = 0;
    for (auto [d, kind] : llvm::enumerate(iterators)) {
      if (kind != utils::IteratorType::parallel) {
        ivs.push_back(reductionIvs.empty() ? zero : reductionIvs[r++]);
        continue;
      }
      Value iv = point.ivs[p++];
      if (int64_t(d) == tiled) {
        Value f = arith::ConstantIndexOp::create(ib, loc, factor);
        Value kv = arith::ConstantIndexOp::create(ib, loc, k);
        iv = arith::AddIOp::create(ib, loc,
                                   arith::MulIOp::create(ib, loc, iv, f), kv);
      }
      ivs.push_back(iv);
    }
    return ivs;
  };

  // The outputs' current values start the chains, `factor` per output.
  const unsigned numOutputs = op.getNumDpsInits();
  SmallVector<SmallVector<Value>> outputIndices;
  SmallVector<Value> inits;
  for (int64_t k = 0; k < factor; ++k) {
    SmallVector<Value> ivs = allIndices(b, k, {});
    for (OpOperand &init : op.getDpsInitsMutable()) {
      outputIndices.push_back(operandIndices(
          b, loc, op.getMatchingIndexingMap(&init), ivs));
      inits.push_back(
          memref::LoadOp::create(b, loc, init.get(), outputIndices.back()));
    }
  }

  SmallVector<Value> lbs(reductionSizes.size(), zero);
  SmallVector<Value> steps(reductionSizes.size(),
                           arith::ConstantIndexOp::create(b, loc, 1));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, reductionSizes, steps, inits,
      [&](OpBuilder &nb, Location l, ValueRange reductionIvs,
          ValueRange carried) -> scf::ValueVector {
        scf::ValueVector next;
        for (int64_t k = 0; k < factor; ++k) {
          SmallVector<Value> one = emitPayload(
              nb, l, op, allIndices(nb, k, reductionIvs),
              carried.slice(k * numOutputs, numOutputs));
          next.append(one.begin(), one.end());
        }
        return next;
      });

  for (int64_t k = 0; k < factor; ++k)
    for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
      memref::StoreOp::create(b, loc, nest.results[k * numOutputs + i],
                              init.get(), outputIndices[k * numOutputs + i]);
  op->erase();
}

struct GpuMapReductionsPass
    : public diffc::impl::GpuMapReductionsPassBase<GpuMapReductionsPass> {
  using GpuMapReductionsPassBase::GpuMapReductionsPassBase;

  void runOnOperation() override {
    if (failed(checkBlockSize(getOperation(), blockSize)))
      return signalPassFailure();
    SmallVector<linalg::LinalgOp> candidates;
    bool bad = false;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isMappableLinalgOp(op) || op.getNumReductionLoops() == 0)
        return;
      // An output indexed by a reduction loop would be written at every
      // step of it: not a reduction in linalg's sense, and never produced
      // by diffc's lowering.
      for (OpOperand &init : op.getDpsInitsMutable())
        for (AffineExpr e : op.getMatchingIndexingMap(&init).getResults())
          for (unsigned d = 0; d < op.getNumLoops(); ++d)
            if (e.isFunctionOfDim(d) &&
                op.getIteratorTypesArray()[d] ==
                    utils::IteratorType::reduction) {
              op->emitError("diffc-gpu-map-reductions: an output is indexed "
                            "by a reduction loop");
              bad = true;
              return;
            }
      candidates.push_back(op);
    });
    if (bad)
      return signalPassFailure();
    for (linalg::LinalgOp op : candidates)
      mapToLaunch(op, blockSize, coarsen);
    auto why = [](linalg::LinalgOp op) -> std::string {
      if (op.getNumReductionLoops() == 0 && op.hasPureBufferSemantics())
        return "all-parallel ops are diffc-gpu-map-elementwise's, which "
               "runs first (docs/gpu.md)";
      return "its loop extents do not follow from its operand shapes";
    };
    if (verify && failed(verifyAllMapped(getOperation(), why)))
      signalPassFailure();
  }
};

} // namespace
