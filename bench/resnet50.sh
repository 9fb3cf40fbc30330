#!/usr/bin/env bash
# ResNet-50 v2, batch 1: kiln untuned and tuned (run by kiln_deploy) against ONNX Runtime
# (npm onnxruntime-node, CPU) on the same model file, input and thread count.
#
#   bench/resnet50.sh [--trials=N] [--tuner=NAME] [--target="llvm -mcpu=native"] [--retune]
#
# Tuning records are kept in the work directory and reused by later runs of the same kiln
# build (--retune starts over). Prints a table of medians and ratios for 1 and 2 threads, the output check, kiln's
# memory and the tuning wall time. Work directory: $KILN_BENCH_DIR or ~/.cache/kiln/bench.
# bench/models.sh measures the other model families the same way.
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
source bench/lib.sh
bench_setup //frontend:generate_resnet50_v2

model="$work/resnet50-v2.onnx"
[ -f "$model" ] || "$bin/frontend/generate_resnet50_v2" --output="$model" >&2

tag="$(echo "$target" | tr -c 'a-zA-Z0-9' '_')"
records="$work/records-$tag-$tuner.json"
if [ "$retune" = 1 ]; then rm -f "$records" "$records.seconds"; fi
tune_seconds=$(tune_once "$model" "$records" "$target" "$tuner" "$trials")

"$kiln" compile "$model" --target="$target" --output="$work/untuned.so" >&2
"$kiln" compile "$model" --target="$target" --tuning_records="$records" --output="$work/tuned.so" >&2

declare -A result
for threads in 1 2; do
  result[$threads]=$(time_interleaved "$model" "$threads" "$rounds" "$work" \
    "$work/untuned.so" "$work/tuned.so")
done
memory=$("$deploy" "$work/tuned.so" --num_threads=1 | grep '^Memory')

echo
echo "ResNet-50 v2, batch 1, target \"$target\", $(cpu_name)"
printf '%-8s %14s %14s %14s %16s %16s\n' threads "onnxruntime" "kiln untuned" "kiln tuned" "untuned / ort" "tuned / ort"
for threads in 1 2; do
  read -r o u t <<< "${result[$threads]}"
  awk -v n="$threads" -v o="$o" -v u="$u" -v t="$t" \
    'BEGIN {printf "%-8s %11.2f ms %11.2f ms %11.2f ms %16.2f %16.2f\n", n, o, u, t, u / o, t / o}'
done
echo "(medians of $rounds interleaved rounds, each the median of 10 samples of 2 runs)"
echo "untuned output: $(check "$work/ort.npy" "$work/untuned.npy")"
echo "tuned output:   $(check "$work/ort.npy" "$work/tuned.npy")"
echo "$memory"
printf 'tuning: %s with %s trials per task, %.0f s wall time (records: %s)\n' "$tuner" "$trials" "$tune_seconds" "$records"
