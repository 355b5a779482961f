//===- datasets.cpp - Training images from disk ---------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/datasets.h"

#include "diffc/image.h"

#include "atomic_file.h"
#include "inflate.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

using namespace diffc;
using detail::fail;

namespace {

/// Largest inflated dataset file accepted (Fashion-MNIST's is 47 MB).
constexpr size_t kMaxInflated = size_t(1) << 31;

std::string shapeText(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

/// The error for images of shape c x h x w where `expect` wants another.
bool checkShape(const std::string &file, const char *what, int64_t c, int64_t h,
                int64_t w, const std::vector<int64_t> *expect,
                std::string *error) {
  if (!expect)
    return true;
  if (expect->size() == 3 && (*expect)[0] == c && (*expect)[1] == h &&
      (*expect)[2] == w)
    return true;
  std::string want;
  for (size_t i = 0; i < expect->size(); ++i)
    want += (i ? "x" : "") + std::to_string((*expect)[i]);
  return fail(error, file + ": " + what + " " + shapeText(c, h, w) +
                         ", the model's sample shape is " + want);
}

uint32_t readU32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
         (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

/// Parses an IDX header of unsigned bytes with `rank` dimensions and checks
/// that the data that follows is exactly their product.
bool parseIdx(const std::string &path, const std::vector<uint8_t> &bytes,
              unsigned rank, std::vector<int64_t> *dims, std::string *error) {
  size_t header = 4 + 4 * size_t(rank);
  if (bytes.size() < 4)
    return fail(error, path + ": truncated IDX file (" +
                           std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    return fail(error, path + ": not an IDX file of unsigned bytes (magic " +
                           std::to_string(readU32(bytes.data())) + ")");
  if (bytes[3] != rank)
    return fail(error, path + ": IDX file has " + std::to_string(bytes[3]) +
                           " dimensions, expected " + std::to_string(rank));
  if (bytes.size() < header)
    return fail(error, path + ": truncated IDX header");
  uint64_t total = 1;
  dims->clear();
  for (unsigned d = 0; d < rank; ++d) {
    uint32_t extent = readU32(bytes.data() + 4 + 4 * d);
    dims->push_back(extent);
    total *= extent;
    if (total > kMaxInflated)
      return fail(error, path + ": IDX dimensions are too large");
  }
  if (bytes.size() - header != total)
    return fail(error,
                path + ": IDX data has " +
                    std::to_string(bytes.size() - header) +
                    " bytes, the header announces " + std::to_string(total) +
                    (bytes.size() - header < total ? " (truncated)" : ""));
  return true;
}

bool endsWithPng(const std::string &name) {
  if (name.size() < 5)
    return false;
  std::string tail = name.substr(name.size() - 4);
  for (char &c : tail)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".png";
}

} // namespace

std::string ImageDataset::shapeString() const {
  return shapeText(channels, height, width);
}

void ImageDataset::imageToFloat(int64_t index, float *out, bool flip) const {
  const uint8_t *src = pixels.data() + index * imageSize();
  const float scale = 2.0f / static_cast<float>(maxValue);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < height; ++y) {
      const uint8_t *row = src + (c * height + y) * width;
      float *dst = out + (c * height + y) * width;
      for (int64_t x = 0; x < width; ++x)
        dst[x] =
            static_cast<float>(row[flip ? width - 1 - x : x]) * scale - 1.0f;
    }
}

bool diffc::loadIdx(const std::string &imagesPath,
                    const std::string &labelsPath,
                    const std::vector<int64_t> *expectShape, ImageDataset *out,
                    std::string *error) {
  std::vector<uint8_t> bytes;
  std::vector<int64_t> dims;
  if (!detail::gunzipFile(imagesPath, kMaxInflated, &bytes, error) ||
      !parseIdx(imagesPath, bytes, 3, &dims, error))
    return false;
  if (dims[0] == 0)
    return fail(error, imagesPath + ": the IDX file holds no images");
  if (!checkShape(imagesPath, "images are", 1, dims[1], dims[2], expectShape,
                  error))
    return false;
  ImageDataset data;
  data.source = imagesPath;
  data.count = dims[0];
  data.channels = 1;
  data.height = dims[1];
  data.width = dims[2];
  data.pixels.assign(bytes.begin() + 16, bytes.end());
  if (!labelsPath.empty()) {
    if (!detail::gunzipFile(labelsPath, kMaxInflated, &bytes, error) ||
        !parseIdx(labelsPath, bytes, 1, &dims, error))
      return false;
    if (dims[0] != data.count)
      return fail(error, labelsPath + ": " + std::to_string(dims[0]) +
                             " labels for " + std::to_string(data.count) +
                             " images in " + imagesPath);
    data.labels.assign(bytes.begin() + 8, bytes.end());
  }
  *out = std::move(data);
  return true;
}

bool diffc::loadFashionMnist(const std::string &dir, bool train,
                             const std::vector<int64_t> *expectShape,
                             ImageDataset *out, std::string *error) {
  std::string prefix = dir + (train ? "/train" : "/t10k");
  if (!loadIdx(prefix + "-images-idx3-ubyte.gz",
               prefix + "-labels-idx1-ubyte.gz", expectShape, out, error))
    return false;
  out->name = train ? "fashion-mnist" : "fashion-mnist-test";
  return true;
}

bool diffc::loadDigitsCsv(const std::string &path,
                          const std::vector<int64_t> *expectShape,
                          ImageDataset *out, std::string *error) {
  std::vector<uint8_t> text;
  if (!detail::gunzipFile(path, kMaxInflated, &text, error))
    return false;
  if (!checkShape(path, "images are", 1, 8, 8, expectShape, error))
    return false;
  ImageDataset data;
  data.name = "digits";
  data.source = path;
  data.channels = 1;
  data.height = data.width = 8;
  data.maxValue = 16;
  text.push_back('\0');
  const char *p = reinterpret_cast<const char *>(text.data());
  const char *end = p + text.size() - 1;
  int64_t line = 0;
  while (p < end) {
    ++line;
    const char *eol = std::find(p, end, '\n');
    if (eol == p || (eol == p + 1 && *p == '\r')) { // blank line
      p = eol + 1;
      continue;
    }
    std::string row(p, eol);
    const char *q = row.c_str();
    std::vector<double> values;
    for (;;) {
      char *next = nullptr;
      errno = 0;
      double v = std::strtod(q, &next);
      if (next == q || errno)
        return fail(error, path + ": line " + std::to_string(line) +
                               ": value " + std::to_string(values.size() + 1) +
                               " is not a number");
      values.push_back(v);
      q = next;
      while (*q == ' ' || *q == '\r')
        ++q;
      if (*q == '\0')
        break;
      if (*q != ',')
        return fail(error, path + ": line " + std::to_string(line) +
                               ": expected ',' after value " +
                               std::to_string(values.size()));
      ++q;
    }
    if (values.size() != 65)
      return fail(error, path + ": line " + std::to_string(line) + " has " +
                             std::to_string(values.size()) +
                             " values, expected 65 (64 pixels and a label)");
    for (int i = 0; i < 64; ++i) {
      double v = values[i];
      if (!(v >= 0 && v <= 16) || v != static_cast<int>(v))
        return fail(error, path + ": line " + std::to_string(line) +
                               ": pixel " + std::to_string(i + 1) + " is " +
                               std::to_string(v) +
                               ", expected an integer 0..16");
      data.pixels.push_back(static_cast<uint8_t>(v));
    }
    data.labels.push_back(static_cast<int64_t>(values[64]));
    ++data.count;
    p = eol + (eol < end ? 1 : 0);
  }
  if (data.count == 0)
    return fail(error, path + ": no rows");
  *out = std::move(data);
  return true;
}

bool diffc::loadImageFolder(const std::string &dir,
                            const std::vector<int64_t> *expectShape,
                            ImageDataset *out, std::string *error) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return fail(
        error, dir + ": cannot open the image folder: " + std::strerror(errno));
  std::vector<std::string> names;
  while (struct dirent *entry = ::readdir(d))
    if (endsWithPng(entry->d_name))
      names.push_back(entry->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  if (names.empty())
    return fail(error, dir + ": no .png files in the image folder");

  ImageDataset data;
  data.name = dir;
  data.source = dir;
  std::string first;
  for (const std::string &name : names) {
    std::string path = dir + "/" + name;
    DecodedImage image;
    if (!readPng(path, &image, error))
      return false;
    if (expectShape) {
      if (!checkShape(path, "image is", image.channels, image.height,
                      image.width, expectShape, error))
        return false;
    } else if (!first.empty() &&
               (image.channels != data.channels ||
                image.height != data.height || image.width != data.width)) {
      return fail(error,
                  path + ": image is " +
                      shapeText(image.channels, image.height, image.width) +
                      ", the first image (" + first + ") is " +
                      data.shapeString());
    }
    if (first.empty()) {
      first = path;
      data.channels = image.channels;
      data.height = image.height;
      data.width = image.width;
      data.pixels.reserve(names.size() * size_t(data.imageSize()));
    }
    // Interleaved HWC to planar CHW.
    for (int64_t c = 0; c < data.channels; ++c)
      for (int64_t i = 0; i < data.height * data.width; ++i)
        data.pixels.push_back(image.pixels[i * data.channels + c]);
    ++data.count;
  }
  *out = std::move(data);
  return true;
}

bool diffc::loadDataset(const std::string &spec,
                        const std::vector<int64_t> *expectShape,
                        ImageDataset *out, std::string *error) {
  if (spec == "fashion-mnist" || spec == "fashion-mnist-test")
    return loadFashionMnist(kFashionMnistDir, spec == "fashion-mnist",
                            expectShape, out, error);
  if (spec == "digits")
    return loadDigitsCsv(kDigitsCsvPath, expectShape, out, error);
  struct stat st;
  if (::stat(spec.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(error, spec + ": not a dataset name (fashion-mnist, "
                              "fashion-mnist-test, digits) or a folder of "
                              ".png images");
  return loadImageFolder(spec, expectShape, out, error);
}
