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
from _kiln import (KilnError, KilnIndexError, KilnKeyError, KilnNotImplementedError,
                   KilnValueError)

from kiln import autotvm, frontend, runtime, transform
from kiln.build_module import build, cpu, device

__all__ = [
    "KilnError", "KilnIndexError", "KilnKeyError", "KilnNotImplementedError", "KilnValueError",
    "autotvm", "build", "cpu", "device", "frontend", "runtime", "transform",
]
