// The space of schedule configurations a tuner searches.
//
// An operator's schedule template defines knobs — how to split an axis, which
// of a few options to take, whether to unroll — and the space is their
// product. A Config is one point: an index into the space, equivalently one
// candidate index per knob. Spaces of real operators have millions of points,
// so only each knob's own candidates are stored (tens to hundreds each); a
// point is decoded from its index on demand.
//
// Index layout: mixed radix with the first defined knob varying fastest, so
// index = choice[0] + size[0] * (choice[1] + size[1] * (choice[2] + ...)).
#ifndef KILN_IR_TUNING_CONFIG_SPACE_H_
#define KILN_IR_TUNING_CONFIG_SPACE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ir/tuning/json.h"

namespace kiln::tuning {

enum class KnobKind {
  kSplit,     // an axis extent factored into N loop extents
  kChoice,    // one of a list of ints or strings ("other option")
  kBool,      // yes/no, e.g. unroll the kernel-width loop
  kAnnotate,  // one annotation ("none", "unroll", "vec") per listed axis
};

// The value of one knob in a config:
//   kSplit:    loop extents, outermost first; their product covers the axis
//              (equals it for divisor splits, may exceed it with tails)
//   kChoice:   int64_t or std::string
//   kBool:     bool
//   kAnnotate: one annotation per axis, in the order the axes were listed
using KnobValue = std::variant<std::vector<int64_t>, int64_t, std::string,
                               bool, std::vector<std::string>>;

struct SplitOptions {
  enum class Policy {
    // Every ordered factorization of the extent into exact divisors: no tail
    // loops, but a prime extent only splits as 1 x p.
    kFactors,
    // Inner extents are powers of two whose product is at most the extent;
    // the outermost loop takes ceil(extent / inner product) and the last
    // iteration is a partial tile. Suits prime or awkward extents.
    kPowerOfTwo,
  };
  Policy policy = Policy::kFactors;
  // Keep only candidates whose innermost extent is at most this (0: no
  // limit); the usual guard against unrolling or vectorizing 1000 lanes.
  int64_t max_innermost = 0;
  // Any further filter on the extents (outermost first); true keeps it.
  std::function<bool(absl::Span<const int64_t>)> filter;
};

// One knob: a name and the list of its candidate values. Immutable.
class Knob {
 public:
  const std::string& name() const { return name_; }
  KnobKind kind() const { return kind_; }
  int64_t size() const { return static_cast<int64_t>(candidates_.size()); }
  const KnobValue& value(int64_t candidate) const;

  // Python-literal text of a candidate: [-1, 16] (the outermost extent of a
  // split prints as -1, meaning "whatever is left", as AutoTVM logs do),
  // True, 4, 'vec', ['none', 'unroll'].
  std::string ValueToString(int64_t candidate) const;
  // The record form; the candidate it names is found again by value, so a
  // record stays readable when a filter change renumbers candidates.
  Json ValueToJson(int64_t candidate) const;
  absl::StatusOr<int64_t> CandidateOfJson(const Json& value) const;

  // Numbers the cost model sees for this knob (the "knob" feature type):
  // split extents (outermost first), int choices as their value, string
  // choices and annotations as their option index, bools as 0/1.
  int feature_length() const;
  void AppendFeatures(int64_t candidate, std::vector<float>& out) const;

 private:
  friend class ConfigSpace;
  Knob(std::string name, KnobKind kind, std::vector<KnobValue> candidates,
       std::vector<std::string> options = {})
      : name_(std::move(name)),
        kind_(kind),
        candidates_(std::move(candidates)),
        options_(std::move(options)) {}

  std::string name_;
  KnobKind kind_;
  std::vector<KnobValue> candidates_;
  // kAnnotate: the per-axis options, to turn names back into indices.
  std::vector<std::string> options_;
};

using KnobList = std::vector<Knob>;

// A point of a ConfigSpace. Copies share the space's knob list, so a Config
// stays valid (and printable) after its ConfigSpace is gone or extended.
class Config {
 public:
  int64_t index() const { return index_; }
  // Candidate index of each knob, in definition order.
  const std::vector<int64_t>& choices() const { return choices_; }
  const KnobList& knobs() const { return *knobs_; }

  // The value of knob `name`; NotFound for an unknown name, InvalidArgument
  // when the knob has another kind.
  absl::StatusOr<std::vector<int64_t>> Split(absl::string_view name) const;
  absl::StatusOr<int64_t> Int(absl::string_view name) const;
  absl::StatusOr<std::string> String(absl::string_view name) const;
  absl::StatusOr<bool> Bool(absl::string_view name) const;
  absl::StatusOr<std::vector<std::string>> Annotation(
      absl::string_view name) const;

  // "[('tile_oc', [-1, 16]), ('unroll_kw', True)]"
  std::string ToString() const;
  // {"index": 12, "entity": [["tile_oc", "sp", [-1, 16]], ...]}
  Json ToJson() const;
  // Concatenated Knob::AppendFeatures of every knob.
  std::vector<float> KnobFeatures() const;

  friend bool operator==(const Config& a, const Config& b) {
    return a.index_ == b.index_ && a.knobs_ == b.knobs_;
  }
  friend bool operator!=(const Config& a, const Config& b) { return !(a == b); }

 private:
  friend class ConfigSpace;
  Config(std::shared_ptr<const KnobList> knobs, int64_t index,
         std::vector<int64_t> choices)
      : knobs_(std::move(knobs)), index_(index), choices_(std::move(choices)) {}

  absl::StatusOr<const KnobValue*> Find(absl::string_view name,
                                        KnobKind kind) const;

  std::shared_ptr<const KnobList> knobs_;
  int64_t index_;
  std::vector<int64_t> choices_;
};

class ConfigSpace {
 public:
  ConfigSpace();

  // Each Define* adds one knob; errors (duplicate name, no candidate left,
  // space larger than int64) leave the space unchanged.
  absl::Status DefineSplit(std::string name, int64_t extent, int num_outputs,
                           const SplitOptions& options = {});
  absl::Status DefineIntChoice(std::string name, std::vector<int64_t> values);
  absl::Status DefineStringChoice(std::string name,
                                  std::vector<std::string> values);
  absl::Status DefineBool(std::string name);
  absl::Status DefineAnnotate(std::string name, std::vector<std::string> axes,
                              std::vector<std::string> options);

  // Number of points; 1 for a space without knobs (the single default).
  int64_t size() const { return size_; }
  const KnobList& knobs() const { return *knobs_; }
  int KnobFeatureLength() const;

  // The point at `index`: OutOfRange unless 0 <= index < size().
  absl::StatusOr<Config> Get(int64_t index) const;
  // For indices the caller produced itself; out of range is a bug (CHECK).
  Config At(int64_t index) const;
  absl::StatusOr<Config> FromChoices(std::vector<int64_t> choices) const;
  // Reads Config::ToJson output back. Knob names must match in order; values
  // are authoritative, the stored index is only a hint.
  absl::StatusOr<Config> FromJson(const Json& json) const;

  // One line per knob with its candidate count, for logs.
  std::string ToString() const;

 private:
  absl::Status AddKnob(Knob knob);

  // Replaced, never mutated, when a knob is added, so Configs handed out
  // earlier keep the list they were decoded with.
  std::shared_ptr<const KnobList> knobs_;
  int64_t size_ = 1;
};

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_CONFIG_SPACE_H_
