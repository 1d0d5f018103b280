"""Loads the native library once, checks its function table, and turns error codes into exceptions."""

import ctypes
import os
import threading
from typing import Optional, Tuple

from . import _abi, _loader
from ._errors import PixbridgeError, error_for

_lock = threading.Lock()
_functions: Optional[_abi.PixbridgeFunctions] = None
_library: Optional[ctypes.CDLL] = None
_library_path: Optional[str] = None
_library_source: Optional[str] = None


def check_table(size: int, abi_version: int) -> None:
    """Refuses a function table of another size or ABI version than these bindings.

    ``size`` comes first so that a smaller (older) table is refused before any field past its end
    is read.

    Raises:
        LibraryNotFoundError: the library is from another version.
    """
    expected = ctypes.sizeof(_abi.PixbridgeFunctions)
    if size != expected:
        raise _loader.LibraryNotFoundError(
            f"the Pixbridge function table is {size} bytes but these bindings expect {expected}:"
            " the library and the bindings are from different versions"
        )
    if abi_version != _abi.ABI_VERSION:
        raise _loader.LibraryNotFoundError(
            f"the Pixbridge library's ABI version is {abi_version} but these bindings expect {_abi.ABI_VERSION}"
        )


def _load() -> _abi.PixbridgeFunctions:
    global _library, _library_path, _library_source
    package_dir = os.path.dirname(os.path.abspath(__file__))
    system, machine, libc = _loader.host()
    path, source = _loader.find_library(package_dir, system, machine, libc)
    try:
        # CDLL (not PyDLL): calls through its functions release the GIL.
        library = ctypes.CDLL(path)
    except OSError as error:
        raise _loader.LibraryNotFoundError(f"cannot load the Pixbridge library {path}: {error}") from error
    try:
        entry = getattr(library, _abi.FUNCTIONS_SYMBOL)
    except AttributeError:
        raise _loader.LibraryNotFoundError(f"{path} does not export {_abi.FUNCTIONS_SYMBOL}") from None
    entry.restype = ctypes.c_void_p
    entry.argtypes = []
    address = entry()
    if not address:
        raise _loader.LibraryNotFoundError(f"{_abi.FUNCTIONS_SYMBOL}() in {path} returned NULL")
    # Every version of the table starts with `size_t size; uint32_t abi_version;`: read only
    # those until the size is known to match.
    size = ctypes.c_size_t.from_address(address).value
    abi_version = ctypes.c_uint32.from_address(address + ctypes.sizeof(ctypes.c_size_t)).value
    check_table(size, abi_version)
    table = _abi.PixbridgeFunctions.from_address(address)
    _library, _library_path, _library_source = library, path, source
    return table


def functions() -> _abi.PixbridgeFunctions:
    """The checked function table, loading the library on first use.

    Raises:
        LibraryNotFoundError: the library is missing, cannot be loaded, or is another version.
    """
    global _functions
    if _functions is None:
        with _lock:
            if _functions is None:
                _functions = _load()
    return _functions


def library_info() -> Tuple[str, str]:
    """(path, source) of the loaded library; source is ``"package"`` or ``"env"``."""
    functions()
    assert _library_path is not None and _library_source is not None
    return _library_path, _library_source


def last_error_message() -> str:
    """The calling thread's last native error message."""
    table = functions()
    length = ctypes.c_size_t(0)
    table.last_error_message(None, 0, ctypes.byref(length))
    buffer = ctypes.create_string_buffer(length.value + 1)
    if table.last_error_message(buffer, len(buffer), ctypes.byref(length)) != 0:
        return "(the native error message could not be read)"
    return buffer.raw[: length.value].decode("utf-8", errors="replace")


def check(code: int) -> None:
    """Raises the exception of a native error ``code`` (nothing for 0) with the thread's message."""
    if code != 0:
        raise error_for(code, last_error_message())


def take_buffer(handle: int) -> bytes:
    """The bytes of a native buffer handle, which is destroyed afterwards."""
    table = functions()
    try:
        data = ctypes.c_void_p()
        length = ctypes.c_size_t()
        check(table.buffer_data(handle, ctypes.byref(data), ctypes.byref(length)))
        return ctypes.string_at(data.value or 0, length.value) if length.value else b""
    finally:
        table.buffer_destroy(handle)


def live_handles() -> Tuple[int, int]:
    """Diagnostics: the numbers of live native image handles and buffer handles in this process."""
    images = ctypes.c_uint64()
    buffers = ctypes.c_uint64()
    check(functions().live_handles(ctypes.byref(images), ctypes.byref(buffers)))
    return images.value, buffers.value


def live_controls() -> int:
    """Diagnostics: the number of live native control handles in this process."""
    controls = ctypes.c_uint64()
    check(functions().live_controls(ctypes.byref(controls)))
    return controls.value


def trim_native_memory() -> int:
    """Gives the memory the library keeps for reuse back to the system; returns how many bytes."""
    released = ctypes.c_uint64()
    check(functions().trim(ctypes.byref(released)))
    return released.value


def set_worker_threads(threads: int) -> None:
    """Sets the number of native worker threads (0: one per logical CPU); see ``pixbridge.set_worker_threads``."""
    if not isinstance(threads, int) or isinstance(threads, bool):
        raise TypeError(f"threads must be an int, not {type(threads).__name__}")
    if not 0 <= threads <= 0xFFFFFFFF:
        raise ValueError(f"threads must be from 0 to 1024, got {threads}")
    check(functions().set_worker_threads(threads))


def worker_threads() -> int:
    """The number of native worker threads (the pool's, or the number it will start with)."""
    threads = ctypes.c_uint32()
    check(functions().worker_threads(ctypes.byref(threads)))
    return threads.value


__all__ = [
    "PixbridgeError",
    "check",
    "functions",
    "live_controls",
    "live_handles",
    "set_worker_threads",
    "trim_native_memory",
    "worker_threads",
]
