"""Reading an image's colour profile state and metadata: EXIF fields, raw blocks, PNG text."""

import ctypes
import datetime
import math
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple

from . import _native
from ._abi import PixbridgeExifNumbers
from ._enums import ColorProfile, ErrorCode, ExifText, MetadataBlock
from ._errors import error_for

_DATE_FORMAT = "%Y:%m:%d %H:%M:%S"


@dataclass(frozen=True)
class ExifData:
    """The EXIF fields Pixbridge reads (:attr:`Image.exif`), in their usual units.

    A field is None where the file does not have it. ``orientation`` is as stored (1-8): decoding
    has already applied it to the pixels. ``date_taken_text`` is ``DateTimeOriginal`` as written
    (``"YYYY:MM:DD HH:MM:SS"``), ``date_taken`` the same parsed (a naive datetime: camera local
    time; None if it is not in that form). ``exposure_time`` is in seconds, ``focal_length`` in
    millimetres, ``latitude``/``longitude`` in degrees (positive north/east), ``altitude`` in
    metres (negative below sea level).
    """

    orientation: Optional[int] = None
    make: Optional[str] = None
    model: Optional[str] = None
    lens_model: Optional[str] = None
    date_taken_text: Optional[str] = None
    software: Optional[str] = None
    artist: Optional[str] = None
    copyright: Optional[str] = None
    exposure_time: Optional[float] = None
    f_number: Optional[float] = None
    iso: Optional[int] = None
    focal_length: Optional[float] = None
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    altitude: Optional[float] = None

    @property
    def date_taken(self) -> Optional[datetime.datetime]:
        """:attr:`date_taken_text` as a naive :class:`datetime.datetime`, or None."""
        if self.date_taken_text is None:
            return None
        try:
            return datetime.datetime.strptime(self.date_taken_text, _DATE_FORMAT)
        except ValueError:
            return None


def _text(call: Callable[[Any, int, Any], int]) -> str:
    """The C ABI's length-query protocol: ask for the length, then read the text."""
    length = ctypes.c_size_t(0)
    code = call(None, 0, ctypes.byref(length))
    if code not in (0, ErrorCode.BUFFER_TOO_SMALL):
        raise error_for(code, _native.last_error_message())
    buffer = ctypes.create_string_buffer(length.value + 1)
    _native.check(call(buffer, len(buffer), ctypes.byref(length)))
    return buffer.raw[: length.value].decode("utf-8", errors="replace")


def color_profile(handle: int) -> ColorProfile:
    out = ctypes.c_uint32()
    _native.check(_native.functions().image_color_profile(handle, ctypes.byref(out)))
    return ColorProfile(out.value)


def block(handle: int, code: int) -> Optional[bytes]:
    out = ctypes.c_uint64()
    _native.check(_native.functions().image_metadata(handle, code, ctypes.byref(out)))
    return _native.take_buffer(out.value) or None


def _real(value: float) -> Optional[float]:
    return None if math.isnan(value) else float(value)


def exif(handle: int) -> Optional[ExifData]:
    if block(handle, MetadataBlock.EXIF) is None:
        return None
    table = _native.functions()
    numbers = PixbridgeExifNumbers()
    _native.check(table.image_exif_numbers(handle, ctypes.byref(numbers)))

    def text(field: ExifText) -> Optional[str]:
        value = _text(lambda buf, size, out: int(table.image_exif_text(handle, field, buf, size, out)))
        return value or None

    return ExifData(
        orientation=numbers.orientation or None,
        make=text(ExifText.MAKE),
        model=text(ExifText.MODEL),
        lens_model=text(ExifText.LENS_MODEL),
        date_taken_text=text(ExifText.DATE_TAKEN),
        software=text(ExifText.SOFTWARE),
        artist=text(ExifText.ARTIST),
        copyright=text(ExifText.COPYRIGHT),
        exposure_time=_real(numbers.exposure_time),
        f_number=_real(numbers.f_number),
        iso=numbers.iso or None,
        focal_length=_real(numbers.focal_length),
        latitude=_real(numbers.latitude),
        longitude=_real(numbers.longitude),
        altitude=_real(numbers.altitude),
    )


def text_entries(handle: int) -> List[Tuple[str, str]]:
    table = _native.functions()
    count = ctypes.c_uint32()
    _native.check(table.image_text_count(handle, ctypes.byref(count)))

    def part(index: int, which: int) -> str:
        return _text(lambda buf, size, out: int(table.image_text_entry(handle, index, which, buf, size, out)))

    return [(part(index, 0), part(index, 1)) for index in range(count.value)]
