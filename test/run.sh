#!/usr/bin/env bash
# test/run.sh ARCH O: host unit tests, then the end-to-end table; one summary line at the end.
# Called by `make test` after everything is built.
set -uo pipefail
arch=$1 out=$2
host=build/host
passed=0 failed=0

for t in "$host"/unit-*; do
    [ -x "$t" ] || continue
    if "$t" > "$host/$(basename "$t").log" 2>&1; then
        passed=$((passed + 1)); echo "PASS: $(tail -n 1 "$host/$(basename "$t").log")"
    else
        failed=$((failed + 1)); echo "FAIL: $(basename "$t") (log $host/$(basename "$t").log)"
        grep -E '^FAIL|ERROR|runtime error' "$host/$(basename "$t").log" | head -n 20 | sed 's/^/      /'
    fi
done

eval "$(make -s --no-print-directory ARCH="$arch" print-emulator)"
python3 test/e2e/run.py --table test/e2e/tests.tbl --qemu "$QEMU_CMDLINE" --boot "$QEMU_BOOTARGS" \
    --bundles "$out/bundles" --logs "$out/test-logs" ${ONLY:+--only "$ONLY"} | tee "$out/e2e.out"
e2e_pass=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out/e2e.out")
e2e_fail=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out/e2e.out")
if [ -z "$e2e_pass" ]; then
    echo "FAIL: the end-to-end runner did not finish"; e2e_pass=0; e2e_fail=1
fi
passed=$((passed + e2e_pass)); failed=$((failed + e2e_fail))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
