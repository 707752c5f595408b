#!/usr/bin/env bash
# Boot one x86_64 test guest (a bzImage from guests/) bare on QEMU's microvm, the
# machine our hypervisor's partitions imitate: the guest finds its virtio-mmio
# console (and disk) through ACPI (LNRO0005), its CPUs through the MADT.
#   bare-qemu.sh [-a "bootargs"] [-d disk.img] [-s cpus] [-t seconds] [-m MiB] GUEST.bin [-- qemu args]
# The guest's console is this script's stdin/stdout. Exit status: QEMU's (0 after
# the guest's ACPI power-off), 124 on timeout.
set -euo pipefail
append="" disk="" smp=1 secs=30 mem=512
usage() { sed -n '2,7p' "$0" >&2; exit 2; }
while getopts "a:d:s:t:m:h" o; do
    case $o in
    a) append=$OPTARG ;; d) disk=$OPTARG ;; s) smp=$OPTARG ;; t) secs=$OPTARG ;; m) mem=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
guest=$1; shift
[ "${1:-}" = "--" ] && shift
[ -f "$guest" ] || { echo "bare-qemu: no guest image $guest" >&2; exit 2; }

args=(-M microvm,acpi=on,rtc=on -accel tcg -cpu qemu64 -m "$mem" -smp "$smp"
      -nodefaults -no-user-config -display none -serial none
      -global virtio-mmio.force-legacy=false
      -kernel "$guest" -append "$append"
      -device virtio-serial-device -chardev stdio,id=c0,signal=off -device virtconsole,chardev=c0)
if [ -n "$disk" ]; then
    args+=(-drive "if=none,id=d0,file=$disk,format=raw" -device virtio-blk-device,drive=d0)
fi
rc=0
timeout "$secs" qemu-system-x86_64 "${args[@]}" "$@" || rc=$?
exit $rc
