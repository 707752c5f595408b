#!/usr/bin/env bash
# libfdt's C sources, for building it with the fuzzers' instrumentation (`make fuzz`).
#   libfdt-source.sh DIR      (e.g. build/deps/libfdt-src; DIR/*.c and *.h afterwards)
# Debian serves no reliable libfdt source package, but linux-source-6.1 carries libfdt in
# scripts/dtc/libfdt. The .deb is large (about 140 MB); only that directory is kept.
# Idempotent: does nothing once DIR/fdt.c exists.
set -euo pipefail
dir=${1:?usage: libfdt-source.sh DIR}
[ -f "$dir/fdt.c" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp" # apt's download user (_apt) writes the .deb there
echo "libfdt-source: apt-get download linux-source-6.1 (about 140 MB, once)"
(cd "$tmp" && apt-get download -q linux-source-6.1 >/dev/null) || {
    apt-get update -q >/dev/null; (cd "$tmp" && apt-get download -q linux-source-6.1 >/dev/null); }
# The .deb holds usr/src/linux-source-6.1.tar.xz; take libfdt out of that tarball alone.
dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
    tar -x -C "$tmp" --wildcards '*/linux-source-6.1.tar.xz'
tar -xJf "$tmp"/usr/src/linux-source-6.1.tar.xz -C "$tmp" --wildcards \
    'linux-source-6.1/scripts/dtc/libfdt/*'
src=$tmp/linux-source-6.1/scripts/dtc/libfdt
[ -f "$src/fdt.c" ] || { echo "libfdt-source: no libfdt in linux-source-6.1" >&2; exit 1; }
mkdir -p "$dir.tmp"
cp "$src"/*.c "$src"/*.h "$dir.tmp/"
rm -rf "$dir" && mv "$dir.tmp" "$dir"
echo "libfdt-source: libfdt sources in $dir"
