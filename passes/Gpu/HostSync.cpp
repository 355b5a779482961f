//===- HostSync.cpp - wait for the GPU before host memory accesses --------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Kernel launches return before the kernels ran. Host code that reads or
// writes a buffer the kernels may use (a radix-select loop of thresholding,
// a host copy) must wait first; host code that only launches does not, so a
// sampler loop runs without waits unless its body touches memory itself.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUHOSTSYNCPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

constexpr StringLiteral kSyncFn = "diffc_gpu_sync";

/// True if `value` is a buffer only the host uses: host stack memory or a
/// global (kernels read their own device copy of globals).
bool isHostOnly(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (isa<memref::AllocaOp, memref::GetGlobalOp>(def))
      return true;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view || view.getViewSource() == value)
      return false;
    value = view.getViewSource();
  }
  return false;
}

/// True if `op` reads or writes the contents of a buffer kernels may use.
bool touchesDeviceMemory(Operation *op) {
  if (isa<func::CallOp, func::ReturnOp>(op))
    return false; // callees wait for themselves; the runtime after a call
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects) {
    // Unknown effects: wait if it has buffer operands at all.
    return llvm::any_of(op->getOperands(), [](Value v) {
      return isa<BaseMemRefType>(v.getType()) && !isHostOnly(v);
    });
  }
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  for (const MemoryEffects::EffectInstance &e : list) {
    if (!isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()))
      continue;
    Value v = e.getValue();
    if (!v || !isHostOnly(v))
      return true;
  }
  return false;
}

/// True if an earlier op of `op`'s block waits (or is an access that waits)
/// and nothing between them can launch: a call, or an op with a call inside.
template <typename IsWait>
bool waitedSinceLastLaunch(Operation *op,
                           const llvm::SmallPtrSetImpl<Operation *> &waiting,
                           IsWait isWait) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (isWait(prev) || waiting.contains(prev))
      return true;
    bool mayLaunch = false;
    prev->walk([&](func::CallOp) { mayLaunch = true; });
    if (mayLaunch)
      return false;
  }
  return false;
}

struct GpuHostSyncPass
    : public diffc::impl::GpuHostSyncPassBase<GpuHostSyncPass> {
  using GpuHostSyncPassBase::GpuHostSyncPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> waitBefore;
    module.walk([&](func::FuncOp f) {
      if (f.isExternal())
        return;
      f.walk([&](Operation *op) {
        // Ops with regions are judged by their nested ops.
        if (op->getNumRegions() != 0 || !touchesDeviceMemory(op))
          return;
        // Inside host-parallel loops, wait once before the outermost.
        Operation *at = op;
        for (Operation *p = op->getParentOp(); p && p != f;
             p = p->getParentOp())
          if (isa<scf::ParallelOp>(p))
            at = p;
        waitBefore.push_back(at);
      });
    });
    if (waitBefore.empty())
      return;

    MLIRContext *ctx = &getContext();
    auto syncFn = module.lookupSymbol<func::FuncOp>(kSyncFn);
    if (!syncFn) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      syncFn = func::FuncOp::create(b, module.getLoc(), kSyncFn,
                                    FunctionType::get(ctx, {}, {}));
      syncFn.setPrivate();
    }
    auto isWait = [&](Operation *op) {
      auto call = dyn_cast_or_null<func::CallOp>(op);
      return call && call.getCallee() == kSyncFn;
    };
    llvm::SmallPtrSet<Operation *, 16> done;
    for (Operation *op : waitBefore) {
      if (!done.insert(op).second)
        continue;
      if (waitedSinceLastLaunch(op, done, isWait))
        continue;
      OpBuilder b(op);
      func::CallOp::create(b, op->getLoc(), syncFn, ValueRange{});
    }
  }
};

} // namespace
