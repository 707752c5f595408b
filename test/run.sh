#!/usr/bin/env bash
# test/run.sh ARCH O: host unit tests, then the end-to-end table; one summary line at the end.
# Called by `make test` after everything is built.
set -uo pipefail
arch=$1 out=$2
host=build/host
passed=0 failed=0

# The unit tests the Makefile built (stale binaries of removed tests are not run).
for t in ${UNIT_TESTS:-"$host"/unit-*}; do
    [ -x "$t" ] || continue
    if "$t" > "$host/$(basename "$t").log" 2>&1; then
        passed=$((passed + 1)); echo "PASS: $(tail -n 1 "$host/$(basename "$t").log")"
    else
        failed=$((failed + 1)); echo "FAIL: $(basename "$t") (log $host/$(basename "$t").log)"
        grep -E '^FAIL|ERROR|runtime error' "$host/$(basename "$t").log" | head -n 20 | sed 's/^/      /'
    fi
done

# The host config checker: accepts the demo, rejects a bad config naming the problem.
check_tool() {
    local name=$1 dts=$2 want_rc=$3 want_text=$4 log="$host/hvcheck-$arch-$1.log"
    dtc -q -I dts -O dtb -o "$host/$name.dtb" "$dts" &&
        scripts/mkbundle.sh "$host/$name.cpio" "$host/$name.dtb" "$out"/guests/*.bin
    "$host/hvcheck-$arch" --cpus 2 --bundle "$host/$name.cpio" "$host/$name.dtb" > "$log" 2>&1
    local rc=$?
    if [ "$rc" -eq "$want_rc" ] && grep -qF -- "$want_text" "$log"; then
        passed=$((passed + 1)); echo "PASS: hvcheck $name"
    else
        failed=$((failed + 1)); echo "FAIL: hvcheck $name: exit $rc (want $want_rc), output:"
        sed 's/^/      /' "$log"
    fi
}
check_tool demo configs/demo.dts 0 "OK (2 partitions)"
check_tool cpu-twice test/e2e/configs/bad-cpu-twice.dts 1 \
    "config: partition 'b' (partition@1): property 'cpus': CPU 0 is also given to partition 'a'"
check_tool no-image test/e2e/configs/bad-no-image.dts 1 "'nosuch.bin' is not in the boot bundle"

# Damaged bundles (found by fuzzing): hvcheck takes their config.dtb as the hv does and
# refuses each with the reason.
check_bundle() {
    local name=$1 want_text=$2 log="$host/hvcheck-$arch-$1.log"
    "$host/hvcheck-$arch" --cpus 2 --bundle "test/unit/data/$name.cpio" > "$log" 2>&1
    local rc=$?
    if [ "$rc" -eq 1 ] && grep -qF -- "$want_text" "$log"; then
        passed=$((passed + 1)); echo "PASS: hvcheck $name"
    else
        failed=$((failed + 1)); echo "FAIL: hvcheck $name: exit $rc (want 1), output:"
        sed 's/^/      /' "$log"
    fi
}
check_bundle bundle-uninit-propname "config: config.dtb is damaged: a tag or property length runs outside"
check_bundle bundle-libfdt-misaligned-struct "config: config.dtb says it is 16777295 bytes but only 514"
check_bundle bundle-dtb-totalsize-past-64k "config: config.dtb says it is"

if scripts/readme-config.sh "$host/hvcheck-$arch" --check; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

# The fuzz harnesses over their seeds and corpora plus a short random pass (arch-neutral:
# `make test` for every port runs them once, with the first port, see scripts/test-all.sh).
if [ -n "${FUZZ_SMOKE_BINS:-}" ] && [ "${HV_FUZZ_SMOKE_ARCH:-$arch}" = "$arch" ]; then
    start=$SECONDS
    test/fuzz/run.sh smoke "$host/fuzz" $(for b in $FUZZ_SMOKE_BINS; do basename "$b"; done) \
        > "$host/fuzz-smoke.out"
    cat "$host/fuzz-smoke.out"
    passed=$((passed + $(grep -c '^PASS' "$host/fuzz-smoke.out")))
    failed=$((failed + $(grep -c '^FAIL' "$host/fuzz-smoke.out")))
    echo "fuzz smoke pass: $((SECONDS - start)) s"
fi

eval "$(make -s --no-print-directory ARCH="$arch" print-emulator)"
# A port still being built runs the rows it can (E2E_ROWS in its arch.mk); ONLY narrows them.
e2e_only=${ONLY:-}
if [ -n "${E2E_ROWS:-}" ]; then
    e2e_only="^(${E2E_ROWS})\$"
    [ -n "${ONLY:-}" ] && e2e_only="^(?=(${E2E_ROWS})\$).*(${ONLY})"
fi
python3 test/e2e/run.py --table test/e2e/tests.tbl --qemu "$QEMU_CMDLINE" --boot "$QEMU_BOOTARGS" \
    --boot-efi "$QEMU_EFI_BOOTARGS" --arch "$arch" --disk-bus "${QEMU_DISK_BUS:-mmio}" \
    --bundles "$out/bundles" --logs "$out/test-logs" ${e2e_only:+--only "$e2e_only"} | tee "$out/e2e.out"
# count_e2e FILE: add what a run.py pass printed to the totals
count_e2e() {
    local p f
    p=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$1")
    f=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$1")
    if [ -z "$p" ]; then
        echo "FAIL: the end-to-end runner did not finish ($1)"; p=0; f=1
    fi
    passed=$((passed + p)); failed=$((failed + f))
}
count_e2e "$out/e2e.out"

# Ports with a second emulator (x86_64: Bochs, for VMX) run the rows it can run there too.
if [ -n "${BOCHS_ROWS:-}" ]; then
    only="^(${BOCHS_ROWS})\$"
    [ -n "${ONLY:-}" ] && only="^(?=(${BOCHS_ROWS})\$).*(${ONLY})"
    python3 test/e2e/run.py --table test/e2e/tests.tbl --qemu "$BOCHS_CMDLINE" \
        --boot "$BOCHS_BOOTARGS" --arch "$arch" --bundles "$out/bundles" \
        --logs "$out/test-logs/bochs" --tag bochs --only "$only" | tee "$out/e2e-bochs.out"
    count_e2e "$out/e2e-bochs.out"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
