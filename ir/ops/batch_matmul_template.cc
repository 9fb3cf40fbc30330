#include "ir/ops/batch_matmul_template.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/template_registry.h"
#include "targets/target_parser.h"

namespace kiln::ir::ops {
namespace {

constexpr char kRowsKnob[] = "tile_rows";
constexpr char kVectorsKnob[] = "tile_vectors";
constexpr char kOuterKnob[] = "outer";
constexpr char kARowsOuter[] = "a_rows";
constexpr char kBPanelOuter[] = "b_panel";

// Operands larger than this are no workload a records file can honestly
// hold, and their element counts stay far from overflowing int64.
constexpr int64_t kMaxOperandElements = int64_t{1} << 40;
// What a harness allocates per buffer: a task this large is not measured.
constexpr int64_t kMaxMeasuredElements = int64_t{1} << 28;

const char* ElemName(DataType t) { return t == DataType::Float64() ? "float64" : "float32"; }

tuning::Json IntList(const std::vector<int64_t>& v) {
  tuning::Json::Array a;
  for (int64_t x : v) a.emplace_back(x);
  return tuning::Json(std::move(a));
}

// The element count of [extents..., rows, cols], saturating past
// kMaxOperandElements so that hostile extents cannot overflow.
int64_t Elements(std::vector<int64_t> extents, int64_t rows, int64_t cols) {
  extents.push_back(rows);
  extents.push_back(cols);
  int64_t n = 1;
  for (int64_t e : extents) {
    if (e < 1) return 0;
    if (e > kMaxOperandElements || n > kMaxOperandElements / e) return kMaxOperandElements + 1;
    n *= e;
  }
  return n;
}

std::string ShapeString(const std::vector<int64_t>& batch, int64_t rows, int64_t cols) {
  std::vector<int64_t> shape = batch;
  shape.push_back(rows);
  shape.push_back(cols);
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

// 1..bound, with `also` (a default that must be a point of the space).
std::vector<int64_t> OneTo(int64_t bound, int64_t also) {
  std::vector<int64_t> v;
  for (int64_t x = 1; x <= bound; ++x) v.push_back(x);
  if (also > bound) v.push_back(also);
  return v;
}

}  // namespace

tuning::Json BatchMatmulTaskArgs(const MatmulWorkload& w) {
  return tuning::Json(tuning::Json::Array{IntList(w.batch), IntList(w.a_batch), IntList(w.b_batch),
                                          tuning::Json(w.m), tuning::Json(w.k), tuning::Json(w.n),
                                          tuning::Json(ElemName(w.elem))});
}

absl::StatusOr<MatmulWorkload> BatchMatmulWorkloadOfArgs(const tuning::Json& args) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        kBatchMatmulTemplate,
        " args must be [[batch...], [a_batch...], [b_batch...], M, K, N, \"float32\" or "
        "\"float64\"] with positive sizes: ",
        why, "; got ", args.Dump()));
  };
  if (!args.is_array() || args.as_array().size() != 7) return bad("not a list of seven");
  const tuning::Json::Array& v = args.as_array();
  std::vector<int64_t> lists[3];
  for (int i = 0; i < 3; ++i) {
    if (!v[i].is_array()) return bad("a batch entry is no list");
    for (const tuning::Json& x : v[i].as_array()) {
      if (!x.is_int() || x.as_int() < 1) return bad("a batch extent is no positive integer");
      lists[i].push_back(x.as_int());
    }
  }
  int64_t sizes[3];
  for (int i = 0; i < 3; ++i) {
    if (!v[3 + i].is_int() || v[3 + i].as_int() < 1) return bad("M, K or N is no positive integer");
    sizes[i] = v[3 + i].as_int();
  }
  if (!v[6].is_string() || (v[6].as_string() != "float32" && v[6].as_string() != "float64")) {
    return bad("the element type is neither float32 nor float64");
  }
  MatmulWorkload w;
  w.batch = lists[0];
  w.a_batch = lists[1];
  w.b_batch = lists[2];
  w.m = sizes[0];
  w.k = sizes[1];
  w.n = sizes[2];
  w.elem = v[6].as_string() == "float64" ? DataType::Float64() : DataType::Float32();
  if (w.a_batch.size() != w.batch.size() || w.b_batch.size() != w.batch.size()) {
    return bad("the three batch lists differ in length");
  }
  for (size_t d = 0; d < w.batch.size(); ++d) {
    for (int64_t e : {w.a_batch[d], w.b_batch[d]}) {
      if (e != 1 && e != w.batch[d]) return bad("an operand's batch extent does not broadcast");
    }
  }
  if (Elements(w.a_batch, w.m, w.k) > kMaxOperandElements ||
      Elements(w.b_batch, w.k, w.n) > kMaxOperandElements ||
      Elements(w.batch, w.m, w.n) > kMaxOperandElements) {
    return bad("an operand has more than 2^40 elements");
  }
  return w;
}

absl::StatusOr<tuning::TuningTask> MakeBatchMatmulTask(const MatmulWorkload& w,
                                                       const targets::Target& target) {
  // The args carry a numpy matmul only: a workload with Gemm's options
  // would come back from them as another product.
  if (w.trans_a || w.trans_b || w.has_c || w.alpha != 1.0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kBatchMatmulTemplate,
                     " tunes numpy matmul: no transposed operand, no C and alpha 1"));
  }
  if (w.elem != DataType::Float32() && w.elem != DataType::Float64()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kBatchMatmulTemplate, " needs float32 or float64 operands, not ", w.elem.ToString()));
  }
  // What the args cannot say back (unequal batch ranks, sizes out of
  // range) is refused here rather than written to a record.
  const tuning::Json args = BatchMatmulTaskArgs(w);
  if (auto back = BatchMatmulWorkloadOfArgs(args); !back.ok()) return back.status();
  auto rows = MatmulKernelRows(w);
  if (!rows.ok()) return rows.status();
  auto d = DefaultMatmulConfig(w, target);
  if (!d.ok()) return d.status();
  const int64_t lanes = MatmulLanes(w, target);
  // Rows up to what one vector of columns leaves of the registers (one for
  // B's vector, one for A's broadcast element); up to four vectors, as long
  // as one row of them still fits and they hold columns of N. Larger tiles
  // of both spill, which the tuner measures rather than the space forbids.
  const int64_t max_rows = std::min<int64_t>(*rows, std::max(1, target.vector_registers - 2));
  const int64_t max_vectors =
      std::min<int64_t>({4, (w.n + lanes - 1) / lanes,
                         std::max(1, (target.vector_registers - 1) / 2)});
  tuning::TuningTask task;
  task.name = kBatchMatmulTemplate;
  task.args = args;
  task.target = target.ToString();
  task.flop = 2.0 * static_cast<double>(Elements(w.batch, w.m, w.n)) * w.k;
  if (auto st = task.space.DefineIntChoice(kRowsKnob, OneTo(max_rows, d->rows)); !st.ok()) {
    return st;
  }
  if (auto st = task.space.DefineIntChoice(kVectorsKnob, OneTo(max_vectors, d->vectors));
      !st.ok()) {
    return st;
  }
  if (auto st = task.space.DefineStringChoice(kOuterKnob, {kARowsOuter, kBPanelOuter}); !st.ok()) {
    return st;
  }
  return task;
}

absl::StatusOr<MatmulConfig> MatmulConfigFrom(const tuning::Config& config) {
  auto rows = config.Int(kRowsKnob);
  if (!rows.ok()) return rows.status();
  auto vectors = config.Int(kVectorsKnob);
  if (!vectors.ok()) return vectors.status();
  auto outer = config.String(kOuterKnob);
  if (!outer.ok()) return outer.status();
  MatmulConfig c;
  c.rows = *rows;
  c.vectors = *vectors;
  c.b_panel_outer = *outer == kBPanelOuter;
  return c;
}

absl::StatusOr<tuning::Config> BatchMatmulTaskConfig(const tuning::TuningTask& task,
                                                     const MatmulConfig& config) {
  std::vector<int64_t> choices;
  for (const tuning::Knob& knob : task.space.knobs()) {
    const tuning::Json value =
        knob.name() == kRowsKnob      ? tuning::Json(config.rows)
        : knob.name() == kVectorsKnob ? tuning::Json(config.vectors)
                                      : tuning::Json(config.b_panel_outer ? kBPanelOuter
                                                                          : kARowsOuter);
    auto choice = knob.CandidateOfJson(value);
    if (!choice.ok()) return choice.status();
    choices.push_back(*choice);
  }
  return task.space.FromChoices(choices);
}

absl::StatusOr<tuning::KernelHarness> BatchMatmulHarness(const MatmulWorkload& w,
                                                         const targets::Target& target) {
  if (w.elem != DataType::Float32()) {
    return absl::UnimplementedError(
        absl::StrCat(kBatchMatmulTemplate, " of ", ElemName(w.elem),
                     " is not measurable: a harness's buffers are float32"));
  }
  const int64_t a_size = Elements(w.a_batch, w.m, w.k), b_size = Elements(w.b_batch, w.k, w.n),
                out_size = Elements(w.batch, w.m, w.n);
  if (std::max({a_size, b_size, out_size}) > kMaxMeasuredElements) {
    return absl::UnimplementedError(absl::StrCat(
        kBatchMatmulTemplate, " of ", ShapeString(w.a_batch, w.m, w.k), " x ",
        ShapeString(w.b_batch, w.k, w.n), " is too large to measure (at most 2^28 elements an "
                                          "operand)"));
  }
  tuning::KernelHarness h;
  // Both operands are activations the model computes just before (Q, K, P,
  // V), so none is left cold while timing.
  h.weight_buffer = -1;
  h.build = [w, target](const tuning::Config& config) -> absl::StatusOr<LoweredFunc> {
    auto c = MatmulConfigFrom(config);
    if (!c.ok()) return c.status();
    return BuildMatmul(w, target, "candidate", *c);
  };
  h.make_buffers = [a_size, b_size, out_size](const tuning::Config&)
      -> absl::StatusOr<std::vector<std::vector<float>>> {
    tuning::HarnessValues values(29);
    std::vector<float> a = values.Next(a_size);
    std::vector<float> b = values.Next(b_size);
    return std::vector<std::vector<float>>{std::move(a), std::move(b),
                                           std::vector<float>(out_size, 0.0f)};
  };
  // The output [batch..., M, N] is the same layout for every config.
  h.canonical_output = [](const tuning::Config&,
                          const std::vector<float>& out) -> absl::StatusOr<std::vector<float>> {
    return out;
  };
  return h;
}

absl::StatusOr<MatmulConfig> BatchMatmulScheduleOfNode(const std::optional<std::string>& schedule,
                                                       const MatmulWorkload& w,
                                                       const targets::Target& target) {
  if (!schedule) return DefaultMatmulConfig(w, target);
  auto task = MakeBatchMatmulTask(w, target);
  if (!task.ok()) return task.status();
  auto config = tuning::ScheduleFromAttr(*task, *schedule);
  if (!config.ok()) return config.status();
  return MatmulConfigFrom(*config);
}

namespace {

tuning::TunableTemplate BatchMatmulTemplate() {
  tuning::TunableTemplate t;
  t.make_task = [](const tuning::Json& args,
                   const targets::Target& target) -> absl::StatusOr<tuning::TuningTask> {
    auto w = BatchMatmulWorkloadOfArgs(args);
    if (!w.ok()) return w.status();
    return MakeBatchMatmulTask(*w, target);
  };
  t.default_config = [](const tuning::TuningTask& task,
                        const targets::Target& target) -> absl::StatusOr<tuning::Config> {
    auto w = BatchMatmulWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    auto d = DefaultMatmulConfig(*w, target);
    if (!d.ok()) return d.status();
    return BatchMatmulTaskConfig(task, *d);
  };
  t.harness = [](const tuning::TuningTask& task) -> absl::StatusOr<tuning::KernelHarness> {
    auto w = BatchMatmulWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    // The vector width of a candidate is the target's: the task names it.
    auto target = targets::ParseTarget(task.target);
    if (!target.ok()) return target.status();
    return BatchMatmulHarness(*w, *target);
  };
  t.describe = [](const tuning::TuningTask& task) {
    auto w = BatchMatmulWorkloadOfArgs(task.args);
    return w.ok() ? absl::StrCat("batch_matmul(", ShapeString(w->a_batch, w->m, w->k), " x ",
                                 ShapeString(w->b_batch, w->k, w->n), ", ", ElemName(w->elem),
                                 ")")
                  : task.args.Dump();
  };
  return t;
}

}  // namespace

KILN_REGISTER(tuning::TemplateRegistry(), kBatchMatmulTemplate,
              "numpy matmul of run-time operands: register tile rows x vectors, loop order",
              BatchMatmulTemplate());

}  // namespace kiln::ir::ops
