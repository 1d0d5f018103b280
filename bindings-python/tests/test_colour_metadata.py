"""Colour management and metadata through the Python API, against independent references.

The fixtures in testdata/colour were converted to sRGB by lcms2 (Pillow's ImageCms) and their
EXIF written by Pillow (testdata/colour/make_fixtures.py; the values below are the script's).
"""

import datetime

import numpy as np
import pytest

import pixbridge
from pixbridge import ColorProfile, DecodeOptions, EncodeOptions, MetadataBlock, ThumbnailOptions
from conftest import TESTDATA

KEEP = DecodeOptions(keep_profile=True)


def colour(name: str) -> str:
    return str(TESTDATA / "colour" / name)


def read(name: str) -> bytes:
    with open(colour(name), "rb") as f:
        return f.read()


def difference(a: pixbridge.Image, b: pixbridge.Image) -> "tuple[int, float]":
    """Largest and mean absolute difference of R, G and B (alpha ignored)."""
    assert a.size == b.size
    p = np.frombuffer(a.to_bytes(), dtype=np.uint8).reshape(-1, 4)[:, :3].astype(np.int16)
    q = np.frombuffer(b.to_bytes(), dtype=np.uint8).reshape(-1, 4)[:, :3].astype(np.int16)
    d = np.abs(p - q)
    return int(d.max()), float(d.mean())


@pytest.mark.parametrize("name", ["p3.jpg", "adobergb.jpg", "p3.png"])
def test_wide_gamut_photos_decode_to_the_colours_lcms2_gives(name: str) -> None:
    with pixbridge.Image.open(colour(name)) as decoded, pixbridge.Image.open(colour(name + ".srgb.png")) as reference:
        assert decoded.color_profile == ColorProfile.SRGB
        top, mean = difference(decoded, reference)
        print(f"{name}: max {top}, mean {mean:.3f} levels from lcms2")
        assert top <= 2 and mean <= 0.25, (name, top, mean)
        with pixbridge.Image.open(colour(name), KEEP) as kept:
            assert kept.color_profile == ColorProfile.EMBEDDED
            kept_max, _ = difference(kept, reference)
            assert kept_max > 10, f"{name}: the stored pixels should differ from sRGB (max {kept_max})"


def test_the_icc_profile_and_raw_blocks() -> None:
    icc = read("p3.icc")
    with pixbridge.Image.decode(read("p3.jpg"), KEEP) as kept:
        assert kept.metadata(MetadataBlock.ICC) == icc
    with pixbridge.Image.open(colour("p3.jpg")) as converted:
        assert converted.metadata("icc") == icc, "the profile as stored, also when converted"
        assert converted.metadata(MetadataBlock.XMP) is None
        exif = converted.metadata(MetadataBlock.EXIF)
        assert exif is not None and exif[:4] in (b"II*\0", b"MM\0*")


def test_exif_fields_are_read_as_pillow_wrote_them() -> None:
    with pixbridge.Image.open(colour("p3.jpg")) as image:
        exif = image.exif
    assert exif is not None
    assert exif.make == "Pixbridge P3 Camera"
    assert exif.model == "Model P3"
    assert exif.lens_model == "Test Lens 35mm F2.8"
    assert exif.date_taken_text == "2024:05:06 07:08:09"
    assert exif.date_taken == datetime.datetime(2024, 5, 6, 7, 8, 9)
    assert exif.software == "Pixbridge fixture script"
    assert exif.artist == "Pixbridge Tests"
    assert exif.copyright == "CC0 test fixture"
    assert exif.orientation == 1
    assert exif.exposure_time == 1 / 250
    assert exif.f_number == 2.8
    assert exif.iso == 400
    assert exif.focal_length == 35.0
    # 52° 30' 36" N, 1° 15' 0" W, 62.5 m.
    assert exif.latitude == pytest.approx(52.51, abs=1e-9)
    assert exif.longitude == pytest.approx(-1.25, abs=1e-9)
    assert exif.altitude == 62.5
    with pytest.raises(dataclasses_frozen_error()):
        exif.make = "x"  # type: ignore[misc]


def dataclasses_frozen_error() -> type:
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_images_without_metadata() -> None:
    with pixbridge.Image.from_pixels(4, 4, bytes(64)) as plain:
        assert plain.exif is None
        assert plain.metadata(MetadataBlock.ICC) is None
        assert plain.text_entries == []
        assert plain.color_profile == ColorProfile.NONE


def test_png_text_entries() -> None:
    with pixbridge.Image.open(colour("p3.png")) as image:
        text = dict(image.text_entries)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in image.text_entries)
        assert image.metadata(MetadataBlock.ICC) == read("p3.icc")
    assert text["Title"] == "Coffee in Display P3"
    assert text["Description"] == "Fusée, iTXt with UTF-8"
    assert text["Comment"].startswith("A zTXt chunk: compressed text")


def test_a_saved_jpeg_keeps_exif_and_the_kept_profile_unless_stripped() -> None:
    icc = read("p3.icc")
    with pixbridge.Image.open(colour("p3.jpg"), KEEP) as kept:
        with pixbridge.Image.decode(kept.encode("jpeg"), KEEP) as again:
            assert again.metadata(MetadataBlock.ICC) == icc
            assert again.color_profile == ColorProfile.EMBEDDED
            assert again.exif is not None and again.exif.make == "Pixbridge P3 Camera"
        stripped_bytes = kept.encode("jpeg", options=EncodeOptions(strip_metadata=True))
        with pixbridge.Image.decode(stripped_bytes) as stripped:
            assert stripped.exif is None
            assert stripped.metadata(MetadataBlock.EXIF) is None
            assert stripped.metadata(MetadataBlock.ICC) is None
    with pixbridge.Image.open(colour("p3.jpg")) as converted:
        with pixbridge.Image.decode(converted.encode("jpeg")) as again:
            assert again.metadata(MetadataBlock.ICC) is None, "sRGB pixels: no profile written"
            assert again.exif is not None and again.exif.iso == 400


def test_thumbnails_strip_metadata_unless_asked_and_match_the_colour_managed_reference() -> None:
    data = read("p3.jpg")
    with pixbridge.Image.thumbnail(data, 80, 80) as thumb:
        assert thumb.color_profile == ColorProfile.SRGB
        assert thumb.exif is None
        assert thumb.metadata(MetadataBlock.ICC) is None
        with pixbridge.Image.open(colour("p3.jpg.srgb.png")) as full, full.resize(
            thumb.width, thumb.height, "lanczos3"
        ) as reference, pixbridge.Image.decode(data, KEEP) as stored_full, stored_full.resize(
            thumb.width, thumb.height, "lanczos3"
        ) as stored:
            top, mean = difference(thumb, reference)
            _, unmanaged = difference(stored, reference)
            print(f"p3 thumbnail {thumb.size} against lcms2 resized: max {top}, mean {mean:.3f}", end="")
            print(f" (unconverted {unmanaged:.3f})")
            assert mean <= 2.0 and mean * 3 < unmanaged, (top, mean, unmanaged)
    with pixbridge.Image.thumbnail(data, 80, 80, options=ThumbnailOptions(keep_metadata=True)) as kept:
        assert kept.exif is not None and kept.exif.make == "Pixbridge P3 Camera"


def test_bad_block_codes_raise() -> None:
    with pixbridge.Image.open(colour("p3.jpg")) as image:
        for bad in (3, -1, "exiff"):
            with pytest.raises(pixbridge.InvalidArgumentError):
                image.metadata(bad)
        with pytest.raises(TypeError):
            image.metadata(1.5)  # type: ignore[arg-type]
    image.close()
    with pytest.raises(pixbridge.InvalidHandleError):
        image.exif
    with pytest.raises(pixbridge.InvalidHandleError):
        image.color_profile
