"""Arrays (tvm.nd): NumPy arrays with TVM's .numpy(), so that tutorial code
such as module.get_output(0, kiln.nd.empty(shape)).numpy() runs unchanged."""
import numpy as np


class NDArray(np.ndarray):
    """A NumPy array; numpy() and asnumpy() return it as a plain ndarray."""

    def numpy(self):
        return self.view(np.ndarray)

    asnumpy = numpy


def array(data, device=None, dtype=None):
    """`data` as an NDArray (a view when it is already a suitable array)."""
    return np.asarray(data, dtype=dtype).view(NDArray)


def empty(shape, dtype="float32", device=None):
    return np.empty(shape, dtype=dtype).view(NDArray)
