# Pieces shared by the benchmarks that compare kiln with ONNX Runtime (npm onnxruntime-node,
# CPU) on the same model file, input and thread count. Sourced, from the repository root, by
# bench/resnet50.sh and bench/models.sh.
#
# Work directory: $KILN_BENCH_DIR or ~/.cache/kiln/bench (ONNX Runtime, models, records).

work="${KILN_BENCH_DIR:-$HOME/.cache/kiln/bench}"
mkdir -p "$work"

# bench_setup TARGET...: builds kiln, kiln_deploy and the given targets; sets $bin, $kiln and
# $deploy; installs ONNX Runtime into the work directory once.
bench_setup() {
  bazel build -c opt //driver:kiln //driver:kiln_deploy "$@" >&2
  bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
  kiln="$bin/driver/kiln"
  deploy="$bin/driver/kiln_deploy"
  ort_setup
}

# ort_setup: installs ONNX Runtime into the work directory once. The package's install script
# downloads, which an offline machine cannot, and its bundled CPU library works without it.
ort_setup() {
  if [ ! -d "$work/ort/node_modules/onnxruntime-node" ]; then
    mkdir -p "$work/ort"
    (cd "$work/ort" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >&2)
  fi
}

ort() { NODE_PATH="$work/ort/node_modules" node bench/onnxruntime_reference.js "$@"; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# tune_once MODEL RECORDS TARGET TUNER TRIALS: tunes unless RECORDS.seconds says an earlier run
# of this same kiln binary finished; prints the tuning wall time in seconds. Records made by
# another build are made again: tuning keeps a pick only where it beat that build's default
# inside the model, and a later build's defaults may be better than the pick.
tune_once() {
  local model=$1 records=$2 target=$3 tuner=$4 trials=$5 build
  build=$(sha256sum "$kiln" | cut -d' ' -f1)
  if [ "$(cat "$records.kiln" 2>/dev/null)" != "$build" ]; then
    rm -f "$records" "$records.seconds"
    echo "$build" > "$records.kiln"
  fi
  if [ ! -f "$records.seconds" ]; then
    local start
    start=$(date +%s.%N)
    "$kiln" tune "$model" --target="$target" --tuner="$tuner" --trials="$trials" \
      --output="$records" >&2 || return 1
    awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {print a - b}' > "$records.seconds"
  fi
  cat "$records.seconds"
}

# kiln_ms ARTIFACT THREADS INPUT OUTPUT: the median ms of one kiln_deploy timing run.
kiln_ms() {
  "$deploy" "$1" --inputs="$3" --outputs="$4" --print_time --repeat=10 --number=2 \
    --num_threads="$2" | awk 'NR==3 {print $2}'
}

# ort_ms MODEL THREADS INPUT OUTPUT: the median ms of one ONNX Runtime timing run, which also
# writes the input (a smooth deterministic signal of the model's input shape) and its output.
ort_ms() {
  ort "$1" "$2" 10 2 "$3" "$4" | sed 's/.*"median_ms":\([0-9.e+-]*\).*/\1/'
}

# time_interleaved MODEL THREADS ROUNDS DIR [ARTIFACT...]: prints the median over ROUNDS of
# ONNX Runtime's time, then each artifact's. Rounds interleave them so that a noisy neighbour
# hurts all alike, and every other round times the artifacts in reverse order, so that a
# machine that speeds up or slows down during a round favours none of them (this one's
# speed drifts by tens of percent over minutes). Writes DIR/input.npy, DIR/ort.npy and
# DIR/<artifact name>.npy.
time_interleaved() {
  local model=$1 threads=$2 rounds=$3 dir=$4
  shift 4
  local -a samples=() artifacts=("$@")
  local r i k so
  for ((r = 0; r < rounds; ++r)); do
    samples[0]+="$(ort_ms "$model" "$threads" "$dir/input.npy" "$dir/ort.npy") "
    for ((k = 0; k < ${#artifacts[@]}; ++k)); do
      i=$k
      if ((r % 2 == 1)); then i=$((${#artifacts[@]} - 1 - k)); fi
      so=${artifacts[i]}
      samples[i + 1]+="$(kiln_ms "$so" "$threads" "$dir/input.npy" "$dir/$(basename "$so" .so).npy") "
    done
  done
  for s in "${samples[@]}"; do printf '%s ' "$(printf '%s\n' $s | median)"; done
  echo
}

# check WANT.npy GOT.npy: "max |kiln - onnxruntime| = ..., max |onnxruntime| = ...: OK".
check() {
  ort compare "$1" "$2" |
    sed 's/{"max_abs_diff":\([^,]*\),"max_abs_want":\([^}]*\)}/\1 \2/' |
    awk '{printf "max |kiln - onnxruntime| = %.3g, max |onnxruntime| = %.3g: %s\n", $1, $2, ($1 <= 1e-3 * $2) ? "OK" : "MISMATCH"}'
}

cpu_name() { grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'; }
