#!/usr/bin/python3
"""Quality of a thumbnail: PSNR of OUTPUT against an exact area reduction of REF_INPUT.

Usage: psnr.py REF_INPUT OUTPUT [--json]

Both files are decoded to 8-bit RGB by ImageMagick (Debian's /usr/bin/convert, never a stand-in
earlier on PATH); alpha, if any, is dropped. The reference is REF_INPUT's full-size decode reduced
to OUTPUT's width and height by an exact box filter in float64: each output pixel is the mean of
the input area it covers, with input pixels at its edges weighted by the fraction of them that
falls inside (separable: rows, then columns). The reduction works on the stored sRGB values, as
the libraries under test do, and the reference is not rounded. PSNR is over the three channels:
10 log10(255^2 / MSE). Written independently of the code under test (numpy only), for the
pipeline benchmark (bench/scripts/pipelines.py). Prints the PSNR in dB (or, with --json, a JSON
object with the sizes too). Run with Debian's python3 (python3-numpy).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import numpy.typing as npt

CONVERT = "/usr/bin/convert"

Pixels = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float64]


def decode_rgb(path: str) -> Pixels:
    """Decodes PATH to an (height, width, 3) uint8 array with ImageMagick (binary PPM)."""
    result = subprocess.run(
        [CONVERT, "-quiet", path, "-alpha", "off", "-colorspace", "sRGB", "-depth", "8", "ppm:-"],
        capture_output=True, check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{CONVERT} could not decode {path}: {message}")
    data = result.stdout
    # P6 header: magic, width, height, maxval, each followed by whitespace (no comments from IM).
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    position += 1  # the single whitespace byte after maxval
    if fields[0] != b"P6" or fields[3] != b"255":
        raise RuntimeError(f"unexpected PPM header from {CONVERT} for {path}: {fields}")
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height * 3, offset=position)
    return pixels.reshape(height, width, 3)


def box_weights(size_in: int, size_out: int) -> list[tuple[int, Floats]]:
    """For each output index: the first input index it covers and the weights of the input
    indices from there on (fractions of coverage, summing to 1)."""
    scale = size_in / size_out
    weights = []
    for i in range(size_out):
        start, end = i * scale, (i + 1) * scale
        first = math.floor(start)
        last = min(math.ceil(end), size_in)  # exclusive
        coverage = np.empty(last - first, dtype=np.float64)
        for k, j in enumerate(range(first, last)):
            coverage[k] = min(end, j + 1) - max(start, j)
        weights.append((first, coverage / scale))
    return weights


def reduce_rows(pixels: npt.NDArray[np.generic], height_out: int) -> Floats:
    """Area-reduces axis 0 of PIXELS to HEIGHT_OUT entries, in float64."""
    out = np.empty((height_out,) + pixels.shape[1:], dtype=np.float64)
    for i, (first, weights) in enumerate(box_weights(pixels.shape[0], height_out)):
        block = pixels[first:first + len(weights)].astype(np.float64)
        out[i] = np.tensordot(weights, block, axes=(0, 0))
    return out


def area_reduce(pixels: Pixels, width_out: int, height_out: int) -> Floats:
    """Exact separable box-filter reduction of an (h, w, 3) image to (height_out, width_out, 3)."""
    rows = reduce_rows(pixels, height_out)
    columns = reduce_rows(rows.transpose(1, 0, 2), width_out)
    return columns.transpose(1, 0, 2)


def psnr(reference: Floats, output: Pixels) -> float:
    """PSNR in dB of OUTPUT against the float REFERENCE of the same shape (inf when equal)."""
    if reference.shape != output.shape:
        raise ValueError(f"shapes differ: reference {reference.shape}, output {output.shape}")
    mse = float(np.mean((output.astype(np.float64) - reference) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


def thumbnail_psnr(full: Pixels, output_path: str) -> dict[str, float | int]:
    """PSNR of the thumbnail at OUTPUT_PATH against FULL (the decoded input) reduced to its size."""
    output = decode_rgb(output_path)
    height, width = output.shape[:2]
    if width > full.shape[1] or height > full.shape[0]:
        raise ValueError(f"{output_path} ({width}x{height}) is larger than its input")
    reference = area_reduce(full, width, height)
    return {"psnr_db": round(psnr(reference, output), 3), "width": width, "height": height}


def main(argv: list[str]) -> int:
    """Command line: psnr.py REF_INPUT OUTPUT [--json]."""
    arguments = [a for a in argv if a != "--json"]
    if len(arguments) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    result = thumbnail_psnr(decode_rgb(arguments[0]), arguments[1])
    if "--json" in argv:
        print(json.dumps(result))
    else:
        print(f"{result['psnr_db']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
