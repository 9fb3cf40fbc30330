// A small, strict JSON value with a reader and a compact writer.
//
// Tuning records are JSON lines; kiln reads and writes them without a new
// dependency. The reader accepts exactly RFC 8259 (no comments, no trailing
// commas, no NaN/Infinity, no leading zeros, one value per text) because a
// records file that half-parses is worse than one whose bad line is skipped
// with a clear message. Integers that fit int64 stay exact (config indices
// and space sizes exceed 2^53); every other number is a double.
#ifndef KILN_IR_TUNING_JSON_H_
#define KILN_IR_TUNING_JSON_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kiln::tuning {

class Json {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  using Array = std::vector<Json>;
  // Members keep their order: records written by kiln read back key by key in
  // the order they were written, which keeps diffs of records files stable.
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : value_(b) {}
  Json(int i) : value_(static_cast<int64_t>(i)) {}
  Json(int64_t i) : value_(i) {}
  Json(double d) : value_(d) {}
  Json(const char* s) : value_(std::string(s)) {}
  Json(std::string s) : value_(std::move(s)) {}
  Json(absl::string_view s) : value_(std::string(s)) {}
  Json(Array a) : value_(std::move(a)) {}
  Json(Object o) : value_(std::move(o)) {}

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_number() const { return is_int() || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors for a value whose type the caller has checked; a wrong type is
  // a programmer error (CHECK). Use the Get* helpers below for input.
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;  // ints convert
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // The member `key` of an object, or nullptr (also for non-objects).
  const Json* Find(absl::string_view key) const;
  // Appends a member; keys are not deduplicated (the writer's caller owns
  // that), but the reader rejects duplicate keys.
  Json& Set(std::string key, Json value);

  // Compact text: no whitespace, keys in insertion order, doubles with 17
  // significant digits so they read back bit-identical. Non-finite doubles,
  // which JSON cannot express, are written as null.
  std::string Dump() const;

  friend bool operator==(const Json& a, const Json& b) {
    return a.value_ == b.value_;
  }
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array,
               Object>
      value_;
};

// Parses exactly one JSON value (surrounding whitespace allowed). Errors name
// the byte offset and what was expected. Nesting deeper than 200 levels is
// rejected instead of exhausting the stack on hostile input.
absl::StatusOr<Json> ParseJson(absl::string_view text);

// Typed member access for input validation: InvalidArgument naming the key
// when it is missing or has the wrong type.
absl::StatusOr<const Json*> GetMember(const Json& object, absl::string_view key,
                                      Json::Type type);
absl::StatusOr<std::string> GetString(const Json& object,
                                      absl::string_view key);
absl::StatusOr<int64_t> GetInt(const Json& object, absl::string_view key);
absl::StatusOr<double> GetNumber(const Json& object, absl::string_view key);

absl::string_view JsonTypeName(Json::Type type);

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_JSON_H_
