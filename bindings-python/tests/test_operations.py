"""Every operation of the table is a method of Image, callable, in the operation rule's shape.

The list of operations and their kinds comes from docs/operations.md (generated from the Rust
operation table, not from the Python package); the expected pixels come from numpy.
"""

import inspect
import re

import numpy as np
import pytest

import pixbridge
from conftest import REPO

_ROW = re.compile(r"^\| \[`(\w+)`\]\(#\w+\) \| (new image|in place) \|", re.M)
DOCUMENTED = {name: kind == "new image" for name, kind in _ROW.findall((REPO / "docs" / "operations.md").read_text())}

# Valid arguments for each operation and the size it gives a 64 x 48 image.
VALID = {
    "blur": ({"sigma": 1.5}, (64, 48)),
    "unsharpen": ({"sigma": 1.0, "amount": 0.5, "threshold": 2}, (64, 48)),
    "resize": ({"width": 32, "height": 20, "filter": pixbridge.ResizeFilter.LANCZOS3}, (32, 20)),
    "crop": ({"x": 4, "y": 6, "width": 10, "height": 7}, (10, 7)),
    "rotate90": ({}, (48, 64)),
    "rotate270": ({}, (48, 64)),
    "mirror": ({}, (64, 48)),
    "flip_vertical": ({}, (64, 48)),
    "rotate180": ({}, (64, 48)),
    "grayscale": ({}, (64, 48)),
    "adjust_brightness": ({"delta": -20}, (64, 48)),
    "adjust_contrast": ({"contrast": 15.0}, (64, 48)),
    "gamma": ({"gamma": 2.2}, (64, 48)),
}


def _pixels():
    return np.random.default_rng(5).integers(0, 256, size=(48, 64, 4), dtype=np.uint8)


def test_docs_list_operations():
    assert len(DOCUMENTED) >= 13


def test_every_documented_operation_is_a_method_and_nothing_else_is_generated():
    assert set(DOCUMENTED) == set(VALID), "update VALID for the new operation"
    assert dict(pixbridge.OPERATIONS) == DOCUMENTED
    for name in DOCUMENTED:
        method = getattr(pixbridge.Image, name)
        assert method.__doc__ and len(method.__doc__) > 40, f"{name} has no docstring"
        signature = inspect.signature(method).parameters
        parameters = [p for p in signature if p not in ("self", "control")]
        assert parameters == list(VALID[name][0]), name
        # Every operation ends with the keyword-only control (test_control.py calls them with one).
        assert list(signature)[-1] == "control", name
        assert signature["control"].kind is inspect.Parameter.KEYWORD_ONLY and signature["control"].default is None
        assert "control:" in method.__doc__ and "CancelledError" in method.__doc__, name
        for parameter in parameters:
            assert f"{parameter}:" in method.__doc__, f"{name} does not document {parameter}"


@pytest.mark.parametrize("name", sorted(VALID))
def test_operation_is_callable_in_its_shape(name, no_leaks):
    arguments, size = VALID[name]
    pixels = _pixels()
    with pixbridge.Image.from_array(pixels) as image:
        result = getattr(image, name)(**arguments)
        if DOCUMENTED[name]:
            assert isinstance(result, pixbridge.Image) and result is not image
            with result:
                assert result.size == size
            np.testing.assert_array_equal(image.to_array(), pixels, err_msg="a fresh operation changed its source")
        else:
            assert result is None
            assert image.size == size
        # Positional arguments work as well as keywords.
        again = getattr(image, name)(*arguments.values())
        if again is not None:
            again.close()


NUMPY_EQUIVALENT = {
    "mirror": lambda a: a[:, ::-1],
    "flip_vertical": lambda a: a[::-1],
    "rotate180": lambda a: a[::-1, ::-1],
    "rotate90": lambda a: np.rot90(a, k=-1),
    "rotate270": lambda a: np.rot90(a, k=1),
    "crop": lambda a: a[6:13, 4:14],
}


@pytest.mark.parametrize("name", sorted(NUMPY_EQUIVALENT))
def test_geometric_operations_match_numpy(name):
    pixels = _pixels()
    with pixbridge.Image.from_array(pixels) as image:
        result = getattr(image, name)(**VALID[name][0])
        target = image if result is None else result
        np.testing.assert_array_equal(target.to_array(), NUMPY_EQUIVALENT[name](pixels))
        if result is not None:
            result.close()


def test_brightness_matches_numpy():
    pixels = _pixels()
    with pixbridge.Image.from_array(pixels) as image:
        image.adjust_brightness(-20)
        expected = pixels.astype(np.int16)
        expected[..., :3] = np.clip(expected[..., :3] - 20, 0, 255)
        np.testing.assert_array_equal(image.to_array(), expected.astype(np.uint8))


def test_resize_filter_by_member_rust_name_or_python_name(gradient):
    hashes = set()
    for spelling in (pixbridge.ResizeFilter.BILINEAR, "Bilinear", "BILINEAR", "bilinear", 1):
        with gradient.resize(20, 10, spelling) as resized:
            hashes.add(resized.to_bytes())
    assert len(hashes) == 1
    with gradient.resize(20, 10, "Nearest") as nearest:
        assert nearest.to_bytes() not in hashes
