//===- PlanMemory.cpp - liveness-based arena planning ---------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// After bufferization every intermediate is its own memref.alloc (one malloc
// per tensor per call). This pass gives each block's temporaries places in
// one arena, reusing bytes between buffers whose lifetimes do not overlap.
//
// The batch stays dynamic: a buffer's size is either static or k * n bytes
// for one dynamic extent n (the batch). Buffers are planned in one region
// per extent value (static ones in their own), where offsets are o * n.
// Scaling a valid placement by n keeps it valid, so one plan serves every
// batch size.
//
//===----------------------------------------------------------------------===//

#include "passes/Diffc/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <map>

namespace mlir::diffc {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/Diffc/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

constexpr int64_t kAlign = 64;

int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

/// Where a dynamic extent comes from: dimension `dim` of memref `root` (or
/// the index value `root` itself when dim < 0), times `factor`. Allocations
/// sized by different SSA values (dims of different views of one input)
/// share a region when they resolve to the same root.
struct Extent {
  Value root;
  int64_t dim = -1;
  int64_t factor = 1;
};

/// A temporary of one block: its allocation, live range (positions of ops in
/// the block) and size (bytes, or bytes per unit of the dynamic extent).
struct Buffer {
  memref::AllocOp alloc;
  int64_t first = 0, last = 0;
  /// Bytes, or bytes per unit of `extent` when the size is dynamic.
  int64_t size = 0;
  bool dynamic = false;
  Extent extent;
  int64_t offset = 0;
};

/// Greedy placement, largest first, at the lowest offset that does not
/// overlap a placed buffer with an intersecting live range. Returns the
/// region's size.
int64_t place(std::vector<Buffer *> &buffers) {
  std::stable_sort(buffers.begin(), buffers.end(),
                   [](Buffer *a, Buffer *b) { return a->size > b->size; });
  std::vector<Buffer *> placed;
  int64_t peak = 0;
  for (Buffer *b : buffers) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (Buffer *p : placed)
      if (p->first <= b->last && b->first <= p->last)
        busy.push_back({p->offset, p->offset + p->size});
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->size <= lo)
        break;
      offset = std::max(offset, alignUp(hi));
    }
    b->offset = offset;
    peak = std::max(peak, offset + b->size);
    placed.push_back(b);
  }
  return peak;
}

/// Follows views of `root` and records the block positions of all uses.
/// Returns false when the buffer escapes the block: returned, yielded,
/// passed to a call that returns memrefs, or deallocated explicitly.
bool liveRange(Value root, Block &block,
               const llvm::DenseMap<Operation *, int64_t> &position,
               int64_t &last) {
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp, scf::YieldOp, memref::DeallocOp>(user))
        return false;
      if (auto call = dyn_cast<CallOpInterface>(user))
        if (llvm::any_of(call->getResultTypes(), llvm::IsaPred<MemRefType>))
          return false;
      // Any memref an op makes from the buffer may alias it (views,
      // casts, reshapes, and memref.transpose, which in MLIR 22 does not
      // implement ViewLikeOpInterface): its uses extend the live range.
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType()))
          worklist.push_back(r);
      Operation *anchor = block.findAncestorOpInBlock(*user);
      if (!anchor)
        return false;
      last = std::max(last, position.lookup(anchor));
    }
  }
  return true;
}

Extent resolveScalar(Value n, int64_t factor, int depth);

/// Follows dimension `dim` of `memref` through allocations, transposes and
/// reshapes that keep it a multiple of one dynamic source dimension.
Extent resolveDim(Value memref, int64_t dim, int64_t factor, int depth) {
  Extent here{memref, dim, factor};
  Operation *def = memref.getDefiningOp();
  if (!def || depth > 64)
    return here;
  if (auto alloc = dyn_cast<memref::AllocOp>(def)) {
    if (!alloc.getType().isDynamicDim(dim))
      return here;
    // The dynamic sizes are in order of the dynamic dimensions.
    int64_t slot = alloc.getType().getDynamicDimIndex(dim);
    return resolveScalar(alloc.getDynamicSizes()[slot], factor, depth + 1);
  }
  if (auto t = dyn_cast<memref::TransposeOp>(def))
    return resolveDim(t.getIn(), t.getPermutation().getDimPosition(dim),
                      factor, depth + 1);
  if (auto c = dyn_cast<memref::CollapseShapeOp>(def)) {
    MemRefType src = c.getSrcType();
    int64_t dynamic = -1, scale = 1;
    for (int64_t s : c.getReassociationIndices()[dim]) {
      if (!src.isDynamicDim(s)) {
        scale *= src.getDimSize(s);
      } else if (dynamic < 0) {
        dynamic = s;
      } else {
        return here; // two dynamic dimensions in one group
      }
    }
    if (dynamic < 0)
      return here;
    return resolveDim(c.getSrc(), dynamic, factor * scale, depth + 1);
  }
  if (auto x = dyn_cast<memref::ExpandShapeOp>(def)) {
    MemRefType result = x.getResultType();
    for (auto [s, group] : llvm::enumerate(x.getReassociationIndices())) {
      if (!llvm::is_contained(group, dim))
        continue;
      // The other dimensions of the group must be 1 for equal extents.
      for (int64_t r : group)
        if (r != dim && result.getDimSize(r) != 1)
          return here;
      return resolveDim(x.getSrc(), s, factor, depth + 1);
    }
  }
  return here;
}

Extent resolveScalar(Value n, int64_t factor, int depth) {
  if (auto d = n.getDefiningOp<memref::DimOp>())
    if (std::optional<int64_t> index = d.getConstantIndex())
      return resolveDim(d.getSource(), *index, factor, depth + 1);
  return {n, -1, factor};
}

/// Orders region keys (value identity, then dimension).
struct KeyLess {
  bool operator()(const std::pair<Value, int64_t> &a,
                  const std::pair<Value, int64_t> &b) const {
    if (a.first != b.first)
      return a.first.getAsOpaquePointer() < b.first.getAsOpaquePointer();
    return a.second < b.second;
  }
};

struct PlanMemoryPass
    : public diffc::impl::PlanMemoryPassBase<PlanMemoryPass> {
  void runOnOperation() override {
    getOperation()->walk([&](Block *block) { planBlock(*block); });
  }

  void planBlock(Block &block) {
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t index = 0;
    for (Operation &op : block)
      position[&op] = index++;

    std::vector<Buffer> buffers;
    for (Operation &op : block) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc || !alloc.getType().getLayout().isIdentity() ||
          !alloc.getSymbolOperands().empty() ||
          alloc.getDynamicSizes().size() > 1)
        continue;
      MemRefType type = alloc.getType();
      if (!type.getElementType().isIntOrFloat() ||
          type.getElementTypeBitWidth() % 8 != 0)
        continue;
      int64_t bytes = type.getElementTypeBitWidth() / 8;
      for (int64_t d : type.getShape())
        if (!ShapedType::isDynamic(d))
          bytes *= d;
      Buffer b;
      b.alloc = alloc;
      b.size = bytes;
      if (!alloc.getDynamicSizes().empty()) {
        b.dynamic = true;
        int64_t d = 0;
        while (!type.isDynamicDim(d))
          ++d;
        b.extent = resolveDim(alloc.getResult(), d, 1, 0);
        b.size = bytes * b.extent.factor;
      }
      b.first = b.last = position[alloc];
      if (!liveRange(alloc.getResult(), block, position, b.last))
        continue;
      buffers.push_back(b);
    }
    // The arena's size needs each region's extent, so buffers allocated
    // before the definition of their extent's root in this block are left
    // to malloc.
    int64_t start = 0;
    for (Buffer &b : buffers)
      if (b.dynamic)
        if (Operation *def = b.extent.root.getDefiningOp())
          if (def->getBlock() == &block)
            start = std::max(start, position[def] + 1);
    llvm::erase_if(buffers, [&](const Buffer &b) { return b.first < start; });
    if (buffers.size() < 2)
      return;

    // One region per extent root (static buffers share one), in order of
    // first appearance.
    using Key = std::pair<Value, int64_t>;
    auto keyOf = [](const Buffer &b) {
      return b.dynamic ? Key{b.extent.root, b.extent.dim} : Key{Value(), -2};
    };
    SmallVector<Key> keys;
    std::map<Key, std::vector<Buffer *>, KeyLess> regions;
    for (Buffer &b : buffers) {
      auto [it, inserted] = regions.try_emplace(keyOf(b));
      if (inserted)
        keys.push_back(keyOf(b));
      it->second.push_back(&b);
    }

    // The arena goes at the first planned allocation; region bases are
    // computed there once.
    Operation *first = buffers.front().alloc;
    for (Buffer &b : buffers)
      if (b.alloc->isBeforeInBlock(first))
        first = b.alloc;
    OpBuilder builder(first);
    Location loc = first->getLoc();
    auto cst = [&](int64_t v) {
      return arith::ConstantIndexOp::create(builder, loc, v).getResult();
    };
    std::map<Key, Value, KeyLess> base, unit;
    std::map<Key, int64_t, KeyLess> peaks;
    Value total = cst(0);
    for (const Key &k : keys) {
      peaks[k] = alignUp(place(regions[k]));
      base[k] = total;
      Value bytes = cst(peaks[k]);
      if (k.second != -2) {
        Value n = k.second < 0 ? k.first
                               : memref::DimOp::create(builder, loc, k.first,
                                                       k.second)
                                     .getResult();
        unit[k] = n;
        bytes = arith::MulIOp::create(builder, loc, n, bytes);
      }
      total = arith::AddIOp::create(builder, loc, total, bytes);
    }
    auto arenaType =
        MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
    Value arena = memref::AllocOp::create(builder, loc, arenaType,
                                          ValueRange{total},
                                          builder.getI64IntegerAttr(kAlign));
    for (Buffer &b : buffers) {
      Key k = keyOf(b);
      OpBuilder vb(b.alloc);
      Value offset = arith::ConstantIndexOp::create(vb, loc, b.offset);
      if (b.dynamic)
        offset = arith::MulIOp::create(vb, loc, unit[k], offset);
      Value shift = arith::AddIOp::create(vb, loc, base[k], offset);
      Value view = memref::ViewOp::create(vb, b.alloc.getLoc(),
                                          b.alloc.getType(), arena, shift,
                                          b.alloc.getDynamicSizes());
      b.alloc.getResult().replaceAllUsesWith(view);
      b.alloc.erase();
    }

    // Recorded for `diffc compile --stats`: bytes with reuse (the plan) and
    // without (every buffer its own allocation), as a static part plus a
    // part per unit of the dynamic extents (the batch).
    int64_t peakStatic = 0, peakDynamic = 0, sumStatic = 0, sumDynamic = 0;
    for (const Key &k : keys)
      (k.second == -2 ? peakStatic : peakDynamic) += peaks[k];
    for (Buffer &b : buffers)
      (b.dynamic ? sumDynamic : sumStatic) += alignUp(b.size);
    MLIRContext *ctx = block.getParentOp()->getContext();
    auto i64 = [&](int64_t v) {
      return IntegerAttr::get(IntegerType::get(ctx, 64), v);
    };
    auto named = [&](const char *name, int64_t v) {
      return NamedAttribute(StringAttr::get(ctx, name), i64(v));
    };
    arena.getDefiningOp()->setAttr(
        "diffc.arena",
        DictionaryAttr::get(
            ctx, {named("buffers", buffers.size()),
                  named("peak_static", peakStatic),
                  named("peak_per_batch", peakDynamic),
                  named("sum_static", sumStatic),
                  named("sum_per_batch", sumDynamic)}));
  }
};

} // namespace
