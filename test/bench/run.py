#!/usr/bin/env python3
"""make bench [ARCH=...]: the same bench guest (guests/bench.c) booted bare and in a partition
of the hv, on the same emulator in one run; prints ratios. Absolute TCG times mean nothing;
the ratios compare like with like. Every figure takes the best of RUNS runs of each side
(--runs; `make bench RUNS=n`), the sides taking turns.

Figures (the last lines, exactly `bench: NAME = VALUE`):
  compute_ratio            guest ticks for a fixed CRC-32 workload, partitioned / bare
  exit_ratio               time per null hypervisor call answered by the hv, divided by time
                           per the same call answered by a minimal stub hypervisor on the
                           same emulated machine: what the hv adds to the architectural trap
                           (see "exit_ratio" below)
  blk_read_ratio           sequential read throughput (64 MiB, 64 KiB requests, 16 in
                           flight), partitioned virtio-blk / the physical virtio-blk bare
  blk_write_ratio          the same for writes (flush included)
  blk_exits_per_request    exits of the partition during the read and write runs, divided
                           by the virtio-blk requests it made (from the hv's accounting line
                           "[hv] partition 'bench' stats: ... N exits" at power-off; every
                           exit of the whole boot, so start-up and shutdown are in it)
  console_chars_per_notify bytes of bulk console output per QueueNotify, partitioned

Ratios are taken in counter ticks: on both sides the guest reads the same clock (aarch64:
CNTVCT at CNTFRQ; x86_64: the TSC, which under TCG follows the host's TSC, hv or not).
The frequencies the two sides report (x86_64: measured against the PIT, by the hv for its
partitions, by the guest runtime bare, by the stub) only convert ticks into the seconds
shown beside the figures; a warning says if they disagree by more than 5% (a 10 ms PIT
measurement under TCG on a busy host is off by a few percent at times).

Machines:
  aarch64  QEMU virt with EL2 for the hv and the stub, without EL2 for the bare guest;
           physical disk virtio-blk on virtio-mmio on both sides.
  x86_64   the hv on q35 + OVMF as `make test ARCH=x86_64` boots it (hvboot.efi on an ESP
           per bench configuration), its physical disk a virtio-blk-pci. The bare guest on
           QEMU's microvm with ACPI (test/e2e/x86_64/bare-qemu.sh's machine, with the hv's
           -cpu): the bench guest is a bzImage that finds its virtio-mmio console and disk
           through ACPI (LNRO0005), which q35 does not offer, and the partition it gets from
           the hv imitates exactly that machine. Bare, its disk is a virtio-blk on
           virtio-mmio: the same QEMU block back end behind another transport.
  s390x    Hercules (scripts/hercules-run.py): the hv IPLed from a DASD built per bench
           configuration (--prepare: scripts/mkdasd.py), the bare guest loaded by Hercules'
           .ins loader (hercules-run.py -kernel), its console the machine's SCLP. Hercules
           has no virtio devices, so a bare guest has no virtio-blk to compare with: the blk
           figures are not measured there (--no-blk says why).

exit_ratio:
  aarch64  the call is PSCI_VERSION over HVC. The stub is test/bench/aarch64/el2stub.S
           (trap, set x0, eret), with bench.bin (test=hvc) itself as its EL1 guest.
  x86_64   the call is CPUID leaf 0x40000000, which SVM always intercepts: the partition
           runs bench.bin test=hvc (HVC_CALLS calls of rt_hv_null_call, timed with rdtsc).
           The stub is test/bench/x86_64/svmstub.{S,c}: booted by multiboot on the same q35
           and -cpu (SeaBIOS instead of OVMF), long mode, SVM on, one flat guest on an
           identity nested page table that runs the same loop (HVC_CALLS x CPUID 0x40000000,
           timed with rdtsc inside the guest); it intercepts VMRUN, CPUID, HLT (end of loop)
           and SHUTDOWN, and answers each CPUID by setting the result registers and stepping
           RIP, nothing else (no VMLOAD/VMSAVE, FPU switch, interrupt check or C code per
           exit). It prints the same `bench: hvc calls= ticks= freq=` line on COM1.
  s390x    not measured yet: the stub would be a SIE host of its own (--no-stub says so).
  The bare guest's hvc line is shown for scale only: there nothing traps (aarch64: QEMU's
  PSCI model answers the HVC; x86_64: the emulator executes CPUID itself).
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
    ap.add_argument("--boot", required=True, help="boot options for the hv; {bundle} is the "
                    "bundle, {config} names an ESP that --esp makes")
    ap.add_argument("--esp", "--prepare", dest="esp", default="",
                    help="command making the boot medium {config} (an ESP, a DASD) from "
                    "{bundle} (run only if --boot names {config})")
    ap.add_argument("--bare-kind", choices=["qemu", "hercules"], default="qemu",
                    help="qemu: the bare guest on QEMU with a virtio console and disk; "
                    "hercules: hercules-run.py -kernel, console on its stdout")
    ap.add_argument("--no-stub", default="", help="no stub on this port: why (exit_ratio n/a)")
    ap.add_argument("--no-blk", default="", help="no bare virtio-blk on this port: why")
    ap.add_argument("--disk-device", default="virtio-blk-device",
                    help="the hv machine's physical disk device")
    ap.add_argument("--bare-qemu", required=True, help="the emulator for a bare guest")
    ap.add_argument("--stub-boot", required=True, help="boot options for the stub; {guest}")
    ap.add_argument("--stub-console", choices=["virtio", "serial"], default="virtio",
                    help="where the stub's result line appears: the guest's virtio-console "
                    "or the emulator's serial port")
    ap.add_argument("--runs", type=int, default=RUNS, help="runs of each side per figure")
    args = ap.parse_args()

    work = os.path.join(args.out, "bench")
    os.makedirs(work, exist_ok=True)
    disk = os.path.join(work, "disk.img")
    with open(disk, "wb") as f:
        f.truncate((BENCH_MIB + 1) << 20)
    sectors = ((BENCH_MIB + 1) << 20) // 512
    guest = os.path.join(args.out, "guests", "bench.bin")

    def drive(device):
        return ["-drive", f"if=none,id=d0,file={disk},format=raw,cache=unsafe",
                "-device", f"{device},drive=d0"]
    common = ["-smp", "1", "-display", "none", "-monitor", "none"]

    stub_boot = args.stub_boot.replace("{guest}", guest).split() + ["-append", "test=hvc"]
    if args.stub_console == "serial":
        stub_cmd = args.qemu.split() + common + ["-serial", "stdio"] + stub_boot
    else:
        stub_cmd = (args.qemu.split() + common + ["-serial", "none", "-device", "virtio-serial-device",
                    "-chardev", f"file,id=c0,path={work}/hvc-stub.out", "-device", "virtconsole,chardev=c0"]
                    + stub_boot)

    def run_stub():
        out, _ = run(stub_cmd, 600)
        if args.stub_console == "virtio":
            with open(f"{work}/hvc-stub.out", errors="replace") as f:
                out = f.read()
        else:
            with open(f"{work}/hvc-stub.out", "w") as f:
                f.write(out)
        return fields(out, "hvc"), out

    def run_bare(test):
        if args.bare_kind == "hercules":
            out, _ = run(args.bare_qemu.split() + ["-kernel", guest, "-append", f"test={test}"], 600)
            with open(f"{work}/{test}-bare.out", "w") as f:
                f.write(out)
            return fields(out, test), out
        run(args.bare_qemu.split() + common + ["-serial", "none",
            "-device", "virtio-serial-device", "-chardev", f"file,id=c0,path={work}/{test}-bare.out",
            "-device", "virtconsole,chardev=c0"] +
            (drive("virtio-blk-device") if test.startswith("blk") else []) +
            ["-kernel", guest, "-append", f"test={test}"], 600)
        with open(f"{work}/{test}-bare.out", errors="replace") as f:
            out = f.read()
        return fields(out, test), out

    def partition_boot(test):
        config = f"bench-{test}"
        dts = os.path.join(work, f"{test}.dts")
        with open(dts, "w") as f:
            f.write(partition_config(test, sectors))
        dtb = dts[:-4] + ".dtb"
        cpio = dts[:-4] + ".cpio"
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
        subprocess.run(["scripts/mkbundle.sh", cpio, dtb, guest], check=True)
        if "{config}" in args.boot:
            subprocess.run(args.esp.replace("{config}", config).replace("{bundle}", cpio).split(),
                           check=True)
        return args.boot.replace("{bundle}", cpio).replace("{config}", config).split()

    def run_partition(test, boot):
        out, _ = run(args.qemu.split() + common + ["-serial", "stdio"] +
                     (drive(args.disk_device) if test.startswith("blk") else []) + boot, 600)
        return fields(out, test, "bench"), out

    def best(runs):
        return min(runs, key=lambda r: int(r[0]["ticks"]))

    def spread(runs):
        return f"(ticks of each run: {' '.join(r[0]['ticks'] for r in runs)})"

    # The sides take turns, so that a spell of load on the host falls on both alike.
    results = {}
    stub = None
    tests = ["compute", "hvc"] + ([] if args.no_blk else ["blkread", "blkwrite"]) + ["console"]
    for test in tests:
        boot = partition_boot(test)
        stub_runs, bare_runs, part_runs = [], [], []
        for _ in range(args.runs):
            if test == "hvc" and not args.no_stub:
                stub_runs.append(run_stub())
            bare_runs.append(run_bare(test))
            part_runs.append(run_partition(test, boot))
        bare = best(bare_runs)[0]
        part, part_out = best(part_runs)
        with open(f"{work}/{test}-partition.out", "w") as f:
            f.write(part_out)
        m = re.search(r"^\[hv\] partition 'bench' stats: \d+ ms in guest, (\d+) exits", part_out, re.M)
        exits = int(m.group(1)) if m else None
        results[test] = (bare, part, exits)
        if stub_runs:
            stub = best(stub_runs)[0]
            print(f"  {test:9s} stub: {' '.join(f'{k}={v}' for k, v in stub.items())} {spread(stub_runs)}")
        print(f"  {test:9s} bare: {' '.join(f'{k}={v}' for k, v in bare.items())} {spread(bare_runs)}")
        print(f"  {test:9s} partitioned: {' '.join(f'{k}={v}' for k, v in part.items())} {spread(part_runs)}"
              + (f" (hv counted {exits} exits)" if exits is not None else ""))
        sys.stdout.flush()

    def per_tick(d, n="bytes"):
        return int(d[n]) / int(d["ticks"])

    def rate(d, n="bytes"):
        return per_tick(d, n) * int(d["freq"])

    c_bare, c_part, _ = results["compute"]
    h_bare, h_part, _ = results["hvc"]
    _, k_part, _ = results["console"]
    if c_bare.get("crc") != c_part.get("crc"):
        raise SystemExit("bench: the compute result differs between bare and partitioned runs")
    freqs = {"partitioned": h_part, "bare": c_bare}
    if stub:
        freqs["stub"] = stub
    lo, hi = min(int(d["freq"]) for d in freqs.values()), max(int(d["freq"]) for d in freqs.values())
    if hi > lo * 1.05:
        print("  warning: the counter frequencies differ by more than 5% (the ratios are in ticks; "
              "the rates shown use each side's own): "
              + ", ".join(f"{k} {int(d['freq'])} Hz" for k, d in freqs.items()))
    figures = {
        "compute_ratio": int(c_part["ticks"]) / int(c_bare["ticks"]),
        "exit_ratio": per_tick(stub, "calls") / per_tick(h_part, "calls") if stub
        else f"n/a ({args.no_stub})",
    }
    if args.no_blk:
        for k in ("blk_read_ratio", "blk_write_ratio", "blk_exits_per_request"):
            figures[k] = f"n/a ({args.no_blk})"
    else:
        r_bare, r_part, r_exits = results["blkread"]
        w_bare, w_part, w_exits = results["blkwrite"]
        figures["blk_read_ratio"] = per_tick(r_part) / per_tick(r_bare)
        figures["blk_write_ratio"] = per_tick(w_part) / per_tick(w_bare)
        figures["blk_exits_per_request"] = (
            (r_exits + w_exits) / (int(r_part["requests"]) + int(w_part["requests"]))
            if r_exits is not None and w_exits is not None else float("nan"))
    figures["console_chars_per_notify"] = int(k_part["bytes"]) / max(1, int(k_part["notifies"]))
    print()
    print(f"  hvc round trips/s: partitioned {rate(h_part, 'calls'):.0f} ({1e9 / rate(h_part, 'calls'):.0f} ns)"
          + (f", stub {rate(stub, 'calls'):.0f} ({1e9 / rate(stub, 'calls'):.0f} ns)" if stub else "")
          + f", bare guest answered by the emulator itself, no trap ({rate(h_bare, 'calls'):.0f})")
    if not args.no_blk:
        print(f"  blk read MB/s:  partitioned {rate(r_part)/1e6:.1f}, bare {rate(r_bare)/1e6:.1f}")
        print(f"  blk write MB/s: partitioned {rate(w_part)/1e6:.1f}, bare {rate(w_bare)/1e6:.1f}")
    for k, v in figures.items():
        print(f"bench: {k} = {v:.3f}" if isinstance(v, float) else f"bench: {k} = {v}")


if __name__ == "__main__":
    main()
