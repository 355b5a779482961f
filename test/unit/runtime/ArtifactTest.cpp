//===- ArtifactTest.cpp - Tests for artifact writing and verification -----===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/artifact.h"
#include "diffc/artifact_generated.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace diffc;
using namespace diffc::test;

namespace {

uint32_t readU32(const std::vector<uint8_t> &bytes, size_t at) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

std::unique_ptr<Artifact> loadBytes(const std::vector<uint8_t> &bytes,
                                    std::string *error) {
  return Artifact::loadFromMemory("model.diffc", bytes.data(), bytes.size(),
                                  error);
}

/// Touches every field and every blob byte of a loaded artifact, as inspect
/// and a session would; returns a checksum so nothing is optimized away.
uint64_t touchEverything(const Artifact &artifact) {
  uint64_t sum = artifact.schemaVersion() + artifact.producer().size();
  for (const EntryPointSignature &e : artifact.entryPoints()) {
    sum += e.name.size() + e.symbol.size();
    for (const auto *values : {&e.inputs, &e.outputs})
      for (const ValueSignature &v : *values)
        sum += typeString(v).size() + v.name.size();
  }
  for (const CodeObjectRef &c : artifact.codeObjects())
    for (uint64_t i = 0; i < c.size; ++i)
      sum += c.data[i] + codeFormatName(c.format).size();
  for (const WeightRef &w : artifact.weights())
    for (uint64_t i = 0; i < w.size; ++i)
      sum += w.data[i];
  for (const MetadataEntry &m : artifact.metadata())
    sum += m.first.size() + m.second.size();
  return sum;
}

/// A small artifact whose data segment ends with a nonempty blob, so every
/// truncation cuts something the loader checks.
std::vector<uint8_t> smallArtifact() {
  ArtifactWriter writer = kernelArtifactWriter(/*withCode=*/false);
  writer.addCodeObject("x86_64", CodeFormat::elf_shared_object,
                       std::vector<uint8_t>(100, 0xCC));
  writer.addCodeObject("sm_90", CodeFormat::cubin,
                       std::vector<uint8_t>(70, 0xAB));
  writer.addMetadata("samplers", "ddim");
  writer.addMetadata("note", "caf\xc3\xa9");
  std::vector<uint8_t> image;
  std::string error;
  EXPECT_TRUE(writer.serialize(&image, &error)) << error;
  return image;
}

//===----------------------------------------------------------------------===//
// Round trip and layout
//===----------------------------------------------------------------------===//

TEST(ArtifactTest, RoundTripThroughFile) {
  TempDir dir;
  std::string path = dir.file("model.diffc");
  std::string error;
  ASSERT_TRUE(kernelArtifactWriter().write(path, &error)) << error;

  std::unique_ptr<Artifact> artifact = Artifact::load(path, &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_EQ(artifact->name(), path);
  EXPECT_EQ(artifact->schemaVersion(), kArtifactSchemaVersion);
  EXPECT_EQ(artifact->producer(), "diffc runtime tests");

  std::vector<EntryPointSignature> expected = kernelEntryPoints();
  ASSERT_EQ(artifact->entryPoints().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const EntryPointSignature &got = artifact->entryPoints()[i];
    EXPECT_EQ(got.name, expected[i].name);
    EXPECT_EQ(got.symbol, expected[i].symbol);
    ASSERT_EQ(got.inputs.size(), expected[i].inputs.size());
    ASSERT_EQ(got.outputs.size(), expected[i].outputs.size());
    for (size_t j = 0; j < got.inputs.size(); ++j) {
      EXPECT_EQ(typeString(got.inputs[j]), typeString(expected[i].inputs[j]));
      EXPECT_EQ(got.inputs[j].name, expected[i].inputs[j].name);
    }
    for (size_t j = 0; j < got.outputs.size(); ++j)
      EXPECT_EQ(typeString(got.outputs[j]),
                typeString(expected[i].outputs[j]));
  }
  EXPECT_EQ(typeString(artifact->findEntryPoint("scale")->inputs[0]),
            "tensor<?x?xf32>");
  EXPECT_EQ(typeString(artifact->findEntryPoint("dot")->outputs[0]),
            "tensor<f32>");
  EXPECT_EQ(artifact->findEntryPoint("nope"), nullptr);

  std::vector<uint8_t> library = kernelLibraryBytes();
  const CodeObjectRef *code = artifact->findCodeObject("x86_64");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->format, CodeFormat::elf_shared_object);
  ASSERT_EQ(code->size, library.size());
  EXPECT_EQ(std::memcmp(code->data, library.data(), library.size()), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(code->data) % 64, 0u);

  const WeightRef *weight = artifact->findWeight("layer.weight");
  ASSERT_TRUE(weight);
  EXPECT_EQ(weight->elementType, ElementType::f32);
  EXPECT_EQ(weight->shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(weight->size, 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(weight->data) % 64, 0u);
  const float *w = reinterpret_cast<const float *>(weight->data);
  EXPECT_EQ(w[0], 1.5f);
  EXPECT_EQ(w[5], -1.0f);
  const WeightRef *steps = artifact->findWeight("layer.steps");
  ASSERT_TRUE(steps);
  EXPECT_TRUE(steps->shape.empty());
  EXPECT_EQ(*reinterpret_cast<const int64_t *>(steps->data), 7);
}

TEST(ArtifactTest, FileLayoutMatchesTheSchemaComment) {
  std::vector<uint8_t> image = smallArtifact();
  // [0, 4) is N, [4, 4 + N) the FlatBuffer with "DFFC" after its root offset,
  // the data segment at align_up(4 + N, 64).
  uint32_t n = readU32(image, 0);
  ASSERT_LE(4u + n, image.size());
  EXPECT_EQ(std::memcmp(image.data() + 8, "DFFC", 4), 0);
  std::string error;
  std::unique_ptr<Artifact> artifact = loadBytes(image, &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_EQ(artifact->dataSegmentOffset(), alignUp(4 + n, 64));
  for (const CodeObjectRef &c : artifact->codeObjects())
    EXPECT_EQ(c.offset % 64, 0u) << c.target;
  for (const WeightRef &w : artifact->weights())
    EXPECT_EQ(w.offset % 64, 0u) << w.name;
  // Padding is zero, and the file ends at the end of the last blob.
  for (uint64_t i = 4 + n; i < artifact->dataSegmentOffset(); ++i)
    EXPECT_EQ(image[i], 0) << i;
  uint64_t end = 0;
  for (const CodeObjectRef &c : artifact->codeObjects())
    end = std::max(end, c.offset + c.size);
  for (const WeightRef &w : artifact->weights())
    end = std::max(end, w.offset + w.size);
  EXPECT_EQ(artifact->dataSegmentOffset() + end, image.size());
  EXPECT_EQ(artifact->findCodeObject("sm_90")->data[69], 0xAB);
}

TEST(ArtifactTest, FileAndMemoryLoadsAgree) {
  TempDir dir;
  std::vector<uint8_t> image = smallArtifact();
  writeFile(dir.file("a.diffc"), image);
  std::string error;
  auto fromFile = Artifact::load(dir.file("a.diffc"), &error);
  ASSERT_TRUE(fromFile) << error;
  auto fromMemory = loadBytes(image, &error);
  ASSERT_TRUE(fromMemory) << error;
  EXPECT_EQ(touchEverything(*fromFile), touchEverything(*fromMemory));
}

TEST(ArtifactTest, EmptyArtifactIsValid) {
  ArtifactWriter writer;
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  auto artifact = loadBytes(image, &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_TRUE(artifact->entryPoints().empty());
  EXPECT_TRUE(artifact->codeObjects().empty());
  EXPECT_TRUE(artifact->weights().empty());
}

//===----------------------------------------------------------------------===//
// Damaged files: every failure is an error, never a crash
//===----------------------------------------------------------------------===//

TEST(ArtifactTest, EveryTruncationFails) {
  std::vector<uint8_t> image = smallArtifact();
  for (size_t length = 0; length < image.size(); ++length) {
    std::vector<uint8_t> cut(image.begin(), image.begin() + length);
    std::string error;
    EXPECT_FALSE(loadBytes(cut, &error)) << "length " << length;
    EXPECT_EQ(error.rfind("model.diffc: ", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  std::string error;
  EXPECT_TRUE(loadBytes(image, &error)) << error;
}

TEST(ArtifactTest, TruncationsOfARealArtifactFail) {
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(kernelArtifactWriter().serialize(&image, &error)) << error;
  // The weights come last; truncations in steps through the whole file.
  for (size_t length = 0; length < image.size(); length += 61) {
    std::vector<uint8_t> cut(image.begin(), image.begin() + length);
    EXPECT_FALSE(loadBytes(cut, &error)) << "length " << length;
  }
}

TEST(ArtifactTest, TruncationMessageNamesBothSizes) {
  std::vector<uint8_t> image = smallArtifact();
  uint32_t n = readU32(image, 0);
  std::vector<uint8_t> cut(image.begin(), image.begin() + n / 2);
  std::string error;
  EXPECT_FALSE(loadBytes(cut, &error));
  EXPECT_EQ(error, "model.diffc: truncated: header says the table has " +
                       std::to_string(n) + " bytes, but only " +
                       std::to_string(n / 2 - 4) +
                       " follow the size prefix");
  cut.resize(5);
  EXPECT_FALSE(loadBytes(cut, &error));
  EXPECT_EQ(error, "model.diffc: truncated: the file has 5 bytes, an "
                   "artifact has at least 8");
}

TEST(ArtifactTest, SingleBitFlipsNeverCrash) {
  std::vector<uint8_t> image = smallArtifact();
  std::string error;
  std::unique_ptr<Artifact> original = loadBytes(image, &error);
  ASSERT_TRUE(original) << error;
  const uint64_t dataStart = original->dataSegmentOffset();
  size_t loaded = 0, refused = 0;
  for (size_t byte = 0; byte < image.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> flipped = image;
      flipped[byte] ^= static_cast<uint8_t>(1u << bit);
      std::unique_ptr<Artifact> artifact = loadBytes(flipped, &error);
      if (artifact) {
        ++loaded;
        touchEverything(*artifact);
      } else {
        ++refused;
        EXPECT_EQ(error.rfind("model.diffc: ", 0), 0u) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
      }
      // Blob contents are not metadata: flipping them must not matter.
      if (byte >= dataStart)
        EXPECT_TRUE(artifact) << "byte " << byte << ": " << error;
      // The identifier is checked byte for byte.
      if (byte >= 8 && byte < 12)
        EXPECT_FALSE(artifact) << "byte " << byte;
    }
  }
  EXPECT_EQ(loaded + refused, image.size() * 8);
  EXPECT_GT(refused, 0u);
}

TEST(ArtifactTest, WrongIdentifier) {
  std::vector<uint8_t> image = smallArtifact();
  std::memcpy(image.data() + 8, "DFFD", 4);
  std::string error;
  EXPECT_FALSE(loadBytes(image, &error));
  EXPECT_EQ(error, "model.diffc: not a diffc artifact: bytes 8..11 should be "
                   "the identifier \"DFFC\"");
}

TEST(ArtifactTest, NotAnArtifactAtAll) {
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                              0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  std::string error;
  EXPECT_FALSE(loadBytes(png, &error));
  EXPECT_NE(error.find("not a diffc artifact"), std::string::npos) << error;
}

TEST(ArtifactTest, SchemaVersion) {
  RawModule module;
  module.schemaVersion = 2;
  std::string error;
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: schema version 2 is not supported; this "
                   "runtime reads version 1");
  module.schemaVersion = 0;
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: schema_version is missing (0); this runtime "
                   "reads version 1");
  module.schemaVersion = 1;
  EXPECT_TRUE(loadBytes(buildRaw(module), &error)) << error;
}

TEST(ArtifactTest, NewerSchemaIsReportedByVersionNotAsCorrupt) {
  // A future version whose table this runtime cannot verify (here: required
  // fields of version 1 are absent).
  flatbuffers::FlatBufferBuilder b;
  flatbuffers::uoffset_t start = b.StartTable();
  b.AddElement<uint32_t>(diffc::artifact::Module::VT_SCHEMA_VERSION, 7, 0);
  b.FinishSizePrefixed(
      flatbuffers::Offset<diffc::artifact::Module>(b.EndTable(start)), "DFFC");
  std::vector<uint8_t> image(b.GetBufferPointer(),
                             b.GetBufferPointer() + b.GetSize());
  std::string error;
  EXPECT_FALSE(loadBytes(image, &error));
  EXPECT_EQ(error, "model.diffc: schema version 7 is not supported; this "
                   "runtime reads version 1");
}

TEST(ArtifactTest, BlobOutOfRange) {
  RawModule module;
  module.codeObjects = {{"x86_64", 0, 0, {}, 64, 100}};
  module.dataSegmentSize = 150;
  std::string error;
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: code object 0 (\"x86_64\"): data [64, 64 + "
                   "100) lies outside the data segment, which has 150 bytes "
                   "(truncated file?)");
  // Offsets near 2^64 must not wrap around.
  module.codeObjects = {{"x86_64", 0, 0, {}, ~uint64_t(63), 128}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("outside the data segment"), std::string::npos);
  module.codeObjects = {{"x86_64", 0, 0, {}, 64, ~uint64_t(0)}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("outside the data segment"), std::string::npos);
  module.codeObjects = {{"x86_64", 0, 0, {}, 64, 86}};
  EXPECT_TRUE(loadBytes(buildRaw(module), &error)) << error;
}

TEST(ArtifactTest, BlobMisaligned) {
  RawModule module;
  module.weights = {{"w", 0, 0, {2}, 32, 8}};
  module.dataSegmentSize = 128;
  std::string error;
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: weight 0 (\"w\"): data offset 32 is not a "
                   "multiple of 64");
}

TEST(ArtifactTest, WeightSizeMustMatchShape) {
  RawModule module;
  module.weights = {{"conv.weight", 0, 0, {2, 3}, 0, 20}};
  module.dataSegmentSize = 64;
  std::string error;
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: weight 0 (\"conv.weight\"): data_size is 20 "
                   "bytes, but 2x3xf32 needs 24");
  module.weights = {{"w", 0, 0, {-2, 3}, 0, 24}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("invalid shape"), std::string::npos) << error;
  module.weights = {{"w", 0, 0, {INT64_MAX, 3}, 0, 24}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("invalid shape"), std::string::npos) << error;
  module.weights = {{"w", 0, 42, {2}, 0, 8}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("unknown element type 42"), std::string::npos) << error;
}

TEST(ArtifactTest, EntryPointChecks) {
  RawModule module;
  RawEntry entry;
  entry.name = "sample";
  entry.inputs = {RawValue{}, RawValue{0, 0, std::nullopt}};
  module.entries = {RawEntry{}, RawEntry{"g", "g"}, entry};
  std::string error;
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error,
            "model.diffc: entry point 2 (\"sample\"): input 1 has no shape");

  module.entries = {RawEntry{"f", ""}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: entry point 0 (\"f\") has an empty or "
                   "invalid symbol");

  // Names come from the file: a newline in one must not break the line.
  module.entries = {RawEntry{"a\nb\x01", ""}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: entry point 0 (\"a\\nb\\x01\") has an empty "
                   "or invalid symbol");

  module.entries = {RawEntry{"f", "f"}, RawEntry{"f", "g"}};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("same name"), std::string::npos) << error;

  RawEntry badKind;
  badKind.outputs = {RawValue{9, 0}};
  module.entries = {badKind};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_EQ(error, "model.diffc: entry point 0 (\"f\"): output 0 has an "
                   "unknown kind 9");

  RawEntry badExtent;
  badExtent.inputs = {RawValue{0, 0, std::vector<int64_t>{3, -7}}};
  module.entries = {badExtent};
  EXPECT_FALSE(loadBytes(buildRaw(module), &error));
  EXPECT_NE(error.find("dimension 1 has the invalid extent -7"),
            std::string::npos)
      << error;

  // Scalars need no shape.
  RawEntry scalars;
  scalars.inputs = {RawValue{1, 0, std::nullopt}, RawValue{2, 0, std::nullopt}};
  module.entries = {scalars};
  EXPECT_TRUE(loadBytes(buildRaw(module), &error)) << error;
}

TEST(ArtifactTest, UnknownCodeFormatIsKeptNotRefused) {
  RawModule module;
  module.codeObjects = {{"sm_200", 17, 0, {}, 0, 10}};
  module.dataSegmentSize = 10;
  std::string error;
  auto artifact = loadBytes(buildRaw(module), &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_EQ(codeFormatName(artifact->codeObjects()[0].format), "unknown(17)");
}

TEST(ArtifactTest, FileErrors) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(Artifact::load(dir.file("missing.diffc"), &error));
  EXPECT_EQ(error, dir.file("missing.diffc") +
                       ": cannot open: No such file or directory");
  EXPECT_FALSE(Artifact::load(dir.path(), &error));
  EXPECT_EQ(error, dir.path() + ": not a regular file");
  writeFile(dir.file("empty.diffc"), {});
  EXPECT_FALSE(Artifact::load(dir.file("empty.diffc"), &error));
  EXPECT_NE(error.find("truncated: the file has 0 bytes"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

TEST(ArtifactParameterTest, RoundTrip) {
  TempDir dir;
  std::string path = dir.file("model.diffc"), error;
  ASSERT_TRUE(kernelArtifactWriter().write(path, &error)) << error;
  auto artifact = Artifact::load(path, &error);
  ASSERT_TRUE(artifact) << error;
  std::vector<ParameterSignature> expected = kernelParameters();
  ASSERT_EQ(artifact->parameters().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const ParameterSignature &got = artifact->parameters()[i];
    EXPECT_EQ(got.name, expected[i].name);
    EXPECT_EQ(got.symbol, expected[i].symbol);
    EXPECT_EQ(got.elementType, expected[i].elementType);
    EXPECT_EQ(got.shape, expected[i].shape);
  }
  const ParameterSignature *steps = artifact->findParameter("layer.steps");
  ASSERT_TRUE(steps);
  EXPECT_EQ(typeString(*steps), "tensor<i64>");
  EXPECT_EQ(typeString(*artifact->findParameter("layer.weight")),
            "tensor<2x3xf32>");
  EXPECT_EQ(artifact->findParameter("nope"), nullptr);
}

TEST(ArtifactParameterTest, OlderArtifactsHaveNone) {
  // Written without the field, as before parameters existed.
  RawModule module;
  module.entries = {RawEntry{}};
  std::vector<uint8_t> image = buildRaw(module);
  ASSERT_EQ(diffc::artifact::GetSizePrefixedModule(image.data())->parameters(),
            nullptr);
  std::string error;
  auto artifact = loadBytes(image, &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_TRUE(artifact->parameters().empty());

  ArtifactWriter writer = kernelArtifactWriter(false);
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  EXPECT_NE(diffc::artifact::GetSizePrefixedModule(image.data())->parameters(),
            nullptr);
  // The writer leaves the field out when there are none, so such artifacts
  // are byte for byte what they were before the field existed.
  ArtifactWriter none;
  none.addEntryPoint({"f", "f", {}, {}});
  ASSERT_TRUE(none.serialize(&image, &error)) << error;
  EXPECT_EQ(diffc::artifact::GetSizePrefixedModule(image.data())->parameters(),
            nullptr);
}

TEST(ArtifactParameterTest, LoaderChecks) {
  struct Case {
    std::vector<RawParameter> parameters;
    std::vector<RawBlob> weights;
    std::string message;
  } cases[] = {
      {{{"", "s"}}, {}, "parameter 0 (\"\") has an empty name"},
      {{{"p", "s"}, {"p", "t"}},
       {},
       "parameter 1 (\"p\"): another parameter has the same name"},
      {{{"p", ""}}, {}, "parameter 0 (\"p\") has an empty or invalid symbol"},
      {{{"p", std::string("a\0b", 3)}},
       {},
       "parameter 0 (\"p\") has an empty or invalid symbol"},
      {{{"p", "s"}, {"q", "s"}},
       {},
       "parameter 1 (\"q\"): symbol 's' is also the symbol of another "
       "parameter"},
      {{{"p", "f"}},
       {},
       "parameter 0 (\"p\"): symbol 'f' is also the symbol of entry point 0 "
       "(\"f\")"},
      {{{"p", "s", 0, std::vector<int64_t>{2, -1}}},
       {},
       "parameter 0 (\"p\"): dimension 1 has the extent -1; parameters have "
       "static shapes"},
      {{{"p", "s", 0, std::vector<int64_t>{-5}}},
       {},
       "parameter 0 (\"p\"): dimension 0 has the extent -5; parameters have "
       "static shapes"},
      {{{"p", "s", 42}},
       {},
       "parameter 0 (\"p\") has an unknown element type 42"},
      {{{"p", "s", 0, std::vector<int64_t>{INT64_MAX, 3}}},
       {},
       "parameter 0 (\"p\"): invalid shape [9223372036854775807x3] (too many "
       "elements)"},
      {{{"p", "s", 0, std::nullopt}},
       {},
       "corrupt: the FlatBuffer table fails verification"},
      {{{"p", "s", 0, std::vector<int64_t>{2}}},
       {{"p", 0, 0, {3}, 0, 12}},
       "parameter 0 (\"p\") is tensor<2xf32>, but the weight of the same "
       "name is tensor<3xf32>"},
      {{{"p", "s", 4, std::vector<int64_t>{3}}},
       {{"p", 0, 0, {3}, 0, 12}},
       "parameter 0 (\"p\") is tensor<3xi32>, but the weight of the same "
       "name is tensor<3xf32>"},
  };
  for (const Case &c : cases) {
    RawModule module;
    module.entries = {RawEntry{}};
    module.parameters = c.parameters;
    module.weights = c.weights;
    module.dataSegmentSize = 64;
    std::string error;
    EXPECT_FALSE(loadBytes(buildRaw(module), &error)) << c.message;
    EXPECT_EQ(error.rfind("model.diffc: " + c.message, 0), 0u) << error;
  }
  // The same, right.
  RawModule module;
  module.entries = {RawEntry{}};
  module.parameters = {{"p", "s", 0, std::vector<int64_t>{3}},
                       {"q", "t", 5, std::vector<int64_t>{}}};
  module.weights = {{"p", 0, 0, {3}, 0, 12}};
  module.dataSegmentSize = 64;
  std::string error;
  auto artifact = loadBytes(buildRaw(module), &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_EQ(artifact->parameters().size(), 2u);
}

TEST(ArtifactParameterTest, WriterRefusesWhatTheLoaderWouldRefuse) {
  using P = ParameterSignature;
  const ElementType f32 = ElementType::f32;
  struct Case {
    std::vector<P> parameters;
    std::string message;
  } cases[] = {
      {{{"", "s", f32, {1}}}, "parameter 0 (\"\") has an empty name"},
      {{{"p", "s", f32, {1}}, {"p", "t", f32, {1}}},
       "parameter 1 (\"p\"): the name is used twice"},
      {{{"p", "", f32, {1}}}, "parameter 0 (\"p\") has an empty or invalid "
                              "symbol"},
      {{{"p", "s", f32, {1}}, {"q", "s", f32, {1}}},
       "parameter 1 (\"q\"): symbol 's' is used twice"},
      {{{"p", "f", f32, {1}}},
       "parameter 0 (\"p\"): symbol 'f' is also an entry point's symbol"},
      {{{"p", "s", f32, {kDynamicExtent}}},
       "parameter 0 (\"p\") has the extent -1; parameters have static "
       "shapes"},
      {{{"p", "s", static_cast<ElementType>(9), {1}}},
       "parameter 0 (\"p\") has an invalid element type"},
      {{{"p", "s", f32, {INT64_MAX, 2}}},
       "parameter 0 (\"p\"): invalid shape [9223372036854775807x2] (too "
       "many elements)"},
      {{{"w", "s", f32, {3}}},
       "parameter 0 (\"w\") is tensor<3xf32>, but the weight of the same "
       "name is tensor<2xf32>"},
  };
  TempDir dir;
  for (const Case &c : cases) {
    ArtifactWriter writer;
    writer.addEntryPoint({"f", "f", {}, {}});
    writer.addWeight("w", f32, {2}, std::vector<uint8_t>(8));
    for (const P &p : c.parameters)
      writer.addParameter(p);
    std::string error;
    EXPECT_FALSE(writer.write(dir.file("a.diffc"), &error));
    EXPECT_EQ(error, dir.file("a.diffc") + ": cannot write the artifact: " +
                         c.message);
  }
  EXPECT_TRUE(dir.list().empty());
}

//===----------------------------------------------------------------------===//
// Metadata
//===----------------------------------------------------------------------===//

TEST(ArtifactMetadataTest, RoundTrip) {
  TempDir dir;
  std::string path = dir.file("model.diffc"), error;
  ArtifactWriter writer = kernelArtifactWriter();
  const std::string config = "{\"num_train_timesteps\": 1000, "
                             "\"prediction_type\": \"epsilon\"}";
  writer.addMetadata("scheduler_config", config);
  writer.addMetadata("samplers", "ddim,ddpm");
  writer.addMetadata("note", "two\nlines, \"quotes\", caf\xc3\xa9 \xf0\x9f\x8c\x80");
  writer.addMetadata("empty", "");
  ASSERT_TRUE(writer.write(path, &error)) << error;
  auto artifact = Artifact::load(path, &error);
  ASSERT_TRUE(artifact) << error;
  // File order is insertion order.
  std::vector<MetadataEntry> expected = {
      {"scheduler_config", config},
      {"samplers", "ddim,ddpm"},
      {"note", "two\nlines, \"quotes\", caf\xc3\xa9 \xf0\x9f\x8c\x80"},
      {"empty", ""}};
  EXPECT_EQ(artifact->metadata(), expected);
  ASSERT_TRUE(artifact->findMetadata("samplers"));
  EXPECT_EQ(*artifact->findMetadata("samplers"), "ddim,ddpm");
  ASSERT_TRUE(artifact->findMetadata(kSchedulerConfigMetadataKey));
  EXPECT_EQ(*artifact->findMetadata(kSchedulerConfigMetadataKey), config);
  ASSERT_TRUE(artifact->findMetadata("empty"));
  EXPECT_EQ(*artifact->findMetadata("empty"), "");
  EXPECT_EQ(artifact->findMetadata("nope"), nullptr);
  EXPECT_EQ(artifact->findMetadata(""), nullptr);
  // Everything else is as without metadata.
  EXPECT_EQ(artifact->entryPoints().size(), kernelEntryPoints().size());
  EXPECT_EQ(artifact->parameters().size(), kernelParameters().size());
}

TEST(ArtifactMetadataTest, LimitsAreInclusive) {
  ArtifactWriter writer;
  const std::string longKey(kArtifactMaxMetadataKeySize, 'k');
  const std::string longValue(kArtifactMaxMetadataValueSize, 'v');
  writer.addMetadata(longKey, longValue);
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  auto artifact = loadBytes(image, &error);
  ASSERT_TRUE(artifact) << error;
  ASSERT_TRUE(artifact->findMetadata(longKey));
  EXPECT_EQ(*artifact->findMetadata(longKey), longValue);
}

TEST(ArtifactMetadataTest, AbsentFieldMeansNone) {
  // Written without the field, as before metadata existed.
  RawModule module;
  module.entries = {RawEntry{}};
  std::vector<uint8_t> image = buildRaw(module);
  ASSERT_EQ(diffc::artifact::GetSizePrefixedModule(image.data())->metadata(),
            nullptr);
  std::string error;
  auto artifact = loadBytes(image, &error);
  ASSERT_TRUE(artifact) << error;
  EXPECT_TRUE(artifact->metadata().empty());
  EXPECT_EQ(artifact->findMetadata("scheduler_config"), nullptr);

  // Without metadata the writer leaves the field out, and the Module vtable
  // ends before its slot: the bytes are what a writer from before the field
  // produced.
  ASSERT_TRUE(kernelArtifactWriter().serialize(&image, &error)) << error;
  const diffc::artifact::Module *written =
      diffc::artifact::GetSizePrefixedModule(image.data());
  EXPECT_EQ(written->metadata(), nullptr);
  const uint8_t *vtable =
      reinterpret_cast<const flatbuffers::Table *>(written)->GetVTable();
  EXPECT_LE(flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable),
            diffc::artifact::Module::VT_METADATA);

  ArtifactWriter with = kernelArtifactWriter();
  with.addMetadata("k", "v");
  ASSERT_TRUE(with.serialize(&image, &error)) << error;
  EXPECT_NE(diffc::artifact::GetSizePrefixedModule(image.data())->metadata(),
            nullptr);
}

TEST(ArtifactMetadataTest, WriterRefusesWhatTheLoaderWouldRefuse) {
  const std::string longKey(kArtifactMaxMetadataKeySize + 1, 'k');
  struct Case {
    std::vector<MetadataEntry> metadata;
    std::string message;
  } cases[] = {
      {{{"", "v"}}, "metadata 0 (\"\") has an empty key"},
      {{{"a", "1"}, {"b", "2"}, {"a", "3"}},
       "metadata 2 (\"a\"): the key is used twice"},
      {{{longKey, "v"}},
       "metadata 0 (\"" + std::string(64, 'k') +
           "...\"): the key has 257 bytes, more than the limit of 256"},
      {{{"k", std::string(kArtifactMaxMetadataValueSize + 1, 'v')}},
       "metadata 0 (\"k\"): the value has 1048577 bytes, more than the limit "
       "of 1048576"},
      {{{"k\xff", "v"}}, "metadata 0: the key is not valid UTF-8"},
      // The key is cut in the message before a character, not inside one.
      {{{std::string(63, 'k') + "\xc3\xa9" + std::string(192, 'k'), "v"}},
       "metadata 0 (\"" + std::string(63, 'k') +
           "...\"): the key has 257 bytes, more than the limit of 256"},
      {{{"k", "\xc3("}}, "metadata 0 (\"k\"): the value is not valid UTF-8"},
      // A surrogate encoded as UTF-8 (CESU-8) is not UTF-8.
      {{{"k", "\xed\xa0\x80"}},
       "metadata 0 (\"k\"): the value is not valid UTF-8"},
  };
  TempDir dir;
  for (const Case &c : cases) {
    ArtifactWriter writer;
    writer.addEntryPoint({"f", "f", {}, {}});
    for (const MetadataEntry &m : c.metadata)
      writer.addMetadata(m.first, m.second);
    std::string error;
    EXPECT_FALSE(writer.write(dir.file("a.diffc"), &error));
    EXPECT_EQ(error, dir.file("a.diffc") + ": cannot write the artifact: " +
                         c.message);
    std::vector<uint8_t> image;
    EXPECT_FALSE(writer.serialize(&image, &error));
    EXPECT_EQ(error, c.message);
  }
  EXPECT_TRUE(dir.list().empty());
}

TEST(ArtifactMetadataTest, LoaderChecks) {
  const std::string longKey(kArtifactMaxMetadataKeySize + 1, 'k');
  struct Case {
    std::vector<RawMetadata> metadata;
    std::string message;
  } cases[] = {
      {{{"", "v"}}, "metadata 0 (\"\") has an empty key"},
      {{{"a", "1"}, {"a", "2"}},
       "metadata 1 (\"a\"): another metadata entry has the same key"},
      {{{longKey, "v"}},
       "metadata 0 (\"" + std::string(64, 'k') +
           "...\"): the key has 257 bytes, more than the limit of 256"},
      {{{"k", std::string(kArtifactMaxMetadataValueSize + 1, 'v')}},
       "metadata 0 (\"k\"): the value has 1048577 bytes, more than the limit "
       "of 1048576"},
      {{{"k\x80", "v"}}, "metadata 0: the key is not valid UTF-8"},
      {{{"k", "\xc0\xaf"}}, "metadata 0 (\"k\"): the value is not valid UTF-8"},
      {{{"k", std::nullopt}},
       "corrupt: the FlatBuffer table fails verification"},
  };
  for (const Case &c : cases) {
    RawModule module;
    module.entries = {RawEntry{}};
    module.metadata = c.metadata;
    std::string error;
    EXPECT_FALSE(loadBytes(buildRaw(module), &error)) << c.message;
    EXPECT_EQ(error.rfind("model.diffc: " + c.message, 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // The same, right.
  RawModule module;
  module.entries = {RawEntry{}};
  module.metadata = {{"a", "1"}, {"b", std::string("\0x", 2)}};
  std::string error;
  auto artifact = loadBytes(buildRaw(module), &error);
  ASSERT_TRUE(artifact) << error;
  ASSERT_EQ(artifact->metadata().size(), 2u);
  EXPECT_EQ(*artifact->findMetadata("b"), std::string("\0x", 2));
}

//===----------------------------------------------------------------------===//
// Writer validation and atomicity
//===----------------------------------------------------------------------===//

TEST(ArtifactWriterTest, RefusesWhatTheLoaderWouldRefuse) {
  TempDir dir;
  std::string error;
  ArtifactWriter badWeight;
  badWeight.addWeight("w", ElementType::f32, {2, 3}, std::vector<uint8_t>(20));
  EXPECT_FALSE(badWeight.write(dir.file("a.diffc"), &error));
  EXPECT_EQ(error, dir.file("a.diffc") +
                       ": cannot write the artifact: weight 0 (\"w\") has 20 "
                       "bytes, but 2x3xf32 needs 24");

  ArtifactWriter badEntry;
  badEntry.addEntryPoint({"f", "", {}, {}});
  EXPECT_FALSE(badEntry.write(dir.file("a.diffc"), &error));
  EXPECT_NE(error.find("empty symbol"), std::string::npos) << error;

  ArtifactWriter duplicate;
  duplicate.addEntryPoint({"f", "f", {}, {}});
  duplicate.addEntryPoint({"f", "g", {}, {}});
  EXPECT_FALSE(duplicate.write(dir.file("a.diffc"), &error));

  ArtifactWriter badShape;
  badShape.addEntryPoint(
      {"f", "f", {ValueSignature::tensor(ElementType::f32, {-3})}, {}});
  EXPECT_FALSE(badShape.write(dir.file("a.diffc"), &error));
  EXPECT_TRUE(dir.list().empty());
}

TEST(ArtifactWriterTest, UnwritableDirectoryLeavesNothing) {
  TempDir dir;
  std::string error;
  ArtifactWriter writer = kernelArtifactWriter(false);
  std::string missing = dir.file("no/such/dir/model.diffc");
  EXPECT_FALSE(writer.write(missing, &error));
  EXPECT_EQ(error.rfind(missing + ": cannot create a temporary file", 0), 0u)
      << error;
  // /proc refuses new files even to root, unlike a chmod'ed directory.
  EXPECT_FALSE(writer.write("/proc/diffc-test.diffc", &error));
  EXPECT_FALSE(fileExists("/proc/diffc-test.diffc"));
  EXPECT_TRUE(dir.list().empty());
}

TEST(ArtifactWriterTest, ExistingFileReplacedOnlyOnSuccess) {
  TempDir dir;
  std::string path = dir.file("model.diffc");
  std::string error;
  ASSERT_TRUE(kernelArtifactWriter(false).write(path, &error)) << error;
  std::vector<uint8_t> first = readFile(path);

  ArtifactWriter bad;
  bad.addWeight("w", ElementType::f32, {4}, std::vector<uint8_t>(3));
  EXPECT_FALSE(bad.write(path, &error));
  EXPECT_EQ(readFile(path), first);

  ASSERT_TRUE(kernelArtifactWriter(true).write(path, &error)) << error;
  std::vector<uint8_t> second = readFile(path);
  EXPECT_NE(second, first);
  EXPECT_TRUE(Artifact::load(path, &error)) << error;
  EXPECT_EQ(dir.list(), std::vector<std::string>{"model.diffc"});
}

TEST(ArtifactWriterTest, FailedRenameRemovesTheTemporary) {
  TempDir dir;
  // The target is a non-empty directory: everything succeeds but the rename.
  std::string target = dir.file("model.diffc");
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  writeFile(target + "/keep", {1});
  std::string error;
  EXPECT_FALSE(kernelArtifactWriter(false).write(target, &error));
  EXPECT_NE(error.find("cannot rename"), std::string::npos) << error;
  EXPECT_EQ(dir.list(), std::vector<std::string>{"model.diffc"});
}

TEST(ArtifactWriterTest, FailedWriteKeepsTheOldFile) {
  TempDir dir;
  std::string path = dir.file("model.diffc");
  writeFile(path, {'o', 'l', 'd'});
  // Make write() fail halfway with EFBIG: a file size limit below the
  // artifact's size (SIGXFSZ ignored so the process survives it).
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = saved;
  limited.rlim_cur = 1000;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string error;
  bool written = kernelArtifactWriter(true).write(path, &error);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, oldHandler);
  EXPECT_FALSE(written);
  EXPECT_NE(error.find("write failed"), std::string::npos) << error;
  EXPECT_EQ(readFile(path), (std::vector<uint8_t>{'o', 'l', 'd'}));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"model.diffc"});
}

TEST(ArtifactWriterTest, NewFilesFollowTheUmask) {
  TempDir dir;
  mode_t old = ::umask(022);
  std::string error;
  bool ok = kernelArtifactWriter(false).write(dir.file("m.diffc"), &error);
  ::umask(old);
  ASSERT_TRUE(ok) << error;
  struct stat st;
  ASSERT_EQ(::stat(dir.file("m.diffc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

} // namespace
