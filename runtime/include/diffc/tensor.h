//===- tensor.h - Host tensors and .npy files -------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// diffc::Tensor is the runtime's owning host tensor: an element type, a shape
// and row-major (C order) contiguous storage aligned to 64 bytes, the same
// alignment the artifact gives weights, so generated code sees one kind of
// buffer. It is deliberately minimal: no views, no strides, no arithmetic.
//
// readNpy/writeNpy move tensors in and out of NumPy's .npy format
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
// versions 1.0, 2.0 and 3.0, C order, little-endian '<f4' '<f8' '<f2' '<i4'
// '<i8' and '|b1'. Anything else is refused with one line naming the file.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TENSOR_H
#define DIFFC_TENSOR_H

#include "diffc/types.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace diffc {

/// Alignment of every Tensor's storage, in bytes.
constexpr size_t kTensorAlignment = 64;

/// An owning, contiguous, row-major host tensor. Copying copies the data.
class Tensor {
public:
  /// An empty rank-0 f32 tensor with no storage (isValid() is false).
  Tensor() = default;

  /// Allocates a zero-filled tensor. Returns false and sets *error on an
  /// invalid type, a negative extent, a size overflow or out of memory.
  static bool allocate(ElementType type, std::vector<int64_t> shape,
                       Tensor *out, std::string *error);

  /// Convenience for known-good shapes (tests, tools): like allocate(), but
  /// aborts with a message on failure.
  static Tensor zeros(ElementType type, std::vector<int64_t> shape);

  /// A tensor holding a copy of `size` bytes of row-major data; aborts unless
  /// `size` is exactly the tensor's byte size.
  static Tensor fromBytes(ElementType type, std::vector<int64_t> shape,
                          const void *data, size_t size);

  /// fromBytes() over a vector's elements, e.g.
  /// Tensor::fromVector(ElementType::f32, {2, 2}, std::vector<float>{...}).
  template <typename T>
  static Tensor fromVector(ElementType type, std::vector<int64_t> shape,
                           const std::vector<T> &values) {
    return fromBytes(type, std::move(shape), values.data(),
                     values.size() * sizeof(T));
  }

  Tensor(const Tensor &other);
  Tensor &operator=(const Tensor &other);
  Tensor(Tensor &&other) noexcept = default;
  Tensor &operator=(Tensor &&other) noexcept = default;

  /// True once storage is allocated (every tensor made by allocate()).
  bool isValid() const { return storage_ != nullptr; }
  ElementType elementType() const { return type_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const {
    return static_cast<size_t>(numElements_) * elementSize(type_);
  }

  /// The 64-byte aligned storage (non-null for valid tensors, even when empty).
  void *data() { return storage_.get(); }
  const void *data() const { return storage_.get(); }
  template <typename T> T *dataAs() { return static_cast<T *>(data()); }
  template <typename T> const T *dataAs() const {
    return static_cast<const T *>(data());
  }

  /// "tensor<2x3xf32>".
  std::string typeString() const;

private:
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  ElementType type_ = ElementType::f32;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 0;
  std::unique_ptr<void, Free> storage_;
};

/// Reads a .npy file. On failure returns false and sets *error to one line
/// "<path>: <problem>".
bool readNpy(const std::string &path, Tensor *out, std::string *error);

/// Parses an in-memory .npy image; `name` stands for the file in messages.
bool parseNpy(const std::string &name, const uint8_t *data, size_t size,
              Tensor *out, std::string *error);

/// Serializes `tensor` as .npy (version 1.0, or 2.0 when the header needs it).
/// Fails for bf16, which has no NumPy dtype.
bool serializeNpy(const Tensor &tensor, std::vector<uint8_t> *out,
                  std::string *error);

/// Writes `tensor` to `path` atomically (temporary file, fsync, rename); on
/// failure nothing is left behind and *error is one line naming `path`.
bool writeNpy(const std::string &path, const Tensor &tensor,
              std::string *error);

} // namespace diffc

#endif // DIFFC_TENSOR_H
