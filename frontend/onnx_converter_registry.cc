#include "frontend/onnx_converter_registry.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kiln::frontend {

std::string OnnxConverterRegistration::RangeString() const {
  if (until_version == kLatestOpset) return absl::StrCat(since_version, "+");
  if (until_version == since_version) return absl::StrCat(since_version);
  return absl::StrCat(since_version, "-", until_version);
}

namespace {

// What is wrong with `r` taken alone, or OK.
absl::Status CheckRegistration(const OnnxConverterRegistration& r) {
  if (r.op_type.empty()) {
    return absl::InvalidArgumentError("cannot register an ONNX converter with an empty op type");
  }
  if (r.since_version < 1 || r.until_version < r.since_version) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ONNX converter for ", r.op_type, " has opset range ", r.since_version, " to ",
        r.until_version, "; expected 1 <= since_version <= until_version"));
  }
  if (!r.convert) {
    return absl::InvalidArgumentError(absl::StrCat("ONNX converter for ", r.op_type,
                                                   " at opsets ", r.RangeString(),
                                                   " has no converter function"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status OnnxConverterRegistry::Register(std::string op_type, int since_version,
                                             int until_version, Converter convert) {
  auto entry = std::make_unique<OnnxConverterRegistration>(OnnxConverterRegistration{
      std::move(op_type), since_version, until_version, std::move(convert)});
  absl::MutexLock lock(&mu_);
  absl::Status error = CheckRegistration(*entry);
  if (auto it = by_op_.find(entry->op_type); error.ok() && it != by_op_.end()) {
    for (const auto& other : it->second) {
      if (other->since_version <= until_version && since_version <= other->until_version) {
        error = absl::AlreadyExistsError(absl::StrCat(
            "ONNX converters for ", entry->op_type, " overlap: opsets ", entry->RangeString(),
            " and ", other->RangeString(), "; each opset needs exactly one converter"));
        break;
      }
    }
  }
  if (!error.ok()) {
    if (first_error_.ok()) first_error_ = error;
    return error;
  }
  auto& ranges = by_op_[entry->op_type];
  const auto at = std::upper_bound(
      ranges.begin(), ranges.end(), since_version,
      [](int since, const auto& r) { return since < r->since_version; });
  ranges.insert(at, std::move(entry));
  return absl::OkStatus();
}

const OnnxConverterRegistration* OnnxConverterRegistry::Find(absl::string_view op_type,
                                                             int64_t opset) const {
  absl::MutexLock lock(&mu_);
  auto it = by_op_.find(op_type);
  if (it == by_op_.end()) return nullptr;
  for (const auto& r : it->second) {
    if (r->Handles(opset)) return r.get();
  }
  return nullptr;
}

std::vector<const OnnxConverterRegistration*> OnnxConverterRegistry::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<const OnnxConverterRegistration*> all;
  for (const auto& [op, ranges] : by_op_) {
    for (const auto& r : ranges) all.push_back(r.get());
  }
  std::sort(all.begin(), all.end(), [](const auto* a, const auto* b) {
    return std::tie(a->op_type, a->since_version) < std::tie(b->op_type, b->since_version);
  });
  return all;
}

std::string OnnxConverterRegistry::OpsetsOf(absl::string_view op_type) const {
  absl::MutexLock lock(&mu_);
  auto it = by_op_.find(op_type);
  if (it == by_op_.end()) return "";
  return absl::StrJoin(it->second, ", ", [](std::string* out, const auto& r) {
    out->append(r->RangeString());
  });
}

absl::Status OnnxConverterRegistry::status() const {
  absl::MutexLock lock(&mu_);
  return first_error_;
}

OnnxConverterRegistry& OnnxConverters() {
  static auto* registry = new OnnxConverterRegistry();
  return *registry;
}

namespace registry_internal {
bool RegisterOnnxConverterAtStartup(const char* op_type, int since_version, int until_version,
                                    Converter convert) {
  return OnnxConverters().Register(op_type, since_version, until_version, std::move(convert)).ok();
}
}  // namespace registry_internal

}  // namespace kiln::frontend
