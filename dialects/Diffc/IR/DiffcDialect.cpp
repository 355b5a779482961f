//===- DiffcDialect.cpp - diffc dialect registration ----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Dialect registration and the TableGen'd definitions. Verifiers live beside
// their op groups: NetworkOps.cpp, SamplerOps.cpp, TrainingOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::diffc;

#include "dialects/Diffc/IR/DiffcDialect.cpp.inc"
#include "dialects/Diffc/IR/DiffcEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Diffc/IR/DiffcAttrs.cpp.inc"

void DiffcDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Diffc/IR/DiffcAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Diffc/IR/DiffcOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/Diffc/IR/DiffcOps.cpp.inc"
