//===- DiffcInterfaces.cpp - diffc op interfaces --------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "dialects/Diffc/IR/DiffcInterfaces.cpp.inc"
