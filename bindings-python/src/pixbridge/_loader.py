"""Where the native library is and which file to load: pure functions of (system, machine, libc).

The wheel carries the library inside the package, in a folder per platform named like the
NuGet runtime identifiers: ``pixbridge/native/<platform>/<file>`` with ``<platform>`` one of
``linux-x64``, ``linux-arm64``, ``linux-musl-x64``, ``linux-musl-arm64``, ``osx-x64``,
``osx-arm64``, ``win-x64``, ``win-arm64`` and ``<file>`` ``libpixbridge.so``,
``libpixbridge.dylib`` or ``pixbridge.dll``.

The environment variable ``PIXBRIDGE_LIBRARY`` names another library file to load instead (the
same variable as the Rust dynamic-loading sample's; Java's ``-Dpixbridge.library.path``); it is
checked like the packaged one.
The current directory and the system search path are never used.

This module imports nothing from the package so that the build (setup.py) can use it too.
"""

import os
import platform
from typing import Iterable, Mapping, Optional, Tuple

#: The environment variable naming an explicit library file.
LIBRARY_PATH_ENV = "PIXBRIDGE_LIBRARY"

_SYSTEMS = {"linux": "linux", "darwin": "osx", "windows": "win"}
_MACHINES = {
    "x86_64": "x64",
    "amd64": "x64",
    "x64": "x64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "aarch64_be": "arm64",
}


class LibraryNotFoundError(OSError):
    """The native library is missing, cannot be loaded, or is not the version these bindings need."""


def library_file_name(system: str) -> str:
    """The library's file name on ``system`` (a ``platform.system()`` value)."""
    key = system.lower()
    if key == "windows":
        return "pixbridge.dll"
    if key == "darwin":
        return "libpixbridge.dylib"
    return "libpixbridge.so"


def platform_folder(system: str, machine: str, libc: str = "") -> str:
    """The package folder of a platform, e.g. ``linux-musl-x64``.

    Args:
        system: ``platform.system()``: ``Linux``, ``Darwin`` or ``Windows`` (any case).
        machine: ``platform.machine()``: ``x86_64``, ``AMD64``, ``aarch64``, ``arm64``, ``ARM64``.
        libc: ``glibc`` or ``musl`` on Linux (empty elsewhere; only ``musl`` changes the result).
    """
    os_part = _SYSTEMS.get(system.lower(), "".join(c for c in system.lower() if c.isalnum()))
    if os_part == "linux" and libc.lower() == "musl":
        os_part = "linux-musl"
    arch = _MACHINES.get(machine.lower(), "".join(c for c in machine.lower() if c.isalnum() or c == "_"))
    return f"{os_part}-{arch}"


def packaged_library(package_dir: str, system: str, machine: str, libc: str = "") -> str:
    """The path the wheel puts the library at for this platform (it may not exist)."""
    folder = platform_folder(system, machine, libc)
    return os.path.join(package_dir, "native", folder, library_file_name(system))


def find_library(
    package_dir: str, system: str, machine: str, libc: str = "", environ: Optional[Mapping[str, str]] = None
) -> Tuple[str, str]:
    """The library file to load and how it was chosen (``"env"`` or ``"package"``).

    Raises:
        LibraryNotFoundError: the file does not exist; the message lists what was tried.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(LIBRARY_PATH_ENV, "")
    if explicit:
        if not os.path.isfile(explicit):
            raise LibraryNotFoundError(f"{LIBRARY_PATH_ENV}={explicit}: no such file")
        return os.path.abspath(explicit), "env"
    path = packaged_library(package_dir, system, machine, libc)
    if os.path.isfile(path):
        return path, "package"
    available = sorted(os.listdir(os.path.join(package_dir, "native"))) if os.path.isdir(
        os.path.join(package_dir, "native")
    ) else []
    raise LibraryNotFoundError(
        f"no Pixbridge native library for platform {platform_folder(system, machine, libc)}: tried {path}"
        f" (this package has: {', '.join(available) or 'none'}). Install the wheel for this platform,"
        f" or set {LIBRARY_PATH_ENV} to the library file."
    )


def is_musl(maps_lines: Iterable[str]) -> bool:
    """Whether a process whose ``/proc/self/maps`` has these lines runs on musl libc.

    What counts is musl's loader or libc mapped into the process (``ld-musl-<arch>.so.1``,
    ``libc.musl-<arch>.so.1``), not its presence on disk: Debian's ``musl`` package installs
    ``/lib/ld-musl-x86_64.so.1`` on glibc systems too.
    """
    for line in maps_lines:
        fields = line.split()
        name = os.path.basename(fields[-1]) if len(fields) >= 6 else ""
        if name.startswith(("ld-musl-", "libc.musl-")):
            return True
    return False


def detect_libc(system: str, maps_path: str = "/proc/self/maps") -> str:
    """``musl`` or ``glibc`` on Linux (from the process's memory map), ``""`` elsewhere."""
    if system.lower() != "linux":
        return ""
    try:
        with open(maps_path, encoding="utf-8", errors="replace") as maps:
            return "musl" if is_musl(maps) else "glibc"
    except OSError:
        return "glibc"


def host() -> Tuple[str, str, str]:
    """(system, machine, libc) of the running interpreter."""
    system = platform.system()
    return system, platform.machine(), detect_libc(system)
