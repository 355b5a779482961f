//===- diffc-opt.cpp - the diffc optimizer driver -------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// MlirOptMain over diffc's dialects and passes: parses, verifies, runs passes
// and prints IR. Lit tests drive every dialect and pass through it.
//
//===----------------------------------------------------------------------===//

#include "passes/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::diffc::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::diffc::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "diffc optimizer driver: parse, verify and transform diffc IR\n",
      registry));
}
