#!/usr/bin/env bash
# Runs the ONNX backend suite (Debian's libonnx-testdata, all four directories) through ONNX
# Runtime and writes the names of the cases it passes to
# frontend/testing/onnx_suite_ort_passing.txt, the set against which the conformance test
# reports kiln's share ("compiles what ONNX Runtime runs"). python3-onnx (from the bootstrap) reads the
# suite's tensors; prints the per-directory counts.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ort_setup
suite=/usr/share/libonnx-testdata/data
/usr/bin/python3 bench/onnx_suite_dump.py "$suite" > "$work/onnx_suite_cases.jsonl"
NODE_PATH="$work/ort/node_modules" node bench/onnx_suite_ort.js "$work/onnx_suite_cases.jsonl" \
  2>/dev/null > "$work/onnx_suite_ort.txt"
out=frontend/testing/onnx_suite_ort_passing.txt
{
  echo "# ONNX backend suite cases ONNX Runtime (npm onnxruntime-node, CPU) passes;"
  echo "# written by bench/onnx_suite_ort.sh"
  sed -n 's/^PASS //p' "$work/onnx_suite_ort.txt"
} > "$out"
for group in node pytorch-converted pytorch-operator simple; do
  printf '%-18s %4d of %4d cases pass in ONNX Runtime\n' "$group" \
    "$(grep -c "^PASS $group/" "$work/onnx_suite_ort.txt")" "$(grep -c " $group/" "$work/onnx_suite_ort.txt")"
done
