//===- GpuKernelTableTest.cpp - The artifact's GPU kernel table -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Module.gpu_kernels (artifact.fbs): written and read back, refused when
// invalid by the writer and, for hand-made buffers, by the reader; absent
// from artifacts without GPU code.
//
//===----------------------------------------------------------------------===//

#include "diffc/artifact.h"
#include "diffc/artifact_generated.h"

#include "gtest/gtest.h"

using namespace diffc;
namespace fb = diffc::artifact;

namespace {

GpuKernelInfo kernel(const std::string &name, uint32_t x, uint32_t y = 1,
                     uint32_t z = 1) {
  GpuKernelInfo k;
  k.name = name;
  k.function = "f";
  k.block[0] = x;
  k.block[1] = y;
  k.block[2] = z;
  return k;
}

std::unique_ptr<Artifact> roundTrip(const ArtifactWriter &writer,
                                    std::string *error) {
  std::vector<uint8_t> image;
  if (!writer.serialize(&image, error))
    return nullptr;
  return Artifact::loadFromMemory("m.diffc", image.data(), image.size(),
                                  error);
}

/// A size-prefixed artifact with one GPU kernel of block (x, y, z) and
/// name `name`, built without the writer's checks.
std::vector<uint8_t> handMade(const std::string &name, uint32_t x, uint32_t y,
                              uint32_t z, int8_t rule = 0) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<uint32_t> block = {x, y, z};
  std::vector<flatbuffers::Offset<fb::GpuKernel>> kernels = {
      fb::CreateGpuKernel(b, b.CreateString(name), b.CreateString("f"),
                          static_cast<fb::GridRule>(rule),
                          b.CreateVector(block))};
  auto module = fb::CreateModule(
      b, kArtifactSchemaVersion, 0,
      b.CreateVector(std::vector<flatbuffers::Offset<fb::EntryPoint>>{}),
      b.CreateVector(std::vector<flatbuffers::Offset<fb::CodeObject>>{}), 0, 0,
      0, b.CreateVector(kernels));
  fb::FinishSizePrefixedModuleBuffer(b, module);
  std::vector<uint8_t> bytes(b.GetBufferPointer(),
                             b.GetBufferPointer() + b.GetSize());
  bytes.resize((bytes.size() + 63) / 64 * 64, 0);
  return bytes;
}

GpuKernelInfo withResources(GpuKernelInfo k, const std::string &target,
                            float occupancy) {
  GpuKernelResources r;
  r.target = target;
  r.occupancy = occupancy;
  k.resources.push_back(r);
  return k;
}

std::string loadError(const std::vector<uint8_t> &bytes) {
  std::string error;
  auto artifact =
      Artifact::loadFromMemory("m.diffc", bytes.data(), bytes.size(), &error);
  return artifact ? "" : error;
}

} // namespace

TEST(GpuKernelTable, RoundTrip) {
  ArtifactWriter writer;
  writer.addCodeObject("sm_90", CodeFormat::cubin, {1, 2, 3});
  writer.addCodeObject("sm_90", CodeFormat::ptx, {'.', 'v'});
  GpuKernelInfo a = kernel("f_kernel", 256);
  a.staticElements = 1048576;
  GpuKernelInfo b = kernel("f_kernel_0", 32, 8, 2);
  b.sharedMemoryBytes = 4096;
  GpuKernelParam elements, input, scalar, output;
  elements.isBuffer = false;
  elements.elementType = ElementType::i64;
  elements.source = GpuKernelParam::Source::elements;
  input.rank = 4;
  input.source = GpuKernelParam::Source::argument;
  input.index = 2;
  scalar.isBuffer = false;
  scalar.source = GpuKernelParam::Source::host_value;
  output.rank = 4;
  output.source = GpuKernelParam::Source::result;
  output.index = 0;
  b.params = {elements, input, scalar, output};
  GpuKernelResources r90, r80;
  r90.target = "sm_90";
  r90.registers = 40;
  r90.sharedMemoryBytes = 2048;
  r90.spillBytes = 16;
  r90.occupancy = 0.75f;
  r80.target = "sm_80";
  r80.registers = 38;
  r80.occupancy = 1.0f;
  b.resources = {r90, r80};
  writer.addGpuKernel(a);
  writer.addGpuKernel(b);
  std::string error;
  auto artifact = roundTrip(writer, &error);
  ASSERT_NE(artifact, nullptr) << error;
  const auto &kernels = artifact->gpuKernels();
  ASSERT_EQ(kernels.size(), 2u);
  EXPECT_EQ(kernels[0].name, "f_kernel");
  EXPECT_EQ(kernels[0].function, "f");
  EXPECT_EQ(kernels[0].gridRule, GpuGridRule::elementwise_1d);
  EXPECT_EQ(kernels[0].block[0], 256u);
  EXPECT_EQ(kernels[0].staticElements, 1048576);
  EXPECT_EQ(kernels[1].block[1], 8u);
  EXPECT_EQ(kernels[1].block[2], 2u);
  EXPECT_EQ(kernels[1].sharedMemoryBytes, 4096u);
  EXPECT_EQ(kernels[1].staticElements, -1);
  EXPECT_TRUE(kernels[0].params.empty());
  ASSERT_EQ(kernels[1].params.size(), 4u);
  EXPECT_EQ(kernels[1].params[0].source, GpuKernelParam::Source::elements);
  EXPECT_FALSE(kernels[1].params[0].isBuffer);
  EXPECT_EQ(kernels[1].params[0].elementType, ElementType::i64);
  EXPECT_EQ(kernels[1].params[1].source, GpuKernelParam::Source::argument);
  EXPECT_EQ(kernels[1].params[1].index, 2);
  EXPECT_EQ(kernels[1].params[1].rank, 4);
  EXPECT_TRUE(kernels[1].params[1].isBuffer);
  EXPECT_EQ(kernels[1].params[2].source, GpuKernelParam::Source::host_value);
  EXPECT_EQ(kernels[1].params[2].index, -1);
  EXPECT_EQ(kernels[1].params[3].source, GpuKernelParam::Source::result);
  EXPECT_EQ(kernels[1].params[3].index, 0);
  EXPECT_TRUE(kernels[0].resources.empty());
  ASSERT_EQ(kernels[1].resources.size(), 2u);
  EXPECT_EQ(kernels[1].resources[0].target, "sm_90");
  EXPECT_EQ(kernels[1].resources[0].registers, 40u);
  EXPECT_EQ(kernels[1].resources[0].sharedMemoryBytes, 2048u);
  EXPECT_EQ(kernels[1].resources[0].spillBytes, 16u);
  EXPECT_FLOAT_EQ(kernels[1].resources[0].occupancy, 0.75f);
  EXPECT_EQ(kernels[1].resources[1].target, "sm_80");
  EXPECT_FLOAT_EQ(kernels[1].resources[1].occupancy, 1.0f);
}

TEST(GpuKernelTable, AbsentWithoutGpuCode) {
  ArtifactWriter writer;
  writer.addCodeObject("x86_64", CodeFormat::elf_shared_object, {1});
  std::vector<uint8_t> image;
  std::string error;
  ASSERT_TRUE(writer.serialize(&image, &error)) << error;
  const fb::Module *module = fb::GetSizePrefixedModule(image.data());
  EXPECT_EQ(module->gpu_kernels(), nullptr);
  auto artifact = roundTrip(writer, &error);
  ASSERT_NE(artifact, nullptr) << error;
  EXPECT_TRUE(artifact->gpuKernels().empty());
}

TEST(GpuKernelTable, WriterRefusesInvalidKernels) {
  struct Case {
    std::vector<GpuKernelInfo> kernels;
    std::string want;
  } cases[] = {
      {{kernel("", 256)}, "a GPU kernel has an empty name"},
      {{kernel("k", 256), kernel("k", 128)}, "two GPU kernels are named 'k'"},
      {{kernel("k", 0)}, "GPU kernel 'k': block extent 0 is 0"},
      {{kernel("k", 64, 4, 8)},
       "GPU kernel 'k': block of 2048 threads, more than the limit of 1024"},
      {{withResources(kernel("k", 256), "sm_90", 1.5f)},
       "GPU kernel 'k' has resources with an empty target or an occupancy "
       "outside [0, 1]"},
      {{withResources(kernel("k", 256), "", 0.5f)},
       "GPU kernel 'k' has resources with an empty target or an occupancy "
       "outside [0, 1]"},
  };
  for (const Case &c : cases) {
    ArtifactWriter writer;
    for (const GpuKernelInfo &k : c.kernels)
      writer.addGpuKernel(k);
    std::vector<uint8_t> image;
    std::string error;
    EXPECT_FALSE(writer.serialize(&image, &error));
    EXPECT_EQ(error, c.want);
  }
}

TEST(GpuKernelTable, ReaderRefusesInvalidKernels) {
  EXPECT_EQ(loadError(handMade("k", 256, 1, 1)), "");
  EXPECT_NE(loadError(handMade("k", 1024, 2, 1))
                .find("GPU kernel 0 (\"k\"): block of 2048 threads, more than "
                      "the limit of 1024"),
            std::string::npos)
      << loadError(handMade("k", 1024, 2, 1));
  EXPECT_NE(loadError(handMade("k", 1, 0, 1)).find("block extent 1 is 0"),
            std::string::npos);
  EXPECT_NE(loadError(handMade("", 1, 1, 1)).find("has an empty name"),
            std::string::npos);
  EXPECT_NE(loadError(handMade("k", 1, 1, 1, /*rule=*/7))
                .find("has grid rule 7, which this runtime does not know"),
            std::string::npos);
}
