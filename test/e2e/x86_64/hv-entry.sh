#!/usr/bin/env bash
# Boot one x86_64 test guest the way our hypervisor will, on plain QEMU microvm:
# hvload lays it out with the hv's own bzImage loader and ACPI builder (boot_params
# with e820, command line and acpi_rsdp_addr; MADT, FADT with the sleep/reset ports,
# DSDT with LNRO0005 devices for microvm's virtio-mmio slots), and entry-stub (a
# multiboot image) enters it at entry64 in long mode with RSI = boot_params.
# isa-debug-exit devices sit on the hv's power ports: 0x600 (sleep control) and
# 0x602 (reset).
#   hv-entry.sh [-a "bootargs"] [-d disk.img] [-s cpus] [-t seconds] GUEST.bin [-- qemu args]
# Exit status: 0 when the guest powered off through the sleep control port, 3 when it
# wrote the reset port, 124 on timeout, else QEMU's.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
append="" disk="" smp=1 secs=30 mem=512
usage() { sed -n '2,11p' "$0" >&2; exit 2; }
while getopts "a:d:s:t:h" o; do
    case $o in
    a) append=$OPTARG ;; d) disk=$OPTARG ;; s) smp=$OPTARG ;; t) secs=$OPTARG ;; *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
guest=$1; shift
[ "${1:-}" = "--" ] && shift
[ -f "$guest" ] || { echo "hv-entry: no guest image $guest" >&2; exit 2; }

out=$top/build/host/hv-entry
mkdir -p "$out"
here=$top/test/e2e/x86_64
cc -std=gnu11 -O1 -g -Wall -Wextra -I"$top/arch/x86_64/include" -o "$out/hvload" \
    "$here/hvload.c" "$top/arch/x86_64/bzimage.c" "$top/arch/x86_64/acpi.c"
gcc -m32 -c -o "$out/entry-stub.o" "$here/entry-stub.S"
ld -m elf_i386 -Ttext=0x100000 -e _start -z noexecstack -o "$out/entry-stub.elf" "$out/entry-stub.o"

# microvm with ioapic2=off: 8 virtio-mmio slots at 0xfeb00000 + 0x200 n, GSI 16 + n
devs=()
for n in 0 1 2 3 4 5 6 7; do devs+=("$(printf '0x%x:%d' $((0xfeb00000 + 0x200 * n)) $((16 + n)))"); done
"$out/hvload" "$guest" "$out" "$mem" "$smp" "$append" "${devs[@]}" >&2
mapfile -t loads < <(tr ' ' '\n' < "$out/qemu.args")

args=(-M microvm,acpi=on,rtc=on,ioapic2=off -accel tcg -cpu qemu64 -m "$mem" -smp "$smp"
      -nodefaults -no-user-config -display none -serial none
      -global virtio-mmio.force-legacy=false -kernel "$out/entry-stub.elf" "${loads[@]}"
      -device isa-debug-exit,iobase=0x600,iosize=1 -device isa-debug-exit,iobase=0x602,iosize=1
      -device virtio-serial-device -chardev stdio,id=c0,signal=off -device virtconsole,chardev=c0)
if [ -n "$disk" ]; then
    args+=(-drive "if=none,id=d0,file=$disk,format=raw" -device virtio-blk-device,drive=d0)
fi
rc=0
timeout "$secs" qemu-system-x86_64 "${args[@]}" "$@" || rc=$?
case $rc in
105) echo "hv-entry: the guest wrote SLP_TYP 5 | SLP_EN to the sleep control port (power off)" >&2; rc=0 ;;
3)   echo "hv-entry: the guest wrote the reset value to the reset port" >&2 ;;
esac
exit $rc
