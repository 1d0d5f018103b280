"""Decode, encode and thumbnail options: immutable dataclasses that mirror the C structs."""

from dataclasses import dataclass, field
from typing import Optional, Union

from . import _abi
from ._arguments import enum_member, optional_level, u32
from ._enums import ChromaSubsampling
from ._errors import InvalidArgumentError

_U64_MAX = 2**64 - 1


@dataclass(frozen=True)
class DecodeLimits:
    """Decode limits, checked against the image header before any large allocation.

    The defaults are 32768 x 32768 pixels and 512 MiB of decoded pixels; an image over a limit
    fails with ``LimitExceededError``.
    """

    #: Largest accepted width in pixels.
    max_width: int = 32768
    #: Largest accepted height in pixels.
    max_height: int = 32768
    #: Largest accepted size of the decoded pixels in bytes.
    max_decoded_bytes: int = 512 * 1024 * 1024

    def _to_c(self) -> _abi.PixbridgeDecodeLimits:
        if not 0 <= self.max_decoded_bytes <= _U64_MAX:
            raise InvalidArgumentError(f"max_decoded_bytes must be in 0..={_U64_MAX}, got {self.max_decoded_bytes}")
        return _abi.PixbridgeDecodeLimits(
            u32(self.max_width, "max_width"), u32(self.max_height, "max_height"), self.max_decoded_bytes
        )


@dataclass(frozen=True)
class DecodeOptions:
    """Options of :meth:`Image.open` and :meth:`Image.decode` (C ``PixbridgeDecodeOptions``).

    ``min_width``/``min_height``: the smallest size needed in upright pixels; a JPEG is then
    decoded at the smallest of 1/2, 1/4 or 1/8 scale that still covers it (0 and 0: full size).
    ``deferred``: a JPEG's header is read now, its pixels computed by the first call that reads
    them; the operations documented as "Deferred on a deferred image" are recorded, not run.
    ``lenient``: data truncated or corrupt after a valid header gives the partial image (see
    :attr:`Image.decode_warning`) instead of ``DecodeError``; cannot be combined with ``deferred``.
    ``keep_profile``: keep the pixels as stored and the file's ICC profile attached
    (:attr:`Image.color_profile` is ``EMBEDDED``; a save writes the profile back) instead of
    converting them to sRGB, the default.
    """

    limits: DecodeLimits = field(default_factory=DecodeLimits)
    min_width: int = 0
    min_height: int = 0
    deferred: bool = False
    lenient: bool = False
    keep_profile: bool = False

    def _to_c(self) -> _abi.PixbridgeDecodeOptions:
        return _abi.PixbridgeDecodeOptions(
            self.limits._to_c(),
            u32(self.min_width, "min_width"),
            u32(self.min_height, "min_height"),
            1 if self.deferred else 0,
            1 if self.lenient else 0,
            1 if self.keep_profile else 0,
        )


@dataclass(frozen=True)
class EncodeOptions:
    """Options of :meth:`Image.save` and :meth:`Image.encode` (C ``PixbridgeEncodeOptions``).

    Each format reads the fields that apply to it. ``quality``: JPEG quality 1-100 (None: 90).
    ``subsampling``: JPEG chroma subsampling. ``progressive``: a progressive JPEG.
    ``optimize_huffman``: optimal Huffman tables for a baseline JPEG. ``png_compression``: PNG
    level 1 (fastest) to 9 (smallest), None for the default (1). ``webp_quality``: 1-100 writes
    lossy WebP at that quality (alpha kept), None (the default) lossless WebP. ``avif_quality``:
    AVIF quality 1-100 (None: 80). ``avif_speed``: AVIF encoder speed 1 (slowest, smallest) to 10
    (fastest), None for the default (6). ``strip_metadata``: leave out the metadata (EXIF, XMP,
    ICC profile) a save otherwise keeps where the format can carry it.

    Example::

        image.save("out.webp", options=EncodeOptions(webp_quality=75))
        image.save("out.avif", options=EncodeOptions(avif_quality=60, avif_speed=8))
    """

    quality: Optional[int] = None
    subsampling: Union[ChromaSubsampling, str] = ChromaSubsampling.YUV420
    progressive: bool = False
    optimize_huffman: bool = False
    png_compression: Optional[int] = None
    webp_quality: Optional[int] = None
    avif_quality: Optional[int] = None
    avif_speed: Optional[int] = None
    strip_metadata: bool = False

    def _to_c(self) -> _abi.PixbridgeEncodeOptions:
        return _abi.PixbridgeEncodeOptions(
            optional_level(self.quality, "quality"),
            int(enum_member(ChromaSubsampling, self.subsampling, "subsampling")),
            1 if self.progressive else 0,
            1 if self.optimize_huffman else 0,
            optional_level(self.png_compression, "png_compression"),
            optional_level(self.webp_quality, "webp_quality"),
            optional_level(self.avif_quality, "avif_quality"),
            optional_level(self.avif_speed, "avif_speed"),
            1 if self.strip_metadata else 0,
        )


@dataclass(frozen=True)
class ThumbnailOptions:
    """Options of :meth:`Image.thumbnail`: decode limits of the source, whether to enlarge, and
    whether to keep the source's metadata."""

    limits: DecodeLimits = field(default_factory=DecodeLimits)
    #: True lets a source smaller than the box be enlarged; False (the default) never enlarges.
    allow_upscale: bool = False
    #: True keeps the source's metadata (EXIF, XMP, PNG text) on the thumbnail, so that a save
    #: writes it; False (the default) strips it. Colours are converted to sRGB either way.
    keep_metadata: bool = False

    def _to_c(self) -> _abi.PixbridgeThumbnailOptions:
        return _abi.PixbridgeThumbnailOptions(
            self.limits._to_c(), 1 if self.allow_upscale else 0, 1 if self.keep_metadata else 0
        )
