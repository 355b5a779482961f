//===- JsonTest.cpp - Tests for the runtime's JSON parser -----------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// runtime/src/json.h is private to the runtime; these tests include it
// directly (the test target has runtime/src on its include path).
//
//===----------------------------------------------------------------------===//

#include "json.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace diffc::detail;
using Kind = JsonValue::Kind;

namespace {

JsonValue parseOk(std::string_view text) {
  JsonValue value;
  std::string error;
  EXPECT_TRUE(parseJson(text, &value, &error))
      << "'" << std::string(text) << "': " << error;
  return value;
}

/// The error of a document that must fail; checks that it is one line.
std::string parseError(std::string_view text, int maxDepth = 64) {
  JsonValue value;
  std::string error;
  EXPECT_FALSE(parseJson(text, &value, &error, maxDepth))
      << "'" << std::string(text) << "' parsed";
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return error;
}

//===----------------------------------------------------------------------===//
// Valid documents
//===----------------------------------------------------------------------===//

TEST(JsonTest, Scalars) {
  EXPECT_EQ(parseOk("null").kind, Kind::Null);
  JsonValue t = parseOk("true");
  EXPECT_EQ(t.kind, Kind::Boolean);
  EXPECT_TRUE(t.boolean);
  JsonValue f = parseOk(" \t\r\nfalse \n");
  EXPECT_EQ(f.kind, Kind::Boolean);
  EXPECT_FALSE(f.boolean);
  JsonValue s = parseOk("\"text\"");
  EXPECT_EQ(s.kind, Kind::String);
  EXPECT_EQ(s.string, "text");
  JsonValue n = parseOk("42");
  EXPECT_EQ(n.kind, Kind::Number);
  EXPECT_EQ(n.number, 42.0);
  ASSERT_TRUE(n.integer);
  EXPECT_EQ(*n.integer, 42);
}

TEST(JsonTest, ObjectsAndArrays) {
  JsonValue doc = parseOk(R"({"b": [1, "two", null, [], {}], "a": {"x": true},
                              "": 0})");
  ASSERT_EQ(doc.kind, Kind::Object);
  // File order, not sorted.
  EXPECT_EQ(doc.keys, (std::vector<std::string>{"b", "a", ""}));
  ASSERT_EQ(doc.items.size(), 3u);
  const JsonValue *b = doc.member("b");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->kind, Kind::Array);
  ASSERT_EQ(b->items.size(), 5u);
  EXPECT_EQ(b->items[0].number, 1.0);
  EXPECT_EQ(b->items[1].string, "two");
  EXPECT_EQ(b->items[2].kind, Kind::Null);
  EXPECT_EQ(b->items[3].kind, Kind::Array);
  EXPECT_TRUE(b->items[3].items.empty());
  EXPECT_EQ(b->items[4].kind, Kind::Object);
  EXPECT_TRUE(b->items[4].keys.empty());
  ASSERT_TRUE(doc.member("a"));
  ASSERT_TRUE(doc.member("a")->member("x"));
  EXPECT_TRUE(doc.member("a")->member("x")->boolean);
  ASSERT_TRUE(doc.member(""));
  EXPECT_EQ(doc.member("c"), nullptr);
  // Offsets point at each value's first character.
  EXPECT_EQ(doc.offset, 0u);
  EXPECT_EQ(b->offset, 6u);
  EXPECT_EQ(b->items[1].offset, 10u);
}

TEST(JsonTest, EmptyContainers) {
  EXPECT_EQ(parseOk("{}").kind, Kind::Object);
  EXPECT_EQ(parseOk("[ ]").kind, Kind::Array);
  EXPECT_EQ(parseOk(" { } ").keys.size(), 0u);
}

//===----------------------------------------------------------------------===//
// Numbers
//===----------------------------------------------------------------------===//

TEST(JsonTest, Numbers) {
  struct Case {
    const char *text;
    double value;
    std::optional<int64_t> integer;
  } cases[] = {
      {"0", 0.0, 0},
      {"-0", 0.0, 0},
      {"1000", 1000.0, 1000},
      {"-3", -3.0, -3},
      {"1.5", 1.5, std::nullopt},
      {"-0.25", -0.25, std::nullopt},
      {"1e3", 1000.0, std::nullopt},
      {"1E3", 1000.0, std::nullopt},
      {"2.5e+2", 250.0, std::nullopt},
      {"1e-3", 0.001, std::nullopt},
      {"1000.0", 1000.0, std::nullopt},
      {"0.0001", 0.0001, std::nullopt},
      {"0.995", 0.995, std::nullopt},
      {"0.1", 0.1, std::nullopt},
      {"0.012000000000000000", 0.012, std::nullopt},
      {"9223372036854775807", 9223372036854775807.0, INT64_MAX},
      {"-9223372036854775808", -9223372036854775808.0, INT64_MIN},
      // Past int64: still a number, no longer an exact integer.
      {"9223372036854775808", 9223372036854775808.0, std::nullopt},
      {"1e308", 1e308, std::nullopt},
      {"4.9406564584124654e-324", 4.9406564584124654e-324, std::nullopt},
  };
  for (const Case &c : cases) {
    JsonValue v = parseOk(c.text);
    EXPECT_EQ(v.kind, Kind::Number) << c.text;
    // Correctly rounded: exactly the double the literal names.
    EXPECT_EQ(v.number, c.value) << c.text;
    EXPECT_EQ(v.integer, c.integer) << c.text;
  }
  // The sign of zero survives.
  EXPECT_TRUE(std::signbit(parseOk("-0.0").number));
}

TEST(JsonTest, InvalidNumbers) {
  struct Case {
    const char *text;
    const char *error;
  } cases[] = {
      {"01", "at byte 0: leading zeros are not allowed in JSON numbers"},
      {"-01", "at byte 1: leading zeros are not allowed in JSON numbers"},
      {"-", "at byte 1: expected a digit"},
      {"-x", "at byte 1: expected a digit"},
      {"1.", "at byte 2: expected a digit after '.'"},
      {"1.e5", "at byte 2: expected a digit after '.'"},
      {"1e", "at byte 2: expected a digit in the exponent"},
      {"1e+", "at byte 3: expected a digit in the exponent"},
      {".5", "at byte 0: expected a JSON value"},
      {"+1", "at byte 0: expected a JSON value"},
      {"0x10", "at byte 1: unexpected text after the JSON value"},
      {"NaN", "at byte 0: expected a JSON value"},
      {"Infinity", "at byte 0: expected a JSON value"},
      {"-Infinity", "at byte 1: expected a digit"},
      {"1e309", "at byte 0: the number 1e309 is outside the range of a "
                "double"},
      {"-1e400", "at byte 0: the number -1e400 is outside the range of a "
                 "double"},
      {"1e-400", "at byte 0: the number 1e-400 is outside the range of a "
                 "double"},
      {"[1, 2e999]", "at byte 4: the number 2e999 is outside the range of a "
                     "double"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.error) << c.text;
}

//===----------------------------------------------------------------------===//
// Strings
//===----------------------------------------------------------------------===//

TEST(JsonTest, Escapes) {
  EXPECT_EQ(parseOk(R"("\" \\ \/ \b \f \n \r \t")").string,
            "\" \\ / \b \f \n \r \t");
  EXPECT_EQ(parseOk(R"("\u0041\u00e9\u20AC")").string,
            "A\xc3\xa9\xe2\x82\xac");
  // A surrogate pair is one code point (U+1F300), four UTF-8 bytes.
  EXPECT_EQ(parseOk(R"("\ud83c\udf00")").string, "\xf0\x9f\x8c\x80");
  // U+0000 is a character like any other.
  EXPECT_EQ(parseOk(R"("a\u0000b")").string, std::string("a\0b", 3));
  // Raw UTF-8 passes through.
  EXPECT_EQ(parseOk("\"caf\xc3\xa9 \xf0\x9f\x8c\x80\"").string,
            "caf\xc3\xa9 \xf0\x9f\x8c\x80");
  // Escaped keys are decoded before duplicates are looked for.
  EXPECT_EQ(parseError(R"({"a": 1, "\u0061": 2})"),
            "at byte 9: duplicate key \"a\"");
}

TEST(JsonTest, InvalidStrings) {
  struct Case {
    std::string text;
    const char *error;
  } cases[] = {
      {R"("abc)", "at byte 0: unterminated string"},
      {R"("abc\)", "at byte 5: unterminated escape"},
      {R"("\x41")", "at byte 1: invalid escape '\\x'"},
      {R"("\u12")", "at byte 3: truncated \\u escape"},
      {R"("\u12G4")", "at byte 3: invalid \\u escape"},
      {R"("\ud800")", "at byte 1: unpaired surrogate in a \\u escape"},
      {R"("x\udc00")", "at byte 2: unpaired surrogate in a \\u escape"},
      {R"("\ud800\u0041")", "at byte 1: unpaired surrogate in a \\u escape"},
      {R"("\ud800x")", "at byte 1: unpaired surrogate in a \\u escape"},
      {"\"tab\there\"", "at byte 4: control character in a string (escape "
                        "it)"},
      {"\"line\nbreak\"", "at byte 5: control character in a string (escape "
                          "it)"},
      {"\"bad \xff byte\"", "at byte 0: a string is not valid UTF-8"},
      {"\"overlong \xc0\xaf\"", "at byte 0: a string is not valid UTF-8"},
      {"\"cesu \xed\xa0\x80\"", "at byte 0: a string is not valid UTF-8"},
      {"\"cut \xe2\x82\"", "at byte 0: a string is not valid UTF-8"},
      {"'single'", "at byte 0: expected a JSON value"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.error) << c.text;
}

TEST(JsonTest, QuoteRoundTrips) {
  std::string all;
  for (int c = 1; c < 0x80; ++c)
    all += static_cast<char>(c);
  all += std::string("\0", 1) + "caf\xc3\xa9 \xf0\x9f\x8c\x80";
  std::string quoted = jsonQuote(all);
  EXPECT_EQ(quoted.find('\n'), std::string::npos);
  JsonValue v = parseOk(quoted);
  EXPECT_EQ(v.string, all);
  EXPECT_EQ(jsonQuote("a\"b\\c\n"), R"("a\"b\\c\n")");
  EXPECT_EQ(jsonQuote(std::string("\x01", 1)), R"("\u0001")");
}

//===----------------------------------------------------------------------===//
// Structure, depth and trailing text
//===----------------------------------------------------------------------===//

TEST(JsonTest, InvalidStructure) {
  struct Case {
    const char *text;
    const char *error;
  } cases[] = {
      {"", "at byte 0: unexpected end of the text"},
      {"   ", "at byte 3: unexpected end of the text"},
      {"{", "at byte 1: expected a string key"},
      {"[", "at byte 1: unexpected end of the text"},
      {R"({"a" 1})", "at byte 5: expected ':'"},
      {R"({"a": 1,})", "at byte 8: expected a string key"},
      {R"({"a": 1 "b": 2})", "at byte 8: expected ',' or '}'"},
      {R"({1: 2})", "at byte 1: expected a string key"},
      {R"({"a": })", "at byte 6: expected a JSON value"},
      {"[1,]", "at byte 3: expected a JSON value"},
      {"[1 2]", "at byte 3: expected ',' or ']'"},
      {"[1, 2", "at byte 5: expected ',' or ']'"},
      {R"({"a": 1, "a": 2})", "at byte 9: duplicate key \"a\""},
      {"tru", "at byte 0: expected a JSON value"},
      {"nul", "at byte 0: expected a JSON value"},
      {"True", "at byte 0: expected a JSON value"},
      {"nulls", "at byte 4: unexpected text after the JSON value"},
      // Comments are not JSON.
      {"{} // note", "at byte 3: unexpected text after the JSON value"},
      // A byte-order mark is not whitespace.
      {"\xef\xbb\xbf{}", "at byte 0: expected a JSON value"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.error) << c.text;
}

TEST(JsonTest, TrailingGarbage) {
  EXPECT_EQ(parseError("{} x"),
            "at byte 3: unexpected text after the JSON value");
  EXPECT_EQ(parseError("{}{}"),
            "at byte 2: unexpected text after the JSON value");
  EXPECT_EQ(parseError("1 2"),
            "at byte 2: unexpected text after the JSON value");
  EXPECT_EQ(parseError(std::string_view("{}\0", 3)),
            "at byte 2: unexpected text after the JSON value");
  // Trailing whitespace is fine.
  parseOk("{} \n\t\r ");
}

TEST(JsonTest, DepthLimit) {
  // 64 nested containers are fine, the 65th is refused where it opens.
  std::string ok = std::string(64, '[') + std::string(64, ']');
  parseOk(ok);
  std::string deep = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(parseError(deep), "at byte 64: nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 65; ++i)
    objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  EXPECT_EQ(parseError(objects), "at byte 320: nested deeper than 64 levels");
  // A custom limit; scalars do not count.
  EXPECT_EQ(parseError("[[1]]", 1), "at byte 1: nested deeper than 1 levels");
  JsonValue v;
  std::string error;
  EXPECT_TRUE(parseJson("[1, {}]", &v, &error, 2)) << error;
  EXPECT_TRUE(parseJson("7", &v, &error, 0)) << error;
  // Hostile input fails quickly instead of exhausting the stack.
  EXPECT_EQ(parseError(std::string(1000000, '[')),
            "at byte 64: nested deeper than 64 levels");
}

TEST(JsonTest, FailureLeavesTheOutputAlone) {
  JsonValue v = parseOk("[1]");
  std::string error;
  EXPECT_FALSE(parseJson("[1, oops]", &v, &error));
  EXPECT_EQ(v.kind, Kind::Array);
  EXPECT_EQ(v.items.size(), 1u);
  // A null error pointer is allowed.
  EXPECT_FALSE(parseJson("oops", &v, nullptr));
}

TEST(JsonTest, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("ascii"));
  EXPECT_TRUE(isValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x8c\x80"));
  EXPECT_TRUE(isValidUtf8("\xf4\x8f\xbf\xbf")); // U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80")); // U+110000
  EXPECT_FALSE(isValidUtf8("\x80"));
  EXPECT_FALSE(isValidUtf8("\xc1\xbf"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xe0\x80\x80"));      // overlong
  EXPECT_FALSE(isValidUtf8("\xed\xbf\xbf"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf0\x9f\x8c"));      // truncated
  std::string out;
  appendUtf8(out, 0x41);
  appendUtf8(out, 0xE9);
  appendUtf8(out, 0x20AC);
  appendUtf8(out, 0x1F300);
  EXPECT_EQ(out, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x8c\x80");
}

TEST(JsonTest, KindNames) {
  EXPECT_STREQ(jsonKindName(Kind::Null), "null");
  EXPECT_STREQ(jsonKindName(Kind::Boolean), "a boolean");
  EXPECT_STREQ(jsonKindName(Kind::Number), "a number");
  EXPECT_STREQ(jsonKindName(Kind::String), "a string");
  EXPECT_STREQ(jsonKindName(Kind::Array), "an array");
  EXPECT_STREQ(jsonKindName(Kind::Object), "an object");
}

} // namespace
