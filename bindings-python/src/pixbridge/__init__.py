"""Pixbridge: fast, safe image processing in Rust, from Python.

>>> import pixbridge
>>> with pixbridge.Image.open("photo.jpg") as image, image.blur(4.0) as blurred:
...     blurred.mirror()
...     blurred.save("out.png")

``Image`` operations are generated from the native library's operation table; errors are
``PixbridgeError`` subclasses with a ``.code`` (an ``ErrorCode``). ``numpy.asarray(image)`` is a
zero-copy read-only view of the RGBA8 pixels. The GIL is released during every native call.
Long calls take ``control=pixbridge.Control(progress)``: cancellable from any thread (the call
then raises ``CancelledError``), with progress; ``await pixbridge.run_async(image.blur, 4.0)``
runs one in a worker thread and cancels it when the awaiting task is cancelled.
``Plugin.load(path)`` loads a plugin library at run time; its operations are then applied by name:
``image.apply("vignette", strength=0.8)`` (a new image), ``image.apply_in_place("sepia")``.
"""

from ._animation import AnimationInfo, animation_info
from ._control import Control, ProgressCallable, run_async
from ._enums import (
    ChromaSubsampling,
    ColorProfile,
    ColorType,
    ErrorCode,
    ExifText,
    ImageFormat,
    MetadataBlock,
    PixelFormat,
    PluginOperationKind,
    PluginParameterType,
    ResizeFilter,
    ThumbnailFit,
)
from ._errors import *  # noqa: F401,F403 - one class per error code, generated
from ._errors import PixbridgeError, error_for
from ._errors import __all__ as _error_names
from ._image import Image, live_controls, live_handles, set_worker_threads, trim_native_memory, worker_threads
from ._loader import LIBRARY_PATH_ENV, LibraryNotFoundError, library_file_name, platform_folder
from ._metadata import ExifData
from ._native import library_info
from ._operations import OPERATIONS
from ._options import DecodeLimits, DecodeOptions, EncodeOptions, ThumbnailOptions
from ._plugins import Plugin, PluginOperation, PluginParameter, PluginValue, live_plugins


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("pixbridge")
    except Exception:  # noqa: BLE001 - not installed (a source checkout)
        return "0+unknown"


#: The installed package's version (the workspace version of the Rust crates).
__version__ = _version()

__all__ = [
    "AnimationInfo",
    "ChromaSubsampling",
    "ColorProfile",
    "ColorType",
    "Control",
    "DecodeLimits",
    "DecodeOptions",
    "EncodeOptions",
    "ErrorCode",
    "ExifData",
    "ExifText",
    "Image",
    "ImageFormat",
    "LIBRARY_PATH_ENV",
    "LibraryNotFoundError",
    "MetadataBlock",
    "OPERATIONS",
    "PixbridgeError",
    "PixelFormat",
    "Plugin",
    "PluginOperation",
    "PluginOperationKind",
    "PluginParameter",
    "PluginParameterType",
    "PluginValue",
    "ProgressCallable",
    "ResizeFilter",
    "ThumbnailFit",
    "ThumbnailOptions",
    "animation_info",
    "error_for",
    "library_file_name",
    "library_info",
    "live_controls",
    "live_handles",
    "live_plugins",
    "platform_folder",
    "run_async",
    "set_worker_threads",
    "trim_native_memory",
    "worker_threads",
    *[name for name in _error_names if name not in ("PixbridgeError", "error_for")],
]
