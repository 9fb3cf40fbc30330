"""Importing models (relay.frontend)."""
import _kiln


def from_onnx(model, shape=None, dtype="float32", opset=None, freeze_params=True,
              shape_dict=None):
    """Imports an ONNX model: a file path, the model's bytes or an
    onnx.ModelProto. `shape` (or `shape_dict`) maps input names to shapes and
    fixes the dimensions the model leaves open. Returns (mod, params): the
    model and its weights by name, as read-only NumPy arrays. `dtype`,
    `opset` and `freeze_params` are Relay's: kiln takes the dtypes and the
    opset the model declares, and its weights are always constants."""
    if shape is not None and shape_dict is not None:
        raise TypeError("from_onnx: give shape or shape_dict, not both")
    del dtype, opset, freeze_params
    return _kiln.from_onnx(model, shape if shape is not None else shape_dict)
