//===- atomic_file.h - All-or-nothing file writes ---------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private to the runtime. Every file the runtime writes (artifacts, .npy
// results, later checkpoints) goes through writeFileAtomically so that a crash,
// a full disk or a bad path never leaves a half-written file where a complete
// one is expected (DESIGN.md decision 8).
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_ATOMIC_FILE_H
#define DIFFC_RUNTIME_ATOMIC_FILE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace diffc {
namespace detail {

/// A piece of the file's contents; pieces are written in order.
using ByteRange = std::pair<const void *, size_t>;

/// Writes the concatenation of `pieces` to `path`: a new file in the same
/// directory (mode 0666 & ~umask), fsync, rename over `path`, fsync of the
/// directory. On any failure the temporary file is removed, `path` is left as
/// it was, and *error is "<path>: <reason>". Never throws.
bool writeFileAtomically(const std::string &path,
                         const std::vector<ByteRange> &pieces,
                         std::string *error);

/// Reads the whole file into *out. On failure sets *error to
/// "<path>: <reason>".
bool readWholeFile(const std::string &path, std::vector<uint8_t> *out,
                   std::string *error);

/// Sets *error (if non-null) to `message` and returns false; lets error paths
/// be one statement.
inline bool fail(std::string *error, std::string message) {
  if (error)
    *error = std::move(message);
  return false;
}

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_ATOMIC_FILE_H
