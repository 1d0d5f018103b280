"""Shared fixtures: where the test data is, and the pixel hash every language's suite uses."""

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

import pixbridge

#: The repository (tests live in bindings-python/tests); PIXBRIDGE_TESTDATA overrides the data folder.
REPO = Path(__file__).resolve().parents[2]
TESTDATA = Path(os.environ.get("PIXBRIDGE_TESTDATA") or REPO / "testdata")


def data(name: str) -> str:
    """The path of a file of testdata/."""
    return str(TESTDATA / name)


def pixel_sha256(image: pixbridge.Image) -> str:
    """SHA-256 (lower-case hex) of the image's RGBA8 pixels, row-major, as the manifests give it."""
    return hashlib.sha256(np.asarray(image)).hexdigest()


@pytest.fixture
def gradient() -> pixbridge.Image:
    """testdata/gradient-64x48.png, closed after the test."""
    with pixbridge.Image.open(data("gradient-64x48.png")) as image:
        yield image


@pytest.fixture
def no_leaks():
    """Fails the test if it leaves native images, buffers or controls alive."""
    import gc

    gc.collect()
    before = pixbridge.live_handles(), pixbridge.live_controls()
    yield
    gc.collect()
    assert (pixbridge.live_handles(), pixbridge.live_controls()) == before
