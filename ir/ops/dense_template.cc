#include "ir/ops/dense_template.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/template_registry.h"
#include "targets/target_parser.h"

namespace kiln::ir::ops {

tuning::Json DenseTaskArgs(const DenseWorkload& w) {
  return tuning::Json(tuning::Json::Array{tuning::Json(w.m), tuning::Json(w.k), tuning::Json(w.n)});
}

absl::StatusOr<DenseWorkload> DenseWorkloadOfArgs(const tuning::Json& args) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        kDenseTemplate, " args must be three positive integers [M, K, N]; got ", args.Dump()));
  };
  if (!args.is_array() || args.as_array().size() != 3) return bad();
  std::vector<int64_t> v;
  for (const tuning::Json& x : args.as_array()) {
    if (!x.is_int() || x.as_int() < 1) return bad();
    v.push_back(x.as_int());
  }
  DenseWorkload w;
  w.m = v[0];
  w.k = v[1];
  w.n = v[2];
  return w;
}

absl::StatusOr<tuning::TuningTask> MakeDenseTask(const DenseWorkload& w,
                                                 const targets::Target& target) {
  if (w.m < 1 || w.n < 1 || w.k < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("dense of ", w.m, "x", w.k, " by ", w.n, ": sizes must be positive"));
  }
  const DenseConfig d = DefaultDenseConfig(w, target);
  // Output-feature blocks up to four vectors and row tiles up to the
  // register count: past those the accumulators no longer fit in registers.
  std::vector<int64_t> n_blocks, m_tiles;
  for (int64_t b = 1; b <= std::min<int64_t>(w.n, 4 * target.vector_lanes); ++b) {
    if (w.n % b == 0) n_blocks.push_back(b);
  }
  for (int64_t t = 1; t <= std::min<int64_t>(w.m, target.vector_registers); ++t) {
    if (w.m % t == 0) m_tiles.push_back(t);
  }
  // The default is always a point of the space.
  for (auto [values, v] : {std::pair{&n_blocks, d.n_bn}, std::pair{&m_tiles, d.m_tile}}) {
    if (std::find(values->begin(), values->end(), v) == values->end()) {
      values->push_back(v);
      std::sort(values->begin(), values->end());
    }
  }
  tuning::TuningTask task;
  task.name = kDenseTemplate;
  task.args = DenseTaskArgs(w);
  task.target = target.ToString();
  task.flop = 2.0 * w.m * w.n * w.k;
  if (auto st = task.space.DefineIntChoice("tile_n", n_blocks); !st.ok()) return st;
  if (auto st = task.space.DefineIntChoice("tile_m", m_tiles); !st.ok()) return st;
  return task;
}

absl::StatusOr<DenseConfig> DenseConfigFrom(const tuning::Config& config) {
  auto n_bn = config.Int("tile_n");
  if (!n_bn.ok()) return n_bn.status();
  auto m_tile = config.Int("tile_m");
  if (!m_tile.ok()) return m_tile.status();
  DenseConfig c;
  c.n_bn = *n_bn;
  c.m_tile = *m_tile;
  return c;
}

absl::StatusOr<tuning::Config> DenseTaskConfig(const tuning::TuningTask& task,
                                               const DenseConfig& config) {
  std::vector<int64_t> choices;
  for (const tuning::Knob& knob : task.space.knobs()) {
    const int64_t want = knob.name() == "tile_n" ? config.n_bn : config.m_tile;
    int64_t found = -1;
    for (int64_t k = 0; k < knob.size(); ++k) {
      if (std::get<int64_t>(knob.value(k)) == want) found = k;
    }
    if (found < 0) {
      return absl::NotFoundError(
          absl::StrCat("value ", want, " of knob ", knob.name(), " is not in the space"));
    }
    choices.push_back(found);
  }
  return task.space.FromChoices(choices);
}

tuning::KernelHarness DenseHarness(const DenseWorkload& w, const targets::Target& target) {
  tuning::KernelHarness h;
  h.weight_buffer = 1;  // data, packed weight, output
  h.build = [w, target](const tuning::Config& config) -> absl::StatusOr<LoweredFunc> {
    auto c = DenseConfigFrom(config);
    if (!c.ok()) return c.status();
    return BuildDense(w, *c, target, "candidate");
  };
  h.make_buffers =
      [w](const tuning::Config& config) -> absl::StatusOr<std::vector<std::vector<float>>> {
    auto c = DenseConfigFrom(config);
    if (!c.ok()) return c.status();
    if (c->n_bn < 1 || w.n % c->n_bn != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("tile_n ", c->n_bn, " does not divide N=", w.n));
    }
    tuning::HarnessValues values(23);
    const std::vector<float> data = values.Next(w.m * w.k);
    const std::vector<float> weight_nk = values.Next(w.n * w.k);
    return std::vector<std::vector<float>>{
        data, PackDenseWeight(weight_nk.data(), w.k, w.n, /*weight_is_nk=*/true, c->n_bn),
        std::vector<float>(w.m * w.n, 0.0f)};
  };
  // The output [M, N] is the same layout for every config.
  h.canonical_output = [](const tuning::Config&,
                          const std::vector<float>& out) -> absl::StatusOr<std::vector<float>> {
    return out;
  };
  return h;
}

absl::StatusOr<DenseConfig> DenseScheduleOfNode(const std::optional<std::string>& schedule,
                                                const DenseWorkload& w,
                                                const targets::Target& target) {
  if (!schedule) return DefaultDenseConfig(w, target);
  auto task = MakeDenseTask(w, target);
  if (!task.ok()) return task.status();
  auto config = tuning::ScheduleFromAttr(*task, *schedule);
  if (!config.ok()) return config.status();
  return DenseConfigFrom(*config);
}

namespace {

tuning::TunableTemplate DenseTemplate() {
  tuning::TunableTemplate t;
  t.make_task = [](const tuning::Json& args,
                   const targets::Target& target) -> absl::StatusOr<tuning::TuningTask> {
    auto w = DenseWorkloadOfArgs(args);
    if (!w.ok()) return w.status();
    return MakeDenseTask(*w, target);
  };
  t.default_config = [](const tuning::TuningTask& task,
                        const targets::Target& target) -> absl::StatusOr<tuning::Config> {
    auto w = DenseWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    return DenseTaskConfig(task, DefaultDenseConfig(*w, target));
  };
  t.harness = [](const tuning::TuningTask& task) -> absl::StatusOr<tuning::KernelHarness> {
    auto w = DenseWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    // The vector width of a candidate is the target's: the task names it.
    auto target = targets::ParseTarget(task.target);
    if (!target.ok()) return target.status();
    return DenseHarness(*w, *target);
  };
  t.describe = [](const tuning::TuningTask& task) {
    auto w = DenseWorkloadOfArgs(task.args);
    return w.ok() ? absl::StrCat("dense(m=", w->m, ", k=", w->k, ", n=", w->n, ")")
                  : task.args.Dump();
  };
  return t;
}

}  // namespace

KILN_REGISTER(tuning::TemplateRegistry(), kDenseTemplate,
              "dense with a packed weight: output-feature blocks x row tiles", DenseTemplate());

}  // namespace kiln::ir::ops
