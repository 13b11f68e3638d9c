#!/usr/bin/env python3
"""png_check.py — what a screenshot shows, for tests that cannot look:
its size, how many distinct colours it has, and how many pixels are near a
given colour. Reads 8-bit RGB/RGBA PNGs (what Chromium writes) with the
standard library only.

    png_check.py FILE [#rrggbb ...]
prints "WIDTHxHEIGHT colours=N" then, per colour asked, "#rrggbb=COUNT"
(pixels within 24 of it in every channel)."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6) or body[12] != 0:
                raise SystemExit(f"{path}: only 8-bit RGB/RGBA without interlace is read")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = read_png(sys.argv[1])
    want = [tuple(int(h.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)) for h in sys.argv[2:]]
    colours, near = set(), [0] * len(want)
    for line in rows:
        for x in range(0, len(line), bpp):
            px = (line[x], line[x + 1], line[x + 2])
            colours.add(px)
            for k, w in enumerate(want):
                if all(abs(px[i] - w[i]) <= 24 for i in range(3)):
                    near[k] += 1
    print(f"{width}x{height} colours={len(colours)}")
    for h, n in zip(sys.argv[2:], near):
        print(f"{h}={n}")


main()
