#include "driver/compile_model.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

absl::StatusOr<CompiledModel> CompileModel(graph::Graph g, const CompileModelOptions& options) {
  auto target = targets::ParseTarget(options.target);
  if (!target.ok()) return target.status();
  CompiledModel model{*target, {}, {}};
  codegen::CompileOptions compile;
  tuners::HistoryBest history;
  if (!options.tuning_records.empty()) {
    auto loaded = tuners::ApplyHistoryBest(options.tuning_records);
    if (!loaded.ok()) {
      return absl::Status(loaded.status().code(),
                          absl::StrCat("tuning records: ", loaded.status().message()));
    }
    history = *std::move(loaded);
    compile.conv_config =
        tuners::ConvConfigsFromRecords(history, *target, &model.untuned_workloads);
  }
  auto compiled = codegen::CompileGraph(std::move(g), *target, compile);
  if (!compiled.ok()) return compiled.status();
  model.compiled = *std::move(compiled);
  return model;
}

}  // namespace kiln::driver
