// Times a kernel the way MeasureOption asks: `repeat` timed repeats of
// `number` runs each, `number` grown until a repeat lasts min_repeat_ms, the
// caches flushed before each repeat when requested.
#ifndef KILN_TUNERS_KERNEL_TIMER_H_
#define KILN_TUNERS_KERNEL_TIMER_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tuners/cache_flush.h"
#include "tuners/measure.h"

namespace kiln::tuners {

class KernelTimer {
 public:
  // InvalidArgument for an invalid option (MeasureOption::Validate).
  static absl::StatusOr<KernelTimer> Create(const MeasureOption& option);

  // Seconds per run for each repeat. The first error `run` returns stops the
  // timing and is returned. `after_flush`, if given, runs untimed after each
  // flush (to bring back what should be warm). A kernel that never returns
  // is not this class' business: time it inside RunInChildProcess
  // (isolated_process.h).
  absl::StatusOr<std::vector<double>> Time(const std::function<absl::Status()>& run,
                                           const std::function<void()>& after_flush = nullptr);

 private:
  explicit KernelTimer(const MeasureOption& option);

  MeasureOption option_;
  std::shared_ptr<CacheFlusher> flusher_;  // only when flushing is enabled
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_KERNEL_TIMER_H_
