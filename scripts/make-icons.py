#!/usr/bin/env python3
"""Draws Bosun's app icons (public/icons/*.png): a white anchor on the console's blue,
full-bleed so the maskable variant survives any mask. Standard library only; run it
after changing the design and commit the PNGs."""

import math
import struct
import sys
import zlib
from pathlib import Path

BLUE = (11, 95, 255)
WHITE = (255, 255, 255)


def inside_anchor(x: float, y: float) -> bool:
    """Whether a point of the unit square (0..1, y down) is on the anchor."""
    cx = 0.5
    # Ring at the top.
    r = math.hypot(x - cx, y - 0.22)
    if 0.055 <= r <= 0.095:
        return True
    # Shank.
    if abs(x - cx) <= 0.035 and 0.30 <= y <= 0.80:
        return True
    # Stock (cross bar).
    if abs(y - 0.38) <= 0.03 and abs(x - cx) <= 0.17:
        return True
    # Arms: the lower arc of a circle around the shank.
    d = math.hypot(x - cx, y - 0.52)
    if 0.26 <= d <= 0.325 and y >= 0.55:
        return True
    # Flukes: small triangles at the arms' ends.
    for side in (-1, 1):
        fx, fy = cx + side * 0.29, 0.60
        if abs(x - fx) <= 0.06 - (fy - y) * 0.6 and fy - 0.08 <= y <= fy:
            return True
    return False


def png(size: int, padding: float) -> bytes:
    """The icon at `size` pixels; `padding` shrinks the anchor toward the middle."""
    rows = []
    samples = 4
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            hits = 0
            for sy in range(samples):
                for sx in range(samples):
                    ux = (px + (sx + 0.5) / samples) / size
                    uy = (py + (sy + 0.5) / samples) / size
                    ax = (ux - padding) / (1 - 2 * padding)
                    ay = (uy - padding) / (1 - 2 * padding)
                    if 0 <= ax <= 1 and 0 <= ay <= 1 and inside_anchor(ax, ay):
                        hits += 1
            t = hits / (samples * samples)
            row += bytes(round(b + (w - b) * t) for b, w in zip(BLUE, WHITE))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "public/icons")
    out.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(png(size, 0.12))
        (out / f"maskable-{size}.png").write_bytes(png(size, 0.22))


if __name__ == "__main__":
    main()
