#!/usr/bin/env bash
# Installs the Debian packages kiln builds, tests and runs with; does nothing
# (and prints nothing) when they are all present. Safe to run any number of
# times. Needs root or sudo only when something is missing.
set -euo pipefail

packages=(
  bazel-bootstrap        # Bazel 4.2.3, the build system
  g++                    # compiler for kiln itself; also links artifacts
  llvm-19-dev            # code generation (codegen/ only)
  libonnx-dev            # ONNX model import (frontend/ only)
  libprotobuf-dev
  protobuf-compiler
  libxgboost-dev         # cost models of the xgb tuners
  libabsl-dev
  libgflags-dev
  libgoogle-glog-dev
  libgtest-dev
  libgmock-dev
  libonnx-testdata       # the ONNX backend conformance suite, for tests
  libstb-dev             # image decoding for the example
  clang-19               # fuzzing harnesses (libFuzzer) and sanitizer builds
  libclang-rt-19-dev
  python3-dev            # the Python package (pybind11 extension)
  pybind11-dev
  python3-pybind11
  python3-numpy
  python3-onnx           # ONNX models as Python objects (from_onnx's ModelProto form; bench scripts)
  redis-server           # distributed tuning: broker, started by its tests
  libhiredis-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "kiln bootstrap: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "kiln bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2
