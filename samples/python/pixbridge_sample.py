#!/usr/bin/env python3
"""Pixbridge Python sample: for every JPEG in a folder, open it, blur it, mirror it and save a PNG,
then make a 400 px cover thumbnail of it (decoded at reduced scale, never at full size).
With run-time plugins: loads the sample plugins sepia (Rust) and vignette (C) from the folder
in PIXBRIDGE_PLUGIN_DIR and saves every JPEG in sepia with a vignette (skipped, with a note,
when the variable is not set).

    python3 pixbridge_sample.py [input-folder] [output-folder]

Defaults: ./testdata and ./out. ci/demo-python.sh runs it on the repository's test images with
the package installed from the wheel (and the plugins ci/build-plugins.sh builds).
"""

import os
import sys
import time
from pathlib import Path
from typing import List

import pixbridge

SIGMA = 4.0
PLUGIN_FILES = ("libpixbridge_sepia.so", "libpixbridge_vignette.so")


def plugin_step(jpegs: List[Path], output: Path) -> None:
    """Loads the sample plugins and applies their operations by name: sepia (in place), vignette (new image)."""
    folder = os.environ.get("PIXBRIDGE_PLUGIN_DIR")
    if not folder:
        print("plugins: skipped (set PIXBRIDGE_PLUGIN_DIR to the folder ci/build-plugins.sh builds)")
        return
    with pixbridge.Plugin.load(Path(folder) / PLUGIN_FILES[0]) as sepia, pixbridge.Plugin.load(
        Path(folder) / PLUGIN_FILES[1]
    ) as vignette:
        for plugin in (sepia, vignette):
            operations = ", ".join(f"{op.name} ({op.kind.name.lower()})" for op in plugin.operations)
            major, minor = plugin.abi_version
            print(f"plugin {plugin.name} {plugin.version} (plugin ABI {major}.{minor}): {operations}")
        for path in jpegs:
            with pixbridge.Image.open(path) as image:
                image.apply_in_place("sepia", strength=0.8)  # in place
                with image.apply("vignette", strength=0.6) as framed:  # a new image
                    target = output / f"{path.stem}-sepia-vignette.png"
                    framed.save(target)
            print(f"{path.name}: sepia(0.8) -> vignette(0.6) -> {target} ({target.stat().st_size:,} bytes)")
    print(f"plugins closed; loaded now: {pixbridge.live_plugins()}")


def main(argv: List[str]) -> int:
    source = Path(argv[1] if len(argv) > 1 else "testdata").resolve()
    output = Path(argv[2] if len(argv) > 2 else "out").resolve()
    jpegs = sorted(p for p in source.iterdir() if p.suffix.lower() in (".jpg", ".jpeg")) if source.is_dir() else []
    if not jpegs:
        print(f"No JPEG files in {source}. Usage: pixbridge_sample.py [input-folder] [output-folder]", file=sys.stderr)
        return 1
    output.mkdir(parents=True, exist_ok=True)

    print(f"Pixbridge {pixbridge.__version__} sample: open JPEG -> blur({SIGMA}) -> mirror() -> save PNG,")
    print("and a 400 px cover thumbnail")
    print(f"input:  {source}")
    print(f"output: {output}")
    for path in jpegs:
        try:
            start = time.perf_counter()
            with pixbridge.Image.open(path) as image:
                opened = time.perf_counter()
                with image.blur(SIGMA) as blurred:  # a new image; `image` is unchanged
                    blurred_at = time.perf_counter()
                    blurred.mirror()  # in place
                    target = output / f"{path.stem}-blur-mirror.png"
                    blurred.save(target)
                saved = time.perf_counter()
                print(
                    f"{path.name}: {image.width}x{image.height} {image.color_type.name}; "
                    f"open {1000 * (opened - start):.0f} ms, blur {1000 * (blurred_at - opened):.0f} ms, "
                    f"mirror+save {1000 * (saved - blurred_at):.0f} ms -> {target} ({target.stat().st_size:,} bytes)"
                )
            with pixbridge.Image.thumbnail(path, 400, 400, pixbridge.ThumbnailFit.COVER) as thumb:
                target = output / f"{path.stem}-thumb-400.jpg"
                thumb.save(target, quality=80)
                size = target.stat().st_size
                print(f"{path.name}: thumbnail {thumb.width}x{thumb.height} -> {target} ({size:,} bytes)")
        except pixbridge.PixbridgeError as error:
            print(f"{path.name}: failed with {pixbridge.ErrorCode(error.code).native_name}: {error}", file=sys.stderr)
            return 1
    try:
        plugin_step(jpegs, output)
    except pixbridge.PixbridgeError as error:
        print(f"plugins: failed with {pixbridge.ErrorCode(error.code).native_name}: {error}", file=sys.stderr)
        return 1
    images, buffers = pixbridge.live_handles()
    print(f"done: {len(jpegs)} JPEG files in {output}; live native images now: {images}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
