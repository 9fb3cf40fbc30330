"""kiln from Python, with AutoTVM's names.

    import kiln
    mod, params = kiln.frontend.from_onnx("model.onnx", {"data": (1, 3, 224, 224)})
    lib = kiln.build(mod, target="llvm -mcpu=native", params=params)
    module = kiln.runtime.GraphModule(lib)
    module.set_input("data", x)
    module.run()
    y = module.get_output(0)

kiln.autotvm tunes (extract_from_program, XGBTuner, ...); lib.export_library
writes the artifact that kiln_deploy and the C runtime run.
"""
import os
import sys

# Plugins loaded with load_plugin bind to the extension's registries, as
# they do to the kiln binary's: its symbols must be global.
_flags = sys.getdlopenflags()
sys.setdlopenflags(_flags | os.RTLD_GLOBAL)
try:
    import _kiln
except ImportError as error:
    raise ImportError(
        "kiln's extension (_kiln.so) did not load: %s. It is built by `bazel build //python:kiln` "
        "for Debian's /usr/bin/python3 (3.11; this is %s at %s) and found through "
        "PYTHONPATH=<kiln>/python:<kiln>/bazel-bin/python" %
        (error, sys.version.split()[0], sys.executable)) from error
finally:
    sys.setdlopenflags(_flags)

# pylint: disable=wrong-import-position
from _kiln import (KilnError, KilnIndexError, KilnKeyError, KilnNotImplementedError,
                   KilnValueError, load_plugin)

from kiln import autotvm, contrib, frontend, nd, relay, runtime, transform
from kiln.build_module import build, cpu, device

__all__ = [
    "KilnError", "KilnIndexError", "KilnKeyError", "KilnNotImplementedError", "KilnValueError",
    "autotvm", "build", "contrib", "cpu", "device", "frontend", "load_plugin", "nd", "relay",
    "runtime", "transform",
]
