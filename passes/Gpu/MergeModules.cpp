//===- MergeModules.cpp - one gpu.module for all outlined kernels ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// gpu-kernel-outlining gives every kernel a gpu.module of its own; the
// artifact holds one code object per GPU target, so the kernels are gathered
// into one module, which the NVPTX backend turns into one PTX text.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUMERGEMODULESPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

struct GpuMergeModulesPass
    : public diffc::impl::GpuMergeModulesPassBase<GpuMergeModulesPass> {
  using GpuMergeModulesPassBase::GpuMergeModulesPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), "diffc_kernels_tmp");
    Block *into = merged.getBody();
    // Outlining uniques the module names (f_kernel, f_kernel_0, ...) but
    // names every kernel after its function (f_kernel in each): a kernel
    // takes its module's name, plus its own when a module has several.
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp m : modules) {
      SmallVector<gpu::GPUFuncOp> funcs(m.getOps<gpu::GPUFuncOp>());
      for (gpu::GPUFuncOp f : funcs) {
        StringAttr newName =
            funcs.size() == 1
                ? m.getNameAttr()
                : StringAttr::get(ctx, m.getName() + "_" + f.getName());
        renamed[{m.getNameAttr(), f.getNameAttr()}] = newName;
        f.setName(newName);
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(
          {launch.getKernelModuleName(), launch.getKernelName()});
      if (it != renamed.end())
        launch.setKernelAttr(SymbolRefAttr::get(
            launch.getKernelModuleName(),
            {FlatSymbolRefAttr::get(ctx, it->second)}));
    });
    for (gpu::GPUModuleOp m : modules) {
      for (Operation &op : llvm::make_early_inc_range(*m.getBody())) {
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        if (auto sym = dyn_cast<SymbolOpInterface>(op))
          if (SymbolTable::lookupSymbolIn(merged, sym.getNameAttr())) {
            op.emitError() << "two outlined kernels are named "
                           << sym.getNameAttr();
            return signalPassFailure();
          }
        op.moveBefore(into, into->end());
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      launch.setKernelAttr(SymbolRefAttr::get(
          StringAttr::get(ctx, moduleName),
          {FlatSymbolRefAttr::get(ctx, launch.getKernelName())}));
    });
    for (gpu::GPUModuleOp m : modules)
      m.erase();
    merged.setName(moduleName);
  }
};

} // namespace
