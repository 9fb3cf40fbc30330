#include "ir/tuning/config_space.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"

namespace kiln::tuning {
namespace {

// A single knob with more candidates than this is almost certainly a
// template bug (an unfiltered 6-way split of a large extent), and storing
// its candidates would be the materialization the space design avoids.
constexpr int64_t kMaxKnobCandidates = 1 << 20;

absl::string_view KindTag(KnobKind kind) {
  switch (kind) {
    case KnobKind::kSplit: return "sp";
    case KnobKind::kChoice: return "ch";
    case KnobKind::kBool: return "bool";
    case KnobKind::kAnnotate: return "an";
  }
  return "?";
}

absl::string_view KindName(KnobKind kind) {
  switch (kind) {
    case KnobKind::kSplit: return "split";
    case KnobKind::kChoice: return "choice";
    case KnobKind::kBool: return "bool";
    case KnobKind::kAnnotate: return "annotate";
  }
  return "?";
}

std::string PyString(absl::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Appends to `out` every list of inner extents (positions 1..n-1 of a split,
// outermost excluded) allowed by `policy` whose product is at most `budget`
// (kPowerOfTwo) or divides it exactly (kFactors). Returns false when the
// count would pass kMaxKnobCandidates.
bool EnumerateInner(SplitOptions::Policy policy, int64_t budget,
                    int remaining_parts, std::vector<int64_t>& prefix,
                    std::vector<std::vector<int64_t>>& out) {
  if (remaining_parts == 0) {
    out.push_back(prefix);
    return static_cast<int64_t>(out.size()) <= kMaxKnobCandidates;
  }
  for (int64_t f = 1; f <= budget;
       f = policy == SplitOptions::Policy::kFactors ? f + 1 : f * 2) {
    if (policy == SplitOptions::Policy::kFactors && budget % f != 0) continue;
    prefix.push_back(f);
    // Exact for divisors; for powers of two the floor keeps the inner
    // product within the extent.
    bool ok = EnumerateInner(policy, budget / f, remaining_parts - 1, prefix,
                             out);
    prefix.pop_back();
    if (!ok) return false;
  }
  return true;
}

bool MultiplyOverflows(int64_t a, int64_t b) {
  return b != 0 && a > std::numeric_limits<int64_t>::max() / b;
}

}  // namespace

// ---------------------------------------------------------------- Knob

const KnobValue& Knob::value(int64_t candidate) const {
  CHECK_GE(candidate, 0);
  CHECK_LT(candidate, size()) << "knob " << name_;
  return candidates_[candidate];
}

std::string Knob::ValueToString(int64_t candidate) const {
  const KnobValue& v = value(candidate);
  switch (kind_) {
    case KnobKind::kSplit: {
      std::vector<int64_t> shown = std::get<std::vector<int64_t>>(v);
      shown[0] = -1;
      return absl::StrCat("[", absl::StrJoin(shown, ", "), "]");
    }
    case KnobKind::kChoice:
      if (std::holds_alternative<int64_t>(v)) {
        return absl::StrCat(std::get<int64_t>(v));
      }
      return PyString(std::get<std::string>(v));
    case KnobKind::kBool:
      return std::get<bool>(v) ? "True" : "False";
    case KnobKind::kAnnotate: {
      std::vector<std::string> quoted;
      for (const std::string& a : std::get<std::vector<std::string>>(v)) {
        quoted.push_back(PyString(a));
      }
      return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
    }
  }
  return "?";
}

Json Knob::ValueToJson(int64_t candidate) const {
  const KnobValue& v = value(candidate);
  switch (kind_) {
    case KnobKind::kSplit: {
      Json::Array extents;
      bool outermost = true;
      for (int64_t e : std::get<std::vector<int64_t>>(v)) {
        extents.push_back(Json(outermost ? int64_t{-1} : e));
        outermost = false;
      }
      return Json(std::move(extents));
    }
    case KnobKind::kChoice:
      if (std::holds_alternative<int64_t>(v)) return Json(std::get<int64_t>(v));
      return Json(std::get<std::string>(v));
    case KnobKind::kBool:
      return Json(std::get<bool>(v));
    case KnobKind::kAnnotate: {
      Json::Array names;
      for (const std::string& a : std::get<std::vector<std::string>>(v)) {
        names.push_back(Json(a));
      }
      return Json(std::move(names));
    }
  }
  return Json();
}

absl::StatusOr<int64_t> Knob::CandidateOfJson(const Json& value) const {
  // Candidates per knob are few; a linear scan over their JSON forms keeps
  // one definition of the record format (ValueToJson).
  for (int64_t i = 0; i < size(); ++i) {
    if (ValueToJson(i) == value) return i;
  }
  return absl::NotFoundError(absl::StrCat(
      "knob '", name_, "' (", KindName(kind_), ", ", size(),
      " candidates) has no candidate ", value.Dump()));
}

int Knob::feature_length() const {
  switch (kind_) {
    case KnobKind::kSplit:
      return static_cast<int>(
          std::get<std::vector<int64_t>>(candidates_[0]).size());
    case KnobKind::kAnnotate:
      return static_cast<int>(
          std::get<std::vector<std::string>>(candidates_[0]).size());
    case KnobKind::kChoice:
    case KnobKind::kBool:
      return 1;
  }
  return 0;
}

void Knob::AppendFeatures(int64_t candidate, std::vector<float>& out) const {
  const KnobValue& v = value(candidate);
  switch (kind_) {
    case KnobKind::kSplit:
      for (int64_t e : std::get<std::vector<int64_t>>(v)) {
        out.push_back(static_cast<float>(e));
      }
      return;
    case KnobKind::kChoice:
      out.push_back(std::holds_alternative<int64_t>(v)
                        ? static_cast<float>(std::get<int64_t>(v))
                        : static_cast<float>(candidate));
      return;
    case KnobKind::kBool:
      out.push_back(std::get<bool>(v) ? 1.0f : 0.0f);
      return;
    case KnobKind::kAnnotate:
      for (const std::string& a : std::get<std::vector<std::string>>(v)) {
        auto it = std::find(options_.begin(), options_.end(), a);
        out.push_back(static_cast<float>(it - options_.begin()));
      }
      return;
  }
}

// ---------------------------------------------------------------- Config

absl::StatusOr<const KnobValue*> Config::Find(absl::string_view name,
                                              KnobKind kind) const {
  for (size_t i = 0; i < knobs_->size(); ++i) {
    const Knob& knob = (*knobs_)[i];
    if (knob.name() != name) continue;
    if (knob.kind() != kind) {
      return absl::InvalidArgumentError(
          absl::StrCat("knob '", name, "' is a ", KindName(knob.kind()),
                       " knob, not a ", KindName(kind), " knob"));
    }
    return &knob.value(choices_[i]);
  }
  std::vector<std::string> names;
  for (const Knob& knob : *knobs_) names.push_back(knob.name());
  return absl::NotFoundError(absl::StrCat("no knob '", name, "'; knobs: ",
                                          absl::StrJoin(names, ", ")));
}

absl::StatusOr<std::vector<int64_t>> Config::Split(
    absl::string_view name) const {
  absl::StatusOr<const KnobValue*> v = Find(name, KnobKind::kSplit);
  if (!v.ok()) return v.status();
  return std::get<std::vector<int64_t>>(**v);
}

absl::StatusOr<int64_t> Config::Int(absl::string_view name) const {
  absl::StatusOr<const KnobValue*> v = Find(name, KnobKind::kChoice);
  if (!v.ok()) return v.status();
  if (!std::holds_alternative<int64_t>(**v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("choice knob '", name, "' holds strings, not ints"));
  }
  return std::get<int64_t>(**v);
}

absl::StatusOr<std::string> Config::String(absl::string_view name) const {
  absl::StatusOr<const KnobValue*> v = Find(name, KnobKind::kChoice);
  if (!v.ok()) return v.status();
  if (!std::holds_alternative<std::string>(**v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("choice knob '", name, "' holds ints, not strings"));
  }
  return std::get<std::string>(**v);
}

absl::StatusOr<bool> Config::Bool(absl::string_view name) const {
  absl::StatusOr<const KnobValue*> v = Find(name, KnobKind::kBool);
  if (!v.ok()) return v.status();
  return std::get<bool>(**v);
}

absl::StatusOr<std::vector<std::string>> Config::Annotation(
    absl::string_view name) const {
  absl::StatusOr<const KnobValue*> v = Find(name, KnobKind::kAnnotate);
  if (!v.ok()) return v.status();
  return std::get<std::vector<std::string>>(**v);
}

std::string Config::ToString() const {
  std::vector<std::string> items;
  for (size_t i = 0; i < knobs_->size(); ++i) {
    const Knob& knob = (*knobs_)[i];
    items.push_back(absl::StrCat("(", PyString(knob.name()), ", ",
                                 knob.ValueToString(choices_[i]), ")"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

Json Config::ToJson() const {
  Json::Array entity;
  for (size_t i = 0; i < knobs_->size(); ++i) {
    const Knob& knob = (*knobs_)[i];
    entity.push_back(Json(Json::Array{Json(knob.name()),
                                      Json(KindTag(knob.kind())),
                                      knob.ValueToJson(choices_[i])}));
  }
  Json json{Json::Object{}};
  json.Set("index", Json(index_));
  json.Set("entity", Json(std::move(entity)));
  return json;
}

std::vector<float> Config::KnobFeatures() const {
  std::vector<float> features;
  for (size_t i = 0; i < knobs_->size(); ++i) {
    (*knobs_)[i].AppendFeatures(choices_[i], features);
  }
  return features;
}

// ---------------------------------------------------------------- ConfigSpace

ConfigSpace::ConfigSpace() : knobs_(std::make_shared<const KnobList>()) {}

absl::Status ConfigSpace::AddKnob(Knob knob) {
  for (const Knob& existing : *knobs_) {
    if (existing.name() == knob.name()) {
      return absl::AlreadyExistsError(
          absl::StrCat("knob '", knob.name(), "' is defined twice"));
    }
  }
  if (knob.size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "knob '", knob.name(), "' has no candidate left (after filtering)"));
  }
  if (MultiplyOverflows(size_, knob.size())) {
    return absl::OutOfRangeError(absl::StrCat(
        "adding knob '", knob.name(), "' (", knob.size(),
        " candidates) makes the space larger than int64: ", size_, " x ",
        knob.size()));
  }
  auto knobs = std::make_shared<KnobList>(*knobs_);
  size_ *= knob.size();
  knobs->push_back(std::move(knob));
  knobs_ = std::move(knobs);
  return absl::OkStatus();
}

absl::Status ConfigSpace::DefineSplit(std::string name, int64_t extent,
                                      int num_outputs,
                                      const SplitOptions& options) {
  if (extent < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "split knob '", name, "': extent must be >= 1, got ", extent));
  }
  if (num_outputs < 1 || num_outputs > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("split knob '", name, "': num_outputs must be in [1, 8], "
                     "got ", num_outputs));
  }
  if (options.max_innermost < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "split knob '", name, "': max_innermost must be >= 0 (0: no limit)"));
  }
  std::vector<std::vector<int64_t>> inner_lists;
  std::vector<int64_t> prefix;
  if (!EnumerateInner(options.policy, extent, num_outputs - 1, prefix,
                      inner_lists)) {
    return absl::OutOfRangeError(absl::StrCat(
        "split knob '", name, "': more than ", kMaxKnobCandidates,
        " candidates for extent ", extent, " into ", num_outputs,
        " parts; use fewer parts or a filter"));
  }
  std::vector<KnobValue> candidates;
  for (const std::vector<int64_t>& inner : inner_lists) {
    int64_t inner_product = 1;
    for (int64_t f : inner) inner_product *= f;
    std::vector<int64_t> extents;
    extents.push_back((extent + inner_product - 1) / inner_product);
    extents.insert(extents.end(), inner.begin(), inner.end());
    if (options.max_innermost > 0 && extents.back() > options.max_innermost) {
      continue;
    }
    if (options.filter && !options.filter(extents)) continue;
    candidates.emplace_back(std::move(extents));
  }
  return AddKnob(Knob(std::move(name), KnobKind::kSplit, std::move(candidates)));
}

absl::Status ConfigSpace::DefineIntChoice(std::string name,
                                          std::vector<int64_t> values) {
  absl::flat_hash_set<int64_t> seen;
  std::vector<KnobValue> candidates;
  for (int64_t v : values) {
    if (!seen.insert(v).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("choice knob '", name, "' lists ", v, " twice"));
    }
    candidates.emplace_back(v);
  }
  return AddKnob(
      Knob(std::move(name), KnobKind::kChoice, std::move(candidates)));
}

absl::Status ConfigSpace::DefineStringChoice(std::string name,
                                             std::vector<std::string> values) {
  absl::flat_hash_set<std::string> seen;
  std::vector<KnobValue> candidates;
  for (std::string& v : values) {
    if (!seen.insert(v).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("choice knob '", name, "' lists '", v, "' twice"));
    }
    candidates.emplace_back(std::move(v));
  }
  return AddKnob(
      Knob(std::move(name), KnobKind::kChoice, std::move(candidates)));
}

absl::Status ConfigSpace::DefineBool(std::string name) {
  return AddKnob(Knob(std::move(name), KnobKind::kBool,
                      {KnobValue(false), KnobValue(true)}));
}

absl::Status ConfigSpace::DefineAnnotate(std::string name,
                                         std::vector<std::string> axes,
                                         std::vector<std::string> options) {
  if (axes.empty() || options.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "annotate knob '", name, "' needs at least one axis and one option"));
  }
  absl::flat_hash_set<std::string> seen(options.begin(), options.end());
  if (seen.size() != options.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("annotate knob '", name, "' lists an option twice"));
  }
  int64_t count = 1;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (MultiplyOverflows(count, static_cast<int64_t>(options.size())) ||
        count * static_cast<int64_t>(options.size()) > kMaxKnobCandidates) {
      return absl::OutOfRangeError(absl::StrCat(
          "annotate knob '", name, "': more than ", kMaxKnobCandidates,
          " combinations of ", options.size(), " options over ", axes.size(),
          " axes"));
    }
    count *= static_cast<int64_t>(options.size());
  }
  // Same layout as the space: the first axis varies fastest.
  std::vector<KnobValue> candidates;
  const int64_t n = static_cast<int64_t>(options.size());
  for (int64_t c = 0; c < count; ++c) {
    std::vector<std::string> value;
    int64_t rest = c;
    for (size_t a = 0; a < axes.size(); ++a) {
      value.push_back(options[rest % n]);
      rest /= n;
    }
    candidates.emplace_back(std::move(value));
  }
  return AddKnob(Knob(std::move(name), KnobKind::kAnnotate,
                      std::move(candidates), std::move(options)));
}

int ConfigSpace::KnobFeatureLength() const {
  int length = 0;
  for (const Knob& knob : *knobs_) length += knob.feature_length();
  return length;
}

absl::StatusOr<Config> ConfigSpace::Get(int64_t index) const {
  if (index < 0 || index >= size_) {
    return absl::OutOfRangeError(absl::StrCat(
        "config index ", index, " is outside the space [0, ", size_, ")"));
  }
  std::vector<int64_t> choices;
  choices.reserve(knobs_->size());
  int64_t rest = index;
  for (const Knob& knob : *knobs_) {
    choices.push_back(rest % knob.size());
    rest /= knob.size();
  }
  return Config(knobs_, index, std::move(choices));
}

Config ConfigSpace::At(int64_t index) const {
  absl::StatusOr<Config> config = Get(index);
  CHECK(config.ok()) << config.status();
  return *std::move(config);
}

absl::StatusOr<Config> ConfigSpace::FromChoices(
    std::vector<int64_t> choices) const {
  if (choices.size() != knobs_->size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", choices.size(), " knob choices for a space of ",
                     knobs_->size(), " knobs"));
  }
  int64_t index = 0;
  for (size_t i = knobs_->size(); i-- > 0;) {
    const Knob& knob = (*knobs_)[i];
    if (choices[i] < 0 || choices[i] >= knob.size()) {
      return absl::OutOfRangeError(absl::StrCat(
          "choice ", choices[i], " for knob '", knob.name(),
          "' is outside [0, ", knob.size(), ")"));
    }
    index = index * knob.size() + choices[i];
  }
  return Config(knobs_, index, std::move(choices));
}

absl::StatusOr<Config> ConfigSpace::FromJson(const Json& json) const {
  absl::StatusOr<const Json*> entity =
      GetMember(json, "entity", Json::Type::kArray);
  if (!entity.ok()) return entity.status();
  const Json::Array& items = (*entity)->as_array();
  if (items.size() != knobs_->size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config has ", items.size(), " knobs, the space has ",
                     knobs_->size()));
  }
  std::vector<int64_t> choices;
  for (size_t i = 0; i < items.size(); ++i) {
    const Knob& knob = (*knobs_)[i];
    const Json& item = items[i];
    if (!item.is_array() || item.as_array().size() != 3 ||
        !item.as_array()[0].is_string() || !item.as_array()[1].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config entity ", i,
                       " is not [name, kind, value]: ", item.Dump()));
    }
    const Json::Array& triple = item.as_array();
    if (triple[0].as_string() != knob.name() ||
        triple[1].as_string() != KindTag(knob.kind())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config entity ", i, " is ", triple[0].as_string(), "/",
          triple[1].as_string(), ", the space has ", knob.name(), "/",
          KindTag(knob.kind())));
    }
    absl::StatusOr<int64_t> candidate = knob.CandidateOfJson(triple[2]);
    if (!candidate.ok()) return candidate.status();
    choices.push_back(*candidate);
  }
  absl::StatusOr<Config> config = FromChoices(std::move(choices));
  if (config.ok()) {
    const Json* index = json.Find("index");
    if (index != nullptr && index->is_int() && index->as_int() != config->index()) {
      VLOG(1) << "config index " << index->as_int() << " in the record is now "
              << config->index() << " (knob candidates changed)";
    }
  }
  return config;
}

std::string ConfigSpace::ToString() const {
  std::string out = absl::StrCat("ConfigSpace (", size_, " points)");
  for (const Knob& knob : *knobs_) {
    absl::StrAppend(&out, "\n  ", knob.name(), ": ", KindName(knob.kind()),
                    ", ", knob.size(), " candidates");
  }
  return out;
}

}  // namespace kiln::tuning
