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

#include "passes/Gpu/HostAbi.h"
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

using diffc::kGpuLaunchFn;
using diffc::kGpuSyncFn;

/// Which functions of the module launch kernels, directly or through calls.
class Launchers {
public:
  explicit Launchers(ModuleOp module) : module_(module) {}
  bool launches(func::FuncOp f) {
    auto [it, inserted] = known_.try_emplace(f, false);
    if (!inserted)
      return it->second;
    bool result = f.isExternal(); // unknown code: assume it may
    f.walk([&](func::CallOp call) {
      if (call.getCallee() == kGpuLaunchFn)
        result = true;
      else if (auto callee = module_.lookupSymbol<func::FuncOp>(call.getCallee()))
        result |= callee != f && launches(callee);
    });
    known_[f] = result;
    return result;
  }

private:
  ModuleOp module_;
  llvm::DenseMap<Operation *, bool> known_;
};

/// True if the buffer allocated as `root` can reach a kernel: its pointer is
/// taken (what diffc-gpu-launch-to-calls does for launch parameters), it is
/// passed to a function that launches, or it escapes the function through a
/// return or a region's yield (conservatively).
bool reachesDevice(Value root, ModuleOp module, Launchers &launchers) {
  SmallVector<Value> work = {root};
  llvm::SmallPtrSet<Value, 8> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (Operation *user : v.getUsers()) {
      // Host-only uses: reading, writing, freeing it, its shape.
      if (isa<memref::LoadOp, memref::StoreOp, memref::DeallocOp,
              memref::DimOp>(user))
        continue;
      if (auto call = dyn_cast<func::CallOp>(user)) {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
        if (!callee || launchers.launches(callee) || call.getNumResults())
          return true; // may launch with it, or return an alias of it
        continue;
      }
      if (isa<memref::CastOp>(user)) {
        work.push_back(user->getResult(0));
        continue;
      }
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == v) {
        for (Value r : user->getResults())
          work.push_back(r);
        continue;
      }
      // Anything else (its pointer taken for a launch, a select, a loop's
      // or region's operand, a return) may carry it to a kernel.
      return true;
    }
  }
  return false;
}

/// True if `value` is a buffer only the host uses: host stack memory, a
/// global (kernels read their own device copy of globals), or an
/// allocation that never reaches a kernel (deallocation bookkeeping).
bool isHostOnly(Value value, ModuleOp module, Launchers &launchers,
                const llvm::DenseSet<Value> &hostArgs = {}) {
  Value root = diffc::rootBuffer(value);
  Operation *def = root.getDefiningOp();
  if (!def)
    return hostArgs.contains(root);
  if (isa<memref::AllocaOp, memref::GetGlobalOp>(def))
    return true;
  return isa<memref::AllocOp>(def) && !reachesDevice(root, module, launchers);
}

/// Buffer arguments of private functions that launch nothing and get only
/// host-only buffers at every call (the deallocation helper's bookkeeping).
llvm::DenseSet<Value> hostOnlyArguments(ModuleOp module, Launchers &launchers) {
  llvm::DenseMap<Operation *, SmallVector<func::CallOp>> calls;
  module.walk([&](func::CallOp call) {
    if (auto f = module.lookupSymbol<func::FuncOp>(call.getCallee()))
      calls[f].push_back(call);
  });
  llvm::DenseSet<Value> result;
  for (func::FuncOp f : module.getOps<func::FuncOp>()) {
    if (f.isExternal() || f.isPublic() || launchers.launches(f))
      continue;
    for (BlockArgument arg : f.getArguments()) {
      if (!isa<BaseMemRefType>(arg.getType()))
        continue;
      bool hostOnly = true;
      for (func::CallOp call : calls[f])
        hostOnly &= isHostOnly(call.getOperand(arg.getArgNumber()), module,
                               launchers);
      if (hostOnly)
        result.insert(arg);
    }
  }
  return result;
}

/// True if `op` reads or writes the contents of a buffer kernels may use.
bool touchesDeviceMemory(Operation *op, ModuleOp module, Launchers &launchers,
                         const llvm::DenseSet<Value> &hostArgs) {
  auto isHostOnly = [&](Value v) {
    return ::isHostOnly(v, module, launchers, hostArgs);
  };
  if (isa<func::CallOp, func::ReturnOp>(op))
    return false; // callees wait for themselves; the runtime after a call
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects) {
    // Unknown effects: wait if it has buffer operands at all.
    return llvm::any_of(op->getOperands(), [&](Value v) {
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
    Launchers launchers(module);
    const llvm::DenseSet<Value> hostArgs = hostOnlyArguments(module, launchers);
    module.walk([&](func::FuncOp f) {
      if (f.isExternal())
        return;
      f.walk([&](Operation *op) {
        // Ops with regions are judged by their nested ops.
        if (op->getNumRegions() != 0 ||
            !touchesDeviceMemory(op, module, launchers, hostArgs))
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
    func::FuncOp syncFn = diffc::declareRuntimeFunction(
        module, kGpuSyncFn, FunctionType::get(ctx, {}, {}));
    auto isWait = [&](Operation *op) {
      auto call = dyn_cast_or_null<func::CallOp>(op);
      return call && call.getCallee() == kGpuSyncFn;
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
