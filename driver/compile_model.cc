#include "driver/compile_model.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "targets/target_parser.h"
#include "tuners/graph_tasks.h"
#include "tuners/records.h"

namespace kiln::driver {

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

std::string ExampleInputShapes(const std::string& path) {
  auto inputs = frontend::ReadOnnxInputs(path);
  if (!inputs.ok()) return "";
  std::vector<std::string> entries;
  for (const frontend::DeclaredInput& in : *inputs) {
    entries.push_back(absl::StrCat(in.name, ":", in.example_shape));
  }
  return absl::StrJoin(entries, " ");
}

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
