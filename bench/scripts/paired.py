#!/usr/bin/python3
"""Times Pixbridge's blur and OpenCV's GaussianBlur alternately, one call at a time, on the images
exported by `pixbridge-bench --export DIR`, and writes one JSON line per case with the median of
the per-pair speedups (OpenCV's time / Pixbridge's).

Why: on this shared machine the speed of the cores drifts by 10-50% from one second to the next,
so two medians taken minutes apart (pixbridge-bench, then peers.py) can disagree by more than the
margin being measured. Calls taken in pairs a few milliseconds apart see the same machine.

Each library runs in its own worker process (no shared allocator, caches of Python objects or
thread pools), and only one of them works at a time: the driver sends a worker one call, waits
for its time, then sends the other one. The order within a pair alternates.
* Pixbridge through its C ABI (libpixbridge.so, `pixbridge_image_blur`, via ctypes): the same
  Rust blur pixbridge-bench times, with the result's allocation; the result is destroyed untimed.
* OpenCV as in peers.py (cv2.GaussianBlur, ksize derived by OpenCV, BORDER_REPLICATE).

Usage: paired.py IMAGES_DIR LIBPIXBRIDGE OUT.jsonl --threads N [--quick] [--sigmas 1,2,5,10]
           [--sizes 4k,1080p]
Both run on N threads: Pixbridge's rayon pool is sized by RAYON_NUM_THREADS (set in its worker
before the library's first call), OpenCV by cv2.setNumThreads. Run with Debian's /usr/bin/python3
(python3-opencv); ci/bench-peers.sh runs it.
"""

import ctypes
import json
import multiprocessing
import os
import sys
import time

import cv2
import numpy as np

from peers import Rule, bgra, opencv_blur, quantile

# Pairs per case follow the timing rule (bench/timing-rule.properties), a pair of calls counting
# as one run. A case whose OpenCV call takes over SLOW_CALL_S is skipped: OpenCV is not a close
# peer there.
SLOW_CALL_S = 0.5


class Pixbridge:
    """The few C ABI calls the timing needs, with their error codes checked."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        u64, u32 = ctypes.c_uint64, ctypes.c_uint32
        self.lib.pixbridge_image_from_pixels.argtypes = [u32, u32, ctypes.c_void_p, ctypes.c_size_t,
                                                         ctypes.POINTER(u64)]
        self.lib.pixbridge_image_blur.argtypes = [u64, ctypes.c_float, ctypes.POINTER(u64)]
        self.lib.pixbridge_image_destroy.argtypes = [u64]
        self.lib.pixbridge_last_error_message.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                                          ctypes.POINTER(ctypes.c_size_t)]
        for name in ("pixbridge_image_from_pixels", "pixbridge_image_blur", "pixbridge_image_destroy",
                     "pixbridge_last_error_message"):
            getattr(self.lib, name).restype = u32

    def check(self, code, what):
        if code != 0:
            message, length = ctypes.create_string_buffer(1024), ctypes.c_size_t()
            self.lib.pixbridge_last_error_message(message, len(message), ctypes.byref(length))
            sys.exit(f"paired.py: {what} failed with code {code}: {message.value.decode(errors='replace')}")

    def image(self, rgba):
        """A Pixbridge image (handle) holding a copy of the HxWx4 RGBA array."""
        rgba = np.ascontiguousarray(rgba)
        handle = ctypes.c_uint64()
        self.check(self.lib.pixbridge_image_from_pixels(rgba.shape[1], rgba.shape[0], rgba.ctypes.data,
                                                        rgba.nbytes, ctypes.byref(handle)), "from_pixels")
        return handle.value

    def timed_blur(self, image, sigma):
        """Seconds for one blur into a new image, which is then destroyed untimed."""
        out = ctypes.c_uint64()
        start = time.perf_counter()
        code = self.lib.pixbridge_image_blur(image, sigma, ctypes.byref(out))
        elapsed = time.perf_counter() - start
        self.check(code, "blur")
        self.check(self.lib.pixbridge_image_destroy(out.value), "destroy")
        return elapsed


def timed_opencv(img, sigma):
    start = time.perf_counter()
    result = opencv_blur(img, sigma, "auto")
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def worker(library, threads, images, conn):
    """Serves timed blurs: receives (size, sigma), sends the seconds of one call; None ends it.
    `library` is the path of libpixbridge.so, or None for OpenCV."""
    if library:
        # Before the library's first call: rayon sizes its global pool from it, once.
        os.environ["RAYON_NUM_THREADS"] = str(threads)
        pixbridge = Pixbridge(library)
    else:
        cv2.setNumThreads(threads)
    loaded = {}
    while (request := conn.recv()) is not None:
        size, sigma = request
        if size not in loaded:
            img = bgra(os.path.join(images, f"{size}.png"))
            loaded[size] = pixbridge.image(cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)) if library else img
        conn.send(pixbridge.timed_blur(loaded[size], sigma) if library else timed_opencv(loaded[size], sigma))
    if library:
        for image in loaded.values():
            pixbridge.check(pixbridge.lib.pixbridge_image_destroy(image), "destroy")


class Worker:
    """A worker process and the driver's end of its pipe."""

    def __init__(self, context, library, threads, images):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker, args=(library, threads, images, child))
        self.process.start()
        child.close()

    def time(self, size, sigma):
        self.conn.send((size, sigma))
        return self.conn.recv()

    def stop(self):
        self.conn.send(None)
        self.process.join()
        if self.process.exitcode != 0:
            sys.exit(f"paired.py: a worker exited with {self.process.exitcode}")


def pairs(ours, opencv, size, sigma, rule):
    """(ours_s, opencv_s) per pair, sampled by `rule` with a pair as one run, or None if OpenCV is
    too slow to be a close peer."""
    ours.time(size, sigma)  # rayon's threads, the allocator's first blocks
    if opencv.time(size, sigma) > SLOW_CALL_S:
        return None
    order = [0]

    def pair():
        # Alternate which side goes first, so that drift on the shared machine favours neither.
        order[0] += 1
        if order[0] % 2:
            opencv_s = opencv.time(size, sigma)
            ours_s = ours.time(size, sigma)
        else:
            ours_s = ours.time(size, sigma)
            opencv_s = opencv.time(size, sigma)
        return ours_s, opencv_s

    return rule.sample(pair, sum(pair()), seconds=sum)


def main():
    args = sys.argv[1:]
    options = {"--threads": None, "--sigmas": "1,2,5,10", "--sizes": "4k,1080p"}
    quick = "--quick" in args
    args = [a for a in args if a != "--quick"]
    for name in options:
        if name in args:
            i = args.index(name)
            options[name] = args[i + 1]
            del args[i:i + 2]
    if len(args) != 3 or not options["--threads"]:
        sys.exit(__doc__)
    images, library, out_path = args
    threads = int(options["--threads"])
    rule = Rule.for_quick(quick)
    # Fresh interpreters (not forks of this one) for both workers.
    context = multiprocessing.get_context("spawn")
    ours = Worker(context, os.path.abspath(library), threads, images)
    opencv = Worker(context, None, threads, images)
    with open(out_path, "a") as out:
        for size in options["--sizes"].split(","):
            for sigma in [float(s) for s in options["--sigmas"].split(",")]:
                samples = pairs(ours, opencv, size, sigma, rule)
                if samples is None:
                    print(f"paired {size} {threads}t sigma {sigma:g}: OpenCV over {SLOW_CALL_S} s, skipped",
                          file=sys.stderr)
                    continue
                speedups = sorted(opencv_s / ours_s for ours_s, opencv_s in samples)
                ours_ms = sorted(ours_s * 1e3 for ours_s, _ in samples)
                opencv_ms = sorted(opencv_s * 1e3 for _, opencv_s in samples)
                record = {"kind": "paired", "peer": "opencv GaussianBlur", "size": size, "threads": threads,
                          "sigma": sigma, "pairs": len(samples), "ours_median_ms": quantile(ours_ms, 0.5),
                          "peer_median_ms": quantile(opencv_ms, 0.5), "speedup_median": quantile(speedups, 0.5),
                          "speedup_p25": quantile(speedups, 0.25), "speedup_p75": quantile(speedups, 0.75)}
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(f"paired {size} {threads}t sigma {sigma:g}: pixbridge {record['ours_median_ms']:.2f} ms, "
                      f"opencv {record['peer_median_ms']:.2f} ms, speedup {record['speedup_median']:.2f}x "
                      f"[{record['speedup_p25']:.2f}-{record['speedup_p75']:.2f}] over {len(samples)} pairs",
                      file=sys.stderr)
    ours.stop()
    opencv.stop()


if __name__ == "__main__":
    main()
