"""Writes every case of the ONNX backend suite as one JSON line (model path,
input names, and each data set's tensors as dtype, dims and base64 bytes), for
bench/onnx_suite_ort.js, which runs them through ONNX Runtime.

    python3 bench/onnx_suite_dump.py SUITE_DIR > cases.jsonl
"""
import base64
import json
import os
import sys

import onnx
from onnx import numpy_helper

GROUPS = ["node", "pytorch-converted", "pytorch-operator", "simple"]


def tensor_json(path):
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        data = f.read()
    try:
        proto.ParseFromString(data)
        if not proto.dims and not proto.raw_data and proto.data_type == 0:
            return None  # a sequence or optional value, not a tensor
        array = numpy_helper.to_array(proto)
    except Exception:  # pylint: disable=broad-except
        return None
    if array.dtype.kind in "OUS":
        return {"dtype": "string", "dims": list(array.shape),
                "strings": [str(s) for s in array.reshape(-1)]}
    if proto.data_type == onnx.TensorProto.BFLOAT16:
        return None  # no typed array for it in Node
    return {"dtype": str(array.dtype), "dims": list(array.shape),
            "b64": base64.b64encode(array.tobytes()).decode()}


def main():
    suite = sys.argv[1]
    for group in GROUPS:
        root = os.path.join(suite, group)
        for name in sorted(os.listdir(root)):
            case = os.path.join(root, name)
            model = onnx.load(os.path.join(case, "model.onnx"), load_external_data=False)
            initializers = {i.name for i in model.graph.initializer}
            inputs = [i.name for i in model.graph.input if i.name not in initializers]
            sets = []
            for entry in sorted(os.listdir(case)):
                if not entry.startswith("test_data_set"):
                    continue
                d = os.path.join(case, entry)
                count_in = len([f for f in os.listdir(d) if f.startswith("input_")])
                count_out = len([f for f in os.listdir(d) if f.startswith("output_")])
                sets.append({
                    "inputs": [tensor_json(os.path.join(d, f"input_{k}.pb")) for k in range(count_in)],
                    "outputs": [tensor_json(os.path.join(d, f"output_{k}.pb")) for k in range(count_out)],
                })
            print(json.dumps({"name": f"{group}/{name}", "model": os.path.join(case, "model.onnx"),
                              "inputs": inputs, "sets": sets}))


if __name__ == "__main__":
    main()
