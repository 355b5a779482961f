//===- image.h - PNG output of sample grids ---------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// People would rather look at samples than read arrays: `diffc-run sample
// --out grid.png` writes a batch of images as one PNG grid. The encoder is
// self-contained (stored deflate blocks, CRC-32, Adler-32). The decoder reads
// folders of training images (8-bit PNGs of any color type) and inflates with
// zlib, the one compression library the runtime links.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_IMAGE_H
#define DIFFC_IMAGE_H

#include "diffc/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace diffc {

/// Layout and value range of an image grid.
struct GridOptions {
  /// Images per row; 0 picks ceil(sqrt(N)).
  int64_t columns = 0;
  /// Pixels of background between and around images.
  int64_t padding = 2;
  /// Each pixel becomes an upscale x upscale block (small images, e.g.
  /// 28x28, are easier to see at 2 or 3).
  int64_t upscale = 1;
  /// The value range mapped to 0..255 (diffusers samples are in [-1, 1]).
  float low = -1.0f;
  float high = 1.0f;
};

/// Encodes an 8-bit PNG: `channels` 1 (grey) or 3 (RGB), rows top to bottom,
/// `pixels` of width * height * channels bytes.
bool encodePng(int64_t width, int64_t height, int channels,
               const uint8_t *pixels, std::vector<uint8_t> *out,
               std::string *error);

/// A decoded 8-bit image: rows top to bottom, `channels` interleaved bytes
/// per pixel (1 grey, 3 RGB).
struct DecodedImage {
  int64_t width = 0;
  int64_t height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

/// Decodes a PNG of bit depth 8 (greyscale, RGB or palette, each with or
/// without alpha; not interlaced). Alpha is dropped, palettes are expanded
/// to RGB, so `out` has 1 or 3 channels. Every chunk's CRC is checked. On
/// failure returns false and sets *error to one line "<name>: <problem>"
/// (corrupt, truncated or unsupported).
bool decodePng(const std::string &name, const uint8_t *data, size_t size,
               DecodedImage *out, std::string *error);

/// Reads and decodes the PNG file `path` (see decodePng()).
bool readPng(const std::string &path, DecodedImage *out, std::string *error);

/// Lays out a float32 [N, C, H, W] tensor (C = 1 or 3) as a grid and writes
/// it to `path` as PNG, atomically. Values are clamped to [low, high].
bool writeImageGrid(const std::string &path, const Tensor &images,
                    const GridOptions &options, std::string *error);

} // namespace diffc

#endif // DIFFC_IMAGE_H
