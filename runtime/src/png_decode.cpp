//===- png_decode.cpp - Reading 8-bit PNG images --------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The training data reader for folders of images (PNG, ISO/IEC 15948):
// signature, then chunks (length, type, data, CRC-32 of type and data).
// IHDR comes first, PLTE before the image data, the IDAT chunks together
// hold one zlib stream, IEND ends the file. Each scanline starts with a
// filter byte (none, sub, up, average, Paeth) that is undone here.
//
// Supported: bit depth 8, greyscale, RGB, palette, greyscale + alpha and
// RGBA, not interlaced; alpha is dropped. Anything else, and every CRC,
// length or stream inconsistency, is a one-line error naming the file.
//
//===----------------------------------------------------------------------===//

#include "diffc/image.h"

#include "atomic_file.h"
#include "inflate.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>

using namespace diffc;

namespace {

uint32_t readU32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
         (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

/// Largest image accepted, in pixels (a 16k x 16k RGB image is 768 MiB).
constexpr uint64_t kMaxPixels = uint64_t(1) << 28;

uint8_t paeth(uint8_t a, uint8_t b, uint8_t c) {
  int p = int(a) + int(b) - int(c);
  int pa = std::abs(p - int(a)), pb = std::abs(p - int(b)),
      pc = std::abs(p - int(c));
  if (pa <= pb && pa <= pc)
    return a;
  return pb <= pc ? b : c;
}

} // namespace

bool diffc::decodePng(const std::string &name, const uint8_t *data, size_t size,
                      DecodedImage *out, std::string *error) {
  auto fail = [&](const std::string &message) {
    return detail::fail(error, name + ": " + message);
  };
  static const uint8_t kSignature[8] = {0x89, 'P',  'N',  'G',
                                        '\r', '\n', 0x1A, '\n'};
  if (size < 8 || std::memcmp(data, kSignature, 8) != 0)
    return fail("not a PNG file (no PNG signature)");

  uint32_t width = 0, height = 0;
  int colorType = -1, srcChannels = 0;
  std::vector<uint8_t> palette, idat;
  bool seenIend = false;
  size_t pos = 8;
  while (!seenIend) {
    if (size - pos < 12)
      return fail("truncated PNG (the file ends inside a chunk header, "
                  "before IEND)");
    uint32_t length = readU32(data + pos);
    char type[5] = {char(data[pos + 4]), char(data[pos + 5]),
                    char(data[pos + 6]), char(data[pos + 7]), 0};
    if (length > size - pos - 12)
      return fail(std::string("truncated PNG (chunk ") + type + " of " +
                  std::to_string(length) + " bytes runs past the end)");
    const uint8_t *body = data + pos + 8;
    uint32_t crc = uint32_t(::crc32(0, data + pos + 4, length + 4));
    if (crc != readU32(body + length))
      return fail(std::string("corrupt PNG (CRC mismatch in chunk ") + type +
                  ")");
    pos += 12 + size_t(length);
    std::string t(type);
    if (colorType < 0 && t != "IHDR")
      return fail("corrupt PNG (the first chunk is " + t + ", not IHDR)");
    if (t == "IHDR") {
      if (colorType >= 0 || length != 13)
        return fail("corrupt PNG (bad IHDR chunk)");
      width = readU32(body);
      height = readU32(body + 4);
      int depth = body[8];
      colorType = body[9];
      if (body[10] != 0 || body[11] != 0)
        return fail("corrupt PNG (unknown compression or filter method)");
      if (body[12] != 0)
        return fail("interlaced PNGs are not supported (save it without "
                    "interlacing)");
      // Samples per pixel of color types 0 (grey), 2 (RGB), 3 (palette),
      // 4 (grey + alpha) and 6 (RGBA); 1 and 5 do not exist.
      static const int kSamples[7] = {1, 0, 3, 1, 2, 0, 4};
      if (colorType > 6 || kSamples[colorType] == 0)
        return fail("corrupt PNG (color type " + std::to_string(colorType) +
                    ")");
      srcChannels = kSamples[colorType];
      if (depth != 8)
        return fail("bit depth " + std::to_string(depth) +
                    " is not supported (8-bit images only)");
      if (width == 0 || height == 0 || uint64_t(width) * height > kMaxPixels)
        return fail("image size " + std::to_string(width) + "x" +
                    std::to_string(height) + " is out of range");
    } else if (t == "PLTE") {
      if (length % 3 != 0 || length == 0 || length > 768)
        return fail("corrupt PNG (bad PLTE chunk)");
      palette.assign(body, body + length);
    } else if (t == "IDAT") {
      idat.insert(idat.end(), body, body + length);
    } else if (t == "IEND") {
      seenIend = true;
    } else if (type[0] >= 'A' && type[0] <= 'Z') {
      return fail("unsupported critical chunk " + t);
    }
    // Other ancillary chunks (gAMA, tEXt, ...) are ignored.
  }
  if (idat.empty())
    return fail("corrupt PNG (no IDAT chunk)");
  if (colorType == 3 && palette.empty())
    return fail("corrupt PNG (palette image without PLTE)");

  size_t rowBytes = size_t(width) * srcChannels;
  size_t expected = (rowBytes + 1) * height;
  std::vector<uint8_t> raw;
  if (!detail::inflateBytes(name, idat.data(), idat.size(),
                            detail::Compression::zlib, expected, &raw, error))
    return false;
  if (raw.size() != expected)
    return fail("corrupt PNG (image data has " + std::to_string(raw.size()) +
                " bytes, " + std::to_string(width) + "x" +
                std::to_string(height) + " needs " + std::to_string(expected) +
                ")");

  // Undo the filters in place, row by row; `bpp` bytes per pixel.
  size_t bpp = srcChannels;
  std::vector<uint8_t> zero(rowBytes, 0);
  for (uint32_t y = 0; y < height; ++y) {
    uint8_t filter = raw[y * (rowBytes + 1)];
    uint8_t *row = raw.data() + y * (rowBytes + 1) + 1;
    const uint8_t *up = y ? row - (rowBytes + 1) : zero.data();
    for (size_t x = 0; x < rowBytes; ++x) {
      uint8_t a = x >= bpp ? row[x - bpp] : 0;
      uint8_t c = x >= bpp ? up[x - bpp] : 0;
      switch (filter) {
      case 0:
        break;
      case 1:
        row[x] = uint8_t(row[x] + a);
        break;
      case 2:
        row[x] = uint8_t(row[x] + up[x]);
        break;
      case 3:
        row[x] = uint8_t(row[x] + ((int(a) + int(up[x])) >> 1));
        break;
      case 4:
        row[x] = uint8_t(row[x] + paeth(a, up[x], c));
        break;
      default:
        return fail("corrupt PNG (filter type " + std::to_string(filter) +
                    " in row " + std::to_string(y) + ")");
      }
    }
  }

  // Drop alpha, expand palettes.
  int channels = colorType == 0 || colorType == 4 ? 1 : 3;
  out->width = width;
  out->height = height;
  out->channels = channels;
  out->pixels.assign(size_t(width) * height * channels, 0);
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t *row = raw.data() + y * (rowBytes + 1) + 1;
    uint8_t *dst = out->pixels.data() + size_t(y) * width * channels;
    for (uint32_t x = 0; x < width; ++x) {
      const uint8_t *px = row + size_t(x) * srcChannels;
      if (colorType == 3) {
        size_t entry = size_t(px[0]) * 3;
        if (entry + 3 > palette.size())
          return fail("corrupt PNG (palette index " + std::to_string(px[0]) +
                      " past the palette's end)");
        std::memcpy(dst + size_t(x) * 3, palette.data() + entry, 3);
      } else {
        std::memcpy(dst + size_t(x) * channels, px, channels);
      }
    }
  }
  return true;
}

bool diffc::readPng(const std::string &path, DecodedImage *out,
                    std::string *error) {
  std::vector<uint8_t> bytes;
  if (!detail::readWholeFile(path, &bytes, error))
    return false;
  return decodePng(path, bytes.data(), bytes.size(), out, error);
}
