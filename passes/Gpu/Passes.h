//===- Passes.h - diffc GPU passes ------------------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The GPU side of `diffc compile --target=sm_XX` (docs/gpu.md): mapping
// bufferized linalg ops to gpu.launch kernels, and running those kernels'
// logic as host loops for the CPU checks.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_GPU_PASSES_H
#define DIFFC_PASSES_GPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mlir::diffc {

#define GEN_PASS_DECL
#include "passes/Gpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Gpu/Passes.h.inc"

/// The attribute diffc-gpu-map-elementwise puts on each gpu.launch: a
/// dictionary {block = [x, y, z], elements = N (-1: dynamic)}.
constexpr llvm::StringLiteral kGpuKernelAttrName = "diffc.gpu_kernel";

} // namespace mlir::diffc

#endif // DIFFC_PASSES_GPU_PASSES_H
