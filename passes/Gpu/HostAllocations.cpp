//===- HostAllocations.cpp - host buffers from the GPU allocator ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The host code of a GPU artifact allocates the buffers its kernels write.
// finalize-memref-to-llvm{use-generic-functions} calls MLIR's generic
// allocation functions, which the runtime implements for CPU code with host
// memory; here they are renamed to the runtime's GPU allocator, which hands
// out memory the kernels can address and the host code can still read.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPUHOSTALLOCATIONSPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

struct GpuHostAllocationsPass
    : public diffc::impl::GpuHostAllocationsPassBase<GpuHostAllocationsPass> {
  using GpuHostAllocationsPassBase::GpuHostAllocationsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    static constexpr std::pair<StringLiteral, StringLiteral> kRenames[] = {
        {"_mlir_memref_to_llvm_alloc", "diffc_gpu_alloc"},
        {"_mlir_memref_to_llvm_aligned_alloc", "diffc_gpu_aligned_alloc"},
        {"_mlir_memref_to_llvm_free", "diffc_gpu_free"},
    };
    SymbolTable symbols(module);
    for (auto [from, to] : kRenames) {
      Operation *decl = symbols.lookup(from);
      if (!decl)
        continue;
      if (!isa<LLVM::LLVMFuncOp>(decl) ||
          !cast<LLVM::LLVMFuncOp>(decl).isExternal()) {
        decl->emitError() << "@" << from
                          << " must be an external llvm.func to be routed "
                             "to the GPU allocator";
        return signalPassFailure();
      }
      if (symbols.lookup(to)) {
        decl->emitError() << "@" << to << " is already defined";
        return signalPassFailure();
      }
      if (failed(symbols.rename(decl, StringAttr::get(&getContext(), to))))
        return signalPassFailure();
    }
  }
};

} // namespace
