"""Builds the ``pixbridge`` wheel: the Python package with the native library inside.

The wheel is tagged ``py3-none-<platform>``: the package is pure Python over ctypes, so any
Python 3 runs it, but the library inside is built for one platform. Build it offline, without
build isolation, from the repository's release build::

    python3 setup.py bdist_wheel --dist-dir ../out/python          # or ci/test-python.sh

Environment:
    PIXBRIDGE_NATIVE_LIBRARY  the library file to package (default:
                              ../target/release/<libpixbridge.so|libpixbridge.dylib|pixbridge.dll>)
    PIXBRIDGE_NATIVE_PLATFORM the package folder it goes to (default: this machine's, e.g.
                              linux-x64; see pixbridge/_loader.py)
    PIXBRIDGE_CARGO_TOML      the Cargo.toml holding the version (default: ../Cargo.toml)

The version is the workspace version in ../Cargo.toml.
"""

import importlib.util
import os
import re
import shutil

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def _loader_module():
    """pixbridge/_loader.py, imported alone (the package itself would load the library)."""
    path = os.path.join(HERE, "src", "pixbridge", "_loader.py")
    spec = importlib.util.spec_from_file_location("_pixbridge_loader", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workspace_version():
    """``version`` of ``[workspace.package]`` in the repository's Cargo.toml."""
    path = os.environ.get("PIXBRIDGE_CARGO_TOML") or os.path.join(REPO, "Cargo.toml")
    with open(path, encoding="utf-8") as cargo:
        text = cargo.read()
    section = re.search(r"^\[workspace\.package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    match = section and re.search(r'^version\s*=\s*"([^"]+)"', section.group(1), re.M)
    if not match:
        raise SystemExit("no version in [workspace.package] of Cargo.toml")
    return match.group(1)


class BuildPyWithLibrary(build_py):
    """build_py that also copies the native library to ``pixbridge/native/<platform>/``."""

    def run(self):
        super().run()
        loader = _loader_module()
        system, machine, libc = loader.host()
        folder = os.environ.get("PIXBRIDGE_NATIVE_PLATFORM") or loader.platform_folder(system, machine, libc)
        system_of_folder = {"win": "Windows", "osx": "Darwin"}.get(folder.split("-")[0], "Linux")
        file_name = loader.library_file_name(system_of_folder)
        library = os.environ.get("PIXBRIDGE_NATIVE_LIBRARY") or os.path.join(REPO, "target", "release", file_name)
        if not os.path.isfile(library):
            raise SystemExit(
                f"native library {library} not found: run `cargo build --release -p pixbridge-ffi`"
                " or set PIXBRIDGE_NATIVE_LIBRARY"
            )
        target_dir = os.path.join(self.build_lib, "pixbridge", "native", folder)
        # A stale library of another platform must not ride along from an earlier build.
        shutil.rmtree(os.path.join(self.build_lib, "pixbridge", "native"), ignore_errors=True)
        os.makedirs(target_dir)
        shutil.copyfile(library, os.path.join(target_dir, file_name))
        print(f"packaged {library} as pixbridge/native/{folder}/{file_name}")


class BinaryDistribution(Distribution):
    """A distribution with a native part, so that it installs to platlib like one."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """A ``py3-none-<platform>`` wheel: any Python 3, one platform's native library."""

    def get_tag(self):
        _, _, platform_tag = super().get_tag()
        return "py3", "none", platform_tag


with open(os.path.join(HERE, "README.md"), encoding="utf-8") as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="pixbridge",
    version=workspace_version(),
    description="Fast, safe image processing (a Rust core) for Python: decode, blur, resize, thumbnails, numpy views",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    license="MIT OR Apache-2.0",
    url="https://example.invalid/pixbridge",
    package_dir={"": "src"},
    packages=["pixbridge"],
    package_data={"pixbridge": ["py.typed"]},
    python_requires=">=3.8",
    extras_require={"numpy": ["numpy"]},
    zip_safe=False,
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Operating System :: POSIX :: Linux",
        "Topic :: Multimedia :: Graphics",
        "Typing :: Typed",
    ],
)
