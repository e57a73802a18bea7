#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a copy of its committed
# seed corpus (so that new inputs never dirty the repository). Any crash
# fails the run and leaves the crashing input in a temporary directory,
# whose path is printed: add it to the corpus with a regression test.
#
#   scripts/run-fuzzer.sh FUZZER_BINARY SEED_CORPUS_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
if [ ! -x "$fuzzer" ]; then
  echo "run-fuzzer: $fuzzer is not built (make fuzz-build)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/evald-fuzz-XXXXXX)
mkdir -p "$work/corpus" "$work/artifacts"
cp -r "$seeds"/. "$work/corpus/"
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  "$work/corpus" > "$work/log" 2>&1
status=$?
set -e
tail -n 15 "$work/log"
if [ "$status" -ne 0 ]; then
  echo "run-fuzzer: $(basename "$fuzzer") failed; inputs in $work/artifacts" >&2
  exit "$status"
fi
rm -rf "$work"
