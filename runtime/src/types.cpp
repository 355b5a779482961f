//===- types.cpp - Element types and value kinds of the runtime -----------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "diffc/types.h"

#include "diffc/artifact_generated.h"

namespace diffc {

// The runtime enums are casts of the schema enums; keep them in lockstep.
namespace fb = diffc::artifact;
#define DIFFC_SAME_ENUM(Runtime, Schema, name)                                 \
  static_assert(static_cast<int>(Runtime::name) ==                             \
                    static_cast<int>(fb::Schema::name),                        \
                #Runtime "::" #name " differs from the schema")
DIFFC_SAME_ENUM(ElementType, ElementType, f32);
DIFFC_SAME_ENUM(ElementType, ElementType, f64);
DIFFC_SAME_ENUM(ElementType, ElementType, f16);
DIFFC_SAME_ENUM(ElementType, ElementType, bf16);
DIFFC_SAME_ENUM(ElementType, ElementType, i32);
DIFFC_SAME_ENUM(ElementType, ElementType, i64);
DIFFC_SAME_ENUM(ElementType, ElementType, i1);
static_assert(static_cast<int>(fb::ElementType::MAX) == 6,
              "a schema element type is missing from diffc::ElementType");
DIFFC_SAME_ENUM(ValueKind, ValueKind, tensor);
DIFFC_SAME_ENUM(ValueKind, ValueKind, i64);
DIFFC_SAME_ENUM(ValueKind, ValueKind, f32);
DIFFC_SAME_ENUM(ValueKind, ValueKind, index);
static_assert(static_cast<int>(fb::ValueKind::MAX) == 3,
              "a schema value kind is missing from diffc::ValueKind");
DIFFC_SAME_ENUM(CodeFormat, CodeFormat, elf_shared_object);
DIFFC_SAME_ENUM(CodeFormat, CodeFormat, cubin);
DIFFC_SAME_ENUM(CodeFormat, CodeFormat, ptx);
DIFFC_SAME_ENUM(CodeFormat, CodeFormat, cuda_host_shared_object);
#undef DIFFC_SAME_ENUM

bool isValidElementType(ElementType type) {
  return static_cast<int>(type) >= 0 && static_cast<int>(type) <= 6;
}

bool isValidValueKind(ValueKind kind) {
  return static_cast<int>(kind) >= 0 && static_cast<int>(kind) <= 3;
}

size_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::f64:
  case ElementType::i64:
    return 8;
  case ElementType::f32:
  case ElementType::i32:
    return 4;
  case ElementType::f16:
  case ElementType::bf16:
    return 2;
  case ElementType::i1:
    return 1;
  }
  return 0;
}

std::string elementTypeName(ElementType type) {
  if (!isValidElementType(type))
    return "<invalid " + std::to_string(static_cast<int>(type)) + ">";
  return fb::EnumNameElementType(static_cast<fb::ElementType>(type));
}

std::optional<ElementType> parseElementType(std::string_view name) {
  for (fb::ElementType t : fb::EnumValuesElementType())
    if (name == fb::EnumNameElementType(t))
      return static_cast<ElementType>(t);
  return std::nullopt;
}

std::string valueKindName(ValueKind kind) {
  if (!isValidValueKind(kind))
    return "<invalid " + std::to_string(static_cast<int>(kind)) + ">";
  return fb::EnumNameValueKind(static_cast<fb::ValueKind>(kind));
}

std::string codeFormatName(CodeFormat format) {
  int value = static_cast<int>(format);
  if (value < 0 || value > static_cast<int>(fb::CodeFormat::MAX))
    return "unknown(" + std::to_string(value) + ")";
  return fb::EnumNameCodeFormat(static_cast<fb::CodeFormat>(format));
}

std::string escapeForMessage(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + static_cast<char>(c);
    else if (c < 0x20 || c == 0x7f) {
      const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += 'x';
    out += shape[i] == kDynamicExtent ? "?" : std::to_string(shape[i]);
  }
  return out;
}

std::string tensorTypeString(ElementType type,
                             const std::vector<int64_t> &shape) {
  std::string dims = shapeString(shape);
  return "tensor<" + dims + (dims.empty() ? "" : "x") + elementTypeName(type) +
         ">";
}

std::optional<int64_t> numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t extent : shape) {
    if (extent < 0 || __builtin_mul_overflow(n, extent, &n))
      return std::nullopt;
  }
  return n;
}

std::optional<uint64_t> byteSize(ElementType type,
                                 const std::vector<int64_t> &shape) {
  std::optional<int64_t> n = numElements(shape);
  size_t size = elementSize(type);
  uint64_t bytes = 0;
  if (!n || size == 0 ||
      __builtin_mul_overflow(static_cast<uint64_t>(*n), size, &bytes))
    return std::nullopt;
  return bytes;
}

} // namespace diffc
