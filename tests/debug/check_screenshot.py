#!/usr/bin/env python3
"""Opens pictures and pages in headless Chromium, takes a screenshot of
each and checks that it is not blank: a picture that a browser cannot draw
(broken XML, a bad attribute, nothing inside the view box) comes out
white. The PNG is read with the standard library only (zlib + struct).

Usage: check_screenshot.py TMPDIR FILE...
Exits 77 (meson's "skipped") when Chromium is not installed."""
import os
import shutil
import struct
import subprocess
import sys
import zlib

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-quic", "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=1000,700"]


def find_chromium():
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, color, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0, (depth, interlace)
    channels = {2: 3, 6: 4, 0: 1, 4: 2}[color]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        prev = line
    pixels = []
    for line in rows:
        if channels >= 3:
            pixels.append([tuple(line[i:i + 3])
                           for i in range(0, stride, channels)])
        else:
            pixels.append([(line[i],) * 3 for i in range(0, stride, channels)])
    return width, height, pixels


def check(chromium, tmp, path):
    shot = os.path.join(tmp, os.path.basename(path) + ".png")
    if os.path.exists(shot):
        os.remove(shot)
    profile = os.path.join(tmp, "profile")
    cmd = [chromium] + CHROMIUM_FLAGS + [f"--user-data-dir={profile}",
                                         f"--screenshot={shot}",
                                         "file://" + os.path.abspath(path)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)
    assert os.path.exists(shot), f"chromium took no screenshot of {path}"
    width, height, pixels = read_png(shot)
    inked = sum(1 for row in pixels for (r, g, b) in row
                if min(r, g, b) < 250)
    colours = {px for row in pixels for px in row}
    share = inked / (width * height)
    print(f"{path}: {width}x{height}, {share:.1%} not white, "
          f"{len(colours)} colours")
    assert share > 0.005, f"{path} looks blank in Chromium"
    assert len(colours) > 4, f"{path} has almost no colours"


def main():
    tmp, files = sys.argv[1], sys.argv[2:]
    chromium = find_chromium()
    if not chromium:
        print("SKIP: chromium is not installed (Debian: apt-get install "
              "chromium); the pictures were not looked at")
        sys.exit(77)
    os.makedirs(tmp, exist_ok=True)
    for path in files:
        check(chromium, tmp, path)


if __name__ == "__main__":
    main()
