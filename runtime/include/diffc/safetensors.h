//===- safetensors.h - Reading and writing safetensors files ----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Weights and checkpoints are safetensors files with PyTorch state-dict names
// (DESIGN.md decision 8). The format, as published with the reference
// implementation (github.com/huggingface/safetensors):
//
//   [0, 8)          uint64 little-endian N, the size of the header
//   [8, 8 + N)      the header: UTF-8 JSON, an object that starts with '{'
//                   and may be padded at the end with spaces
//   [8 + N, EOF)    the data: every tensor's bytes, row-major, little-endian
//
//   {"__metadata__": {"format": "pt"},
//    "conv_in.weight": {"dtype": "F32", "shape": [64, 1, 3, 3],
//                       "data_offsets": [0, 2304]}, ...}
//
// data_offsets are [begin, end) relative to the start of the data. The reader
// is as strict as the reference: the header is at most 100,000,000 bytes;
// every dtype is known and every size equals product(shape) * itemsize;
// tensors neither overlap nor leave holes, and they cover the data exactly;
// JSON keys are unique; fields other than dtype, shape and data_offsets are
// refused. Failures are one line "<file>: <problem>", naming the tensor.
//
// The JSON is read by a small strict parser for exactly what headers hold
// (objects, arrays, strings with escapes, integers); no JSON library.
//
// Reading maps the file: tensor bytes are paged in on use, never copied, and
// stay valid as long as the SafetensorsFile. Writing is atomic (temporary
// file, fsync, rename).
//
// Usage:
//
//   std::string error;
//   auto file = diffc::SafetensorsFile::load("unet.safetensors", &error);
//   if (!file) { fprintf(stderr, "%s\n", error.c_str()); return 1; }
//   if (const diffc::SafetensorsTensor *w = file->find("conv_in.weight"))
//     use(w->data, w->size);
//
//   diffc::writeSafetensors("ckpt.safetensors", {{"w", &w}, {"b", &b}},
//                           {{"step", "1000"}}, &error);
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_SAFETENSORS_H
#define DIFFC_SAFETENSORS_H

#include "diffc/tensor.h"
#include "diffc/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {

/// Largest header the reader accepts, in bytes (the reference's limit).
constexpr uint64_t kSafetensorsMaxHeaderSize = 100000000;

/// One tensor of a loaded safetensors file.
struct SafetensorsTensor {
  /// The dtype as the file spells it: "F32", "BF16", "BOOL", "U8",
  /// "F8_E4M3", ... (every dtype of the published format is accepted).
  std::string dtype;
  /// diffc's element type for `dtype` (F32 F64 F16 BF16 I32 I64 BOOL), or
  /// nullopt for dtypes diffc has no type for (U8, I8, F8_E4M3, ...).
  std::optional<ElementType> elementType;
  /// Extents (all non-negative).
  std::vector<int64_t> shape;
  /// Where the bytes are, relative to the start of the data section.
  uint64_t offset = 0;
  /// product(shape) * itemsize.
  uint64_t size = 0;
  /// The bytes, inside the file's mapping. Only the start of the data
  /// section is 8-byte aligned by the format, so this pointer may not be
  /// aligned for the element type: copy out with memcpy.
  const uint8_t *data = nullptr;

  /// "tensor<2x3xf32>"; for dtypes without an element type the dtype in
  /// lower case, e.g. "tensor<4xu8>".
  std::string typeString() const;
};

/// A verified, read-only safetensors file.
class SafetensorsFile {
public:
  /// Tensors by name (sorted; heterogeneous lookup with string_view).
  using TensorMap = std::map<std::string, SafetensorsTensor, std::less<>>;

  /// Maps and verifies the file at `path`. Returns null and sets *error (if
  /// non-null) to one line "<path>: <problem>".
  static std::unique_ptr<SafetensorsFile> load(const std::string &path,
                                               std::string *error);

  /// Verifies a copy of an in-memory image; `name` stands for the file in
  /// messages.
  static std::unique_ptr<SafetensorsFile>
  loadFromMemory(const std::string &name, const void *data, size_t size,
                 std::string *error);

  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile &) = delete;
  SafetensorsFile &operator=(const SafetensorsFile &) = delete;

  /// The path (or name) the file was loaded from, as used in messages.
  const std::string &name() const { return name_; }
  /// Every tensor of the file.
  const TensorMap &tensors() const { return tensors_; }
  /// The tensor called `name`, or null.
  const SafetensorsTensor *find(std::string_view name) const;
  /// The "__metadata__" object (empty if absent).
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  /// Size of the whole file in bytes.
  uint64_t fileSize() const { return fileSize_; }

  /// Copies tensor `name` into a new Tensor. Fails (one line naming the file
  /// and the tensor) if there is no such tensor, its dtype has no diffc
  /// element type, or a BOOL byte is neither 0 nor 1.
  bool copyTensor(std::string_view name, Tensor *out, std::string *error) const;

private:
  struct Storage;
  SafetensorsFile() = default;
  static std::unique_ptr<SafetensorsFile>
  verify(const std::string &name, std::unique_ptr<Storage> storage,
         std::string *error);

  std::string name_;
  std::unique_ptr<Storage> storage_;
  uint64_t fileSize_ = 0;
  TensorMap tensors_;
  std::map<std::string, std::string> metadata_;
};

/// The safetensors dtype of an element type: "F32", "F64", "F16", "BF16",
/// "I32", "I64", "BOOL" (for i1); empty for an invalid type.
std::string safetensorsDtype(ElementType type);

/// A tensor to write, by reference (the writer does not copy tensors).
struct NamedTensor {
  std::string name;
  const Tensor *tensor = nullptr;
};

/// Serializes `tensors` and `metadata` as a safetensors image. Tensors are
/// laid out by element size (largest first), then by name, so each starts
/// naturally aligned; the header is padded with spaces to a multiple of 8.
/// Fails (one line, no file name) on an empty, duplicate or non-UTF-8 name,
/// the reserved name "__metadata__", an invalid tensor or a BOOL byte other
/// than 0 and 1: it never writes what the reader would refuse.
bool serializeSafetensors(const std::vector<NamedTensor> &tensors,
                          const std::map<std::string, std::string> &metadata,
                          std::vector<uint8_t> *out, std::string *error);

/// Writes `tensors` and `metadata` to `path` atomically (temporary file,
/// fsync, rename). On failure nothing is left behind, an existing file at
/// `path` is untouched, and *error is one line naming `path`.
bool writeSafetensors(const std::string &path,
                      const std::vector<NamedTensor> &tensors,
                      const std::map<std::string, std::string> &metadata,
                      std::string *error);

} // namespace diffc

#endif // DIFFC_SAFETENSORS_H
