"""Animated GIF and WebP: frame count, delays and loop count (:func:`animation_info`).

Decoding an animation (:meth:`Image.decode <pixbridge.Image.decode>`) gives its first frame;
:meth:`Image.decode_frame <pixbridge.Image.decode_frame>` gives any frame. A still image (PNG,
JPEG, a one-frame GIF, ...) is one frame with delay 0, shown once.
"""

import ctypes
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from . import _abi, _native
from ._options import DecodeLimits


@dataclass(frozen=True)
class AnimationInfo:
    """What :func:`animation_info` reads about an image's frames (without decoding them)."""

    #: Number of frames, 1 to 10000.
    frame_count: int
    #: Width of the canvas: every decoded frame's width.
    width: int
    #: Height of the canvas.
    height: int
    #: How many times the animation plays, as the file states it; 0 means forever. A GIF without
    #: a looping block and a still image give 1.
    loop_count: int
    #: How long each frame is shown, in milliseconds, one per frame (GIF: multiples of 10).
    delays_ms: Tuple[int, ...]

    @property
    def duration_ms(self) -> int:
        """The sum of the delays: how long one showing of the animation takes, in milliseconds."""
        return sum(self.delays_ms)


def _limits_argument(limits: Optional[DecodeLimits]) -> Any:
    if limits is None:
        return None
    if not isinstance(limits, DecodeLimits):
        raise TypeError(f"limits must be a DecodeLimits or None, not {type(limits).__name__}")
    return ctypes.byref(limits._to_c())


def animation_info(data: Any, limits: Optional[DecodeLimits] = None) -> AnimationInfo:
    """Frame count, canvas size, loop count and per-frame delays of an encoded image.

    Reads the file's structure only (no frame is decompressed): two quick passes over ``data``.

    Args:
        data: the encoded file (``bytes``, ``bytearray``, ``memoryview``, ...).
        limits: decode limits for the canvas and each frame; None for the defaults.

    Raises:
        UnsupportedFormatError: unknown content, or an animated PNG.
        LimitExceededError: a canvas or frame over the limits, or more than 10000 frames.
        DecodeError: malformed or truncated structure.
    """
    from ._image import _bytes_argument

    pointer, length = _bytes_argument(data)
    table = _native.functions()
    info = _abi.PixbridgeAnimationInfo()
    _native.check(table.animation_info(pointer, length, _limits_argument(limits), ctypes.byref(info)))
    delays = (ctypes.c_uint32 * info.frame_count)()
    count = ctypes.c_size_t()
    _native.check(
        table.animation_frame_delays(
            pointer, length, _limits_argument(limits), delays, info.frame_count, ctypes.byref(count)
        )
    )
    return AnimationInfo(
        frame_count=info.frame_count,
        width=info.width,
        height=info.height,
        loop_count=info.loop_count,
        delays_ms=tuple(delays[: count.value]),
    )
