// A tiny, typed name -> entry registry for plugins (tuners, targets, ...).
//
// A plugin lives in its own cc_library with `alwayslink = 1` and registers
// itself at static-initialization time with KILN_REGISTER, so linking the
// library into a binary is all it takes to make the plugin available:
//
//   KILN_REGISTER(TunerRegistry(), "random", "uniform random search",
//                 &MakeRandomTuner);
//
// Registration cannot fail loudly at static-init time (there is no caller to
// hand an error to), so a clash is remembered and reported by status(), which
// binaries check at startup, and by every Find().
#ifndef KILN_RUNTIME_REGISTRY_H_
#define KILN_RUNTIME_REGISTRY_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace kiln {

template <typename Entry>
class Registry {
 public:
  // `kind` names what is registered ("tuner", "target") in error messages.
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  absl::Status Register(absl::string_view name, std::string description,
                        Entry entry) {
    absl::MutexLock lock(&mu_);
    if (name.empty()) {
      return Remember(absl::InvalidArgumentError(
          absl::StrCat("cannot register a ", kind_, " with an empty name")));
    }
    auto [it, inserted] = entries_.try_emplace(
        std::string(name), Item{std::move(description), std::move(entry)});
    if (!inserted) {
      return Remember(absl::AlreadyExistsError(absl::StrCat(
          kind_, " '", name, "' is registered twice; registered ", kind_,
          "s: ", absl::StrJoin(SortedNamesLocked(), ", "))));
    }
    return absl::OkStatus();
  }

  // The entry registered under `name`, or NotFound listing what exists.
  absl::StatusOr<Entry> Find(absl::string_view name) const {
    absl::MutexLock lock(&mu_);
    if (!first_error_.ok()) return first_error_;
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      return absl::NotFoundError(absl::StrCat(
          "unknown ", kind_, " '", name, "'; registered ", kind_, "s: ",
          entries_.empty() ? std::string("(none)")
                           : absl::StrJoin(SortedNamesLocked(), ", ")));
    }
    return it->second.entry;
  }

  std::vector<std::string> Names() const {
    absl::MutexLock lock(&mu_);
    return SortedNamesLocked();
  }

  // One-line description given at registration, "" for unknown names.
  std::string Description(absl::string_view name) const {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(name);
    return it == entries_.end() ? std::string() : it->second.description;
  }

  // OK unless a registration failed (a duplicate or empty name).
  absl::Status status() const {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

  const std::string& kind() const { return kind_; }

 private:
  struct Item {
    std::string description;
    Entry entry;
  };

  absl::Status Remember(absl::Status error) {
    if (first_error_.ok()) first_error_ = error;
    return error;
  }

  std::vector<std::string> SortedNamesLocked() const {
    std::vector<std::string> names;
    names.reserve(entries_.size());
    for (const auto& [name, item] : entries_) names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
  }

  const std::string kind_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Item> entries_;
  absl::Status first_error_;
};

namespace registry_internal {
// Registers and swallows the status: a failure is kept by the registry and
// surfaces through status() and Find().
template <typename Entry, typename Value>
bool RegisterAtStartup(Registry<Entry>& registry, absl::string_view name,
                       std::string description, Value&& value) {
  return registry
      .Register(name, std::move(description), Entry(std::forward<Value>(value)))
      .ok();
}
}  // namespace registry_internal

}  // namespace kiln

#define KILN_REGISTRY_CONCAT_INNER(a, b) a##b
#define KILN_REGISTRY_CONCAT(a, b) KILN_REGISTRY_CONCAT_INNER(a, b)

// Registers `entry` under `name` in `registry` (an expression returning a
// Registry<Entry>&) when the enclosing object file is loaded.
#define KILN_REGISTER(registry, name, description, entry)              \
  [[maybe_unused]] static const bool KILN_REGISTRY_CONCAT(             \
      kiln_registered_, __COUNTER__) =                                 \
      ::kiln::registry_internal::RegisterAtStartup((registry), (name), \
                                                   (description), (entry))

#endif  // KILN_RUNTIME_REGISTRY_H_
