#!/usr/bin/env bash
# Makes a UEFI system partition directory for booting the hv through hvboot.efi:
#   efi-esp.sh OUTDIR HV_BIN BUNDLE EFI_APP BOOT_NAME
# gives OUTDIR/EFI/BOOT/BOOT_NAME (EFI_APP: BOOTAA64.EFI, BOOTX64.EFI), hv.bin (HV_BIN;
# "-" when the app carries the hv itself, as on x86_64) and bundle.cpio (BUNDLE), all
# copies. Boot it in QEMU with -drive file=fat:rw:OUTDIR,format=raw,media=disk.
set -euo pipefail
if [ $# -ne 5 ]; then
    echo "usage: $0 OUTDIR HV_BIN|- BUNDLE EFI_APP BOOT_NAME" >&2
    exit 2
fi
out=$1 hv=$2 bundle=$3 app=$4 name=$5
for f in "$bundle" "$app"; do
    [ -f "$f" ] || { echo "efi-esp: no such file: $f" >&2; exit 1; }
done
[ "$hv" = - ] || [ -f "$hv" ] || { echo "efi-esp: no such file: $hv" >&2; exit 1; }
mkdir -p "$out/EFI/BOOT"
cp "$app" "$out/EFI/BOOT/$name"
[ "$hv" = - ] || cp "$hv" "$out/EFI/BOOT/hv.bin"
cp "$bundle" "$out/EFI/BOOT/bundle.cpio"
