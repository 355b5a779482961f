//===- DatasetsTest.cpp - Tests for the training data readers -------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Small synthetic files written here (gzipped IDX, digits-style CSV, PNGs
// with every filter and color type), read back pixel for pixel, and damaged
// in every way a download or a disk can damage them: each must be a one-line
// error naming the file, never a crash. The real Debian datasets are read
// too when installed.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/datasets.h"
#include "diffc/image.h"

#include "gtest/gtest.h"

#include <zlib.h>

#include <cstring>
#include <random>

using namespace diffc;
using namespace diffc::test;

namespace {

/// gzip of `raw` (zlib's deflate with a gzip wrapper).
std::vector<uint8_t> gzip(const std::vector<uint8_t> &raw) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::vector<uint8_t> out(deflateBound(&zs, raw.size()) + 64);
  zs.next_in = const_cast<Bytef *>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void putU32(std::vector<uint8_t> &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<uint8_t>(v >> s));
}

/// An IDX file of unsigned bytes with dimensions `dims` and `data`.
std::vector<uint8_t> idx(const std::vector<uint32_t> &dims,
                         const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    putU32(out, d);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t &b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

/// Checks that `error` is one line that names `file`.
void expectOneLineNaming(const std::string &error, const std::string &file) {
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_NE(error.find(file), std::string::npos) << error;
}

//===----------------------------------------------------------------------===//
// IDX (Fashion-MNIST)
//===----------------------------------------------------------------------===//

struct IdxFiles {
  TempDir dir;
  std::string images = dir.file("train-images-idx3-ubyte.gz");
  std::string labels = dir.file("train-labels-idx1-ubyte.gz");
  std::vector<uint8_t> pixels = pattern(3 * 5 * 4, 1);
  IdxFiles() {
    writeFile(images, gzip(idx({3, 5, 4}, pixels)));
    writeFile(labels, gzip(idx({3}, {7, 0, 9})));
  }
};

TEST(DatasetsTest, IdxRoundTrip) {
  IdxFiles f;
  ImageDataset data;
  std::string error;
  ASSERT_TRUE(loadIdx(f.images, f.labels, nullptr, &data, &error)) << error;
  EXPECT_EQ(data.count, 3);
  EXPECT_EQ(data.shapeString(), "1x5x4");
  EXPECT_EQ(data.pixels, f.pixels);
  EXPECT_EQ(data.labels, (std::vector<int64_t>{7, 0, 9}));
  EXPECT_EQ(data.maxValue, 255);

  // Floats in [-1, 1]: 2 v / 255 - 1, and the flip mirrors each row.
  std::vector<float> plain(20), flipped(20);
  data.imageToFloat(2, plain.data());
  data.imageToFloat(2, flipped.data(), true);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 4; ++x) {
      float want = f.pixels[40 + y * 4 + x] * (2.0f / 255.0f) - 1.0f;
      EXPECT_EQ(plain[y * 4 + x], want);
      EXPECT_EQ(flipped[y * 4 + 3 - x], want);
    }
  // The extremes map to -1 and +1 exactly.
  ImageDataset two;
  two.count = 1;
  two.channels = two.height = 1;
  two.width = 2;
  two.pixels = {0, 255};
  float ends[2];
  two.imageToFloat(0, ends);
  EXPECT_EQ(ends[0], -1.0f);
  EXPECT_EQ(ends[1], 1.0f);

  // Fashion-MNIST's file names under a folder.
  ASSERT_TRUE(loadFashionMnist(f.dir.path(), true, nullptr, &data, &error))
      << error;
  EXPECT_EQ(data.name, "fashion-mnist");
}

TEST(DatasetsTest, IdxWrongShapeNamesBothShapes) {
  IdxFiles f;
  ImageDataset data;
  std::string error;
  std::vector<int64_t> model = {1, 28, 28};
  EXPECT_FALSE(loadIdx(f.images, f.labels, &model, &data, &error));
  EXPECT_EQ(error, f.images + ": images are 1x5x4, the model's sample shape "
                              "is 1x28x28");
  model = {1, 5, 4};
  EXPECT_TRUE(loadIdx(f.images, f.labels, &model, &data, &error)) << error;
}

TEST(DatasetsTest, IdxDamageIsAnErrorNamingTheFile) {
  IdxFiles f;
  std::vector<uint8_t> good = readFile(f.images);
  std::string error;
  ImageDataset data;
  auto load = [&](const std::vector<uint8_t> &bytes) {
    writeFile(f.images, bytes);
    error.clear();
    bool ok = loadIdx(f.images, f.labels, nullptr, &data, &error);
    if (!ok)
      expectOneLineNaming(error, f.images);
    return ok;
  };
  // Truncated at every length: never accepted, never a crash.
  for (size_t n = 0; n < good.size(); ++n)
    ASSERT_FALSE(load(std::vector<uint8_t>(good.begin(), good.begin() + n)))
        << "truncated to " << n << " bytes";
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
  // A flipped bit in the compressed data or the CRC trailer.
  for (size_t at : {size_t(12), good.size() / 2, good.size() - 6}) {
    std::vector<uint8_t> bad = good;
    bad[at] ^= 0x10;
    EXPECT_FALSE(load(bad)) << "bit flipped at " << at;
  }
  // Not gzip at all.
  EXPECT_FALSE(load(idx({3, 5, 4}, f.pixels)));
  // Valid gzip, damaged IDX: short data, wrong magic, wrong rank.
  EXPECT_FALSE(load(gzip(idx({4, 5, 4}, f.pixels))));
  EXPECT_NE(error.find("announces 80"), std::string::npos) << error;
  std::vector<uint8_t> floats = idx({3, 5, 4}, f.pixels);
  floats[2] = 0x0D;
  EXPECT_FALSE(load(gzip(floats)));
  EXPECT_FALSE(load(gzip(idx({3, 20}, f.pixels))));
  EXPECT_FALSE(load(gzip(idx({0, 5, 4}, {}))));
  EXPECT_TRUE(load(good)) << error;

  // Labels that do not match the images.
  writeFile(f.labels, gzip(idx({2}, {1, 2})));
  EXPECT_FALSE(loadIdx(f.images, f.labels, nullptr, &data, &error));
  EXPECT_NE(error.find("2 labels for 3 images"), std::string::npos) << error;
  // A missing file.
  EXPECT_FALSE(loadIdx(f.dir.file("nope.gz"), "", nullptr, &data, &error));
  expectOneLineNaming(error, "nope.gz");
}

//===----------------------------------------------------------------------===//
// sklearn digits
//===----------------------------------------------------------------------===//

std::string digitsRow(int first, int label) {
  std::string row;
  for (int i = 0; i < 64; ++i)
    row += std::to_string(i == 0 ? first : i % 17) + ".0,";
  return row + std::to_string(label) + ".0\n";
}

TEST(DatasetsTest, DigitsCsv) {
  TempDir dir;
  std::string path = dir.file("digits.csv.gz");
  std::string text = digitsRow(0, 3) + digitsRow(16, 9);
  writeFile(path, gzip(std::vector<uint8_t>(text.begin(), text.end())));
  ImageDataset data;
  std::string error;
  ASSERT_TRUE(loadDigitsCsv(path, nullptr, &data, &error)) << error;
  EXPECT_EQ(data.count, 2);
  EXPECT_EQ(data.shapeString(), "1x8x8");
  EXPECT_EQ(data.maxValue, 16);
  EXPECT_EQ(data.labels, (std::vector<int64_t>{3, 9}));
  std::vector<float> x(64);
  data.imageToFloat(1, x.data());
  EXPECT_EQ(x[0], 1.0f);
  EXPECT_EQ(x[1], 2.0f / 16 - 1);
  // Pixel i > 0 holds i % 17: 16 is white, 17 black.
  EXPECT_EQ(x[16], 1.0f);
  EXPECT_EQ(x[17], -1.0f);

  std::vector<int64_t> model = {1, 28, 28};
  EXPECT_FALSE(loadDigitsCsv(path, &model, &data, &error));
  EXPECT_EQ(error, path + ": images are 1x8x8, the model's sample shape is "
                          "1x28x28");

  auto bad = [&](const std::string &content, const char *why) {
    writeFile(path, gzip(std::vector<uint8_t>(content.begin(), content.end())));
    EXPECT_FALSE(loadDigitsCsv(path, nullptr, &data, &error)) << content;
    expectOneLineNaming(error, path);
    EXPECT_NE(error.find(why), std::string::npos) << error;
  };
  bad(digitsRow(0, 1) + "1,2,3\n", "line 2 has 3 values");
  bad(digitsRow(17, 1), "pixel 1 is 17");
  bad(digitsRow(0, 1).replace(0, 3, "abc"), "not a number");
  bad("", "no rows");
}

//===----------------------------------------------------------------------===//
// PNG folders
//===----------------------------------------------------------------------===//

/// A PNG made here independently of the runtime's encoder: real deflate,
/// one filter type per row (cycling through all five), any color type.
std::vector<uint8_t> makePng(uint32_t width, uint32_t height, int colorType,
                             const std::vector<uint8_t> &samples,
                             const std::vector<uint8_t> &palette = {}) {
  int spp = colorType == 0 || colorType == 3 ? 1
            : colorType == 2                 ? 3
            : colorType == 4                 ? 2
                                             : 4;
  size_t row = size_t(width) * spp;
  std::vector<uint8_t> raw;
  for (uint32_t y = 0; y < height; ++y) {
    int filter = y % 5;
    raw.push_back(uint8_t(filter));
    const uint8_t *cur = samples.data() + y * row;
    const uint8_t *up = y ? cur - row : nullptr;
    for (size_t x = 0; x < row; ++x) {
      int a = x >= size_t(spp) ? cur[x - spp] : 0;
      int b = up ? up[x] : 0;
      int c = up && x >= size_t(spp) ? up[x - spp] : 0;
      int predict = 0;
      if (filter == 1)
        predict = a;
      else if (filter == 2)
        predict = b;
      else if (filter == 3)
        predict = (a + b) / 2;
      else if (filter == 4) {
        int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b),
            pc = std::abs(p - c);
        predict = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw.push_back(uint8_t(cur[x] - predict));
    }
  }
  uLongf zsize = compressBound(raw.size());
  std::vector<uint8_t> z(zsize);
  EXPECT_EQ(compress(z.data(), &zsize, raw.data(), raw.size()), Z_OK);
  z.resize(zsize);

  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  auto chunk = [&](const char *type, const std::vector<uint8_t> &body) {
    putU32(png, uint32_t(body.size()));
    size_t start = png.size();
    png.insert(png.end(), type, type + 4);
    png.insert(png.end(), body.begin(), body.end());
    putU32(png, uint32_t(crc32(0, png.data() + start, png.size() - start)));
  };
  std::vector<uint8_t> ihdr;
  putU32(ihdr, width);
  putU32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, uint8_t(colorType), 0, 0, 0});
  chunk("IHDR", ihdr);
  chunk("tEXt", {'a', 0, 'b'});
  if (!palette.empty())
    chunk("PLTE", palette);
  // Split the image data over two IDAT chunks.
  size_t half = z.size() / 2;
  chunk("IDAT", std::vector<uint8_t>(z.begin(), z.begin() + half));
  chunk("IDAT", std::vector<uint8_t>(z.begin() + half, z.end()));
  chunk("IEND", {});
  return png;
}

TEST(DatasetsTest, PngEveryFilterAndColorType) {
  const uint32_t w = 7, h = 11;
  std::string error;
  DecodedImage image;
  // Grey, RGB, grey + alpha, RGBA: alpha is dropped.
  for (int colorType : {0, 2, 4, 6}) {
    int spp = colorType == 0 ? 1 : colorType == 2 ? 3 : colorType == 4 ? 2 : 4;
    std::vector<uint8_t> samples = pattern(w * h * spp, colorType);
    std::vector<uint8_t> png = makePng(w, h, colorType, samples);
    ASSERT_TRUE(decodePng("a.png", png.data(), png.size(), &image, &error))
        << "color type " << colorType << ": " << error;
    int channels = colorType == 0 || colorType == 4 ? 1 : 3;
    ASSERT_EQ(image.channels, channels);
    ASSERT_EQ(image.width, w);
    ASSERT_EQ(image.height, h);
    for (size_t i = 0; i < size_t(w) * h; ++i)
      for (int c = 0; c < channels; ++c)
        ASSERT_EQ(image.pixels[i * channels + c], samples[i * spp + c])
            << "color type " << colorType << " pixel " << i;
  }
  // Palette: expanded to RGB.
  std::vector<uint8_t> palette = pattern(3 * 4, 9);
  std::vector<uint8_t> indices(w * h);
  for (size_t i = 0; i < indices.size(); ++i)
    indices[i] = uint8_t(i % 4);
  std::vector<uint8_t> png = makePng(w, h, 3, indices, palette);
  ASSERT_TRUE(decodePng("p.png", png.data(), png.size(), &image, &error))
      << error;
  ASSERT_EQ(image.channels, 3);
  for (size_t i = 0; i < indices.size(); ++i)
    for (int c = 0; c < 3; ++c)
      ASSERT_EQ(image.pixels[i * 3 + c], palette[indices[i] * 3 + c]);

  // The runtime's own encoder (stored blocks, filter 0) round-trips too.
  std::vector<uint8_t> rgb = pattern(5 * 3 * 3, 4), encoded;
  ASSERT_TRUE(encodePng(5, 3, 3, rgb.data(), &encoded, &error));
  ASSERT_TRUE(
      decodePng("e.png", encoded.data(), encoded.size(), &image, &error))
      << error;
  EXPECT_EQ(image.pixels, rgb);
}

TEST(DatasetsTest, PngDamageIsAnErrorNamingTheFile) {
  std::vector<uint8_t> samples = pattern(6 * 6 * 3, 3);
  std::vector<uint8_t> good = makePng(6, 6, 2, samples);
  DecodedImage image;
  std::string error;
  auto decode = [&](const std::vector<uint8_t> &bytes) {
    error.clear();
    bool ok = decodePng("x.png", bytes.data(), bytes.size(), &image, &error);
    if (!ok)
      expectOneLineNaming(error, "x.png");
    return ok;
  };
  for (size_t n = 0; n < good.size(); ++n)
    ASSERT_FALSE(decode(std::vector<uint8_t>(good.begin(), good.begin() + n)))
        << "truncated to " << n;
  // Every single-bit flip past the signature is caught (CRC, lengths,
  // zlib checks): none may crash, none may decode to other pixels.
  for (size_t at = 8; at < good.size(); ++at) {
    std::vector<uint8_t> bad = good;
    bad[at] ^= 0x04;
    if (decode(bad))
      EXPECT_EQ(image.pixels, samples) << "flip at " << at;
  }
  std::vector<uint8_t> sixteen = good;
  sixteen[24] = 16; // bit depth
  uint32_t crc = uint32_t(crc32(0, sixteen.data() + 12, 17));
  for (int i = 0; i < 4; ++i)
    sixteen[29 + i] = uint8_t(crc >> (24 - 8 * i));
  EXPECT_FALSE(decode(sixteen));
  EXPECT_NE(error.find("bit depth 16 is not supported"), std::string::npos)
      << error;
  EXPECT_FALSE(decode({'n', 'o', 't', ' ', 'p', 'n', 'g', '!', 0}));
  EXPECT_NE(error.find("not a PNG file"), std::string::npos) << error;
}

TEST(DatasetsTest, ImageFolder) {
  TempDir dir;
  std::vector<std::vector<uint8_t>> images;
  for (int i = 0; i < 3; ++i) {
    images.push_back(pattern(4 * 6 * 3, 20 + i));
    writeFile(dir.file("img" + std::to_string(2 - i) + ".png"),
              makePng(6, 4, 2, images.back()));
  }
  writeFile(dir.file("notes.txt"), {'h', 'i'});
  ImageDataset data;
  std::string error;
  std::vector<int64_t> shape = {3, 4, 6};
  ASSERT_TRUE(loadImageFolder(dir.path(), &shape, &data, &error)) << error;
  ASSERT_EQ(data.count, 3);
  EXPECT_TRUE(data.labels.empty());
  // Sorted by name: img0 is the last image written. Planar CHW.
  for (int i = 0; i < 3; ++i)
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 24; ++p)
        ASSERT_EQ(data.pixels[(i * 3 + c) * 24 + p], images[2 - i][p * 3 + c]);

  // A file of another size: named, with both shapes.
  writeFile(dir.file("img9.png"), makePng(5, 4, 2, pattern(60, 1)));
  EXPECT_FALSE(loadImageFolder(dir.path(), &shape, &data, &error));
  EXPECT_EQ(error, dir.file("img9.png") + ": image is 3x4x5, the model's "
                                          "sample shape is 3x4x6");
  EXPECT_FALSE(loadImageFolder(dir.path(), nullptr, &data, &error));
  EXPECT_EQ(error, dir.file("img9.png") +
                       ": image is 3x4x5, the first image (" +
                       dir.file("img0.png") + ") is 3x4x6");
  // A grey image where the model wants RGB.
  writeFile(dir.file("img9.png"), makePng(6, 4, 0, pattern(24, 1)));
  EXPECT_FALSE(loadImageFolder(dir.path(), &shape, &data, &error));
  EXPECT_NE(error.find("image is 1x4x6"), std::string::npos) << error;
  // A broken file.
  writeFile(dir.file("img9.png"), {0x89, 'P', 'N', 'G'});
  EXPECT_FALSE(loadImageFolder(dir.path(), &shape, &data, &error));
  expectOneLineNaming(error, "img9.png");

  TempDir empty;
  EXPECT_FALSE(loadImageFolder(empty.path(), &shape, &data, &error));
  EXPECT_NE(error.find("no .png files"), std::string::npos) << error;
  EXPECT_FALSE(loadDataset(empty.file("missing"), &shape, &data, &error));
  EXPECT_NE(error.find("not a dataset name"), std::string::npos) << error;
}

//===----------------------------------------------------------------------===//
// The installed datasets
//===----------------------------------------------------------------------===//

TEST(DatasetsTest, InstalledFashionMnist) {
  if (!fileExists(std::string(kFashionMnistDir) +
                  "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ImageDataset data;
  std::string error;
  std::vector<int64_t> shape = {1, 28, 28};
  ASSERT_TRUE(loadDataset("fashion-mnist", &shape, &data, &error)) << error;
  EXPECT_EQ(data.count, 60000);
  ASSERT_EQ(data.labels.size(), 60000u);
  for (int64_t label : data.labels)
    ASSERT_TRUE(label >= 0 && label <= 9);
  ASSERT_TRUE(loadDataset("fashion-mnist-test", &shape, &data, &error))
      << error;
  EXPECT_EQ(data.count, 10000);
}

TEST(DatasetsTest, InstalledDigits) {
  if (!fileExists(kDigitsCsvPath))
    GTEST_SKIP() << "python3-sklearn is not installed";
  ImageDataset data;
  std::string error;
  std::vector<int64_t> shape = {1, 8, 8};
  ASSERT_TRUE(loadDataset("digits", &shape, &data, &error)) << error;
  EXPECT_EQ(data.count, 1797);
  EXPECT_EQ(data.labels[0], 0);
  EXPECT_EQ(data.labels[1], 1);
}

} // namespace
