"""kiln.build: compile an imported model for a target (relay.build)."""
import _kiln

from kiln.autotvm import dispatch


def build(mod, target="llvm", params=None):
    """Compiles `mod` for `target` ("llvm -mcpu=native", ...) and returns a
    Library (run it with kiln.runtime.GraphModule, save it with
    lib.export_library(path)). Inside `with kiln.autotvm.apply_history_best(f)`
    each tunable operator gets its best record in f, the target's default
    schedule where f has none; lib.records_summary says what they did.
    `params` replaces the model's weights by name (from_onnx gives them)."""
    return _kiln.build(mod, str(target), params, dispatch.current_records())


class Device:
    """The CPU the code runs on (tvm.device's counterpart): kiln runs on the
    host, so a device only keeps graph-module code in TVM's shape."""

    def __init__(self, kind="cpu", index=0):
        self.kind, self.index = kind, index

    def __repr__(self):
        return "kiln.device(%r, %d)" % (self.kind, self.index)


def device(target="cpu", index=0):
    return Device(str(target).split()[0], index)


def cpu(index=0):
    return Device("cpu", index)


def _library_getitem(lib, name):
    # TVM's lib["default"](dev): the graph module's factory.
    if name != "default":
        raise KeyError("a kiln library has one entry, 'default'")
    return lambda *devices: lib


_kiln.Library.__getitem__ = _library_getitem
