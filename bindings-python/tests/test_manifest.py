"""Every case of testdata/manifest.json (the golden cases every language runs) through the Python API.

Each case opens its input (or makes a thumbnail of it when it has a ``"thumbnail"`` object),
applies its ``ops`` and expects the same width, height and SHA-256 of the RGBA8 pixels, or the
same error code name, as the Rust, C#, Java and C++ suites.
"""

import json

import pytest

import pixbridge
from conftest import TESTDATA, data, pixel_sha256
from manifest_ops import apply

with open(TESTDATA / "manifest.json", encoding="utf-8") as _file:
    _MANIFEST = json.load(_file)
CASES = {case["name"]: case for case in _MANIFEST["cases"]}
THUMBNAIL_KEYS = {"width", "height", "fit", "allow_upscale"}


def test_manifest_is_version_1_with_unique_cases():
    assert _MANIFEST["version"] == 1
    assert len(CASES) == len(_MANIFEST["cases"]) > 100


def _open(case, control=None):
    thumbnail = case.get("thumbnail")
    if thumbnail is None:
        return pixbridge.Image.open(data(case["input"]), control=control)
    assert set(thumbnail) == THUMBNAIL_KEYS, f"thumbnail keys {sorted(thumbnail)}"
    fit = pixbridge.ThumbnailFit.from_native_name(thumbnail["fit"])
    assert fit.native_name == thumbnail["fit"], "fit must be spelled exactly"
    options = pixbridge.ThumbnailOptions(allow_upscale=thumbnail["allow_upscale"])
    return pixbridge.Image.thumbnail(
        data(case["input"]), thumbnail["width"], thumbnail["height"], fit, options, control=control
    )


def run(case, control=None):
    """(outcome, image): ("Ok", final image) or (error code name, None); every call under ``control``."""
    current = None
    try:
        current = _open(case, control)
        for op in case["ops"]:
            new = apply(current, op, control)
            if new is not None:
                current.close()
                current = new
        result, current = current, None
        return "Ok", result
    except pixbridge.PixbridgeError as error:
        assert str(error), "the native message is empty"
        return pixbridge.ErrorCode(error.code).native_name, None
    finally:
        if current is not None:
            current.close()


@pytest.mark.parametrize("under_a_control", [False, True], ids=["plain", "controlled"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name, under_a_control, no_leaks):
    """Each case as it is, and with every call under a Control (the ``_controlled`` functions)."""
    case = CASES[name]
    expect = case["expect"]
    if under_a_control:
        fractions = []
        with pixbridge.Control(fractions.append) as control:
            outcome, image = run(case, control)
        assert all(0.0 < fraction <= 1.0 for fraction in fractions)
        if outcome == "Ok":
            assert fractions and fractions[-1] == 1.0  # the last call succeeded
    else:
        outcome, image = run(case)
    if "error" in expect:
        assert image is None, f"expected error {expect['error']}, got an image"
        assert outcome == expect["error"]
        return
    assert image is not None, f"expected an image, got error {outcome}"
    with image:
        assert (image.width, image.height) == (expect["width"], expect["height"])
        assert pixel_sha256(image) == expect["sha256"].lower()
