"""Pixels in the layouts other libraries hold (:class:`~pixbridge.PixelFormat`).

:meth:`Image.from_pixel_data <pixbridge.Image.from_pixel_data>` and
:meth:`Image.copy_pixel_data <pixbridge.Image.copy_pixel_data>` call these; the conversion runs
once in native code, with the GIL released.
"""

import ctypes
from typing import Any, Tuple, Union

from . import _native
from ._arguments import enum_code, u32
from ._enums import PixelFormat
from ._errors import InvalidArgumentError

_THREE_BYTE_FORMATS = (PixelFormat.RGB8, PixelFormat.BGR8)


def bytes_per_pixel(pixel_format: Union[PixelFormat, str, int]) -> int:
    """Bytes per pixel of a layout: 4, 3 (``RGB8``, ``BGR8``) or 1 (``GRAY8``).

    Raises:
        InvalidArgumentError: an unknown format.
    """
    code = enum_code(PixelFormat, pixel_format, "format")
    if code == PixelFormat.GRAY8:
        return 1
    return 3 if code in _THREE_BYTE_FORMATS else 4


def pixel_data_len(width: int, height: int, pixel_format: Union[PixelFormat, str, int], stride: int = 0) -> int:
    """``stride * (height - 1) + width * bytes_per_pixel``: the bytes a buffer of these pixels needs.

    Raises:
        InvalidArgumentError: an unknown format, or a stride smaller than a row.
    """
    row = width * bytes_per_pixel(pixel_format)
    step = row if stride == 0 else stride
    if step < row:
        raise InvalidArgumentError(f"stride {stride} is less than a row of {width} pixels ({row} bytes)")
    return step * (height - 1) + row


def _writable_argument(buffer: Any) -> Tuple[Any, int]:
    """(pointer argument, length) of a writable, C-contiguous buffer, without a copy."""
    if isinstance(buffer, (bytes, str)):
        raise TypeError(
            f"into must be a writable buffer (bytearray, memoryview, numpy array), not {type(buffer).__name__}"
        )
    view = memoryview(buffer)
    if view.readonly:
        raise TypeError("into must be a writable buffer; this one is read-only")
    if not view.c_contiguous:
        raise TypeError("into must be C-contiguous (numpy.ascontiguousarray)")
    view = view.cast("B")
    if view.nbytes == 0:
        return None, 0
    return (ctypes.c_char * view.nbytes).from_buffer(view), view.nbytes


def copy_into(handle: int, pixel_format: Union[PixelFormat, str, int], stride: int, into: Any) -> None:
    """Copies the pixels of ``handle`` into the writable buffer ``into``."""
    code = enum_code(PixelFormat, pixel_format, "format")
    pointer, length = _writable_argument(into)
    _native.check(_native.functions().image_copy_pixel_data(handle, code, u32(stride, "stride"), pointer, length))


def copy_to_bytes(
    handle: int, width: int, height: int, pixel_format: Union[PixelFormat, str, int], stride: int
) -> bytes:
    """A new ``bytes`` of the pixels of ``handle`` (the padding of a larger ``stride`` is zero)."""
    code = enum_code(PixelFormat, pixel_format, "format")
    stride = u32(stride, "stride")
    buffer = ctypes.create_string_buffer(pixel_data_len(width, height, code, stride))
    _native.check(_native.functions().image_copy_pixel_data(handle, code, stride, buffer, len(buffer)))
    return buffer.raw
