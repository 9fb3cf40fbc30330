#include "ir/tuning/json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"

namespace kiln::tuning {
namespace {

constexpr int kMaxDepth = 200;

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

void DumpString(absl::string_view s, std::string& out) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void DumpTo(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::Type::kNull:
      out += "null";
      return;
    case Json::Type::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case Json::Type::kInt:
      absl::StrAppend(&out, value.as_int());
      return;
    case Json::Type::kDouble: {
      double d = value.as_double();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      std::string text = absl::StrFormat("%.17g", d);
      // Keep the value a double when read back ("1" would become an int).
      if (text.find_first_of(".eE") == std::string::npos) text += ".0";
      out += text;
      return;
    }
    case Json::Type::kString:
      DumpString(value.as_string(), out);
      return;
    case Json::Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Json& element : value.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        DumpTo(element, out);
      }
      out.push_back(']');
      return;
    }
    case Json::Type::kObject: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.as_object()) {
        if (!first) out.push_back(',');
        first = false;
        DumpString(key, out);
        out.push_back(':');
        DumpTo(member, out);
      }
      out.push_back('}');
      return;
    }
  }
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<Json> ParseDocument() {
    SkipWhitespace();
    absl::StatusOr<Json> value = ParseValue(0);
    if (!value.ok()) return value;
    SkipWhitespace();
    if (pos_ != text_.size()) return Error("end of input after the value");
    return value;
  }

 private:
  absl::Status Error(absl::string_view expected) const {
    // A few characters of context say more than one: "found 'nul}'".
    std::string found =
        pos_ < text_.size()
            ? absl::StrCat("'", absl::CHexEscape(text_.substr(pos_, 12)),
                           pos_ + 12 < text_.size() ? "...'" : "'")
            : std::string("end of input");
    return absl::InvalidArgumentError(absl::StrCat(
        "JSON: expected ", expected, " at byte ", pos_, ", found ", found));
  }

  void SkipWhitespace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::StatusOr<Json> ParseValue(int depth) {
    if (depth > kMaxDepth) {
      return absl::InvalidArgumentError(absl::StrCat(
          "JSON: nesting deeper than ", kMaxDepth, " levels at byte ", pos_));
    }
    if (pos_ >= text_.size()) return Error("a value");
    char c = text_[pos_];
    switch (c) {
      case '{':
        return ParseObject(depth);
      case '[':
        return ParseArray(depth);
      case '"': {
        absl::StatusOr<std::string> s = ParseString();
        if (!s.ok()) return s.status();
        return Json(*std::move(s));
      }
      case 't':
        if (Consume("true")) return Json(true);
        return Error("'true'");
      case 'f':
        if (Consume("false")) return Json(false);
        return Error("'false'");
      case 'n':
        if (Consume("null")) return Json();
        return Error("'null'");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
        return Error("a value");
    }
  }

  absl::StatusOr<Json> ParseObject(int depth) {
    ++pos_;  // '{'
    Json::Object members;
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return Json(std::move(members));
    }
    while (true) {
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Error("a string key");
      }
      size_t key_pos = pos_;
      absl::StatusOr<std::string> key = ParseString();
      if (!key.ok()) return key.status();
      for (const auto& [existing, unused] : members) {
        if (existing == *key) {
          return absl::InvalidArgumentError(absl::StrCat(
              "JSON: duplicate key \"", absl::CHexEscape(*key), "\" at byte ",
              key_pos));
        }
      }
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Error("':'");
      ++pos_;
      SkipWhitespace();
      absl::StatusOr<Json> value = ParseValue(depth + 1);
      if (!value.ok()) return value.status();
      members.emplace_back(*std::move(key), *std::move(value));
      SkipWhitespace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return Json(std::move(members));
      }
      return Error("',' or '}'");
    }
  }

  absl::StatusOr<Json> ParseArray(int depth) {
    ++pos_;  // '['
    Json::Array elements;
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return Json(std::move(elements));
    }
    while (true) {
      SkipWhitespace();
      absl::StatusOr<Json> value = ParseValue(depth + 1);
      if (!value.ok()) return value.status();
      elements.push_back(*std::move(value));
      SkipWhitespace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return Json(std::move(elements));
      }
      return Error("',' or ']'");
    }
  }

  absl::StatusOr<uint32_t> ParseHex4() {
    if (pos_ + 4 > text_.size()) return Error("four hex digits");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value |= c - 'A' + 10;
      } else {
        return Error("a hex digit");
      }
      ++pos_;
    }
    return value;
  }

  absl::StatusOr<std::string> ParseString() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return Error("closing '\"'");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return Error("an escaped control character");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return Error("an escape character");
      char e = text_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          absl::StatusOr<uint32_t> unit = ParseHex4();
          if (!unit.ok()) return unit.status();
          uint32_t code_point = *unit;
          if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            return Error("a high surrogate before a low surrogate");
          }
          if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            if (!Consume("\\u")) return Error("a low surrogate escape");
            absl::StatusOr<uint32_t> low = ParseHex4();
            if (!low.ok()) return low.status();
            if (*low < 0xDC00 || *low > 0xDFFF) {
              return Error("a low surrogate (\\uDC00-\\uDFFF)");
            }
            code_point = 0x10000 + ((code_point - 0xD800) << 10) +
                         (*low - 0xDC00);
          }
          AppendUtf8(code_point, out);
          break;
        }
        default:
          --pos_;
          return Error("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
      }
    }
  }

  absl::StatusOr<Json> ParseNumber() {
    size_t start = pos_;
    bool is_integer = true;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size()) return Error("a digit");
    if (text_[pos_] == '0') {
      ++pos_;
    } else if (text_[pos_] >= '1' && text_[pos_] <= '9') {
      while (pos_ < text_.size() && absl::ascii_isdigit(text_[pos_])) ++pos_;
    } else {
      return Error("a digit");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_integer = false;
      ++pos_;
      if (pos_ >= text_.size() || !absl::ascii_isdigit(text_[pos_])) {
        return Error("a digit after '.'");
      }
      while (pos_ < text_.size() && absl::ascii_isdigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_integer = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        ++pos_;
      }
      if (pos_ >= text_.size() || !absl::ascii_isdigit(text_[pos_])) {
        return Error("a digit in the exponent");
      }
      while (pos_ < text_.size() && absl::ascii_isdigit(text_[pos_])) ++pos_;
    }
    std::string literal(text_.substr(start, pos_ - start));
    errno = 0;
    if (is_integer) {
      char* end = nullptr;
      long long i = std::strtoll(literal.c_str(), &end, 10);
      if (errno == 0) return Json(static_cast<int64_t>(i));
      // Out of int64 range: fall through and keep it as a double.
      errno = 0;
    }
    char* end = nullptr;
    double d = std::strtod(literal.c_str(), &end);
    if (errno == ERANGE && std::isinf(d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("JSON: number ", literal, " at byte ", start,
                       " is out of the range of a double"));
    }
    return Json(d);
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool Json::as_bool() const {
  CHECK(is_bool()) << "JSON value is " << JsonTypeName(type()) << ", not bool";
  return std::get<bool>(value_);
}

int64_t Json::as_int() const {
  CHECK(is_int()) << "JSON value is " << JsonTypeName(type()) << ", not int";
  return std::get<int64_t>(value_);
}

double Json::as_double() const {
  CHECK(is_number()) << "JSON value is " << JsonTypeName(type())
                     << ", not a number";
  if (is_int()) return static_cast<double>(std::get<int64_t>(value_));
  return std::get<double>(value_);
}

const std::string& Json::as_string() const {
  CHECK(is_string()) << "JSON value is " << JsonTypeName(type())
                     << ", not string";
  return std::get<std::string>(value_);
}

const Json::Array& Json::as_array() const {
  CHECK(is_array()) << "JSON value is " << JsonTypeName(type())
                    << ", not array";
  return std::get<Array>(value_);
}

Json::Array& Json::as_array() {
  CHECK(is_array()) << "JSON value is " << JsonTypeName(type())
                    << ", not array";
  return std::get<Array>(value_);
}

const Json::Object& Json::as_object() const {
  CHECK(is_object()) << "JSON value is " << JsonTypeName(type())
                     << ", not object";
  return std::get<Object>(value_);
}

Json::Object& Json::as_object() {
  CHECK(is_object()) << "JSON value is " << JsonTypeName(type())
                     << ", not object";
  return std::get<Object>(value_);
}

const Json* Json::Find(absl::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [name, member] : std::get<Object>(value_)) {
    if (name == key) return &member;
  }
  return nullptr;
}

Json& Json::Set(std::string key, Json value) {
  Object& members = as_object();
  members.emplace_back(std::move(key), std::move(value));
  return members.back().second;
}

std::string Json::Dump() const {
  std::string out;
  DumpTo(*this, out);
  return out;
}

absl::StatusOr<Json> ParseJson(absl::string_view text) {
  return Parser(text).ParseDocument();
}

absl::string_view JsonTypeName(Json::Type type) {
  switch (type) {
    case Json::Type::kNull: return "null";
    case Json::Type::kBool: return "bool";
    case Json::Type::kInt: return "integer";
    case Json::Type::kDouble: return "number";
    case Json::Type::kString: return "string";
    case Json::Type::kArray: return "array";
    case Json::Type::kObject: return "object";
  }
  return "?";
}

absl::StatusOr<const Json*> GetMember(const Json& object, absl::string_view key,
                                      Json::Type type) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a JSON object, got ", JsonTypeName(object.type())));
  }
  const Json* member = object.Find(key);
  if (member == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing key \"", key, "\""));
  }
  bool matches = member->type() == type ||
                 (type == Json::Type::kDouble && member->is_int());
  if (!matches) {
    return absl::InvalidArgumentError(
        absl::StrCat("key \"", key, "\" is ", JsonTypeName(member->type()),
                     ", expected ", JsonTypeName(type)));
  }
  return member;
}

absl::StatusOr<std::string> GetString(const Json& object,
                                      absl::string_view key) {
  absl::StatusOr<const Json*> member =
      GetMember(object, key, Json::Type::kString);
  if (!member.ok()) return member.status();
  return (*member)->as_string();
}

absl::StatusOr<int64_t> GetInt(const Json& object, absl::string_view key) {
  absl::StatusOr<const Json*> member = GetMember(object, key, Json::Type::kInt);
  if (!member.ok()) return member.status();
  return (*member)->as_int();
}

absl::StatusOr<double> GetNumber(const Json& object, absl::string_view key) {
  absl::StatusOr<const Json*> member =
      GetMember(object, key, Json::Type::kDouble);
  if (!member.ok()) return member.status();
  return (*member)->as_double();
}

}  // namespace kiln::tuning
