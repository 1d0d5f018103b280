"""Lossy WebP (``EncodeOptions.webp_quality``) and AVIF (``avif_quality``, ``avif_speed``): the
files' magic bytes, sizes against lossless WebP, the lossy WebP decoded back, and out-of-range
values. The pixels themselves are checked against Debian's ``dwebp`` and ``avifdec`` in
core/tests/modern_formats.rs."""

import pytest

import pixbridge
from conftest import data

#: A 451 x 300 RGB photograph.
PHOTO = data("chelsea.png")
STRIPPED = pixbridge.EncodeOptions(strip_metadata=True)


def test_lossy_webp_is_smaller_than_lossless_and_decodes_back(tmp_path):
    with pixbridge.Image.open(PHOTO) as photo:
        lossless = photo.encode("webp", options=STRIPPED)
        lossy = photo.encode("webp", options=pixbridge.EncodeOptions(webp_quality=75, strip_metadata=True))
        assert lossless[:4] == b"RIFF" and lossless[8:16] == b"WEBPVP8L"
        assert lossy[:4] == b"RIFF" and lossy[8:16] == b"WEBPVP8 "
        assert len(lossy) * 4 < len(lossless), (len(lossy), len(lossless))
        smaller = photo.encode("webp", options=pixbridge.EncodeOptions(webp_quality=20, strip_metadata=True))
        assert len(smaller) < len(lossy)
        with pixbridge.Image.decode(lossy) as decoded:
            assert decoded.size == (451, 300)
        # A quality argument selects lossy WebP, with or without a control, and by extension.
        assert photo.encode(pixbridge.ImageFormat.WEBP, 75)[8:15] == b"WEBPVP8"
        with pixbridge.Control() as control:
            controlled = photo.encode("webp", 75, control=control)
        assert controlled[8:15] == b"WEBPVP8" and len(controlled) * 4 < len(lossless)
        path = tmp_path / "photo.webp"
        photo.save(path, quality=75)
        assert len(path.read_bytes()) * 4 < len(lossless)


def test_avif_is_written_with_quality_and_speed(tmp_path):
    with pixbridge.Image.open(PHOTO) as photo:
        lossless = photo.encode("webp", options=STRIPPED)
        avif = photo.encode("avif", options=pixbridge.EncodeOptions(avif_quality=60, avif_speed=9))
        assert avif[4:12] == b"ftypavif"
        assert len(avif) * 4 < len(lossless), (len(avif), len(lossless))
        better_options = pixbridge.EncodeOptions(avif_quality=95, avif_speed=9)
        better = photo.encode(pixbridge.ImageFormat.AVIF, options=better_options)
        assert len(better) > len(avif)
        # Saved by extension; this build cannot decode AVIF and says so.
        path = tmp_path / "photo.avif"
        photo.save(path, options=pixbridge.EncodeOptions(avif_speed=10))
        assert path.read_bytes()[4:12] == b"ftypavif"
        with pytest.raises(pixbridge.UnsupportedFormatError, match="AVIF decoding is not available"):
            pixbridge.Image.decode(avif)


@pytest.mark.parametrize(
    "options",
    [
        {"webp_quality": 0},
        {"webp_quality": 101},
        {"avif_quality": 0},
        {"avif_quality": 101},
        {"avif_speed": 0},
        {"avif_speed": 11},
    ],
)
def test_options_out_of_range_raise(options):
    format = "webp" if "webp_quality" in options else "avif"
    with pixbridge.Image.open(PHOTO) as photo:
        with pytest.raises(pixbridge.InvalidArgumentError):
            photo.encode(format, options=pixbridge.EncodeOptions(**options))


def test_a_quality_above_100_is_refused():
    with pixbridge.Image.open(PHOTO) as photo:
        with pytest.raises(pixbridge.InvalidArgumentError):
            photo.encode("avif", 101)
        with pytest.raises(pixbridge.InvalidArgumentError):
            photo.encode("bmp", 50)
