//===- TestArtifacts.h - Artifacts and files for runtime tests --*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Shared by the GoogleTest suites and diffc-make-test-artifact: the
// signatures of the hand-written kernels in TestKernels.c, an ArtifactWriter
// preloaded with them, raw FlatBuffer construction for artifacts the writer
// refuses to produce, and small file helpers.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TEST_UNIT_RUNTIME_TESTARTIFACTS_H
#define DIFFC_TEST_UNIT_RUNTIME_TESTARTIFACTS_H

#include "diffc/artifact.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace diffc {
namespace test {

/// Bytes of the test-kernel shared library (TestKernels.c); `alt` selects the
/// variant built with DIFFC_TEST_KERNELS_ID=2. Aborts if it cannot be read.
std::vector<uint8_t> kernelLibraryBytes(bool alt = false);

/// The signatures of every function in TestKernels.c.
std::vector<EntryPointSignature> kernelEntryPoints();

/// The parameters of TestKernels.c: "layer.weight" (tensor<2x3xf32>, symbol
/// diffc_param_0) and "layer.steps" (tensor<i64>, diffc_param_1), which
/// scale_by_param reads.
std::vector<ParameterSignature> kernelParameters();

/// The values of the two weights kernelArtifactWriter() embeds.
std::vector<float> kernelWeightValues();
constexpr int64_t kKernelSteps = 7;

/// A writer holding kernelEntryPoints(), kernelParameters(), the kernel
/// library as the x86_64 code object (if `withCode`) and, if `withWeights`,
/// the two parameters' values as weights ("layer.weight" =
/// kernelWeightValues(), "layer.steps" = kKernelSteps).
ArtifactWriter kernelArtifactWriter(bool withCode = true, bool alt = false,
                                    bool withWeights = true);

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
/// destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  /// path() + "/" + name.
  std::string file(const std::string &name) const;
  /// The names in the directory, sorted.
  std::vector<std::string> list() const;

private:
  std::string path_;
};

/// A safetensors image made by hand: the 8-byte little-endian length of
/// `header`, `header`, then `data` (for files the writer refuses to make).
std::vector<uint8_t> safetensorsImage(const std::string &header,
                                      const std::vector<uint8_t> &data = {});

std::vector<uint8_t> readFile(const std::string &path);
void writeFile(const std::string &path, const std::vector<uint8_t> &bytes);
bool fileExists(const std::string &path);

//===----------------------------------------------------------------------===//
// Raw artifacts, built with the generated FlatBuffers API directly
//===----------------------------------------------------------------------===//

/// A Value; `shape` nullopt leaves the field out.
struct RawValue {
  int kind = 0;
  int elementType = 0;
  std::optional<std::vector<int64_t>> shape = std::vector<int64_t>{-1};
};

struct RawEntry {
  std::string name = "f";
  std::string symbol = "f";
  std::vector<RawValue> inputs;
  std::vector<RawValue> outputs;
};

/// A CodeObject (target in `name`) or a Weight.
struct RawBlob {
  std::string name;
  int format = 0;
  int elementType = 0;
  std::vector<int64_t> shape;
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// A Parameter; `shape` nullopt leaves the field out.
struct RawParameter {
  std::string name = "p";
  std::string symbol = "p";
  int elementType = 0;
  std::optional<std::vector<int64_t>> shape = std::vector<int64_t>{2};
};

/// A Metadata entry; `value` nullopt leaves the required field out.
struct RawMetadata {
  std::string key;
  std::optional<std::string> value = std::string();
};

struct RawModule {
  uint32_t schemaVersion = kArtifactSchemaVersion;
  std::vector<RawEntry> entries;
  std::vector<RawBlob> codeObjects;
  std::vector<RawBlob> weights;
  /// Empty leaves Module.parameters out, as older writers did.
  std::vector<RawParameter> parameters;
  /// Empty leaves Module.metadata out, as older writers did.
  std::vector<RawMetadata> metadata;
  /// Bytes appended after the table, starting at align_up(4 + N, 64).
  uint64_t dataSegmentSize = 0;
};

/// The file image of `module`, laid out as artifact.fbs says, with the data
/// segment filled with a byte pattern.
std::vector<uint8_t> buildRaw(const RawModule &module);

} // namespace test
} // namespace diffc

#endif // DIFFC_TEST_UNIT_RUNTIME_TESTARTIFACTS_H
