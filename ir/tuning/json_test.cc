#include "ir/tuning/json.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::tuning {
namespace {

using ::testing::HasSubstr;

Json Parse(absl::string_view text) {
  absl::StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text << ": " << json.status();
  return json.ok() ? *json : Json();
}

std::string ParseError(absl::string_view text) {
  absl::StatusOr<Json> json = ParseJson(text);
  EXPECT_FALSE(json.ok()) << "accepted: " << text;
  return json.ok() ? "" : std::string(json.status().message());
}

TEST(JsonTest, ParsesScalars) {
  EXPECT_TRUE(Parse("null").is_null());
  EXPECT_EQ(Parse("true"), Json(true));
  EXPECT_EQ(Parse(" false "), Json(false));
  EXPECT_EQ(Parse("0").as_int(), 0);
  EXPECT_EQ(Parse("-17").as_int(), -17);
  EXPECT_EQ(Parse("9223372036854775807").as_int(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Parse("-9223372036854775808").as_int(),
            std::numeric_limits<int64_t>::min());
  // Beyond int64: kept as a double rather than rejected or wrapped.
  Json big = Parse("9223372036854775808");
  EXPECT_EQ(big.type(), Json::Type::kDouble);
  EXPECT_DOUBLE_EQ(big.as_double(), 9223372036854775808.0);
  EXPECT_DOUBLE_EQ(Parse("1.5e-3").as_double(), 1.5e-3);
  EXPECT_DOUBLE_EQ(Parse("-0.25").as_double(), -0.25);
  EXPECT_DOUBLE_EQ(Parse("2E+2").as_double(), 200.0);
  EXPECT_EQ(Parse("2E+2").type(), Json::Type::kDouble);
}

TEST(JsonTest, ParsesStringsWithEscapes) {
  EXPECT_EQ(Parse(R"("a\"b\\c\/d\n\t\r\b\f")").as_string(),
            "a\"b\\c/d\n\t\r\b\f");
  EXPECT_EQ(Parse(R"("\u0041\u00e9\u20ac")").as_string(), "A\xC3\xA9\xE2\x82\xAC");
  // A surrogate pair becomes one 4-byte UTF-8 character (U+1F600).
  EXPECT_EQ(Parse(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  // Raw UTF-8 passes through.
  EXPECT_EQ(Parse("\"\xC3\xA9\"").as_string(), "\xC3\xA9");
}

TEST(JsonTest, ParsesNestedContainersInOrder) {
  Json json = Parse(R"( {"b": [1, 2.5, "x", [], {}], "a": {"c": null}} )");
  ASSERT_TRUE(json.is_object());
  ASSERT_EQ(json.as_object().size(), 2u);
  EXPECT_EQ(json.as_object()[0].first, "b");
  EXPECT_EQ(json.as_object()[1].first, "a");
  const Json* b = json.Find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->as_array().size(), 5u);
  EXPECT_EQ(b->as_array()[0].as_int(), 1);
  EXPECT_TRUE(b->as_array()[3].as_array().empty());
  EXPECT_TRUE(json.Find("a")->Find("c")->is_null());
  EXPECT_EQ(json.Find("missing"), nullptr);
}

TEST(JsonTest, RejectsWhatRfc8259Rejects) {
  EXPECT_THAT(ParseError(""), HasSubstr("expected a value"));
  EXPECT_THAT(ParseError("[1,]"), HasSubstr("byte 3"));
  EXPECT_THAT(ParseError("{\"a\":1,}"), HasSubstr("string key"));
  EXPECT_THAT(ParseError("01"), HasSubstr("end of input after the value"));
  ParseError("+1");
  ParseError("1.");
  ParseError(".5");
  ParseError("1e");
  ParseError("NaN");
  ParseError("Infinity");
  ParseError("-");
  ParseError("tru");
  ParseError("'single'");
  ParseError("\"unterminated");
  ParseError("\"tab\there\"");  // raw control character
  ParseError(R"("\x")");
  ParseError(R"("\u12")");
  ParseError(R"("\ud83d")");        // lone high surrogate
  ParseError(R"("\ude00")");        // lone low surrogate
  ParseError("{\"a\" 1}");
  ParseError("{1:2}");
  ParseError("[1 2]");
  ParseError("1 2");
  ParseError("// comment\n1");
  EXPECT_THAT(ParseError("1e999"), HasSubstr("out of the range"));
  EXPECT_THAT(ParseError(R"({"k":1,"k":2})"), HasSubstr("duplicate key"));
}

TEST(JsonTest, RejectsDeepNestingWithoutCrashing) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseError(deep), HasSubstr("nesting deeper"));
  std::string ok_depth = std::string(150, '[') + std::string(150, ']');
  EXPECT_TRUE(ParseJson(ok_depth).ok());
}

TEST(JsonTest, DumpsCompactAndRoundTrips) {
  Json object{Json::Object{}};
  object.Set("s", Json("q\"uote\\ \n \x01"));
  object.Set("i", Json(int64_t{-42}));
  object.Set("d", Json(0.1));
  object.Set("whole", Json(3.0));
  object.Set("a", Json(Json::Array{Json(true), Json(), Json(1)}));
  std::string text = object.Dump();
  EXPECT_EQ(text,
            R"({"s":"q\"uote\\ \n \u0001","i":-42,"d":0.10000000000000001,)"
            R"("whole":3.0,"a":[true,null,1]})");
  Json back = Parse(text);
  EXPECT_EQ(back, object);
  EXPECT_EQ(back.Find("whole")->type(), Json::Type::kDouble);
}

TEST(JsonTest, DoublesRoundTripBitExactly) {
  for (double d : {1.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308,
                   -2.5e-7, 123456789.123456789}) {
    Json back = Parse(Json(d).Dump());
    EXPECT_EQ(back.as_double(), d) << Json(d).Dump();
  }
}

TEST(JsonTest, NonFiniteDoublesDumpAsNull) {
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()).Dump(), "null");
  EXPECT_EQ(Json(std::nan("")).Dump(), "null");
}

TEST(JsonTest, TypedMemberAccessNamesTheProblem) {
  Json json = Parse(R"({"n": 1, "s": "x", "d": 2.5})");
  EXPECT_EQ(*GetInt(json, "n"), 1);
  EXPECT_EQ(*GetString(json, "s"), "x");
  EXPECT_DOUBLE_EQ(*GetNumber(json, "n"), 1.0);  // ints are numbers
  EXPECT_DOUBLE_EQ(*GetNumber(json, "d"), 2.5);
  EXPECT_THAT(std::string(GetInt(json, "d").status().message()),
              HasSubstr("\"d\" is number, expected integer"));
  EXPECT_THAT(std::string(GetString(json, "zz").status().message()),
              HasSubstr("missing key \"zz\""));
  EXPECT_FALSE(GetString(Json(1), "s").ok());
}

}  // namespace
}  // namespace kiln::tuning
