"""Every case of testdata/bad/manifest.json (the bad-input corpus) through the Python API.

Each case expects the same error code name, or size, as the Rust, C# and Java suites: a clear
exception, never a crash.
"""

import json
import os
import tempfile

import pytest

import pixbridge
from conftest import TESTDATA, data
from manifest_ops import apply

with open(TESTDATA / "bad" / "manifest.json", encoding="utf-8") as _file:
    _CORPUS = json.load(_file)
CASES = {case["name"]: case for case in _CORPUS["cases"]}


def test_corpus_has_at_least_forty_cases():
    assert _CORPUS["version"] == 1
    assert len(CASES) >= 40


def _size(image):
    return f"Ok {image.width}x{image.height}"


def run(case):
    """"Ok WxH" (or "Ok N bytes") on success; failures raise."""
    call = case["call"]
    path = data(case["input"]) if "input" in case else None
    if call == "decode":
        with open(path, "rb") as file, pixbridge.Image.decode(file.read()) as image:
            return _size(image)
    if call == "open":
        with pixbridge.Image.open(path) as image:
            return _size(image)
    if call == "ops":
        image = pixbridge.Image.open(path)
        try:
            for op in case["ops"]:
                new = apply(image, op)
                if new is not None:
                    image.close()
                    image = new
            return _size(image)
        finally:
            image.close()
    if call == "save":
        with tempfile.TemporaryDirectory(prefix="pixbridge-bad-") as tmp:
            with pixbridge.Image.open(path) as image:
                try:
                    image.save(case["path"].replace("{tmp}", tmp))
                except pixbridge.PixbridgeError:
                    assert os.listdir(tmp) == [], "a failed save left files behind"
                    raise
                return _size(image)
    if call == "from_pixels":
        pixels = bytes(case["length"])
        with pixbridge.Image.from_pixels(case["width"], case["height"], pixels) as image:
            return _size(image)
    if call == "encode":
        with pixbridge.Image.open(path) as image:
            encoded = image.encode(case["format"], case["quality"])
            return f"Ok {len(encoded)} bytes"
    raise AssertionError(f"unknown call {call}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name, no_leaks):
    case = CASES[name]
    expect = case["expect"]
    expected = expect["error"] if "error" in expect else f"Ok {expect['width']}x{expect['height']}"
    try:
        outcome = run(case)
    except pixbridge.PixbridgeError as error:
        assert str(error), "the native message is empty"
        outcome = pixbridge.ErrorCode(error.code).native_name
    assert outcome == expected
