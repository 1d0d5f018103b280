"""The loader: file names and platform folders as pure functions, simulated package layouts, the
environment override, and the function-table checks (against ffi/include/pixbridge.h)."""

import ctypes
import os
import re
import shutil
import subprocess
import sys

import pytest

import pixbridge
from conftest import REPO
from pixbridge import _abi, _loader, _native

# (system, machine, libc) as platform.system(), platform.machine() and libc detection give them,
# and the folder and file the package must use (the NuGet runtime identifiers).
PLATFORMS = {
    "linux-x64": (("Linux", "x86_64", "glibc"), "libpixbridge.so"),
    "linux-arm64": (("Linux", "aarch64", "glibc"), "libpixbridge.so"),
    "linux-musl-x64": (("Linux", "x86_64", "musl"), "libpixbridge.so"),
    "osx-x64": (("Darwin", "x86_64", ""), "libpixbridge.dylib"),
    "osx-arm64": (("Darwin", "arm64", ""), "libpixbridge.dylib"),
    "win-x64": (("Windows", "AMD64", ""), "pixbridge.dll"),
    "win-arm64": (("Windows", "ARM64", ""), "pixbridge.dll"),
}


@pytest.mark.parametrize("folder", sorted(PLATFORMS))
def test_folder_and_file_name_per_platform(folder):
    (system, machine, libc), file_name = PLATFORMS[folder]
    assert pixbridge.platform_folder(system, machine, libc) == folder
    assert pixbridge.library_file_name(system) == file_name


def test_other_spellings():
    assert pixbridge.platform_folder("linux", "AMD64", "glibc") == "linux-x64"
    assert pixbridge.platform_folder("Linux", "arm64", "musl") == "linux-musl-arm64"
    assert pixbridge.platform_folder("Linux", "x86_64", "") == "linux-x64"
    assert pixbridge.platform_folder("Darwin", "x86_64", "musl") == "osx-x64"  # libc matters on Linux only
    assert pixbridge.platform_folder("FreeBSD", "amd64", "") == "freebsd-x64"


@pytest.fixture
def all_platforms_package(tmp_path):
    """A package folder laid out as a wheel with every platform's library would be."""
    for folder, (_, file_name) in PLATFORMS.items():
        (tmp_path / "native" / folder).mkdir(parents=True)
        (tmp_path / "native" / folder / file_name).write_bytes(folder.encode())
    return tmp_path


@pytest.mark.parametrize("folder", sorted(PLATFORMS))
def test_each_platform_picks_its_own_file(all_platforms_package, folder):
    (system, machine, libc), file_name = PLATFORMS[folder]
    path, source = _loader.find_library(str(all_platforms_package), system, machine, libc, environ={})
    assert source == "package"
    assert path == os.path.join(str(all_platforms_package), "native", folder, file_name)
    with open(path, "rb") as file:
        assert file.read() == folder.encode()


def test_missing_platform_is_a_clear_error(tmp_path):
    (tmp_path / "native" / "linux-x64").mkdir(parents=True)
    (tmp_path / "native" / "linux-x64" / "libpixbridge.so").write_bytes(b"x")
    with pytest.raises(pixbridge.LibraryNotFoundError) as caught:
        _loader.find_library(str(tmp_path), "Darwin", "arm64", "", environ={})
    message = str(caught.value)
    assert "osx-arm64" in message and "libpixbridge.dylib" in message and "linux-x64" in message
    assert "PIXBRIDGE_LIBRARY" in message
    # musl never falls back to the glibc build.
    with pytest.raises(pixbridge.LibraryNotFoundError):
        _loader.find_library(str(tmp_path), "Linux", "x86_64", "musl", environ={})


def test_environment_override(tmp_path, all_platforms_package):
    explicit = tmp_path / "custom" / "libpixbridge.so"
    explicit.parent.mkdir()
    explicit.write_bytes(b"custom")
    environ = {pixbridge.LIBRARY_PATH_ENV: str(explicit)}
    assert pixbridge.LIBRARY_PATH_ENV == "PIXBRIDGE_LIBRARY"
    path, source = _loader.find_library(str(all_platforms_package), "Linux", "x86_64", "glibc", environ)
    assert (path, source) == (str(explicit), "env")
    with pytest.raises(pixbridge.LibraryNotFoundError, match="no such file"):
        missing = {"PIXBRIDGE_LIBRARY": str(tmp_path / "nope.so")}
        _loader.find_library(str(all_platforms_package), "Linux", "x86_64", "glibc", missing)


MAPS_GLIBC = [
    "7f1c2a000000-7f1c2a028000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6",
    "7f1c2a200000-7f1c2a202000 r--p 00000000 08:01 1235 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    "7ffd1e000000-7ffd1e021000 rw-p 00000000 00:00 0 [stack]",
]
MAPS_MUSL = [
    "7f3b1c000000-7f3b1c014000 r--p 00000000 08:01 42 /lib/ld-musl-x86_64.so.1",
    "7f3b1c100000-7f3b1c101000 rw-p 00000000 00:00 0",
]
MAPS_ALPINE_ARM = ["ffff8c000000-ffff8c0a0000 r-xp 00000000 fe:01 7 /lib/libc.musl-aarch64.so.1"]


def test_musl_detection_reads_the_process_map(tmp_path):
    assert not _loader.is_musl(MAPS_GLIBC)
    assert _loader.is_musl(MAPS_MUSL)
    assert _loader.is_musl(MAPS_ALPINE_ARM)
    maps = tmp_path / "maps"
    maps.write_text("\n".join(MAPS_MUSL) + "\n")
    assert _loader.detect_libc("Linux", str(maps)) == "musl"
    maps.write_text("\n".join(MAPS_GLIBC) + "\n")
    assert _loader.detect_libc("Linux", str(maps)) == "glibc"
    assert _loader.detect_libc("Darwin", str(maps)) == ""
    # This very process (Debian, glibc) is not musl, whether or not musl is installed on disk.
    assert _loader.detect_libc("Linux") == "glibc"


# -- the function table, against the C header -------------------------------------------------

HEADER = (REPO / "ffi" / "include" / "pixbridge.h").read_text()
TABLE = HEADER[HEADER.index("typedef struct PixbridgeFunctions {") : HEADER.index("} PixbridgeFunctions;")]
HEADER_FIELDS = re.findall(r"\(\*(\w+)\)\(", TABLE)


def test_table_mirrors_the_header():
    fields = [name for name, _ in _abi.PixbridgeFunctions._fields_]
    assert fields == ["size", "abi_version", *HEADER_FIELDS]
    # size_t, uint32_t (padded to 8), then one pointer per function, on a 64-bit platform.
    assert ctypes.sizeof(ctypes.c_void_p) == 8
    assert ctypes.sizeof(_abi.PixbridgeFunctions) == 16 + 8 * len(HEADER_FIELDS)
    version = int(re.search(r"#define PIXBRIDGE_ABI_VERSION (\d+)", HEADER).group(1))
    assert _abi.ABI_VERSION == version


def test_loaded_table_has_the_checked_size_and_version():
    table = _native.functions()
    assert table.size == ctypes.sizeof(_abi.PixbridgeFunctions)
    assert table.abi_version == _abi.ABI_VERSION
    assert table.get_abi_version() == _abi.ABI_VERSION


def test_check_table_refuses_other_sizes_and_versions():
    size = ctypes.sizeof(_abi.PixbridgeFunctions)
    _native.check_table(size, _abi.ABI_VERSION)
    with pytest.raises(pixbridge.LibraryNotFoundError, match="bytes"):
        _native.check_table(size - 8, _abi.ABI_VERSION)
    with pytest.raises(pixbridge.LibraryNotFoundError, match="bytes"):
        _native.check_table(size + 8, _abi.ABI_VERSION)
    with pytest.raises(pixbridge.LibraryNotFoundError, match="ABI version"):
        _native.check_table(size, _abi.ABI_VERSION + 1)


#: The first native call of a fresh interpreter loads the library.
FIRST_CALL = "import pixbridge; pixbridge.Image.decode(b'')"


def _import_in_subprocess(environ, code="import pixbridge; print(pixbridge.library_info()[1])"):
    env = dict(os.environ, **environ)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd="/")


def test_environment_override_loads_that_library(tmp_path):
    packaged, _ = pixbridge.library_info()
    copy = tmp_path / "libpixbridge-copy.so"
    shutil.copyfile(packaged, copy)
    rocket = str(REPO / "testdata" / "rocket.jpg")
    done = _import_in_subprocess(
        {"PIXBRIDGE_LIBRARY": str(copy)},
        f"import pixbridge; pixbridge.Image.open({rocket!r}).close(); print(*pixbridge.library_info())",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(copy), "env"]


def test_a_file_that_is_not_a_library_is_refused(tmp_path):
    not_a_library = tmp_path / "libpixbridge.so"
    not_a_library.write_bytes(b"not an ELF file")
    done = _import_in_subprocess({"PIXBRIDGE_LIBRARY": str(not_a_library)}, FIRST_CALL)
    assert done.returncode != 0
    assert "LibraryNotFoundError" in done.stderr and "cannot load" in done.stderr


def test_a_library_without_the_table_is_refused():
    import _ctypes  # a shared library that certainly has no pixbridge_functions

    done = _import_in_subprocess({"PIXBRIDGE_LIBRARY": _ctypes.__file__}, FIRST_CALL)
    assert done.returncode != 0
    assert "does not export pixbridge_functions" in done.stderr
