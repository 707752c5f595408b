#!/usr/bin/env python3
"""Connects a pseudo-terminal to this process's stdin and stdout, for an emulator whose
serial port can only be a terminal device (Bochs: 'com1: mode=term, dev=...'):

    pty-bridge.py PATHFILE

writes the terminal's name (/dev/pts/N) to PATHFILE, then copies what the emulator writes
to the terminal to stdout, and stdin to the terminal. Ends on SIGTERM or when its parent
goes away, after passing on what the emulator wrote in the last 0.3 s.
"""
import os
import select
import signal
import sys
import time
import tty


def write_all(fd, data):
    while data:
        try:
            data = data[os.write(fd, data):]
        except InterruptedError:
            continue


def main():
    master, slave = os.openpty()
    tty.setraw(slave)  # bytes as they are, no echo; the emulator sets its own mode too
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(os.ttyname(slave))
    os.rename(tmp, sys.argv[1])
    # The slave stays open here: without any holder, reading the master fails (EIO) until
    # the emulator opens it and after it closes it.
    parent = os.getppid()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we end
    inputs = [master, 0]
    deadline = None
    while deadline is None or time.monotonic() < deadline:
        if deadline is None and (stopping or os.getppid() != parent):
            deadline = time.monotonic() + 0.3
        try:
            ready, _, _ = select.select(inputs, [], [], 0.1)
        except InterruptedError:
            continue
        if master in ready:
            data = os.read(master, 65536)
            try:
                write_all(1, data)
            except BrokenPipeError:
                return 0
        if 0 in ready:
            data = os.read(0, 4096)
            if data:
                write_all(master, data)
            else:
                inputs.remove(0)  # end of input: keep passing output on
    return 0


if __name__ == "__main__":
    sys.exit(main())
