#!/usr/bin/env bash
# ResNet-50 v2, batch 1: kiln untuned and tuned (run by kiln_deploy) against ONNX Runtime
# (npm onnxruntime-node, CPU) on the same model file, input and thread count.
#
#   bench/resnet50.sh [--trials=N] [--tuner=NAME] [--target="llvm -mcpu=native"] [--retune]
#
# Tuning records are kept in the work directory and reused by later runs (--retune starts
# over). Prints a table of medians and ratios for 1 and 2 threads, the output check, kiln's
# memory and the tuning wall time. Work directory: $KILN_BENCH_DIR or ~/.cache/kiln/bench.
set -euo pipefail

trials=20
tuner=xgb
target="llvm -mcpu=native"
retune=0
rounds=3
for arg in "$@"; do
  case "$arg" in
    --trials=*) trials="${arg#*=}" ;;
    --tuner=*) tuner="${arg#*=}" ;;
    --target=*) target="${arg#*=}" ;;
    --retune) retune=1 ;;
    --rounds=*) rounds="${arg#*=}" ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
work="${KILN_BENCH_DIR:-$HOME/.cache/kiln/bench}"
mkdir -p "$work"
bazel build -c opt //driver:kiln //driver:kiln_deploy //frontend:generate_resnet50_v2 >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
kiln="$bin/driver/kiln"
deploy="$bin/driver/kiln_deploy"

model="$work/resnet50-v2.onnx"
[ -f "$model" ] || "$bin/frontend/generate_resnet50_v2" --output="$model" >&2

# ONNX Runtime from npm; its install script downloads, which this machine cannot, and the
# package's bundled CPU library works without it.
if [ ! -d "$work/ort/node_modules/onnxruntime-node" ]; then
  mkdir -p "$work/ort"
  (cd "$work/ort" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >&2)
fi
ort() { NODE_PATH="$work/ort/node_modules" node bench/onnxruntime_reference.js "$@"; }

tag="$(echo "$target" | tr -c 'a-zA-Z0-9' '_')"
records="$work/records-$tag-$tuner.json"
if [ "$retune" = 1 ]; then rm -f "$records" "$records.seconds"; fi
if [ ! -f "$records.seconds" ]; then
  start=$(date +%s.%N)
  "$kiln" tune "$model" --target="$target" --tuner="$tuner" --trials="$trials" \
    --output="$records" >&2
  awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {print a - b}' > "$records.seconds"
fi
tune_seconds=$(cat "$records.seconds")

"$kiln" compile "$model" --target="$target" --output="$work/untuned.so" >&2
"$kiln" compile "$model" --target="$target" --tuning_records="$records" --output="$work/tuned.so" >&2

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
kiln_median() {  # artifact threads -> median ms of one timing run
  "$deploy" "$1" --inputs="$work/input.npy" --outputs="$work/out-$(basename "$1" .so).npy" \
    --print_time --repeat=10 --number=2 --num_threads="$2" | awk 'NR==3 {print $2}'
}

declare -A result
for threads in 1 2; do
  ort_samples=() untuned_samples=() tuned_samples=()
  # Rounds interleave the three so that a noisy neighbour hurts all of them alike.
  for ((r = 0; r < rounds; ++r)); do
    ort_samples+=("$(ort "$model" "$threads" 10 2 "$work/input.npy" "$work/ort-out.npy" |
      sed 's/.*"median_ms":\([0-9.e+-]*\).*/\1/')")
    untuned_samples+=("$(kiln_median "$work/untuned.so" "$threads")")
    tuned_samples+=("$(kiln_median "$work/tuned.so" "$threads")")
  done
  result[ort,$threads]=$(printf '%s\n' "${ort_samples[@]}" | median)
  result[untuned,$threads]=$(printf '%s\n' "${untuned_samples[@]}" | median)
  result[tuned,$threads]=$(printf '%s\n' "${tuned_samples[@]}" | median)
done

check() {
  ort compare "$work/ort-out.npy" "$work/out-$1.npy" |
    sed 's/{"max_abs_diff":\([^,]*\),"max_abs_want":\([^}]*\)}/\1 \2/' |
    awk '{printf "max |kiln - onnxruntime| = %.3g, max |onnxruntime| = %.3g: %s\n", $1, $2, ($1 <= 1e-3 * $2) ? "OK" : "MISMATCH"}'
}
memory=$("$deploy" "$work/tuned.so" --num_threads=1 | grep '^Memory')

echo
echo "ResNet-50 v2, batch 1, target \"$target\", $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-8s %14s %14s %14s %16s %16s\n' threads "onnxruntime" "kiln untuned" "kiln tuned" "untuned / ort" "tuned / ort"
for threads in 1 2; do
  o=${result[ort,$threads]} u=${result[untuned,$threads]} t=${result[tuned,$threads]}
  awk -v n="$threads" -v o="$o" -v u="$u" -v t="$t" \
    'BEGIN {printf "%-8s %11.2f ms %11.2f ms %11.2f ms %16.2f %16.2f\n", n, o, u, t, u / o, t / o}'
done
echo "(medians of $rounds interleaved rounds, each the median of 10 samples of 2 runs)"
echo "untuned output: $(check untuned)"
echo "tuned output:   $(check tuned)"
echo "$memory"
printf 'tuning: %s with %s trials per task, %.0f s wall time (records: %s)\n' "$tuner" "$trials" "$tune_seconds" "$records"
