//===- npy.cpp - NumPy .npy reading and writing ---------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The .npy header is a Python dict literal. NumPy evaluates it with
// ast.literal_eval; here a tiny parser accepts exactly the literal forms that
// occur in it (quoted strings, True/False, tuples of non-negative integers)
// and the three keys NumPy writes, so a malformed header is reported rather
// than guessed at.
//
//===----------------------------------------------------------------------===//

#include "diffc/tensor.h"

#include "atomic_file.h"

#include <cstring>
#include <map>

namespace diffc {

using detail::fail;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct DtypeName {
  const char *descr;
  ElementType type;
};
// bf16 has no NumPy dtype. Only little-endian and byte-sized descriptors:
// diffc runs on little-endian machines and does not byte-swap.
constexpr DtypeName kDtypes[] = {
    {"<f4", ElementType::f32}, {"<f8", ElementType::f64},
    {"<f2", ElementType::f16}, {"<i4", ElementType::i32},
    {"<i8", ElementType::i64}, {"|b1", ElementType::i1},
};

/// One value of the header dict.
struct HeaderValue {
  enum Kind { String, Bool, Tuple } kind = String;
  std::string text;
  bool boolean = false;
  std::vector<int64_t> tuple;
};

/// Recursive-descent parser for the header dict; sets `error` to a short
/// description of the first problem.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : s_(text) {}

  bool parse(std::map<std::string, HeaderValue> *dict) {
    skipSpace();
    if (!consume('{'))
      return expected("'{'");
    skipSpace();
    while (!peek('}')) {
      std::string key;
      HeaderValue value;
      if (!parseString(&key))
        return false;
      skipSpace();
      if (!consume(':'))
        return expected("':'");
      skipSpace();
      if (!parseValue(&value))
        return false;
      if (!dict->emplace(key, std::move(value)).second)
        return failAt("duplicate key '" + escapeForMessage(key) + "'");
      skipSpace();
      if (!consume(','))
        break;
      skipSpace();
    }
    if (!consume('}'))
      return expected("',' or '}'");
    skipSpace();
    if (pos_ != s_.size())
      return failAt("unexpected text after the dict");
    return true;
  }

  std::string error;

private:
  bool parseValue(HeaderValue *value) {
    if (peek('\'') || peek('"')) {
      value->kind = HeaderValue::String;
      return parseString(&value->text);
    }
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      value->kind = HeaderValue::Bool;
      value->boolean = true;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      value->kind = HeaderValue::Bool;
      return true;
    }
    if (consume('(')) {
      value->kind = HeaderValue::Tuple;
      skipSpace();
      while (!peek(')')) {
        int64_t n = 0;
        if (!parseInt(&n))
          return false;
        value->tuple.push_back(n);
        skipSpace();
        if (!consume(','))
          break;
        skipSpace();
      }
      if (!consume(')'))
        return expected("',' or ')' in the shape");
      return true;
    }
    if (peek('['))
      return failAt("a list (structured dtype?) is not supported");
    return expected("a string, True, False or a tuple");
  }

  bool parseString(std::string *out) {
    char quote = pos_ < s_.size() ? s_[pos_] : '\0';
    if (quote != '\'' && quote != '"')
      return expected("a quoted string");
    size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string::npos)
      return failAt("unterminated string");
    *out = s_.substr(pos_ + 1, end - pos_ - 1);
    if (out->find('\\') != std::string::npos)
      return failAt("escape sequences in strings are not supported");
    pos_ = end + 1;
    return true;
  }

  bool parseInt(int64_t *out) {
    size_t start = pos_;
    int64_t value = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_add_overflow(value, s_[pos_] - '0', &value))
        return failAt("extent too large");
      ++pos_;
    }
    if (pos_ == start)
      return expected("a non-negative integer extent");
    *out = value;
    return true;
  }

  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                                s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++pos_;
    return true;
  }
  bool expected(const std::string &what) {
    return failAt("expected " + what);
  }
  bool failAt(const std::string &what) {
    error = what + " at header character " + std::to_string(pos_);
    return false;
  }

  const std::string &s_;
  size_t pos_ = 0;
};

uint32_t readLE(const uint8_t *p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace

bool parseNpy(const std::string &name, const uint8_t *data, size_t size,
              Tensor *out, std::string *error) {
  auto failed = [&](const std::string &message) {
    return fail(error, name + ": " + message);
  };
  if (size < kMagicSize || std::memcmp(data, kMagic, kMagicSize) != 0)
    return failed("not a .npy file (bad magic; expected \\x93NUMPY)");
  if (size < kMagicSize + 2)
    return failed("truncated: the file ends inside the format version");
  const int major = data[6], minor = data[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return failed("unsupported .npy format version " + std::to_string(major) +
                  "." + std::to_string(minor) + " (1.0, 2.0, 3.0 are read)");
  // Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one; 3.0
  // only allows UTF-8 in the header, which changes nothing for the keys here.
  const int lengthBytes = major == 1 ? 2 : 4;
  const size_t preamble = kMagicSize + 2 + lengthBytes;
  if (size < preamble)
    return failed("truncated: the file ends inside the header length");
  const uint64_t headerLength = readLE(data + 8, lengthBytes);
  if (headerLength > size - preamble)
    return failed("truncated: the header has " + std::to_string(headerLength) +
                  " bytes, but only " + std::to_string(size - preamble) +
                  " follow");
  const std::string header(reinterpret_cast<const char *>(data + preamble),
                           headerLength);

  std::map<std::string, HeaderValue> dict;
  HeaderParser parser(header);
  if (!parser.parse(&dict))
    return failed("malformed header: " + parser.error);
  for (const auto &entry : dict)
    if (entry.first != "descr" && entry.first != "fortran_order" &&
        entry.first != "shape")
      return failed("malformed header: unexpected key '" +
                    escapeForMessage(entry.first) + "'");
  for (const char *key : {"descr", "fortran_order", "shape"})
    if (!dict.count(key))
      return failed(std::string("malformed header: missing key '") + key +
                    "'");
  const HeaderValue &descr = dict["descr"];
  const HeaderValue &fortran = dict["fortran_order"];
  const HeaderValue &shapeValue = dict["shape"];
  if (descr.kind != HeaderValue::String)
    return failed("malformed header: 'descr' is not a string");
  if (fortran.kind != HeaderValue::Bool)
    return failed("malformed header: 'fortran_order' is not True or False");
  if (shapeValue.kind != HeaderValue::Tuple)
    return failed("malformed header: 'shape' is not a tuple");

  const ElementType *type = nullptr;
  for (const DtypeName &d : kDtypes)
    if (descr.text == d.descr)
      type = &d.type;
  if (!type) {
    const std::string t = escapeForMessage(descr.text);
    if (!t.empty() && t[0] == '>')
      return failed("big-endian dtype '" + t +
                    "' is not supported; save it with arr.astype('<" +
                    t.substr(1) + "')");
    if (t.find('O') != std::string::npos)
      return failed("object dtype '" + t + "' is not supported");
    return failed("unsupported dtype '" + t +
                  "' (supported: <f4 <f8 <f2 <i4 <i8 |b1)");
  }
  if (fortran.boolean)
    return failed("fortran_order is True; only C-order arrays are supported "
                  "(save np.ascontiguousarray(arr))");

  std::optional<uint64_t> needed = byteSize(*type, shapeValue.tuple);
  if (!needed)
    return failed("shape (" + shapeString(shapeValue.tuple) +
                  ") has too many elements");
  const uint64_t available = size - preamble - headerLength;
  std::string shapeText = "shape [" + shapeString(shapeValue.tuple) + "] of " +
                          descr.text + " needs " + std::to_string(*needed) +
                          " bytes of data";
  if (available < *needed)
    return failed("truncated: " + shapeText + ", the file has " +
                  std::to_string(available));
  if (available > *needed)
    return failed("header/data mismatch: " + shapeText + ", the file has " +
                  std::to_string(available));

  Tensor tensor;
  std::string why;
  if (!Tensor::allocate(*type, shapeValue.tuple, &tensor, &why))
    return failed(why);
  const uint8_t *payload = data + preamble + headerLength;
  if (*type == ElementType::i1) {
    // A byte other than 0/1 would be undefined behaviour as a C++ or MLIR
    // i1; NumPy never writes one.
    for (uint64_t i = 0; i < *needed; ++i)
      if (payload[i] > 1)
        return failed("bool element " + std::to_string(i) + " is " +
                      std::to_string(payload[i]) + ", not 0 or 1");
  }
  if (*needed)
    std::memcpy(tensor.data(), payload, *needed);
  *out = std::move(tensor);
  return true;
}

bool readNpy(const std::string &path, Tensor *out, std::string *error) {
  std::vector<uint8_t> bytes;
  if (!detail::readWholeFile(path, &bytes, error))
    return false;
  return parseNpy(path, bytes.data(), bytes.size(), out, error);
}

namespace {

/// The preamble and padded header of `tensor`'s .npy file: everything before
/// the data.
bool npyHeader(const Tensor &tensor, std::vector<uint8_t> *out,
               std::string *error) {
  if (!tensor.isValid())
    return fail(error, "cannot write an unallocated tensor as .npy");
  const char *descr = nullptr;
  for (const DtypeName &d : kDtypes)
    if (d.type == tensor.elementType())
      descr = d.descr;
  if (!descr)
    return fail(error, elementTypeName(tensor.elementType()) +
                           " has no .npy dtype");

  // The same text NumPy writes, so files diff cleanly against NumPy's.
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    header += std::to_string(tensor.shape()[i]) + ", ";
  if (tensor.shape().size() > 1)
    header.resize(header.size() - 2);
  else if (tensor.shape().size() == 1)
    header.pop_back(); // "(3,)", a one-element tuple
  header += "), }";
  // Pad with spaces and a final newline so the data starts 64-aligned. The
  // 2-byte length of version 1.0 limits the header to 65535 bytes.
  size_t preamble = 10;
  if (alignUp(preamble + header.size() + 1, 64) - preamble > 0xffff)
    preamble = 12;
  const size_t total = alignUp(preamble + header.size() + 1, 64);
  header.append(total - preamble - header.size() - 1, ' ');
  header += '\n';

  out->assign(kMagic, kMagic + kMagicSize);
  out->push_back(preamble == 10 ? 1 : 2);
  out->push_back(0);
  const uint32_t length = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < preamble - 8; ++i)
    out->push_back(static_cast<uint8_t>(length >> (8 * i)));
  out->insert(out->end(), header.begin(), header.end());
  return true;
}

} // namespace

bool serializeNpy(const Tensor &tensor, std::vector<uint8_t> *out,
                  std::string *error) {
  if (!npyHeader(tensor, out, error))
    return false;
  const uint8_t *p = static_cast<const uint8_t *>(tensor.data());
  out->insert(out->end(), p, p + tensor.byteSize());
  return true;
}

bool writeNpy(const std::string &path, const Tensor &tensor,
              std::string *error) {
  std::vector<uint8_t> header;
  std::string why;
  if (!npyHeader(tensor, &header, &why))
    return fail(error, path + ": " + why);
  return detail::writeFileAtomically(
      path, {{header.data(), header.size()}, {tensor.data(), tensor.byteSize()}},
      error);
}

} // namespace diffc
