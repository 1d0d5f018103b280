#!/usr/bin/python3
"""Times OpenCV's GaussianBlur (in-process) and libvips' gaussblur (in-process, through
bench/peers/vips_gaussblur.c) on the images exported by `pixbridge-bench --export DIR`, measures
their accuracy against the exported f64 reference blurs of the crop, picks libvips' equal-quality
configuration per sigma (VIPS_CONFIGS), and prints the timings next to Pixbridge's from the same run.

Usage: peers.py IMAGES_DIR OURS.jsonl OUT.jsonl VIPS_GAUSSBLUR_BINARY [--netvips-vips BINARY]
                [--quick] [--sigmas 1,2,5,10,40,100]
VIPS_GAUSSBLUR_BINARY runs against the system libvips; --netvips-vips names the same program linked
to the libvips that NetVips ships (newer, timed at 4K only), a second libvips peer when present.
Run with Debian's /usr/bin/python3 (python3-opencv); ci/bench-peers.sh builds the binaries and runs this.
"""

import json
import math
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

from timing_rule import Rule, quantile, summary  # noqa: F401  (paired.py imports them from here)


def measure(run, rule):
    """Samples `run` by `rule` (bench/timing-rule.properties) and returns their summary."""
    return rule.measure(run)


def bgra(path):
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        sys.exit(f"peers.py: cannot read {path}")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGRA)
    elif img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)
    return np.ascontiguousarray(img)


def opencv_ksize(sigma, rule):
    """ksize as OpenCV users pick it: 0 lets OpenCV derive it from sigma (radius about 3 sigma
    for 8-bit images), or 2 * ceil(3 sigma) + 1."""
    if rule == "auto":
        return (0, 0)
    k = 2 * math.ceil(3 * sigma) + 1
    return (k, k)


def opencv_blur(img, sigma, rule):
    # BORDER_REPLICATE is clamp-to-edge, the rule of Pixbridge and of the reference.
    return cv2.GaussianBlur(img, opencv_ksize(sigma, rule), sigma, borderType=cv2.BORDER_REPLICATE)


# libvips configurations tried for equal quality, cheapest first: integer precision is
# vectorised and several times faster than float, and a larger min_ampl means a shorter kernel.
# The first one is libvips' default. Rule: at each sigma, the equal-quality configuration is the
# first of this list whose error on the crop is <= EQUAL_QUALITY_ERR; none if none is.
VIPS_CONFIGS = [("integer", 0.2), ("integer", 0.05), ("integer", 0.01), ("float", 0.05), ("float", 0.01),
                ("float", 0.001)]
VIPS_DEFAULT = VIPS_CONFIGS[0]
EQUAL_QUALITY_ERR = 1


def vips_config_name(config, label="libvips gaussblur"):
    precision, min_ampl = config
    return f"{label} (precision {precision}, min_ampl {min_ampl:g})"


def vips_crop(binary, crop_png, out_png, sigma, config):
    subprocess.run([binary, "crop", crop_png, out_png, f"{sigma:g}", config[0], f"{config[1]:g}"], check=True)


def vips_time(binary, png, threads, rule, cases):
    """Times (sigma, config) cases in one process that loads the image once; records by case."""
    args = [binary, "time", png, str(threads), rule.as_arg()]
    args += [f"{sigma:g}:{p}:{m:g}" for sigma, (p, m) in cases]
    lines = subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    if len(records) != len(cases):
        sys.exit(f"peers.py: {binary} timed {len(records)} of {len(cases)} cases")
    return records


def main():
    args = sys.argv[1:]
    rule = Rule.for_quick("--quick" in args)
    args = [a for a in args if a != "--quick"]
    sigmas = [1.0, 2.0, 5.0, 10.0, 40.0, 100.0]
    if "--sigmas" in args:
        i = args.index("--sigmas")
        sigmas = [float(s) for s in args[i + 1].split(",")]
        del args[i:i + 2]
    netvips_binary = None
    if "--netvips-vips" in args:
        i = args.index("--netvips-vips")
        netvips_binary = args[i + 1]
        del args[i:i + 2]
    if len(args) != 4:
        sys.exit(__doc__)
    images, ours_path, out_path, vips_binary = args
    # (label, binary, sizes or None for all): the system libvips, then NetVips' build if given.
    vips_builds = [("libvips gaussblur", vips_binary, None)]
    if netvips_binary:
        vips_builds.append(("libvips gaussblur, NetVips build", netvips_binary, {"4k"}))
    ours = [json.loads(line) for line in open(ours_path) if line.strip()]
    out = open(out_path, "w")

    def emit(record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    default_threads = cv2.getNumThreads()
    vips_version = subprocess.run(["vips", "--version"], capture_output=True, text=True).stdout.strip()
    vips_versions = {label: subprocess.run([binary, "version"], check=True, capture_output=True,
                                           text=True).stdout.strip() for label, binary, _ in vips_builds}
    emit({"kind": "peer_meta", "opencv": cv2.__version__, "opencv_threads": default_threads,
          "vips": vips_version, "vips_builds": vips_versions,
          "vips_configs": [vips_config_name(c) for c in VIPS_CONFIGS], "equal_quality_err": EQUAL_QUALITY_ERR})
    work = tempfile.mkdtemp(prefix="pixbridge-peers-")

    # Accuracy on the crop, against the f64 reference exported by pixbridge-bench; libvips through
    # the same program and code path that is timed below.
    crop_png = os.path.join(images, "crop.png")
    crop = bgra(crop_png)
    accuracy = {}
    vips_equal = {}
    for sigma in sigmas:
        ref = bgra(os.path.join(images, f"crop-reference-sigma{sigma:g}.png")).astype(np.int16)
        results = {f"opencv ksize {rule}": opencv_blur(crop, sigma, rule) for rule in ("auto", "6sigma+1")}
        for label, binary, _ in vips_builds:
            for config in VIPS_CONFIGS:
                out_png = os.path.join(work, "crop-vips.png")
                vips_crop(binary, crop_png, out_png, sigma, config)
                results[vips_config_name(config, label)] = bgra(out_png)
        for method, img in results.items():
            err = int(np.abs(img.astype(np.int16) - ref).max())
            accuracy[(method, sigma)] = err
            emit({"kind": "accuracy", "method": method, "sigma": sigma, "max_abs_error": err,
                  "crop": [crop.shape[1], crop.shape[0]]})
        for label, _, _ in vips_builds:
            vips_equal[(label, sigma)] = next(
                (c for c in VIPS_CONFIGS if accuracy[(vips_config_name(c, label), sigma)] <= EQUAL_QUALITY_ERR), None)
            chosen = vips_config_name(vips_equal[(label, sigma)], label) if vips_equal[(label, sigma)] else None
            emit({"kind": "equal_quality_choice", "peer": label, "sigma": sigma, "config": chosen})
            print(f"{label} equal quality at sigma {sigma:g}: {chosen or 'none of the configurations'}",
                  file=sys.stderr)

    sizes = sorted({r["size"] for r in ours if r["kind"] == "blur"}, reverse=True) or ["4k"]
    rows = []

    def add(method, size, threads, sigma, stats, **extra):
        rows.append((method, size, threads, sigma, stats))
        emit({"kind": "blur", "method": method, "size": size, "threads": threads, "sigma": sigma, **extra,
              **stats})
        print(f"{method} {size} {threads}t sigma {sigma:g}: {stats['median_ms']:.1f} ms", file=sys.stderr)

    for size in sizes:
        png = os.path.join(images, f"{size}.png")
        img = bgra(png)
        for threads in (1, default_threads):
            cv2.setNumThreads(threads)
            for sigma in sigmas:
                add("opencv GaussianBlur", size, threads, sigma, measure(lambda: opencv_blur(img, sigma, "auto"), rule),
                    accuracy_method="opencv ksize auto")
            # libvips: the defaults at every sigma, plus the equal-quality configuration where it
            # differs from the defaults (where they coincide, the defaults' record serves both).
            for label, binary, only_sizes in vips_builds:
                if only_sizes and size not in only_sizes:
                    continue
                cases = [(sigma, VIPS_DEFAULT) for sigma in sigmas]
                cases += [(sigma, vips_equal[(label, sigma)]) for sigma in sigmas
                          if vips_equal[(label, sigma)] not in (None, VIPS_DEFAULT)]
                for (sigma, config), record in zip(cases, vips_time(binary, png, threads, rule, cases)):
                    stats = {k: v for k, v in record.items() if k.endswith("_ms") or k == "iterations"}
                    method = label if config == VIPS_DEFAULT else f"{label}, equal quality"
                    add(method, size, threads, sigma, stats, config=vips_config_name(config, label),
                        accuracy_method=vips_config_name(config, label))
    cv2.setNumThreads(default_threads)

    # Side by side, median ms (Pixbridge's from OURS.jsonl); the errors are in OUT.jsonl.
    ours_median = {(r["size"], r["threads"], r["sigma"]): r["median_ms"]
                   for r in ours if r["kind"] == "blur" and r["method"] == "pixbridge"}
    ours_acc = {r["sigma"]: r["max_abs_error"] for r in ours
                if r["kind"] == "accuracy" and r["method"] == "pixbridge"}
    print("", file=sys.stderr)
    for size in sizes:
        for threads in (1, default_threads):
            for sigma in sigmas:
                mine = ours_median.get((size, threads, sigma))
                cells = [f"pixbridge {mine:.1f} (err {ours_acc.get(sigma, '?')})" if mine else "pixbridge -"]
                for method, size_, threads_, sigma_, stats in rows:
                    if (size_, threads_, sigma_) == (size, threads, sigma):
                        cells.append(f"{method} {stats['median_ms']:.1f}")
                print(f"{size} {threads}t sigma {sigma:g}: " + "; ".join(cells), file=sys.stderr)
    subprocess.run(["rm", "-rf", work], check=True)


if __name__ == "__main__":
    main()
