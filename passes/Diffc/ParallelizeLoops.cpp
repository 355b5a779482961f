//===- ParallelizeLoops.cpp - choose the loops that run on all cores ------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// After this pass every remaining scf.parallel is an outermost loop with
// enough work to pay for a fork, over at most max-dims dimensions;
// convert-scf-to-openmp turns exactly those into omp.parallel + omp.wsloop
// and the runtime runs them on its thread pool (runtime/src/ukernels/
// openmp_abi.cpp). docs/cpu-parallel-loops.md has the measurements.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Passes.h"

#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_PARALLELIZELOOPSPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

/// Constant trip count of one loop dimension; 1 when not constant.
int64_t staticTrips(Value lower, Value upper, Value step) {
  std::optional<int64_t> lb = getConstantIntValue(lower);
  std::optional<int64_t> ub = getConstantIntValue(upper);
  std::optional<int64_t> st = getConstantIntValue(step);
  if (!lb || !ub || !st || *st <= 0)
    return 1;
  return *ub > *lb ? (*ub - *lb + *st - 1) / *st : 0;
}

/// Saturating product, so deep nests of large loops cannot overflow.
int64_t times(int64_t a, int64_t b) {
  if (a == 0 || b == 0)
    return 0;
  return a > INT64_MAX / b ? INT64_MAX : a * b;
}

int64_t regionWork(Region &region);

/// Static iterations of `op` and everything nested in it.
int64_t opWork(Operation *op) {
  int64_t trips = 1;
  if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
    for (auto [lb, ub, st] :
         llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(),
                   parallel.getStep()))
      trips = times(trips, staticTrips(lb, ub, st));
  } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
    trips = staticTrips(loop.getLowerBound(), loop.getUpperBound(),
                        loop.getStep());
  }
  int64_t inner = 1;
  for (Region &region : op->getRegions())
    inner = std::max(inner, regionWork(region));
  return times(trips, inner);
}

/// The largest work of any op in `region` (the deepest chain).
int64_t regionWork(Region &region) {
  int64_t work = 1;
  for (Block &block : region)
    for (Operation &op : block)
      work = std::max(work, opWork(&op));
  return work;
}

/// Rewrites `loop` as an scf.parallel over its first `keep` dimensions
/// whose body is an scf.for nest over the others.
void splitDimensions(IRRewriter &rewriter, scf::ParallelOp loop,
                     unsigned keep) {
  Location loc = loop.getLoc();
  SmallVector<Value> lbs(loop.getLowerBound()), ubs(loop.getUpperBound()),
      steps(loop.getStep());
  auto cloneBody = [&](OpBuilder &b, ValueRange ivs) {
    IRMapping mapping;
    mapping.map(loop.getInductionVars(), ivs);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
  };
  rewriter.setInsertionPoint(loop);
  rewriter.create<scf::ParallelOp>(
      loc, ArrayRef(lbs).take_front(keep), ArrayRef(ubs).take_front(keep),
      ArrayRef(steps).take_front(keep),
      [&](OpBuilder &b, Location loc, ValueRange outer) {
        scf::buildLoopNest(
            b, loc, ArrayRef(lbs).drop_front(keep),
            ArrayRef(ubs).drop_front(keep), ArrayRef(steps).drop_front(keep),
            [&](OpBuilder &b, Location, ValueRange inner) {
              SmallVector<Value> ivs(outer);
              ivs.append(inner.begin(), inner.end());
              cloneBody(b, ivs);
            });
      });
  rewriter.eraseOp(loop);
}

struct ParallelizeLoopsPass
    : public diffc::impl::ParallelizeLoopsPassBase<ParallelizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxDims == 0) {
      getOperation().emitError("diffc-parallelize-loops: max-dims must be at "
                               "least 1");
      return signalPassFailure();
    }
    // Post-order: inner loops first, so that serializing an inner loop
    // never invalidates a loop still to be visited.
    SmallVector<scf::ParallelOp> loops;
    bool failed = false;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (loop.getNumResults() != 0) {
        loop.emitError("diffc-parallelize-loops: parallel loop with "
                       "reductions; the CPU pipeline expects reductions in "
                       "inner scf.for loops");
        failed = true;
      }
      loops.push_back(loop);
    });
    if (failed)
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : loops) {
      bool outermost = !loop->getParentOfType<scf::ParallelOp>();
      if (outermost && opWork(loop) >= minWork) {
        if (loop.getNumLoops() > maxDims)
          splitDimensions(rewriter, loop, maxDims);
        continue;
      }
      rewriter.setInsertionPoint(loop);
      if (mlir::failed(scf::parallelForToNestedFors(rewriter, loop))) {
        loop.emitError("diffc-parallelize-loops: cannot serialize this loop");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
