#include "tuners/progress_bar.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_format.h"

namespace kiln::tuners {
namespace {

ProgressLine LineOf(const ProgressBarOptions& options, const TuneState& state,
                    bool finished) {
  ProgressLine line;
  line.task_index = options.task_index;
  line.task_count = options.task_count;
  line.prefix = options.prefix;
  bool has_flop = state.task != nullptr && state.task->flop > 0;
  double scale = has_flop ? 1e-9 : 1.0;
  line.unit = has_flop ? "GFLOPS" : "runs/s";
  line.current = state.current_throughput * scale;
  line.best = state.best_throughput * scale;
  line.done = state.trials_done;
  // A run that stops early or runs out of configs is complete at what it did.
  line.total = finished ? state.trials_done : state.n_trial;
  line.elapsed_seconds = state.elapsed_seconds;
  line.finished = finished;
  return line;
}

}  // namespace

std::string FormatProgressLine(const ProgressLine& line) {
  const std::string prefix =
      line.prefix.empty() ? absl::StrFormat("[Task %2d/%2d] ", line.task_index, line.task_count)
                          : line.prefix;
  return absl::StrFormat(
      "%s Current/Best: %7.2f/%7.2f %s | Progress: (%d/%d) | "
      "%.2f s%s",
      prefix, line.current, line.best, line.unit,
      line.done, line.total, line.elapsed_seconds,
      line.finished ? " Done." : "");
}

Callback ProgressBar(const ProgressBarOptions& options) {
  bool in_place = options.mode == ProgressBarOptions::Mode::kInPlace ||
                  (options.mode == ProgressBarOptions::Mode::kAuto &&
                   isatty(fileno(options.out)));
  Callback callback;
  callback.on_batch = [options, in_place](
                          const TuneState& state,
                          const std::vector<MeasureInput>&,
                          const std::vector<MeasureResult>&) {
    std::string text = FormatProgressLine(LineOf(options, state, false));
    std::fprintf(options.out, in_place ? "\r%s" : "%s\n", text.c_str());
    std::fflush(options.out);
    return absl::OkStatus();
  };
  callback.on_finish = [options, in_place](const TuneState& state) {
    std::string text = FormatProgressLine(LineOf(options, state, true));
    std::fprintf(options.out, in_place ? "\r%s\n" : "%s\n", text.c_str());
    std::fflush(options.out);
  };
  return callback;
}

}  // namespace kiln::tuners
