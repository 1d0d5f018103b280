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


def _open(case):
    thumbnail = case.get("thumbnail")
    if thumbnail is None:
        return pixbridge.Image.open(data(case["input"]))
    assert set(thumbnail) == THUMBNAIL_KEYS, f"thumbnail keys {sorted(thumbnail)}"
    fit = pixbridge.ThumbnailFit.from_native_name(thumbnail["fit"])
    assert fit.native_name == thumbnail["fit"], "fit must be spelled exactly"
    options = pixbridge.ThumbnailOptions(allow_upscale=thumbnail["allow_upscale"])
    return pixbridge.Image.thumbnail(data(case["input"]), thumbnail["width"], thumbnail["height"], fit, options)


def run(case):
    """(outcome, image): ("Ok", final image) or (error code name, None)."""
    current = None
    try:
        current = _open(case)
        for op in case["ops"]:
            new = apply(current, op)
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


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name, no_leaks):
    case = CASES[name]
    expect = case["expect"]
    outcome, image = run(case)
    if "error" in expect:
        assert image is None, f"expected error {expect['error']}, got an image"
        assert outcome == expect["error"]
        return
    assert image is not None, f"expected an image, got error {outcome}"
    with image:
        assert (image.width, image.height) == (expect["width"], expect["height"])
        assert pixel_sha256(image) == expect["sha256"].lower()
