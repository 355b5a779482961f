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
// Usage:
//
//   std::string error;
//   auto session = diffc::Session::open("model.diffc", &error);
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
#include "diffc/tensor.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

namespace detail {
class LoadedCode;
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

/// A loaded artifact with its host code. Calls are const and keep no state
/// between them, so one Session may be called from several threads if the
/// generated code allows it.
class Session {
public:
  /// Loads and verifies the artifact at `path`, then its host code.
  static std::unique_ptr<Session> open(const std::string &path,
                                       std::string *error);

  /// Loads the host code of an already verified artifact. Fails (one line
  /// naming the artifact) when there is no code for this machine or an entry
  /// point's symbol is missing.
  static std::unique_ptr<Session> create(std::unique_ptr<Artifact> artifact,
                                         std::string *error);

  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const Artifact &artifact() const { return *artifact_; }

  /// Checks `inputs` against entry point `entry` without calling it.
  bool checkInputs(const EntryPointSignature &entry,
                   const std::vector<Arg> &inputs, std::string *error) const;

  /// Calls entry point `entry` and replaces *outputs with its results, in
  /// signature order. On failure returns false, sets *error to one line
  /// "<artifact>: entry point "<name>": ..." and leaves *outputs empty.
  bool call(std::string_view entry, const std::vector<Arg> &inputs,
            std::vector<Arg> *outputs, std::string *error) const;

private:
  Session();
  std::unique_ptr<Artifact> artifact_;
  std::unique_ptr<detail::LoadedCode> code_;
};

} // namespace diffc

#endif // DIFFC_SESSION_H
