//===- tensor.cpp - Host tensors ------------------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/tensor.h"

#include "atomic_file.h"

#include <cstdio>
#include <cstring>

namespace diffc {

using detail::fail;

bool Tensor::allocate(ElementType type, std::vector<int64_t> shape,
                      Tensor *out, std::string *error) {
  if (!isValidElementType(type))
    return fail(error, "invalid element type " +
                           std::to_string(static_cast<int>(type)));
  std::optional<int64_t> n = diffc::numElements(shape);
  std::optional<uint64_t> bytes = diffc::byteSize(type, shape);
  if (!n || !bytes || *bytes > (uint64_t(1) << 48))
    return fail(error, "invalid tensor shape " + shapeString(shape) +
                           " (negative extent or too many elements)");
  // aligned_alloc wants a multiple of the alignment; never 0, so data() is
  // non-null even for empty tensors.
  size_t allocSize = alignUp(*bytes ? *bytes : 1, kTensorAlignment);
  void *p = std::aligned_alloc(kTensorAlignment, allocSize);
  if (!p)
    return fail(error, "out of memory allocating " + std::to_string(*bytes) +
                           " bytes for tensor<" + shapeString(shape) + ">");
  std::memset(p, 0, allocSize);
  out->type_ = type;
  out->shape_ = std::move(shape);
  out->numElements_ = *n;
  out->storage_.reset(p);
  return true;
}

Tensor Tensor::zeros(ElementType type, std::vector<int64_t> shape) {
  Tensor t;
  std::string error;
  if (!allocate(type, std::move(shape), &t, &error)) {
    std::fprintf(stderr, "diffc::Tensor::zeros: %s\n", error.c_str());
    std::abort();
  }
  return t;
}

Tensor Tensor::fromBytes(ElementType type, std::vector<int64_t> shape,
                         const void *data, size_t size) {
  Tensor t = zeros(type, std::move(shape));
  if (size != t.byteSize()) {
    std::fprintf(stderr,
                 "diffc::Tensor::fromBytes: %zu bytes given, %s needs %zu\n",
                 size, t.typeString().c_str(), t.byteSize());
    std::abort();
  }
  if (size)
    std::memcpy(t.data(), data, size);
  return t;
}

Tensor::Tensor(const Tensor &other) { *this = other; }

Tensor &Tensor::operator=(const Tensor &other) {
  if (this == &other)
    return *this;
  if (!other.isValid()) {
    *this = Tensor();
    return *this;
  }
  Tensor copy = zeros(other.type_, other.shape_);
  std::memcpy(copy.data(), other.data(), other.byteSize());
  *this = std::move(copy);
  return *this;
}

std::string Tensor::typeString() const {
  return tensorTypeString(type_, shape_);
}

} // namespace diffc
