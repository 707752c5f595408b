#!/usr/bin/env bash
# mkbundle.sh OUT.cpio CONFIG.dtb FILE...: the boot bundle (newc cpio) with config.dtb first.
set -euo pipefail
out=$1 cfg=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$cfg" "$tmp/config.dtb"
names=(config.dtb)
for f in "$@"; do
    cp "$f" "$tmp/"
    names+=("$(basename "$f")")
done
(cd "$tmp" && printf '%s\n' "${names[@]}" | cpio --quiet -o -H newc) > "$out.tmp"
mv "$out.tmp" "$out"
