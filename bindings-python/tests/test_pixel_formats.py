"""Issue 16: pixels in the layouts other libraries hold (PixelFormat), in and out.

Expected bytes are worked out by hand in the comments; premultiplied rounding is also checked
against the documented formulas computed here in plain Python integers.
"""

import numpy as np
import pytest

import pixbridge
from pixbridge import PixelFormat

# Two straight RGBA pixels: an opaque orange and a half-transparent (a = 128) blue-green.
STRAIGHT = bytes([255, 128, 0, 255, 0, 100, 200, 128])

# What each format holds for STRAIGHT. Premultiplied at a = 128: round(100 * 128 / 255) = round(50.2) = 50,
# round(200 * 128 / 255) = round(100.4) = 100. Grey is Rec. 709 luma: 0.2126 * 255 + 0.7152 * 128 = 145.76
# -> 146 and 0.7152 * 100 + 0.0722 * 200 = 85.96 -> 86. X bytes are written as 255.
WRITTEN = {
    PixelFormat.RGBA8: [255, 128, 0, 255, 0, 100, 200, 128],
    PixelFormat.BGRA8: [0, 128, 255, 255, 200, 100, 0, 128],
    PixelFormat.RGB8: [255, 128, 0, 0, 100, 200],
    PixelFormat.BGR8: [0, 128, 255, 200, 100, 0],
    PixelFormat.GRAY8: [146, 86],
    PixelFormat.RGBA8_PREMULTIPLIED: [255, 128, 0, 255, 0, 50, 100, 128],
    PixelFormat.BGRA8_PREMULTIPLIED: [0, 128, 255, 255, 100, 50, 0, 128],
    PixelFormat.ARGB8: [255, 255, 128, 0, 128, 0, 100, 200],
    PixelFormat.ABGR8: [255, 0, 128, 255, 128, 200, 100, 0],
    PixelFormat.RGBX8: [255, 128, 0, 255, 0, 100, 200, 255],
    PixelFormat.BGRX8: [0, 128, 255, 255, 200, 100, 0, 255],
    PixelFormat.ARGB8_PREMULTIPLIED: [255, 255, 128, 0, 128, 0, 50, 100],
    PixelFormat.ABGR8_PREMULTIPLIED: [255, 0, 128, 255, 128, 100, 50, 0],
}


def test_every_format_is_listed():
    assert set(WRITTEN) == set(PixelFormat)
    assert [int(f) for f in PixelFormat] == list(range(13))


@pytest.mark.parametrize("pixel_format", list(PixelFormat), ids=lambda f: f.name)
def test_every_format_is_written_as_worked_out_by_hand(pixel_format):
    with pixbridge.Image.from_pixels(2, 1, STRAIGHT) as image:
        assert list(image.copy_pixel_data(pixel_format)) == WRITTEN[pixel_format]
        into = bytearray(b"\x07" * (len(WRITTEN[pixel_format]) + 2))
        image.copy_pixel_data_into(into, pixel_format)
        assert list(into) == WRITTEN[pixel_format] + [7, 7]


@pytest.mark.parametrize("pixel_format", list(PixelFormat), ids=lambda f: f.name)
def test_every_format_is_read_back(pixel_format):
    with pixbridge.Image.from_pixel_data(bytes(WRITTEN[pixel_format]), 2, 1, pixel_format) as image:
        rgba = list(image.to_bytes())
        if pixel_format in (PixelFormat.RGBA8, PixelFormat.BGRA8, PixelFormat.ARGB8, PixelFormat.ABGR8):
            assert rgba == list(STRAIGHT)
            assert image.color_type == pixbridge.ColorType.RGBA8
        elif pixel_format == PixelFormat.GRAY8:
            assert rgba == [146, 146, 146, 255, 86, 86, 86, 255]
            assert image.color_type == pixbridge.ColorType.L8
        elif "PREMULTIPLIED" in pixel_format.name:
            # round(c' * 255 / a): 50 * 255 / 128 = 99.6 -> 100, 100 * 255 / 128 = 199.2 -> 199.
            assert rgba == [255, 128, 0, 255, 0, 100, 199, 128]
            assert image.color_type == pixbridge.ColorType.RGBA8
        else:
            assert rgba == [255, 128, 0, 255, 0, 100, 200, 255]
            assert image.color_type == pixbridge.ColorType.RGB8


def test_numpy_arrays_and_strides():
    # A 3 x 2 BGR array inside a wider buffer: rows 16 bytes apart (9 bytes of pixels, 7 of padding).
    bgr = np.arange(2 * 16, dtype=np.uint8).reshape(2, 16)
    with pixbridge.Image.from_pixel_data(bgr, 3, 2, PixelFormat.BGR8, stride=16) as image:
        rgba = np.asarray(image)
        assert rgba.shape == (2, 3, 4)
        # Pixel (row 1, column 2) starts at byte 16 + 6: B = 22, G = 23, R = 24.
        assert list(rgba[1, 2]) == [24, 23, 22, 255]
        out = np.full((2, 16), 0xAA, dtype=np.uint8)
        image.copy_pixel_data_into(out, "Bgr8", stride=16)
        np.testing.assert_array_equal(out[:, :9], bgr[:, :9])
        assert (out[:, 9:] == 0xAA).all(), "the padding is left untouched"
        # As bytes, the padding of a stride is zero.
        padded = image.copy_pixel_data(PixelFormat.BGR8, stride=10)
        assert len(padded) == 10 + 9 and padded[9] == 0


def _premultiply(c, a):
    return (c * a + 127) // 255


def _unpremultiply(c, a):
    return 0 if a == 0 else min(255, (510 * c + a) // (2 * a))


def test_premultiplied_rounding_matches_the_documented_formulas():
    # Every (c, a) pair: straight c in R, 255 - c in G, a in alpha.
    c = np.repeat(np.arange(256, dtype=np.uint32), 256)
    a = np.tile(np.arange(256, dtype=np.uint32), 256)
    straight = np.stack([c, 255 - c, np.zeros_like(c), a], axis=1).astype(np.uint8)
    with pixbridge.Image.from_array(straight.reshape(256, 256, 4)) as image:
        premultiplied = np.frombuffer(image.copy_pixel_data(PixelFormat.RGBA8_PREMULTIPLIED), np.uint8).reshape(-1, 4)
    np.testing.assert_array_equal(premultiplied[:, 0], (c * a + 127) // 255)
    np.testing.assert_array_equal(premultiplied[:, 1], ((255 - c) * a + 127) // 255)
    # And back, for every premultiplied (c', a), including c' > a (clamped to 255) and a = 0.
    with pixbridge.Image.from_pixel_data(straight.tobytes(), 256, 256, PixelFormat.RGBA8_PREMULTIPLIED) as image:
        back = np.asarray(image).reshape(-1, 4).astype(np.uint32)
    want = np.minimum(255, (510 * c + a) // np.maximum(2 * a, 1))
    want[a == 0] = 0
    np.testing.assert_array_equal(back[:, 0], want)
    # Spot checks against the plain formulas.
    assert [_premultiply(200, a) for a in (0, 1, 254, 255)] == [0, 1, 199, 200]
    assert [_unpremultiply(c, a) for c, a in ((9, 0), (1, 1), (199, 254), (1, 2))] == [0, 255, 200, 128]


def test_deferred_images_are_computed_for_the_copy():
    from conftest import data

    with pixbridge.Image.open(data("rocket.jpg")) as plain:
        want = plain.copy_pixel_data(PixelFormat.BGRX8)
    with pixbridge.Image.open(data("rocket.jpg"), pixbridge.DecodeOptions(deferred=True)) as deferred:
        with deferred.resize(320, 214, pixbridge.ResizeFilter.BILINEAR) as small:
            assert len(small.copy_pixel_data(PixelFormat.GRAY8)) == 320 * 214
        with pytest.raises(pixbridge.BufferTooSmallError):
            deferred.copy_pixel_data_into(bytearray(10), PixelFormat.BGRX8)
        assert deferred.copy_pixel_data(PixelFormat.BGRX8) == want
        rgba = np.frombuffer(want, np.uint8).reshape(427, 640, 4)[:, :, [2, 1, 0, 3]]
        np.testing.assert_array_equal(rgba, np.asarray(deferred))


def test_bad_arguments():
    with pixbridge.Image.from_pixels(2, 1, STRAIGHT) as image:
        with pytest.raises(pixbridge.BufferTooSmallError, match="need 8"):
            image.copy_pixel_data_into(bytearray(7), PixelFormat.BGRA8)
        with pytest.raises(pixbridge.InvalidArgumentError, match="stride 5"):
            image.copy_pixel_data(PixelFormat.RGB8, stride=5)
        with pytest.raises(pixbridge.InvalidArgumentError):
            image.copy_pixel_data(13)
        with pytest.raises(TypeError):
            image.copy_pixel_data_into(bytes(8), PixelFormat.BGRA8)
    with pytest.raises(pixbridge.InvalidArgumentError, match="at least 12"):
        pixbridge.Image.from_pixel_data(bytes(11), 2, 2, PixelFormat.RGB8)
    with pytest.raises(pixbridge.InvalidArgumentError):
        pixbridge.Image.from_pixel_data(bytes(4), 1, 1, "NoSuchFormat")
    with pytest.raises(pixbridge.InvalidArgumentError):
        pixbridge.Image.from_pixel_data(bytes(4), 1, 1, PixelFormat.RGBA8, stride=-1)
