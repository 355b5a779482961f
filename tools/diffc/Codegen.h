//===- Codegen.h - LLVM dialect to a loadable x86-64 code object -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The last steps of `diffc compile --target=x86_64`: translate the LLVM
// dialect module to LLVM IR, add one packed entry wrapper per public function
// (the calling convention in runtime/schemas/artifact.fbs), optimize at O3 for
// the chosen CPU, emit an object file and link it into an ELF shared object
// that the runtime loads with dlopen.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_CODEGEN_H
#define DIFFC_TOOLS_DIFFC_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace diffc {

struct CpuCodegenOptions {
  /// LLVM CPU name; x86-64-v3 is AVX2 + FMA (Haswell, Zen and newer).
  std::string cpu = "x86-64-v3";
  /// Write the optimized LLVM IR here when not empty (for --emit=llvm).
  std::string llvmIrPath;
};

/// Symbol of the packed wrapper of entry function `name`.
std::string entrySymbol(llvm::StringRef name);

/// Compiles `module` (all in the LLVM dialect) into the bytes of a shared
/// object exporting `entrySymbol(f)` for each name in `entries`. Returns false
/// and sets `error` on failure.
bool compileToSharedObject(mlir::ModuleOp module,
                           const std::vector<std::string> &entries,
                           const CpuCodegenOptions &options,
                           std::vector<char> &sharedObject, std::string &error);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_CODEGEN_H
