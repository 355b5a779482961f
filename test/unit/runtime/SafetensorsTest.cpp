//===- SafetensorsTest.cpp - Tests for safetensors reading and writing ----===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Round trips, the published layout, every kind of damaged or hostile header
// (each must be a one-line error, never a crash), and interoperability with
// an independent Python implementation of the format that uses only
// struct/json/numpy (the safetensors package is not in Debian).
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/safetensors.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

using namespace diffc;
using namespace diffc::test;

namespace {

const ElementType kAllTypes[] = {
    ElementType::f32, ElementType::f64, ElementType::f16, ElementType::bf16,
    ElementType::i32, ElementType::i64, ElementType::i1};

/// Fills `t` with deterministic bytes; booleans get 0/1.
void fill(Tensor &t, uint32_t seed) {
  std::mt19937 rng(seed);
  uint8_t *p = static_cast<uint8_t *>(t.data());
  for (size_t i = 0; i < t.byteSize(); ++i)
    p[i] = t.elementType() == ElementType::i1 ? rng() & 1
                                              : static_cast<uint8_t>(rng());
}

/// A file image: the 8-byte little-endian header length, `header`, `data`.
std::vector<uint8_t> image(const std::string &header,
                           const std::vector<uint8_t> &data = {}) {
  return safetensorsImage(header, data);
}

std::unique_ptr<SafetensorsFile> parse(const std::vector<uint8_t> &bytes,
                                       std::string *error) {
  return SafetensorsFile::loadFromMemory("w.safetensors", bytes.data(),
                                         bytes.size(), error);
}

/// The error for `bytes`, checked to be one line naming the file.
std::string parseError(const std::vector<uint8_t> &bytes) {
  std::string error;
  EXPECT_FALSE(parse(bytes, &error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(error.rfind("w.safetensors: ", 0), 0u) << error;
  return error;
}

/// One F32 tensor "w" of shape [2] over 8 bytes of data.
const char kOneTensor[] =
    R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
const std::vector<uint8_t> kEight = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}; // 1, 2

//===----------------------------------------------------------------------===//
// Round trip and layout
//===----------------------------------------------------------------------===//

TEST(SafetensorsTest, RoundTripEveryTypeAndRank) {
  TempDir dir;
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {5}, {3, 4}, {2, 0, 3}, {2, 3, 1, 4}};
  std::vector<Tensor> tensors;
  std::vector<NamedTensor> named;
  uint32_t seed = 1;
  for (ElementType type : kAllTypes)
    for (const std::vector<int64_t> &shape : shapes) {
      tensors.push_back(Tensor::zeros(type, shape));
      fill(tensors.back(), seed++);
    }
  size_t k = 0;
  for (ElementType type : kAllTypes)
    for (const std::vector<int64_t> &shape : shapes)
      named.push_back({"blocks." + elementTypeName(type) + ".r" +
                           std::to_string(shape.size()) + ".weight",
                       &tensors[k++]});
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {"note", "quote \" backslash \\ newline \n é"}};
  std::string path = dir.file("all.safetensors"), error;
  ASSERT_TRUE(writeSafetensors(path, named, metadata, &error)) << error;

  auto file = SafetensorsFile::load(path, &error);
  ASSERT_TRUE(file) << error;
  EXPECT_EQ(file->name(), path);
  EXPECT_EQ(file->metadata(), metadata);
  ASSERT_EQ(file->tensors().size(), named.size());
  for (const NamedTensor &n : named) {
    const SafetensorsTensor *t = file->find(n.name);
    ASSERT_TRUE(t) << n.name;
    EXPECT_EQ(t->elementType, n.tensor->elementType());
    EXPECT_EQ(t->dtype, safetensorsDtype(n.tensor->elementType()));
    EXPECT_EQ(t->shape, n.tensor->shape());
    ASSERT_EQ(t->size, n.tensor->byteSize());
    EXPECT_EQ(std::memcmp(t->data, n.tensor->data(), t->size), 0) << n.name;
    // Larger elements come first, so each tensor is naturally aligned.
    EXPECT_EQ(t->offset % elementSize(n.tensor->elementType()), 0u) << n.name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data) %
                  elementSize(n.tensor->elementType()),
              0u);
    Tensor copy;
    ASSERT_TRUE(file->copyTensor(n.name, &copy, &error)) << error;
    EXPECT_EQ(copy.typeString(), n.tensor->typeString());
    EXPECT_EQ(std::memcmp(copy.data(), n.tensor->data(), copy.byteSize()), 0);
  }
  EXPECT_EQ(file->find("nope"), nullptr);

  std::vector<uint8_t> bytes;
  ASSERT_TRUE(serializeSafetensors(named, metadata, &bytes, &error)) << error;
  EXPECT_EQ(bytes, readFile(path));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"all.safetensors"});
}

TEST(SafetensorsTest, LayoutFollowsThePublishedFormat) {
  Tensor w =
      Tensor::fromVector(ElementType::f32, {2}, std::vector<float>{1.0f, 2.0f});
  Tensor h =
      Tensor::fromVector(ElementType::f16, {1}, std::vector<uint16_t>{0x3c00});
  Tensor s = Tensor::fromVector(ElementType::i64, {}, std::vector<int64_t>{9});
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serializeSafetensors({{"w", &w}, {"h", &h}, {"s", &s}},
                                   {{"format", "pt"}}, &bytes, &error))
      << error;
  const std::string json =
      R"({"__metadata__":{"format":"pt"},)"
      R"("s":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
      R"("w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
      R"("h":{"dtype":"F16","shape":[1],"data_offsets":[16,18]}})";
  // Padded with spaces so that the data starts at a multiple of 8.
  const std::string header =
      json + std::string(alignUp(json.size(), 8) - json.size(), ' ');
  // s = 9, then w = {1.0f, 2.0f}, then h = 0x3c00, each little-endian.
  const std::vector<uint8_t> data = {9, 0,    0,    0, 0, 0, 0,    0,    0,
                                     0, 0x80, 0x3f, 0, 0, 0, 0x40, 0x00, 0x3c};
  EXPECT_EQ(bytes, image(header, data));
}

TEST(SafetensorsTest, EmptyFileAndEmptyTensors) {
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serializeSafetensors({}, {}, &bytes, &error)) << error;
  EXPECT_EQ(bytes, image("{}      "));
  auto file = parse(bytes, &error);
  ASSERT_TRUE(file) << error;
  EXPECT_TRUE(file->tensors().empty());
  EXPECT_TRUE(file->metadata().empty());

  // Zero-size tensors anywhere, including at the same offset as another.
  file =
      parse(image(R"({"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},)"
                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                  R"("c":{"dtype":"I64","shape":[4,0],"data_offsets":[8,8]}})",
                  kEight),
            &error);
  ASSERT_TRUE(file) << error;
  EXPECT_EQ(file->find("a")->size, 0u);
  EXPECT_EQ(file->find("c")->shape, (std::vector<int64_t>{4, 0}));
}

TEST(SafetensorsTest, AcceptsEverythingTheFormatAllows) {
  std::string error;
  // Whitespace between tokens, fields in any order, escapes in names, "/"
  // escaped, trailing space padding, metadata anywhere.
  auto file = parse(
      image(
          "{ \"caf\\u00e9\\n\\/x\" : { \"data_offsets\" : [ 0 , 8 ] ,\r\n"
          "\t\"shape\": [2], \"dtype\": \"F32\" },\n"
          " \"__metadata__\": {\"\\ud83d\\ude00\": \"\\\"\\\\\\b\\f\\r\\t\"} }"
          "      ",
          kEight),
      &error);
  ASSERT_TRUE(file) << error;
  const SafetensorsTensor *t = file->find("caf\xc3\xa9\n/x");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->shape, std::vector<int64_t>{2});
  float second;
  std::memcpy(&second, t->data + 4, 4);
  EXPECT_EQ(second, 2.0f);
  EXPECT_EQ(file->metadata().at("\xf0\x9f\x98\x80"), "\"\\\b\f\r\t");

  // UTF-8 written directly is fine too.
  file = parse(image("{\"\xc3\xa9\":{\"dtype\":\"F32\",\"shape\":[2],"
                     "\"data_offsets\":[0,8]}}",
                     kEight),
               &error);
  ASSERT_TRUE(file) << error;
  EXPECT_TRUE(file->find("\xc3\xa9"));
}

TEST(SafetensorsTest, DtypesDiffcDoesNotComputeWithAreReadNotBound) {
  std::string error;
  // U8 [3], F8_E4M3 [2], F4 [6] (3 bytes), C64 [1], F6_E2M3 [4] (3 bytes).
  auto file = parse(
      image(R"({"u":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
            R"("f8":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[3,5]},)"
            R"("f4":{"dtype":"F4","shape":[6],"data_offsets":[5,8]},)"
            R"("c":{"dtype":"C64","shape":[1],"data_offsets":[8,16]},)"
            R"("f6":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[16,19]}})",
            std::vector<uint8_t>(19, 1)),
      &error);
  ASSERT_TRUE(file) << error;
  const SafetensorsTensor *u = file->find("u");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->dtype, "U8");
  EXPECT_FALSE(u->elementType);
  EXPECT_EQ(u->typeString(), "tensor<3xu8>");
  EXPECT_EQ(file->find("f8")->typeString(), "tensor<2xf8_e4m3>");
  Tensor t;
  EXPECT_FALSE(file->copyTensor("u", &t, &error));
  EXPECT_EQ(error, "w.safetensors: tensor \"u\" has dtype U8, which diffc "
                   "has no element type for");
  EXPECT_FALSE(file->copyTensor("none", &t, &error));
  EXPECT_EQ(error, "w.safetensors: no tensor \"none\"");
}

TEST(SafetensorsTest, CopyRefusesBooleansOtherThanZeroAndOne) {
  std::string error;
  auto file =
      parse(image(R"({"m":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}})",
                  {1, 0, 7, 1}),
            &error);
  ASSERT_TRUE(file) << error;
  Tensor t;
  EXPECT_FALSE(file->copyTensor("m", &t, &error));
  EXPECT_EQ(error, "w.safetensors: tensor \"m\": BOOL element 2 is 7, not 0 "
                   "or 1");
}

//===----------------------------------------------------------------------===//
// Damaged and hostile files: errors, never crashes
//===----------------------------------------------------------------------===//

TEST(SafetensorsTest, EveryTruncationFails) {
  std::vector<uint8_t> bytes = image(kOneTensor, kEight);
  for (size_t length = 0; length < bytes.size(); ++length)
    parseError(std::vector<uint8_t>(bytes.begin(), bytes.begin() + length));
  EXPECT_EQ(parseError(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5)),
            "w.safetensors: truncated: the file has 5 bytes, a safetensors "
            "file has at least 8");
  EXPECT_EQ(parseError(std::vector<uint8_t>(bytes.begin(), bytes.end() - 3)),
            "w.safetensors: tensor \"w\": data_offsets [0, 8] reach past the "
            "data, which has 5 bytes (truncated file?)");
}

TEST(SafetensorsTest, HugeHeaderLengths) {
  for (uint64_t n : {uint64_t(1) << 63, ~uint64_t(0), uint64_t(1000)}) {
    std::vector<uint8_t> bytes = image(kOneTensor, kEight);
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<uint8_t>(n >> (8 * i));
    EXPECT_EQ(parseError(bytes),
              "w.safetensors: truncated: the header length is " +
                  std::to_string(n) + " bytes, but only " +
                  std::to_string(bytes.size() - 8) +
                  " follow the length prefix (not a safetensors file?)");
  }
}

TEST(SafetensorsTest, HeaderLargerThanTheLimit) {
  // A sparse file: the length is within the file but above the limit.
  TempDir dir;
  std::string path = dir.file("big.safetensors");
  const uint64_t n = kSafetensorsMaxHeaderSize + 1;
  std::vector<uint8_t> prefix = image("{}");
  for (int i = 0; i < 8; ++i)
    prefix[i] = static_cast<uint8_t>(n >> (8 * i));
  writeFile(path, prefix);
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(8 + n + 16)), 0);
  std::string error;
  EXPECT_FALSE(SafetensorsFile::load(path, &error));
  EXPECT_EQ(error, path + ": the header length 100000001 exceeds the limit "
                          "of 100000000 bytes");
}

TEST(SafetensorsTest, HeaderMustBeAJsonObject) {
  for (const char *header :
       {"[1, 2]", " {}", "", "\"x\"", "12", "\xef\xbb\xbf{}"})
    EXPECT_EQ(parseError(image(header)),
              "w.safetensors: the header does not start with '{' (not a "
              "safetensors file?)")
        << header;
  // Not a safetensors file at all: a .npy file.
  std::vector<uint8_t> npy = {0x93, 'N', 'U',  'M', 'P', 'Y',
                              1,    0,   0x76, 0,   '{', '}'};
  EXPECT_NE(parseError(npy).find("truncated: the header length is"),
            std::string::npos);
}

TEST(SafetensorsTest, MalformedJson) {
  struct Case {
    std::string header;
    const char *message;
  } cases[] = {
      {"{", "invalid header JSON at byte 1: expected a string key"},
      {"{\"w\"", "invalid header JSON at byte 4: expected ':'"},
      {"{\"w\":", "at byte 5: unexpected end of the header"},
      {"{\"w\" 1}", "at byte 5: expected ':'"},
      {"{\"a\":1,}", "at byte 7: expected a string key"},
      {"{\"a\":[1,]}", "at byte 8: expected an object, an array, a string or "
                       "an integer"},
      {"{\"a\":[1 2]}", "at byte 8: expected ',' or ']'"},
      {"{\"a\":{} \"b\":{}}", "at byte 8: expected ',' or '}'"},
      {"{a:1}", "at byte 1: expected a string key"},
      {"{'a':1}", "at byte 1: expected a string key"},
      {"{\"a\":true}", "at byte 5: expected an object, an array, a string or "
                       "an integer"},
      {"{\"a\":null}", "expected an object, an array, a string or an integer"},
      {"{\"a\":1.5}", "at byte 6: expected an integer (fractions and "
                      "exponents do not occur in safetensors headers)"},
      {"{\"a\":1e3}", "expected an integer"},
      {"{\"a\":012}", "leading zeros are not allowed"},
      {"{\"a\":-}", "at byte 6: expected a digit"},
      {"{\"a\":99999999999999999999}", "integer out of range"},
      {"{\"a\":-9223372036854775809}", "integer out of range"},
      {"{\"a\":\"x", "at byte 5: unterminated string"},
      {"{\"a\":\"x\ty\"}", "at byte 7: control character in a string"},
      {"{\"a\":\"\\q\"}", "at byte 7: invalid escape '\\q'"},
      {"{\"a\":\"\\u12G4\"}", "invalid \\u escape"},
      {"{\"a\":\"\\u12\"}", "invalid \\u escape"},
      {"{\"a\":\"\\ud800\"}", "unpaired surrogate"},
      {"{\"a\":\"\\udc00\"}", "unpaired surrogate"},
      {"{\"a\":\"\\ud800\\u0041\"}", "unpaired surrogate"},
      {"{\"a\":\"\xff\"}", "at byte 5: a string is not valid UTF-8"},
      {"{\"a\":\"\xc0\xaf\"}", "not valid UTF-8"},     // overlong '/'
      {"{\"a\":\"\xed\xa0\x80\"}", "not valid UTF-8"}, // encoded surrogate
      {"{\"a\":\"\xe2\x82\"}", "not valid UTF-8"},     // cut sequence
      {"{\"\xf4\x90\x80\x80\":1}", "not valid UTF-8"}, // above U+10FFFF
      {"{} {}", "at byte 3: unexpected text after the header object"},
      {std::string("{}\0", 3), "unexpected text after the header object"},
      {"{\"a\":{},\"a\":{}}", "at byte 8: duplicate key \"a\""},
      {"{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}", "duplicate key "
                                                        "\"dtype\""},
      {"{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}",
       "nested deeper than 16 levels"},
  };
  for (const Case &c : cases) {
    std::string error = parseError(image(c.header));
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.header.substr(0, 60) << " -> " << error;
  }
}

TEST(SafetensorsTest, InvalidTensorEntries) {
  struct Case {
    const char *header;
    const char *message;
  } cases[] = {
      {R"({"w":3})", "tensor \"w\" is an integer, not an object"},
      {R"({"w":{"shape":[2],"data_offsets":[0,8]}})",
       "tensor \"w\": missing field \"dtype\""},
      {R"({"w":{"dtype":"F32","data_offsets":[0,8]}})",
       "tensor \"w\": missing field \"shape\""},
      {R"({"w":{"dtype":"F32","shape":[2]}})",
       "tensor \"w\": missing field \"data_offsets\""},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})",
       "tensor \"w\": unknown field \"x\" (expected dtype, shape, "
       "data_offsets)"},
      {R"({"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})",
       "tensor \"w\": dtype is an integer, not a string"},
      {R"({"w":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}})",
       "tensor \"w\": unknown dtype \"F128\""},
      {R"({"w":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}})",
       "tensor \"w\": unknown dtype \"f32\""},
      {R"({"w":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})",
       "tensor \"w\": shape is an integer, not an array of integers"},
      {R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
       "tensor \"w\": shape holds the negative integer -2; it must hold "
       "non-negative integers"},
      {R"({"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})",
       "tensor \"w\": shape holds a string"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}})",
       "tensor \"w\": data_offsets has 3 integers; it must have 2, [begin, "
       "end]"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
       "tensor \"w\": data_offsets [8, 0] end before they begin"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}})",
       "data_offsets holds the negative integer -8"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,9]}})",
       "tensor \"w\": data_offsets [0, 9] reach past the data, which has 8 "
       "bytes (truncated file?)"},
      {R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
       "tensor \"w\": data_offsets [0, 8] hold 8 bytes, but shape [3] of F32 "
       "needs 12"},
      {R"({"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})",
       "tensor \"w\": shape [4611686018427387904, 4] of F32 has too many "
       "elements"},
      {R"({"w":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,8]}})",
       "has too many elements"},
      {R"({"w":{"dtype":"F4","shape":[3],"data_offsets":[0,8]}})",
       "tensor \"w\": shape [3] of F4 is 12 bits, not a whole number of "
       "bytes"},
      {R"({"__metadata__":[],"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       "__metadata__ is an array, not an object of strings"},
      {R"({"__metadata__":{"step":1000}})",
       "__metadata__: \"step\" is an integer, not a string"},
  };
  for (const Case &c : cases) {
    std::string error = parseError(image(c.header, kEight));
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.header << " -> " << error;
  }
}

TEST(SafetensorsTest, TensorsMustTileTheData) {
  const std::vector<uint8_t> sixteen(16, 0);
  EXPECT_EQ(parseError(image(
                R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                sixteen)),
            "w.safetensors: tensors \"a\" and \"b\" overlap in the data (at "
            "byte 4)");
  // The same bytes under two names.
  EXPECT_NE(
      parseError(
          image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
                kEight))
          .find("overlap"),
      std::string::npos);
  EXPECT_EQ(parseError(image(
                R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("b":{"dtype":"F16","shape":[2],"data_offsets":[12,16]}})",
                sixteen)),
            "w.safetensors: bytes [8, 12) of the data belong to no tensor "
            "(before tensor \"b\"); holes are not allowed");
  EXPECT_EQ(parseError(image(
                R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                sixteen)),
            "w.safetensors: bytes [0, 8) of the data belong to no tensor "
            "(before tensor \"b\"); holes are not allowed");
  EXPECT_EQ(parseError(image(kOneTensor, sixteen)),
            "w.safetensors: bytes [8, 16) of the data belong to no tensor "
            "(trailing data)");
  EXPECT_EQ(parseError(image("{}", kEight)),
            "w.safetensors: bytes [0, 8) of the data belong to no tensor "
            "(trailing data)");
}

TEST(SafetensorsTest, SingleBitFlipsNeverCrash) {
  Tensor a = Tensor::zeros(ElementType::f32, {2, 3});
  Tensor b = Tensor::zeros(ElementType::i1, {5});
  fill(a, 3);
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serializeSafetensors({{"conv.weight", &a}, {"mask", &b}},
                                   {{"format", "pt"}}, &bytes, &error));
  size_t refused = 0;
  for (size_t byte = 0; byte < bytes.size(); ++byte)
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> flipped = bytes;
      flipped[byte] ^= static_cast<uint8_t>(1u << bit);
      auto file = parse(flipped, &error);
      if (!file) {
        ++refused;
        EXPECT_EQ(error.rfind("w.safetensors: ", 0), 0u) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
        continue;
      }
      for (const auto &entry : file->tensors()) {
        Tensor copy;
        file->copyTensor(entry.first, &copy, &error);
      }
    }
  EXPECT_GT(refused, 0u);
}

TEST(SafetensorsTest, FileErrors) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(SafetensorsFile::load(dir.file("none.safetensors"), &error));
  EXPECT_EQ(error, dir.file("none.safetensors") +
                       ": cannot open: No such file or directory");
  EXPECT_FALSE(SafetensorsFile::load(dir.path(), &error));
  EXPECT_EQ(error, dir.path() + ": not a regular file");
  writeFile(dir.file("empty.safetensors"), {});
  EXPECT_FALSE(SafetensorsFile::load(dir.file("empty.safetensors"), &error));
  EXPECT_EQ(error, dir.file("empty.safetensors") +
                       ": truncated: the file has 0 bytes, a safetensors "
                       "file has at least 8");
  writeFile(dir.file("ok.safetensors"), image(kOneTensor, kEight));
  EXPECT_TRUE(SafetensorsFile::load(dir.file("ok.safetensors"), &error))
      << error;
}

//===----------------------------------------------------------------------===//
// Writer validation and atomicity
//===----------------------------------------------------------------------===//

TEST(SafetensorsWriterTest, RefusesWhatTheReaderWouldRefuse) {
  Tensor w = Tensor::zeros(ElementType::f32, {2});
  Tensor bad = Tensor::zeros(ElementType::i1, {3});
  bad.dataAs<uint8_t>()[1] = 2;
  Tensor none;
  struct Case {
    std::vector<NamedTensor> tensors;
    std::map<std::string, std::string> metadata;
    const char *message;
  } cases[] = {
      {{{"", &w}}, {}, "tensor 0 (\"\") has an empty name"},
      {{{"__metadata__", &w}}, {}, "the name is reserved for metadata"},
      {{{"w", &w}, {"w", &w}}, {}, "tensor 1 (\"w\"): the name is used twice"},
      {{{"w\xff", &w}}, {}, "the name is not valid UTF-8"},
      {{{"w", &none}},
       {},
       "tensor 0 (\"w\") has no storage or an invalid "
       "type"},
      {{{"w", nullptr}}, {}, "has no storage"},
      {{{"m", &bad}}, {}, "tensor 0 (\"m\"): i1 element 1 is neither 0 nor 1"},
      {{}, {{"k", "\xc3"}}, "metadata \"k\" is not valid UTF-8"},
  };
  TempDir dir;
  for (const Case &c : cases) {
    std::vector<uint8_t> bytes;
    std::string error;
    EXPECT_FALSE(serializeSafetensors(c.tensors, c.metadata, &bytes, &error));
    EXPECT_NE(error.find(c.message), std::string::npos) << error;
    EXPECT_FALSE(writeSafetensors(dir.file("x.safetensors"), c.tensors,
                                  c.metadata, &error));
    EXPECT_EQ(error.rfind(dir.file("x.safetensors") +
                              ": cannot write the safetensors file: ",
                          0),
              0u)
        << error;
  }
  EXPECT_TRUE(dir.list().empty());
}

TEST(SafetensorsWriterTest, FailuresLeaveNothingAndKeepTheOldFile) {
  TempDir dir;
  Tensor w = Tensor::zeros(ElementType::f32, {2});
  std::string error;
  EXPECT_FALSE(writeSafetensors(dir.file("no/such/w.safetensors"), {{"w", &w}},
                                {}, &error));
  EXPECT_EQ(error.rfind(dir.file("no/such/w.safetensors") +
                            ": cannot create a temporary file",
                        0),
            0u)
      << error;
  writeFile(dir.file("w.safetensors"), {'o', 'l', 'd'});
  Tensor none;
  EXPECT_FALSE(
      writeSafetensors(dir.file("w.safetensors"), {{"w", &none}}, {}, &error));
  EXPECT_EQ(readFile(dir.file("w.safetensors")),
            (std::vector<uint8_t>{'o', 'l', 'd'}));
  ASSERT_TRUE(
      writeSafetensors(dir.file("w.safetensors"), {{"w", &w}}, {}, &error))
      << error;
  EXPECT_TRUE(SafetensorsFile::load(dir.file("w.safetensors"), &error))
      << error;
  EXPECT_EQ(dir.list(), std::vector<std::string>{"w.safetensors"});
}

//===----------------------------------------------------------------------===//
// Interoperability with an independent implementation of the format
//===----------------------------------------------------------------------===//

#ifdef DIFFC_TEST_PYTHON
/// Runs a Python script with the directory as argv[1].
bool runPython(const std::string &script, const std::string &dir) {
  std::string scriptPath = dir + "/script.py";
  writeFile(scriptPath, std::vector<uint8_t>(script.begin(), script.end()));
  std::string command =
      std::string(DIFFC_TEST_PYTHON) + " " + scriptPath + " " + dir;
  return std::system(command.c_str()) == 0;
}

/// A writer that follows the published format with json.dumps' default
/// formatting (spaces after ',' and ':', non-ASCII escaped as \uXXXX) and
/// the reference's padding and layout, with PyTorch state-dict names. bf16
/// is made by hand from float32 bits (numpy has no bfloat16).
const char kPythonWriter[] = R"(
import json, struct, sys
import numpy as np
d = sys.argv[1]
def f32(shape): return (np.arange(int(np.prod(shape))) * 0.25 - 1).astype('<f4').reshape(shape)
tensors = {
    'conv_in.weight': ('F32', f32((4, 1, 3, 3))),
    'conv_in.bias': ('F32', f32((4,))),
    'time_embedding.linear_1.weight': ('F64', np.arange(6, dtype='<f8').reshape(2, 3) / 8),
    'down_blocks.0.resnets.0.norm1.weight': ('F16', f32((5,)).astype('<f2')),
    'down_blocks.0.attentions.0.proj.weight': ('BF16', (f32((2, 2)).view('<u4') >> 16).astype('<u2')),
    'num_batches_tracked': ('I64', np.array(12345678901, dtype='<i8')),
    'position_ids': ('I32', np.arange(7, dtype='<i4') - 3),
    'mask': ('BOOL', np.array([True, False, True]).astype('u1')),
    'quantized': ('U8', np.array([0, 128, 255], dtype='u1')),
    'caf\u00e9': ('F32', f32((0, 3))),
}
header, data = {'__metadata__': {'format': 'pt', 'note': 'pi \u03c0'}}, b''
order = sorted(tensors, key=lambda n: (-tensors[n][1].dtype.itemsize, n))
for name in order:
    dtype, a = tensors[name]
    raw = np.ascontiguousarray(a).tobytes()
    header[name] = {'dtype': dtype, 'shape': list(a.shape),
                    'data_offsets': [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode('utf-8')
text += b' ' * ((8 - len(text) % 8) % 8)
with open(f'{d}/python.safetensors', 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + data)
)";

TEST(SafetensorsPythonTest, ReadsWhatAnIndependentWriterWrites) {
  TempDir dir;
  if (!runPython(kPythonWriter, dir.path()))
    GTEST_SKIP() << "no NumPy at " << DIFFC_TEST_PYTHON;
  std::string error;
  auto file = SafetensorsFile::load(dir.file("python.safetensors"), &error);
  ASSERT_TRUE(file) << error;
  EXPECT_EQ(file->metadata(), (std::map<std::string, std::string>{
                                  {"format", "pt"}, {"note", "pi \xcf\x80"}}));
  EXPECT_EQ(file->tensors().size(), 10u);

  Tensor t;
  ASSERT_TRUE(file->copyTensor("conv_in.weight", &t, &error)) << error;
  EXPECT_EQ(t.typeString(), "tensor<4x1x3x3xf32>");
  for (int64_t i = 0; i < 36; ++i)
    EXPECT_EQ(t.dataAs<float>()[i], i * 0.25f - 1);
  ASSERT_TRUE(file->copyTensor("time_embedding.linear_1.weight", &t, &error));
  EXPECT_EQ(t.typeString(), "tensor<2x3xf64>");
  EXPECT_EQ(t.dataAs<double>()[5], 5.0 / 8);
  ASSERT_TRUE(
      file->copyTensor("down_blocks.0.resnets.0.norm1.weight", &t, &error));
  EXPECT_EQ(t.typeString(), "tensor<5xf16>");
  // -1, -0.75, -0.5, -0.25, 0 in IEEE half.
  const uint16_t halves[] = {0xBC00, 0xBA00, 0xB800, 0xB400, 0x0000};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(t.dataAs<uint16_t>()[i], halves[i]) << i;
  ASSERT_TRUE(
      file->copyTensor("down_blocks.0.attentions.0.proj.weight", &t, &error));
  EXPECT_EQ(t.typeString(), "tensor<2x2xbf16>");
  for (int i = 0; i < 4; ++i) {
    uint32_t bits = uint32_t(t.dataAs<uint16_t>()[i]) << 16;
    float v;
    std::memcpy(&v, &bits, 4);
    EXPECT_EQ(v, i * 0.25f - 1) << i; // exact in bf16
  }
  ASSERT_TRUE(file->copyTensor("num_batches_tracked", &t, &error));
  EXPECT_EQ(t.typeString(), "tensor<i64>");
  EXPECT_EQ(t.dataAs<int64_t>()[0], 12345678901);
  ASSERT_TRUE(file->copyTensor("position_ids", &t, &error));
  EXPECT_EQ(t.dataAs<int32_t>()[0], -3);
  ASSERT_TRUE(file->copyTensor("mask", &t, &error));
  EXPECT_EQ(t.typeString(), "tensor<3xi1>");
  EXPECT_EQ(t.dataAs<uint8_t>()[2], 1);
  EXPECT_EQ(file->find("quantized")->dtype, "U8");
  EXPECT_EQ(file->find("quantized")->data[2], 255);
  ASSERT_TRUE(file->copyTensor("caf\xc3\xa9", &t, &error)) << error;
  EXPECT_EQ(t.typeString(), "tensor<0x3xf32>");
}

TEST(SafetensorsPythonTest, AnIndependentReaderReadsWhatWeWrite) {
  TempDir dir;
  if (!runPython("import numpy", dir.path()))
    GTEST_SKIP() << "no NumPy at " << DIFFC_TEST_PYTHON;
  Tensor w = Tensor::fromVector(ElementType::f32, {2, 3},
                                std::vector<float>{1, -2, 3.5f, 4, 5, -6});
  Tensor d = Tensor::fromVector(ElementType::f64, {2},
                                std::vector<double>{0.125, -1e300});
  Tensor h = Tensor::fromVector(ElementType::f16, {3},
                                std::vector<uint16_t>{0x3C00, 0xC000, 0x3800});
  Tensor bf = Tensor::fromVector(ElementType::bf16, {2},
                                 std::vector<uint16_t>{0x3F80, 0xC040});
  Tensor i =
      Tensor::fromVector(ElementType::i32, {3}, std::vector<int32_t>{-7, 0, 7});
  Tensor l = Tensor::fromVector(ElementType::i64, {},
                                std::vector<int64_t>{-12345678901});
  Tensor b = Tensor::fromVector(ElementType::i1, {4},
                                std::vector<uint8_t>{1, 0, 0, 1});
  Tensor e = Tensor::zeros(ElementType::f32, {0, 4});
  std::string error;
  ASSERT_TRUE(writeSafetensors(dir.file("ours.safetensors"),
                               {{"conv_in.weight", &w},
                                {"d", &d},
                                {"h", &h},
                                {"bf", &bf},
                                {"i", &i},
                                {"l", &l},
                                {"b", &b},
                                {"caf\xc3\xa9 \"q\"", &e}},
                               {{"format", "pt"}, {"step", "1000"}}, &error))
      << error;
  const char script[] = R"(
import json, struct, sys
import numpy as np
d = sys.argv[1]
raw = open(f'{d}/ours.safetensors', 'rb').read()
n, = struct.unpack('<Q', raw[:8])
assert (8 + n) % 8 == 0, n
def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
header = json.loads(raw[8:8 + n].decode('utf-8'), object_pairs_hook=no_duplicates)
data = raw[8 + n:]
assert header.pop('__metadata__') == {'format': 'pt', 'step': '1000'}
spans = sorted(tuple(v['data_offsets']) for v in header.values())
pos = 0
for b, e in spans:
    assert b == pos, (b, pos)
    pos = e
assert pos == len(data), (pos, len(data))
dt = {'F32': '<f4', 'F64': '<f8', 'F16': '<f2', 'BF16': '<u2', 'I32': '<i4', 'I64': '<i8', 'BOOL': 'u1'}
def get(name):
    v = header[name]
    b, e = v['data_offsets']
    return v['dtype'], np.frombuffer(data[b:e], dtype=dt[v['dtype']]).reshape(v['shape'])
t, a = get('conv_in.weight'); assert t == 'F32' and a.tolist() == [[1, -2, 3.5], [4, 5, -6]], a
t, a = get('d'); assert t == 'F64' and a.tolist() == [0.125, -1e300]
t, a = get('h'); assert t == 'F16' and a.tolist() == [1.0, -2.0, 0.5]
t, a = get('bf'); assert t == 'BF16'
assert (a.astype('<u4') << 16).view('<f4').tolist() == [1.0, -3.0]
t, a = get('i'); assert t == 'I32' and a.tolist() == [-7, 0, 7]
t, a = get('l'); assert t == 'I64' and a.shape == () and int(a) == -12345678901
t, a = get('b'); assert t == 'BOOL' and a.tolist() == [1, 0, 0, 1]
t, a = get('caf\u00e9 "q"'); assert t == 'F32' and a.shape == (0, 4)
)";
  EXPECT_TRUE(runPython(script, dir.path()));
}
#endif // DIFFC_TEST_PYTHON

} // namespace
