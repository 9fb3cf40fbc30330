#include "passes/schedule_matmul.h"

#include "absl/strings/str_cat.h"
#include "ir/ops/batch_matmul_template.h"
#include "ir/ops/dense.h"

namespace kiln::passes {

absl::Status ScheduleMatmul(graph::Graph& g, const targets::Target& target,
                            tuning::ScheduleContext* schedules) {
  for (graph::Node& n : g.mutable_nodes()) {
    if (n.op != "matmul" || n.inputs.size() != 2 || n.outputs.size() != 1) continue;
    // Only float32 products are tuned: a harness's buffers are float32
    // (float64 ones keep the default).
    bool float32 = true;
    for (int v : {n.inputs[0], n.inputs[1], n.outputs[0]}) {
      float32 = float32 && v >= 0 && g.value(v).type.dtype == runtime::DType::kFloat32;
    }
    if (!float32) continue;
    auto w = ir::ops::NumpyMatmulWorkload(g.value(n.inputs[0]).type.shape,
                                          g.value(n.inputs[1]).type.shape);
    if (!w.ok()) {
      return absl::Status(w.status().code(),
                          absl::StrCat(graph::NodeLabel(n), ": ", w.status().message()));
    }
    // A product with an empty dimension has nothing to tune (the matmul
    // kernel takes positive sizes only).
    bool empty = w->m < 1 || w->k < 1 || w->n < 1;
    for (int64_t e : w->batch) empty = empty || e < 1;
    if (empty) continue;
    auto config = tuning::ChooseSchedule(schedules, ir::ops::kBatchMatmulTemplate,
                                         ir::ops::BatchMatmulTaskArgs(*w), target);
    if (!config.ok()) {
      return absl::Status(config.status().code(),
                          absl::StrCat(graph::NodeLabel(n), ": ", config.status().message()));
    }
    n.attrs[tuning::kScheduleAttr] = config->ToJson().Dump();
  }
  return absl::OkStatus();
}

}  // namespace kiln::passes
