#!/usr/bin/env bash
# debian-kernel.sh OUTDIR ARCH: Debian 12's cloud kernel for ARCH (x86_64: amd64, a
# bzImage; aarch64: arm64, an uncompressed Image), unmodified, and an initrd of its virtio
# modules with test/e2e/linux/init.c as /init, for the linux-debian e2e rows:
#   OUTDIR/vmlinuz-debian, OUTDIR/initrd-debian.cpio
# The package comes from Debian's apt repositories (apt-get download, cached in OUTDIR);
# nothing is installed. Idempotent.
set -euo pipefail
out=$1 arch=${2:-x86_64}
top=$(cd "$(dirname "$0")/.." && pwd)
case $arch in
    x86_64) deb=amd64 cc=gcc ;;
    aarch64) deb=arm64 cc=aarch64-linux-gnu-gcc ;;
    *) echo "debian-kernel: no Debian kernel for $arch" >&2; exit 1 ;;
esac
mkdir -p "$out"
cd "$out"

if [ ! -f vmlinuz-debian ]; then
    # the metapackage names the current ABI's image package
    rm -rf pkg && mkdir pkg && cd pkg
    apt-get download "linux-image-cloud-$deb:$deb" >/dev/null 2>&1 ||
        { echo "debian-kernel: apt-get download linux-image-cloud-$deb failed (no apt source?)" >&2; exit 1; }
    image=$(dpkg-deb -f linux-image-cloud-"$deb"_*.deb Depends | tr ',' '\n' |
            sed -n "s/^ *\(linux-image-[0-9][^ ]*-cloud-$deb\).*/\1/p" | head -n 1)
    [ -n "$image" ] || { echo "debian-kernel: linux-image-cloud-$deb names no kernel package" >&2; exit 1; }
    apt-get download "$image:$deb" >/dev/null 2>&1 ||
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
    rm -rf rd && mkdir -p rd/dev rd/proc rd/mnt
    "$cc" -static -O2 -Wall -Wextra -o rd/init "$top/test/e2e/linux/init.c"
    cp modules/*.ko rd/
    (cd rd && find . | LC_ALL=C sort | cpio --quiet -o -H newc) > initrd-debian.cpio.tmp
    rm -rf rd
    mv initrd-debian.cpio.tmp initrd-debian.cpio
fi
echo "debian-kernel: $(cat kernel-package), initrd $(stat -c %s initrd-debian.cpio) bytes"
