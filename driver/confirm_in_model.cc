#include "driver/confirm_in_model.h"

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "codegen/graph_compiler.h"
#include "driver/run_model.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/template_registry.h"
#include "runtime/thread_pool.h"
#include "tuners/records.h"

namespace kiln::driver {
namespace {

// The records' choice for every workload, except the ones overridden.
class OverriddenSchedules final : public tuning::ScheduleContext {
 public:
  OverriddenSchedules(const tuners::HistoryBest& history,
                      absl::flat_hash_map<std::string, tuning::Config> overrides)
      : history_(history), overrides_(std::move(overrides)) {}

  tuning::Config Query(const tuning::TuningTask& task, const tuning::Config& fallback) override {
    if (auto it = overrides_.find(task.WorkloadKey()); it != overrides_.end()) return it->second;
    absl::StatusOr<tuning::Config> best = history_.BestConfig(task);
    return best.ok() ? *best : fallback;
  }

 private:
  const tuners::HistoryBest& history_;
  absl::flat_hash_map<std::string, tuning::Config> overrides_;
};

struct Candidate {
  const tuners::GraphTask* task;
  tuning::Config pick;
  std::vector<int> steps;  // of the pick's nodes and their consumers
};

absl::StatusOr<codegen::JitModel> Build(const graph::Graph& g, const targets::Target& target,
                                        tuning::ScheduleContext& schedules,
                                        graph::Graph* optimized) {
  codegen::CompileOptions options;
  options.schedules = &schedules;
  auto compiled = codegen::CompileGraph(g, target, options);
  if (!compiled.ok()) return compiled.status();
  auto model = codegen::BuildJitModel(*compiled, target);
  if (!model.ok()) return model.status();
  if (auto st = SetRandomInputs(*model->executor, /*seed=*/1); !st.ok()) return st;
  *optimized = std::move(compiled->optimized);
  return model;
}

std::string ScheduleOf(const graph::Node& n) {
  absl::StatusOr<std::string> schedule = n.String(tuning::kScheduleAttr, "");
  return schedule.ok() ? *schedule : "";
}

// Node index by the name of its first output.
absl::flat_hash_map<std::string, int> NodesByOutput(const graph::Graph& g) {
  absl::flat_hash_map<std::string, int> nodes;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    if (!g.nodes()[i].outputs.empty()) {
      nodes[g.value(g.nodes()[i].outputs[0]).name] = static_cast<int>(i);
    }
  }
  return nodes;
}

// Each candidate's steps in the picks' model: the nodes whose schedule is
// the pick where the defaults' model has the default, and the nodes that
// read their outputs (unless those are another candidate's own nodes).
// Returns the matching steps of the defaults' model alongside.
absl::StatusOr<std::vector<std::vector<int>>> AssignSteps(const graph::Graph& defaults,
                                                          const graph::Graph& picks,
                                                          std::vector<Candidate>& candidates) {
  const auto default_nodes = NodesByOutput(defaults);
  std::vector<int> owner(picks.nodes().size(), -1);
  std::vector<int> counterpart(picks.nodes().size(), -1);
  for (size_t i = 0; i < picks.nodes().size(); ++i) {
    const graph::Node& n = picks.nodes()[i];
    if (n.outputs.empty()) continue;
    auto it = default_nodes.find(picks.value(n.outputs[0]).name);
    if (it == default_nodes.end()) continue;
    counterpart[i] = it->second;
    const std::string pick = ScheduleOf(n), fallback = ScheduleOf(defaults.nodes()[it->second]);
    if (pick == fallback) continue;
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (pick == candidates[k].pick.ToJson().Dump() &&
          fallback == candidates[k].task->default_config.ToJson().Dump()) {
        owner[i] = static_cast<int>(k);
        candidates[k].steps.push_back(static_cast<int>(i));
      }
    }
  }
  absl::flat_hash_map<int, std::vector<int>> readers;  // value id -> nodes
  for (size_t j = 0; j < picks.nodes().size(); ++j) {
    for (int in : picks.nodes()[j].inputs) {
      if (in >= 0) readers[in].push_back(static_cast<int>(j));
    }
  }
  std::vector<std::vector<int>> default_steps;
  for (Candidate& c : candidates) {
    absl::flat_hash_set<int> steps(c.steps.begin(), c.steps.end());
    for (int i : c.steps) {
      for (int out : picks.nodes()[i].outputs) {
        for (int j : readers[out]) {
          if (owner[j] < 0) steps.insert(j);
        }
      }
    }
    c.steps.assign(steps.begin(), steps.end());
    std::sort(c.steps.begin(), c.steps.end());
    std::vector<int> matched;
    for (int i : c.steps) {
      if (counterpart[i] < 0) {
        return absl::InternalError(absl::StrCat(
            "the two builds differ in more than schedules (no counterpart for ",
            picks.NodeLabel(i), ")"));
      }
      matched.push_back(counterpart[i]);
    }
    default_steps.push_back(std::move(matched));
  }
  return default_steps;
}

// The plan step that computes each node of `g`, by the name of the node's
// last output (a step's last argument); -1 for nodes without a step of
// their own (a reshape that is a view of its input).
std::vector<int> StepOfNode(const graph::Graph& g, const runtime::ExecutionPlan& plan) {
  absl::flat_hash_map<std::string, int> step_by_output;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const runtime::PlanStep& step = plan.steps[i];
    if (step.kind == runtime::PlanStep::Kind::kCheckBound || step.args.empty()) continue;
    step_by_output[plan.slots[step.args.back()].name] = static_cast<int>(i);
  }
  std::vector<int> steps(g.nodes().size(), -1);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    if (g.nodes()[i].outputs.empty()) continue;
    auto it = step_by_output.find(g.value(g.nodes()[i].outputs.back()).name);
    if (it != step_by_output.end()) steps[i] = it->second;
  }
  return steps;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

tuners::Record InModelRecord(const tuners::GraphTask& t, const tuning::Config& config,
                             std::vector<double> seconds) {
  tuners::MeasureResult result;
  result.all_cost = 0;
  for (double s : seconds) result.all_cost += s;
  result.costs = std::move(seconds);
  result.timestamp = static_cast<double>(std::time(nullptr));
  tuners::Record record = tuners::MakeRecord({&t.task, config}, result);
  record.in_model = true;
  return record;
}

// What a pick must save of its default's time at every thread count: a
// gain below this is within one run's noise on a shared machine (two
// builds of the same configs differ by ~1.5%), and a pick kept on noise
// can as well be slower.
constexpr double kRequiredGain = 0.01;

}  // namespace

absl::StatusOr<InModelReport> ConfirmInModel(const graph::Graph& g,
                                             const targets::Target& target,
                                             const std::vector<tuners::GraphTask>& tasks,
                                             tuners::RecordStore& store, int rounds,
                                             std::FILE* progress) {
  InModelReport report;
  const tuners::HistoryBest history = store.Best();
  std::vector<Candidate> candidates;
  absl::flat_hash_map<std::string, tuning::Config> picks, defaults;
  for (const tuners::GraphTask& t : tasks) {
    const std::vector<tuning::Config> best = history.RankedConfigs(t.task, 1);
    if (best.empty() || best[0].index() == t.default_config.index() ||
        history.FindConfig(t.task, t.default_config, /*in_model=*/true) != nullptr) {
      continue;
    }
    candidates.push_back({&t, best[0], {}});
    picks.emplace(t.task.WorkloadKey(), best[0]);
    defaults.emplace(t.task.WorkloadKey(), t.default_config);
  }
  if (candidates.empty()) return report;
  if (progress != nullptr) {
    std::fprintf(progress, "checking %zu picks inside the model against their defaults...\n",
                 candidates.size());
    std::fflush(progress);
  }
  OverriddenSchedules with_defaults(history, std::move(defaults));
  OverriddenSchedules with_picks(history, std::move(picks));
  graph::Graph default_graph, picks_graph;
  auto default_model = Build(g, target, with_defaults, &default_graph);
  if (!default_model.ok()) return default_model.status();
  auto picks_model = Build(g, target, with_picks, &picks_graph);
  if (!picks_model.ok()) return picks_model.status();
  auto default_steps = AssignSteps(default_graph, picks_graph, candidates);
  if (!default_steps.ok()) return default_steps.status();

  // Interleaved, alternating which model goes first, after a warm-up run,
  // at one thread and at the pool's count: a pick must win at both (a split
  // that pays at two threads can lose at one, as ResNet-50's and U-Net's
  // picks checked at two threads alone did by 7%).
  runtime::ThreadPool& pool = runtime::GlobalThreadPool();
  const int pool_threads = pool.num_threads();
  std::vector<int> thread_counts = {1};
  if (pool_threads > 1) thread_counts.push_back(pool_threads);
  runtime::GraphExecutor& d = *default_model->executor;
  runtime::GraphExecutor& p = *picks_model->executor;
  // Per thread count, per round, per step.
  std::vector<std::vector<std::vector<double>>> d_ms(thread_counts.size()),
      p_ms(thread_counts.size());
  for (size_t t = 0; t < thread_counts.size(); ++t) {
    if (auto st = pool.SetNumThreads(thread_counts[t]); !st.ok()) return st;
    if (auto st = d.Run(); !st.ok()) return st;
    if (auto st = p.Run(); !st.ok()) return st;
    for (int r = 0; r < std::max(rounds, 3); ++r) {
      const bool picks_first = r % 2 == 1;
      auto first = (picks_first ? p : d).RunProfiled();
      auto second = first.ok() ? (picks_first ? d : p).RunProfiled() : first;
      if (!first.ok() || !second.ok()) {
        (void)pool.SetNumThreads(pool_threads);
        return first.ok() ? second.status() : first.status();
      }
      d_ms[t].push_back(picks_first ? *second : *first);
      p_ms[t].push_back(picks_first ? *first : *second);
    }
  }
  if (auto st = pool.SetNumThreads(pool_threads); !st.ok()) return st;
  const std::vector<int> d_step = StepOfNode(default_graph, d.plan());
  const std::vector<int> p_step = StepOfNode(picks_graph, p.plan());
  for (size_t k = 0; k < candidates.size(); ++k) {
    const Candidate& c = candidates[k];
    if (c.steps.empty()) continue;  // its nodes were not found: nothing to judge
    // A round's sample: the steps' seconds at every thread count, summed.
    const size_t num_rounds = d_ms[0].size();
    std::vector<double> d_seconds(num_rounds, 0.0), p_seconds(num_rounds, 0.0);
    bool faster_everywhere = true;
    std::string verdicts;
    for (size_t t = 0; t < thread_counts.size(); ++t) {
      std::vector<double> dt, pt;
      for (size_t r = 0; r < num_rounds; ++r) {
        double ds = 0, ps = 0;
        for (int i : (*default_steps)[k]) ds += d_step[i] >= 0 ? d_ms[t][r][d_step[i]] : 0.0;
        for (int i : c.steps) ps += p_step[i] >= 0 ? p_ms[t][r][p_step[i]] : 0.0;
        dt.push_back(ds);
        pt.push_back(ps);
        d_seconds[r] += ds / 1e3;
        p_seconds[r] += ps / 1e3;
      }
      const double dm = Median(dt), pm = Median(pt);
      faster_everywhere &= pm < dm * (1 - kRequiredGain);
      absl::StrAppend(&verdicts, t ? ", " : "", thread_counts[t], " thread",
                      thread_counts[t] > 1 ? "s" : "", " ", absl::StrFormat("%.3f -> %.3f", dm, pm));
      if (t == 0) {
        report.default_ms += dm;
        report.picks_ms += faster_everywhere ? pm : dm;
      }
    }
    ++report.checked;
    report.kept += faster_everywhere;
    // The default's in-model record marks the workload as checked; a pick
    // slower at any thread count gets none, so the default decides.
    if (auto st = store.Append(InModelRecord(*c.task, c.task->default_config, d_seconds));
        !st.ok()) {
      return st;
    }
    if (faster_everywhere) {
      if (auto st = store.Append(InModelRecord(*c.task, c.pick, p_seconds)); !st.ok()) return st;
    }
    if (progress != nullptr) {
      std::fprintf(progress, "  %-60s %zu steps, default -> pick ms: %s: %s\n",
                   tuning::DescribeTask(c.task->task).c_str(), c.steps.size(), verdicts.c_str(),
                   faster_everywhere ? "kept" : "dropped (the default stays)");
    }
  }
  if (progress != nullptr) {
    std::fprintf(progress,
                 "inside the model: %d of %d picks kept; their steps at one thread %.3f ms with "
                 "the defaults, %.3f ms as compiled now\n",
                 report.kept, report.checked, report.default_ms, report.picks_ms);
  }
  return report;
}

}  // namespace kiln::driver
