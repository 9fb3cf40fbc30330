"""Tuning callbacks (autotvm.callback). Any Python callable
f(tuner, inputs, results) is a callback too; it runs after every measured
batch, and an exception it raises stops tuning and reaches tune's caller."""
import _kiln


def progress_bar(total=None, prefix=""):
    """AutoTVM's progress line on stdout, `prefix` first (e.g.
    "[Task  1/24] "); `total` is taken from tune's n_trial."""
    return _kiln.progress_bar(prefix)


def log_to_file(file_out):
    """Appends every measurement to the records file `file_out`: the JSON
    lines `kiln tune` writes and `kiln compile --tuning_records` reads."""
    return _kiln.log_to_file(file_out)
