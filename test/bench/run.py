#!/usr/bin/env python3
"""make bench: the same bench guest booted bare as QEMU's kernel and in a partition of the
hv, on the same emulator in one run; prints ratios. Absolute TCG times mean nothing; the
ratios compare like with like.

Figures (the last lines, exactly `bench: NAME = VALUE`):
  compute_ratio            guest ticks for a fixed CRC-32 workload, partitioned / bare
  exit_ratio               time per null hypercall (PSCI_VERSION over HVC) answered by the hv,
                           divided by time per the same call answered by a minimal EL2 stub
                           (test/bench/<arch>/el2stub.S: trap, set x0, eret) on the same
                           emulated machine: what the hv adds to the architectural trap.
                           Every figure takes the best of RUNS runs of each side.
  blk_read_ratio           sequential read throughput (64 MiB, 64 KiB requests, 16 in
                           flight), partitioned virtio-blk / the physical virtio-blk bare
  blk_write_ratio          the same for writes (flush included)
  blk_exits_per_request    exits of the partition during the read and write runs, divided
                           by the virtio-blk requests it made (from the hv's accounting)
  console_chars_per_notify bytes of bulk console output per QueueNotify, partitioned
"""
import argparse
import os
import re
import subprocess
import sys
import time

BENCH_MIB = 64
RUNS = 3  # each figure is the best of RUNS runs: the emulator's speed varies with host load


def run(cmd, timeout):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    return out, time.monotonic() - t0


def fields(out, test, tag=None):
    prefix = rf"^\[{tag}\] " if tag else r"^"
    m = re.search(prefix + rf"bench: {test} (.*)$", out, re.M)
    if not m:
        raise SystemExit(f"bench: no result line for '{test}'{' in ' + tag if tag else ''}:\n{out[-3000:]}")
    return {k: v for k, v in (kv.split("=", 1) for kv in m.group(1).split())}


def partition_config(test, disk_sectors):
    block = (f"block {{ start-sector = <0>; sectors = <0x0 {disk_sectors}>; }};"
             if test.startswith("blk") else "")
    return f"""/dts-v1/;
/ {{
    hypervisor {{
        partition@0 {{
            label = "bench";
            cpus = <0>;
            memory-size = <0x0 0x8000000>;
            image = "bench.bin";
            bootargs = "test={test}";
            virtio-console;
            {block}
        }};
    }};
}};
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="build/<arch>")
    ap.add_argument("--qemu", required=True, help="the emulator with the hv's machine options")
    ap.add_argument("--bare-qemu", required=True, help="the emulator for a bare guest")
    ap.add_argument("--stub-boot", required=True, help="boot options for the EL2 stub; {guest}")
    args = ap.parse_args()

    work = os.path.join(args.out, "bench")
    os.makedirs(work, exist_ok=True)
    disk = os.path.join(work, "disk.img")
    with open(disk, "wb") as f:
        f.truncate((BENCH_MIB + 1) << 20)
    sectors = ((BENCH_MIB + 1) << 20) // 512
    guest = os.path.join(args.out, "guests", "bench.bin")
    drive = ["-drive", f"if=none,id=d0,file={disk},format=raw,cache=unsafe",
             "-device", "virtio-blk-device,drive=d0"]
    common = ["-smp", "1", "-display", "none", "-monitor", "none"]

    stub_cmd = (args.qemu.split() + common + ["-serial", "none", "-device", "virtio-serial-device",
                "-chardev", f"file,id=c0,path={work}/hvc-stub.out", "-device", "virtconsole,chardev=c0"]
                + args.stub_boot.replace("{guest}", guest).split() + ["-append", "test=hvc"])
    stub_runs = []
    for _ in range(RUNS):
        run(stub_cmd, 600)
        with open(f"{work}/hvc-stub.out", errors="replace") as f:
            stub_runs.append(fields(f.read(), "hvc"))
    stub = min(stub_runs, key=lambda d: int(d["ticks"]))
    print(f"  hvc       stub: {' '.join(f'{k}={v}' for k, v in stub.items())} (best of 3)")

    results = {}
    for test in ["compute", "hvc", "blkread", "blkwrite", "console"]:
        extra = drive if test.startswith("blk") else []
        bare_cmd = (args.bare_qemu.split() + common + ["-serial", "none",
                    "-device", "virtio-serial-device", "-chardev", f"file,id=c0,path={work}/{test}-bare.out",
                    "-device", "virtconsole,chardev=c0"] + extra +
                    ["-kernel", guest, "-append", f"test={test}"])
        bare = None
        for _ in range(RUNS):
            run(bare_cmd, 600)
            with open(f"{work}/{test}-bare.out", errors="replace") as f:
                got = fields(f.read(), test)
            if bare is None or int(got["ticks"]) < int(bare["ticks"]):
                bare = got

        dts = os.path.join(work, f"{test}.dts")
        with open(dts, "w") as f:
            f.write(partition_config(test, sectors))
        dtb = dts[:-4] + ".dtb"
        cpio = dts[:-4] + ".cpio"
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
        subprocess.run(["scripts/mkbundle.sh", cpio, dtb, guest], check=True)
        best = None
        for _ in range(RUNS):
            out, _ = run(args.qemu.split() + common + ["-serial", "stdio"] + extra +
                         ["-kernel", os.path.join(args.out, "hv.bin"), "-initrd", cpio], 600)
            got = fields(out, test, "bench")
            if best is None or int(got["ticks"]) < int(best[0]["ticks"]):
                best = (got, out)
        part, part_out = best
        with open(f"{work}/{test}-partition.out", "w") as f:
            f.write(part_out)
        m = re.search(r"^\[hv\] partition 'bench' stats: \d+ ms in guest, (\d+) exits", part_out, re.M)
        exits = int(m.group(1)) if m else None
        results[test] = (bare, part, exits)
        print(f"  {test:9s} bare: {' '.join(f'{k}={v}' for k, v in bare.items())}")
        print(f"  {test:9s} partitioned: {' '.join(f'{k}={v}' for k, v in part.items())}"
              + (f" (hv counted {exits} exits)" if exits is not None else ""))
        sys.stdout.flush()

    def rate(d, n="bytes"):
        return int(d[n]) / (int(d["ticks"]) / int(d["freq"]))

    c_bare, c_part, _ = results["compute"]
    h_bare, h_part, _ = results["hvc"]
    r_bare, r_part, r_exits = results["blkread"]
    w_bare, w_part, w_exits = results["blkwrite"]
    _, k_part, _ = results["console"]
    if c_bare.get("crc") != c_part.get("crc"):
        raise SystemExit("bench: the compute result differs between bare and partitioned runs")
    figures = {
        "compute_ratio": int(c_part["ticks"]) / int(c_bare["ticks"]),
        "exit_ratio": rate(stub, "calls") / rate(h_part, "calls"),
        "blk_read_ratio": rate(r_part) / rate(r_bare),
        "blk_write_ratio": rate(w_part) / rate(w_bare),
        "blk_exits_per_request": (r_exits + w_exits) / (int(r_part["requests"]) + int(w_part["requests"]))
        if r_exits is not None and w_exits is not None else float("nan"),
        "console_chars_per_notify": int(k_part["bytes"]) / max(1, int(k_part["notifies"])),
    }
    print()
    print(f"  hvc round trips/s: partitioned {rate(h_part, 'calls'):.0f}, EL2 stub {rate(stub, 'calls'):.0f}, "
          f"bare guest answered by QEMU's PSCI model (no trap at all) {rate(h_bare, 'calls'):.0f}")
    print(f"  blk read MB/s:  partitioned {rate(r_part)/1e6:.1f}, bare {rate(r_bare)/1e6:.1f}")
    print(f"  blk write MB/s: partitioned {rate(w_part)/1e6:.1f}, bare {rate(w_bare)/1e6:.1f}")
    for k, v in figures.items():
        print(f"bench: {k} = {v:.3f}")


if __name__ == "__main__":
    main()
