//===- safetensors.cpp - Reading and writing safetensors files ------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The header is untrusted input of up to 100 MB. The JSON parser below is a
// recursive-descent parser for the subset headers use (objects, arrays,
// strings, integers) with a depth limit, so a header of a million '[' cannot
// exhaust the stack; every number is range-checked and every string checked
// for valid UTF-8. Semantic checks follow the reference implementation's
// (validate() in safetensors/src/tensor.rs): known dtypes, sizes that match
// shapes, and data offsets that tile the data section exactly.
//
//===----------------------------------------------------------------------===//

#include "diffc/safetensors.h"

#include "atomic_file.h"
#include "file_bytes.h"
#include "json.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <unistd.h>

namespace diffc {

using detail::appendUtf8;
using detail::fail;
using detail::isValidUtf8;

namespace {

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

struct DtypeInfo {
  const char *name;
  /// Bits per element: sub-byte dtypes exist (F4, F6_*).
  unsigned bits;
  std::optional<ElementType> elementType;
};

/// Every dtype of the published format; those diffc computes with map to an
/// ElementType, the others are read (and can be listed) but not bound.
const DtypeInfo kDtypes[] = {
    {"F32", 32, ElementType::f32}, {"F64", 64, ElementType::f64},
    {"F16", 16, ElementType::f16}, {"BF16", 16, ElementType::bf16},
    {"I32", 32, ElementType::i32}, {"I64", 64, ElementType::i64},
    {"BOOL", 8, ElementType::i1},  {"U8", 8, std::nullopt},
    {"I8", 8, std::nullopt},       {"I16", 16, std::nullopt},
    {"U16", 16, std::nullopt},     {"U32", 32, std::nullopt},
    {"U64", 64, std::nullopt},     {"F8_E5M2", 8, std::nullopt},
    {"F8_E4M3", 8, std::nullopt},  {"F8_E8M0", 8, std::nullopt},
    {"C64", 64, std::nullopt},     {"F4", 4, std::nullopt},
    {"F6_E2M3", 6, std::nullopt},  {"F6_E3M2", 6, std::nullopt},
};

const DtypeInfo *findDtype(std::string_view name) {
  for (const DtypeInfo &info : kDtypes)
    if (name == info.name)
      return &info;
  return nullptr;
}

std::string shapeList(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string quoted(std::string_view name) {
  return "\"" + escapeForMessage(name) + "\"";
}

/// Index of the first BOOL byte that is neither 0 nor 1, or -1.
int64_t firstBadBool(const uint8_t *data, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i)
    if (data[i] > 1)
      return static_cast<int64_t>(i);
  return -1;
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

/// A parsed JSON value of the subset headers use.
struct Json {
  enum Kind { Object, Array, String, Integer } kind = Object;
  /// String: the decoded text.
  std::string text;
  /// Integer: the value.
  int64_t integer = 0;
  /// Array: the items. Object: the values, in file order, keyed by `keys`.
  std::vector<Json> items;
  std::vector<std::string> keys;

  /// The member called `key` of an object, or null.
  const Json *member(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key)
        return &items[i];
    return nullptr;
  }
};

const char *kindName(Json::Kind kind) {
  switch (kind) {
  case Json::Object:
    return "an object";
  case Json::Array:
    return "an array";
  case Json::String:
    return "a string";
  case Json::Integer:
    return "an integer";
  }
  return "a value";
}

/// Strict recursive-descent parser; on failure `error()` says what and where
/// (a byte offset into the header).
class JsonParser {
public:
  explicit JsonParser(std::string_view text) : s_(text) {}

  /// Parses the whole text as one value followed only by whitespace.
  bool parseDocument(Json *out) {
    skipSpace();
    if (!parseValue(out, 0))
      return false;
    skipSpace();
    if (pos_ != s_.size())
      return failAt("unexpected text after the header object");
    return true;
  }

  const std::string &error() const { return error_; }

private:
  /// Headers nest three deep; anything much deeper is hostile.
  static constexpr int kMaxDepth = 16;

  bool failAt(const std::string &what) {
    error_ =
        "invalid header JSON at byte " + std::to_string(pos_) + ": " + what;
    return false;
  }

  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                                s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool parseValue(Json *out, int depth) {
    if (depth > kMaxDepth)
      return failAt("nested deeper than " + std::to_string(kMaxDepth) +
                    " levels");
    if (pos_ >= s_.size())
      return failAt("unexpected end of the header");
    const char c = s_[pos_];
    if (c == '{')
      return parseObject(out, depth);
    if (c == '[')
      return parseArray(out, depth);
    if (c == '"') {
      out->kind = Json::String;
      return parseString(&out->text);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseInteger(out);
    return failAt("expected an object, an array, a string or an integer");
  }

  bool parseObject(Json *out, int depth) {
    out->kind = Json::Object;
    ++pos_; // '{'
    skipSpace();
    if (consume('}'))
      return true;
    // Owning copies: views into out->keys would dangle when it grows.
    std::set<std::string> seen;
    for (;;) {
      skipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"')
        return failAt("expected a string key");
      const size_t keyAt = pos_;
      std::string key;
      if (!parseString(&key))
        return false;
      if (!seen.insert(key).second) {
        pos_ = keyAt;
        return failAt("duplicate key " + quoted(key));
      }
      out->keys.push_back(std::move(key));
      skipSpace();
      if (!consume(':'))
        return failAt("expected ':'");
      skipSpace();
      out->items.emplace_back();
      if (!parseValue(&out->items.back(), depth + 1))
        return false;
      skipSpace();
      if (consume('}'))
        return true;
      if (!consume(','))
        return failAt("expected ',' or '}'");
    }
  }

  bool parseArray(Json *out, int depth) {
    out->kind = Json::Array;
    ++pos_; // '['
    skipSpace();
    if (consume(']'))
      return true;
    for (;;) {
      skipSpace();
      out->items.emplace_back();
      if (!parseValue(&out->items.back(), depth + 1))
        return false;
      skipSpace();
      if (consume(']'))
        return true;
      if (!consume(','))
        return failAt("expected ',' or ']'");
    }
  }

  bool parseHex4(uint32_t *out) {
    if (s_.size() - pos_ < 4)
      return failAt("truncated \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_ + i];
      uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return failAt("invalid \\u escape");
      value = value * 16 + digit;
    }
    pos_ += 4;
    *out = value;
    return true;
  }

  bool parseString(std::string *out) {
    const size_t start = pos_;
    ++pos_; // '"'
    for (;;) {
      if (pos_ >= s_.size()) {
        pos_ = start;
        return failAt("unterminated string");
      }
      const unsigned char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c < 0x20)
        return failAt("control character in a string (escape it)");
      if (c != '\\') {
        *out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size())
        return failAt("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        *out += e;
        break;
      case 'b':
        *out += '\b';
        break;
      case 'f':
        *out += '\f';
        break;
      case 'n':
        *out += '\n';
        break;
      case 'r':
        *out += '\r';
        break;
      case 't':
        *out += '\t';
        break;
      case 'u': {
        uint32_t code = 0;
        if (!parseHex4(&code))
          return false;
        if (code >= 0xDC00 && code <= 0xDFFF)
          return failAt("unpaired surrogate in a \\u escape");
        if (code >= 0xD800 && code <= 0xDBFF) {
          uint32_t low = 0;
          if (!consume('\\') || !consume('u') || !parseHex4(&low) ||
              low < 0xDC00 || low > 0xDFFF)
            return failAt("unpaired surrogate in a \\u escape");
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(*out, code);
        break;
      }
      default:
        --pos_;
        return failAt(std::string("invalid escape '\\") +
                      escapeForMessage(std::string_view(&e, 1)) + "'");
      }
    }
    // Escapes always decode to valid UTF-8, so this checks the raw bytes.
    if (!isValidUtf8(*out)) {
      pos_ = start;
      return failAt("a string is not valid UTF-8");
    }
    return true;
  }

  bool parseInteger(Json *out) {
    out->kind = Json::Integer;
    const bool negative = consume('-');
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9')
      return failAt("expected a digit");
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' &&
        s_[pos_ + 1] <= '9')
      return failAt("leading zeros are not allowed in JSON numbers");
    // Accumulate negatively so that INT64_MIN is representable.
    int64_t value = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const int digit = s_[pos_] - '0';
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_sub_overflow(value, digit, &value))
        return failAt("integer out of range");
      ++pos_;
    }
    if (pos_ < s_.size() &&
        (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      return failAt("expected an integer (fractions and exponents do not "
                    "occur in safetensors headers)");
    if (!negative && __builtin_mul_overflow(value, -1, &value))
      return failAt("integer out of range");
    out->integer = value;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

//===----------------------------------------------------------------------===//
// Header semantics
//===----------------------------------------------------------------------===//

/// Reads a JSON array of non-negative integers.
bool readExtents(const Json &value, const std::string &where,
                 std::vector<int64_t> *out, std::string *error) {
  if (value.kind != Json::Array)
    return fail(error, where + " is " + kindName(value.kind) +
                           ", not an array of integers");
  out->clear();
  for (const Json &item : value.items) {
    if (item.kind != Json::Integer || item.integer < 0)
      return fail(error, where + " holds " +
                             (item.kind == Json::Integer
                                  ? "the negative integer " +
                                        std::to_string(item.integer)
                                  : std::string(kindName(item.kind))) +
                             "; it must hold non-negative integers");
    out->push_back(item.integer);
  }
  return true;
}

/// Decodes one tensor entry of the header, checking everything that does not
/// depend on the other tensors.
bool readTensor(const std::string &name, const Json &entry, uint64_t dataSize,
                SafetensorsTensor *out, std::string *error) {
  const std::string where = "tensor " + quoted(name);
  if (entry.kind != Json::Object)
    return fail(error,
                where + " is " + kindName(entry.kind) + ", not an object");
  for (const std::string &key : entry.keys)
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      return fail(error, where + ": unknown field " + quoted(key) +
                             " (expected dtype, shape, data_offsets)");
  const Json *dtype = entry.member("dtype");
  const Json *shape = entry.member("shape");
  const Json *offsets = entry.member("data_offsets");
  if (!dtype || !shape || !offsets)
    return fail(error, where + ": missing field \"" +
                           (!dtype   ? "dtype"
                            : !shape ? "shape"
                                     : "data_offsets") +
                           "\"");
  if (dtype->kind != Json::String)
    return fail(error, where + ": dtype is " + kindName(dtype->kind) +
                           ", not a string");
  const DtypeInfo *info = findDtype(dtype->text);
  if (!info)
    return fail(error, where + ": unknown dtype " + quoted(dtype->text));
  out->dtype = info->name;
  out->elementType = info->elementType;
  if (!readExtents(*shape, where + ": shape", &out->shape, error))
    return false;
  std::vector<int64_t> range;
  if (!readExtents(*offsets, where + ": data_offsets", &range, error))
    return false;
  if (range.size() != 2)
    return fail(error, where + ": data_offsets has " +
                           std::to_string(range.size()) +
                           " integers; it must have 2, [begin, end]");

  const std::string shapeText =
      "shape " + shapeList(out->shape) + " of " + out->dtype;
  std::optional<int64_t> count = numElements(out->shape);
  uint64_t bits = 0;
  if (!count || __builtin_mul_overflow(static_cast<uint64_t>(*count),
                                       uint64_t(info->bits), &bits))
    return fail(error, where + ": " + shapeText + " has too many elements");
  if (bits % 8 != 0)
    return fail(error, where + ": " + shapeText + " is " +
                           std::to_string(bits) +
                           " bits, not a whole number of bytes");
  const uint64_t begin = range[0], end = range[1];
  const std::string rangeText = "data_offsets [" + std::to_string(begin) +
                                ", " + std::to_string(end) + "]";
  if (end < begin)
    return fail(error, where + ": " + rangeText + " end before they begin");
  if (end > dataSize)
    return fail(error,
                where + ": " + rangeText + " reach past the data, which has " +
                    std::to_string(dataSize) + " bytes (truncated file?)");
  if (end - begin != bits / 8)
    return fail(error, where + ": " + rangeText + " hold " +
                           std::to_string(end - begin) + " bytes, but " +
                           shapeText + " needs " + std::to_string(bits / 8));
  out->offset = begin;
  out->size = end - begin;
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// The bytes of the file (file_bytes.h).
struct SafetensorsFile::Storage : detail::FileBytes {};

SafetensorsFile::~SafetensorsFile() = default;

std::unique_ptr<SafetensorsFile> SafetensorsFile::load(const std::string &path,
                                                       std::string *error) {
  auto storage = std::make_unique<Storage>();
  if (!storage->map(path, 8, "a safetensors file", error))
    return nullptr;
  return verify(path, std::move(storage), error);
}

std::unique_ptr<SafetensorsFile>
SafetensorsFile::loadFromMemory(const std::string &name, const void *data,
                                size_t size, std::string *error) {
  auto storage = std::make_unique<Storage>();
  if (!storage->copy(name, data, size, error))
    return nullptr;
  return verify(name, std::move(storage), error);
}

std::unique_ptr<SafetensorsFile>
SafetensorsFile::verify(const std::string &name,
                        std::unique_ptr<Storage> storage, std::string *error) {
  auto failed = [&](const std::string &message) {
    fail(error, name + ": " + message);
    return nullptr;
  };
  const uint8_t *bytes = storage->data;
  const uint64_t fileSize = storage->size;
  if (fileSize < 8)
    return failed("truncated: the file has " + std::to_string(fileSize) +
                  " bytes, a safetensors file has at least 8");
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | bytes[i];
  if (headerSize > fileSize - 8)
    return failed("truncated: the header length is " +
                  std::to_string(headerSize) + " bytes, but only " +
                  std::to_string(fileSize - 8) +
                  " follow the length prefix (not a safetensors file?)");
  if (headerSize > kSafetensorsMaxHeaderSize)
    return failed("the header length " + std::to_string(headerSize) +
                  " exceeds the limit of " +
                  std::to_string(kSafetensorsMaxHeaderSize) + " bytes");
  const std::string_view header(reinterpret_cast<const char *>(bytes + 8),
                                headerSize);
  if (header.empty() || header[0] != '{')
    return failed("the header does not start with '{' (not a safetensors "
                  "file?)");
  Json root;
  JsonParser parser(header);
  if (!parser.parseDocument(&root))
    return failed(parser.error());

  std::unique_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->name_ = name;
  file->fileSize_ = fileSize;
  const uint64_t dataStart = 8 + headerSize;
  const uint64_t dataSize = fileSize - dataStart;
  std::string why;
  for (size_t i = 0; i < root.keys.size(); ++i) {
    const std::string &key = root.keys[i];
    const Json &value = root.items[i];
    if (key == "__metadata__") {
      if (value.kind != Json::Object)
        return failed("__metadata__ is " + std::string(kindName(value.kind)) +
                      ", not an object of strings");
      for (size_t k = 0; k < value.keys.size(); ++k) {
        if (value.items[k].kind != Json::String)
          return failed("__metadata__: " + quoted(value.keys[k]) + " is " +
                        kindName(value.items[k].kind) + ", not a string");
        file->metadata_.emplace(value.keys[k], value.items[k].text);
      }
      continue;
    }
    SafetensorsTensor tensor;
    if (!readTensor(key, value, dataSize, &tensor, &why))
      return failed(why);
    tensor.data = bytes + dataStart + tensor.offset;
    file->tensors_.emplace(key, std::move(tensor));
  }

  // The tensors must tile the data: no overlap (two names for one byte), no
  // holes and nothing after the last tensor (room for hidden content; the
  // reference refuses such "polyglot" files too).
  std::vector<std::pair<const std::string *, const SafetensorsTensor *>>
      byOffset;
  for (const auto &entry : file->tensors_)
    byOffset.emplace_back(&entry.first, &entry.second);
  std::sort(byOffset.begin(), byOffset.end(), [](const auto &a, const auto &b) {
    return std::make_pair(a.second->offset, a.second->size) <
           std::make_pair(b.second->offset, b.second->size);
  });
  uint64_t covered = 0;
  const std::string *previous = nullptr;
  for (const auto &[tensorName, tensor] : byOffset) {
    if (tensor->offset < covered)
      return failed("tensors " + quoted(*previous) + " and " +
                    quoted(*tensorName) + " overlap in the data (at byte " +
                    std::to_string(tensor->offset) + ")");
    if (tensor->offset > covered)
      return failed("bytes [" + std::to_string(covered) + ", " +
                    std::to_string(tensor->offset) +
                    ") of the data belong to no tensor (before tensor " +
                    quoted(*tensorName) + "); holes are not allowed");
    covered = tensor->offset + tensor->size;
    previous = tensorName;
  }
  if (covered != dataSize)
    return failed("bytes [" + std::to_string(covered) + ", " +
                  std::to_string(dataSize) +
                  ") of the data belong to no tensor (trailing data)");

  file->storage_ = std::move(storage);
  return file;
}

const SafetensorsTensor *SafetensorsFile::find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

bool SafetensorsFile::copyTensor(std::string_view tensorName, Tensor *out,
                                 std::string *error) const {
  const std::string where = name_ + ": tensor " + quoted(tensorName);
  const SafetensorsTensor *tensor = find(tensorName);
  if (!tensor)
    return fail(error, name_ + ": no tensor " + quoted(tensorName));
  if (!tensor->elementType)
    return fail(error, where + " has dtype " + tensor->dtype +
                           ", which diffc has no element type for");
  if (*tensor->elementType == ElementType::i1) {
    int64_t bad = firstBadBool(tensor->data, tensor->size);
    if (bad >= 0)
      return fail(error, where + ": BOOL element " + std::to_string(bad) +
                             " is " + std::to_string(tensor->data[bad]) +
                             ", not 0 or 1");
  }
  Tensor result;
  std::string why;
  if (!Tensor::allocate(*tensor->elementType, tensor->shape, &result, &why))
    return fail(error, where + ": " + why);
  if (tensor->size)
    std::memcpy(result.data(), tensor->data, tensor->size);
  *out = std::move(result);
  return true;
}

std::string SafetensorsTensor::typeString() const {
  if (elementType)
    return tensorTypeString(*elementType, shape);
  std::string lower = dtype;
  for (char &c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  std::string dims = shapeString(shape);
  return "tensor<" + dims + (dims.empty() ? "" : "x") + lower + ">";
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

std::string safetensorsDtype(ElementType type) {
  for (const DtypeInfo &info : kDtypes)
    if (info.elementType == type)
      return info.name;
  return "";
}

namespace {

/// `s` as a JSON string literal; `s` is valid UTF-8 (checked by the caller).
std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      const char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// The header and the order of the tensors in the data section.
bool buildHeader(const std::vector<NamedTensor> &tensors,
                 const std::map<std::string, std::string> &metadata,
                 std::string *header, std::vector<size_t> *order,
                 std::string *error) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const NamedTensor &t = tensors[i];
    const std::string where =
        "tensor " + std::to_string(i) + " (" + quoted(t.name) + ")";
    if (t.name.empty())
      return fail(error, where + " has an empty name");
    if (t.name == "__metadata__")
      return fail(error, where + ": the name is reserved for metadata");
    if (!isValidUtf8(t.name))
      return fail(error, where + ": the name is not valid UTF-8");
    if (!names.insert(t.name).second)
      return fail(error, where + ": the name is used twice");
    if (!t.tensor || !t.tensor->isValid() ||
        safetensorsDtype(t.tensor->elementType()).empty())
      return fail(error, where + " has no storage or an invalid type");
    if (t.tensor->elementType() == ElementType::i1) {
      int64_t bad = firstBadBool(static_cast<const uint8_t *>(t.tensor->data()),
                                 t.tensor->byteSize());
      if (bad >= 0)
        return fail(error, where + ": i1 element " + std::to_string(bad) +
                               " is neither 0 nor 1");
    }
  }
  for (const auto &[key, value] : metadata)
    if (!isValidUtf8(key) || !isValidUtf8(value))
      return fail(error, "metadata " + quoted(key) + " is not valid UTF-8");

  // Largest elements first, then by name: each tensor starts at a multiple
  // of its element size, and the file does not depend on the caller's order.
  order->resize(tensors.size());
  for (size_t i = 0; i < order->size(); ++i)
    (*order)[i] = i;
  std::sort(order->begin(), order->end(), [&](size_t a, size_t b) {
    const size_t ea = elementSize(tensors[a].tensor->elementType());
    const size_t eb = elementSize(tensors[b].tensor->elementType());
    if (ea != eb)
      return ea > eb;
    return tensors[a].name < tensors[b].name;
  });

  std::string h = "{";
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    bool first = true;
    for (const auto &[key, value] : metadata) {
      h += (first ? "" : ",") + jsonString(key) + ":" + jsonString(value);
      first = false;
    }
    h += "}";
  }
  uint64_t offset = 0;
  for (size_t index : *order) {
    const Tensor &t = *tensors[index].tensor;
    if (h.size() > 1)
      h += ",";
    h += jsonString(tensors[index].name) + ":{\"dtype\":\"" +
         safetensorsDtype(t.elementType()) + "\",\"shape\":[";
    for (size_t d = 0; d < t.shape().size(); ++d)
      h += (d ? "," : "") + std::to_string(t.shape()[d]);
    h += "],\"data_offsets\":[" + std::to_string(offset) + "," +
         std::to_string(offset + t.byteSize()) + "]}";
    offset += t.byteSize();
  }
  h += "}";
  // Pad so the data section starts 8-byte aligned, as the reference does.
  h.append(alignUp(h.size(), 8) - h.size(), ' ');
  if (h.size() > kSafetensorsMaxHeaderSize)
    return fail(error, "the header would have " + std::to_string(h.size()) +
                           " bytes, more than the limit of " +
                           std::to_string(kSafetensorsMaxHeaderSize));
  *header = std::move(h);
  return true;
}

} // namespace

bool serializeSafetensors(const std::vector<NamedTensor> &tensors,
                          const std::map<std::string, std::string> &metadata,
                          std::vector<uint8_t> *out, std::string *error) {
  std::string header;
  std::vector<size_t> order;
  if (!buildHeader(tensors, metadata, &header, &order, error))
    return false;
  out->clear();
  for (int i = 0; i < 8; ++i)
    out->push_back(static_cast<uint8_t>(uint64_t(header.size()) >> (8 * i)));
  out->insert(out->end(), header.begin(), header.end());
  for (size_t index : order) {
    const Tensor &t = *tensors[index].tensor;
    const uint8_t *p = static_cast<const uint8_t *>(t.data());
    out->insert(out->end(), p, p + t.byteSize());
  }
  return true;
}

bool writeSafetensors(const std::string &path,
                      const std::vector<NamedTensor> &tensors,
                      const std::map<std::string, std::string> &metadata,
                      std::string *error) {
  std::string header, why;
  std::vector<size_t> order;
  if (!buildHeader(tensors, metadata, &header, &order, &why))
    return fail(error, path + ": cannot write the safetensors file: " + why);
  uint8_t prefix[8];
  for (int i = 0; i < 8; ++i)
    prefix[i] = static_cast<uint8_t>(uint64_t(header.size()) >> (8 * i));
  std::vector<detail::ByteRange> pieces = {{prefix, 8},
                                           {header.data(), header.size()}};
  for (size_t index : order)
    pieces.emplace_back(tensors[index].tensor->data(),
                        tensors[index].tensor->byteSize());
  return detail::writeFileAtomically(path, pieces, error);
}

} // namespace diffc
