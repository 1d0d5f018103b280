"""Exceptions: one class per error code, all PixbridgeError subclasses with .code.

The expected numbers and names are written here from ffi/include/pixbridge.h and
docs/operations.md, not read from the package.
"""

import pytest

import pixbridge
from conftest import data

# name -> (number, Python class name, extra built-in base) from the C header's PixbridgeErrorCode.
CODES = {
    "NullArgument": (1, "NullArgumentError", None),
    "InvalidHandle": (2, "InvalidHandleError", ValueError),
    "NotFound": (3, "NotFoundError", FileNotFoundError),
    "Io": (4, "IoError", OSError),
    "PermissionDenied": (5, "PermissionDeniedError", PermissionError),
    "UnsupportedFormat": (6, "UnsupportedFormatError", None),
    "Decode": (7, "DecodeError", None),
    "Encode": (8, "EncodeError", None),
    "InvalidArgument": (9, "InvalidArgumentError", ValueError),
    "LimitExceeded": (10, "LimitExceededError", None),
    "InvalidUtf8": (11, "InvalidUtf8Error", ValueError),
    "BufferTooSmall": (12, "BufferTooSmallError", None),
    "Panic": (13, "PanicError", None),
    # Deliberately no built-in base: asyncio.CancelledError is a BaseException with a meaning of
    # its own, concurrent.futures.CancelledError is for futures (bindings-python/README.md).
    "Cancelled": (14, "CancelledError", None),
    "PluginFailed": (15, "PluginFailedError", None),
    "PluginRejected": (16, "PluginRejectedError", None),
}


@pytest.mark.parametrize("name", sorted(CODES))
def test_one_class_per_code(name):
    number, class_name, builtin = CODES[name]
    cls = getattr(pixbridge, class_name)
    assert issubclass(cls, pixbridge.PixbridgeError)
    assert cls.code == number
    assert pixbridge.ErrorCode(number).native_name == name
    error = pixbridge.error_for(number, "message")
    assert type(error) is cls and error.code == number and str(error) == "message"
    if builtin is not None:
        assert isinstance(error, builtin)


def test_cancelled_error_is_an_exception_not_asyncio_s():
    import asyncio
    import concurrent.futures

    assert issubclass(pixbridge.CancelledError, Exception)
    assert not issubclass(pixbridge.CancelledError, (asyncio.CancelledError, concurrent.futures.CancelledError))


def test_every_code_but_ok_has_a_class():
    assert {code.native_name for code in pixbridge.ErrorCode} == set(CODES) | {"Ok"}
    assert pixbridge.ErrorCode.OK == 0


def test_unknown_code_gives_the_base_class():
    error = pixbridge.error_for(4242, "from the future")
    assert type(error) is pixbridge.PixbridgeError
    assert error.code == 4242
    assert "4242" in str(error)


def test_missing_file_is_not_found_with_the_native_message(tmp_path):
    missing = tmp_path / "does-not-exist.png"
    with pytest.raises(FileNotFoundError) as caught:
        pixbridge.Image.open(missing)
    assert isinstance(caught.value, pixbridge.NotFoundError)
    assert caught.value.code == 3
    assert caught.value.message and "does-not-exist" in str(caught.value)


def test_decode_error_and_unsupported_format():
    with pytest.raises(pixbridge.DecodeError) as caught:
        pixbridge.Image.open(data("truncated-64x48.png"))
    assert caught.value.code == 7
    with pytest.raises(pixbridge.UnsupportedFormatError) as unsupported:
        pixbridge.Image.decode(b"definitely not an image")
    assert unsupported.value.code == 6


def test_limits_exceeded():
    limits = pixbridge.DecodeLimits(max_width=10, max_height=10)
    with pytest.raises(pixbridge.LimitExceededError) as caught:
        pixbridge.Image.open(data("gradient-64x48.png"), pixbridge.DecodeOptions(limits=limits))
    assert caught.value.code == 10


def test_invalid_utf8_path():
    with pytest.raises(pixbridge.InvalidUtf8Error) as caught:
        pixbridge.Image.open(b"/tmp/\xff\xfe.png")
    assert caught.value.code == 11


def test_out_of_range_integers_are_invalid_argument_before_any_native_call(gradient):
    for call in (
        lambda: gradient.crop(-1, 0, 1, 1),
        lambda: gradient.crop(2**32, 0, 1, 1),
        lambda: gradient.adjust_brightness(2**31),
        lambda: gradient.resize(4, 4, "Bicubic"),
        lambda: gradient.encode("png", -1),
    ):
        with pytest.raises(pixbridge.InvalidArgumentError) as caught:
            call()
        assert caught.value.code == 9


def test_wrong_types_are_type_errors(gradient):
    for call in (
        lambda: gradient.blur("4"),
        lambda: gradient.crop(0.5, 0, 1, 1),
        lambda: gradient.adjust_brightness(True),
        lambda: gradient.resize(4, 4, 1.5),
        lambda: pixbridge.Image.decode("a path?"),
        lambda: pixbridge.Image.open(data("gradient-64x48.png"), options=pixbridge.EncodeOptions()),
    ):
        with pytest.raises(TypeError):
            call()


def test_unknown_format_name_is_unsupported_format(gradient):
    with pytest.raises(pixbridge.UnsupportedFormatError):
        gradient.encode("xyz")


def test_the_library_keeps_working_after_errors(gradient):
    for _ in range(50):
        with pytest.raises(pixbridge.InvalidArgumentError):
            gradient.blur(float("nan"))
    with gradient.blur(1.0) as blurred:
        assert blurred.size == (64, 48)
