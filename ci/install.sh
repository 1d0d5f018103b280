#!/usr/bin/env bash
# Installs the Pixbridge C library like a C library (Linux):
#
#   ci/install.sh PREFIX            (make install PREFIX=...; DESTDIR=/stage stages it under /stage)
#
# Builds the release cdylib (cargo build --release -p pixbridge-ffi) and installs
#   PREFIX/lib/libpixbridge.so.<ABI_REVISION>.<OPERATION_COUNT>.<patch>   (debug info stripped)
#   PREFIX/lib/libpixbridge.so.<ABI_REVISION> -> that file                 (the SONAME)
#   PREFIX/lib/libpixbridge.so -> libpixbridge.so.<ABI_REVISION>           (for -lpixbridge)
#   PREFIX/include/pixbridge.h, PREFIX/include/pixbridge.hpp, PREFIX/include/pixbridge_plugin.h
#   (the plugin ABI: what a plugin written in C needs, see docs/plugins.md)
#   PREFIX/lib/pkgconfig/pixbridge.pc                                      (pkg-config pixbridge)
#   PREFIX/lib/cmake/Pixbridge/PixbridgeConfig.cmake, PixbridgeConfigVersion.cmake
#                                                    (find_package(Pixbridge), Pixbridge::pixbridge)
#
# Versions: PIXBRIDGE_ABI_VERSION in pixbridge.h is ABI_REVISION * 1000 + OPERATION_COUNT
# (runtime/src/lib.rs). ABI_REVISION changes with any change to a hand-written export or to what
# a function means, so it is the SONAME's number (libpixbridge.so.7 at ABI revision 7): a program linked against
# one revision is never run against another. Appending an operation only adds exports, so the
# operation count is the next number of the file name; the last is the patch number of the
# package version (Cargo.toml [workspace.package], 0.1.0), which pixbridge.pc and the CMake
# package report as their Version. ffi/build.rs sets the SONAME at link time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PREFIX   (DESTDIR=... to stage the installation under another root)" >&2
    exit 2
fi
case "$1" in
    /*) prefix="$1" ;;
    *) prefix="$(pwd -P)/$1" ;; # relative to the current folder (make runs in the repository root)
esac
prefix="${prefix%/}"
destdir="${DESTDIR:-}"
destdir="${destdir%/}"
root="$destdir$prefix"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
native_build_deps
apt_install binutils

header=ffi/include/pixbridge.h
abi_version="$(sed -n 's/^#define PIXBRIDGE_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$header")"
[ -n "$abi_version" ] || { echo "error: $header defines no PIXBRIDGE_ABI_VERSION" >&2; exit 1; }
soversion=$((abi_version / 1000))
operations=$((abi_version % 1000))
version="$(sed -n '/^\[workspace\.package\]/,/^\[/ s/^version = "\([^"]*\)"$/\1/p' Cargo.toml)"
url="$(sed -n '/^\[workspace\.package\]/,/^\[/ s/^repository = "\([^"]*\)"$/\1/p' Cargo.toml)"
if ! [[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
    echo "error: no plain x.y.z version in Cargo.toml [workspace.package]: '$version'" >&2
    exit 1
fi
version_major="${BASH_REMATCH[1]}"
version_minor="${BASH_REMATCH[2]}"
library_version="$soversion.$operations.${BASH_REMATCH[3]}"
soname="libpixbridge.so.$soversion"

stage "building libpixbridge.so (release)"
cargo build --release --offline -p pixbridge-ffi 2>&1 | cut_long_lines
built=target/release/libpixbridge.so
actual_soname="$(readelf -d "$built" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"
if [ "$actual_soname" != "$soname" ]; then
    echo "error: $built has SONAME '$actual_soname', expected '$soname' (ffi/build.rs sets it)" >&2
    exit 1
fi

stage "installing Pixbridge $version (ABI $abi_version, $soname) to ${destdir:+$destdir + }$prefix"
install -d "$root/lib" "$root/include" "$root/lib/pkgconfig" "$root/lib/cmake/Pixbridge"
# Symbols stay (exports, backtraces); line tables of the release profile do not.
tmp="$(mktemp "$root/lib/.libpixbridge.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
objcopy --strip-debug "$built" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$root/lib/libpixbridge.so.$library_version"
ln -sfn "libpixbridge.so.$library_version" "$root/lib/$soname"
ln -sfn "$soname" "$root/lib/libpixbridge.so"
install -m 0644 ffi/include/pixbridge.h ffi/include/pixbridge.hpp ffi/include/pixbridge_plugin.h "$root/include/"

substitute() {
    sed -e "s|@PREFIX@|$prefix|g" \
        -e "s|@VERSION@|$version|g" \
        -e "s|@VERSION_MAJOR@|$version_major|g" \
        -e "s|@VERSION_MINOR@|$version_minor|g" \
        -e "s|@ABI_VERSION@|$abi_version|g" \
        -e "s|@SOVERSION@|$soversion|g" \
        -e "s|@LIBRARY_VERSION@|$library_version|g" \
        -e "s|@URL@|$url|g" \
        "$1" >"$2"
    if grep -n '@[A-Z_]*@' "$2"; then
        echo "error: unreplaced placeholder in $2" >&2
        exit 1
    fi
    chmod 0644 "$2"
}
substitute ffi/pkg/pixbridge.pc.in "$root/lib/pkgconfig/pixbridge.pc"
substitute ffi/pkg/PixbridgeConfig.cmake.in "$root/lib/cmake/Pixbridge/PixbridgeConfig.cmake"
substitute ffi/pkg/PixbridgeConfigVersion.cmake.in "$root/lib/cmake/Pixbridge/PixbridgeConfigVersion.cmake"

echo "installed:"
for file in "lib/libpixbridge.so.$library_version" "lib/$soname" lib/libpixbridge.so include/pixbridge.h \
    include/pixbridge.hpp include/pixbridge_plugin.h lib/pkgconfig/pixbridge.pc lib/cmake/Pixbridge/PixbridgeConfig.cmake \
    lib/cmake/Pixbridge/PixbridgeConfigVersion.cmake; do
    if [ -L "$root/$file" ]; then
        echo "  $prefix/$file -> $(readlink "$root/$file")"
    else
        echo "  $prefix/$file"
    fi
done
if [ -z "$destdir" ]; then
    echo "use: PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs pixbridge"
    echo "     cmake -DCMAKE_PREFIX_PATH=$prefix ...   (find_package(Pixbridge CONFIG REQUIRED))"
fi
