//===- inflate.h - zlib and gzip decompression ------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private to the runtime: the two compressed containers the dataset readers
// meet, gzip files (Fashion-MNIST's IDX files, sklearn's digits.csv.gz) and
// the zlib stream inside a PNG's IDAT chunks, both inflated by zlib. Errors
// are one line "<name>: <problem>"; corrupt or truncated input is an error,
// never a crash or a silently short result.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_INFLATE_H
#define DIFFC_RUNTIME_INFLATE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace diffc {
namespace detail {

/// The container inflate() expects.
enum class Compression { gzip, zlib };

/// Inflates `size` bytes at `data` into *out. gzip input may hold several
/// members (they are concatenated, as gunzip does); its CRC-32 and length
/// trailers are checked, as is a zlib stream's Adler-32. Output beyond
/// `maxOutput` bytes is an error (a guard against decompression bombs).
/// `name` stands for the input in messages.
bool inflateBytes(const std::string &name, const uint8_t *data, size_t size,
                  Compression kind, size_t maxOutput, std::vector<uint8_t> *out,
                  std::string *error);

/// Reads the gzip file `path` whole and inflates it.
bool gunzipFile(const std::string &path, size_t maxOutput,
                std::vector<uint8_t> *out, std::string *error);

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_INFLATE_H
