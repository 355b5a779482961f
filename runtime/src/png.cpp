//===- png.cpp - PNG output of sample grids -------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// PNG = signature + IHDR + IDAT + IEND chunks, each with a CRC-32. IDAT holds
// a zlib stream; stored (uncompressed) deflate blocks keep the encoder to a
// few lines, and sample grids are small.
//
//===----------------------------------------------------------------------===//

#include "diffc/image.h"

#include "atomic_file.h"

#include <algorithm>
#include <cmath>

using namespace diffc;

namespace {

uint32_t crc32(const uint8_t *data, size_t n, uint32_t crc = 0) {
  static uint32_t table[256];
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void putU32(std::vector<uint8_t> &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<uint8_t>(v >> s));
}

void putChunk(std::vector<uint8_t> &out, const char type[4],
              const std::vector<uint8_t> &data) {
  putU32(out, static_cast<uint32_t>(data.size()));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  putU32(out, crc32(out.data() + start, out.size() - start));
}

/// zlib stream of `raw` using stored deflate blocks (at most 65535 bytes).
std::vector<uint8_t> zlibStored(const std::vector<uint8_t> &raw) {
  std::vector<uint8_t> z = {0x78, 0x01};
  size_t pos = 0;
  do {
    size_t len = std::min<size_t>(65535, raw.size() - pos);
    bool last = pos + len == raw.size();
    z.push_back(last ? 1 : 0);
    z.push_back(static_cast<uint8_t>(len));
    z.push_back(static_cast<uint8_t>(len >> 8));
    z.push_back(static_cast<uint8_t>(~len));
    z.push_back(static_cast<uint8_t>(~len >> 8));
    z.insert(z.end(), raw.begin() + pos, raw.begin() + pos + len);
    pos += len;
  } while (pos < raw.size());
  uint32_t a = 1, b = 0;
  for (uint8_t byte : raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  putU32(z, (b << 16) | a);
  return z;
}

} // namespace

bool diffc::encodePng(int64_t width, int64_t height, int channels,
                      const uint8_t *pixels, std::vector<uint8_t> *out,
                      std::string *error) {
  if (width <= 0 || height <= 0 || width > (1 << 20) || height > (1 << 20))
    return detail::fail(error, "image size " + std::to_string(width) + "x" +
                                   std::to_string(height) + " is out of range");
  if (channels != 1 && channels != 3)
    return detail::fail(error, "images need 1 or 3 channels, got " +
                                   std::to_string(channels));
  // Each row starts with filter type 0 (none).
  size_t rowBytes = static_cast<size_t>(width) * channels;
  std::vector<uint8_t> raw;
  raw.reserve((rowBytes + 1) * height);
  for (int64_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels + y * rowBytes, pixels + (y + 1) * rowBytes);
  }
  std::vector<uint8_t> ihdr;
  putU32(ihdr, static_cast<uint32_t>(width));
  putU32(ihdr, static_cast<uint32_t>(height));
  ihdr.push_back(8);                      // bit depth
  ihdr.push_back(channels == 1 ? 0 : 2);  // grey or RGB
  ihdr.push_back(0);                      // deflate
  ihdr.push_back(0);                      // adaptive filtering
  ihdr.push_back(0);                      // no interlace
  static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A,
                                       '\n'};
  out->assign(signature, signature + 8);
  putChunk(*out, "IHDR", ihdr);
  putChunk(*out, "IDAT", zlibStored(raw));
  putChunk(*out, "IEND", {});
  return true;
}

bool diffc::writeImageGrid(const std::string &path, const Tensor &images,
                           const GridOptions &o, std::string *error) {
  const std::vector<int64_t> &s = images.shape();
  if (images.elementType() != ElementType::f32 || s.size() != 4 ||
      (s[1] != 1 && s[1] != 3))
    return detail::fail(error, path + ": an image grid needs a float32 "
                                      "[N, C, H, W] tensor with C = 1 or 3, "
                                      "got " + images.typeString());
  if (o.padding < 0 || o.upscale < 1 || o.upscale > 16 || !(o.high > o.low))
    return detail::fail(error, path + ": invalid grid options");
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (n == 0)
    return detail::fail(error, path + ": no images to write");
  int64_t cols = o.columns > 0
                     ? std::min(o.columns, n)
                     : static_cast<int64_t>(std::ceil(std::sqrt(double(n))));
  int64_t rows = (n + cols - 1) / cols;
  int64_t cellW = w * o.upscale, cellH = h * o.upscale;
  int64_t width = cols * cellW + (cols + 1) * o.padding;
  int64_t height = rows * cellH + (rows + 1) * o.padding;
  if (width > (1 << 20) || height > (1 << 20))
    return detail::fail(error, path + ": the grid would be too large");
  std::vector<uint8_t> pixels(static_cast<size_t>(width * height * c), 0);
  const float *data = images.dataAs<float>();
  float scale = 255.0f / (o.high - o.low);
  for (int64_t i = 0; i < n; ++i) {
    int64_t x0 = o.padding + (i % cols) * (cellW + o.padding);
    int64_t y0 = o.padding + (i / cols) * (cellH + o.padding);
    for (int64_t y = 0; y < cellH; ++y)
      for (int64_t x = 0; x < cellW; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          float v = data[((i * c + ch) * h + y / o.upscale) * w +
                         x / o.upscale];
          v = std::isnan(v) ? o.low : std::clamp(v, o.low, o.high);
          pixels[((y0 + y) * width + x0 + x) * c + ch] =
              static_cast<uint8_t>(std::lround((v - o.low) * scale));
        }
  }
  std::vector<uint8_t> png;
  if (!encodePng(width, height, static_cast<int>(c), pixels.data(), &png,
                 error))
    return false;
  return detail::writeFileAtomically(path, {{png.data(), png.size()}}, error);
}
