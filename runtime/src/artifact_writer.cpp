//===- artifact_writer.cpp - Writing .diffc artifacts ---------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The one writer of the file layout in artifact.fbs. Blob offsets must be in
// the table, and the table's size decides where the data segment starts, so
// offsets are relative to the data segment: they can be assigned before the
// FlatBuffer is built.
//
//===----------------------------------------------------------------------===//

#include "diffc/artifact.h"

#include "atomic_file.h"
#include "gpu_plan.h"
#include "diffc/artifact_generated.h"
#include "json.h"

#include <algorithm>
#include <map>
#include <set>

namespace diffc {

using detail::fail;
namespace fb = diffc::artifact;

ValueSignature ValueSignature::tensor(ElementType type,
                                      std::vector<int64_t> shape,
                                      std::string name) {
  ValueSignature value;
  value.kind = ValueKind::tensor;
  value.elementType = type;
  value.shape = std::move(shape);
  value.name = std::move(name);
  return value;
}

ValueSignature ValueSignature::scalar(ValueKind kind, std::string name) {
  ValueSignature value;
  value.kind = kind;
  value.name = std::move(name);
  return value;
}

std::string typeString(const ValueSignature &value) {
  if (value.kind != ValueKind::tensor)
    return valueKindName(value.kind);
  std::string shape = shapeString(value.shape);
  return "tensor<" + shape + (shape.empty() ? "" : "x") +
         elementTypeName(value.elementType) + ">";
}

std::string typeString(const ParameterSignature &parameter) {
  return tensorTypeString(parameter.elementType, parameter.shape);
}

void ArtifactWriter::addCodeObject(std::string target, CodeFormat format,
                                   std::vector<uint8_t> bytes) {
  Blob blob;
  blob.name = std::move(target);
  blob.format = format;
  blob.bytes = std::move(bytes);
  codeObjects_.push_back(std::move(blob));
}

void ArtifactWriter::addWeight(std::string name, ElementType type,
                               std::vector<int64_t> shape,
                               std::vector<uint8_t> bytes) {
  Blob blob;
  blob.name = std::move(name);
  blob.elementType = type;
  blob.shape = std::move(shape);
  blob.bytes = std::move(bytes);
  weights_.push_back(std::move(blob));
}

namespace {

/// The writer-side twin of the reader's signature checks.
bool checkValue(const ValueSignature &value, const std::string &where,
                std::string *error) {
  if (!isValidValueKind(value.kind))
    return fail(error, where + " has an invalid kind");
  if (value.kind != ValueKind::tensor)
    return true;
  if (!isValidElementType(value.elementType))
    return fail(error, where + " has an invalid element type");
  for (int64_t extent : value.shape)
    if (extent < kDynamicExtent)
      return fail(error, where + " has a negative extent " +
                             std::to_string(extent));
  return true;
}

bool checkEntryPoints(const std::vector<EntryPointSignature> &entries,
                      std::string *error) {
  std::set<std::string> names;
  for (size_t i = 0; i < entries.size(); ++i) {
    const EntryPointSignature &entry = entries[i];
    std::string where =
        "entry point " + std::to_string(i) + " (\"" +
                        escapeForMessage(entry.name) + "\")";
    if (entry.name.empty())
      return fail(error, where + " has an empty name");
    if (!names.insert(entry.name).second)
      return fail(error, where + ": the name is used twice");
    if (entry.symbol.empty())
      return fail(error, where + " has an empty symbol");
    for (size_t j = 0; j < entry.inputs.size(); ++j)
      if (!checkValue(entry.inputs[j], where + ": input " + std::to_string(j),
                      error))
        return false;
    for (size_t j = 0; j < entry.outputs.size(); ++j)
      if (!checkValue(entry.outputs[j],
                      where + ": output " + std::to_string(j), error))
        return false;
  }
  return true;
}

/// The writer-side twin of the reader's parameter checks; `weights` are the
/// writer's own, already checked.
template <typename Blob>
bool checkParameters(const std::vector<ParameterSignature> &parameters,
                     const std::vector<EntryPointSignature> &entries,
                     const std::vector<Blob> &weights, std::string *error) {
  std::set<std::string> names, symbols, entrySymbols;
  for (const EntryPointSignature &entry : entries)
    entrySymbols.insert(entry.symbol);
  std::map<std::string, const Blob *> weightsByName;
  for (const Blob &weight : weights)
    weightsByName.emplace(weight.name, &weight);
  for (size_t i = 0; i < parameters.size(); ++i) {
    const ParameterSignature &p = parameters[i];
    std::string where = "parameter " + std::to_string(i) + " (\"" +
                        escapeForMessage(p.name) + "\")";
    if (p.name.empty())
      return fail(error, where + " has an empty name");
    if (!names.insert(p.name).second)
      return fail(error, where + ": the name is used twice");
    if (p.symbol.empty() || p.symbol.find('\0') != std::string::npos)
      return fail(error, where + " has an empty or invalid symbol");
    if (!symbols.insert(p.symbol).second)
      return fail(error, where + ": symbol '" + escapeForMessage(p.symbol) +
                             "' is used twice");
    if (entrySymbols.count(p.symbol))
      return fail(error, where + ": symbol '" + escapeForMessage(p.symbol) +
                             "' is also an entry point's symbol");
    if (!isValidElementType(p.elementType))
      return fail(error, where + " has an invalid element type");
    for (int64_t extent : p.shape)
      if (extent < 0)
        return fail(error, where + " has the extent " +
                               std::to_string(extent) +
                               "; parameters have static shapes");
    if (!byteSize(p.elementType, p.shape))
      return fail(error, where + ": invalid shape [" + shapeString(p.shape) +
                             "] (too many elements)");
    auto weight = weightsByName.find(p.name);
    if (weight != weightsByName.end() &&
        (weight->second->elementType != p.elementType ||
         weight->second->shape != p.shape))
      return fail(error, where + " is " + typeString(p) +
                             ", but the weight of the same name is " +
                             tensorTypeString(weight->second->elementType,
                                              weight->second->shape));
  }
  return true;
}


/// The writer-side twin of the reader's metadata checks.
bool checkGpuKernels(const std::vector<GpuKernelInfo> &kernels,
                     std::string *error) {
  std::set<std::string> names;
  for (const GpuKernelInfo &k : kernels) {
    if (k.name.empty())
      return fail(error, "a GPU kernel has an empty name");
    for (const GpuKernelResources &r : k.resources)
      if (r.target.empty() || !(r.occupancy >= 0 && r.occupancy <= 1))
        return fail(error, "GPU kernel '" + k.name +
                               "' has resources with an empty target or an "
                               "occupancy outside [0, 1]");
    if (!names.insert(k.name).second)
      return fail(error, "two GPU kernels are named '" + k.name + "'");
    std::string why = detail::checkGpuBlock(k.block);
    if (!why.empty())
      return fail(error, "GPU kernel '" + k.name + "': " + why);
  }
  return true;
}

bool checkMetadata(const std::vector<MetadataEntry> &metadata,
                   std::string *error) {
  std::set<std::string_view> keys;
  for (size_t i = 0; i < metadata.size(); ++i) {
    const auto &[key, value] = metadata[i];
    const std::string where = detail::metadataWhere(i, key);
    if (key.empty())
      return fail(error, where + " has an empty key");
    if (key.size() > kArtifactMaxMetadataKeySize)
      return fail(error, where + ": the key has " +
                             std::to_string(key.size()) +
                             " bytes, more than the limit of " +
                             std::to_string(kArtifactMaxMetadataKeySize));
    if (!detail::isValidUtf8(key))
      return fail(error, where + ": the key is not valid UTF-8");
    if (!keys.insert(key).second)
      return fail(error, where + ": the key is used twice");
    if (value.size() > kArtifactMaxMetadataValueSize)
      return fail(error, where + ": the value has " +
                             std::to_string(value.size()) +
                             " bytes, more than the limit of " +
                             std::to_string(kArtifactMaxMetadataValueSize));
    if (!detail::isValidUtf8(value))
      return fail(error, where + ": the value is not valid UTF-8");
  }
  return true;
}

flatbuffers::Offset<fb::Value> buildValue(flatbuffers::FlatBufferBuilder &b,
                                          const ValueSignature &value) {
  // Scalars carry no shape; a tensor always does, even at rank 0 (an empty
  // vector), because the reader treats a missing shape as an error.
  flatbuffers::Offset<flatbuffers::Vector<int64_t>> shape;
  if (value.kind == ValueKind::tensor)
    shape = b.CreateVector(value.shape);
  auto name = value.name.empty() ? 0 : b.CreateString(value.name);
  return fb::CreateValue(b, static_cast<fb::ValueKind>(value.kind),
                         static_cast<fb::ElementType>(value.elementType), shape,
                         name);
}

} // namespace

/// The FlatBuffer and where each blob goes; write() streams the blobs from
/// the writer's own storage rather than copying them into one image.
struct ArtifactWriter::Layout {
  flatbuffers::FlatBufferBuilder builder;
  /// Data-segment offsets of the code objects, then of the weights.
  std::vector<uint64_t> offsets;
  /// Start of the data segment in the file, and its size.
  uint64_t dataStart = 0;
  uint64_t dataSize = 0;
};

bool ArtifactWriter::layout(Layout *layout, std::string *error) const {
  if (!checkEntryPoints(entryPoints_, error))
    return false;
  std::set<std::string> weightNames;
  for (size_t i = 0; i < codeObjects_.size(); ++i)
    if (codeObjects_[i].name.empty())
      return fail(error,
                  "code object " + std::to_string(i) + " has an empty target");
  for (size_t i = 0; i < weights_.size(); ++i) {
    const Blob &w = weights_[i];
    std::string where = "weight " + std::to_string(i) + " (\"" +
                        escapeForMessage(w.name) + "\")";
    if (w.name.empty())
      return fail(error, where + " has an empty name");
    if (!weightNames.insert(w.name).second)
      return fail(error, where + ": the name is used twice");
    std::optional<uint64_t> expected = byteSize(w.elementType, w.shape);
    if (!expected)
      return fail(error, where + ": invalid element type or shape [" +
                             shapeString(w.shape) + "]");
    if (*expected != w.bytes.size())
      return fail(error, where + " has " + std::to_string(w.bytes.size()) +
                             " bytes, but " + shapeString(w.shape) + "x" +
                             elementTypeName(w.elementType) + " needs " +
                             std::to_string(*expected));
  }

  if (!checkParameters(parameters_, entryPoints_, weights_, error))
    return false;
  if (!checkGpuKernels(gpuKernels_, error))
    return false;
  if (!checkMetadata(metadata_, error))
    return false;

  // Data segment: code objects, then weights, each 64-byte aligned.
  auto place = [&](const Blob &blob) {
    uint64_t offset = alignUp(layout->dataSize, kArtifactAlignment);
    layout->dataSize = offset + blob.bytes.size();
    layout->offsets.push_back(offset);
    return offset;
  };

  flatbuffers::FlatBufferBuilder &b = layout->builder;
  std::vector<flatbuffers::Offset<fb::EntryPoint>> entries;
  for (const EntryPointSignature &entry : entryPoints_) {
    std::vector<flatbuffers::Offset<fb::Value>> inputs, outputs;
    for (const ValueSignature &v : entry.inputs)
      inputs.push_back(buildValue(b, v));
    for (const ValueSignature &v : entry.outputs)
      outputs.push_back(buildValue(b, v));
    entries.push_back(fb::CreateEntryPoint(
        b, b.CreateString(entry.name), b.CreateString(entry.symbol),
        b.CreateVector(inputs), b.CreateVector(outputs)));
  }
  std::vector<flatbuffers::Offset<fb::CodeObject>> code;
  for (const Blob &blob : codeObjects_) {
    uint64_t offset = place(blob);
    code.push_back(fb::CreateCodeObject(
        b, b.CreateString(blob.name), static_cast<fb::CodeFormat>(blob.format),
        offset, blob.bytes.size()));
  }
  std::vector<flatbuffers::Offset<fb::Weight>> weights;
  for (const Blob &blob : weights_) {
    uint64_t offset = place(blob);
    weights.push_back(fb::CreateWeight(
        b, b.CreateString(blob.name),
        static_cast<fb::ElementType>(blob.elementType),
        b.CreateVector(blob.shape), offset, blob.bytes.size()));
  }
  // Without parameters the field is left out, so such artifacts stay byte
  // for byte what they were before the field existed.
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Parameter>>>
      parameters;
  if (!parameters_.empty()) {
    std::vector<flatbuffers::Offset<fb::Parameter>> list;
    for (const ParameterSignature &p : parameters_)
      list.push_back(fb::CreateParameter(
          b, b.CreateString(p.name), b.CreateString(p.symbol),
          static_cast<fb::ElementType>(p.elementType),
          b.CreateVector(p.shape)));
    parameters = b.CreateVector(list);
  }
  // Likewise metadata.
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Metadata>>>
      metadata;
  if (!metadata_.empty()) {
    std::vector<flatbuffers::Offset<fb::Metadata>> list;
    for (const auto &[key, value] : metadata_)
      list.push_back(fb::CreateMetadata(b, b.CreateString(key),
                                        b.CreateString(value)));
    metadata = b.CreateVector(list);
  }
  // And GPU kernels: artifacts without GPU code stay byte for byte the same.
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::GpuKernel>>>
      gpuKernels;
  if (!gpuKernels_.empty()) {
    std::vector<flatbuffers::Offset<fb::GpuKernel>> list;
    for (const GpuKernelInfo &k : gpuKernels_) {
      std::vector<uint32_t> block(k.block, k.block + 3);
      flatbuffers::Offset<
          flatbuffers::Vector<flatbuffers::Offset<fb::KernelParam>>>
          params;
      if (!k.params.empty()) {
        std::vector<flatbuffers::Offset<fb::KernelParam>> ps;
        for (const GpuKernelParam &p : k.params)
          ps.push_back(fb::CreateKernelParam(
              b, p.isBuffer, p.rank,
              static_cast<fb::ElementType>(p.elementType),
              static_cast<fb::KernelParamSource>(p.source), p.index));
        params = b.CreateVector(ps);
      }
      flatbuffers::Offset<
          flatbuffers::Vector<flatbuffers::Offset<fb::KernelResources>>>
          resources;
      if (!k.resources.empty()) {
        std::vector<flatbuffers::Offset<fb::KernelResources>> rs;
        for (const GpuKernelResources &r : k.resources)
          rs.push_back(fb::CreateKernelResources(
              b, b.CreateString(r.target), r.registers, r.sharedMemoryBytes,
              r.spillBytes, r.occupancy));
        resources = b.CreateVector(rs);
      }
      list.push_back(fb::CreateGpuKernel(
          b, b.CreateString(k.name), b.CreateString(k.function),
          static_cast<fb::GridRule>(k.gridRule), b.CreateVector(block),
          k.sharedMemoryBytes, k.staticElements, params, resources));
    }
    gpuKernels = b.CreateVector(list);
  }
  auto producer = producer_.empty() ? 0 : b.CreateString(producer_);
  auto module = fb::CreateModule(b, kArtifactSchemaVersion, producer,
                                 b.CreateVector(entries), b.CreateVector(code),
                                 b.CreateVector(weights), parameters, metadata,
                                 gpuKernels);
  fb::FinishSizePrefixedModuleBuffer(b, module);
  // GetSize() includes the 4-byte size prefix: the table ends at 4 + N.
  layout->dataStart = alignUp(b.GetSize(), kArtifactAlignment);
  return true;
}

/// Calls `emit(data, size)` for the pieces of the file, in order, padding
/// included.
template <typename Emit>
static void forEachPiece(const ArtifactWriter::Layout &layout,
                         const std::vector<const std::vector<uint8_t> *> &blobs,
                         Emit emit) {
  static const uint8_t kZeros[kArtifactAlignment] = {};
  const flatbuffers::FlatBufferBuilder &b = layout.builder;
  emit(b.GetBufferPointer(), b.GetSize());
  uint64_t position = b.GetSize();
  for (size_t i = 0; i < blobs.size(); ++i) {
    uint64_t start = layout.dataStart + layout.offsets[i];
    emit(kZeros, start - position);
    emit(blobs[i]->data(), blobs[i]->size());
    position = start + blobs[i]->size();
  }
  emit(kZeros, layout.dataStart + layout.dataSize - position);
}

std::vector<const std::vector<uint8_t> *> ArtifactWriter::blobBytes() const {
  std::vector<const std::vector<uint8_t> *> blobs;
  for (const Blob &blob : codeObjects_)
    blobs.push_back(&blob.bytes);
  for (const Blob &blob : weights_)
    blobs.push_back(&blob.bytes);
  return blobs;
}

bool ArtifactWriter::serialize(std::vector<uint8_t> *out,
                               std::string *error) const {
  Layout layout;
  if (!this->layout(&layout, error))
    return false;
  out->clear();
  forEachPiece(layout, blobBytes(), [&](const void *data, uint64_t size) {
    const uint8_t *p = static_cast<const uint8_t *>(data);
    out->insert(out->end(), p, p + size);
  });
  return true;
}

bool ArtifactWriter::write(const std::string &path, std::string *error) const {
  Layout layout;
  std::string why;
  if (!this->layout(&layout, &why))
    return fail(error, path + ": cannot write the artifact: " + why);
  std::vector<detail::ByteRange> pieces;
  forEachPiece(layout, blobBytes(), [&](const void *data, uint64_t size) {
    pieces.emplace_back(data, static_cast<size_t>(size));
  });
  return detail::writeFileAtomically(path, pieces, error);
}

} // namespace diffc
