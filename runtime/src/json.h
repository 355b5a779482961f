//===- json.h - A small strict JSON parser ----------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Private to the runtime. RFC 8259 JSON for the small documents the runtime
// reads besides safetensors headers: diffusers' scheduler_config.json and the
// artifact's "scheduler_config" metadata (scheduler_config.cpp). It is
// strict where RFC 8259 lets parsers choose: duplicate keys, invalid UTF-8,
// numbers outside the range of a double and nesting deeper than a limit are
// errors, and nothing but whitespace may follow the value. Every error is
// one line naming the byte offset.
//
// safetensors.cpp keeps a parser of its own for the subset headers use
// (integers only, exact to 64 bits); both share the UTF-8 helpers below.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_RUNTIME_JSON_H
#define DIFFC_RUNTIME_JSON_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffc {
namespace detail {

/// A parsed JSON value.
struct JsonValue {
  enum class Kind { Null, Boolean, Number, String, Array, Object };
  Kind kind = Kind::Null;
  /// Boolean: the value.
  bool boolean = false;
  /// Number: the value, correctly rounded to a double.
  double number = 0;
  /// Number: the exact value when it was written as an integer ("1000",
  /// "-3", no fraction or exponent) that fits in int64; nullopt otherwise.
  std::optional<int64_t> integer;
  /// String: the decoded text (valid UTF-8).
  std::string string;
  /// Array: the items. Object: the values, in file order, keyed by `keys`.
  std::vector<JsonValue> items;
  /// Object: the keys, in file order (unique).
  std::vector<std::string> keys;
  /// Byte offset of the value's first character in the parsed text.
  size_t offset = 0;

  /// The member called `key` of an object, or null.
  const JsonValue *member(std::string_view key) const;
};

/// "null", "a boolean", "a number", "a string", "an array", "an object".
const char *jsonKindName(JsonValue::Kind kind);

/// How deep arrays and objects may nest by default; the parser recurses
/// once per level, so the limit bounds its stack use on hostile input.
constexpr int kJsonDefaultMaxDepth = 64;

/// Parses `text` as exactly one JSON value, optionally surrounded by
/// whitespace. On failure returns false and sets *error to one line
/// "at byte N: <what>" (N counts from 0).
bool parseJson(std::string_view text, JsonValue *out, std::string *error,
               int maxDepth = kJsonDefaultMaxDepth);

/// `s` as a JSON string literal, quotes included; control characters,
/// quotes and backslashes are escaped, other bytes kept (so valid UTF-8 in
/// gives valid JSON out).
std::string jsonQuote(std::string_view s);

/// True if `s` is well-formed UTF-8 (no overlong forms, no surrogates, at
/// most U+10FFFF), as RFC 8259 requires of JSON text.
bool isValidUtf8(std::string_view s);

/// How the artifact reader's and writer's messages name metadata entry
/// `index`: by its key, cut after 64 bytes (at a character boundary), or by
/// the index alone if the key is not UTF-8.
std::string metadataWhere(size_t index, std::string_view key);

/// Appends code point `code` (at most U+10FFFF, not a surrogate) as UTF-8.
void appendUtf8(std::string &out, uint32_t code);

} // namespace detail
} // namespace diffc

#endif // DIFFC_RUNTIME_JSON_H
