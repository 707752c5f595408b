#!/usr/bin/env bash
# Boots a BIOS ISO (scripts/mkiso.sh) under Bochs, headless, and streams COM1 to stdout
# until Bochs ends:
#   bochs-run.sh [--cpu MODEL] [--mem MIB] [--ips N] [--keep] [-smp N] [QEMU-STYLE OPTIONS] ISO
#
# --cpu   Bochs CPU model (default ryzen: SVM + NPT + NRIPS; corei7_haswell_4770: VMX + EPT)
# --mem   guest RAM in MiB (default 1024)
# --ips   emulated instructions per second (default 20000000: Bochs time is virtual, so
#         fewer instructions per emulated second make timer waits shorter in wall time;
#         the e2e rows take about half as long as with 100000000, which works too)
# --keep  keep the work directory (bochsrc, Bochs log, screen) and name it on stderr
# --rc LINE  one more bochsrc line (repeatable), e.g. --rc 'debug: action=ignore, serial=report'
# -smp N  CPUs (as QEMU's option, so test/e2e/run.py can call this in place of QEMU). The
#         options run.py adds for QEMU (-display, -monitor, -serial stdio) are accepted and
#         ignored; a disk (-drive/-device) is refused: Bochs has no virtio-blk.
#
# Exit status: 0 when the machine powered itself off (ACPI S5, or "Shutdown" written to
# port 0x8900: Bochs logs either as a PANIC and exits 1); otherwise Bochs's status, with
# its last PANIC/ERROR lines on stderr. Killed (TERM, INT, HUP), it ends Bochs first; a
# watchdog ends Bochs too if this script is killed with SIGKILL.
#
# How: Debian's bochs has no headless display library, so it runs with 'display_library:
# term' under a pseudo-terminal (script(1)), with the internal debugger told to continue
# and quit (dbg.rc). COM1 is a second pseudo-terminal ('mode=term') that pty-bridge.py
# connects to this script's stdin and stdout, so console input works too. See
# shared/platforms.md.
set -uo pipefail

cpu=ryzen mem=1024 ips=20000000 smp=1 keep=0 iso="" extra=""
while [ $# -gt 0 ]; do
    case $1 in
    --cpu) cpu=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --ips) ips=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --rc) extra+=$2$'\n'; shift 2 ;;
    -smp) smp=${2%%,*}; shift 2 ;;
    -display|-monitor|-serial) shift 2 ;;
    -drive|-device) echo "bochs-run: no disks under Bochs (it has no virtio-blk): $1 $2" >&2; exit 2 ;;
    -*) echo "bochs-run: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$iso" ] || { echo "bochs-run: more than one ISO ($iso, $1)" >&2; exit 2; }
       iso=$1; shift ;;
    esac
done
[ -n "$iso" ] || { echo "usage: $0 [--cpu MODEL] [--mem MIB] [--ips N] [--keep] [-smp N] ISO" >&2; exit 2; }
[ -f "$iso" ] || { echo "bochs-run: no ISO $iso (make ARCH=x86_64 isos)" >&2; exit 2; }
for tool in bochs script python3; do
    command -v $tool >/dev/null || { echo "bochs-run: no $tool (scripts/setup-deps.sh x86_64)" >&2; exit 2; }
done
dpkg-query -W -f='${Status}' bochs-term 2>/dev/null | grep -q "install ok installed" ||
    { echo "bochs-run: no term display library (apt-get install bochs-term)" >&2; exit 2; }
# The ROM BIOS: Bochs's own (bochsbios). SeaBIOS also boots under Bochs, but its ACPI tables
# there listed one CPU and no \_S5 (seen with Debian's 1.16.2), so the hv got 1 CPU and no
# power-off.
bios=/usr/share/bochs/BIOS-bochs-latest
[ -f "$bios" ] || { echo "bochs-run: no $bios (apt-get install bochsbios)" >&2; exit 2; }
[ -f /usr/share/vgabios/vgabios.bin ] || { echo "bochs-run: no VGA BIOS (apt-get install vgabios)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bochs-run.XXXXXX")
# COM1's terminal, bridged to our stdin and stdout. (A background job's stdin would be
# /dev/null without an explicit redirection, hence fd 3.)
exec 3<&0
bridge_pid=""
python3 "$(dirname "$0")/pty-bridge.py" "$work/com1" <&3 &
bridge_pid=$!
for i in $(seq 50); do [ -f "$work/com1" ] && break; sleep 0.1; done
[ -f "$work/com1" ] || { echo "bochs-run: pty-bridge.py did not start" >&2; kill "$bridge_pid"; rm -rf "$work"; exit 2; }
cat > "$work/bochsrc" <<EOF
cpu: model=$cpu, count=$smp, ips=$ips, reset_on_triple_fault=0
memory: guest=$mem, host=$mem
romimage: file=$bios
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$(realpath "$iso"), status=inserted
boot: cdrom
com1: enabled=1, mode=term, dev=$(cat "$work/com1")
display_library: term
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
$extra
EOF
printf 'c\nquit\n' > "$work/dbg.rc"

bochs_pid="" script_pid=""
# Bochs runs under script(1); the shell there writes its PID and execs Debian's bochs
# wrapper, which execs bochs-bin: that PID is Bochs's.
find_bochs() {
    [ -n "$bochs_pid" ] || bochs_pid=$(cat "$work/bochs.pid" 2>/dev/null)
}
# Bochs's term display catches SIGTERM (and turns SIGINT into Ctrl-C for the guest); it
# quits on SIGHUP. SIGKILL if it has not gone after 2 s. (A zombie has gone: script(1)
# reaps it later.)
alive() {
    local st
    st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ] &&
        grep -q bochs "/proc/$1/cmdline" 2>/dev/null
}
stop_bochs() {
    local p=$1 i
    [ -n "$p" ] && alive "$p" || return 0
    kill -HUP "$p" 2>/dev/null
    for i in $(seq 20); do
        alive "$p" || return 0
        sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null
}
cleanup() {
    trap '' INT TERM HUP
    trap - EXIT
    find_bochs
    stop_bochs "$bochs_pid"
    [ -n "$script_pid" ] && kill -TERM "$script_pid" 2>/dev/null
    [ -n "$bridge_pid" ] && kill -TERM "$bridge_pid" 2>/dev/null
    [ -n "$watchdog_pid" ] && kill -TERM "$watchdog_pid" 2>/dev/null
    wait 2>/dev/null
    if [ "$keep" = 1 ]; then echo "bochs-run: kept $work" >&2; else rm -rf "$work"; fi
}
watchdog_pid=""
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 129' HUP
trap cleanup EXIT

# stdin: /dev/null, so the pseudo-terminal sees no keys (nothing is typed into Bochs).
TERM=xterm script -qefc "echo \$\$ > $work/bochs.pid; exec bochs -q -f $work/bochsrc -rc $work/dbg.rc" /dev/null \
    < /dev/null > "$work/screen.txt" 2>&1 &
script_pid=$!
# If this script dies without its traps (SIGKILL), the watchdog ends Bochs and cleans up.
me=$$
setsid bash -c 'while kill -0 '"$me"' 2>/dev/null; do sleep 0.2; done
    p=$(cat "'"$work"'/bochs.pid" 2>/dev/null)
    if [ -n "$p" ] && grep -q bochs "/proc/$p/cmdline" 2>/dev/null; then
        kill -HUP "$p"; sleep 2
        grep -q bochs "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p"
    fi
    kill -TERM '"$script_pid"' '"$bridge_pid"' 2>/dev/null; rm -rf "'"$work"'"' \
    < /dev/null > /dev/null 2>&1 &
watchdog_pid=$!

wait "$script_pid"
rc=$?
script_pid=""
kill -TERM "$bridge_pid" 2>/dev/null   # it passes on the last output, then ends
wait "$bridge_pid" 2>/dev/null
bridge_pid=""
if grep -qE 'ACPI control: soft power off|Shutdown port: shutdown requested' "$work/bochs.log" 2>/dev/null; then
    rc=0
elif [ "$rc" -ne 0 ]; then
    echo "bochs-run: bochs exited with status $rc:" >&2
    # its PANIC and ERROR lines (before the log file is open, they go to the terminal)
    cat "$work/bochs.log" "$work/screen.txt" 2>/dev/null | tr -d '\r' |
        grep -aE '^[0-9]{11}[pe]\[' | tail -n 5 | sed 's/^/bochs-run:   /' >&2
fi
exit "$rc"
