//===- Passes.h - diffc dialect passes --------------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_DIFFC_PASSES_H
#define DIFFC_PASSES_DIFFC_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::diffc {

#define GEN_PASS_DECL
#include "passes/Diffc/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Diffc/Passes.h.inc"

} // namespace mlir::diffc

#endif // DIFFC_PASSES_DIFFC_PASSES_H
