#!/usr/bin/env python3
"""Boots an s390x IPL volume (scripts/mkdasd.py) under Hercules, headless, and streams the
console (the SCLP operator console, as Hercules logs it) to stdout until the machine ends:
  hercules-run.py [-smp N] [-m MIB] [--keep] [-drive file=DISK,...] [QEMU-STYLE OPTIONS] VOLUME

-smp N   CPUs (NUMCPU), as QEMU's option, so test/e2e/run.py can call this in place of QEMU;
         the other options run.py adds for QEMU (-display, -monitor, -serial) are accepted
         and ignored. -drive file=DISK attaches DISK as a second FBA DASD (3370, device
         0200), the disk the partitions' block slices live on; -device is ignored.
-m MIB   main storage (default 512).
--keep   keep the work directory (configuration, the whole Hercules log) and name it.
-kernel IMAGE [-append ARGS]
         instead of a volume, an s390 IPL image (a test guest, bare: make bench's baseline)
         loaded at 0 by Hercules' .ins loader, ARGS at 0x10480 as Linux's parameter area
         has them; this is a test helper's shortcut, not how the hv boots. Every console
         line is passed on then, not only tagged ones.

Console output: Hercules logs SCLP messages as bare lines among its own (HHC...) messages;
the hv's lines all start with "[" (tags), and only those are passed on; a disabled wait
with a code other than 0 (the hv stopped for a reason) is reported on stderr. Console input: each line on stdin becomes an operator command (the
panel's ".text"), fed to Hercules through its rc file, which is a FIFO. Hercules only
takes commands from the rc file when it runs as a daemon (output redirected).

Exit status: 0 when a CPU loaded a disabled-wait PSW with code 0 (the hv's power-off);
3 for a disabled wait with another code (the hv stopped: the code says why); 1 if
Hercules ended by itself; killed (TERM, INT, HUP), it kills Hercules first. Hercules is
always ended with SIGKILL: after SIGTERM it once hung for minutes (shared/platforms.md);
if this script is killed, Hercules is killed with it.
"""
import ctypes
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WAIT = re.compile(r"HHCCP011I CPU([0-9A-F]{4}): Disabled wait state")
PSW = re.compile(r"PSW=([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{16})")


def main():
    args = sys.argv[1:]
    smp, mem, keep, disk, volume, kernel, append = 1, 512, False, None, None, None, ""
    while args:
        a = args.pop(0)
        if a == "-smp":
            smp = int(args.pop(0).split(",")[0])
        elif a == "-m":
            mem = int(args.pop(0).rstrip("M"))
        elif a == "--keep":
            keep = True
        elif a == "-drive":
            opts = dict(kv.split("=", 1) for kv in args.pop(0).split(",") if "=" in kv)
            disk = opts.get("file")
        elif a == "-kernel":
            kernel = args.pop(0)
        elif a == "-append":
            append = args.pop(0)
        elif a == "-nographic":
            pass
        elif a in ("-display", "-monitor", "-serial", "-device"):
            args.pop(0)
        elif a.startswith("-"):
            sys.exit(f"hercules-run: unknown option {a}")
        elif volume:
            sys.exit(f"hercules-run: more than one volume ({volume}, {a})")
        else:
            volume = a
    if kernel:
        if volume or not os.path.exists(kernel):
            sys.exit(f"hercules-run: -kernel {kernel}: missing, or a volume given as well")
    elif not volume or not os.path.exists(volume):
        sys.exit(f"hercules-run: no IPL volume {volume} (make ARCH=s390x)")
    if not shutil.which("hercules"):
        sys.exit("hercules-run: no hercules (scripts/setup-deps.sh s390x)")

    work = tempfile.mkdtemp(prefix="hercules-run.")
    cnf, rc, log = (os.path.join(work, n) for n in ("herc.cnf", "run.rc", "hercules.log"))
    with open(cnf, "w") as f:
        f.write(f"""CPUSERIAL 000001
CPUMODEL  2064
MAINSIZE  {mem}
XPNDSIZE  0
NUMCPU    {smp}
MAXCPU    {smp}
ARCHMODE  z/Arch
PANRATE   SLOW
OSTAILOR  QUIET
CODEPAGE  819/037
""")
        if volume:
            f.write(f"0100 3370 {os.path.abspath(volume)}\n")
        else:
            f.write(f"000E 1403 {work}/printer.txt\n")   # Hercules wants one device at least
        if disk:
            f.write(f"0200 3370 {os.path.abspath(disk)}\n")
    os.mkfifo(rc)
    env = dict(os.environ, HERCULES_RC=rc)
    # Hercules dies with this script, even when it is killed with SIGKILL (run.py's
    # timeout): PR_SET_PDEATHSIG. Orphans kept a CPU busy each.
    libc = ctypes.CDLL(None, use_errno=True)

    def die_with_parent():
        libc.prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG

    with open(log, "wb") as out:
        herc = subprocess.Popen(["hercules", "-d", "-f", cnf], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, preexec_fn=die_with_parent)

    def end(status):
        try:
            os.killpg(herc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        herc.wait()
        if keep:
            print(f"hercules-run: work directory {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
        sys.exit(status)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda *_: end(128 + 15))

    # Hercules opens the rc file once it is up; if it ends before that, say so.
    while True:
        try:
            fifo = os.open(rc, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            if herc.poll() is not None:
                print(f"hercules-run: Hercules ended before it was up (status {herc.returncode}); "
                      f"its log:\n" + open(log, errors="replace").read()[-2000:], file=sys.stderr)
                end(1)
            time.sleep(0.05)
    os.set_blocking(fifo, True)
    if kernel:
        ins = os.path.join(work, "bare.ins")
        with open(os.path.join(work, "parm"), "wb") as f:
            f.write(append.encode() + b"\0")
        shutil.copyfile(kernel, os.path.join(work, "image"))
        with open(ins, "w") as f:    # names are relative to the .ins file's directory
            f.write("image 0x00000000\nparm 0x00010480\n")
        os.write(fifo, f"ipl {ins}\n".encode())
    else:
        os.write(fifo, b"ipl 0100\n")

    logf = open(log, "rb")
    pending, inbuf, waiting_cpu, ipl_seen = b"", b"", None, False
    stdin_open = True
    while True:
        chunk = logf.read()
        if chunk:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode("latin-1").rstrip("\r")
                if line.startswith("ipl "):
                    ipl_seen = True
                elif line.startswith("[") or (kernel and ipl_seen and line and
                                              not line.startswith("HHC")):
                    print(line, flush=True)
                if re.match(r"HHC(SC003E|CP027E|CP028E)", line):
                    print(f"hercules-run: the IPL failed: {line}", file=sys.stderr, flush=True)
                    end(1)
                m = WAIT.search(line)
                if m:
                    waiting_cpu = int(m.group(1), 16)
                    continue
                p = PSW.search(line)
                if p and waiting_cpu is not None:
                    code = int(p.group(3), 16)
                    if code:
                        print(f"hercules-run: CPU {waiting_cpu} disabled wait, PSW {p.group(1)} "
                              f"{p.group(2)} {p.group(3)}", file=sys.stderr, flush=True)
                    end(0 if code == 0 else 3)
                waiting_cpu = None
        elif herc.poll() is not None:
            print(f"hercules-run: Hercules ended by itself (status {herc.returncode})",
                  file=sys.stderr, flush=True)
            end(1)
        fds = [0] if stdin_open else []
        ready, _, _ = select.select(fds, [], [], 0.02)
        if ready:
            data = os.read(0, 4096)
            if not data:
                stdin_open = False
                continue
            inbuf += data
            while True:
                m = re.search(rb"[\r\n]", inbuf)
                if not m:
                    break
                line, inbuf = inbuf[:m.start()], inbuf[m.end():]
                os.write(fifo, b"." + line + b"\n")


main()
