//===- session.cpp - Calling the entry points of an artifact --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/session.h"

#include "atomic_file.h"
#include "code_loader.h"

#include <cstdlib>
#include <cstring>
#include "cuda/gpu_executor.h"

#include <dlfcn.h>
#include <set>

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

/// Frees a result buffer the generated code allocated. Code objects
/// allocate through MLIR's generic functions, which the kernel host exports
/// (runtime/src/ukernels/memory_abi.cpp: large blocks are cached for the
/// next call); that allocator's free also takes blocks from plain malloc.
/// A host without it (no generated code can have run) uses free().
void releaseResult(void *buffer) {
  using FreeFn = void (*)(void *);
  static const FreeFn release = [] {
    void *symbol = ::dlsym(RTLD_DEFAULT, "_mlir_memref_to_llvm_free");
    return symbol ? reinterpret_cast<FreeFn>(symbol) : &std::free;
  }();
  release(buffer);
}

} // namespace

namespace diffc {

using detail::fail;

Arg Arg::ofTensor(Tensor tensor) {
  Arg arg;
  arg.kind = ValueKind::tensor;
  arg.tensor = std::move(tensor);
  return arg;
}

Arg Arg::ofI64(int64_t value) {
  Arg arg;
  arg.kind = ValueKind::i64;
  arg.intValue = value;
  return arg;
}

Arg Arg::ofIndex(int64_t value) {
  Arg arg;
  arg.kind = ValueKind::index;
  arg.intValue = value;
  return arg;
}

Arg Arg::ofF32(float value) {
  Arg arg;
  arg.kind = ValueKind::f32;
  arg.floatValue = value;
  return arg;
}

std::string Arg::typeString() const {
  return kind == ValueKind::tensor ? tensor.typeString() : valueKindName(kind);
}

Session::Session() = default;
Session::~Session() = default;

std::string Session::deviceDescription() const {
  return gpu_ ? gpu_->description() : std::string();
}

std::unique_ptr<Session> Session::open(const std::string &path,
                                       const SessionOptions &options,
                                       std::string *error) {
  std::unique_ptr<Artifact> artifact = Artifact::load(path, error);
  if (!artifact)
    return nullptr;
  return create(std::move(artifact), options, error);
}

std::unique_ptr<Session> Session::open(const std::string &path,
                                       std::string *error) {
  return open(path, SessionOptions(), error);
}

std::unique_ptr<Session> Session::create(std::unique_ptr<Artifact> artifact,
                                         const SessionOptions &options,
                                         std::string *error) {
  if (!artifact) {
    fail(error, "Session::create: no artifact");
    return nullptr;
  }
  const bool onGpu = options.device == "cuda";
  if (!onGpu && options.device != "cpu") {
    fail(error, "Session::create: unknown device '" + options.device +
                    "' (cpu or cuda)");
    return nullptr;
  }
  // The device first: without a driver or a GPU that is what to say.
  std::unique_ptr<detail::GpuExecutor> gpu;
  if (onGpu) {
    gpu = detail::GpuExecutor::create(*artifact, options.deviceOrdinal, error);
    if (!gpu)
      return nullptr;
  }
  std::unique_ptr<detail::LoadedCode> code = detail::LoadedCode::load(
      *artifact, error,
      onGpu ? CodeFormat::cuda_host_shared_object
            : CodeFormat::elf_shared_object);
  if (!code)
    return nullptr;
  std::unique_ptr<Session> session(new Session());
  session->artifact_ = std::move(artifact);
  session->code_ = std::move(code);
  session->gpu_ = std::move(gpu);

  // The files are needed only while binding: values are copied out.
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  std::vector<const SafetensorsFile *> views;
  for (const std::string &path : options.weightFiles) {
    files.push_back(SafetensorsFile::load(path, error));
    if (!files.back())
      return nullptr;
    views.push_back(files.back().get());
  }
  if (!session->bindWeights(views, error))
    return nullptr;
  return session;
}

std::unique_ptr<Session> Session::create(std::unique_ptr<Artifact> artifact,
                                         std::string *error) {
  return create(std::move(artifact), SessionOptions(), error);
}

bool Session::bindWeights(const std::vector<const SafetensorsFile *> &files,
                          std::string *error) {
  const std::string &model = artifact_->name();
  const std::vector<ParameterSignature> &parameters = artifact_->parameters();
  std::string fileList; // "a.safetensors or b.safetensors"
  for (size_t f = 0; f < files.size(); ++f) {
    if (!files[f])
      return fail(error, "Session::bindWeights: weight file " +
                             std::to_string(f) + " is null");
    fileList += (f == 0 ? "" : f + 1 == files.size() ? " or " : ", ") +
                files[f]->name();
  }

  // Check every parameter before copying any, so a failed rebinding leaves
  // the previous values in place.
  struct Copy {
    const uint8_t *data;
    size_t size;
  };
  std::vector<Copy> copies;
  std::vector<std::string> sources;
  std::vector<std::set<std::string_view>> used(files.size());
  for (const ParameterSignature &parameter : parameters) {
    const std::string name = "'" + escapeForMessage(parameter.name) + "'";
    const std::string expected = typeString(parameter);
    const SafetensorsTensor *found = nullptr;
    const SafetensorsFile *foundIn = nullptr;
    for (size_t f = 0; f < files.size(); ++f) {
      const SafetensorsTensor *tensor = files[f]->find(parameter.name);
      if (!tensor)
        continue;
      if (found)
        return fail(error, model + ": weight " + name + " is in both " +
                               foundIn->name() + " and " + files[f]->name());
      found = tensor;
      foundIn = files[f];
      used[f].insert(parameter.name);
    }
    if (found) {
      if (found->elementType != parameter.elementType ||
          found->shape != parameter.shape)
        return fail(error, model + ": weight " + name + " is " +
                               found->typeString() + " in " + foundIn->name() +
                               ", the model expects " + expected);
      if (parameter.elementType == ElementType::i1)
        for (uint64_t i = 0; i < found->size; ++i)
          if (found->data[i] > 1)
            return fail(error, model + ": weight " + name + " in " +
                                   foundIn->name() + ": BOOL element " +
                                   std::to_string(i) + " is " +
                                   std::to_string(found->data[i]) +
                                   ", not 0 or 1");
      copies.push_back({found->data, static_cast<size_t>(found->size)});
      sources.push_back(foundIn->name());
      continue;
    }
    // The loader checked that an embedded weight has the parameter's type.
    if (const WeightRef *weight = artifact_->findWeight(parameter.name)) {
      copies.push_back({weight->data, static_cast<size_t>(weight->size)});
      sources.push_back(model);
      continue;
    }
    return fail(error, model + ": no weight " + name + " (" + expected +
                           "): not in the artifact and " +
                           (files.empty() ? "no weight files were given"
                                          : "not in " + fileList));
  }

  for (size_t i = 0; i < copies.size(); ++i)
    if (copies[i].size)
      std::memcpy(code_->parameterStorage(i), copies[i].data, copies[i].size);
  // Kernels read device copies of the parameters, made again on next use.
  if (gpu_)
    gpu_->forgetGlobals();
  parameterSources_ = std::move(sources);
  unusedWeights_.clear();
  for (size_t f = 0; f < files.size(); ++f)
    for (const auto &entry : files[f]->tensors())
      if (!used[f].count(entry.first))
        unusedWeights_.push_back(files[f]->name() + ": " +
                                 escapeForMessage(entry.first));
  return true;
}

namespace {

std::string valueWhere(const char *what, size_t index,
                       const ValueSignature &value) {
  std::string where = std::string(what) + " " + std::to_string(index);
  if (!value.name.empty())
    where += " (\"" + escapeForMessage(value.name) + "\")";
  return where;
}

/// A memref descriptor with its fields in separate objects, so that args[]
/// can point at each one (the packed convention passes one pointer per
/// field).
struct Descriptor {
  void *allocated = nullptr;
  void *aligned = nullptr;
  int64_t offset = 0;
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
};

/// Storage behind the args[] pointers of one input.
struct InputSlot {
  Descriptor descriptor;
  int64_t intValue = 0;
  float floatValue = 0.0f;
};

/// Where each result lives in the result struct.
struct ResultLayout {
  std::vector<size_t> offsets;
  size_t size = 0;
};

/// Natural-alignment layout of the result struct described in artifact.fbs:
/// a tensor of rank r is {ptr, ptr, int64, int64[r], int64[r]} (8-aligned),
/// i64 and index are int64, f32 is float.
ResultLayout layoutResults(const std::vector<ValueSignature> &outputs) {
  ResultLayout layout;
  size_t maxAlign = 1;
  for (const ValueSignature &out : outputs) {
    size_t size = 8, align = 8;
    if (out.kind == ValueKind::tensor)
      size = 8 * (3 + 2 * out.shape.size());
    else if (out.kind == ValueKind::f32)
      size = align = 4;
    layout.size = alignUp(layout.size, align);
    layout.offsets.push_back(layout.size);
    layout.size += size;
    maxAlign = std::max(maxAlign, align);
  }
  layout.size = alignUp(layout.size, maxAlign);
  return layout;
}

/// Copies the strided elements of a result descriptor into `out`, which has
/// the descriptor's sizes.
void copyStrided(const uint8_t *base, int64_t offset,
                 const std::vector<int64_t> &sizes,
                 const std::vector<int64_t> &strides, size_t elementBytes,
                 Tensor *out) {
  uint8_t *dst = static_cast<uint8_t *>(out->data());
  const int64_t n = out->numElements();
  if (n == 0)
    return;
  // Fast path: already row-major contiguous.
  bool contiguous = true;
  int64_t expected = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    if (sizes[d] != 1 && strides[d] != expected)
      contiguous = false;
    expected *= sizes[d];
  }
  if (contiguous) {
    std::memcpy(dst, base + offset * static_cast<int64_t>(elementBytes),
                out->byteSize());
    return;
  }
  std::vector<int64_t> index(sizes.size(), 0);
  int64_t position = offset;
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + i * elementBytes,
                base + position * static_cast<int64_t>(elementBytes),
                elementBytes);
    // Odometer increment, innermost dimension fastest.
    for (size_t d = sizes.size(); d-- > 0;) {
      position += strides[d];
      if (++index[d] < sizes[d])
        break;
      position -= strides[d] * sizes[d];
      index[d] = 0;
    }
  }
}

} // namespace

bool Session::checkInputs(const EntryPointSignature &entry,
                          const std::vector<Arg> &inputs,
                          std::string *error) const {
  const std::string prefix =
      artifact_->name() + ": entry point \"" + escapeForMessage(entry.name) +
      "\"";
  if (inputs.size() != entry.inputs.size())
    return fail(error, prefix + " takes " +
                           std::to_string(entry.inputs.size()) +
                           " input(s), got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ValueSignature &sig = entry.inputs[i];
    const Arg &arg = inputs[i];
    const std::string where = prefix + ": " + valueWhere("input", i, sig);
    const std::string mismatch =
        where + ": expected " + typeString(sig) + ", got " + arg.typeString();
    if (arg.kind != sig.kind)
      return fail(error, mismatch);
    if (sig.kind != ValueKind::tensor)
      continue;
    if (!arg.tensor.isValid())
      return fail(error, where + ": the tensor has no storage");
    if (arg.tensor.elementType() != sig.elementType ||
        arg.tensor.shape().size() != sig.shape.size())
      return fail(error, mismatch);
    for (size_t d = 0; d < sig.shape.size(); ++d)
      if (sig.shape[d] != kDynamicExtent &&
          sig.shape[d] != arg.tensor.shape()[d])
        return fail(error, mismatch + " (dimension " + std::to_string(d) +
                               " must be " + std::to_string(sig.shape[d]) +
                               ")");
  }
  return true;
}

bool Session::call(std::string_view entryName, const std::vector<Arg> &inputs,
                   std::vector<Arg> *outputs, std::string *error) const {
  if (!outputs)
    return fail(error, "Session::call: outputs is null");
  outputs->clear();
  const std::vector<EntryPointSignature> &entries = artifact_->entryPoints();
  size_t entryIndex = entries.size();
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].name == entryName)
      entryIndex = i;
  if (entryIndex == entries.size()) {
    std::string names;
    for (const EntryPointSignature &entry : entries)
      names += (names.empty() ? "" : ", ") + escapeForMessage(entry.name);
    return fail(error, artifact_->name() + ": no entry point \"" +
                           escapeForMessage(entryName) +
                           "\"; the artifact has: " +
                           (names.empty() ? "none" : names));
  }
  const EntryPointSignature &entry = entries[entryIndex];
  if (!checkInputs(entry, inputs, error))
    return false;

  // On a GPU, a call seen before with the same entry point, shapes and
  // scalars is recorded as a CUDA graph on its second run and replayed from
  // its third on: no host code, no per-launch host work (docs/gpu.md).
  detail::GpuExecutor::GraphRecord *graph = nullptr;
  std::unique_lock<std::mutex> oneCallAtATime;
  if (gpu_)
    oneCallAtATime = gpu_->lockCalls();
  std::string key;
  if (gpu_ && gpu_->graphsEnabled()) {
    key = std::to_string(entryIndex);
    for (const Arg &arg : inputs) {
      key += '|';
      if (arg.kind == ValueKind::tensor)
        key += shapeString(arg.tensor.shape());
      else if (arg.kind == ValueKind::f32)
        key += "f" + std::to_string(bitsOf(arg.floatValue));
      else
        key += std::to_string(arg.intValue);
    }
    graph = &gpu_->graphRecord(key);
  }
  const bool replaying = graph && graph->graph;
  const bool recording =
      graph && !replaying && graph->recordable && graph->calls >= 1;

  // Expand the inputs. `slots` is sized once, so the addresses taken below
  // stay valid.
  std::vector<InputSlot> slots(inputs.size());
  std::vector<void *> args;
  std::set<const void *> inputBuffers;
  std::vector<void *> gpuInputs;
  size_t tensorIndex = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    InputSlot &slot = slots[i];
    const Arg &arg = inputs[i];
    switch (arg.kind) {
    case ValueKind::tensor: {
      // Generated code treats arguments as read-only (bufferization does not
      // write into function arguments), hence the const_cast.
      Descriptor &d = slot.descriptor;
      d.allocated = d.aligned = const_cast<void *>(arg.tensor.data());
      if (gpu_) {
        // Kernels cannot address host memory: a device-visible copy (into
        // the recorded block when replaying).
        d.allocated = d.aligned =
            replaying ? graph->inputBlocks[tensorIndex++]
                      : gpu_->allocate(arg.tensor.byteSize());
        gpuInputs.push_back(d.allocated);
        if (arg.tensor.byteSize())
          std::memcpy(d.allocated, arg.tensor.data(), arg.tensor.byteSize());
      }
      inputBuffers.insert(d.allocated);
      d.sizes = arg.tensor.shape();
      d.strides.assign(d.sizes.size(), 1);
      for (size_t k = d.sizes.size(); k-- > 1;)
        d.strides[k - 1] = d.strides[k] * d.sizes[k];
      args.push_back(&d.allocated);
      args.push_back(&d.aligned);
      args.push_back(&d.offset);
      for (int64_t &size : d.sizes)
        args.push_back(&size);
      for (int64_t &stride : d.strides)
        args.push_back(&stride);
      break;
    }
    case ValueKind::i64:
    case ValueKind::index:
      slot.intValue = arg.intValue;
      args.push_back(&slot.intValue);
      break;
    case ValueKind::f32:
      slot.floatValue = arg.floatValue;
      args.push_back(&slot.floatValue);
      break;
    }
  }

  // The result struct, zeroed so that a callee that fails to write a result
  // leaves null pointers rather than garbage. uint64_t words give it the
  // 8-byte alignment of its most aligned member.
  const ResultLayout layout = layoutResults(entry.outputs);
  std::vector<uint64_t> resultWords(layout.size / 8 + 1, 0);
  uint8_t *results = reinterpret_cast<uint8_t *>(resultWords.data());
  args.push_back(results);

  // A GPU failure of the call (the first one the executor recorded).
  std::string problem;
  bool recorded = false;
  if (replaying) {
    gpu_->begin();
    gpu_->replay(*graph->graph);
    if (!gpu_->end(&problem)) {
      // Its blocks go back; a later call records afresh.
      gpu_->dropGraph(key);
      graph = nullptr;
    } else {
      std::memcpy(results, graph->resultWords.data(), layout.size);
    }
  } else if (gpu_) {
    gpu_->begin(recording);
    code_->function(entryIndex)(args.data());
    if (recording) {
      std::string why;
      std::unique_ptr<cuda::Graph> g = gpu_->endCapture(&why);
      if (g) {
        // Nothing ran yet: the recording computes this call's results.
        gpu_->replay(*g);
        graph->graph = std::move(g);
        graph->inputBlocks = gpuInputs;
        graph->resultWords.assign(resultWords.begin(), resultWords.end());
        recorded = true;
      } else {
        // Not recordable: run the call again, this time for real. The
        // results of the recorded run were never computed.
        graph->recordable = false;
        std::string ignored;
        gpu_->end(&ignored);
        for (size_t i = 0; i < entry.outputs.size(); ++i) {
          if (entry.outputs[i].kind != ValueKind::tensor)
            continue;
          void *allocated;
          std::memcpy(&allocated, results + layout.offsets[i], 8);
          if (!inputBuffers.count(allocated))
            gpu_->release(allocated); // twice is harmless: unknown then
        }
        std::fill(resultWords.begin(), resultWords.end(), 0);
        gpu_->begin();
        code_->function(entryIndex)(args.data());
      }
    }
    const bool waited = gpu_->hostWaitedForDevice();
    gpu_->end(&problem);
    if (graph && !recorded) {
      ++graph->calls;
      if (waited)
        graph->recordable = false;
    }
  } else {
    code_->function(entryIndex)(args.data());
  }
  // A recorded call's inputs and results belong to its graph from now on.
  const bool graphOwned = replaying || recorded;

  // Unpack. Every returned buffer is freed exactly once, even when a later
  // result is invalid, so a failed call does not leak.
  const std::string prefix =
      artifact_->name() + ": entry point \"" + escapeForMessage(entry.name) +
      "\": ";
  std::set<void *> freed;
  std::vector<Arg> unpacked;
  for (size_t i = 0; i < entry.outputs.size(); ++i) {
    const ValueSignature &sig = entry.outputs[i];
    const uint8_t *member = results + layout.offsets[i];
    if (sig.kind == ValueKind::f32) {
      float value;
      std::memcpy(&value, member, sizeof(value));
      unpacked.push_back(Arg::ofF32(value));
      continue;
    }
    if (sig.kind != ValueKind::tensor) {
      int64_t value;
      std::memcpy(&value, member, sizeof(value));
      unpacked.push_back(sig.kind == ValueKind::i64 ? Arg::ofI64(value)
                                                    : Arg::ofIndex(value));
      continue;
    }
    const size_t rank = sig.shape.size();
    void *allocated, *aligned;
    int64_t offset;
    std::vector<int64_t> sizes(rank), strides(rank);
    std::memcpy(&allocated, member, 8);
    std::memcpy(&aligned, member + 8, 8);
    std::memcpy(&offset, member + 16, 8);
    if (rank) {
      std::memcpy(sizes.data(), member + 24, 8 * rank);
      std::memcpy(strides.data(), member + 24 + 8 * rank, 8 * rank);
    }

    if (problem.empty()) {
      const std::string where = valueWhere("output", i, sig);
      Tensor tensor;
      std::string why;
      bool ok = true;
      for (size_t d = 0; d < rank && ok; ++d)
        if (sizes[d] < 0 ||
            (sig.shape[d] != kDynamicExtent && sizes[d] != sig.shape[d])) {
          problem = where + ": the code returned tensor<" + shapeString(sizes) +
                    "x" + elementTypeName(sig.elementType) +
                    ">, the signature says " + typeString(sig);
          ok = false;
        }
      if (ok && !Tensor::allocate(sig.elementType, sizes, &tensor, &why)) {
        problem = where + ": " + why;
        ok = false;
      }
      if (ok && tensor.numElements() > 0 && !aligned) {
        problem = where + ": the code returned a null data pointer";
        ok = false;
      }
      if (ok) {
        copyStrided(static_cast<const uint8_t *>(aligned), offset, sizes,
                    strides, elementSize(sig.elementType), &tensor);
        unpacked.push_back(Arg::ofTensor(std::move(tensor)));
      }
    }

    // Results are fresh allocations owned by the caller (artifact.fbs). Do
    // not free what is not heap memory of the callee: null, an input's
    // buffer returned as is, a buffer already freed for an earlier result,
    // or MLIR's 0xdeadbeef marker for descriptors of global constants.
    // Freed only after every result is copied: two results may share one
    // buffer (the same value returned twice, e.g. two equal gradients that
    // CSE merged).
    if (allocated && !inputBuffers.count(allocated) && !freed.count(allocated) &&
        reinterpret_cast<uintptr_t>(allocated) != 0xdeadbeef)
      freed.insert(allocated);
  }
  if (recorded) {
    graph->ownedBlocks = gpuInputs;
    graph->ownedBlocks.insert(graph->ownedBlocks.end(), freed.begin(),
                              freed.end());
  }
  if (!graphOwned) {
    for (void *buffer : freed)
      if (gpu_)
        gpu_->release(buffer);
      else
        releaseResult(buffer);
    for (void *buffer : gpuInputs)
      gpu_->release(buffer);
  }
  if (!problem.empty())
    return fail(error, prefix + problem);
  *outputs = std::move(unpacked);
  return true;
}

} // namespace diffc
