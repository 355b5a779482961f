//===- json.cpp - A small strict JSON parser ------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Recursive descent over the RFC 8259 grammar. Numbers are converted with
// std::from_chars, which is correctly rounded and, unlike strtod, does not
// depend on the C locale a host program may have set.
//
//===----------------------------------------------------------------------===//

#include "json.h"

#include "diffc/types.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <system_error>

namespace diffc {
namespace detail {

//===----------------------------------------------------------------------===//
// UTF-8
//===----------------------------------------------------------------------===//

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code, min;
    if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < length)
      return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = s[i + k];
      if ((next & 0xC0) != 0x80)
        return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

void appendUtf8(std::string &out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

const JsonValue *JsonValue::member(std::string_view key) const {
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key)
      return &items[i];
  return nullptr;
}

const char *jsonKindName(JsonValue::Kind kind) {
  switch (kind) {
  case JsonValue::Kind::Null:
    return "null";
  case JsonValue::Kind::Boolean:
    return "a boolean";
  case JsonValue::Kind::Number:
    return "a number";
  case JsonValue::Kind::String:
    return "a string";
  case JsonValue::Kind::Array:
    return "an array";
  case JsonValue::Kind::Object:
    return "an object";
  }
  return "a value";
}

std::string jsonQuote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "\"";
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

class Parser {
public:
  Parser(std::string_view text, int maxDepth)
      : s_(text), maxDepth_(maxDepth) {}

  bool parseDocument(JsonValue *out) {
    skipSpace();
    if (!parseValue(out, 0))
      return false;
    skipSpace();
    if (pos_ != s_.size())
      return failAt("unexpected text after the JSON value");
    return true;
  }

  const std::string &error() const { return error_; }

private:
  bool failAt(const std::string &what) {
    error_ = "at byte " + std::to_string(pos_) + ": " + what;
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

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word)
      return failAt("expected a JSON value");
    pos_ += word.size();
    return true;
  }

  bool parseValue(JsonValue *out, int depth) {
    out->offset = pos_;
    if (pos_ >= s_.size())
      return failAt("unexpected end of the text");
    const char c = s_[pos_];
    switch (c) {
    case '{':
    case '[':
      // Depth counts open containers: the top-level value is at depth 0.
      if (depth >= maxDepth_)
        return failAt("nested deeper than " + std::to_string(maxDepth_) +
                      " levels");
      return c == '{' ? parseObject(out, depth) : parseArray(out, depth);
    case '"':
      out->kind = JsonValue::Kind::String;
      return parseString(&out->string);
    case 't':
      out->kind = JsonValue::Kind::Boolean;
      out->boolean = true;
      return literal("true");
    case 'f':
      out->kind = JsonValue::Kind::Boolean;
      out->boolean = false;
      return literal("false");
    case 'n':
      out->kind = JsonValue::Kind::Null;
      return literal("null");
    default:
      if (c == '-' || isDigit(c))
        return parseNumber(out);
      return failAt("expected a JSON value");
    }
  }

  bool parseObject(JsonValue *out, int depth) {
    out->kind = JsonValue::Kind::Object;
    ++pos_; // '{'
    skipSpace();
    if (consume('}'))
      return true;
    std::set<std::string, std::less<>> seen;
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
        return failAt("duplicate key \"" + escapeForMessage(key) + "\"");
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

  bool parseArray(JsonValue *out, int depth) {
    out->kind = JsonValue::Kind::Array;
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
        const size_t escapeAt = pos_ - 2;
        uint32_t code = 0;
        if (!parseHex4(&code))
          return false;
        if (code >= 0xD800 && code <= 0xDBFF) {
          uint32_t low = 0;
          const bool paired = consume('\\') && consume('u');
          if (paired && !parseHex4(&low))
            return false;
          if (!paired || low < 0xDC00 || low > 0xDFFF) {
            pos_ = escapeAt;
            return failAt("unpaired surrogate in a \\u escape");
          }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
          pos_ = escapeAt;
          return failAt("unpaired surrogate in a \\u escape");
        }
        appendUtf8(*out, code);
        break;
      }
      default:
        pos_ -= 2;
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

  /// number = [ "-" ] int [ frac ] [ exp ] (RFC 8259 section 6).
  bool parseNumber(JsonValue *out) {
    out->kind = JsonValue::Kind::Number;
    const size_t start = pos_;
    consume('-');
    if (pos_ >= s_.size() || !isDigit(s_[pos_]))
      return failAt("expected a digit");
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && isDigit(s_[pos_ + 1]))
      return failAt("leading zeros are not allowed in JSON numbers");
    while (pos_ < s_.size() && isDigit(s_[pos_]))
      ++pos_;
    bool integral = true;
    if (consume('.')) {
      integral = false;
      if (pos_ >= s_.size() || !isDigit(s_[pos_]))
        return failAt("expected a digit after '.'");
      while (pos_ < s_.size() && isDigit(s_[pos_]))
        ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (!consume('+'))
        consume('-');
      if (pos_ >= s_.size() || !isDigit(s_[pos_]))
        return failAt("expected a digit in the exponent");
      while (pos_ < s_.size() && isDigit(s_[pos_]))
        ++pos_;
    }
    const char *first = s_.data() + start, *last = s_.data() + pos_;
    // from_chars refuses overflow and underflow alike (result_out_of_range);
    // neither has a place in the documents this parser reads.
    auto [end, ec] = std::from_chars(first, last, out->number);
    if (ec != std::errc() || end != last) {
      pos_ = start;
      return failAt("the number " + std::string(first, last) +
                    " is outside the range of a double");
    }
    if (integral) {
      int64_t value = 0;
      auto [intEnd, intEc] = std::from_chars(first, last, value);
      if (intEc == std::errc() && intEnd == last)
        out->integer = value;
    }
    return true;
  }

  std::string_view s_;
  int maxDepth_;
  size_t pos_ = 0;
  std::string error_;
};

} // namespace

bool parseJson(std::string_view text, JsonValue *out, std::string *error,
               int maxDepth) {
  Parser parser(text, maxDepth);
  JsonValue value;
  if (!parser.parseDocument(&value)) {
    if (error)
      *error = parser.error();
    return false;
  }
  *out = std::move(value);
  return true;
}

} // namespace detail
} // namespace diffc

std::string diffc::detail::metadataWhere(size_t index, std::string_view key) {
  std::string where = "metadata " + std::to_string(index);
  if (!isValidUtf8(key))
    return where;
  size_t cut = std::min<size_t>(key.size(), 64);
  while (cut < key.size() &&
         (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80)
    --cut;
  return where + " (\"" + escapeForMessage(key.substr(0, cut)) +
         (cut < key.size() ? "...\")" : "\")");
}
