#!/usr/bin/env bash
# `make test` without ARCH=: the whole suite for every port in turn, then one summary line.
#   test-all.sh ARCH...
set -uo pipefail
passed=0 failed=0
# The fuzz smoke pass is the same for every port: run it once, with the first.
export HV_FUZZ_SMOKE_ARCH=$1
for arch in "$@"; do
    echo "==== $arch ===="
    make --no-print-directory ARCH="$arch" test 2>&1 | tee "build/test-$arch.out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "build/test-$arch.out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL: $arch: the suite did not finish"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
