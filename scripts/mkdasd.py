#!/usr/bin/env python3
"""Make the IPL volume of the s390x hv: an FBA DASD image (Hercules' dasdinit, device type
3370) holding, in 512-byte blocks,
  0      the IPL record: the IPL PSW and a channel program that loads the hv
  1      the volume descriptor the hv reads its bundle location from
  2..    the hv image (hv.bin, loaded at 0x10000), then the boot bundle.
usage: mkdasd.py OUT.img HV.bin BUNDLE.cpio

Hercules IPLs an FBA device with a READ IPL of block 0 into absolute 0, of which only the
first 24 bytes count: the PSW and two CCWs. The first CCW reads the whole of block 0 again,
into 0x8000, and the second jumps (TIC) to the rest of the channel program in that copy:
LOCATE + READ pairs, 64 blocks (32 KiB, under the 16-bit CCW count) each. Format-0 CCWs,
as IPL uses."""
import os
import struct
import subprocess
import sys

BLOCK = 512
LOAD = 0x10000        # where the hv runs (arch/s390x/hv.ld)
COPY = 0x8000         # where the IPL record's copy lives (below the hv, its own)
CCW_AREA = (24, 0x180)
PARM_AREA = (0x180, 0x200)
PER_READ = 64
CC, SLI = 0x40, 0x20


def ccw0(cmd, addr, flags, count):
    return struct.pack(">BBHBBH", cmd, addr >> 16 & 0xff, addr & 0xffff, flags, 0, count)


def ipl_record(hv_block, hv_blocks):
    rec = bytearray(BLOCK)
    # ESA/390 PSW: the format bit, 31-bit addressing, entry at the image's start.
    rec[0:8] = struct.pack(">II", 0x00080000, 0x80000000 | LOAD)
    rec[8:16] = ccw0(0x02, COPY, CC | SLI, BLOCK)          # READ IPL: all of block 0
    rec[16:24] = ccw0(0x08, COPY + CCW_AREA[0], 0, 0)       # TIC into the copy
    ccw, parm, block, addr, left = CCW_AREA[0], PARM_AREA[0], hv_block, LOAD, hv_blocks
    while left:
        n = min(PER_READ, left)
        left -= n
        if ccw + 16 > CCW_AREA[1] or parm + 8 > PARM_AREA[1]:
            sys.exit("mkdasd: the hv image is too large for the IPL channel program")
        rec[parm:parm + 8] = struct.pack(">BBHI", 0x06, 0, n, block)   # LOCATE: read n at block
        rec[ccw:ccw + 8] = ccw0(0x43, COPY + parm, CC, 8)
        rec[ccw + 8:ccw + 16] = ccw0(0x42, addr, SLI | (CC if left else 0), n * BLOCK)
        ccw, parm, block, addr = ccw + 16, parm + 8, block + n, addr + n * BLOCK
    return bytes(rec)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, hv_path, bundle_path = sys.argv[1:]
    hv = open(hv_path, "rb").read()
    bundle = open(bundle_path, "rb").read()
    blocks = lambda b: (len(b) + BLOCK - 1) // BLOCK
    hv_block, bundle_block = 2, 2 + blocks(hv)
    total = bundle_block + blocks(bundle)
    # Room to spare, in whole cylinder-like steps of 1024 blocks.
    size = (total + 1024) // 1024 * 1024
    tmp = out + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    r = subprocess.run(["dasdinit", "-r", tmp, "3370", str(size)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0 or os.path.getsize(tmp) != size * BLOCK:
        sys.exit(f"mkdasd: dasdinit failed: {r.stderr.strip()[-300:]}")
    vol = struct.pack(">8sIIIIQ", b"HVIPLVOL", 1, hv_block, blocks(hv), bundle_block, len(bundle))
    with open(tmp, "r+b") as f:
        f.write(ipl_record(hv_block, blocks(hv)))
        f.write(vol.ljust(BLOCK, b"\0"))
        f.seek(hv_block * BLOCK)
        f.write(hv)
        f.seek(bundle_block * BLOCK)
        f.write(bundle)
    os.replace(tmp, out)


main()
