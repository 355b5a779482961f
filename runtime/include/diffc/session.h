//===- session.h - Calling the entry points of an artifact ------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A Session is a verified artifact plus its host code, ready to call. call()
// is the one place that speaks the packed calling convention documented on
// EntryPoint in artifact.fbs:
//
//   * every input is checked against the signature (count, kind, element
//     type, static extents; a dynamic extent accepts any size);
//   * each tensor input is expanded into a memref descriptor (allocated,
//     aligned, offset, sizes..., strides...) with row-major strides, and
//     args[] gets one pointer per descriptor field / scalar;
//   * the last pointer is the result storage, a C struct with one member per
//     result laid out with natural alignment (pointers and int64 at 8 bytes,
//     float at 4);
//   * result tensors are copied out of their descriptors (honouring sizes
//     and strides) into owning Tensors, and their `allocated` pointers freed.
//
// Weights: every parameter of the artifact (artifact.fbs, table Parameter) is
// a global array in the code object. Creating a session fills each one
// before anything can be called: with the tensor of the same name from the
// weight files of SessionOptions, else with the artifact's own weight of
// that name. Element type and shape must match exactly (no conversions), and
// a parameter found nowhere is an error naming it and where it was looked
// for. Tensors of the files that no parameter uses are ignored (see
// unusedWeights()). Each Session has its own copy of the code object, so
// sessions of one artifact may hold different weights.
//
// Usage:
//
//   std::string error;
//   diffc::SessionOptions options;
//   options.weightFiles = {"unet.safetensors"};
//   auto session = diffc::Session::open("model.diffc", options, &error);
//   if (!session) { fprintf(stderr, "%s\n", error.c_str()); return 1; }
//   std::vector<diffc::Arg> results;
//   if (!session->call("add_f32", {diffc::Arg::ofTensor(a),
//                                  diffc::Arg::ofTensor(b)}, &results, &error))
//     ...
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_SESSION_H
#define DIFFC_SESSION_H

#include "diffc/artifact.h"
#include "diffc/safetensors.h"
#include "diffc/tensor.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

namespace detail {
class LoadedCode;
class GpuExecutor;
} // namespace detail

/// One argument or result of a call: a tensor or a scalar.
struct Arg {
  ValueKind kind = ValueKind::tensor;
  /// Valid when kind == tensor.
  Tensor tensor;
  /// The value when kind is i64 or index.
  int64_t intValue = 0;
  /// The value when kind is f32.
  float floatValue = 0.0f;

  static Arg ofTensor(Tensor tensor);
  static Arg ofI64(int64_t value);
  static Arg ofIndex(int64_t value);
  static Arg ofF32(float value);

  /// "tensor<2x3xf32>", "i64", "f32" or "index".
  std::string typeString() const;
};

/// How a Session is set up.
struct SessionOptions {
  /// safetensors files holding parameter values by state-dict name. A
  /// parameter is taken from the file that has it (a name in two of them is
  /// an error), else from the artifact's weight of the same name.
  std::vector<std::string> weightFiles;
  /// Where entry points run: "cpu" (the x86-64 code object) or "cuda" (the
  /// artifact's GPU host code with its kernels on CUDA device
  /// `deviceOrdinal`, loaded through the driver; docs/gpu.md).
  std::string device = "cpu";
  int deviceOrdinal = 0;
};

/// A loaded artifact with its host code and bound parameters. Calls are
/// const and keep no state between them, so one Session may be called from
/// several threads if the generated code allows it. On a GPU the calls of
/// one session run one at a time (they share recorded graphs and blocks).
class Session {
public:
  /// Loads and verifies the artifact at `path`, then its host code, then
  /// binds its parameters (see create()).
  static std::unique_ptr<Session> open(const std::string &path,
                                       const SessionOptions &options,
                                       std::string *error);
  /// open() with default options: parameters come from the artifact.
  static std::unique_ptr<Session> open(const std::string &path,
                                       std::string *error);

  /// Loads the host code of an already verified artifact, then the weight
  /// files of `options`, and binds every parameter (bindWeights()). Fails
  /// (one line naming the artifact or the file) when there is no code for
  /// this machine, an entry point's or parameter's symbol is missing or
  /// unusable, a weight file is invalid, or a parameter has no value of the
  /// right type.
  static std::unique_ptr<Session> create(std::unique_ptr<Artifact> artifact,
                                         const SessionOptions &options,
                                         std::string *error);
  /// create() with default options.
  static std::unique_ptr<Session> create(std::unique_ptr<Artifact> artifact,
                                         std::string *error);

  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const Artifact &artifact() const { return *artifact_; }
  /// Empty on the CPU; on a GPU what was loaded, e.g. "loaded the sm_90
  /// cubin with 31 kernel(s) on NVIDIA H100 80GB HBM3 (sm_90)".
  std::string deviceDescription() const;

  /// Checks `inputs` against entry point `entry` without calling it.
  bool checkInputs(const EntryPointSignature &entry,
                   const std::vector<Arg> &inputs, std::string *error) const;

  /// (Re)binds every parameter: from the one of `files` that has a tensor
  /// of its name (two having it is an error), else from the artifact's
  /// weight of that name. Everything is checked before anything is copied,
  /// so on failure (one line, e.g. "model.diffc: weight 'conv_in.weight' is
  /// tensor<32x1x3x3xf32> in w.safetensors, the model expects
  /// tensor<64x1x3x3xf32>") the previous values stay. The files may be
  /// released afterwards: values are copied. Must not run concurrently with
  /// call().
  bool bindWeights(const std::vector<const SafetensorsFile *> &files,
                   std::string *error);

  /// Where each parameter's value came from, in Artifact::parameters()
  /// order: the weight file's name, or the artifact's name for its own
  /// weights.
  const std::vector<std::string> &parameterSources() const {
    return parameterSources_;
  }
  /// Tensors of the weight files of the last binding that no parameter
  /// used, as "<file>: <name>" (for verbose reports; they are not errors).
  const std::vector<std::string> &unusedWeights() const {
    return unusedWeights_;
  }

  /// Calls entry point `entry` and replaces *outputs with its results, in
  /// signature order. On failure returns false, sets *error to one line
  /// "<artifact>: entry point "<name>": ..." and leaves *outputs empty.
  bool call(std::string_view entry, const std::vector<Arg> &inputs,
            std::vector<Arg> *outputs, std::string *error) const;

private:
  Session();
  std::unique_ptr<Artifact> artifact_;
  std::unique_ptr<detail::LoadedCode> code_;
  /// Set when the session runs on a CUDA device.
  std::unique_ptr<detail::GpuExecutor> gpu_;
  std::vector<std::string> parameterSources_;
  std::vector<std::string> unusedWeights_;
};

} // namespace diffc

#endif // DIFFC_SESSION_H
