"""``pixbridge.Image``: the hand-written Pythonic layer over the native image handle.

Lifetime: an ``Image`` owns its native image through a small owner object. ``close()`` (or the
end of a ``with`` block, or garbage collection) drops the image's reference to it; the native
image is destroyed when the last reference goes. A numpy view of the pixels
(``numpy.asarray(image)``, :meth:`Image.view`) holds one too, so closing an image while a view
exists *defers* the free until the last view is gone: the view never reads freed memory.
A native call running on another thread holds one for its duration in the same way.
Long calls take a keyword-only ``control`` (a :class:`~pixbridge.Control`) that cancels them from
any thread and reports their progress; a cancelled call raises
:class:`~pixbridge.CancelledError`, produces nothing, leaves this image unchanged and writes no file.
Every method of a closed image raises :class:`~pixbridge.InvalidHandleError` (code
``INVALID_HANDLE``; also a ``ValueError``, like a closed file's methods).
"""

import ctypes
import os
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

from . import _control, _metadata, _native, _pixel_data, _plugins
from ._abi import PixbridgeImageInfo
from ._arguments import enum_code, optional_level, u32
from ._control import Control
from ._enums import ColorProfile, ColorType, ImageFormat, MetadataBlock, PixelFormat, PluginOperationKind, ThumbnailFit
from ._errors import InvalidArgumentError, InvalidHandleError, PixbridgeError, UnsupportedFormatError
from ._metadata import ExifData
from ._operations import ImageOperations
from ._options import DecodeLimits, DecodeOptions, EncodeOptions, ThumbnailOptions
from ._plugins import PluginValue

if TYPE_CHECKING:
    import numpy
    import numpy.typing

#: A file path: ``str``, ``bytes`` or ``os.PathLike``.
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
#: Bytes of an encoded file or of pixels: ``bytes``, ``bytearray``, ``memoryview`` or any
#: C-contiguous buffer.
BytesLike = Union[bytes, bytearray, memoryview]

# `format` of pixbridge_image_save_with meaning "from the path's extension".
_FORMAT_FROM_EXTENSION = 0xFFFF_FFFF
_FORMAT_ALIASES = {"jpg": ImageFormat.JPEG, "tif": ImageFormat.TIFF}
# The formats with a quality setting, and the encode option that holds it.
_QUALITY_FORMATS: Dict[int, str] = {
    ImageFormat.JPEG: "quality",
    ImageFormat.WEBP: "webp_quality",
    ImageFormat.AVIF: "avif_quality",
}


class _NativeImage:
    """Owns one native image handle; destroys it when the last reference to this object goes."""

    __slots__ = ("handle", "_destroy")

    def __init__(self, handle: int, destroy: Any) -> None:
        self.handle = handle
        # Kept here so that destruction works during interpreter shutdown too.
        self._destroy = destroy

    def __del__(self) -> None:
        handle, self.handle = self.handle, 0
        if handle:
            try:
                self._destroy(handle)
            except Exception:  # noqa: BLE001 - a finaliser must not raise
                pass


class _PixelView:
    """What a zero-copy numpy array is based on: the pixels' address, and the owner that keeps them."""

    def __init__(self, owner: _NativeImage, address: int, width: int, height: int) -> None:
        self.owner = owner
        self.__array_interface__: Dict[str, Any] = {
            "version": 3,
            "shape": (height, width, 4),
            "typestr": "|u1",
            # Read-only: the native contract forbids writing through this pointer.
            "data": (address, True),
            "strides": None,
        }


def _path_bytes(path: PathLike) -> bytes:
    """A path as the UTF-8 bytes the C ABI takes (``os.fsencode``: undecodable names round-trip)."""
    return os.fsencode(os.fspath(path))


def _bytes_argument(data: Any) -> Tuple[Any, int]:
    """(pointer argument, length) of a bytes-like object, without a copy when it is bytes or writable."""
    if isinstance(data, bytes):
        return data, len(data)
    if isinstance(data, str):
        raise TypeError("expected a bytes-like object, not str (a path? use Image.open)")
    view = memoryview(data)
    if not view.c_contiguous:
        view = memoryview(view.tobytes())
    view = view.cast("B")
    if view.nbytes == 0:
        return b"", 0
    if view.readonly:
        copy = view.tobytes()
        return copy, len(copy)
    return (ctypes.c_char * view.nbytes).from_buffer(view), view.nbytes


def _format_code(image_format: Union[ImageFormat, str]) -> int:
    """The number of an ``ImageFormat``, or of a format name (``"png"``, ``"JPEG"``, ``"jpg"``)."""
    if isinstance(image_format, str) and image_format.lower() in _FORMAT_ALIASES:
        return int(_FORMAT_ALIASES[image_format.lower()])
    try:
        return enum_code(ImageFormat, image_format, "format")
    except InvalidArgumentError as error:
        raise UnsupportedFormatError(str(error)) from None


def _refuse_quality(code: int, quality: Optional[int]) -> None:
    """Refuses a quality for a format without one, as the uncontrolled functions with a quality argument do.

    The ``_controlled`` functions take encode options, where formats without a quality ignore it.
    """
    if quality is not None and code not in _QUALITY_FORMATS:
        raise InvalidArgumentError(
            f"quality {quality} was given but {ImageFormat(code).name} has no quality setting "
            "(only JPEG, WebP and AVIF have)"
        )


def _check_options(options: Any, cls: type, name: str) -> None:
    if options is not None and not isinstance(options, cls):
        raise TypeError(f"{name} must be a {cls.__name__} or None, not {type(options).__name__}")


class Image(ImageOperations):
    """An RGBA8 image held by the native library.

    Create one with :meth:`open`, :meth:`decode`, :meth:`from_array`, :meth:`from_pixels` or
    :meth:`thumbnail`; the operations (``blur``, ``mirror``, ...) are generated from the
    library's operation table. Close it with :meth:`close` or a ``with`` block.
    ``numpy.asarray(image)`` is a read-only H x W x 4 ``uint8`` view of the native pixels (no
    copy) that keeps them alive; :meth:`to_array` copies. Operations of plugins loaded with
    :meth:`Plugin.load <pixbridge.Plugin.load>` are called by name: :meth:`apply` (a new image),
    :meth:`apply_in_place`.
    """

    __slots__ = ("_owner", "__weakref__")

    _owner: Optional[_NativeImage]

    def __init__(self) -> None:
        raise TypeError(
            "Image cannot be created directly; use Image.open, Image.decode, Image.from_array,"
            " Image.from_pixels or Image.thumbnail"
        )

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def _adopt(cls, handle: int) -> "Image":
        image = cls.__new__(cls)
        image._owner = _NativeImage(handle, _native.functions().image_destroy)
        return image

    @classmethod
    def _create(cls, field: str, *args: Any) -> "Image":
        out = ctypes.c_uint64()
        _native.check(getattr(_native.functions(), field)(*args, ctypes.byref(out)))
        return cls._adopt(out.value)

    @classmethod
    def _create_controlled(cls, field: str, control: Control, *args: Any) -> "Image":
        out = ctypes.c_uint64()
        _control.call(control, field, *args, out=out, discard="image_destroy")
        return cls._adopt(out.value)

    @classmethod
    def open(
        cls, path: PathLike, options: Optional[DecodeOptions] = None, *, control: Optional[Control] = None
    ) -> "Image":
        """Opens an image file; the format comes from the content, not the extension.

        Args:
            path: the file (``str``, ``bytes`` or ``os.PathLike``).
            options: decode options (limits, minimum size, deferred, lenient); None for the defaults.
            control: a :class:`Control` to cancel the decode from any thread (the call then raises
                ``CancelledError`` and makes no image) and to be told its progress; None for none.

        Raises:
            NotFoundError: the file does not exist (also a ``FileNotFoundError``).
            UnsupportedFormatError, DecodeError, LimitExceededError: unknown, damaged or too large.
            CancelledError: ``control`` was cancelled before the image was decoded.
        """
        _check_options(options, DecodeOptions, "options")
        encoded = _path_bytes(path)
        native_options = None if options is None else ctypes.byref(options._to_c())
        if control is not None:
            return cls._create_controlled("image_open_controlled", control, encoded, len(encoded), native_options)
        return cls._create("image_open_with", encoded, len(encoded), native_options)

    @classmethod
    def decode(
        cls, data: BytesLike, options: Optional[DecodeOptions] = None, *, control: Optional[Control] = None
    ) -> "Image":
        """Decodes an encoded image held in memory (``bytes``, ``bytearray``, ``memoryview``, ...).

        Args:
            data: the encoded file.
            options: decode options (limits, minimum size, deferred, lenient); None for the defaults.
            control: a :class:`Control` to cancel the decode from any thread (the call then raises
                ``CancelledError`` and makes no image) and to be told its progress; None for none.

        Raises:
            UnsupportedFormatError, DecodeError, LimitExceededError: unknown, damaged or too large.
            CancelledError: ``control`` was cancelled before the image was decoded.
        """
        _check_options(options, DecodeOptions, "options")
        pointer, length = _bytes_argument(data)
        native_options = None if options is None else ctypes.byref(options._to_c())
        if control is not None:
            return cls._create_controlled("image_decode_controlled", control, pointer, length, native_options)
        return cls._create("image_decode_with", pointer, length, native_options)

    @classmethod
    def decode_frame(cls, data: BytesLike, index: int, limits: Optional[DecodeLimits] = None) -> "Image":
        """Decodes frame ``index`` (from 0) of an animated GIF or WebP: the full canvas as shown then.

        Frames 0 to ``index`` are decoded one after another (its time grows with ``index``);
        index 0 of a still image is what :meth:`decode` gives. See
        :func:`pixbridge.animation_info` for the frame count and delays.

        Raises:
            InvalidArgumentError: ``index`` is not below the frame count (the message names it).
            UnsupportedFormatError, DecodeError, LimitExceededError: as :meth:`decode`.
        """
        from ._animation import _limits_argument

        pointer, length = _bytes_argument(data)
        return cls._create("image_decode_frame", pointer, length, u32(index, "index"), _limits_argument(limits))

    @classmethod
    def from_pixels(cls, width: int, height: int, rgba: BytesLike) -> "Image":
        """An image from ``width * height * 4`` bytes of tightly packed RGBA8 pixels (copied).

        Raises:
            InvalidArgumentError: the length does not match, a size is zero or over the default
                decode limits (32768 per side, 512 MiB).
        """
        pointer, length = _bytes_argument(rgba)
        return cls._create("image_from_pixels", u32(width, "width"), u32(height, "height"), pointer, length)

    @classmethod
    def from_pixel_data(
        cls,
        data: BytesLike,
        width: int,
        height: int,
        format: Union[PixelFormat, str, int],
        stride: int = 0,
    ) -> "Image":
        """An image from pixels in another library's layout (``PixelFormat``: BGRA, premultiplied, RGB, grey, ...).

        ``data`` is any C-contiguous buffer (``bytes``, ``bytearray``, ``memoryview``, a numpy
        ``uint8`` array) holding at least ``stride * (height - 1) + width * bytes_per_pixel``
        bytes; ``stride`` is the distance in bytes between two rows (0 = tightly packed). Pixels
        are converted once in native code (premultiplied alpha is unpremultiplied exactly, ``X``
        bytes are ignored). The colour type is ``L8`` for ``GRAY8``, ``RGBA8`` for layouts with
        alpha, ``RGB8`` for the others. A non-contiguous buffer is made contiguous first (then
        pass ``stride=0``).

        Raises:
            InvalidArgumentError: an unknown format, a zero or too large size, a stride smaller
                than a row, or too little data (the message gives the numbers).
        """
        code = enum_code(PixelFormat, format, "format")
        pointer, length = _bytes_argument(data)
        return cls._create(
            "image_from_pixel_data",
            pointer,
            length,
            u32(width, "width"),
            u32(height, "height"),
            code,
            u32(stride, "stride"),
        )

    @classmethod
    def from_array(cls, array: "numpy.typing.ArrayLike") -> "Image":
        """An image from a numpy array of shape (height, width, 4) and dtype ``uint8`` (RGBA, copied).

        Only that shape is accepted: an H x W x 3 (RGB) or H x W (grey) array raises
        ``InvalidArgumentError`` rather than guessing an alpha or a channel layout; add the alpha
        channel first (``numpy.dstack([rgb, numpy.full(rgb.shape[:2], 255, numpy.uint8)])``).
        Non-contiguous arrays (slices, transposes) are copied to a contiguous one first.

        Raises:
            TypeError: the dtype is not ``uint8``.
            InvalidArgumentError: the shape is not (H, W, 4), or a size is zero or too large.
        """
        import numpy as np

        pixels = np.asarray(array)
        if pixels.dtype != np.uint8:
            raise TypeError(f"from_array needs dtype uint8, got {pixels.dtype}")
        if pixels.ndim != 3 or pixels.shape[2] != 4:
            raise InvalidArgumentError(
                f"from_array needs an array of shape (height, width, 4) (RGBA8), got {pixels.shape}"
            )
        pixels = np.ascontiguousarray(pixels)
        height, width = pixels.shape[0], pixels.shape[1]
        return cls._create(
            "image_from_pixels", u32(width, "width"), u32(height, "height"), pixels.ctypes.data, pixels.nbytes
        )

    @classmethod
    def thumbnail(
        cls,
        source: Union[PathLike, BytesLike],
        width: int,
        height: int,
        fit: Union[ThumbnailFit, str] = ThumbnailFit.CONTAIN,
        options: Optional[ThumbnailOptions] = None,
        *,
        control: Optional[Control] = None,
    ) -> "Image":
        """A thumbnail of an image file or of encoded bytes, fitted into ``width`` x ``height``.

        EXIF orientation is applied first; a JPEG is decoded at 1/2, 1/4 or 1/8 scale when the
        box is small, never at full size. The image is never enlarged unless
        ``options.allow_upscale``.

        Args:
            source: a path (``str``, ``os.PathLike``) or the encoded file (``bytes``,
                ``bytearray``, ``memoryview``).
            width: width of the box in pixels.
            height: height of the box in pixels.
            fit: ``ThumbnailFit.CONTAIN`` (whole image inside the box), ``COVER`` (box filled,
                centre crop) or ``FILL`` (stretched), or their names.
            options: decode limits and ``allow_upscale``; None for the defaults.
            control: a :class:`Control` to cancel the work (decode and resize) from any thread
                (the call then raises ``CancelledError`` and makes no image) and to be told its
                progress; None for none.

        Raises:
            NotFoundError: the file does not exist (also a ``FileNotFoundError``).
            UnsupportedFormatError, DecodeError, LimitExceededError: unknown, damaged or too large.
            InvalidArgumentError: an empty box or an unknown fit.
            CancelledError: ``control`` was cancelled before the thumbnail was made.
        """
        _check_options(options, ThumbnailOptions, "options")
        box = (u32(width, "width"), u32(height, "height"), enum_code(ThumbnailFit, fit, "fit"))
        native_options = None if options is None else ctypes.byref(options._to_c())
        if isinstance(source, (bytes, bytearray, memoryview)):
            pointer, length = _bytes_argument(source)
            arguments: Tuple[Any, ...] = (pointer, length, *box, native_options)
            field = "image_thumbnail"
        else:
            encoded = _path_bytes(source)
            arguments = (encoded, len(encoded), *box, native_options)
            field = "image_thumbnail_file"
        if control is not None:
            return cls._create_controlled(f"{field}_controlled", control, *arguments)
        return cls._create(field, *arguments)

    # -- lifetime ---------------------------------------------------------------------------

    def _require_open(self) -> _NativeImage:
        owner: Optional[_NativeImage] = getattr(self, "_owner", None)
        if owner is None:
            raise InvalidHandleError("the image is closed")
        return owner

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return getattr(self, "_owner", None) is None

    def close(self) -> None:
        """Releases the native image; calling it again does nothing.

        The memory is freed at once unless a numpy view of the pixels still exists (then when
        the last view goes) or another thread is inside a call on this image (then when it ends).
        """
        self._owner = None

    def __enter__(self) -> "Image":
        self._require_open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<pixbridge.Image (closed)>"
        info = self._info()
        return f"<pixbridge.Image {info.width}x{info.height} {_color_type(info.color_type).name}>"

    # -- hooks of the generated operations ----------------------------------------------------

    # A given control selects the table's `<field>_controlled` function, which takes the control's
    # handle after the operation's parameters (and before the out-handle).

    def _call_fresh(self, field: str, *args: object, control: Optional[Control] = None) -> "Image":
        owner = self._require_open()
        if control is not None:
            return self._create_controlled(f"{field}_controlled", control, owner.handle, *args)
        return self._create(field, owner.handle, *args)

    def _call_in_place(self, field: str, *args: object, control: Optional[Control] = None) -> None:
        owner = self._require_open()
        if control is not None:
            _control.call(control, f"{field}_controlled", owner.handle, *args)
            return
        _native.check(getattr(_native.functions(), field)(owner.handle, *args))

    # -- plugin operations ------------------------------------------------------------------

    def _apply_plugin(self, operation: str, kind: PluginOperationKind, arguments: Dict[str, PluginValue]) -> int:
        """Calls ``pixbridge_plugin_apply``; returns what it wrote to ``out_image`` (0: in place)."""
        owner = self._require_open()
        name, values, count = _plugins.native_arguments(operation, kind, arguments)
        out = ctypes.c_uint64()
        _native.check(
            _native.functions().plugin_apply(name, len(name), owner.handle, values, count, ctypes.byref(out))
        )
        return out.value

    def apply(self, operation: str, /, **arguments: PluginValue) -> "Image":
        """Applies a plugin operation that returns a new image (see :class:`~pixbridge.Plugin`).

        Arguments are given by the parameter names of the operation's description
        (``image.apply("vignette", strength=0.8)``); a missing one takes its default; a bool is
        sent as 0 or 1. The library checks each value's type and range before the plugin runs.

        Args:
            operation: the operation's name, as a loaded plugin describes it.
            arguments: the operation's parameters by name.

        Returns:
            The new image, which the caller closes (or uses in a ``with`` block); this image is
            unchanged. It stays valid after the plugin is closed.

        Raises:
            InvalidArgumentError: no loaded plugin has the operation; it changes the image in
                place (use :meth:`apply_in_place`); an argument name is unknown (the message lists
                the valid ones), or a value is of the wrong type or out of range.
            PluginFailedError: the plugin reported a failure (its message is in the error's).
            InvalidHandleError: this image is closed.
            TypeError: an argument is not a number or a bool.
        """
        made = self._apply_plugin(operation, PluginOperationKind.FRESH, arguments)
        if not made:
            # Only for an operation of a plugin loaded without this package (the registry knows
            # every other one's kind and refuses the wrong method before the call).
            raise _plugins.wrong_kind(operation, PluginOperationKind.IN_PLACE)
        return self._adopt(made)

    def apply_in_place(self, operation: str, /, **arguments: PluginValue) -> None:
        """Applies a plugin operation that changes this image (see :class:`~pixbridge.Plugin`).

        Arguments are given by the parameter names of the operation's description
        (``image.apply_in_place("posterize", levels=3)``); a missing one takes its default; a
        bool is sent as 0 or 1. The library checks each value's type and range before the plugin
        runs.

        Args:
            operation: the operation's name, as a loaded plugin describes it.
            arguments: the operation's parameters by name.

        Raises:
            InvalidArgumentError: no loaded plugin has the operation; it returns a new image (use
                :meth:`apply`); an argument name is unknown (the message lists the valid ones), or
                a value is of the wrong type or out of range.
            PluginFailedError: the plugin reported a failure (its message is in the error's); the
                plugin may have changed part of the image.
            InvalidHandleError: this image is closed.
            TypeError: an argument is not a number or a bool.
        """
        made = self._apply_plugin(operation, PluginOperationKind.IN_PLACE, arguments)
        if made:
            # Only for an operation of a plugin loaded without this package: its new image is
            # freed at once.
            self._adopt(made).close()
            raise _plugins.wrong_kind(operation, PluginOperationKind.FRESH)

    # -- properties -------------------------------------------------------------------------

    def _info(self) -> PixbridgeImageInfo:
        owner = self._require_open()
        info = PixbridgeImageInfo()
        _native.check(_native.functions().image_info(owner.handle, ctypes.byref(info)))
        return info

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self._info().width)

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self._info().height)

    @property
    def size(self) -> Tuple[int, int]:
        """(width, height) in pixels."""
        info = self._info()
        return int(info.width), int(info.height)

    @property
    def color_type(self) -> ColorType:
        """The colour type the image was decoded from (the pixels are always RGBA8)."""
        return _color_type(self._info().color_type)

    @property
    def decode_warning(self) -> Optional[str]:
        """What was wrong with the data of an image a lenient decode returned partial, else None."""
        owner = self._require_open()
        out = ctypes.c_uint64()
        _native.check(_native.functions().image_decode_warning(owner.handle, ctypes.byref(out)))
        text = _native.take_buffer(out.value).decode("utf-8", errors="replace")
        return text or None

    # -- colour profile and metadata (see _metadata.py) -------------------------------------

    @property
    def color_profile(self) -> ColorProfile:
        """What the pixels are encoded in: ``NONE`` (no ICC profile; taken as sRGB), ``SRGB``
        (converted on decode, the default, or the profile was sRGB) or ``EMBEDDED`` (decoded with
        ``DecodeOptions(keep_profile=True)``: as stored, in the profile ``metadata("icc")`` returns).
        Reading it decodes a deferred image."""
        owner = self._require_open()  # held for the duration of the native calls
        return _metadata.color_profile(owner.handle)

    def metadata(self, block: Union[MetadataBlock, str, int]) -> Optional[bytes]:
        """A raw metadata block of the file the image was decoded from, or None if it has none.

        Args:
            block: ``MetadataBlock.EXIF`` (a TIFF structure, without JPEG's ``Exif`` prefix),
                ``XMP`` (the UTF-8 packet) or ``ICC`` (the profile as stored, also when the pixels
                were converted to sRGB), or its name.

        Raises:
            InvalidArgumentError: ``block`` is not a ``MetadataBlock``.
        """
        code = enum_code(MetadataBlock, block, "block")
        owner = self._require_open()
        return _metadata.block(owner.handle, code)

    @property
    def exif(self) -> Optional[ExifData]:
        """The EXIF fields of the file the image was decoded from, or None without EXIF.
        Thumbnails (unless ``ThumbnailOptions(keep_metadata=True)``) and images made from pixels
        have none."""
        owner = self._require_open()  # held for the duration of the native calls
        return _metadata.exif(owner.handle)

    @property
    def text_entries(self) -> List[Tuple[str, str]]:
        """The PNG text chunks (``tEXt``, ``zTXt``, ``iTXt``) as (keyword, text), in file order;
        empty for other formats."""
        owner = self._require_open()  # held for the duration of the native calls
        return _metadata.text_entries(owner.handle)

    # -- saving and encoding ----------------------------------------------------------------

    def save(
        self,
        path: PathLike,
        format: Union[ImageFormat, str, None] = None,
        *,
        quality: Optional[int] = None,
        options: Optional[EncodeOptions] = None,
        control: Optional[Control] = None,
    ) -> None:
        """Saves to a file, atomically (a failure never leaves a half-written file).

        Args:
            path: the file; its extension gives the format unless ``format`` is given.
            format: an ``ImageFormat`` or its name (``"png"``, ``"jpg"``), or None.
            quality: quality 1-100 for JPEG (None: 90), WebP (a quality makes it lossy; None:
                lossless) and AVIF (None: 80). With an explicit ``format`` other formats refuse a
                quality (as :meth:`encode` does); with the format from the extension it is an
                encode option, which formats without a quality ignore.
            options: all encode options; ``quality`` replaces the format's quality in them
                (``quality``, ``webp_quality`` or ``avif_quality``) when both are given.
            control: a :class:`Control` to cancel the encoding and writing from any thread (the
                call then raises ``CancelledError`` and writes no file: an existing file at
                ``path`` is left as it was) and to be told its progress; None for none.

        Raises:
            UnsupportedFormatError: no format for the extension, or an unknown format name.
            InvalidArgumentError: a quality out of range, or given with an explicit format that
                has none.
            NotFoundError, PermissionDeniedError, IoError: the file cannot be written.
            CancelledError: ``control`` was cancelled before the file was written.
        """
        _check_options(options, EncodeOptions, "options")
        owner = self._require_open()
        encoded = _path_bytes(path)
        table = _native.functions()
        if control is not None:
            code = _FORMAT_FROM_EXTENSION if format is None else _format_code(format)
            if options is None and format is not None:
                _refuse_quality(code, optional_level(quality, "quality") or None)
            merged = _merge_quality(options, quality, _quality_format(code, encoded))
            native_options = None if options is None and quality is None else merged._to_c()
            _control.call(
                control,
                "image_save_controlled",
                owner.handle,
                encoded,
                len(encoded),
                code,
                None if native_options is None else ctypes.byref(native_options),
            )
            return
        if options is None and quality is None and format is None:
            _native.check(table.image_save(owner.handle, encoded, len(encoded)))
            return
        if options is None and format is not None:
            native_quality = optional_level(quality, "quality")
            code = _format_code(format)
            _native.check(table.image_save_as(owner.handle, encoded, len(encoded), code, native_quality))
            return
        code = _FORMAT_FROM_EXTENSION if format is None else _format_code(format)
        merged = _merge_quality(options, quality, _quality_format(code, encoded))
        _native.check(table.image_save_with(owner.handle, encoded, len(encoded), code, ctypes.byref(merged._to_c())))

    def encode(
        self,
        format: Union[ImageFormat, str],
        quality: Optional[int] = None,
        *,
        options: Optional[EncodeOptions] = None,
        control: Optional[Control] = None,
    ) -> bytes:
        """The image encoded in ``format`` (an ``ImageFormat`` or its name: ``"png"``, ``"jpg"``).

        Args:
            format: the format.
            quality: quality 1-100 for JPEG (None: 90), WebP (a quality makes it lossy; None:
                lossless) and AVIF (None: 80); other formats refuse a quality.
            options: all encode options; ``quality`` replaces the format's quality in them
                (``quality``, ``webp_quality`` or ``avif_quality``) when both are given.
            control: a :class:`Control` to cancel the encoding from any thread (the call then
                raises ``CancelledError`` and returns nothing) and to be told its progress; None
                for none.

        Raises:
            UnsupportedFormatError: an unknown format name, or a format that cannot be written.
            InvalidArgumentError: a quality out of range, or given for a format that has none
                (without ``options``).
            CancelledError: ``control`` was cancelled before the encoding finished.
        """
        _check_options(options, EncodeOptions, "options")
        owner = self._require_open()
        code = _format_code(format)
        table = _native.functions()
        out = ctypes.c_uint64()
        if control is not None:
            if options is None:
                _refuse_quality(code, optional_level(quality, "quality") or None)
            merged = _merge_quality(options, quality, code)
            native_options = None if options is None and quality is None else merged._to_c()
            _control.call(
                control,
                "image_encode_controlled",
                owner.handle,
                code,
                None if native_options is None else ctypes.byref(native_options),
                out=out,
                discard="buffer_destroy",
            )
            return _native.take_buffer(out.value)
        if options is None:
            native_quality = optional_level(quality, "quality")
            _native.check(table.image_encode(owner.handle, code, native_quality, ctypes.byref(out)))
        else:
            merged = _merge_quality(options, quality, code)
            _native.check(table.image_encode_with(owner.handle, code, ctypes.byref(merged._to_c()), ctypes.byref(out)))
        return _native.take_buffer(out.value)

    # -- pixels -----------------------------------------------------------------------------

    def _pixel_view(self) -> _PixelView:
        owner = self._require_open()
        table = _native.functions()
        data = ctypes.c_void_p()
        length = ctypes.c_size_t()
        _native.check(table.image_pixels(owner.handle, ctypes.byref(data), ctypes.byref(length)))
        info = self._info()
        if length.value != info.width * info.height * 4 or not data.value:
            raise PixbridgeError(f"the library returned {length.value} pixel bytes for {info.width}x{info.height}")
        return _PixelView(owner, data.value, int(info.width), int(info.height))

    def view(self) -> "numpy.typing.NDArray[numpy.uint8]":
        """A read-only (height, width, 4) ``uint8`` numpy array over the native pixels, without a copy.

        Same as ``numpy.asarray(image)``. The view keeps the native pixels alive after
        :meth:`close`; in-place operations on this image show through it.
        """
        import numpy as np

        return np.asarray(self._pixel_view())

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> "numpy.typing.NDArray[Any]":
        """numpy's conversion: a zero-copy view (see :meth:`view`), or a copy when ``copy=True``."""
        import numpy as np

        pixels = self.to_array() if copy else self.view()
        if dtype is not None and np.dtype(dtype) != np.uint8:
            if copy is False:
                raise ValueError(f"the pixels are uint8; a {np.dtype(dtype)} array needs a copy")
            pixels = pixels.astype(dtype)
        return pixels

    def to_array(self) -> "numpy.typing.NDArray[numpy.uint8]":
        """A writable (height, width, 4) ``uint8`` numpy copy of the pixels."""
        import numpy as np

        owner = self._require_open()
        info = self._info()
        pixels = np.empty((info.height, info.width, 4), dtype=np.uint8)
        _native.check(_native.functions().image_copy_pixels(owner.handle, pixels.ctypes.data, pixels.nbytes))
        return pixels

    def copy_pixel_data(
        self, format: Union[PixelFormat, str, int], stride: int = 0
    ) -> bytes:
        """The pixels in another library's layout (``PixelFormat``), converted once in native code.

        Rows are ``stride`` bytes apart (0 = tightly packed); the padding of a larger stride is
        zero. Premultiplied layouts are premultiplied exactly, ``X`` bytes are 255, and ``GRAY8``
        is the Rec. 709 luma the encoders write. :meth:`copy_pixel_data_into` writes into a buffer
        of yours instead.

        Raises:
            InvalidArgumentError: an unknown format or a stride smaller than a row.
        """
        owner = self._require_open()
        info = self._info()
        return _pixel_data.copy_to_bytes(owner.handle, info.width, info.height, format, stride)

    def copy_pixel_data_into(
        self, into: Any, format: Union[PixelFormat, str, int], stride: int = 0
    ) -> None:
        """Writes the pixels into the writable, C-contiguous buffer ``into`` (a ``bytearray``, a
        numpy array, a ``memoryview`` of another library's bitmap) as :meth:`copy_pixel_data` would.

        Bytes between rows (the padding of a larger ``stride``) and after the last row are left
        untouched.

        Raises:
            TypeError: ``into`` is read-only or not C-contiguous.
            BufferTooSmallError: ``into`` holds less than ``stride * (height - 1) + width * bytes_per_pixel``.
            InvalidArgumentError: an unknown format or a stride smaller than a row.
        """
        _pixel_data.copy_into(self._require_open().handle, format, stride, into)

    def to_bytes(self) -> bytes:
        """A copy of the RGBA8 pixels, row-major, ``width * height * 4`` bytes."""
        owner = self._require_open()
        info = self._info()
        buffer = ctypes.create_string_buffer(info.width * info.height * 4)
        _native.check(_native.functions().image_copy_pixels(owner.handle, buffer, len(buffer)))
        return buffer.raw


def _quality_format(code: int, path: bytes) -> int:
    """The format whose quality a ``quality`` argument sets: ``code``, or for the format from the
    extension the format the extension names (JPEG's quality for an extension without one)."""
    if code != _FORMAT_FROM_EXTENSION:
        return code
    extension = os.path.splitext(path)[1][1:].lower()
    return {b"webp": ImageFormat.WEBP, b"avif": ImageFormat.AVIF}.get(extension, ImageFormat.JPEG)


def _merge_quality(options: Optional[EncodeOptions], quality: Optional[int], code: int) -> EncodeOptions:
    """``options`` (or the defaults) with ``quality`` in the field that the format ``code`` reads:
    ``webp_quality`` for WebP, ``avif_quality`` for AVIF, the JPEG ``quality`` otherwise."""
    merged = options if options is not None else EncodeOptions()
    if quality is not None:
        from dataclasses import replace

        merged = replace(merged, **{_QUALITY_FORMATS.get(code, "quality"): quality})
    return merged


def _color_type(code: int) -> ColorType:
    try:
        return ColorType(code)
    except ValueError:
        raise PixbridgeError(f"the library returned an unknown colour type {code}") from None


def live_handles() -> Tuple[int, int]:
    """Diagnostics: (live native images, live native buffers) in this process."""
    return _native.live_handles()


def live_controls() -> int:
    """Diagnostics: live native controls (:class:`~pixbridge.Control`) in this process."""
    return _native.live_controls()


def trim_native_memory() -> int:
    """Gives the freed image-sized blocks the library keeps for reuse back to the system; returns bytes."""
    return _native.trim_native_memory()


def set_worker_threads(threads: int) -> None:
    """Sets the number of native worker threads of this process.

    These are the threads that the parallel parts of blur, resize and JPEG decoding share, in
    addition to the threads that call Pixbridge. By default there is one per logical CPU; a
    process that already runs many workers of its own (several processes of a server, a thread
    pool) may want fewer, so that native work does not oversubscribe the cores.

    The pool starts, and its size is fixed, at the first call that works on images (opening,
    decoding, any operation, encoding, ...; not this function, :func:`worker_threads`,
    :func:`live_handles` or :func:`trim_native_memory`). Call it before that, at start-up.
    Afterwards the same count is accepted and any other raises. It takes precedence over the
    environment variable ``PIXBRIDGE_WORKER_THREADS``, which is read only if this was not called
    before the pool started. A process forked after the pool started keeps its size.

    :param threads: 1 to 1024, or 0 for one per logical CPU.
    :raises InvalidArgumentError: ``threads`` is above 1024, or the pool already runs with
        another number of threads (the message says how many).
    :raises ValueError: ``threads`` is negative.
    """
    _native.set_worker_threads(threads)


def worker_threads() -> int:
    """The number of native worker threads of this process.

    The number the pool runs with, or, before it has started, the number it will start with
    (:func:`set_worker_threads`, else ``PIXBRIDGE_WORKER_THREADS``, else one per logical CPU).
    Does not start the pool.
    """
    return _native.worker_threads()


__all__ = ["Image", "live_controls", "live_handles", "set_worker_threads", "trim_native_memory", "worker_threads"]
