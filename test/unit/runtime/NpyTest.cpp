//===- NpyTest.cpp - Tests for .npy reading and writing -------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/tensor.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

using namespace diffc;
using namespace diffc::test;

namespace {

/// The element types .npy can carry.
const ElementType kNpyTypes[] = {ElementType::f32, ElementType::f64,
                                 ElementType::f16, ElementType::i32,
                                 ElementType::i64, ElementType::i1};

/// Shapes of rank 0 to 4, including an empty one.
const std::vector<std::vector<int64_t>> kShapes = {
    {}, {5}, {3, 4}, {2, 0, 3}, {2, 3, 1, 4}, {1}};

/// Fills `t` with deterministic values; booleans get 0/1.
void fill(Tensor &t, uint32_t seed) {
  std::mt19937 rng(seed);
  uint8_t *p = static_cast<uint8_t *>(t.data());
  for (size_t i = 0; i < t.byteSize(); ++i)
    p[i] = t.elementType() == ElementType::i1 ? rng() & 1
                                              : static_cast<uint8_t>(rng());
}

bool sameTensor(const Tensor &a, const Tensor &b) {
  return a.elementType() == b.elementType() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

/// A .npy image with the given version, header text (padded and terminated
/// by the caller) and payload.
std::vector<uint8_t> npyImage(const std::string &header,
                              const std::vector<uint8_t> &payload,
                              int major = 1) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y',
                              static_cast<uint8_t>(major), 0};
  uint32_t n = static_cast<uint32_t>(header.size());
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
    out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::string parseError(const std::vector<uint8_t> &image) {
  Tensor t;
  std::string error;
  EXPECT_FALSE(parseNpy("x.npy", image.data(), image.size(), &t, &error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(error.rfind("x.npy: ", 0), 0u) << error;
  return error;
}

const std::string kF32x2 =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
const std::vector<uint8_t> kEightBytes(8, 0);

TEST(NpyTest, RoundTripEveryTypeAndRank) {
  TempDir dir;
  uint32_t seed = 1;
  for (ElementType type : kNpyTypes) {
    for (const std::vector<int64_t> &shape : kShapes) {
      Tensor t = Tensor::zeros(type, shape);
      fill(t, seed++);
      std::string path = dir.file("t.npy");
      std::string error;
      ASSERT_TRUE(writeNpy(path, t, &error)) << error;
      std::vector<uint8_t> bytes = readFile(path);
      // The data starts 64-byte aligned, as NumPy >= 1.24 writes it.
      EXPECT_EQ((bytes.size() - t.byteSize()) % 64, 0u);
      Tensor back;
      ASSERT_TRUE(readNpy(path, &back, &error)) << error;
      EXPECT_TRUE(sameTensor(t, back)) << t.typeString();
    }
  }
}

TEST(NpyTest, HeaderTextMatchesNumpy) {
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serializeNpy(Tensor::zeros(ElementType::f32, {2, 3}), &bytes,
                           &error));
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  // 10 bytes of preamble + the dict + padding + '\n' = 128, as NumPy writes.
  std::string header(bytes.begin() + 10, bytes.begin() + 128);
  EXPECT_EQ(header,
            dict + std::string(128 - 10 - dict.size() - 1, ' ') + "\n");
  EXPECT_EQ(bytes.size(), 128u + 24u);
  ASSERT_TRUE(serializeNpy(Tensor::zeros(ElementType::i1, {7}), &bytes,
                           &error));
  EXPECT_NE(std::string(bytes.begin(), bytes.end())
                .find("{'descr': '|b1', 'fortran_order': False, 'shape': (7,), }"),
            std::string::npos);
  ASSERT_TRUE(serializeNpy(Tensor::zeros(ElementType::i64, {}), &bytes,
                           &error));
  EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("'shape': (), }"),
            std::string::npos);
}

TEST(NpyTest, VersionTwoForHugeHeaders) {
  // Rank 25000 of extent 1: the header exceeds version 1.0's 65535 bytes.
  Tensor t = Tensor::zeros(ElementType::f32, std::vector<int64_t>(25000, 1));
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serializeNpy(t, &bytes, &error)) << error;
  EXPECT_EQ(bytes[6], 2);
  Tensor back;
  ASSERT_TRUE(parseNpy("big.npy", bytes.data(), bytes.size(), &back, &error))
      << error;
  EXPECT_EQ(back.rank(), 25000);
}

TEST(NpyTest, AcceptsVersionsAndHeaderVariants) {
  std::vector<uint8_t> payload = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}; // 1, 2
  for (int major : {1, 2, 3}) {
    for (std::string header :
         {kF32x2, std::string("{\"descr\":\"<f4\",\"fortran_order\":False,"
                              "\"shape\":(2,)}"),
          std::string("{'shape': (2), 'fortran_order': False, 'descr': "
                      "'<f4'}   \n")}) {
      Tensor t;
      std::string error;
      std::vector<uint8_t> image = npyImage(header, payload, major);
      ASSERT_TRUE(parseNpy("x.npy", image.data(), image.size(), &t, &error))
          << error;
      EXPECT_EQ(t.shape(), std::vector<int64_t>{2});
      EXPECT_EQ(t.dataAs<float>()[1], 2.0f);
    }
  }
}

TEST(NpyTest, RejectsBadMagicAndVersions) {
  EXPECT_EQ(parseError({}), "x.npy: not a .npy file (bad magic; expected "
                            "\\x93NUMPY)");
  EXPECT_NE(parseError({'P', 'K', 3, 4, 0, 0, 0, 0}).find("bad magic"),
            std::string::npos);
  std::vector<uint8_t> v4 = npyImage(kF32x2, kEightBytes);
  v4[6] = 4;
  EXPECT_EQ(parseError(v4), "x.npy: unsupported .npy format version 4.0 "
                            "(1.0, 2.0, 3.0 are read)");
  std::vector<uint8_t> v11 = npyImage(kF32x2, kEightBytes);
  v11[7] = 1;
  EXPECT_NE(parseError(v11).find("version 1.1"), std::string::npos);
}

TEST(NpyTest, RejectsTruncation) {
  std::vector<uint8_t> image = npyImage(kF32x2, kEightBytes);
  // Every cut of the file is refused, whatever part it falls in.
  for (size_t length = 0; length < image.size(); ++length)
    parseError(std::vector<uint8_t>(image.begin(), image.begin() + length));
  EXPECT_EQ(parseError(npyImage(kF32x2, {0, 0, 0, 0, 0})),
            "x.npy: truncated: shape [2] of <f4 needs 8 bytes of data, the "
            "file has 5");
  std::vector<uint8_t> cutHeader = npyImage(kF32x2, {});
  cutHeader.resize(30);
  EXPECT_EQ(parseError(cutHeader),
            "x.npy: truncated: the header has " +
                std::to_string(kF32x2.size()) + " bytes, but only 20 follow");
}

TEST(NpyTest, RejectsTrailingData) {
  EXPECT_EQ(parseError(npyImage(kF32x2, std::vector<uint8_t>(12))),
            "x.npy: header/data mismatch: shape [2] of <f4 needs 8 bytes of "
            "data, the file has 12");
}

TEST(NpyTest, RejectsFortranOrderBigEndianAndObjects) {
  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n",
          kEightBytes)),
      "x.npy: fortran_order is True; only C-order arrays are supported (save "
      "np.ascontiguousarray(arr))");
  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n",
          kEightBytes)),
      "x.npy: big-endian dtype '>f4' is not supported; save it with "
      "arr.astype('<f4')");
  EXPECT_EQ(parseError(npyImage(
                "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n",
                kEightBytes)),
            "x.npy: object dtype '|O' is not supported");
  EXPECT_EQ(parseError(npyImage(
                "{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }\n",
                kEightBytes)),
            "x.npy: unsupported dtype '<u2' (supported: <f4 <f8 <f2 <i4 <i8 "
            "|b1)");
  EXPECT_NE(parseError(npyImage("{'descr': [('a', '<f4')], 'fortran_order': "
                                "False, 'shape': (2,), }\n",
                                kEightBytes))
                .find("structured dtype"),
            std::string::npos);
}

TEST(NpyTest, RejectsMalformedHeaders) {
  struct Case {
    const char *header;
    const char *message;
  } cases[] = {
      {"", "expected '{'"},
      {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
       "expected a string, True, False or a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 'y'}",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': "
       "(2,)}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",
       "expected ',' or '}' at header character 17"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}",
       "expected ':' at header character 9"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
       "expected a non-negative integer extent"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "expected"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
       "expected a string, True, False or a tuple"},
      {"{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,)}",
       "'fortran_order' is not True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': '2'}",
       "'shape' is not a tuple"},
      {"{'descr': 4, 'fortran_order': False, 'shape': (2,)}",
       "expected a string"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} extra",
       "unexpected text after the dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(99999999999999999999,)}",
       "extent too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, "
       "4294967296)}",
       "too many elements"},
  };
  for (const Case &c : cases) {
    std::string error = parseError(npyImage(c.header, kEightBytes));
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.header << " -> " << error;
  }
}

TEST(NpyTest, RejectsShapeDataMismatch) {
  // The header promises 3 elements, the file holds 2.
  EXPECT_NE(parseError(npyImage("{'descr': '<f4', 'fortran_order': False, "
                                "'shape': (3,), }\n",
                                kEightBytes))
                .find("truncated"),
            std::string::npos);
}

TEST(NpyTest, RejectsNonBooleanBytes) {
  EXPECT_EQ(parseError(npyImage(
                "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\n",
                {1, 0, 2})),
            "x.npy: bool element 2 is 2, not 0 or 1");
}

TEST(NpyTest, WriteErrorsLeaveNothing) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(writeNpy(dir.file("x.npy"),
                        Tensor::zeros(ElementType::bf16, {2}), &error));
  EXPECT_EQ(error, dir.file("x.npy") + ": bf16 has no .npy dtype");
  EXPECT_FALSE(writeNpy(dir.file("missing/x.npy"),
                        Tensor::zeros(ElementType::f32, {2}), &error));
  EXPECT_TRUE(dir.list().empty());
  // An existing file survives a failed write.
  writeFile(dir.file("x.npy"), {'k'});
  EXPECT_FALSE(writeNpy(dir.file("x.npy"), Tensor(), &error));
  EXPECT_EQ(readFile(dir.file("x.npy")), std::vector<uint8_t>{'k'});
  EXPECT_EQ(dir.list(), std::vector<std::string>{"x.npy"});
}

TEST(NpyTest, ReadFileErrors) {
  TempDir dir;
  Tensor t;
  std::string error;
  EXPECT_FALSE(readNpy(dir.file("none.npy"), &t, &error));
  EXPECT_EQ(error,
            dir.file("none.npy") + ": cannot open: No such file or directory");
}

//===----------------------------------------------------------------------===//
// Interoperability with NumPy itself
//===----------------------------------------------------------------------===//

#ifdef DIFFC_TEST_PYTHON
/// Runs a NumPy script with the directory as argv[1]; skips without numpy.
bool runPython(const std::string &script, const std::string &dir) {
  std::string scriptPath = dir + "/script.py";
  writeFile(scriptPath, std::vector<uint8_t>(script.begin(), script.end()));
  std::string command = std::string(DIFFC_TEST_PYTHON) + " " + scriptPath +
                        " " + dir;
  return std::system(command.c_str()) == 0;
}

/// Value i of the files NumPy writes below, in double.
double expectedValue(ElementType type, int64_t i) {
  switch (type) {
  case ElementType::i1:
    return i % 3 == 0;
  case ElementType::i32:
  case ElementType::i64:
    return i * 7 - 20;
  default:
    return i * 0.5 - 3;
  }
}

double elementAsDouble(const Tensor &t, int64_t i) {
  switch (t.elementType()) {
  case ElementType::f32:
    return t.dataAs<float>()[i];
  case ElementType::f64:
    return t.dataAs<double>()[i];
  case ElementType::i32:
    return t.dataAs<int32_t>()[i];
  case ElementType::i64:
    return double(t.dataAs<int64_t>()[i]);
  case ElementType::i1:
    return t.dataAs<uint8_t>()[i];
  case ElementType::f16: {
    // The test values are multiples of 0.5 below 64: exact in half.
    uint16_t h = t.dataAs<uint16_t>()[i];
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? std::ldexp(m, -24) : std::ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
  }
  default:
    return 0;
  }
}

const char kWriteScript[] = R"(
import sys, numpy as np
from numpy.lib import format as F
d = sys.argv[1]
types = {'f32': 'f4', 'f64': 'f8', 'f16': 'f2', 'i32': 'i4', 'i64': 'i8', 'i1': '?'}
shapes = {'r0': (), 'r1': (5,), 'r2': (3, 4), 'r3': (2, 0, 3), 'r4': (2, 3, 1, 4)}
for tn, dt in types.items():
    for sn, shape in shapes.items():
        i = np.arange(int(np.prod(shape))).reshape(shape)
        if dt == '?': a = (i % 3 == 0)
        elif dt[0] == 'i': a = (i * 7 - 20).astype(dt)
        else: a = (i * 0.5 - 3).astype(dt)
        np.save(f'{d}/{tn}_{sn}.npy', a)
a = (np.arange(6) * 0.5 - 3).astype('<f4').reshape(2, 3)
for v in [(2, 0), (3, 0)]:
    with open(f'{d}/v{v[0]}.npy', 'wb') as f:
        F.write_array(f, a, version=v)
np.save(f'{d}/fortran.npy', np.asfortranarray(np.ones((2, 3), '<f4')))
np.save(f'{d}/bigendian.npy', np.ones(3, '>f4'))
np.save(f'{d}/object.npy', np.array([1, 'a'], dtype=object), allow_pickle=True)
np.save(f'{d}/uint8.npy', np.ones(3, 'u1'))
)";

TEST(NpyNumpyTest, ReadsWhatNumpyWrites) {
  TempDir dir;
  if (!runPython(kWriteScript, dir.path()))
    GTEST_SKIP() << "no NumPy at " << DIFFC_TEST_PYTHON;
  const char *typeNames[] = {"f32", "f64", "f16", "i32", "i64", "i1"};
  const char *shapeNames[] = {"r0", "r1", "r2", "r3", "r4"};
  const std::vector<int64_t> shapes[] = {
      {}, {5}, {3, 4}, {2, 0, 3}, {2, 3, 1, 4}};
  for (const char *tn : typeNames) {
    for (int s = 0; s < 5; ++s) {
      std::string path = dir.file(std::string(tn) + "_" + shapeNames[s] +
                                  ".npy");
      Tensor t;
      std::string error;
      ASSERT_TRUE(readNpy(path, &t, &error)) << error;
      EXPECT_EQ(elementTypeName(t.elementType()), tn);
      EXPECT_EQ(t.shape(), shapes[s]) << path;
      for (int64_t i = 0; i < t.numElements(); ++i)
        EXPECT_EQ(elementAsDouble(t, i), expectedValue(t.elementType(), i))
            << path << " element " << i;
    }
  }
  for (const char *v : {"v2.npy", "v3.npy"}) {
    Tensor t;
    std::string error;
    ASSERT_TRUE(readNpy(dir.file(v), &t, &error)) << error;
    EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t.dataAs<float>()[5], -0.5f);
  }
  struct Refused {
    const char *file;
    const char *message;
  } refused[] = {{"fortran.npy", "fortran_order is True"},
                 {"bigendian.npy", "big-endian dtype '>f4'"},
                 {"object.npy", "object dtype '|O'"},
                 {"uint8.npy", "unsupported dtype '|u1'"}};
  for (const Refused &r : refused) {
    Tensor t;
    std::string error;
    EXPECT_FALSE(readNpy(dir.file(r.file), &t, &error));
    EXPECT_EQ(error.rfind(dir.file(r.file) + ": ", 0), 0u) << error;
    EXPECT_NE(error.find(r.message), std::string::npos) << error;
  }
}

TEST(NpyNumpyTest, NumpyReadsWhatWeWrite) {
  TempDir dir;
  int index = 0;
  for (ElementType type : kNpyTypes) {
    Tensor t = Tensor::zeros(type, {2, 3});
    for (int64_t i = 0; i < 6; ++i) {
      double v = expectedValue(type, i);
      switch (type) {
      case ElementType::f32:
        t.dataAs<float>()[i] = float(v);
        break;
      case ElementType::f64:
        t.dataAs<double>()[i] = v;
        break;
      case ElementType::i32:
        t.dataAs<int32_t>()[i] = int32_t(v);
        break;
      case ElementType::i64:
        t.dataAs<int64_t>()[i] = int64_t(v);
        break;
      case ElementType::i1:
        t.dataAs<uint8_t>()[i] = uint8_t(v);
        break;
      case ElementType::f16: {
        // v = i * 0.5 - 3 for i < 6: -3 -2.5 -2 -1.5 -1 -0.5.
        const uint16_t halves[] = {0xC200, 0xC100, 0xC000,
                                   0xBE00, 0xBC00, 0xB800};
        t.dataAs<uint16_t>()[i] = halves[i];
        break;
      }
      default:
        break;
      }
    }
    std::string error;
    ASSERT_TRUE(writeNpy(dir.file("t" + std::to_string(index++) + ".npy"), t,
                         &error))
        << error;
  }
  const char script[] = R"(
import sys, numpy as np
d = sys.argv[1]
want = ['<f4', '<f8', '<f2', '<i4', '<i8', '|b1']
for k, dt in enumerate(want):
    a = np.load(f'{d}/t{k}.npy')
    assert a.dtype.str == dt, (k, a.dtype.str)
    assert a.shape == (2, 3) and a.flags['C_CONTIGUOUS'], a.shape
    i = np.arange(6).reshape(2, 3)
    ref = (i % 3 == 0) if dt == '|b1' else (i * 7 - 20) if dt[1] == 'i' else (i * 0.5 - 3)
    assert np.array_equal(a.astype(np.float64), ref.astype(np.float64)), (dt, a)
)";
  if (!runPython("import numpy", dir.path()))
    GTEST_SKIP() << "no NumPy at " << DIFFC_TEST_PYTHON;
  EXPECT_TRUE(runPython(script, dir.path()));
}
#endif // DIFFC_TEST_PYTHON

} // namespace
