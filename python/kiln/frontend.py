"""Importing models (relay.frontend)."""
import _kiln


def from_onnx(model, shape=None):
    """Imports an ONNX model: a file path, the model's bytes or an
    onnx.ModelProto. `shape` maps input names to shapes and fixes the
    dimensions the model leaves open. Returns (mod, params): the model and its
    weights by name, as read-only NumPy arrays."""
    return _kiln.from_onnx(model, shape)
