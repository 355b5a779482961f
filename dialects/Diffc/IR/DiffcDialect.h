//===- DiffcDialect.h - diffc dialect ---------------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The diffc dialect, its enum attributes and its ops. Include this header to
// use any of them.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_DIALECTS_DIFFC_IR_DIFFCDIALECT_H
#define DIFFC_DIALECTS_DIFFC_IR_DIFFCDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Diffc/IR/DiffcDialect.h.inc"
#include "dialects/Diffc/IR/DiffcInterfaces.h.inc"
#include "dialects/Diffc/IR/DiffcEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Diffc/IR/DiffcAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Diffc/IR/DiffcOps.h.inc"

#endif // DIFFC_DIALECTS_DIFFC_IR_DIFFCDIALECT_H
