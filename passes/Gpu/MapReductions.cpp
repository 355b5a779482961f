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

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUMAPREDUCTIONSPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// Replaces `op` (with at least one reduction loop) by a gpu.launch.
void mapToLaunch(linalg::LinalgOp op, int64_t blockSize) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<Value> sizes;
  for (const Range &r : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  SmallVector<Value> parallelSizes, reductionSizes;
  for (auto [size, kind] : llvm::zip(sizes, iterators))
    (kind == utils::IteratorType::parallel ? parallelSizes : reductionSizes)
        .push_back(size);

  PointLaunch point = createPointLaunch(b, loc, parallelSizes, blockSize);
  b.restoreInsertionPoint(point.body);
  // The full loop indices: the thread's point in the parallel loops, the
  // reduction loops' values (zero until the nest sets them; output maps do
  // not read reduction loops).
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto allIndices = [&](ValueRange reductionIvs) {
    SmallVector<Value> ivs;
    unsigned p = 0, r = 0;
    for (utils::IteratorType kind : iterators)
      ivs.push_back(kind == utils::IteratorType::parallel ? point.ivs[p++]
                    : reductionIvs.empty()                ? zero
                                                          : reductionIvs[r++]);
    return ivs;
  };

  // The outputs' current values start the chain.
  SmallVector<Value> outputIndices0 = allIndices({});
  SmallVector<Value> inits;
  for (OpOperand &init : op.getDpsInitsMutable())
    inits.push_back(memref::LoadOp::create(
        b, loc, init.get(),
        operandIndices(b, loc, op.getMatchingIndexingMap(&init),
                       outputIndices0)));

  SmallVector<Value> lbs(reductionSizes.size(), zero);
  SmallVector<Value> steps(reductionSizes.size(),
                           arith::ConstantIndexOp::create(b, loc, 1));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, reductionSizes, steps, inits,
      [&](OpBuilder &nb, Location l, ValueRange reductionIvs,
          ValueRange carried) -> scf::ValueVector {
        SmallVector<Value> next =
            emitPayload(nb, l, op, allIndices(reductionIvs), carried);
        return scf::ValueVector(next.begin(), next.end());
      });

  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
    memref::StoreOp::create(
        b, loc, nest.results[i], init.get(),
        operandIndices(b, loc, op.getMatchingIndexingMap(&init),
                       outputIndices0));
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
      mapToLaunch(op, blockSize);
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
