//===- MapBlockReductions.cpp - few long reductions: a block each ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// diffc-gpu-map-reductions gives each output point one thread that runs the
// whole reduction. That is right for matrix products and convolutions
// (many outputs, short reductions) and wrong for GroupNorm statistics or a
// loss (a few dozen outputs, thousands of terms each: a few threads busy,
// the GPU idle). Here such ops get one block of threads per output point:
// each thread folds a strided share of the terms, the shares meet in
// workgroup memory in a tree, and thread 0 combines the total with the
// output's initial value. The kernel's phases are separated by top-level
// barriers only and share nothing but workgroup memory, so
// diffc-gpu-launch-to-loops can run it as host loops for the CPU checks.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"
#include "passes/Gpu/PointLaunch.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUMAPBLOCKREDUCTIONSPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// How output i of the payload folds a term into its value: out = op(out, x).
struct Fold {
  Operation *combiner = nullptr;
  BlockArgument outArg;
  Value term;
  TypedAttr identity;
};

/// The identity of `combiner`'s operation, or null if it is not one of the
/// associative, commutative folds this pass reorders.
TypedAttr identityOf(Operation *combiner) {
  Type type = combiner->getResult(0).getType();
  Builder b(combiner->getContext());
  if (auto ft = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    if (isa<arith::AddFOp>(combiner)) // -0 + x == x for every x, -0 too
      return b.getFloatAttr(ft, llvm::APFloat::getZero(sem, /*Negative=*/true));
    if (isa<arith::MulFOp>(combiner))
      return b.getFloatAttr(ft, llvm::APFloat::getOne(sem));
    if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner))
      return b.getFloatAttr(ft, llvm::APFloat::getInf(sem, /*Negative=*/true));
    if (isa<arith::MinimumFOp, arith::MinNumFOp>(combiner))
      return b.getFloatAttr(ft, llvm::APFloat::getInf(sem, /*Negative=*/false));
    return nullptr;
  }
  if (isa<arith::AddIOp>(combiner) && isa<IntegerType>(type))
    return b.getIntegerAttr(type, 0);
  return nullptr;
}

/// The folds of `op`'s outputs, or failure if any output is not
/// out = op(out, term) with a term that does not read any output.
FailureOr<SmallVector<Fold>> foldsOf(linalg::LinalgOp op) {
  Block *payload = op.getBlock();
  auto yield = payload->getTerminator();
  SmallVector<Fold> folds;
  unsigned numInputs = op.getNumDpsInputs();
  for (auto [i, yielded] : llvm::enumerate(yield->getOperands())) {
    Fold f;
    f.outArg = payload->getArgument(numInputs + i);
    f.combiner = yielded.getDefiningOp();
    if (!f.combiner || f.combiner->getBlock() != payload ||
        f.combiner->getNumOperands() != 2 || !f.outArg.hasOneUse())
      return failure();
    if (f.combiner->getOperand(0) == f.outArg)
      f.term = f.combiner->getOperand(1);
    else if (f.combiner->getOperand(1) == f.outArg)
      f.term = f.combiner->getOperand(0);
    else
      return failure();
    f.identity = identityOf(f.combiner);
    if (!f.identity)
      return failure();
    folds.push_back(f);
  }
  // No term may read an output (each output's only use is its combiner).
  return folds;
}

/// Row-major delinearization of `linear` over `sizes`. Divides by
/// max(size, 1): the idle block of an empty launch delinearizes too, and an
/// extent of 0 must not divide by zero.
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> ivs(sizes.size());
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  for (size_t d = sizes.size(); d-- > 0;) {
    if (d == 0) {
      ivs[d] = linear;
      break;
    }
    Value size = arith::MaxUIOp::create(b, loc, sizes[d], one);
    ivs[d] = arith::RemUIOp::create(b, loc, linear, size);
    linear = arith::DivUIOp::create(b, loc, linear, size);
  }
  return ivs;
}

Value product(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  Value p = arith::ConstantIndexOp::create(b, loc, 1);
  for (Value v : values)
    p = arith::MulIOp::create(b, loc, p, v);
  return p;
}

Value combine(OpBuilder &b, const Fold &f, Value acc, Value term) {
  IRMapping m;
  m.map(f.outArg, acc);
  m.map(f.term, term);
  return b.clone(*f.combiner, m)->getResult(0);
}

/// Replaces `op` by a launch of one `blockSize`-thread block per output point.
void mapToBlocks(linalg::LinalgOp op, ArrayRef<Fold> folds, int64_t blockSize) {
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
  // Host values the kernel captures; gpu-launch-sink-index-computations
  // moves the constants and index arithmetic into the kernel.
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value block = arith::ConstantIndexOp::create(b, loc, blockSize);
  Value points = product(b, loc, parallelSizes);
  Value terms = product(b, loc, reductionSizes);
  Value grid = arith::MaxUIOp::create(b, loc, points, c1);

  SmallVector<Type> workgroupTypes;
  auto workgroupSpace = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  for (const Fold &f : folds)
    workgroupTypes.push_back(MemRefType::get(
        {blockSize}, f.identity.getType(), MemRefLayoutAttrInterface(),
        workgroupSpace));
  auto launch = gpu::LaunchOp::create(
      b, loc, grid, c1, c1, block, c1, c1, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/ValueRange(),
      workgroupTypes);
  launch->setAttr(kGpuKernelAttrName,
                  b.getDictionaryAttr(
                      {b.getNamedAttr("block", b.getDenseI64ArrayAttr(
                                                   {blockSize, 1, 1})),
                       b.getNamedAttr("elements", b.getI64IntegerAttr(-1))}));
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value bx = launch.getBlockIds().x, tx = launch.getThreadIds().x;
  ArrayRef<BlockArgument> shm = launch.getWorkgroupAttributions();

  auto fullIndices = [&](ArrayRef<Value> parallelIvs,
                         ArrayRef<Value> reductionIvs) {
    SmallVector<Value> ivs;
    unsigned p = 0, r = 0;
    for (utils::IteratorType kind : iterators)
      ivs.push_back(kind == utils::IteratorType::parallel ? parallelIvs[p++]
                    : reductionIvs.empty()                ? c0
                                                          : reductionIvs[r++]);
    return ivs;
  };

  // Phase 1: each thread folds terms tx, tx + block, ... of its block's
  // output point (none for the idle block of an empty launch).
  {
    SmallVector<Value> parallelIvs = delinearize(b, loc, bx, parallelSizes);
    Value live = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, bx,
                                       points);
    Value count = arith::SelectOp::create(b, loc, live, terms, c0);
    SmallVector<Value> identities;
    for (const Fold &f : folds)
      identities.push_back(arith::ConstantOp::create(b, loc, f.identity));
    auto loop = scf::ForOp::create(
        b, loc, tx, count, block, identities,
        [&](OpBuilder &lb, Location l, Value k, ValueRange acc) {
          SmallVector<Value> reductionIvs =
              delinearize(lb, l, k, reductionSizes);
          // With the identity as the outputs' values, the payload yields
          // op(identity, term) = the term.
          SmallVector<Value> yielded = emitPayload(
              lb, l, op, fullIndices(parallelIvs, reductionIvs), identities);
          SmallVector<Value> next;
          for (auto [i, f] : llvm::enumerate(folds))
            next.push_back(combine(lb, f, acc[i], yielded[i]));
          scf::YieldOp::create(lb, l, next);
        });
    for (auto [i, partial] : llvm::enumerate(loop.getResults()))
      memref::StoreOp::create(b, loc, partial, shm[i], ValueRange{tx});
    gpu::BarrierOp::create(b, loc);
  }
  // Tree: half the threads add the other half's partials, log2(block) times.
  for (int64_t stride = blockSize / 2; stride >= 1; stride /= 2) {
    Value s = arith::ConstantIndexOp::create(b, loc, stride);
    Value active =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, tx, s);
    auto ifOp = scf::IfOp::create(b, loc, active, /*withElse=*/false);
    OpBuilder ib = ifOp.getThenBodyBuilder();
    Value other = arith::AddIOp::create(ib, loc, tx, s);
    for (auto [i, f] : llvm::enumerate(folds)) {
      Value mine = memref::LoadOp::create(ib, loc, shm[i], ValueRange{tx});
      Value theirs = memref::LoadOp::create(ib, loc, shm[i], ValueRange{other});
      memref::StoreOp::create(ib, loc, combine(ib, f, mine, theirs), shm[i],
                              ValueRange{tx});
    }
    gpu::BarrierOp::create(b, loc);
  }
  // Last: thread 0 folds the total into the output's initial value.
  {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tx, zero);
    Value live = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, bx,
                                       points);
    Value store = arith::AndIOp::create(b, loc, first, live);
    auto ifOp = scf::IfOp::create(b, loc, store, /*withElse=*/false);
    OpBuilder ib = ifOp.getThenBodyBuilder();
    SmallVector<Value> parallelIvs = delinearize(ib, loc, bx, parallelSizes);
    SmallVector<Value> ivs = fullIndices(parallelIvs, {});
    for (auto [i, f] : llvm::enumerate(folds)) {
      OpOperand *init = op.getDpsInitOperand(i);
      SmallVector<Value> at =
          operandIndices(ib, loc, op.getMatchingIndexingMap(init), ivs);
      Value initial = memref::LoadOp::create(ib, loc, init->get(), at);
      Value total = memref::LoadOp::create(ib, loc, shm[i], ValueRange{zero});
      memref::StoreOp::create(ib, loc, combine(ib, f, initial, total),
                              init->get(), at);
    }
  }
  gpu::TerminatorOp::create(b, loc);
  op->erase();
}

/// True if exactly one input reads the reduction loops: a reduction of one
/// tensor (softmax's row maximum and sum, a mean), not a contraction, where
/// threads of one output reading consecutive terms read consecutive memory.
bool isPlainReduction(linalg::LinalgOp op) {
  int reading = 0;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    for (unsigned d = 0; d < iterators.size(); ++d)
      if (iterators[d] == utils::IteratorType::reduction &&
          map.isFunctionOfDim(d)) {
        ++reading;
        break;
      }
  }
  return reading == 1;
}

/// The product of the static extents among `dims` of `op`'s loops; whether
/// any of them is dynamic.
std::pair<int64_t, bool> staticExtent(linalg::LinalgOp op,
                                      utils::IteratorType kind) {
  int64_t extent = 1;
  bool dynamic = false;
  for (auto [size, k] :
       llvm::zip(op.getStaticLoopRanges(), op.getIteratorTypesArray())) {
    if (k != kind)
      continue;
    if (ShapedType::isDynamic(size))
      dynamic = true;
    else
      extent *= size;
  }
  return {extent, dynamic};
}

struct GpuMapBlockReductionsPass
    : public diffc::impl::GpuMapBlockReductionsPassBase<
          GpuMapBlockReductionsPass> {
  using GpuMapBlockReductionsPassBase::GpuMapBlockReductionsPassBase;

  void runOnOperation() override {
    if (failed(checkBlockSize(getOperation(), blockSize)))
      return signalPassFailure();
    if (!llvm::isPowerOf2_64(blockSize)) {
      getOperation()->emitError()
          << "diffc-gpu-map-block-reductions: block-size " << blockSize
          << " is not a power of two";
      return signalPassFailure();
    }
    if (warpSize < 1 || warpSize > blockSize || !llvm::isPowerOf2_64(warpSize)) {
      getOperation()->emitError()
          << "diffc-gpu-map-block-reductions: warp-size " << warpSize
          << " is not a power of two up to block-size";
      return signalPassFailure();
    }
    struct Choice {
      linalg::LinalgOp op;
      SmallVector<Fold> folds;
      int64_t threads;
    };
    SmallVector<Choice> chosen;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isMappableLinalgOp(op) || op.getNumReductionLoops() == 0)
        return;
      auto [terms, dynamicTerms] =
          staticExtent(op, utils::IteratorType::reduction);
      auto [points, dynamicPoints] =
          staticExtent(op, utils::IteratorType::parallel);
      (void)dynamicPoints; // a batch: its static part decides
      int64_t threads = 0;
      if ((dynamicTerms || terms >= minTerms) && points <= maxPoints)
        threads = blockSize;
      else if ((dynamicTerms || terms >= warpTerms) && isPlainReduction(op))
        threads = warpSize;
      if (!threads)
        return;
      FailureOr<SmallVector<Fold>> folds = foldsOf(op);
      if (failed(folds))
        return;
      chosen.push_back({op, *folds, threads});
    });
    for (Choice &c : chosen)
      mapToBlocks(c.op, c.folds, c.threads);
  }
};

} // namespace
