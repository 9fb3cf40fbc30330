"""How candidates are built and timed (autotvm.measure_option)."""
import _kiln


class LocalBuilder:
    """Builds candidates on `n_parallel` threads (default 1), each within
    `timeout` seconds. `build_func` is AutoTVM's and only "default" exists."""

    def __init__(self, timeout=10, n_parallel=None, build_func="default"):
        if build_func != "default":
            raise ValueError("kiln has one build function, 'default'; got %r" % (build_func,))
        self.timeout = timeout
        self.n_parallel = n_parallel or 1


class LocalRunner:
    """Runs candidates: `repeat` samples, each the mean of `number` runs
    (grown until a sample lasts `min_repeat_ms`), within `timeout` seconds;
    enable_cpu_cache_flush evicts caches before each sample. cooldown_interval
    is AutoTVM's and ignored: candidates run one at a time, timed cold."""

    def __init__(self, number=1, repeat=3, min_repeat_ms=0, timeout=10,
                 enable_cpu_cache_flush=False, cooldown_interval=0.0):  # pylint: disable=unused-argument
        self.number = number
        self.repeat = repeat
        self.min_repeat_ms = min_repeat_ms
        self.timeout = timeout
        self.enable_cpu_cache_flush = enable_cpu_cache_flush


def measure_option(builder=None, runner=None):
    builder = builder or LocalBuilder()
    runner = runner or LocalRunner()
    option = _kiln.MeasureOption()
    option.number = runner.number
    option.repeat = runner.repeat
    option.min_repeat_ms = runner.min_repeat_ms
    option.timeout = max(float(builder.timeout), float(runner.timeout))
    option.enable_cpu_cache_flush = bool(runner.enable_cpu_cache_flush)
    option.n_parallel = builder.n_parallel
    return option
