#include "driver/compile_model.h"

#include <algorithm>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "targets/target_parser.h"
#include "tuners/graph_tasks.h"
#include "tuners/records.h"

namespace kiln::driver {

absl::StatusOr<frontend::InputShapes> ParseInputShapes(absl::string_view spec) {
  frontend::InputShapes shapes;
  for (absl::string_view item : absl::StrSplit(spec, ' ', absl::SkipWhitespace())) {
    const auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat(
          "input shape '", item, "' is not of the form name:[d0,d1,...], e.g. data:[1,3,224,224]"));
    };
    const size_t colon = item.rfind(":[");
    if (colon == absl::string_view::npos || colon == 0 || !absl::EndsWith(item, "]")) return bad();
    absl::string_view dims = item.substr(colon + 2, item.size() - colon - 3);
    std::vector<int64_t> shape;
    for (absl::string_view d : absl::StrSplit(dims, ',', absl::SkipWhitespace())) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(d, &v) || v < 1) return bad();
      shape.push_back(v);
    }
    if (!shapes.emplace(std::string(item.substr(0, colon)), shape).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", item.substr(0, colon), "' has two shapes"));
    }
  }
  return shapes;
}

namespace {

// What the records did for this model, in one or two sentences: how many
// workloads they tuned, which they had nothing for, and when they tuned
// nothing, what they hold instead.
std::string RecordsSummary(const std::string& path, const tuners::RecordsFile& file,
                           const tuners::HistorySchedules& schedules,
                           const targets::Target& target) {
  const int missing = static_cast<int>(schedules.missing().size());
  std::string summary = absl::StrCat("tuning records ", path, ": ", schedules.applied(), " of ",
                                     schedules.applied() + missing,
                                     " tunable workloads compiled with their best record");
  if (missing > 0) {
    constexpr int kNamed = 3;
    std::vector<std::string> named(schedules.missing().begin(),
                                   schedules.missing().begin() + std::min(missing, kNamed));
    absl::StrAppend(&summary, "; the target's default for ", absl::StrJoin(named, ", "),
                    missing > kNamed ? absl::StrCat(" and ", missing - kNamed, " more") : "");
  }
  if (schedules.applied() == 0) {
    std::vector<std::string> targets, templates;
    for (const tuners::Record& r : file.records) {
      if (std::find(targets.begin(), targets.end(), r.target) == targets.end()) {
        targets.push_back(r.target);
      }
      if (std::find(templates.begin(), templates.end(), r.task_name) == templates.end()) {
        templates.push_back(r.task_name);
      }
    }
    absl::StrAppend(
        &summary, ". No record matches: the file holds ", file.records.size(), " records of ",
        absl::StrJoin(templates, ", "), " for target \"", absl::StrJoin(targets, "\", \""),
        "\", and this compile is for \"", target.ToString(),
        "\" (records apply only to the same workloads on the same target string; run `kiln "
        "tune` on this model with this --target)");
  }
  return summary;
}

}  // namespace

absl::StatusOr<CompiledModel> CompileModel(graph::Graph g, const CompileModelOptions& options) {
  auto target = targets::ParseTarget(options.target);
  if (!target.ok()) return target.status();
  CompiledModel model{*target, {}, {}};
  codegen::CompileOptions compile;
  tuners::RecordsFile file;
  tuners::HistoryBest history;
  std::optional<tuners::HistorySchedules> schedules;
  if (!options.tuning_records.empty()) {
    auto loaded = tuners::ReadRecords(options.tuning_records);
    if (!loaded.ok()) {
      return absl::Status(loaded.status().code(),
                          absl::StrCat("tuning records: ", loaded.status().message()));
    }
    file = *std::move(loaded);
    history = tuners::HistoryBest::FromRecords(file.records);
    schedules.emplace(history);
    compile.schedules = &*schedules;
  }
  auto compiled = codegen::CompileGraph(std::move(g), *target, compile);
  if (!compiled.ok()) return compiled.status();
  model.compiled = *std::move(compiled);
  if (schedules) {
    model.untuned_workloads = schedules->missing();
    model.records_summary = RecordsSummary(options.tuning_records, file, *schedules, *target);
  }
  return model;
}

}  // namespace kiln::driver
