"""Tasks: a model's tunable workloads (autotvm.task)."""
import _kiln

Task = _kiln.Task


def extract_from_program(mod, target="llvm", params=None, ops=None):
    """One task per distinct tunable workload of `mod` compiled for `target`
    (conv2d, depthwise conv2d and dense templates), in order of first
    appearance. Each has a name (the template), a workload, a config_space
    (len() is its size) and the flop count of one run."""
    return _kiln.extract_from_program(mod, str(target), params)
