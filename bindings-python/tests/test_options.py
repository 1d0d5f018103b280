"""Decode options, encode options, save, encode, thumbnails and decoding from buffers."""

import json
import pathlib

import numpy as np
import pytest

import pixbridge
from conftest import TESTDATA, data, pixel_sha256

ROCKET = data("rocket.jpg")


def _manifest_case(name):
    cases = json.loads((TESTDATA / "manifest.json").read_text())["cases"]
    return next(case for case in cases if case["name"] == name)


def test_min_size_decodes_a_jpeg_at_reduced_scale():
    with pixbridge.Image.open(ROCKET) as full:
        assert full.size == (640, 427)
        options = pixbridge.DecodeOptions(min_width=100, min_height=100)
        with pixbridge.Image.open(ROCKET, options) as reduced:
            assert reduced.size == (160, 107)
            assert reduced.color_type == full.color_type


def test_deferred_chain_gives_the_manifest_pixels():
    case = _manifest_case("rocket-blur4-mirror")
    assert [op["op"] for op in case["ops"]] == ["blur", "mirror"]
    with pixbridge.Image.open(ROCKET, pixbridge.DecodeOptions(deferred=True)) as image:
        with image.blur(4.0) as blurred:
            assert blurred.size == (640, 427)
            blurred.mirror()
            assert pixel_sha256(blurred) == case["expect"]["sha256"]


def test_strict_and_lenient_decoding_of_truncated_data():
    with pytest.raises(pixbridge.DecodeError, match="row"):
        pixbridge.Image.open(data("truncated-64x48.png"))
    with pixbridge.Image.open(data("truncated-64x48.png"), pixbridge.DecodeOptions(lenient=True)) as partial:
        assert partial.size == (64, 48)
        assert partial.decode_warning and "row" in partial.decode_warning
    with pixbridge.Image.open(data("gradient-64x48.png")) as complete:
        assert complete.decode_warning is None


def test_lenient_with_deferred_is_invalid():
    with pytest.raises(pixbridge.InvalidArgumentError):
        pixbridge.Image.open(ROCKET, pixbridge.DecodeOptions(deferred=True, lenient=True))


def test_decode_from_bytes_bytearray_and_memoryview_match_open():
    raw = pathlib.Path(ROCKET).read_bytes()
    with pixbridge.Image.open(ROCKET) as opened:
        expected = pixel_sha256(opened)
    for source in (raw, bytearray(raw), memoryview(raw), np.frombuffer(raw, np.uint8)):
        with pixbridge.Image.decode(source) as decoded:
            assert pixel_sha256(decoded) == expected


def test_open_takes_str_pathlib_and_bytes_paths():
    for path in (ROCKET, pathlib.Path(ROCKET), ROCKET.encode()):
        with pixbridge.Image.open(path) as image:
            assert image.size == (640, 427)


MAGIC = {
    "PNG": b"\x89PNG\r\n\x1a\n",
    "JPEG": b"\xff\xd8\xff",
    "WEBP": b"RIFF",
    "BMP": b"BM",
    "TIFF": (b"II*\x00", b"MM\x00*"),
    "GIF": b"GIF8",
    "QOI": b"qoif",
    "TGA": None,  # no magic number
    "PNM": (b"P5", b"P6", b"P7"),
    "ICO": b"\x00\x00\x01\x00",
}


@pytest.mark.parametrize("member", sorted(MAGIC))
def test_encode_every_format(gradient, member):
    image_format = pixbridge.ImageFormat[member]
    encoded = gradient.encode(image_format)
    magic = MAGIC[member]
    if magic is not None:
        assert encoded.startswith(magic)
    with pixbridge.Image.decode(encoded) as decoded:
        assert decoded.size == (64, 48)
    assert gradient.encode(image_format.native_name) == encoded


def test_jpeg_quality_and_encode_options(gradient):
    with pixbridge.Image.open(ROCKET) as rocket:
        small = rocket.encode("jpg", 30)
        large = rocket.encode("jpeg", 95)
        assert len(small) < len(large)
        assert rocket.encode("jpeg", options=pixbridge.EncodeOptions(quality=30)) == small
        progressive = rocket.encode("jpeg", options=pixbridge.EncodeOptions(progressive=True))
        assert progressive != rocket.encode("jpeg")
        with pixbridge.Image.decode(progressive) as decoded:
            assert decoded.size == (640, 427)
        full_colour = rocket.encode("jpeg", options=pixbridge.EncodeOptions(subsampling="Yuv444"))
        assert full_colour != rocket.encode("jpeg")
        smallest_png = rocket.encode("png", options=pixbridge.EncodeOptions(png_compression=9))
        assert len(smallest_png) < len(rocket.encode("png"))
    with pytest.raises(pixbridge.InvalidArgumentError):
        gradient.encode("jpeg", 101)


def test_save_by_extension_by_format_and_with_quality(tmp_path, gradient):
    gradient.save(tmp_path / "a.png")
    assert (tmp_path / "a.png").read_bytes().startswith(MAGIC["PNG"])
    gradient.save(tmp_path / "b.bin", "png")
    assert (tmp_path / "b.bin").read_bytes().startswith(MAGIC["PNG"])
    gradient.save(str(tmp_path / "c.jpg"), quality=40)
    gradient.save(str(tmp_path / "d.jpg"), quality=95)
    assert (tmp_path / "c.jpg").stat().st_size < (tmp_path / "d.jpg").stat().st_size
    gradient.save(tmp_path / "e.jpg", options=pixbridge.EncodeOptions(quality=40))
    assert (tmp_path / "e.jpg").read_bytes() == (tmp_path / "c.jpg").read_bytes()
    with pytest.raises(pixbridge.UnsupportedFormatError):
        gradient.save(tmp_path / "f.xyz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.bin", "c.jpg", "d.jpg", "e.jpg"]


def test_failed_save_keeps_the_existing_file(tmp_path, gradient):
    target = tmp_path / "keep.png"
    target.write_bytes(b"old")
    with pytest.raises(pixbridge.InvalidArgumentError):
        gradient.save(target, "png", quality=50)  # PNG takes no quality
    with pytest.raises(pixbridge.InvalidArgumentError):
        gradient.save(target, "jpeg", quality=0)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_quality_from_the_extension_is_an_encode_option(tmp_path, gradient):
    gradient.save(tmp_path / "a.png", quality=50)  # read by JPEG only, as EncodeOptions fields are
    gradient.save(tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_thumbnail_from_path_and_bytes_agree_with_the_manifest():
    case = _manifest_case("thumb-rocket-cover-150")
    raw = pathlib.Path(ROCKET).read_bytes()
    with pixbridge.Image.thumbnail(ROCKET, 150, 150, "Cover") as from_path, pixbridge.Image.thumbnail(
        raw, 150, 150, pixbridge.ThumbnailFit.COVER
    ) as from_bytes:
        assert from_path.size == from_bytes.size == (150, 150)
        assert pixel_sha256(from_path) == pixel_sha256(from_bytes) == case["expect"]["sha256"]


def test_thumbnail_upscale_option():
    with pixbridge.Image.thumbnail(data("gradient-64x48.png"), 100, 100) as kept:
        assert kept.size == (64, 48)
    options = pixbridge.ThumbnailOptions(allow_upscale=True)
    with pixbridge.Image.thumbnail(data("gradient-64x48.png"), 100, 100, options=options) as enlarged:
        assert enlarged.size == (100, 75)


def test_trim_native_memory_returns_bytes():
    released = pixbridge.trim_native_memory()
    assert isinstance(released, int) and released >= 0


def test_options_are_immutable():
    options = pixbridge.DecodeOptions()
    with pytest.raises(AttributeError):
        options.deferred = True  # type: ignore[misc]
    # The defaults of docs/design.md: 32768 px per side, 512 MiB of pixels.
    assert options.limits == pixbridge.DecodeLimits(32768, 32768, 512 * 1024 * 1024)
