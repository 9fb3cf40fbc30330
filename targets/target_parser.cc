#include "targets/target_parser.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "targets/target_registry.h"

namespace kiln::targets {

absl::StatusOr<Target> ParseTarget(absl::string_view text) {
  std::vector<absl::string_view> words = absl::StrSplit(text, ' ', absl::SkipWhitespace());
  if (words.empty()) {
    return absl::InvalidArgumentError("empty target string; expected e.g. \"llvm\" or "
                                      "\"llvm -mcpu=skylake-avx512\"");
  }
  auto kind = TargetKindRegistry().Find(words[0]);
  if (!kind.ok()) return kind.status();
  TargetOptions options;
  for (size_t k = 1; k < words.size(); ++k) {
    absl::string_view word = words[k];
    if (!absl::ConsumePrefix(&word, "-")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target option '", words[k], "' must look like -key=value (in '", text, "')"));
    }
    absl::ConsumePrefix(&word, "-");  // --key=value is accepted too
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(word, absl::MaxSplits('=', 1));
    if (kv.first.empty() || kv.second.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target option '", words[k], "' must look like -key=value (in '", text, "')"));
    }
    if (!options.emplace(std::string(kv.first), std::string(kv.second)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("target option -", kv.first, " is given twice in '", text, "'"));
    }
  }
  return (*kind)(options);
}

}  // namespace kiln::targets
