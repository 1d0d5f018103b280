"""One image used by several Python threads at once (README, "Threads").

Reads share the image's native lock and give what one thread alone gets; an in-place operation
takes it exclusively, so a read racing it sees the image wholly before or wholly after each
change, never a half-mirrored one. The expected pixels come from numpy, not from the library.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import pixbridge


def _distinct_rows(height: int = 96, width: int = 160) -> np.ndarray:
    """Pixels whose mirror image differs from them in every row (so a torn read shows)."""
    return np.random.default_rng(17).integers(0, 256, size=(height, width, 4), dtype=np.uint8)


def test_reads_of_one_image_from_six_threads_match_one_thread(no_leaks):
    with pixbridge.Image.from_array(_distinct_rows()) as image:
        with image.blur(2.0) as reference_blur:
            reference_blur_pixels = reference_blur.to_array()
        reference_png = image.encode("png")

        def read(_: int):
            with image.blur(2.0) as blurred:
                blurred_pixels = blurred.to_array()
            return blurred_pixels, image.encode("png"), image.to_array()

        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(read, range(12)))
        original = _distinct_rows()
        for blurred_pixels, png, pixels in results:
            assert np.array_equal(blurred_pixels, reference_blur_pixels)
            assert png == reference_png
            assert np.array_equal(pixels, original)


def test_reads_racing_an_in_place_mirror_see_the_whole_original_or_the_whole_mirror(no_leaks):
    original = _distinct_rows()
    mirrored = original[:, ::-1, :]
    assert not any(np.array_equal(original[row], mirrored[row]) for row in range(original.shape[0]))
    with pixbridge.Image.from_array(original) as image:
        stop = threading.Event()
        mirrors = 0

        def mirror_until_stopped() -> None:
            nonlocal mirrors
            while True:  # at least one mirror, however late this thread starts
                image.mirror()
                mirrors += 1
                if stop.is_set():
                    return

        mirrorer = threading.Thread(target=mirror_until_stopped)
        mirrorer.start()
        seen = {"original": 0, "mirror": 0}
        try:
            for _ in range(300):
                pixels = image.to_array()
                if np.array_equal(pixels, original):
                    seen["original"] += 1
                elif np.array_equal(pixels, mirrored):
                    seen["mirror"] += 1
                else:
                    raise AssertionError("a read saw a half-mirrored image")
        finally:
            stop.set()
            mirrorer.join()
        assert mirrors > 0
        assert seen["original"] + seen["mirror"] == 300
