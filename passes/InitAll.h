//===- InitAll.h - register every diffc dialect and pass --------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The one place that knows the full set of dialects and passes, so that
// diffc-opt (for lit) and the diffc compiler driver see the same world.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_INITALL_H
#define DIFFC_PASSES_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::diffc {

/// Adds the diffc dialect and the upstream dialects diffc programs use
/// (func, arith, tensor, scf, math) to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers diffc's passes and pipelines and the upstream passes the tools
/// expose (canonicalize, cse, ...) with the global pass registry.
void registerAllPasses();

} // namespace mlir::diffc

#endif // DIFFC_PASSES_INITALL_H
