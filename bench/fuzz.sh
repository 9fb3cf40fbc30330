#!/usr/bin/env bash
# Runs every fuzz harness (tests tagged "fuzz", see third_party/fuzzing/fuzz.bzl) under
# libFuzzer for SECONDS each and prints what each did: executions,
# coverage, and the crashing inputs it saved.
#
#   bench/fuzz.sh SECONDS [LABEL...]       (default: every harness)
#
# The harnesses build with clang (`--config=fuzz`), which replaces the
# autoconfigured C++ toolchain, so they build in an output base of their own
# next to the default one: switching toolchains in one output base would
# refetch the toolchain and rebuild everything on every switch. Each
# harness's growing corpus and crashes live under $KILN_FUZZ_DIR (default
# /tmp/kiln-fuzz/NAME/{corpus,crashes}); its seeds are the *_corpus
# folders beside it, where a crash's input belongs once it is fixed, so
# that `bazel test` replays it from then on. KILN_FUZZ_JOBS harnesses run
# at once (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: bench/fuzz.sh SECONDS [LABEL...]}
shift
out=${KILN_FUZZ_DIR:-/tmp/kiln-fuzz}
jobs=${KILN_FUZZ_JOBS:-1}
base="$(bazel info output_base 2>/dev/null)-fuzz"
fuzz_bazel() { bazel --output_base="$base" "$@"; }

if [ $# -gt 0 ]; then
  harnesses=("$@")
else
  mapfile -t harnesses < <(fuzz_bazel query --noshow_progress \
      'attr(tags, "\bfuzz\b", tests(//...))')
fi
if [ ${#harnesses[@]} -eq 0 ]; then
  echo "bench/fuzz.sh: no fuzz harness found" >&2
  exit 1
fi
fuzz_bazel build --config=fuzz "${harnesses[@]}"
bin=$(fuzz_bazel info --config=fuzz bazel-bin 2>/dev/null)

run() {
  local label=$1 package=${1#//}
  package=${package%%:*}
  local name=${label##*:}
  local dir="$out/$name"
  mkdir -p "$dir/corpus" "$dir/crashes"
  # -rss_limit_mb: a harness that needs gigabytes for some input has found
  # a missing size check, which is a crash too.
  # GLOG_minloglevel=2: the warnings kiln logs for each rejected input (a
  # skipped records line) would otherwise fill gigabytes of log and slow
  # the harness; errors still show.
  GLOG_minloglevel=2 "$bin/$package/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 \
      -print_final_stats=1 -artifact_prefix="$dir/crashes/" \
      "$dir/corpus" "$package"/*_corpus > "$dir/log" 2>&1 || true
  local done_line execs crashes
  done_line=$(grep -E '^#[0-9]+' "$dir/log" | tail -1 || true)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$dir/log" | grep -oE '[0-9]+$' || echo '?')
  crashes=$(find "$dir/crashes" -type f | wc -l)
  printf '%-22s execs %-10s %s | crashing inputs: %s (%s/crashes)\n' "$name" "$execs" \
      "$(echo "$done_line" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+')" \
      "$crashes" "$dir"
}

running=0
for h in "${harnesses[@]}"; do
  run "$h" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
