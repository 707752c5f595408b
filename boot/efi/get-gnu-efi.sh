#!/usr/bin/env bash
# Fetches GNU-EFI for arm64 (Debian's gnu-efi:arm64, unpacked, not installed) into
# build/deps/gnu-efi-aarch64, and makes sure the arm64 UEFI firmware (qemu-efi-aarch64) is
# installed. Idempotent: does nothing when both are already there.
#   get-gnu-efi.sh [DEST]      (default: <repo>/build/deps/gnu-efi-aarch64)
# Result: DEST/usr/lib/{crt0-efi-aarch64.o,libefi.a,libgnuefi.a,elf_aarch64_efi.lds},
#         DEST/usr/include/efi/...
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$top/build/deps/gnu-efi-aarch64}

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "get-gnu-efi: $1 needs root (run as root or do it by hand)" >&2
        exit 1
    fi
}

if ! dpkg-query -W -f='${Status}' qemu-efi-aarch64 2>/dev/null | grep -q "install ok installed"; then
    need_root "installing qemu-efi-aarch64"
    echo "get-gnu-efi: apt-get install qemu-efi-aarch64"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-efi-aarch64 >/dev/null
fi

if [ -f "$dest/usr/lib/crt0-efi-aarch64.o" ] && [ -f "$dest/usr/lib/libefi.a" ] &&
   [ -f "$dest/usr/lib/libgnuefi.a" ] && [ -f "$dest/usr/lib/elf_aarch64_efi.lds" ] &&
   [ -f "$dest/usr/include/efi/efi.h" ]; then
    exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    need_root "adding the arm64 package architecture"
    dpkg --add-architecture arm64
    apt-get update -q >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp" # apt-get download drops privileges to _apt, which must write here
if ! (cd "$tmp" && apt-get download -q gnu-efi:arm64 >/dev/null 2>"$tmp/err"); then
    # a stale package list: refresh it (root only) and try once more
    need_root "refreshing the package lists"
    apt-get update -q >/dev/null
    (cd "$tmp" && apt-get download -q gnu-efi:arm64 >/dev/null) || {
        echo "get-gnu-efi: apt-get download gnu-efi:arm64 failed" >&2; cat "$tmp/err" >&2; exit 1; }
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
dpkg -x "$tmp"/gnu-efi_*_arm64.deb "$dest.tmp"
# Debian puts the libraries either in usr/lib or usr/lib/aarch64-linux-gnu: normalise to usr/lib.
for f in crt0-efi-aarch64.o libefi.a libgnuefi.a elf_aarch64_efi.lds; do
    if [ ! -f "$dest.tmp/usr/lib/$f" ]; then
        src=$(find "$dest.tmp/usr/lib" -name "$f" -print -quit)
        [ -n "$src" ] || { echo "get-gnu-efi: $f not in the package" >&2; exit 1; }
        cp "$src" "$dest.tmp/usr/lib/$f"
    fi
done
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "get-gnu-efi: gnu-efi for arm64 in $dest"
