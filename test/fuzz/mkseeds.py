#!/usr/bin/env python3
"""Writes the checked-in seeds of the harnesses that take a binary layout of their own
(test/fuzz/seeds/<harness>/): small well-formed inputs that reach past the first checks.
The config seeds are compiled configs and the repro bundles (see README, Fuzzing).
    test/fuzz/mkseeds.py      (from the top directory)"""
import os
import struct

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def save(harness, name, data):
    os.makedirs(os.path.join(SEEDS, harness), exist_ok=True)
    with open(os.path.join(SEEDS, harness, name), "wb") as f:
        f.write(data)


class Ram:
    """A guest RAM image (offsets from its base)."""

    def __init__(self, size=0x1000):
        self.b = bytearray(size)

    def put(self, off, data):
        self.b[off:off + len(data)] = data

    def desc(self, table, i, addr, length, flags, nxt=0):
        self.put(table + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    def offer(self, avail, heads):
        self.put(avail, struct.pack("<HH", 0, len(heads)) + b"".join(struct.pack("<H", h) for h in heads))


BASE = 0x40000000
NEXT, WRITE, INDIRECT = 1, 2, 4


def virtq():
    # desc table 0x100, avail 0x200, used 0x300, buffers from 0x400
    hdr = lambda flags, rounds: struct.pack("<BBHiii", flags, rounds, 8, 0x100, 0x200, 0x300)
    r = Ram()
    r.put(0x400, b"hello, virtqueue")
    r.desc(0x100, 3, BASE + 0x400, 16, NEXT, 5)
    r.desc(0x100, 5, BASE + 0x440, 32, WRITE)
    r.offer(0x200, [3, 3])
    save("virtq", "chain", hdr(0, 3) + r.b[:0x410])
    r = Ram()
    r.put(0x500, struct.pack("<QIHH", BASE + 0x400, 4, NEXT, 1) + struct.pack("<QIHH", BASE + 0x440, 4, WRITE, 0))
    r.desc(0x100, 2, BASE + 0x500, 32, INDIRECT)
    r.offer(0x200, [2])
    save("virtq", "indirect", hdr(2, 1) + r.b[:0x520])
    r = Ram()
    r.desc(0x100, 0, BASE + 0x400, 8, 0)
    r.offer(0x200, [0, 0, 0])
    r.put(0x200 + 4 + 2 * 8, struct.pack("<H", 2))  # used_event
    save("virtq", "event-idx", hdr(1, 4) + r.b[:0x218])


def vdev(flags, queues, steps, ram):
    """Header, steps (kind, arg, a, b) and RAM image as vdev.h reads them."""
    out = bytes([flags])
    for q in range(2):
        out += struct.pack("<HHHH", *(queues[q] if q < len(queues) else (0, 0, 0, 0)))
    out += bytes([len(steps)])
    out += b"".join(struct.pack("<BBHI", *s) for s in steps)
    return out + bytes(ram)


def blk():
    # desc table 0x100, avail 0x200, used 0x300, request headers 0x400, data 0x800 and 0xa00,
    # status bytes and the id 0xc00
    q = [(16, 0x100, 0x200, 0x300)]
    r = Ram(0xd00)
    r.put(0x400, struct.pack("<IIQ", 1, 0, 0))      # write sector 0
    r.put(0x800, bytes(range(256)) * 2)
    r.desc(0x100, 0, BASE + 0x400, 16, NEXT, 1)
    r.desc(0x100, 1, BASE + 0x800, 512, NEXT, 2)
    r.desc(0x100, 2, BASE + 0xc00, 1, WRITE)
    r.put(0x410, struct.pack("<IIQ", 0, 0, 0))      # read it back
    r.desc(0x100, 3, BASE + 0x410, 16, NEXT, 4)
    r.desc(0x100, 4, BASE + 0xa00, 512, WRITE | NEXT, 5)
    r.desc(0x100, 5, BASE + 0xc01, 1, WRITE)
    r.put(0x420, struct.pack("<IIQ", 8, 0, 0))      # GET_ID
    r.desc(0x100, 6, BASE + 0x420, 16, NEXT, 7)
    r.desc(0x100, 7, BASE + 0xc10, 21, WRITE)
    r.put(0x430, struct.pack("<IIQ", 4, 0, 0))      # FLUSH
    r.desc(0x100, 8, BASE + 0x430, 16, NEXT, 9)
    r.desc(0x100, 9, BASE + 0xc02, 1, WRITE)
    r.offer(0x200, [0, 3, 6, 8])
    save("blk", "write-read-id-flush", vdev(7, q, [(0, 0, 0, 0)], r.b))
    r = Ram()                                         # odd pieces: the bounce path
    r.put(0x400, struct.pack("<IIQ", 0, 0, 3))
    r.desc(0x100, 0, BASE + 0x400, 16, NEXT, 1)
    r.desc(0x100, 1, BASE + 0x800, 100, WRITE | NEXT, 2)
    r.desc(0x100, 2, BASE + 0x900, 412, WRITE | NEXT, 3)
    r.desc(0x100, 3, BASE + 0xc00, 1, WRITE)
    r.offer(0x200, [0])
    # notify, make the next transfer fail, offer the same request again, notify
    save("blk", "bounce-read", vdev(3, q, [(0, 0, 0, 0), (4, 1, 0, 0), (3, 0, 0x202, 2), (0, 0, 0, 0)],
                                    r.b[:0x410]))
    r = Ram()                                         # indirect, on a read-only slice
    tbl = struct.pack("<QIHH", BASE + 0x400, 16, NEXT, 1) + struct.pack("<QIHH", BASE + 0x800, 512, NEXT, 2) \
        + struct.pack("<QIHH", BASE + 0xc00, 1, WRITE, 0)
    r.put(0x400, struct.pack("<IIQ", 1, 0, 2))
    r.put(0x500, tbl)
    r.desc(0x100, 0, BASE + 0x500, len(tbl), INDIRECT)
    r.offer(0x200, [0])
    save("blk", "indirect-readonly", vdev(32 | 3, q, [(0, 0, 0, 0)], r.b[:0x530]))


def console():
    # receive queue: desc 0x100, avail 0x180, used 0x1c0; transmit: 0x200, 0x280, 0x2c0;
    # the receive buffer at 0x400, the text sent at 0x500
    q = [(4, 0x100, 0x180, 0x1c0), (4, 0x200, 0x280, 0x2c0)]
    r = Ram()
    r.desc(0x100, 0, BASE + 0x400, 64, WRITE)
    r.offer(0x180, [0])
    text = b"hello\tworld\r\n\x1b[2Jbinary\xff\n" + b"x" * 210 + b"\n"
    r.put(0x500, text)
    r.desc(0x200, 0, BASE + 0x500, 8, NEXT, 1)
    r.desc(0x200, 1, BASE + 0x508, len(text) - 8, 0)
    r.offer(0x280, [0])
    steps = [(0, 1, 0, 0), (4, 2, 0, 0x6261), (4, 2, 0, 0x6e14), (4, 3, 0, 0x301414), (0, 0, 0, 0)]
    save("console", "tx-rx-escape", vdev(3, q, steps, r.b[:0x500 + len(text)]))
    steps = [(4, 4, 0, 0x64636261), (0, 0, 0, 0), (5, 0, 0, 0), (1, 2, 0x70, 0), (0, 1, 0, 0)]
    save("console", "input-then-reset", vdev(1, q, steps, r.b[:0x500 + len(text)]))


def bzimage():
    def image(ksize=1024, pref=0x1000000):
        img = bytearray(1024 + ksize)
        img[0x1f1] = 1
        img[0x1fe:0x200] = b"\x55\xaa"
        img[0x200:0x202] = b"\xeb\x66"
        img[0x202:0x206] = b"HdrS"
        struct.pack_into("<H", img, 0x206, 0x020f)
        img[0x211] = 0x01 | 0x80
        struct.pack_into("<I", img, 0x22c, 0x7fffffff)
        struct.pack_into("<I", img, 0x230, 0x200000)
        img[0x234] = 1
        struct.pack_into("<H", img, 0x236, 0x01)
        struct.pack_into("<I", img, 0x238, 255)
        struct.pack_into("<Q", img, 0x258, pref)
        struct.pack_into("<I", img, 0x260, 0x20000)
        for i in range(ksize):
            img[1024 + i] = (i * 7 + 3) & 0xff
        return bytes(img)
    cmd, initrd = b"console=hvc0", bytes(range(100))
    save("bzimage", "at-pref-address", struct.pack("<BBHBB", 2, 63, len(initrd), len(cmd), 3) + cmd + initrd + image())
    save("bzimage", "relocated", struct.pack("<BBHBB", 0, 127, 0, len(cmd), 1) + cmd + image(pref=0x40000000))


def arm64_image():
    h = bytearray(64)
    struct.pack_into("<QQQ", h, 8, 0x80000, 0x10000, 2)
    h[0x38:0x3c] = b"ARM\x64"
    save("arm64-image", "image", bytes(h) + bytes(64))
    struct.pack_into("<QQQ", h, 8, 0, 0, 0)
    save("arm64-image", "old-kernel", bytes(h))


def insn():
    # 4-level paging with every table at guest-physical 0: entry 0 (0x3) of each level points
    # back to page 0, and the last level's entry 1 maps linear page 1 to guest page 1.
    ram = Ram(0x1010)
    ram.put(0, struct.pack("<QQ", 0x3, 0x1003))
    for name, mode, code in [("mov-store", 2, b"\x89\x07"), ("mov-rip", 2, b"\x8b\x35\x10\x00\x00\x00"),
                             ("movzx", 2, b"\x0f\xb6\x08"), ("mov-imm64", 2, b"\x48\xc7\x00\xfb\xff\xff\xff"),
                             ("mov16", 0, b"\x66\x89\x07"), ("moffs32", 1, b"\xa1\x78\x56\x34\x12")]:
        ram.put(0xffe, code)
        paging = struct.pack("<BQQ", 1 | 2 | 16, 0, 0xffe)  # RIP: the code crosses a page
        save("insn", name, bytes([mode, 15]) + code.ljust(15, b"\0") + paging + bytes(ram.b))


def bundle():
    def member(name, data, magic=b"070701"):
        n = name + b"\0"
        h = magic + b"".join(b"%08x" % v for v in (1, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0))
        out = h + n
        out += b"\0" * (-len(out) % 4) + data
        return out + b"\0" * (-len(out) % 4)
    trailer = member(b"TRAILER!!!", b"")
    save("bundle", "two-members", member(b"config.dtb", b"\xd0\x0d\xfe\xed" + bytes(60)) + member(b"hello.bin", bytes(100)) + trailer)
    save("bundle", "dot-slash-070702", member(b"./hello.bin", b"hi", b"070702") + trailer)


def repro():
    """Inputs of bugs the harnesses found in files this change leaves alone (README, Fuzzing)."""
    d = os.path.join(os.path.dirname(SEEDS), "repro")
    os.makedirs(d, exist_ok=True)
    hdr = lambda flags: struct.pack("<BBHiii", flags, 0, 8, 0x100, 0x200, 0x300)
    # K4: a zero-length device-writable descriptor lets a device-readable one follow
    r = Ram(0x420)
    r.desc(0x100, 0, BASE + 0x400, 0, WRITE | NEXT, 1)
    r.desc(0x100, 1, BASE + 0x400, 16, 0)
    r.offer(0x200, [0])
    with open(os.path.join(d, "virtq-k4-readable-after-empty-writable"), "wb") as f:
        f.write(hdr(0) + r.b)
    # V1: 64 device-writable buffers of all 64 MiB of RAM: in_len wraps to 0
    r = Ram(0x800)
    for i in range(64):
        r.put(0x400 + 16 * i, struct.pack("<QIHH", BASE, 64 << 20, WRITE | (NEXT if i < 63 else 0), i + 1))
    r.desc(0x100, 0, BASE + 0x400, 64 * 16, INDIRECT)
    r.offer(0x200, [0])
    with open(os.path.join(d, "virtq-v1-in-len-wraps"), "wb") as f:
        f.write(hdr(4 | 2) + r.b)


if __name__ == "__main__":
    virtq(); blk(); console(); bzimage(); arm64_image(); insn(); bundle(); repro()
