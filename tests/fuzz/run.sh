#!/usr/bin/env bash
# tests/fuzz/run.sh - run one libFuzzer harness for a while and say how it went.
#
# Usage: tests/fuzz/run.sh NAME DIR SECONDS [LIBFUZZER OPTIONS...]
# Runs DIR/fuzz-NAME for SECONDS on its working corpus DIR/work-NAME (new
# inputs go there) plus the stored seeds tests/fuzz/corpus/NAME and
# regression inputs tests/fuzz/regress/NAME; the whole output goes to
# DIR/fuzz-NAME.log.  Prints one line:
#   fuzz-NAME: N executions in S s (E exec/s), no crash
# or "fuzz-NAME: CRASH ..." naming the saved input, and exits 1 then.
set -u
name=$1 dir=$2 secs=$3
shift 3
bin=$dir/fuzz-$name log=$dir/fuzz-$name.log work=$dir/work-$name
mkdir -p "$work"
start=$(date +%s)
"$bin" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$dir/crash-$name-" "$@" \
    "$work" "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name" > "$log" 2>&1
status=$?
took=$(( $(date +%s) - start ))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
runs=${runs:-0}
rate=$(( runs / (took > 0 ? took : 1) ))
if [ "$status" != 0 ]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    why=$(grep -m1 -E 'invariant broken|ERROR: ' "$log")
    echo "fuzz-$name: CRASH after $runs executions: ${why:-status $status}"
    echo "fuzz-$name:   input ${crash:-(none saved)}; log $log"
    exit 1
fi
echo "fuzz-$name: $runs executions in $took s ($rate exec/s), no crash"
