//===- artifact.h - Reading and writing .diffc artifacts --------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A .diffc artifact is the only contract between the compiler and the runtime
// (DESIGN.md decision 3). Its file format is defined, byte for byte, in
// runtime/schemas/artifact.fbs:
//
//   [0, 4)        uint32 N, the size of the FlatBuffer (size-prefixed buffer)
//   [4, 4 + N)    the FlatBuffer: root table Module, identifier "DFFC"
//   [D, EOF)      data segment, D = align_up(4 + N, 64); code objects and
//                 weights at 64-byte aligned offsets relative to D
//
// ArtifactWriter produces that layout (the compiler links the runtime for it,
// so there is exactly one writer). Artifact::load() checks every byte it will
// use before handing anything out: the size prefix, the identifier, the
// FlatBuffers Verifier, then semantic checks (schema version, blob ranges and
// alignment, weight sizes, signatures, parameters, metadata). After a
// successful load every accessor is safe; on failure load() returns null and
// a one-line message "<file>: <what is wrong, and where>".
//
// The loaded artifact exposes plain C++ structs, not the generated FlatBuffers
// types, so users never depend on the generated header.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_ARTIFACT_H
#define DIFFC_ARTIFACT_H

#include "diffc/types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace diffc {

/// The schema version this runtime reads and writes (Module.schema_version).
/// 0 in a file means the field is missing.
constexpr uint32_t kArtifactSchemaVersion = 1;

/// Alignment of the data segment and of every blob in it, in bytes.
constexpr uint64_t kArtifactAlignment = 64;

/// Longest metadata key, in bytes.
constexpr size_t kArtifactMaxMetadataKeySize = 256;
/// Longest metadata value, in bytes (1 MiB: a JSON document, not a blob).
constexpr size_t kArtifactMaxMetadataValueSize = size_t(1) << 20;

/// Metadata keys the runtime gives a meaning to.
///
/// "scheduler_config": the JSON object of every diffusers scheduler option
/// the sampler entry points were compiled with (diffusers spelling, all
/// options present); see diffc/scheduler_config.h.
constexpr const char *kSchedulerConfigMetadataKey = "scheduler_config";
/// "samplers": the sampler entry points compiled in, e.g. "ddim,ddpm".
constexpr const char *kSamplersMetadataKey = "samplers";

/// The code-object target string of the machine this runtime runs on
/// ("x86_64"), or an empty string on machines diffc has no CPU code for.
const char *hostTarget();

/// One argument or result of an entry point (schema table Value).
struct ValueSignature {
  /// Tensor or scalar kind.
  ValueKind kind = ValueKind::tensor;
  /// For tensors only.
  ElementType elementType = ElementType::f32;
  /// For tensors only: extents, kDynamicExtent for a dynamic one.
  std::vector<int64_t> shape;
  /// Source-level name for messages; may be empty.
  std::string name;

  /// A tensor signature.
  static ValueSignature tensor(ElementType type, std::vector<int64_t> shape,
                               std::string name = {});
  /// A scalar signature (kind i64, f32 or index).
  static ValueSignature scalar(ValueKind kind, std::string name = {});
};

/// MLIR-style spelling of a signature: "tensor<?x4xf32>", "i64", "f32",
/// "index".
std::string typeString(const ValueSignature &value);

/// A callable function of an artifact (schema table EntryPoint). The calling
/// convention of `symbol` is documented in artifact.fbs and implemented by
/// Session.
struct EntryPointSignature {
  /// What callers ask for ("sample_step"); unique within an artifact.
  std::string name;
  /// The exported function in each code object.
  std::string symbol;
  /// Arguments, in call order.
  std::vector<ValueSignature> inputs;
  /// Results, in the order of the result struct's members.
  std::vector<ValueSignature> outputs;
};

/// A code object of a loaded artifact; `data` points into the artifact's
/// data segment and lives as long as the Artifact.
struct CodeObjectRef {
  /// "x86_64", "sm_90", ...
  std::string target;
  /// May be a format this runtime does not know (see codeFormatName()).
  CodeFormat format = CodeFormat::elf_shared_object;
  /// Offset relative to the data segment.
  uint64_t offset = 0;
  uint64_t size = 0;
  /// 64-byte aligned.
  const uint8_t *data = nullptr;
};

/// A weight of a loaded artifact; `data` points into the data segment
/// (64-byte aligned, `size` == byteSize(elementType, shape)).
struct WeightRef {
  /// State-dict name ("conv_in.weight").
  std::string name;
  ElementType elementType = ElementType::f32;
  /// Static extents (no dynamic ones).
  std::vector<int64_t> shape;
  /// Offset relative to the data segment.
  uint64_t offset = 0;
  uint64_t size = 0;
  const uint8_t *data = nullptr;
};

/// A weight that the generated code reads from an exported global array of
/// its own (schema table Parameter). Session copies the weight's bytes into
/// that global before the first call, from a weights file or from the
/// artifact's Weight of the same name (see artifact.fbs and session.h).
struct ParameterSignature {
  /// State-dict name ("conv_in.weight"): the key looked up in weights files
  /// and among the artifact's weights.
  std::string name;
  /// The exported global in the code object ("diffc_param_0"), a writable
  /// array of exactly byteSize(elementType, shape) bytes.
  std::string symbol;
  ElementType elementType = ElementType::f32;
  /// Static extents (never kDynamicExtent).
  std::vector<int64_t> shape;
};

/// "tensor<64x1x3x3xf32>".
std::string typeString(const ParameterSignature &parameter);

/// One metadata entry (schema table Metadata): a key and a text value.
using MetadataEntry = std::pair<std::string, std::string>;

/// How a GPU kernel's grid follows from a call's sizes; values match
/// diffc.artifact.GridRule (artifact.fbs).
enum class GpuGridRule : int8_t {
  /// grid.x = ceil(elements / block[0]): one thread per output element.
  elementwise_1d = 0,
};

/// One parameter of a GPU kernel (artifact.fbs, KernelParam).
struct GpuKernelParam {
  enum class Source : int8_t {
    argument = 0,
    result = 1,
    host_value = 2,
    /// The grid rule's element count (64-bit).
    elements = 3,
  };
  /// A buffer (3 + 2 * rank 64-bit parameters: MLIR's memref descriptor) or
  /// a scalar (one parameter).
  bool isBuffer = true;
  int32_t rank = 0;
  ElementType elementType = ElementType::f32;
  Source source = Source::host_value;
  /// Argument or result index of the launching function; -1 for host values
  /// and elements.
  int32_t index = -1;
};

/// A kernel's resources on one GPU target (artifact.fbs, KernelResources).
struct GpuKernelResources {
  std::string target;
  uint32_t registers = 0;
  uint32_t sharedMemoryBytes = 0;
  uint32_t spillBytes = 0;
  /// Resident warps per multiprocessor over the most it holds, in [0, 1].
  float occupancy = 0;
};

/// One kernel of the artifact's GPU code objects (artifact.fbs, GpuKernel).
struct GpuKernelInfo {
  /// Symbol in every cubin/PTX code object.
  std::string name;
  /// The entry point whose body launches it.
  std::string function;
  GpuGridRule gridRule = GpuGridRule::elementwise_1d;
  /// Threads per block, x, y, z (each >= 1, product <= 1024).
  uint32_t block[3] = {1, 1, 1};
  uint32_t sharedMemoryBytes = 0;
  /// Elements of the iteration space, -1 when a dynamic extent decides.
  int64_t staticElements = -1;
  /// The kernel's parameters in order (empty in older artifacts).
  std::vector<GpuKernelParam> params;
  /// Per GPU target (empty in older artifacts).
  std::vector<GpuKernelResources> resources;
};

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

/// A verified, read-only artifact. The file is memory-mapped, so weights are
/// not copied; the mapping lives as long as this object.
class Artifact {
public:
  /// Maps and verifies the artifact at `path`. Returns null and sets *error
  /// (if non-null) to one line naming the file and the problem.
  static std::unique_ptr<Artifact> load(const std::string &path,
                                        std::string *error);

  /// Verifies a copy of an in-memory artifact image. `name` stands for the
  /// file in messages. For tests and for artifacts embedded in a binary.
  static std::unique_ptr<Artifact> loadFromMemory(const std::string &name,
                                                  const void *data,
                                                  size_t size,
                                                  std::string *error);

  ~Artifact();
  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;

  /// The path (or name) the artifact was loaded from, as used in messages.
  const std::string &name() const { return name_; }
  /// Module.schema_version; always kArtifactSchemaVersion after a load.
  uint32_t schemaVersion() const { return schemaVersion_; }
  /// Module.producer; empty if absent.
  const std::string &producer() const { return producer_; }

  /// All entry points, in file order (names are unique and non-empty,
  /// symbols non-empty, tensor values have a shape).
  const std::vector<EntryPointSignature> &entryPoints() const {
    return entryPoints_;
  }
  /// The entry point called `name`, or null.
  const EntryPointSignature *findEntryPoint(std::string_view name) const;

  /// All code objects, in file order.
  const std::vector<CodeObjectRef> &codeObjects() const { return codeObjects_; }
  /// The first code object for `target` ("x86_64", "sm_90"), or null.
  const CodeObjectRef *findCodeObject(std::string_view target) const;

  /// All weights, in file order (names unique).
  const std::vector<WeightRef> &weights() const { return weights_; }
  /// The weight called `name`, or null.
  const WeightRef *findWeight(std::string_view name) const;

  /// All parameters, in file order: names and symbols unique, shapes static,
  /// and a weight of the same name (if any) has the same type and shape.
  /// Empty for artifacts written before parameters existed.
  const std::vector<ParameterSignature> &parameters() const {
    return parameters_;
  }
  /// The parameter called `name`, or null.
  const ParameterSignature *findParameter(std::string_view name) const;

  /// All metadata entries (key, value), in file order: keys unique,
  /// non-empty and at most kArtifactMaxMetadataKeySize bytes, values at most
  /// kArtifactMaxMetadataValueSize bytes, both valid UTF-8. Empty for
  /// artifacts written before metadata existed.
  const std::vector<MetadataEntry> &metadata() const { return metadata_; }
  /// The value of metadata entry `key`, or null if there is none.
  const std::string *findMetadata(std::string_view key) const;

  /// The kernels of the GPU code objects (names unique, block extents valid).
  /// Empty when the artifact has no GPU code.
  const std::vector<GpuKernelInfo> &gpuKernels() const { return gpuKernels_; }

  /// Size of the whole file in bytes.
  uint64_t fileSize() const { return fileSize_; }
  /// D = align_up(4 + N, 64), where the data segment starts in the file.
  uint64_t dataSegmentOffset() const { return dataOffset_; }

private:
  struct Storage;
  Artifact() = default;
  static std::unique_ptr<Artifact> verify(const std::string &name,
                                          std::unique_ptr<Storage> storage,
                                          std::string *error);

  std::string name_;
  std::unique_ptr<Storage> storage_;
  uint64_t fileSize_ = 0;
  uint64_t dataOffset_ = 0;
  uint32_t schemaVersion_ = 0;
  std::string producer_;
  std::vector<EntryPointSignature> entryPoints_;
  std::vector<CodeObjectRef> codeObjects_;
  std::vector<WeightRef> weights_;
  std::vector<ParameterSignature> parameters_;
  std::vector<MetadataEntry> metadata_;
  std::vector<GpuKernelInfo> gpuKernels_;
};

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

/// Collects entry points, code objects, weights, parameters and metadata and
/// writes them as one artifact. It copies the bytes it is given. write()
/// validates everything against the same rules Artifact::load() enforces, so
/// it never produces a file the runtime would refuse.
class ArtifactWriter {
public:
  /// Module.producer, e.g. "diffc 0.1 (LLVM 22)".
  void setProducer(std::string producer) { producer_ = std::move(producer); }

  /// Adds an entry point; entries keep the order in which they are added.
  void addEntryPoint(EntryPointSignature entry) {
    entryPoints_.push_back(std::move(entry));
  }

  /// Adds native code for `target` ("x86_64", "sm_90", ...).
  void addCodeObject(std::string target, CodeFormat format,
                     std::vector<uint8_t> bytes);

  /// Adds a weight; `bytes` must hold byteSize(type, shape) bytes, row-major.
  void addWeight(std::string name, ElementType type, std::vector<int64_t> shape,
                 std::vector<uint8_t> bytes);

  /// Adds a parameter; parameters keep the order in which they are added.
  /// Its bytes come from a weights file at run time or from a weight of the
  /// same name added with addWeight() (which must then have the same type
  /// and shape).
  void addParameter(ParameterSignature parameter) {
    parameters_.push_back(std::move(parameter));
  }

  /// Adds a metadata entry; entries keep the order in which they are added.
  /// Keys must be unique and non-empty (at most kArtifactMaxMetadataKeySize
  /// bytes), values UTF-8 text of at most kArtifactMaxMetadataValueSize
  /// bytes; serialize() and write() refuse anything else.
  void addMetadata(std::string key, std::string value) {
    metadata_.emplace_back(std::move(key), std::move(value));
  }

  /// Adds a GPU kernel description (artifact.fbs, GpuKernel), kept in order.
  void addGpuKernel(GpuKernelInfo kernel) {
    gpuKernels_.push_back(std::move(kernel));
  }

  /// Lays out the whole file in memory. On invalid content returns false and
  /// sets *error to one line (without a file name).
  bool serialize(std::vector<uint8_t> *out, std::string *error) const;

  /// Writes the artifact to `path` atomically: a temporary file in the same
  /// directory, fsync, rename. On failure nothing is left behind, an existing
  /// file at `path` is untouched, and *error is one line naming `path`.
  bool write(const std::string &path, std::string *error) const;

  /// Internal: the FlatBuffer and the blob placement (artifact_writer.cpp).
  struct Layout;

private:
  bool layout(Layout *layout, std::string *error) const;
  std::vector<const std::vector<uint8_t> *> blobBytes() const;

  struct Blob {
    std::string name;
    ElementType elementType = ElementType::f32;
    std::vector<int64_t> shape;
    CodeFormat format = CodeFormat::elf_shared_object;
    std::vector<uint8_t> bytes;
  };
  std::string producer_;
  std::vector<EntryPointSignature> entryPoints_;
  std::vector<Blob> codeObjects_;
  std::vector<Blob> weights_;
  std::vector<ParameterSignature> parameters_;
  std::vector<MetadataEntry> metadata_;
  std::vector<GpuKernelInfo> gpuKernels_;
};

} // namespace diffc

#endif // DIFFC_ARTIFACT_H
