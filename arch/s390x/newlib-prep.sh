#!/usr/bin/env bash
# newlib's configure.host has no s390 entry ("Newlib does not support CPU s390x"); the
# generic C code is all the hv and its guests need, so an empty case is enough.
#   newlib-prep.sh NEWLIB-SOURCE-DIR
set -euo pipefail
f=$1/newlib/configure.host
grep -q '^  s390\*)' "$f" && exit 0
python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
mark = "  *)\n\techo '***' \"Newlib does not support CPU ${host_cpu}\""
if mark not in s:
    sys.exit("newlib-prep: configure.host has changed; no place for the s390 case")
s = s.replace(mark, "  s390*)\n\t;;\n" + mark, 1)
open(p, "w").write(s)
PY
