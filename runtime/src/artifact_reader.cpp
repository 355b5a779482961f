//===- artifact_reader.cpp - Loading and verifying .diffc artifacts -------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Checks run in the order in which each one makes the next safe: sizes before
// reading the prefix, the prefix before the identifier, the FlatBuffers
// Verifier before any table access, then semantic checks before the decoded
// structs are handed out. Every failure is one line "<file>: <problem>".
//
//===----------------------------------------------------------------------===//

#include "diffc/artifact.h"

#include "atomic_file.h"
#include "file_bytes.h"
#include "gpu_plan.h"
#include "diffc/artifact_generated.h"
#include "json.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace diffc {

using detail::fail;
namespace fb = diffc::artifact;

const char *hostTarget() {
#if defined(__x86_64__) && defined(__linux__)
  return "x86_64";
#else
  return "";
#endif
}

/// The bytes of the file (file_bytes.h).
struct Artifact::Storage : detail::FileBytes {};

Artifact::~Artifact() = default;

std::unique_ptr<Artifact> Artifact::load(const std::string &path,
                                         std::string *error) {
  auto storage = std::make_unique<Storage>();
  if (!storage->map(path, 8, "an artifact", error))
    return nullptr;
  return verify(path, std::move(storage), error);
}

std::unique_ptr<Artifact> Artifact::loadFromMemory(const std::string &name,
                                                   const void *data,
                                                   size_t size,
                                                   std::string *error) {
  auto storage = std::make_unique<Storage>();
  if (!storage->copy(name, data, size, error))
    return nullptr;
  return verify(name, std::move(storage), error);
}

namespace {

std::string quoted(const flatbuffers::String *s) {
  return "\"" + escapeForMessage(s ? s->string_view() : "") + "\"";
}

/// Copies a verified [long] vector. FlatBuffers 2.0.8's Verifier checks the
/// alignment of a vector's length but not of 8-byte elements, so a damaged
/// file could make Get() read a misaligned int64; refuse that here. (Empty
/// vectors are legitimately unaligned: the builder aligns only elements.)
bool readLongs(const flatbuffers::Vector<int64_t> *vector,
               const std::string &where, std::vector<int64_t> *out,
               std::string *error) {
  if (vector->size() != 0 &&
      reinterpret_cast<uintptr_t>(vector->Data()) % alignof(int64_t) != 0)
    return fail(error, "corrupt: " + where + ": the shape is not 8-byte aligned");
  out->assign(vector->begin(), vector->end());
  return true;
}

/// Decodes one Value of a verified table, checking what the Verifier cannot:
/// enum ranges and the presence of a tensor's shape.
bool decodeValue(const fb::Value *value, const std::string &where,
                 ValueSignature *out, std::string *error) {
  if (!value)
    return fail(error, where + " is null");
  out->kind = static_cast<ValueKind>(value->kind());
  if (!isValidValueKind(out->kind))
    return fail(error, where + " has an unknown kind " +
                           std::to_string(static_cast<int>(value->kind())));
  if (value->name())
    out->name = value->name()->str();
  if (out->kind != ValueKind::tensor)
    return true;
  out->elementType = static_cast<ElementType>(value->element_type());
  if (!isValidElementType(out->elementType))
    return fail(error,
                where + " has an unknown element type " +
                    std::to_string(static_cast<int>(value->element_type())));
  if (!value->shape())
    return fail(error, where + " has no shape");
  if (!readLongs(value->shape(), where, &out->shape, error))
    return false;
  for (size_t i = 0; i < out->shape.size(); ++i)
    if (out->shape[i] < kDynamicExtent)
      return fail(error, where + ": dimension " + std::to_string(i) +
                             " has the invalid extent " +
                             std::to_string(out->shape[i]));
  return true;
}


/// Checks that [offset, offset + size) lies in a data segment of
/// `segmentSize` bytes and that offset is 64-byte aligned.
bool checkBlob(uint64_t offset, uint64_t size, uint64_t segmentSize,
               const std::string &where, std::string *error) {
  if (offset % kArtifactAlignment != 0)
    return fail(error, where + ": data offset " + std::to_string(offset) +
                           " is not a multiple of " +
                           std::to_string(kArtifactAlignment));
  if (offset > segmentSize || size > segmentSize - offset)
    return fail(error, where + ": data [" + std::to_string(offset) + ", " +
                           std::to_string(offset) + " + " +
                           std::to_string(size) +
                           ") lies outside the data segment, which has " +
                           std::to_string(segmentSize) +
                           " bytes (truncated file?)");
  return true;
}

/// Reads Module.schema_version, checking only what that read touches (root
/// offset, vtable, field). Lets a newer artifact whose layout this runtime
/// cannot verify be reported as "version N" rather than as corrupt.
std::optional<uint32_t> peekSchemaVersion(const uint8_t *buffer, size_t size) {
  flatbuffers::Verifier verifier(buffer, size);
  const size_t rootAt = sizeof(flatbuffers::uoffset_t); // after the prefix
  const flatbuffers::uoffset_t root = verifier.VerifyOffset(rootAt);
  if (!root)
    return std::nullopt;
  const auto *table =
      reinterpret_cast<const flatbuffers::Table *>(buffer + rootAt + root);
  if (!table->VerifyTableStart(verifier) ||
      !table->VerifyField<uint32_t>(verifier, fb::Module::VT_SCHEMA_VERSION,
                                    sizeof(uint32_t)))
    return std::nullopt;
  return table->GetField<uint32_t>(fb::Module::VT_SCHEMA_VERSION, 0);
}

} // namespace

std::unique_ptr<Artifact> Artifact::verify(const std::string &name,
                                           std::unique_ptr<Storage> storage,
                                           std::string *error) {
  auto failed = [&](const std::string &message) {
    fail(error, name + ": " + message);
    return nullptr;
  };
  const uint8_t *bytes = storage->data;
  const uint64_t fileSize = storage->size;
  if (fileSize < 8)
    return failed("truncated: the file has " + std::to_string(fileSize) +
                  " bytes, an artifact has at least 8");
  // Look at the identifier first (it sits at a fixed place, bytes [8, 12)),
  // so that a file that is not an artifact at all is called that rather than
  // "truncated" because of a nonsensical size prefix.
  if (fileSize >= 12 && std::memcmp(bytes + 8, fb::ModuleIdentifier(), 4) != 0)
    return failed("not a diffc artifact: bytes 8..11 should be the "
                  "identifier \"DFFC\"");
  const uint32_t tableSize = flatbuffers::ReadScalar<uint32_t>(bytes);
  if (tableSize > fileSize - 4)
    return failed("truncated: header says the table has " +
                  std::to_string(tableSize) + " bytes, but only " +
                  std::to_string(fileSize - 4) + " follow the size prefix");
  if (tableSize < 8 || !fb::ModuleBufferHasIdentifier(bytes + 4))
    return failed("not a diffc artifact: no \"DFFC\" identifier");
  // The Verifier asserts (in debug builds) on buffers at or above 2 GiB;
  // real tables are kilobytes, so refuse such a prefix outright.
  if (uint64_t(tableSize) + 4 >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return failed("corrupt: the table size " + std::to_string(tableSize) +
                  " exceeds the FlatBuffers limit of 2 GiB");
  // The version decides what the rest means, so it is checked first.
  std::optional<uint32_t> version =
      peekSchemaVersion(bytes, uint64_t(tableSize) + 4);
  if (version && *version != 0 && *version != kArtifactSchemaVersion)
    return failed("schema version " + std::to_string(*version) +
                  " is not supported; this runtime reads version " +
                  std::to_string(kArtifactSchemaVersion));
  flatbuffers::Verifier verifier(bytes, uint64_t(tableSize) + 4);
  if (!fb::VerifySizePrefixedModuleBuffer(verifier))
    return failed("corrupt: the FlatBuffer table fails verification (an "
                  "offset or length points outside the table, or a required "
                  "field is missing)");
  const fb::Module *module = fb::GetSizePrefixedModule(bytes);

  std::unique_ptr<Artifact> artifact(new Artifact());
  artifact->name_ = name;
  artifact->fileSize_ = fileSize;
  artifact->dataOffset_ = alignUp(uint64_t(tableSize) + 4, kArtifactAlignment);
  const uint64_t segmentSize = fileSize > artifact->dataOffset_
                                   ? fileSize - artifact->dataOffset_
                                   : 0;
  // With an empty data segment the file may end before D; zero-size blobs
  // then point at the end of the file rather than past it.
  const uint8_t *segment =
      bytes + std::min<uint64_t>(artifact->dataOffset_, fileSize);

  artifact->schemaVersion_ = module->schema_version();
  if (artifact->schemaVersion_ == 0)
    return failed("schema_version is missing (0); this runtime reads "
                  "version " +
                  std::to_string(kArtifactSchemaVersion));
  if (artifact->schemaVersion_ != kArtifactSchemaVersion)
    return failed("schema version " +
                  std::to_string(artifact->schemaVersion_) +
                  " is not supported; this runtime reads version " +
                  std::to_string(kArtifactSchemaVersion));
  if (module->producer())
    artifact->producer_ = module->producer()->str();

  // Entry points.
  std::string why;
  std::set<std::string> entryNames;
  for (flatbuffers::uoffset_t i = 0; i < module->entry_points()->size(); ++i) {
    const fb::EntryPoint *entry = module->entry_points()->Get(i);
    std::string where = "entry point " + std::to_string(i);
    if (!entry)
      return failed(where + " is null");
    where += " (" + quoted(entry->name()) + ")";
    EntryPointSignature sig;
    sig.name = entry->name()->str();
    sig.symbol = entry->symbol()->str();
    if (sig.name.empty())
      return failed(where + " has an empty name");
    if (!entryNames.insert(sig.name).second)
      return failed(where + ": another entry point has the same name");
    if (sig.symbol.empty() || sig.symbol.find('\0') != std::string::npos)
      return failed(where + " has an empty or invalid symbol");
    sig.inputs.resize(entry->inputs()->size());
    for (flatbuffers::uoffset_t j = 0; j < entry->inputs()->size(); ++j)
      if (!decodeValue(entry->inputs()->Get(j),
                       where + ": input " + std::to_string(j), &sig.inputs[j],
                       &why))
        return failed(why);
    sig.outputs.resize(entry->outputs()->size());
    for (flatbuffers::uoffset_t j = 0; j < entry->outputs()->size(); ++j)
      if (!decodeValue(entry->outputs()->Get(j),
                       where + ": output " + std::to_string(j),
                       &sig.outputs[j], &why))
        return failed(why);
    artifact->entryPoints_.push_back(std::move(sig));
  }

  // Code objects. Unknown formats are kept (and never selected) so that an
  // artifact carrying a newer GPU format still runs on this CPU.
  for (flatbuffers::uoffset_t i = 0; i < module->code_objects()->size(); ++i) {
    const fb::CodeObject *code = module->code_objects()->Get(i);
    std::string where = "code object " + std::to_string(i);
    if (!code)
      return failed(where + " is null");
    where += " (" + quoted(code->target()) + ")";
    CodeObjectRef ref;
    ref.target = code->target()->str();
    if (ref.target.empty())
      return failed(where + " has an empty target");
    ref.format = static_cast<CodeFormat>(code->format());
    ref.offset = code->data_offset();
    ref.size = code->data_size();
    if (!checkBlob(ref.offset, ref.size, segmentSize, where, &why))
      return failed(why);
    for (const CodeObjectRef &other : artifact->codeObjects_)
      if (other.target == ref.target && other.format == ref.format)
        return failed(where + ": another code object has the same target "
                              "and format");
    ref.data = segment + ref.offset;
    artifact->codeObjects_.push_back(std::move(ref));
  }

  // Weights.
  std::set<std::string> weightNames;
  if (module->weights()) {
    for (flatbuffers::uoffset_t i = 0; i < module->weights()->size(); ++i) {
      const fb::Weight *weight = module->weights()->Get(i);
      std::string where = "weight " + std::to_string(i);
      if (!weight)
        return failed(where + " is null");
      where += " (" + quoted(weight->name()) + ")";
      WeightRef ref;
      ref.name = weight->name()->str();
      if (ref.name.empty())
        return failed(where + " has an empty name");
      if (!weightNames.insert(ref.name).second)
        return failed(where + ": another weight has the same name");
      ref.elementType = static_cast<ElementType>(weight->element_type());
      if (!isValidElementType(ref.elementType))
        return failed(
            where + " has an unknown element type " +
            std::to_string(static_cast<int>(weight->element_type())));
      if (!readLongs(weight->shape(), where, &ref.shape, &why))
        return failed(why);
      ref.offset = weight->data_offset();
      ref.size = weight->data_size();
      std::optional<uint64_t> expected = byteSize(ref.elementType, ref.shape);
      if (!expected)
        return failed(where + ": invalid shape [" + shapeString(ref.shape) +
                      "] (negative extent or too many elements)");
      if (*expected != ref.size)
        return failed(where + ": data_size is " + std::to_string(ref.size) +
                      " bytes, but " + shapeString(ref.shape) +
                      (ref.shape.empty() ? "" : "x") +
                      elementTypeName(ref.elementType) + " needs " +
                      std::to_string(*expected));
      if (!checkBlob(ref.offset, ref.size, segmentSize, where, &why))
        return failed(why);
      ref.data = segment + ref.offset;
      artifact->weights_.push_back(std::move(ref));
    }
  }

  // Parameters: absent in version-1 artifacts written before they existed.
  if (module->parameters()) {
    std::set<std::string> parameterNames, parameterSymbols;
    std::map<std::string, const WeightRef *> weightsByName;
    for (const WeightRef &weight : artifact->weights_)
      weightsByName.emplace(weight.name, &weight);
    for (flatbuffers::uoffset_t i = 0; i < module->parameters()->size(); ++i) {
      const fb::Parameter *parameter = module->parameters()->Get(i);
      std::string where = "parameter " + std::to_string(i);
      if (!parameter)
        return failed(where + " is null");
      where += " (" + quoted(parameter->name()) + ")";
      ParameterSignature sig;
      sig.name = parameter->name()->str();
      sig.symbol = parameter->symbol()->str();
      if (sig.name.empty())
        return failed(where + " has an empty name");
      if (!parameterNames.insert(sig.name).second)
        return failed(where + ": another parameter has the same name");
      if (sig.symbol.empty() || sig.symbol.find('\0') != std::string::npos)
        return failed(where + " has an empty or invalid symbol");
      const std::string symbol =
          "symbol '" + escapeForMessage(sig.symbol) + "'";
      if (!parameterSymbols.insert(sig.symbol).second)
        return failed(where + ": " + symbol +
                      " is also the symbol of another parameter");
      // A function is not storage: copying weights into one would crash.
      for (size_t e = 0; e < artifact->entryPoints_.size(); ++e)
        if (artifact->entryPoints_[e].symbol == sig.symbol)
          return failed(where + ": " + symbol +
                        " is also the symbol of entry point " +
                        std::to_string(e) + " (\"" +
                        escapeForMessage(artifact->entryPoints_[e].name) +
                        "\")");
      sig.elementType = static_cast<ElementType>(parameter->element_type());
      if (!isValidElementType(sig.elementType))
        return failed(
            where + " has an unknown element type " +
            std::to_string(static_cast<int>(parameter->element_type())));
      if (!readLongs(parameter->shape(), where, &sig.shape, &why))
        return failed(why);
      for (size_t d = 0; d < sig.shape.size(); ++d)
        if (sig.shape[d] < 0)
          return failed(where + ": dimension " + std::to_string(d) +
                        " has the extent " + std::to_string(sig.shape[d]) +
                        "; parameters have static shapes");
      if (!byteSize(sig.elementType, sig.shape))
        return failed(where + ": invalid shape [" + shapeString(sig.shape) +
                      "] (too many elements)");
      auto weight = weightsByName.find(sig.name);
      if (weight != weightsByName.end() &&
          (weight->second->elementType != sig.elementType ||
           weight->second->shape != sig.shape))
        return failed(where + " is " + typeString(sig) +
                      ", but the weight of the same name is " +
                      tensorTypeString(weight->second->elementType,
                                       weight->second->shape));
      artifact->parameters_.push_back(std::move(sig));
    }
  }

  // Metadata: absent in version-1 artifacts written before it existed.
  if (module->metadata()) {
    std::set<std::string_view> keys; // views into the verified buffer
    for (flatbuffers::uoffset_t i = 0; i < module->metadata()->size(); ++i) {
      const fb::Metadata *entry = module->metadata()->Get(i);
      if (!entry)
        return failed("metadata " + std::to_string(i) + " is null");
      std::string_view key = entry->key()->string_view();
      std::string_view value = entry->value()->string_view();
      const std::string where = detail::metadataWhere(i, key);
      if (key.empty())
        return failed(where + " has an empty key");
      if (key.size() > kArtifactMaxMetadataKeySize)
        return failed(where + ": the key has " + std::to_string(key.size()) +
                      " bytes, more than the limit of " +
                      std::to_string(kArtifactMaxMetadataKeySize));
      if (!detail::isValidUtf8(key))
        return failed(where + ": the key is not valid UTF-8");
      if (!keys.insert(key).second)
        return failed(where + ": another metadata entry has the same key");
      if (value.size() > kArtifactMaxMetadataValueSize)
        return failed(where + ": the value has " +
                      std::to_string(value.size()) +
                      " bytes, more than the limit of " +
                      std::to_string(kArtifactMaxMetadataValueSize));
      if (!detail::isValidUtf8(value))
        return failed(where + ": the value is not valid UTF-8");
      artifact->metadata_.emplace_back(std::string(key), std::string(value));
    }
  }

  // GPU kernels: absent in artifacts without GPU code.
  if (module->gpu_kernels()) {
    std::set<std::string> names;
    for (flatbuffers::uoffset_t i = 0; i < module->gpu_kernels()->size(); ++i) {
      const fb::GpuKernel *k = module->gpu_kernels()->Get(i);
      std::string where = "GPU kernel " + std::to_string(i);
      if (!k)
        return failed(where + " is null");
      GpuKernelInfo info;
      info.name = k->name()->str();
      where += " (" + quoted(k->name()) + ")";
      if (info.name.empty())
        return failed(where + " has an empty name");
      if (!names.insert(info.name).second)
        return failed(where + ": another GPU kernel has the same name");
      if (k->function())
        info.function = k->function()->str();
      if (k->grid_rule() != fb::GridRule::elementwise_1d)
        return failed(where + " has grid rule " +
                      std::to_string(static_cast<int>(k->grid_rule())) +
                      ", which this runtime does not know");
      info.gridRule = GpuGridRule::elementwise_1d;
      if (k->block()->size() != 3)
        return failed(where + " has " + std::to_string(k->block()->size()) +
                      " block extents, expected 3");
      for (int d = 0; d < 3; ++d)
        info.block[d] = k->block()->Get(d);
      std::string why = detail::checkGpuBlock(info.block);
      if (!why.empty())
        return failed(where + ": " + why);
      info.sharedMemoryBytes = k->shared_memory_bytes();
      info.staticElements = k->static_elements();
      if (k->params()) {
        for (flatbuffers::uoffset_t j = 0; j < k->params()->size(); ++j) {
          const fb::KernelParam *p = k->params()->Get(j);
          std::string pwhere = where + " parameter " + std::to_string(j);
          if (!p)
            return failed(pwhere + " is null");
          GpuKernelParam param;
          param.isBuffer = p->is_buffer();
          param.rank = p->rank();
          param.elementType = static_cast<ElementType>(p->element_type());
          param.index = p->index();
          if (p->source() > fb::KernelParamSource::MAX)
            return failed(pwhere + " has an unknown source " +
                          std::to_string(static_cast<int>(p->source())));
          param.source = static_cast<GpuKernelParam::Source>(p->source());
          if (param.rank < 0 || (!param.isBuffer && param.rank != 0))
            return failed(pwhere + " has rank " + std::to_string(param.rank));
          bool indexed = param.source == GpuKernelParam::Source::argument ||
                         param.source == GpuKernelParam::Source::result;
          if (indexed != (param.index >= 0))
            return failed(pwhere + " has index " +
                          std::to_string(param.index) + " for its source");
          info.params.push_back(param);
        }
      }
      if (k->resources()) {
        for (flatbuffers::uoffset_t j = 0; j < k->resources()->size(); ++j) {
          const fb::KernelResources *r = k->resources()->Get(j);
          std::string rwhere = where + " resources " + std::to_string(j);
          if (!r || r->target()->size() == 0)
            return failed(rwhere + " have no target");
          if (!(r->occupancy() >= 0 && r->occupancy() <= 1))
            return failed(rwhere + " have occupancy " +
                          std::to_string(r->occupancy()) +
                          ", outside [0, 1]");
          GpuKernelResources res;
          res.target = r->target()->str();
          res.registers = r->registers();
          res.sharedMemoryBytes = r->shared_memory_bytes();
          res.spillBytes = r->spill_bytes();
          res.occupancy = r->occupancy();
          info.resources.push_back(std::move(res));
        }
      }
      artifact->gpuKernels_.push_back(std::move(info));
    }
  }

  artifact->storage_ = std::move(storage);
  return artifact;
}

const EntryPointSignature *
Artifact::findEntryPoint(std::string_view name) const {
  for (const EntryPointSignature &entry : entryPoints_)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

const CodeObjectRef *Artifact::findCodeObject(std::string_view target) const {
  for (const CodeObjectRef &code : codeObjects_)
    if (code.target == target)
      return &code;
  return nullptr;
}

const WeightRef *Artifact::findWeight(std::string_view name) const {
  for (const WeightRef &weight : weights_)
    if (weight.name == name)
      return &weight;
  return nullptr;
}

const ParameterSignature *
Artifact::findParameter(std::string_view name) const {
  for (const ParameterSignature &parameter : parameters_)
    if (parameter.name == name)
      return &parameter;
  return nullptr;
}

const std::string *Artifact::findMetadata(std::string_view key) const {
  for (const MetadataEntry &entry : metadata_)
    if (entry.first == key)
      return &entry.second;
  return nullptr;
}

} // namespace diffc
