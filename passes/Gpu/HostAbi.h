//===- HostAbi.h - The runtime functions GPU host code calls ----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Shared by the passes that write the host side of a GPU artifact
// (diffc-gpu-launch-to-calls, diffc-gpu-host-sync): the names of the
// runtime's launch ABI (runtime/src/cuda/gpu_executor.h), declaring them,
// and finding the buffer a memref value views.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_GPU_HOSTABI_H
#define DIFFC_PASSES_GPU_HOSTABI_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::diffc {

constexpr llvm::StringLiteral kGpuLaunchFn = "diffc_gpu_launch";
constexpr llvm::StringLiteral kGpuSyncFn = "diffc_gpu_sync";
constexpr llvm::StringLiteral kGpuGlobalFn = "diffc_gpu_global";

/// The private declaration of runtime function `name` in `module`, added at
/// its end unless it exists.
func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name,
                                    FunctionType type);

/// The buffer `value` views: followed through view-like ops and
/// memref.cast to the value that owns the memory (an allocation, a global,
/// a block argument).
Value rootBuffer(Value value);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_GPU_HOSTABI_H
