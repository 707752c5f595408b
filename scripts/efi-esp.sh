#!/usr/bin/env bash
# Makes a UEFI system partition directory for booting the hv through hvboot.efi:
#   efi-esp.sh OUTDIR HV_BIN BUNDLE EFI_APP
# gives OUTDIR/EFI/BOOT/BOOTAA64.EFI (EFI_APP), hv.bin (HV_BIN) and bundle.cpio (BUNDLE),
# all copies. Boot it in QEMU with -drive file=fat:rw:OUTDIR,format=raw,media=disk.
set -euo pipefail
if [ $# -ne 4 ]; then
    echo "usage: $0 OUTDIR HV_BIN BUNDLE EFI_APP" >&2
    exit 2
fi
out=$1 hv=$2 bundle=$3 app=$4
for f in "$hv" "$bundle" "$app"; do
    [ -f "$f" ] || { echo "efi-esp: no such file: $f" >&2; exit 1; }
done
mkdir -p "$out/EFI/BOOT"
cp "$app" "$out/EFI/BOOT/BOOTAA64.EFI"
cp "$hv" "$out/EFI/BOOT/hv.bin"
cp "$bundle" "$out/EFI/BOOT/bundle.cpio"
