"""Zero-copy numpy views, copies, and images made from arrays."""

import gc
import hashlib

import numpy as np
import pytest

import pixbridge
from conftest import data


def _rgba(height, width, seed=7):
    return np.random.default_rng(seed).integers(0, 256, size=(height, width, 4), dtype=np.uint8)


def test_asarray_is_a_read_only_view_of_native_memory(gradient):
    view = np.asarray(gradient)
    assert view.shape == (48, 64, 4) and view.dtype == np.uint8
    assert not view.flags.writeable
    assert not view.flags.owndata
    with pytest.raises(ValueError):
        view[0, 0, 0] = 1
    # The same memory each time: no copy.
    assert np.asarray(gradient).__array_interface__["data"][0] == view.__array_interface__["data"][0]
    assert gradient.view().__array_interface__["data"][0] == view.__array_interface__["data"][0]


def test_view_shows_in_place_operations_and_copy_does_not(gradient):
    view = np.asarray(gradient)
    copy = gradient.to_array()
    assert copy.flags.writeable and copy.flags.owndata
    np.testing.assert_array_equal(view, copy)
    gradient.mirror()
    np.testing.assert_array_equal(view, copy[:, ::-1, :])
    assert not np.array_equal(copy, copy[:, ::-1, :]), "the gradient must not be symmetric for this test"


def test_to_bytes_and_to_array_agree_with_the_view(gradient):
    assert gradient.to_bytes() == np.asarray(gradient).tobytes() == gradient.to_array().tobytes()


def test_view_keeps_the_pixels_alive_after_close_and_frees_them_with_the_last_view(no_leaks):
    gc.collect()
    images_before, _ = pixbridge.live_handles()
    image = pixbridge.Image.open(data("rocket.jpg"))
    expected = image.to_array()
    view = np.asarray(image)
    second = view[10:20]  # a numpy view of the view keeps it too
    image.close()
    assert image.closed
    assert pixbridge.live_handles()[0] == images_before + 1, "close freed the pixels under a live view"
    # Churn native memory so that freed pixels would be overwritten.
    for _ in range(3):
        with pixbridge.Image.open(data("rocket.jpg")) as other, other.blur(3.0) as blurred:
            blurred.grayscale()
    np.testing.assert_array_equal(view, expected)
    del view
    gc.collect()
    assert pixbridge.live_handles()[0] == images_before + 1
    np.testing.assert_array_equal(second, expected[10:20])
    del second
    gc.collect()
    assert pixbridge.live_handles()[0] == images_before


def test_close_without_views_frees_at_once():
    gc.collect()
    before = pixbridge.live_handles()[0]
    image = pixbridge.Image.open(data("gradient-64x48.png"))
    assert pixbridge.live_handles()[0] == before + 1
    image.close()
    assert pixbridge.live_handles()[0] == before


def test_array_protocol_dtype_and_copy():
    with pixbridge.Image.open(data("gradient-64x48.png")) as image:
        as_float = np.asarray(image, dtype=np.float32)
        assert as_float.dtype == np.float32
        np.testing.assert_array_equal(as_float, image.to_array().astype(np.float32))
        copied = np.array(image)  # numpy's default copy=True
        assert copied.flags.writeable
        np.testing.assert_array_equal(copied, image.to_array())


def test_from_array_round_trip(no_leaks):
    pixels = _rgba(31, 17)
    with pixbridge.Image.from_array(pixels) as image:
        assert (image.width, image.height) == (17, 31)
        assert image.color_type == pixbridge.ColorType.RGBA8
        np.testing.assert_array_equal(image.to_array(), pixels)
        assert hashlib.sha256(np.asarray(image)).hexdigest() == hashlib.sha256(pixels.tobytes()).hexdigest()
        # The image holds a copy: changing the array afterwards does not change it.
        pixels[0, 0] = 255 - pixels[0, 0]
        assert not np.array_equal(image.to_array()[0, 0], pixels[0, 0])


def test_from_array_takes_non_contiguous_arrays():
    pixels = _rgba(20, 30)
    flipped = pixels[:, ::-1, :]
    assert not flipped.flags.c_contiguous
    with pixbridge.Image.from_array(flipped) as image:
        np.testing.assert_array_equal(image.to_array(), flipped)


def test_from_array_and_save_and_open_round_trip(tmp_path):
    pixels = _rgba(12, 9, seed=3)
    path = tmp_path / "round.png"
    with pixbridge.Image.from_array(pixels) as image:
        image.save(path)
    with pixbridge.Image.open(path) as reopened:
        np.testing.assert_array_equal(reopened.to_array(), pixels)


@pytest.mark.parametrize("shape", [(10, 10), (10, 10, 3), (10, 10, 1), (10, 10, 4, 1), (40,)])
def test_from_array_refuses_other_shapes(shape):
    with pytest.raises(pixbridge.InvalidArgumentError, match="shape"):
        pixbridge.Image.from_array(np.zeros(shape, np.uint8))


def test_from_array_refuses_other_dtypes_and_empty_arrays():
    with pytest.raises(TypeError, match="uint8"):
        pixbridge.Image.from_array(np.zeros((4, 4, 4), np.float32))
    with pytest.raises(pixbridge.InvalidArgumentError) as caught:
        pixbridge.Image.from_array(np.zeros((0, 4, 4), np.uint8))
    assert caught.value.code == 9


def test_from_pixels_takes_bytes_bytearray_and_memoryview():
    pixels = _rgba(3, 5)
    raw = pixels.tobytes()
    for source in (raw, bytearray(raw), memoryview(raw), memoryview(bytearray(raw))):
        with pixbridge.Image.from_pixels(5, 3, source) as image:
            assert image.to_bytes() == raw
