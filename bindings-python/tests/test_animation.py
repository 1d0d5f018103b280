"""Animated GIF and WebP frames: pixbridge.animation_info and Image.decode_frame.

The fixtures are made by ImageMagick and libwebp's img2webp (testdata/animation/make.sh): a
12 x 8 canvas showing red, lime and blue for 100, 200 and 300 ms, looping forever.
"""

from pathlib import Path

import pytest

import pixbridge
from conftest import data as data_path

RED, LIME, BLUE = (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)


def read(name: str) -> bytes:
    return Path(data_path(name)).read_bytes()


@pytest.mark.parametrize("name", ["animation/rgb-3frames.gif", "animation/rgb-3frames.webp"])
def test_info_counts_frames_and_reads_delays(name: str) -> None:
    info = pixbridge.animation_info(read(name))
    assert info == pixbridge.AnimationInfo(
        frame_count=3, width=12, height=8, loop_count=0, delays_ms=(100, 200, 300)
    )
    assert info.duration_ms == 600
    with pytest.raises(AttributeError):
        info.frame_count = 4  # type: ignore[misc]  # frozen


def test_decode_frame_gives_each_frame_full_canvas() -> None:
    data = read("animation/rgb-3frames.gif")
    for index, colour in enumerate([RED, LIME, BLUE]):
        with pixbridge.Image.decode_frame(data, index) as frame:
            assert (frame.width, frame.height) == (12, 8)
            pixels = frame.to_bytes()
            assert tuple(pixels[0:4]) == colour
            assert tuple(pixels[-4:]) == colour


def test_plain_decode_is_the_first_frame() -> None:
    with pixbridge.Image.decode(read("animation/rgb-3frames.gif")) as image:
        assert tuple(image.to_bytes()[0:4]) == RED


def test_index_out_of_range_raises_with_the_count() -> None:
    with pytest.raises(pixbridge.InvalidArgumentError, match="3 frames"):
        pixbridge.Image.decode_frame(read("animation/rgb-3frames.gif"), 3)
    with pytest.raises(pixbridge.InvalidArgumentError):
        pixbridge.Image.decode_frame(read("animation/rgb-3frames.gif"), -1)


def test_still_image_is_one_frame() -> None:
    info = pixbridge.animation_info(read("animation/still.png"))
    assert info == pixbridge.AnimationInfo(frame_count=1, width=5, height=3, loop_count=1, delays_ms=(0,))


def test_limits_and_bad_input() -> None:
    data = read("animation/rgb-3frames.gif")
    with pytest.raises(pixbridge.LimitExceededError):
        pixbridge.animation_info(data, pixbridge.DecodeLimits(max_width=11))
    with pytest.raises(pixbridge.LimitExceededError):
        pixbridge.Image.decode_frame(data, 0, pixbridge.DecodeLimits(max_height=7))
    with pytest.raises(pixbridge.DecodeError):
        pixbridge.Image.decode_frame(data[: len(data) - 20], 2)
    with pytest.raises(pixbridge.DecodeError):
        pixbridge.animation_info(read("animation/truncated-3frames.gif"))
    with pytest.raises(pixbridge.LimitExceededError):
        pixbridge.animation_info(read("animation/huge-canvas.gif"))
    with pytest.raises(pixbridge.UnsupportedFormatError):
        pixbridge.animation_info(b"not an image")


def test_too_many_frames_is_refused_after_counting() -> None:
    # 10001 frames of 1 x 1, written by hand: a black-and-white table, each frame the LZW codes
    # clear, 1, end (bytes 0x4C 0x01).
    frame = bytes([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0])
    data = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff" + frame * 10001 + b"\x3b"
    with pytest.raises(pixbridge.LimitExceededError, match="10000"):
        pixbridge.animation_info(data)
    assert pixbridge.animation_info(data[: -len(frame) - 1] + b"\x3b").frame_count == 10000
