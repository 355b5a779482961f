//===- types.h - Element types and value kinds of the runtime ----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The small vocabulary shared by tensors, artifact signatures and calls. The
// enumerator values equal those of the artifact schema's enums
// (runtime/schemas/artifact.fbs), so conversions are casts; types.cpp checks
// that with static_asserts against the generated header. Runtime users see
// these enums, never the generated FlatBuffers types.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TYPES_H
#define DIFFC_TYPES_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

/// Element type of a tensor; values match diffc.artifact.ElementType.
enum class ElementType : int8_t {
  f32 = 0,
  f64 = 1,
  f16 = 2,
  bf16 = 3,
  i32 = 4,
  i64 = 5,
  /// A boolean, stored as one byte holding 0 or 1 (MLIR's i1 in memory).
  i1 = 6,
};

/// What one argument or result of an entry point is; values match
/// diffc.artifact.ValueKind.
enum class ValueKind : int8_t {
  /// A strided tensor, passed as a memref descriptor.
  tensor = 0,
  /// A 64-bit signed integer scalar.
  i64 = 1,
  /// A float scalar.
  f32 = 2,
  /// A 64-bit index scalar.
  index = 3,
};

/// Format of a native code object; values match diffc.artifact.CodeFormat.
enum class CodeFormat : int8_t {
  /// An x86-64 Linux shared object, loaded with dlopen.
  elf_shared_object = 0,
  cubin = 1,
  ptx = 2,
  /// The x86-64 host code of a GPU artifact: entry points whose kernels run
  /// on the GPU through the runtime's diffc_gpu_* functions.
  cuda_host_shared_object = 3,
};

/// Extent of a dynamic dimension in signatures ("?" in printed types).
constexpr int64_t kDynamicExtent = -1;

/// True if `type` is one of the enumerators above (artifacts and C callers can
/// carry any byte).
bool isValidElementType(ElementType type);
/// True if `kind` is one of the enumerators above.
bool isValidValueKind(ValueKind kind);

/// Size in bytes of one element; 0 for an invalid type.
size_t elementSize(ElementType type);

/// The schema's spelling, e.g. "f32", "i1"; "<invalid N>" for bad values.
std::string elementTypeName(ElementType type);
/// Inverse of elementTypeName() for valid names.
std::optional<ElementType> parseElementType(std::string_view name);

/// The schema's spelling: "tensor", "i64", "f32", "index".
std::string valueKindName(ValueKind kind);

/// The schema's spelling: "elf_shared_object", "cubin", "ptx"; "unknown(N)"
/// for formats this runtime does not know.
std::string codeFormatName(CodeFormat format);

/// MLIR-style spelling of a shape: "2x?x3" (empty for rank 0).
std::string shapeString(const std::vector<int64_t> &shape);

/// MLIR-style tensor type: "tensor<2x?xf32>", "tensor<i64>" at rank 0.
std::string tensorTypeString(ElementType type,
                             const std::vector<int64_t> &shape);

/// Number of elements of a static shape, or nullopt if an extent is negative
/// or the product overflows int64.
std::optional<int64_t> numElements(const std::vector<int64_t> &shape);

/// Byte size of a static tensor of `type`, or nullopt on a negative extent,
/// an invalid type or overflow.
std::optional<uint64_t> byteSize(ElementType type,
                                 const std::vector<int64_t> &shape);

/// `text` made safe for a one-line message: control characters, quotes and
/// backslashes are escaped (\n, \", \x01), other bytes kept. Names in
/// messages come from files, which may be damaged.
std::string escapeForMessage(std::string_view text);

/// Rounds `value` up to a multiple of `alignment` (a power of two).
constexpr uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

} // namespace diffc

#endif // DIFFC_TYPES_H
