#!/usr/bin/env bash
# Runs the libFuzzer harnesses.
#   run.sh smoke BINDIR HARNESS...   each over its seeds (test/fuzz/seeds/<h>), its corpus
#                                    (build/fuzz/corpus/<h>, if any) and a short random pass;
#                                    one PASS/FAIL line per harness (for test/run.sh)
#   run.sh long BINDIR SECONDS HARNESS...   each for SECONDS, niced, one at a time; grows
#                                    build/fuzz/corpus/<h>, crashes go to build/fuzz/crashes/
# Exit status: 0 if no harness crashed.
set -uo pipefail
mode=$1 bin=$2
shift 2
seeds=test/fuzz/seeds corpus=build/fuzz/corpus
# A bounded random pass for `make test`: whichever limit comes first.
SMOKE_RUNS=${SMOKE_RUNS:-20000} SMOKE_SECONDS=${SMOKE_SECONDS:-5}
failed=0

# stats LOG CORPUS: executions, exec/s, coverage and corpus size from a libFuzzer log
stats() {
    local execs rate cov ft
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$1" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$1" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$1" | tail -n 1 | cut -d' ' -f2)
    echo "${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus $(find "$2" -type f 2>/dev/null | wc -l)"
}

case $mode in
smoke)
    for h in "$@"; do
        work=build/host/fuzz-smoke/$h
        rm -rf "$work" && mkdir -p "$work/new"
        dirs=("$seeds/$h")
        [ -d "$corpus/$h" ] && dirs+=("$corpus/$h")
        # New inputs go to a scratch directory first in the list: never into the seeds.
        "$bin/$h" -runs="$SMOKE_RUNS" -max_total_time="$SMOKE_SECONDS" -timeout=10 \
            -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "${dirs[@]}" \
            > "$work/log" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ]; then
            echo "PASS: fuzz-smoke $h ($(stats "$work/log" "$work/new"))"
        else
            failed=$((failed + 1))
            echo "FAIL: fuzz-smoke $h: exit $rc (log $work/log, input $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -n 1))"
            grep -E 'ERROR|FUZZ_CHECK|runtime error|SUMMARY' "$work/log" | head -n 5 | sed 's/^/      /'
        fi
    done ;;
long)
    seconds=$1
    shift
    mkdir -p build/fuzz/crashes build/fuzz/logs
    for h in "$@"; do
        mkdir -p "$corpus/$h"
        log=build/fuzz/logs/$h.log
        echo "fuzz $h: ${seconds}s"
        nice -n 19 "$bin/$h" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
            -artifact_prefix="build/fuzz/crashes/$h-" ${FUZZ_ARGS:-} "$corpus/$h" "$seeds/$h" \
            > "$log" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ]; then
            echo "fuzz $h: OK ($(stats "$log" "$corpus/$h"))"
        else
            failed=$((failed + 1))
            echo "fuzz $h: CRASHED, exit $rc (log $log)"
            grep -E 'ERROR|FUZZ_CHECK|runtime error|SUMMARY|Test unit written' "$log" | head -n 6 | sed 's/^/      /'
        fi
    done
    echo "fuzz: $(( $# - failed )) harnesses clean, $failed crashed" ;;
*)
    echo "usage: run.sh smoke BINDIR HARNESS... | long BINDIR SECONDS HARNESS..." >&2
    exit 2 ;;
esac
[ "$failed" -eq 0 ]
