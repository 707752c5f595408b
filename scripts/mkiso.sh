#!/usr/bin/env bash
# A bootable ISO (BIOS, El Torito through GRUB) that boots the hv with one boot bundle:
#   mkiso.sh OUT.iso hvboot.mb2 BUNDLE.cpio
# grub.cfg loads hvboot.mb2 with GRUB's multiboot2 and the bundle as a module named
# bundle.cpio, on a serial console (COM1, 115200 8N1), without a menu. Needs grub-mkrescue
# (grub-common, grub-pc-bin), xorriso and mtools (scripts/setup-deps.sh x86_64).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 OUT.iso hvboot.mb2 BUNDLE.cpio" >&2; exit 2; }
out=$1 loader=$2 bundle=$3
grub=/usr/lib/grub/i386-pc
for tool in grub-mkrescue xorriso mformat; do
    command -v $tool >/dev/null || { echo "mkiso: no $tool (run scripts/setup-deps.sh x86_64)" >&2; exit 1; }
done
[ -f "$grub/multiboot2.mod" ] || { echo "mkiso: no $grub (install grub-pc-bin)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/iso/boot/grub"
cp "$loader" "$tmp/iso/boot/hvboot.mb2"
cp "$bundle" "$tmp/iso/boot/bundle.cpio"
cat > "$tmp/iso/boot/grub/grub.cfg" <<'CFG'
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial
terminal_output serial
set timeout=0
set timeout_style=hidden
multiboot2 /boot/hvboot.mb2
module2 /boot/bundle.cpio bundle.cpio
boot
CFG
mkdir -p "$(dirname "$out")"
# Only the modules grub.cfg needs (the image is a few MiB smaller than with all of them).
if ! grub-mkrescue -d "$grub" --install-modules="normal multiboot2 serial terminal boot iso9660 biosdisk" \
        --locales= --fonts= --themes= -o "$out.tmp" "$tmp/iso" > "$tmp/log" 2>&1; then
    echo "mkiso: grub-mkrescue failed:" >&2
    cat "$tmp/log" >&2
    exit 1
fi
mv "$out.tmp" "$out"
