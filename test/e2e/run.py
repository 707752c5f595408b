#!/usr/bin/env python3
"""End-to-end runner: boots the hv under the emulator for each row of tests.tbl and checks
what the partitions printed against the test's .expect file.

Expect file lines (blank lines and # comments ignored):
  want REGEX              a console line matching REGEX must appear
  never REGEX             no console line from the hv's first on may match REGEX
  count N REGEX           exactly N lines match REGEX (N is what the guest's own logic
                          implies, never a number the hv computed)
  atleast N REGEX         at least N lines match REGEX (where timing decides the number)
  verdict LABEL           partition LABEL must end with "[LABEL] VERDICT: PASS" (the
                          guests' check_summary(); see guests/lib/check.c)
  include FILE            the rules of expect/FILE too (shared by a family of rows)
  order REGEX             lines marked 'order' must appear in this order
  input REGEX => TEXT     when a line matches REGEX, type TEXT and Enter on the console
  keys REGEX => HEX       when a line matches REGEX, send raw bytes (hex), e.g. 146e = Ctrl-T n
  stop REGEX              end the run when a line matches (the emulator is killed hard,
                          as a power cut would: used for demos and for durability tests)
  slice LABEL START COUNT after the run, disk sectors START..START+COUNT-1 hold the pattern
                          the blk guest writes for LABEL (sector n of the slice: "LABEL
                          sector n\n" repeated over 512 bytes)
  ext4 LABEL START COUNT FILE SECTORS
                          before the run, sectors START..START+COUNT-1 of a fresh disk get an
                          empty ext4 file system; after it, that file system is clean (e2fsck)
                          and holds FILE of SECTORS*512 bytes, block n of it "LABEL file n\n"
                          repeated (what test/e2e/linux/init.c writes)
  untouched               after the run, every disk sector outside the 'slice' and 'ext4'
                          rules still holds the background the runner wrote ("background n\n"
                          repeated)
Whatever the expect file says, a row fails on any "[LABEL] FAIL ..." or
"[LABEL] VERDICT: FAIL" line from a partition and on any line where the hv reports an
error of its own (FATAL below: a panic, an exception in the hv, a failed assertion).
Without 'stop', the emulator must exit by itself (the hv powers off when every partition
has stopped); a run that reaches its timeout fails.

A table row may name a disk: disk=SIZE_MIB creates a fresh image filled with the
background; disk=@TEST reuses the image an earlier row left (a second boot). disk-bus=pci
attaches the disk as a modern-only virtio-blk-pci device instead of virtio-blk on virtio-mmio
(pci-transitional: QEMU's default transitional device; pci-legacy: legacy-only, which the hv
refuses). boot=efi boots through the UEFI firmware and the loader instead of the emulator's
direct kernel boot. expect=ROW checks the row against ROW's expect file. cpu=MODEL replaces the emulator's -cpu (e.g. cpu=max). arch=A[,B] runs the row only on those architectures (--arch); a disk
without disk-bus= attaches as --disk-bus says (the machine's usual disk).
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time


# The hv's own failures (hv_panic, arch exception handlers): one rule for every row.
FATAL = re.compile(r"^\[hv\] .*(PANIC|hv exception|[Ff]atal|[Aa]ssert)")
# A failed check or verdict from a partition's guest (guests/lib/check.c).
GUEST_FAIL = re.compile(r"^\[[A-Za-z0-9_-]+\] (FAIL |VERDICT: FAIL)")


def parse_expect(path, rules=None):
    if rules is None:
        rules = {"want": [], "never": [], "count": [], "atleast": [], "order": [], "input": [],
                 "stop": [], "slice": [], "ext4": [], "untouched": False, "verdict": []}
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, _, rest = line.partition(" ")
            if kind in ("want", "never", "order", "stop"):
                rules[kind].append(re.compile(rest))
            elif kind == "slice":
                label, start, count = rest.split()
                rules["slice"].append((label, int(start), int(count)))
            elif kind == "ext4":
                label, start, count, name, sectors = rest.split()
                rules["ext4"].append((label, int(start), int(count), name, int(sectors)))
            elif kind == "untouched":
                rules["untouched"] = True
            elif kind == "verdict":
                rules["verdict"].append(rest)
            elif kind == "include":
                parse_expect(os.path.join(os.path.dirname(path), rest), rules)
            elif kind in ("count", "atleast"):
                num, _, rx = rest.partition(" ")
                rules[kind].append((int(num), re.compile(rx)))
            elif kind in ("input", "keys"):
                rx, sep, text = rest.partition(" => ")
                if not sep:
                    raise SystemExit(f"{path}:{n}: '{kind}' needs 'REGEX => TEXT'")
                data = bytes.fromhex(text) if kind == "keys" else text.encode() + b"\r"
                rules["input"].append([re.compile(rx), data, False])
            else:
                raise SystemExit(f"{path}:{n}: unknown rule '{kind}'")
    return rules


SECTOR = 512

DISK_DEVICES = {
    "mmio": "virtio-blk-device,drive=d0",
    "pci": "virtio-blk-pci,drive=d0,disable-legacy=on",
    "pci-transitional": "virtio-blk-pci,drive=d0",
    "pci-legacy": "virtio-blk-pci,drive=d0,disable-modern=on",
    "fba": "fba-dasd",    # s390x (scripts/hercules-run.py): a 3370 FBA DASD, device 0200
}


def pattern(text, sector):
    unit = f"{text} {sector}\n".encode()
    return (unit * (SECTOR // len(unit) + 1))[:SECTOR]


def make_disk(path, mib):
    with open(path, "wb") as f:
        for n in range(mib * 2048):
            f.write(pattern("background", n))


def make_ext4(path, start, count):
    """An empty ext4 file system over sectors start..start+count-1 of the disk image."""
    fs = path + ".fs"
    subprocess.run(["truncate", "-s", str(count * SECTOR), fs], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "1024", "-O", "^has_journal", fs], check=True)
    with open(fs, "rb") as src, open(path, "r+b") as disk:
        disk.seek(start * SECTOR)
        disk.write(src.read())
    os.unlink(fs)


def check_ext4(data, path, label, start, count, name, sectors):
    fs = path + ".fs"
    with open(fs, "wb") as f:
        f.write(data[start * SECTOR:(start + count) * SECTOR])
    try:
        fsck = subprocess.run(["e2fsck", "-f", "-n", fs], capture_output=True, text=True)
        if fsck.returncode != 0:
            return [f"disk: ext4 at {start}+{count} is not clean: {fsck.stdout.strip()[-200:]}"]
        got = subprocess.run(["debugfs", "-R", f"cat /{name}", fs], capture_output=True).stdout
    finally:
        os.unlink(fs)
    want = b"".join(pattern(label + " file", n) for n in range(sectors))
    if got != want:
        first = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
                     min(len(got), len(want)))
        return [f"disk: /{name} in the ext4 at {start}+{count} is {len(got)} bytes, want "
                f"{len(want)}; first difference at byte {first}"]
    return []


def check_disk(path, rules):
    problems, covered = [], set()
    with open(path, "rb") as f:
        data = f.read()
    sectors = len(data) // SECTOR
    for label, start, count, name, fsect in rules["ext4"]:
        covered.update(range(start, start + count))
        problems += check_ext4(data, path, label, start, count, name, fsect)
    for label, start, count in rules["slice"]:
        bad = [n for n in range(count)
               if data[(start + n) * SECTOR:(start + n + 1) * SECTOR] != pattern(label + " sector", n)]
        covered.update(range(start, start + count))
        if bad:
            problems.append(f"disk: {len(bad)} sectors of slice '{label}' ({start}+{count}) do not hold "
                            f"its pattern, first at slice sector {bad[0]}")
    if rules["untouched"]:
        bad = [n for n in range(sectors) if n not in covered
               and data[n * SECTOR:(n + 1) * SECTOR] != pattern("background", n)]
        if bad:
            problems.append(f"disk: {len(bad)} sectors outside the slices changed, first {bad[0]}")
    return problems


def run_one(name, cmd, rules, timeout, log_path):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines, buf, stopped, timed_out = [], b"", False, False
    os.set_blocking(proc.stdout.fileno(), False)

    def take(line):
        lines.append(line)
        for rule in rules["input"]:
            if not rule[2] and rule[0].search(line):
                rule[2] = True
                time.sleep(0.2)  # let the guest block in read()
                proc.stdin.write(rule[1])
                proc.stdin.flush()
        return any(rx.search(line) for rx in rules["stop"])

    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if ready:
            chunk = proc.stdout.read()
            if chunk:
                buf += chunk
                *done, buf = buf.split(b"\n")
                for raw in done:
                    if take(raw.decode("utf-8", "replace").rstrip("\r")):
                        stopped = True
                if stopped:
                    break
                continue
            if chunk == b"":  # EOF: the emulator exited
                break
        elif proc.poll() is not None:
            break
    if buf:
        take(buf.decode("utf-8", "replace").rstrip("\r"))
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    elapsed = time.monotonic() - start
    with open(log_path, "w") as f:
        f.write("\n".join(lines) + "\n")

    problems = []
    if timed_out:
        problems.append(f"timed out after {timeout}s (hang or missing line)")
    elif not stopped and rules["stop"]:
        problems.append("emulator exited before the stop line")
    elif not stopped and proc.returncode != 0:
        problems.append(f"emulator exit status {proc.returncode}")
    for rx in rules["want"]:
        if not any(rx.search(l) for l in lines):
            problems.append(f"missing line /{rx.pattern}/")
    # 'never' covers what the hv and the partitions print, not the firmware before it
    # (UEFI's own screen output is the loader's business).
    first_hv = next((i for i, l in enumerate(lines) if l.startswith("[hv] ")), len(lines))
    for rx in rules["never"]:
        bad = [l for l in lines[first_hv:] if rx.search(l)]
        if bad:
            problems.append(f"forbidden line /{rx.pattern}/: {bad[0]!r}")
    for num, rx in rules["count"]:
        got = sum(1 for l in lines if rx.search(l))
        if got != num:
            problems.append(f"/{rx.pattern}/ seen {got} times, want exactly {num}")
    for num, rx in rules["atleast"]:
        got = sum(1 for l in lines if rx.search(l))
        if got < num:
            problems.append(f"/{rx.pattern}/ seen {got} times, want at least {num}")
    for label in rules["verdict"]:
        if not any(l == f"[{label}] VERDICT: PASS" for l in lines):
            problems.append(f"no 'VERDICT: PASS' from partition '{label}'")
    for l in lines[first_hv:]:
        if GUEST_FAIL.search(l) or FATAL.search(l):
            problems.append(f"failure line: {l!r}")
    pos = 0
    for rx in rules["order"]:
        idx = next((i for i in range(pos, len(lines)) if rx.search(lines[i])), None)
        if idx is None:
            problems.append(f"/{rx.pattern}/ not found in order after line {pos}")
            break
        pos = idx + 1
    for rule in rules["input"]:
        if not rule[2]:
            problems.append(f"input prompt /{rule[0].pattern}/ never appeared")
    return problems, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", required=True)
    ap.add_argument("--qemu", required=True, help="emulator command and machine options")
    ap.add_argument("--boot", required=True, help="boot options; {bundle} is replaced")
    ap.add_argument("--boot-efi", default="", help="UEFI boot options; {config} is replaced")
    ap.add_argument("--bundles", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--only", default="")
    ap.add_argument("--tag", default="", help="names this pass in the PASS/FAIL lines "
                    "(e.g. the emulator, when the table runs twice)")
    ap.add_argument("--arch", default="aarch64", help="picks NAME.ARCH.expect and arch= rows")
    ap.add_argument("--disk-bus", default="mmio", help="how a disk= row attaches the disk "
                    "unless the row says disk-bus=")
    args = ap.parse_args()

    os.makedirs(args.logs, exist_ok=True)
    tag = f"[{args.tag}]" if args.tag else ""
    edir = os.path.dirname(args.table)
    passed = failed = 0
    with open(args.table) as f:
        rows = [l.split() for l in f if l.strip() and not l.startswith("#")]
    for name, config, smp, timeout, *extra in rows:
        if args.only and not re.search(args.only, name):
            continue
        arches = [o[5:].split(",") for o in extra if o.startswith("arch=")]
        if arches and args.arch not in arches[0]:
            continue    # a row about another architecture's machine
        # expect/NAME.ARCH.expect, where an arch prints differently, else expect/NAME.expect
        # (expect=OTHER: the same checks as row OTHER, e.g. on another CPU model)
        ename = next((o[7:] for o in extra if o.startswith("expect=")), name)
        path = os.path.join(edir, "expect", ename + "." + args.arch + ".expect")
        if not os.path.exists(path):
            path = os.path.join(edir, "expect", ename + ".expect")
        rules = parse_expect(path)
        bundle = os.path.join(args.bundles, config + ".cpio")
        boot = args.boot.replace("{bundle}", bundle).replace("{config}", config)
        if "boot=efi" in extra:
            boot = args.boot_efi.replace("{config}", config)
        qemu = args.qemu.split()
        for opt in extra:    # cpu=MODEL: another CPU model on the same machine
            if opt.startswith("cpu=") and "-cpu" in qemu:
                qemu[qemu.index("-cpu") + 1] = opt[4:]
        cmd = (qemu + ["-smp", smp, "-display", "none", "-monitor", "none",
               "-serial", "stdio"] + boot.split())
        disk, bus = None, args.disk_bus
        for opt in extra:
            if opt.startswith("disk-bus="):
                bus = opt[9:]
                if bus not in DISK_DEVICES:
                    raise SystemExit(f"{args.table}: {name}: unknown {opt}")
            elif opt.startswith("disk=@"):
                disk = os.path.join(args.logs, opt[6:] + ".img")
            elif opt.startswith("disk="):
                disk = os.path.join(args.logs, name + ".img")
                make_disk(disk, int(opt[5:]))
                for _, start, count, _, _ in rules["ext4"]:
                    make_ext4(disk, start, count)
        if disk:
            cmd += ["-drive", f"if=none,id=d0,file={disk},format=raw",
                    "-device", DISK_DEVICES[bus]]
        log = os.path.join(args.logs, name + ".log")
        if disk and not os.path.exists(disk):
            problems, elapsed = [f"disk image {disk} missing (run the row that makes it)"], 0.0
        else:
            problems, elapsed = run_one(name, cmd, rules, int(timeout), log)
            if disk:
                problems += check_disk(disk, rules)
        if problems:
            failed += 1
            print(f"FAIL: e2e{tag} {name} ({elapsed:.1f}s, log {log})")
            for p in problems:
                print(f"      {p}")
        else:
            passed += 1
            print(f"PASS: e2e{tag} {name} ({elapsed:.1f}s)")
        sys.stdout.flush()
    print(f"e2e: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
