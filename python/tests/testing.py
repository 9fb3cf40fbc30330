"""What the Python tests share: a small generated ResNet-50 v2 (32x32,
width 8, 10 classes), imported once per test process."""
import functools
import os
import subprocess
import tempfile

import kiln

TARGET = "llvm -mcpu=native"
SHAPE = (1, 3, 32, 32)


def tmp_dir():
    return os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()


@functools.lru_cache(maxsize=None)
def small_model():
    """The ONNX file's path."""
    path = os.path.join(tmp_dir(), "resnet_small.onnx")
    subprocess.run(["frontend/generate_resnet50_v2", "--image_size=32", "--width=8",
                    "--classes=10", "--output=" + path], check=True, stdout=subprocess.DEVNULL)
    return path


@functools.lru_cache(maxsize=None)
def imported():
    """(mod, params) of the small model."""
    return kiln.frontend.from_onnx(small_model(), {"data": SHAPE})
