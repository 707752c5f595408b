#!/usr/bin/env bash
# Installs and builds what the build needs, idempotently; results are cached under build/deps.
#   setup-deps.sh ARCH        (a folder of arch/)
# Debian 12 packages come from apt (installed only when missing); newlib is built from
# Debian's newlib-source for the target; libfdt for the target is unpacked from Debian's
# libfdt-dev:<debian-arch> package (the source package is not reliably served).
set -euo pipefail
arch=${1:-aarch64}
top=$(cd "$(dirname "$0")/.." && pwd)
deps=$top/build/deps
mkdir -p "$deps"

# What the port needs comes from its arch/<arch>/arch.mk (make print-deps): the Debian
# architecture and compiler triple, newlib's host and extra flags, its own apt packages, and
# optional hooks (DEPS_NEWLIB_PREP: adapt newlib's source; DEPS_HOOK: fetch what else it needs).
[ -f "$top/arch/$arch/arch.mk" ] || { echo "setup-deps: unsupported ARCH '$arch'" >&2; exit 2; }
eval "$(make -s --no-print-directory -C "$top" ARCH="$arch" print-deps)"
debarch=$DEB_ARCH triple=$TRIPLE host=$NEWLIB_HOST extra=$NEWLIB_CFLAGS pkgs=$APT_PACKAGES
pkgs="$pkgs device-tree-compiler libfdt-dev newlib-source cpio gcc make python3 libasan8 libubsan1"
pkgs="$pkgs acpica-tools" # iasl checks the ACPI tables the x86_64 port builds
pkgs="$pkgs e2fsprogs"    # the Linux rows: an ext4 slice made and checked on the host
pkgs="$pkgs clang libclang-rt-14-dev" # the fuzz harnesses (libFuzzer, ASan, UBSan)

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup-deps: missing Debian packages:$missing (run as root or install them)" >&2
        exit 1
    fi
    echo "setup-deps: apt-get install$missing"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi

# libfdt for the target: the static library and headers from libfdt-dev:<debarch>; on
# x86_64 the host's own (the hv and hvboot.efi use it; x86_64 guests find their devices
# through ACPI and do not).
fdt=$deps/libfdt-$arch
if [ "$debarch" = "$(dpkg --print-architecture)" ] && [ ! -f "$fdt/lib/libfdt.a" ]; then
    mkdir -p "$fdt/lib" "$fdt/include"
    cp "/usr/lib/$triple/libfdt.a" "$fdt/lib/"
    cp /usr/include/fdt.h /usr/include/libfdt.h /usr/include/libfdt_env.h "$fdt/include/"
elif [ ! -f "$fdt/lib/libfdt.a" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
        dpkg --add-architecture "$debarch"
        apt-get update -q >/dev/null
    fi
    tmp=$(mktemp -d)
    chmod 777 "$tmp" # apt's download user (_apt) writes the .deb there
    (cd "$tmp" && apt-get download -q "libfdt-dev:$debarch" >/dev/null) || {
        apt-get update -q >/dev/null; (cd "$tmp" && apt-get download -q "libfdt-dev:$debarch" >/dev/null); }
    dpkg -x "$tmp"/libfdt-dev_*.deb "$tmp/x"
    mkdir -p "$fdt/lib" "$fdt/include"
    cp "$tmp/x/usr/lib/$triple/libfdt.a" "$fdt/lib/"
    cp "$tmp/x/usr/include/"*.h "$fdt/include/"
    rm -rf "$tmp"
    echo "setup-deps: libfdt for $arch in $fdt"
fi

# newlib for the target (C library only, no libgloss: the syscall layer is ours).
nl=$deps/newlib-$arch
if [ ! -f "$nl/$host/lib/libc.a" ]; then
    src=$deps/newlib-src
    if [ ! -d "$src/newlib-salsa" ]; then
        rm -rf "$src"; mkdir -p "$src"
        tar -C "$src" -xf /usr/src/newlib/newlib-*.tar.*
    fi
    if [ -n "${DEPS_NEWLIB_PREP:-}" ]; then "$top/$DEPS_NEWLIB_PREP" "$src/newlib-salsa"; fi
    bld=$deps/newlib-build-$arch
    rm -rf "$bld"; mkdir -p "$bld"
    echo "setup-deps: building newlib for $arch (about a minute)"
    (cd "$bld" && "$src/newlib-salsa/newlib/configure" --host=$host --prefix="$nl" \
        CC="$triple-gcc -ffreestanding -fno-stack-protector -O2 $extra" \
        AR=$triple-ar RANLIB=$triple-ranlib AS=$triple-as LD=$triple-ld READELF=$triple-readelf \
        --disable-newlib-supplied-syscalls --enable-newlib-nano-malloc --disable-multilib \
        --disable-newlib-io-float >"$bld/configure.log" 2>&1 &&
     make -j"$(nproc)" >"$bld/make.log" 2>&1 && make install >"$bld/install.log" 2>&1) || {
        echo "setup-deps: newlib build failed; see $bld/*.log" >&2; exit 1; }
    rm -rf "$bld"
    echo "setup-deps: newlib for $arch in $nl"
fi

if [ -n "${DEPS_HOOK:-}" ]; then
    "$top/$DEPS_HOOK"
fi
