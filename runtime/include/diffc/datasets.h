//===- datasets.h - Training images from disk -------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The image sets `diffc-run MODEL train --data ...` reads, held in memory as
// 8-bit pixels (Fashion-MNIST's 60,000 training images take 47 MB) and
// turned into float32 in [-1, 1] one batch at a time:
//
//   fashion-mnist   the gzipped IDX files of Debian's dataset-fashion-mnist
//                   (train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz;
//                   "fashion-mnist-test" reads the t10k files), 1x28x28
//   digits          sklearn's digits.csv.gz (python3-sklearn): 1,797 rows of
//                   64 pixel values 0..16 and a label, 1x8x8
//   DIR             every *.png in DIR (sorted by name), 8-bit greyscale or
//                   RGB, all of one size
//
// A pixel v with maximum value M (255; 16 for digits) becomes 2 v / M - 1,
// so black is -1 and white +1, as diffusers' training scripts normalize.
//
// Every reader checks its input completely before returning: a truncated or
// corrupt file, a size that disagrees with the header, an image whose shape
// is not the expected one, each is one line naming the file. When an
// expected sample shape [C, H, W] is given (the model's), an image of any
// other shape is an error naming the file and both shapes.
//
// Usage:
//
//   diffc::ImageDataset data;
//   std::vector<int64_t> shape = {1, 28, 28};
//   if (!diffc::loadDataset("fashion-mnist", &shape, &data, &error)) ...
//   data.imageToFloat(17, pixels);   // 784 floats in [-1, 1]
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_DATASETS_H
#define DIFFC_DATASETS_H

#include <cstdint>
#include <string>
#include <vector>

namespace diffc {

/// Where Debian's dataset-fashion-mnist installs the IDX files.
constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
/// sklearn's digits (python3-sklearn).
constexpr const char *kDigitsCsvPath =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

/// Images of one shape, as 8-bit pixels in NCHW order, with their labels.
struct ImageDataset {
  /// What was read, for messages and checkpoints: "fashion-mnist", "digits"
  /// or the folder's path.
  std::string name;
  /// The file the images came from (the folder for image folders).
  std::string source;
  int64_t count = 0;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  /// count x channels x height x width values, row-major.
  std::vector<uint8_t> pixels;
  /// The pixel value that maps to +1 (0 maps to -1).
  int maxValue = 255;
  /// One label per image, or empty when the source has none (folders).
  std::vector<int64_t> labels;

  /// channels * height * width.
  int64_t imageSize() const { return channels * height * width; }
  /// "1x28x28".
  std::string shapeString() const;
  /// Image `index` as floats 2 v / maxValue - 1 into out[0 .. imageSize()),
  /// mirrored left to right when `flip` is set.
  void imageToFloat(int64_t index, float *out, bool flip = false) const;
};

/// Reads a gzipped IDX image file (magic 0x00000803: N x H x W bytes) and,
/// if `labelsPath` is not empty, its IDX label file (0x00000801, N bytes).
/// Images get one channel.
bool loadIdx(const std::string &imagesPath, const std::string &labelsPath,
             const std::vector<int64_t> *expectShape, ImageDataset *out,
             std::string *error);

/// Fashion-MNIST from `dir` (kFashionMnistDir by default): the training set,
/// or the t10k test set when `train` is false.
bool loadFashionMnist(const std::string &dir, bool train,
                      const std::vector<int64_t> *expectShape,
                      ImageDataset *out, std::string *error);

/// sklearn's digits: a gzipped CSV, one image per row, 64 values 0..16 then
/// the label; 1x8x8 images with maxValue 16.
bool loadDigitsCsv(const std::string &path,
                   const std::vector<int64_t> *expectShape, ImageDataset *out,
                   std::string *error);

/// Every *.png file of `dir` (not recursive), in byte order of the names.
/// Without `expectShape`, all images must have the first one's shape.
bool loadImageFolder(const std::string &dir,
                     const std::vector<int64_t> *expectShape, ImageDataset *out,
                     std::string *error);

/// The --data spellings: "fashion-mnist", "fashion-mnist-test", "digits",
/// else a directory of PNG images. `expectShape` is the model's [C, H, W]
/// (or null to accept any). Fails with one line naming the file.
bool loadDataset(const std::string &spec,
                 const std::vector<int64_t> *expectShape, ImageDataset *out,
                 std::string *error);

} // namespace diffc

#endif // DIFFC_DATASETS_H
