//===- code_loader.h - Loading native code objects --------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private to the runtime (Session is the public face). Loads the host's
// elf_shared_object code object of an artifact straight from memory and
// resolves every entry point's and every parameter's symbol up front, so a
// missing symbol is a load error rather than a failure halfway through a
// sampling loop.
//
// Parameter symbols are written to, so each one is checked before its
// address is handed out: it must be defined by the code object itself (not
// by a library it depends on), be a data object of exactly the parameter's
// size, and lie in a writable segment outside RELRO. A compiler that gets
// any of this wrong produces a load error instead of a crash or a silent
// overwrite of unrelated memory.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_CODE_LOADER_H
#define DIFFC_RUNTIME_CODE_LOADER_H

#include "diffc/artifact.h"

#include <memory>
#include <string>
#include <vector>

namespace diffc {
namespace detail {

/// The packed calling convention of artifact.fbs: one pointer per expanded
/// argument, then one to the result storage.
using EntryFunction = void (*)(void **args);

/// A dlopen'ed host code object; dlclose'd on destruction.
class LoadedCode {
public:
  /// Loads the code object for hostTarget() and resolves the symbols of all
  /// entry points. On failure returns null and sets *error to one line naming
  /// the artifact.
  static std::unique_ptr<LoadedCode>
  load(const Artifact &artifact, std::string *error,
       CodeFormat format = CodeFormat::elf_shared_object);
  ~LoadedCode();
  LoadedCode(const LoadedCode &) = delete;
  LoadedCode &operator=(const LoadedCode &) = delete;

  /// The function of entry point `index` (in Artifact::entryPoints() order).
  EntryFunction function(size_t index) const { return functions_[index]; }

  /// The storage of parameter `index` (in Artifact::parameters() order):
  /// writable, exactly byteSize(type, shape) bytes.
  void *parameterStorage(size_t index) const { return parameters_[index]; }

private:
  LoadedCode() = default;
  void *handle_ = nullptr;
  /// The memfd the library was opened through, kept open while it is loaded
  /// (see code_loader.cpp), or -1.
  int fd_ = -1;
  std::string openedAs_;
  std::vector<EntryFunction> functions_;
  std::vector<void *> parameters_;
};

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_CODE_LOADER_H
