"""Running compiled models (tvm.runtime and graph_executor)."""
import numpy as np

import _kiln

from kiln import nd

load_module = _kiln.load_module
set_num_threads = _kiln.set_num_threads


class BenchmarkResult:
    """Timing of GraphModule.benchmark: mean, median, max, min and std in
    seconds (as TVM's), `results` the samples; printing it shows the
    "Execution time summary" table of `kiln run --print_time`, in ms."""

    def __init__(self, stats):
        self._stats = stats
        self.results = [ms / 1e3 for ms in stats.samples_ms]
        self.mean = stats.mean_ms / 1e3
        self.median = stats.median_ms / 1e3
        self.max = stats.max_ms / 1e3
        self.min = stats.min_ms / 1e3
        self.std = stats.std_ms / 1e3

    def __str__(self):
        return str(self._stats)

    def __repr__(self):
        return "BenchmarkResult(mean=%.6g, median=%.6g, max=%.6g, min=%.6g, std=%.6g)" % (
            self.mean, self.median, self.max, self.min, self.std)


class GraphModule:
    """Runs a Library (kiln.build's or load_module's) with a run state of
    its own: several GraphModules of one library may run on several threads.
    Inputs and outputs are NumPy arrays; get_output returns a view of the
    module's output buffer, overwritten by the next run()."""

    def __init__(self, lib):
        self._impl = _kiln.GraphModule(lib)

    def set_input(self, key=None, value=None, **params):
        """Copies a NumPy array (or anything np.asarray takes) into an input,
        by name or index; keyword arguments set several by name."""
        if key is not None:
            self._impl.set_input(key, np.asarray(value))
        for name, array in params.items():
            self._impl.set_input(name, np.asarray(array))

    def run(self, **inputs):
        if inputs:
            self.set_input(**inputs)
        self._impl.run()

    def get_output(self, index, out=None):
        """Output `index` (or name) as a view of the module's buffer (a NumPy
        array; .numpy() as in TVM); with `out`, copied into it and `out`
        returned."""
        view = self._impl.get_output(index).view(nd.NDArray)
        if out is None:
            return view
        np.copyto(out, view)
        return out

    def get_num_inputs(self):
        return self._impl.get_num_inputs()

    def get_num_outputs(self):
        return self._impl.get_num_outputs()

    def get_input_info(self):
        """[{"name", "dtype", "shape"}] of the inputs, in order."""
        return self._impl.input_info()

    def get_output_info(self):
        return self._impl.output_info()

    def benchmark(self, device=None, func_name="run", repeat=5, number=5, min_repeat_ms=None,
                  end_to_end=False):  # pylint: disable=unused-argument
        """`repeat` samples, each the mean of `number` runs after one warm-up
        run; with min_repeat_ms, `number` grows until a sample takes that
        long. The arguments before repeat are TVM's and are ignored."""
        return BenchmarkResult(self._impl.time_runs(number, repeat, min_repeat_ms or 0))
