"""A real headless Chromium for tests that look at what byof renders, and the pixels it drew.

Tests that need it ask for the `chromium` fixture (conftest.py): it skips them, saying why, when no Chromium is
installed, unless BYOF_REQUIRE_CHROMIUM=1 (the `report` nox session sets it, after installing
Chromium), in which case a missing browser fails them. Screenshots are kept as test artifacts in
$BYOF_TEST_ARTIFACTS (default: .artifacts/ in the checkout).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1400, 1000)
# The machine's network is closed: Chromium must not try its background connections.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium's path (the `chromium` fixture): a skip, saying why, when there is none."""
    found = find_chromium()
    if found is None:
        if os.environ.get("BYOF_REQUIRE_CHROMIUM") == "1":
            pytest.fail("BYOF_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install -y chromium)")
        pytest.skip("no Chromium on PATH to screenshot the report with (Debian: apt-get install -y chromium)")
    return found


def artifacts() -> Path:
    out = Path(os.environ.get("BYOF_TEST_ARTIFACTS") or ROOT / ".artifacts") / "report-screens"
    out.mkdir(parents=True, exist_ok=True)
    return out


def screenshot(browser: str, page: Path, png: Path) -> Path:
    """`page` as Chromium draws it in a 1400×1000 window, saved to `png`."""
    with tempfile.TemporaryDirectory(prefix="byof-chromium-") as profile:
        proc = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={SIZE[0]},{SIZE[1]}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert png.is_file(), f"chromium wrote no screenshot: {proc.stderr[-2000:]}"
    return png


def pixels(png: Path) -> tuple[int, int, Iterator[tuple[int, int, int]]]:
    """Width, height and the RGB pixels of an 8-bit RGB(A) PNG (what Chromium writes)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format (depth {depth}, colour type {colour})"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))

    def rows() -> Iterator[tuple[int, int, int]]:
        stride, previous = width * channels, bytearray(width * channels)
        for y in range(height):
            start = y * (stride + 1)
            kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up, corner = previous[i], previous[i - channels] if i >= channels else 0
                if kind == 1:
                    line[i] = (line[i] + left) & 0xFF
                elif kind == 2:
                    line[i] = (line[i] + up) & 0xFF
                elif kind == 3:
                    line[i] = (line[i] + (left + up) // 2) & 0xFF
                elif kind == 4:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    line[i] = (
                        line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                    ) & 0xFF
            previous = line
            for x in range(0, stride, channels):
                yield line[x], line[x + 1], line[x + 2]

    return width, height, rows()


def hex_colour(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def colours_drawn(png: Path, wanted: dict[str, str]) -> dict[str, int]:
    """How many pixels of each `wanted` colour (name → #rrggbb) the screenshot has, exactly."""
    width, height, rgb = pixels(png)
    assert (width, height) == SIZE, f"screenshot is {width}×{height}, not {SIZE[0]}×{SIZE[1]}"
    targets = {hex_colour(v): k for k, v in wanted.items()}
    counts = dict.fromkeys(wanted, 0)
    for pixel in rgb:
        name = targets.get(pixel)
        if name is not None:
            counts[name] += 1
    return counts
