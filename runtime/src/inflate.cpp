//===- inflate.cpp - zlib and gzip decompression --------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "inflate.h"

#include "atomic_file.h"

#include <zlib.h>

#include <algorithm>

namespace diffc {
namespace detail {

bool inflateBytes(const std::string &name, const uint8_t *data, size_t size,
                  Compression kind, size_t maxOutput, std::vector<uint8_t> *out,
                  std::string *error) {
  out->clear();
  z_stream zs{};
  // 15-bit window; +16 asks for a gzip header and trailer.
  int windowBits = kind == Compression::gzip ? 15 + 16 : 15;
  if (inflateInit2(&zs, windowBits) != Z_OK)
    return fail(error, name + ": cannot initialize zlib");
  const char *what = kind == Compression::gzip ? "gzip" : "zlib";
  zs.next_in = const_cast<Bytef *>(data);
  uint8_t buffer[1 << 16];
  size_t consumed = 0;
  auto finish = [&](bool ok, const std::string &message) {
    inflateEnd(&zs);
    if (!ok) {
      out->clear();
      return fail(error, name + ": " + message);
    }
    return true;
  };
  for (;;) {
    // avail_in is 32 bits wide: feed large inputs in pieces.
    if (zs.avail_in == 0 && consumed < size) {
      size_t piece = std::min<size_t>(size - consumed, 1u << 30);
      zs.next_in = const_cast<Bytef *>(data + consumed);
      zs.avail_in = static_cast<uInt>(piece);
      consumed += piece;
    }
    zs.next_out = buffer;
    zs.avail_out = sizeof(buffer);
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(buffer) - zs.avail_out;
    if (out->size() + produced > maxOutput)
      return finish(false, std::string(what) + " data inflates to more than " +
                               std::to_string(maxOutput) + " bytes");
    out->insert(out->end(), buffer, buffer + produced);
    if (rc == Z_STREAM_END) {
      bool moreInput = zs.avail_in > 0 || consumed < size;
      if (kind == Compression::gzip && moreInput) {
        // Another gzip member follows (or trailing garbage, which the next
        // header check refuses).
        if (inflateReset(&zs) != Z_OK)
          return finish(false, "cannot reset zlib");
        continue;
      }
      if (moreInput)
        return finish(false, "unexpected bytes after the end of the zlib "
                             "stream");
      return finish(true, "");
    }
    if (rc == Z_DATA_ERROR)
      return finish(false, std::string("corrupt ") + what + " data (" +
                               (zs.msg ? zs.msg : "invalid deflate stream") +
                               ")");
    if (rc == Z_MEM_ERROR)
      return finish(false, "out of memory while inflating");
    if (rc == Z_BUF_ERROR ||
        (rc == Z_OK && produced == 0 && zs.avail_in == 0 && consumed == size))
      return finish(false, std::string("truncated ") + what +
                               " data (the compressed stream ends early)");
    if (rc != Z_OK)
      return finish(false, std::string("cannot inflate ") + what + " data");
  }
}

bool gunzipFile(const std::string &path, size_t maxOutput,
                std::vector<uint8_t> *out, std::string *error) {
  std::vector<uint8_t> compressed;
  if (!readWholeFile(path, &compressed, error))
    return false;
  return inflateBytes(path, compressed.data(), compressed.size(),
                      Compression::gzip, maxOutput, out, error);
}

} // namespace detail
} // namespace diffc
