//===- InitAll.cpp - register every diffc dialect and pass ----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Only the upstream dialects diffc uses are registered: InitAllDialects.h
// costs 2.6 GB of compiler memory for one translation unit.
//
//===----------------------------------------------------------------------===//

#include "passes/InitAll.h"

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "passes/Diffc/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::diffc::registerAllDialects(DialectRegistry &registry) {
  registry.insert<diffc::DiffcDialect, arith::ArithDialect,
                  func::FuncDialect, math::MathDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
}

void mlir::diffc::registerAllPasses() {
  mlir::registerTransformsPasses();
  registerDiffcPasses();
}
