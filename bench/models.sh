#!/usr/bin/env bash
# The model families of kiln's generators (frontend/model_zoo.h), batch 1: kiln untuned and
# tuned (run by kiln_deploy) against ONNX Runtime (npm onnxruntime-node, CPU) on the same
# model file, input and thread count, at 1 and 2 threads.
#
#   bench/models.sh [--models=resnet50_v2,mobilenet_v2,bert_base,unet,audio_conv1d]
#       [--trials=N] [--rounds=N] [--retune] [--tuner=NAME] [--target="llvm -mcpu=native"]
#       [--small]
#
# A model kiln cannot compile yet shows ONNX Runtime's time and kiln's error, and the run goes
# on. Tuning records are kept per model in the work directory and reused by later runs of the
# same kiln build (another build tunes again: its defaults are what picks must beat; --retune
# always starts over); --small benchmarks the generators' small variants (a smoke run).
# Work directory: $KILN_BENCH_DIR or ~/.cache/kiln/bench.
set -euo pipefail

models=resnet50_v2,mobilenet_v2,bert_base,unet,audio_conv1d
trials=8
tuner=xgb
target="llvm -mcpu=native"
retune=0
rounds=3
small=0
for arg in "$@"; do
  case "$arg" in
    --models=*) models="${arg#*=}" ;;
    --trials=*) trials="${arg#*=}" ;;
    --tuner=*) tuner="${arg#*=}" ;;
    --target=*) target="${arg#*=}" ;;
    --retune) retune=1 ;;
    --rounds=*) rounds="${arg#*=}" ;;
    --small) small=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
source bench/lib.sh
bench_setup //frontend:generate_model

tag="$(echo "$target" | tr -c 'a-zA-Z0-9' '_')"
size=$([ "$small" = 1 ] && echo small || echo full)
dir="$work/models-$size"
mkdir -p "$dir"

# The first line of kiln's error, without the program name and the model's path.
first_error() { grep -m1 'error' | sed "s|^kiln: error: ||; s|^$dir/[^:]*: ||"; }

rows=()
notes=()
for m in ${models//,/ }; do
  out="$dir/$m"
  mkdir -p "$out"
  model="$out/model.onnx"
  if [ ! -f "$model.stats" ]; then
    "$bin/frontend/generate_model" --model="$m" --output="$model" \
      $([ "$small" = 1 ] && echo --small) > "$model.stats"
  fi
  gflop=$(sed 's/.* \([0-9.]*\) GFLOP$/\1/' "$model.stats")
  records="$out/records-$tag-$tuner.json"
  if [ "$retune" = 1 ]; then rm -f "$records" "$records.seconds"; fi
  artifacts=() status=ok tune_seconds=-
  if ! err=$("$kiln" compile "$model" --target="$target" --output="$out/untuned.so" 2>&1); then
    status="unsupported: $(first_error <<< "$err")"
  elif ! tune_seconds=$(tune_once "$model" "$records" "$target" "$tuner" "$trials" 2> "$out/tune.log"); then
    status="tuning failed: $(first_error < "$out/tune.log")"
  elif ! err=$("$kiln" compile "$model" --target="$target" --tuning_records="$records" \
                 --output="$out/tuned.so" 2>&1); then
    status="tuned compile failed: $(first_error <<< "$err")"
  fi
  case "$status" in
    ok) artifacts=("$out/untuned.so" "$out/tuned.so") ;;
    tun*) artifacts=("$out/untuned.so") ;;
  esac
  for threads in 1 2; do
    read -r o u t <<< "$(time_interleaved "$model" "$threads" "$rounds" "$out" "${artifacts[@]}")"
    peak=-
    [ "${#artifacts[@]}" -gt 0 ] && peak=$("$deploy" "${artifacts[-1]}" --num_threads="$threads" |
      sed -n 's/.*, \([0-9.]*\) MB peak resident.*/\1/p')
    if [ "$status" = ok ]; then
      rows+=("$(awk -v m="$m" -v g="$gflop" -v n="$threads" -v o="$o" -v u="$u" -v t="$t" \
        -v p="$peak" -v s="$tune_seconds" \
        'BEGIN {printf "%-13s %7.3f %3s %9.2f %9.2f %9.2f %8.2f %8.2f %8.0f %8.0f", m, g, n, o, u, t, u / o, t / o, p, s}')")
    else
      rows+=("$(awk -v m="$m" -v g="$gflop" -v n="$threads" -v o="$o" -v s="$status" \
        'BEGIN {printf "%-13s %7.3f %3s %9.2f   %s", m, g, n, o, s}')")
    fi
  done
  for so in "${artifacts[@]}"; do
    name=$(basename "$so" .so)
    notes+=("$m $name output: $(check "$out/ort.npy" "$out/$name.npy")")
  done
done

echo
echo "kiln vs ONNX Runtime, batch 1, $size models, target \"$target\", $(cpu_name)"
printf '%-13s %7s %3s %9s %9s %9s %8s %8s %8s %8s\n' model GFLOP thr "ort ms" "untuned" "tuned" \
  "unt/ort" "tun/ort" "peak MB" "tune s"
printf '%s\n' "${rows[@]}"
echo "(kiln and ONNX Runtime times in ms: medians of $rounds interleaved rounds, each the median"
echo " of 10 samples of 2 runs; peak MB: kiln_deploy's peak resident memory with the last"
echo " artifact; tune s: $tuner, $trials trials per task, wall time of the run that made the records)"
printf '%s\n' "${notes[@]}"
