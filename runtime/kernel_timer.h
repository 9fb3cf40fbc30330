// Times a kernel the way TimingOptions ask: `repeat` timed repeats of
// `number` runs each, `number` grown until a repeat lasts min_repeat_ms, the
// caches flushed before each repeat when requested.
#ifndef KILN_RUNTIME_KERNEL_TIMER_H_
#define KILN_RUNTIME_KERNEL_TIMER_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/cache_flush.h"

namespace kiln::runtime {

// How candidate kernels are timed (the timing part of the tuners'
// MeasureOption, which a measurement worker receives with each job).
struct TimingOptions {
  int number = 1;         // runs per timed repeat; the cost is their mean
  int repeat = 3;         // timed repeats; each gives one cost
  int min_repeat_ms = 0;  // when > 0, `number` grows until a repeat lasts this long
  // Evict caches before every repeat (weights cold, activations read back in).
  bool enable_cpu_cache_flush = false;

  absl::Status Validate() const;
};

class KernelTimer {
 public:
  // InvalidArgument for an invalid option (TimingOptions::Validate).
  static absl::StatusOr<KernelTimer> Create(const TimingOptions& option);

  // Seconds per run for each repeat. The first error `run` returns stops the
  // timing and is returned. `after_flush`, if given, runs untimed after each
  // flush (to bring back what should be warm). A kernel that never returns
  // is not this class' business: time it inside RunInChildProcess
  // (isolated_process.h).
  absl::StatusOr<std::vector<double>> Time(const std::function<absl::Status()>& run,
                                           const std::function<void()>& after_flush = nullptr);

 private:
  explicit KernelTimer(const TimingOptions& option);

  TimingOptions option_;
  std::shared_ptr<CacheFlusher> flusher_;  // only when flushing is enabled
};

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_KERNEL_TIMER_H_
