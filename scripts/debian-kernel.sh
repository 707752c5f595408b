#!/usr/bin/env bash
# debian-kernel.sh OUTDIR: Debian 12's cloud kernel for amd64, unmodified, and an initrd of
# its virtio modules with test/e2e/linux/init.c as /init, for the linux-debian e2e row:
#   OUTDIR/vmlinuz-debian, OUTDIR/initrd-debian.cpio
# The package comes from Debian's apt repositories (apt-get download, cached in OUTDIR);
# nothing is installed. Idempotent.
set -euo pipefail
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
cd "$out"

if [ ! -f vmlinuz-debian ]; then
    # the metapackage names the current ABI's image package
    rm -rf pkg && mkdir pkg && cd pkg
    apt-get download linux-image-cloud-amd64 >/dev/null 2>&1 ||
        { echo "debian-kernel: apt-get download linux-image-cloud-amd64 failed (no apt source?)" >&2; exit 1; }
    image=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | tr ',' '\n' |
            sed -n 's/^ *\(linux-image-[0-9][^ ]*-cloud-amd64\).*/\1/p' | head -n 1)
    [ -n "$image" ] || { echo "debian-kernel: linux-image-cloud-amd64 names no kernel package" >&2; exit 1; }
    apt-get download "$image" >/dev/null 2>&1 ||
        { echo "debian-kernel: apt-get download $image failed" >&2; exit 1; }
    dpkg-deb -x "$image"_*.deb root
    cd ..
    rm -rf modules && mkdir modules
    kdir=$(echo pkg/root/lib/modules/*/kernel)
    for m in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_mmio.ko \
             drivers/char/virtio_console.ko drivers/block/virtio_blk.ko; do
        [ -f "$kdir/$m" ] || { echo "debian-kernel: $image has no $m" >&2; exit 1; }
        cp "$kdir/$m" modules/
    done
    echo "$image" > kernel-package
    cp pkg/root/boot/vmlinuz-* vmlinuz-debian.tmp
    rm -rf pkg
    mv vmlinuz-debian.tmp vmlinuz-debian
fi

if [ ! -f initrd-debian.cpio ] || [ "$top/test/e2e/linux/init.c" -nt initrd-debian.cpio ]; then
    rm -rf rd && mkdir -p rd/dev rd/proc
    gcc -static -O2 -Wall -Wextra -o rd/init "$top/test/e2e/linux/init.c"
    cp modules/*.ko rd/
    (cd rd && find . | LC_ALL=C sort | cpio --quiet -o -H newc) > initrd-debian.cpio.tmp
    rm -rf rd
    mv initrd-debian.cpio.tmp initrd-debian.cpio
fi
echo "debian-kernel: $(cat kernel-package), initrd $(stat -c %s initrd-debian.cpio) bytes"
