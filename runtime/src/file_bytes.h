//===- file_bytes.h - read-only bytes of a mapped file ----------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Private to the runtime: the storage behind Artifact and SafetensorsFile.
// Files are mapped, not read, so weights are paged in on use; in-memory
// images are copied to 64-byte aligned memory so that offsets aligned in the
// file stay aligned.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_FILE_BYTES_H
#define DIFFC_RUNTIME_FILE_BYTES_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace diffc {
namespace detail {

/// Read-only bytes: a private file mapping or an aligned heap copy.
struct FileBytes {
  const uint8_t *data = nullptr;
  uint64_t size = 0;
  bool mapped = false;

  FileBytes() = default;
  FileBytes(const FileBytes &) = delete;
  FileBytes &operator=(const FileBytes &) = delete;
  ~FileBytes();

  /// Maps the regular file `path`. Fails with "<path>: <why>" when it
  /// cannot be opened or mapped, is not a regular file, or has fewer than
  /// `minSize` bytes ("truncated: the file has N bytes, <kind> has at least
  /// minSize"). (A file truncated by another process while mapped raises
  /// SIGBUS on access; diffc's writers replace files by rename, never in
  /// place.)
  bool map(const std::string &path, uint64_t minSize, const char *kind,
           std::string *error);

  /// Copies `size` bytes to 64-byte aligned memory; fails with
  /// "<name>: out of memory ...".
  bool copy(const std::string &name, const void *bytes, size_t size,
            std::string *error);
};

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_FILE_BYTES_H
