//===- TestArtifacts.cpp - Artifacts and files for runtime tests ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/artifact_generated.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DIFFC_TEST_KERNELS_PATH
#error "DIFFC_TEST_KERNELS_PATH must name the test-kernel shared library"
#endif

namespace diffc {
namespace test {

namespace fb = diffc::artifact;

std::vector<uint8_t> kernelLibraryBytes(bool alt) {
  const char *path = alt ? DIFFC_TEST_KERNELS_ALT_PATH : DIFFC_TEST_KERNELS_PATH;
  std::vector<uint8_t> bytes = readFile(path);
  if (bytes.empty()) {
    std::fprintf(stderr, "cannot read the test kernels at %s\n", path);
    std::abort();
  }
  return bytes;
}

std::vector<EntryPointSignature> kernelEntryPoints() {
  using V = ValueSignature;
  const ElementType f32 = ElementType::f32;
  const int64_t dyn = kDynamicExtent;
  return {
      {"add_f32",
       "add_f32",
       {V::tensor(f32, {dyn}, "x"), V::tensor(f32, {dyn}, "y")},
       {V::tensor(f32, {dyn}, "sum")}},
      {"scale",
       "scale",
       {V::tensor(f32, {dyn, dyn}, "x"), V::scalar(ValueKind::f32, "s")},
       {V::tensor(f32, {dyn, dyn})}},
      {"transpose",
       "transpose",
       {V::tensor(f32, {dyn, dyn}, "x")},
       {V::tensor(f32, {dyn, dyn})}},
      {"sum_and_scale",
       "sum_and_scale",
       {V::tensor(f32, {dyn}, "x"), V::scalar(ValueKind::i64, "k")},
       {V::scalar(ValueKind::f32, "sum"), V::tensor(f32, {dyn}, "scaled"),
        V::scalar(ValueKind::index, "count")}},
      {"dot",
       "dot",
       {V::tensor(f32, {4}, "x"), V::tensor(f32, {4}, "y")},
       {V::tensor(f32, {})}},
      {"identity",
       "identity",
       {V::tensor(f32, {dyn}, "x")},
       {V::tensor(f32, {dyn})}},
      {"wrong_size",
       "wrong_size",
       {V::tensor(f32, {dyn}, "x")},
       {V::tensor(f32, {4})}},
      {"which", "which", {}, {V::scalar(ValueKind::index, "id")}},
      {"scale_by_param",
       "scale_by_param",
       {V::tensor(f32, {2, 3}, "x")},
       {V::tensor(f32, {2, 3}, "scaled"), V::scalar(ValueKind::i64, "steps")}},
  };
}

std::vector<ParameterSignature> kernelParameters() {
  return {{"layer.weight", "diffc_param_0", ElementType::f32, {2, 3}},
          {"layer.steps", "diffc_param_1", ElementType::i64, {}}};
}

std::vector<float> kernelWeightValues() {
  return {1.5f, -2.0f, 3.25f, 0.5f, 8.0f, -1.0f};
}

ArtifactWriter kernelArtifactWriter(bool withCode, bool alt, bool withWeights) {
  ArtifactWriter writer;
  writer.setProducer("diffc runtime tests");
  for (EntryPointSignature &entry : kernelEntryPoints())
    writer.addEntryPoint(std::move(entry));
  for (ParameterSignature &parameter : kernelParameters())
    writer.addParameter(std::move(parameter));
  if (withCode)
    writer.addCodeObject("x86_64", CodeFormat::elf_shared_object,
                         kernelLibraryBytes(alt));
  if (!withWeights)
    return writer;
  std::vector<float> w = kernelWeightValues();
  std::vector<uint8_t> wBytes(w.size() * 4);
  std::copy_n(reinterpret_cast<const uint8_t *>(w.data()), wBytes.size(),
              wBytes.begin());
  writer.addWeight("layer.weight", ElementType::f32, {2, 3}, wBytes);
  std::vector<uint8_t> steps(8);
  std::copy_n(reinterpret_cast<const uint8_t *>(&kKernelSteps), 8,
              steps.begin());
  writer.addWeight("layer.steps", ElementType::i64, {}, steps);
  return writer;
}

TempDir::TempDir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/diffc-test-XXXXXX";
  if (!::mkdtemp(&pattern[0])) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  // The tests create only plain files and directories one level deep.
  for (const std::string &name : list()) {
    std::string p = file(name);
    if (::unlink(p.c_str()) != 0) {
      for (DIR *d = ::opendir(p.c_str()); d; d = nullptr) {
        while (dirent *e = ::readdir(d))
          if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
            ::unlink((p + "/" + e->d_name).c_str());
        ::closedir(d);
      }
      ::chmod(p.c_str(), 0700);
      ::rmdir(p.c_str());
    }
  }
  ::rmdir(path_.c_str());
}

std::string TempDir::file(const std::string &name) const {
  return path_ + "/" + name;
}

std::vector<std::string> TempDir::list() const {
  std::vector<std::string> names;
  if (DIR *d = ::opendir(path_.c_str())) {
    while (dirent *e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.push_back(e->d_name);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> safetensorsImage(const std::string &header,
                                      const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out(8 + header.size() + data.size());
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<uint8_t>(uint64_t(header.size()) >> (8 * i));
  std::copy(header.begin(), header.end(), out.begin() + 8);
  std::copy(data.begin(), data.end(), out.begin() + 8 + header.size());
  return out;
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<uint8_t> buildRaw(const RawModule &module) {
  flatbuffers::FlatBufferBuilder b;
  auto value = [&](const RawValue &v) {
    flatbuffers::Offset<flatbuffers::Vector<int64_t>> shape;
    if (v.shape)
      shape = b.CreateVector(*v.shape);
    return fb::CreateValue(b, static_cast<fb::ValueKind>(v.kind),
                           static_cast<fb::ElementType>(v.elementType), shape);
  };
  std::vector<flatbuffers::Offset<fb::EntryPoint>> entries;
  for (const RawEntry &e : module.entries) {
    std::vector<flatbuffers::Offset<fb::Value>> ins, outs;
    for (const RawValue &v : e.inputs)
      ins.push_back(value(v));
    for (const RawValue &v : e.outputs)
      outs.push_back(value(v));
    entries.push_back(fb::CreateEntryPoint(b, b.CreateString(e.name),
                                           b.CreateString(e.symbol),
                                           b.CreateVector(ins),
                                           b.CreateVector(outs)));
  }
  std::vector<flatbuffers::Offset<fb::CodeObject>> code;
  for (const RawBlob &c : module.codeObjects)
    code.push_back(fb::CreateCodeObject(b, b.CreateString(c.name),
                                        static_cast<fb::CodeFormat>(c.format),
                                        c.offset, c.size));
  std::vector<flatbuffers::Offset<fb::Weight>> weights;
  for (const RawBlob &w : module.weights)
    weights.push_back(fb::CreateWeight(
        b, b.CreateString(w.name), static_cast<fb::ElementType>(w.elementType),
        b.CreateVector(w.shape), w.offset, w.size));
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Parameter>>>
      parameters;
  if (!module.parameters.empty()) {
    std::vector<flatbuffers::Offset<fb::Parameter>> list;
    for (const RawParameter &p : module.parameters) {
      // By hand rather than with CreateParameter, whose Finish() asserts
      // (in debug builds) that the required shape is present.
      auto name = b.CreateString(p.name);
      auto symbol = b.CreateString(p.symbol);
      flatbuffers::Offset<flatbuffers::Vector<int64_t>> shape;
      if (p.shape)
        shape = b.CreateVector(*p.shape);
      flatbuffers::uoffset_t start = b.StartTable();
      b.AddOffset(fb::Parameter::VT_NAME, name);
      b.AddOffset(fb::Parameter::VT_SYMBOL, symbol);
      if (p.shape)
        b.AddOffset(fb::Parameter::VT_SHAPE, shape);
      b.AddElement<int8_t>(fb::Parameter::VT_ELEMENT_TYPE,
                           static_cast<int8_t>(p.elementType), 0);
      list.push_back(flatbuffers::Offset<fb::Parameter>(b.EndTable(start)));
    }
    parameters = b.CreateVector(list);
  }
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Metadata>>>
      metadata;
  if (!module.metadata.empty()) {
    std::vector<flatbuffers::Offset<fb::Metadata>> list;
    for (const RawMetadata &m : module.metadata) {
      // By hand, as for parameters: the value may be left out.
      auto key = b.CreateString(m.key);
      flatbuffers::Offset<flatbuffers::String> value;
      if (m.value)
        value = b.CreateString(*m.value);
      flatbuffers::uoffset_t start = b.StartTable();
      b.AddOffset(fb::Metadata::VT_KEY, key);
      if (m.value)
        b.AddOffset(fb::Metadata::VT_VALUE, value);
      list.push_back(flatbuffers::Offset<fb::Metadata>(b.EndTable(start)));
    }
    metadata = b.CreateVector(list);
  }
  auto root = fb::CreateModule(b, module.schemaVersion, b.CreateString("raw"),
                               b.CreateVector(entries), b.CreateVector(code),
                               b.CreateVector(weights), parameters, metadata);
  fb::FinishSizePrefixedModuleBuffer(b, root);
  uint64_t dataStart = alignUp(b.GetSize(), kArtifactAlignment);
  std::vector<uint8_t> image(dataStart + module.dataSegmentSize, 0);
  std::copy_n(b.GetBufferPointer(), b.GetSize(), image.begin());
  for (uint64_t i = 0; i < module.dataSegmentSize; ++i)
    image[dataStart + i] = static_cast<uint8_t>(i * 7 + 1);
  return image;
}

} // namespace test
} // namespace diffc
