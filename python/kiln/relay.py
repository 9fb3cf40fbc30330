"""relay's two entry points under their TVM names: relay.frontend.from_onnx
and relay.build are kiln.frontend.from_onnx and kiln.build."""
from kiln import frontend
from kiln.build_module import build

__all__ = ["build", "frontend"]
