#!/usr/bin/env bash
# smoke.sh [GUEST_DIR]: every x86_64 test guest on plain QEMU microvm, booted both ways:
#   bare      bare-qemu.sh: QEMU -kernel runs the bzImage's real-mode setup (E820 from the
#             firmware), microvm's own ACPI tables, ACPI power-off / reset through its GED
#   hv-entry  hv-entry.sh: the hv's loader and ACPI tables, entered at entry64 in long mode
# Checks the console lines and exit codes; ends with "N passed, N failed". One QEMU at a
# time. GUEST_DIR defaults to build/x86_64/guests.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
dir=${1:-$top/build/x86_64/guests}
here=$top/test/e2e/x86_64
work=$top/build/host/x86-smoke
mkdir -p "$work"
passed=0 failed=0

# check NAME WANT_RC LOG REGEX... : the exit code and every regex (grep -E) in the log
check() {
    local name=$1 want=$2 rc=$3 log=$4 ok=1 re
    shift 4
    [ "$rc" -eq "$want" ] || { ok=0; echo "      exit $rc, want $want"; }
    for re in "$@"; do
        grep -Eq -- "$re" "$log" || { ok=0; echo "      missing: $re"; }
    done
    if [ $ok = 1 ]; then
        passed=$((passed + 1)); echo "PASS: $name"
    else
        failed=$((failed + 1)); echo "FAIL: $name (log $log)"
    fi
}

for mode in bare hv-entry; do
    run="$here/bare-qemu.sh"
    [ $mode = hv-entry ] && run="$here/hv-entry.sh"
    l=$work/$mode

    echo "hi there" | "$run" -t 30 -a "greeting" "$dir/hello.bin" >"$l-hello.log" 2>&1
    check "$mode hello" 0 $? "$l-hello.log" '^hello: started, bootargs "greeting"' '^hello: echo "hi there"$'

    "$run" -t 30 -a "period_ms=100 count=10 timing=1" "$dir/ticker.bin" </dev/null >"$l-ticker.log" 2>&1
    check "$mode ticker" 0 $? "$l-ticker.log" '^tick 10$' \
        '^ticker: 10 ticks in (9[5-9][0-9]|10[0-4][0-9]) ms by the counter' '^ticker: done$'

    rm -f "$work/disk.img"; truncate -s 8M "$work/disk.img"
    "$run" -t 60 -d "$work/disk.img" -a "mode=write label=x86" "$dir/blk.bin" </dev/null >"$l-blk.log" 2>&1
    rc=$?
    dd if="$work/disk.img" bs=512 skip=16383 count=1 2>/dev/null | head -c 16 >"$l-blk.sector"
    echo "host: $(cat "$l-blk.sector")" >>"$l-blk.log"
    check "$mode blk write" 0 $rc "$l-blk.log" '^blk: wrote 16384 sectors, flushed$' \
        '^blk: verified 16384 sectors OK$' '^host: x86 sector 16383'
    "$run" -t 60 -d "$work/disk.img" -a "mode=verify label=x86" "$dir/blk.bin" </dev/null >"$l-blk2.log" 2>&1
    check "$mode blk verify" 0 $? "$l-blk2.log" '^blk: verified 16384 sectors OK$' '^blk: done$'

    "$run" -t 30 -s 3 "$dir/smp.bin" </dev/null >"$l-smp.log" 2>&1
    check "$mode smp" 0 $? "$l-smp.log" '^smp: started, 3 cpus$' '^smp: cpu 1 up$' '^smp: cpu 2 up$' \
        '^smp: cpu 1 got SGI$' '^smp: cpu 2 got SGI$' '^smp: done$'

    "$run" -t 30 -a "read=0x30000000 msr=0x1b" "$dir/intruder.bin" </dev/null >"$l-intruder.log" 2>&1
    check "$mode intruder" 0 $? "$l-intruder.log" '^intruder: survived msr=0x1b \(value 0xfee00900\)$' \
        '^intruder: done$'

    "$run" -t 30 -a "lines=50" "$dir/noisy.bin" </dev/null >"$l-noisy.log" 2>&1
    check "$mode noisy" 0 $? "$l-noisy.log" '^noisy: flood 50$' 'noisy: partial line without newline'

    "$run" -t 60 -a "test=compute" "$dir/bench.bin" </dev/null >"$l-bench.log" 2>&1
    check "$mode bench" 0 $? "$l-bench.log" '^bench: compute ticks=[0-9]+ freq=[0-9]+ crc=' '^bench: done$'
done

# reset: bare microvm reboots and the guest starts again from a fresh image (counter 0);
# the hv's reset port is an isa-debug-exit in hv-entry.sh (exit 3)
"$here/bare-qemu.sh" -t 6 -a "delay_ms=50" "$dir/resetter.bin" </dev/null >"$work/bare-resetter.log" 2>&1
rc=$?
n=$(grep -c '^resetter: started, counter at 0x[0-9a-f]* = 0$' "$work/bare-resetter.log")
echo "boots: $n" >>"$work/bare-resetter.log"
grep -q '= 1$' "$work/bare-resetter.log" && echo "reloaded: no" >>"$work/bare-resetter.log"
check "bare resetter" 124 $rc "$work/bare-resetter.log" '^boots: ([2-9]|[1-9][0-9]+)$' \
    '^resetter: requesting reset$'
"$here/hv-entry.sh" -t 30 -a "delay_ms=50" "$dir/resetter.bin" </dev/null >"$work/hv-entry-resetter.log" 2>&1
check "hv-entry resetter" 3 $? "$work/hv-entry-resetter.log" '^resetter: requesting reset$' \
    'wrote the reset value to the reset port'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
