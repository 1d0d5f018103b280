#!/usr/bin/python3
"""Times OpenCV's GaussianBlur and libvips' gaussblur on the images exported by
`pixbridge-bench --export DIR`, measures their accuracy against the exported f64 reference blurs
of the crop, and prints ratios against Pixbridge's timings from the same run.

Usage: peers.py IMAGES_DIR OURS.jsonl OUT.jsonl [--quick] [--sigmas 1,2,5,10,40,100]
Run with Debian's /usr/bin/python3 (python3-opencv, libvips-tools); ci/bench-peers.sh does.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np


def summary(samples):
    """Median and spread of a list of milliseconds (same quantile rule as pixbridge-bench)."""
    s = sorted(samples)

    def q(p):
        pos = p * (len(s) - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        return s[lo] + (s[hi] - s[lo]) * (pos - lo)

    return {"iterations": len(s), "median_ms": q(0.5), "min_ms": s[0], "p25_ms": q(0.25),
            "p75_ms": q(0.75), "max_ms": s[-1]}


def measure(run, quick):
    """Warm-up, then timed runs until the budget is spent. A run slower than 2 s is timed only
    once more after the warm-up (OpenCV at sigma 100 on 4K takes seconds per call)."""
    start = time.perf_counter()
    run()
    warm = time.perf_counter() - start
    min_iter, max_iter, budget = (3, 5, 0.8) if quick else (5, 15, 3.0)
    if warm > 2.0:
        min_iter, max_iter = 1, 1
    samples = []
    begun = time.perf_counter()
    while len(samples) < min_iter or (len(samples) < max_iter and time.perf_counter() - begun < budget):
        t = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t) * 1e3)
    return summary(samples)


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


def vips(*args, single):
    env = dict(os.environ)
    if single:
        env["VIPS_CONCURRENCY"] = "1"
    subprocess.run(["vips", *map(str, args)], check=True, env=env)


def to_vips_rgba(png, v):
    """PNG -> 4-band .v (alpha added when missing), so libvips blurs as many channels as we do."""
    vips("copy", png, v, single=False)
    bands = int(subprocess.run(["vipsheader", "-f", "bands", v], check=True, capture_output=True,
                               text=True).stdout.strip())
    if bands == 3:
        tmp = v + ".rgba.v"
        vips("bandjoin_const", v, tmp, "255", single=False)
        os.replace(tmp, v)


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    args = [a for a in args if a != "--quick"]
    sigmas = [1.0, 2.0, 5.0, 10.0, 40.0, 100.0]
    if "--sigmas" in args:
        i = args.index("--sigmas")
        sigmas = [float(s) for s in args[i + 1].split(",")]
        del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    images, ours_path, out_path = args
    ours = [json.loads(line) for line in open(ours_path) if line.strip()]
    out = open(out_path, "w")

    def emit(record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    default_threads = cv2.getNumThreads()
    vips_version = subprocess.run(["vips", "--version"], capture_output=True, text=True).stdout.strip()
    emit({"kind": "peer_meta", "opencv": cv2.__version__, "opencv_threads": default_threads,
          "vips": vips_version})
    work = tempfile.mkdtemp(prefix="pixbridge-peers-")

    # Accuracy on the crop, against the f64 reference exported by pixbridge-bench.
    crop = bgra(os.path.join(images, "crop.png"))
    crop_v = os.path.join(work, "crop.v")
    to_vips_rgba(os.path.join(images, "crop.png"), crop_v)
    accuracy = {}
    for sigma in sigmas:
        ref = bgra(os.path.join(images, f"crop-reference-sigma{sigma:g}.png")).astype(np.int16)
        results = {f"opencv ksize {rule}": opencv_blur(crop, sigma, rule) for rule in ("auto", "6sigma+1")}
        out_png = os.path.join(work, "crop-vips.png")
        vips("gaussblur", crop_v, out_png, sigma, single=False)
        results["libvips gaussblur"] = bgra(out_png)
        for method, img in results.items():
            err = int(np.abs(img.astype(np.int16) - ref).max())
            accuracy[(method, sigma)] = err
            emit({"kind": "accuracy", "method": method, "sigma": sigma, "max_abs_error": err,
                  "crop": [crop.shape[1], crop.shape[0]]})

    sizes = sorted({r["size"] for r in ours if r["kind"] == "blur"}, reverse=True) or ["4k"]
    rows = []
    for size in sizes:
        png = os.path.join(images, f"{size}.png")
        img = bgra(png)
        big_v = os.path.join(work, f"{size}.v")
        to_vips_rgba(png, big_v)
        out_v = os.path.join(work, "out.v")
        for threads in (1, default_threads):
            single = threads == 1
            cv2.setNumThreads(1 if single else default_threads)
            # libvips runs as a process: time `vips copy` (start-up, load, save) and subtract it.
            base = measure(lambda: vips("copy", big_v, out_v, single=single), quick)
            for sigma in sigmas:
                stats = measure(lambda: opencv_blur(img, sigma, "auto"), quick)
                rows.append(("opencv GaussianBlur", size, threads, sigma, stats))
                raw = measure(lambda: vips("gaussblur", big_v, out_v, sigma, single=single), quick)
                # The baseline median is subtracted from every quantile (clamped at 0: process noise).
                stats = {k: (max(v - base["median_ms"], 0.0) if k.endswith("_ms") else v) for k, v in raw.items()}
                stats["baseline_copy_ms"] = base["median_ms"]
                rows.append(("libvips gaussblur", size, threads, sigma, stats))
                for method, sz, th, sg, st in rows[-2:]:
                    emit({"kind": "blur", "method": method, "size": sz, "threads": th, "sigma": sg, **st})
                    print(f"{method} {sz} {th}t sigma {sg:g}: {st['median_ms']:.1f} ms", file=sys.stderr)
    cv2.setNumThreads(default_threads)

    # Ratios ours / theirs (below 1 = Pixbridge faster).
    ours_median = {(r["size"], r["threads"], r["sigma"]): r["median_ms"]
                   for r in ours if r["kind"] == "blur" and r["method"] == "pixbridge"}
    ours_acc = {r["sigma"]: r["max_abs_error"] for r in ours
                if r["kind"] == "accuracy" and r["method"] == "pixbridge"}
    print(f"\n{'size':6} {'thr':>3} {'sigma':>5} {'pixbridge ms':>12} {'opencv ms':>10} {'ours/opencv':>11} "
          f"{'vips ms':>8} {'ours/vips':>9}   max error: ours / opencv / vips")
    by_key = {(m, s, t, g): st for m, s, t, g, st in rows}
    for size in sizes:
        for threads in (1, default_threads):
            for sigma in sigmas:
                mine = ours_median.get((size, threads, sigma))
                cv = by_key[("opencv GaussianBlur", size, threads, sigma)]["median_ms"]
                vp = by_key[("libvips gaussblur", size, threads, sigma)]["median_ms"]
                ratio = lambda t: f"{mine / t:.2f}" if mine and t > 0 else "-"
                mine_s = f"{mine:.1f}" if mine else "-"
                print(f"{size:6} {threads:>3} {sigma:>5g} {mine_s:>12} {cv:>10.1f} {ratio(cv):>11} {vp:>8.1f} "
                      f"{ratio(vp):>9}   {ours_acc.get(sigma, '-')} / {accuracy[('opencv ksize auto', sigma)]} / "
                      f"{accuracy[('libvips gaussblur', sigma)]}")
    subprocess.run(["rm", "-rf", work], check=True)


if __name__ == "__main__":
    main()
