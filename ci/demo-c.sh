#!/usr/bin/env bash
# Runs the C and C++ samples as a user builds them: installs Pixbridge to a temporary prefix
# (ci/install.sh), builds samples/c with its Makefile (pkg-config) and samples/cpp with its
# CMakeLists.txt (find_package), both from the installed files only, and runs them on the
# photographs. Outputs go to OUT_DIR/c and OUT_DIR/cpp (default out/demo).
#
#   ci/demo-c.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out="${1:-$PIXBRIDGE_ROOT/out/demo}"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
apt_install gcc g++ make cmake pkg-config binutils
native_build_deps

work="$(mktemp -d "${TMPDIR:-/tmp}/pixbridge-demo-c.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

stage "installing Pixbridge to a temporary prefix (ci/install.sh $prefix)"
bash ci/install.sh "$prefix"

stage "C sample (samples/c): make with pkg-config, then imgtool batch"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -C samples/c OUT="$work/c-build"
"$work/c-build/imgtool" batch "$out/c" testdata/rocket.jpg testdata/hubble_deep_field.jpg

stage "C++ sample (samples/cpp): CMake with find_package(Pixbridge), then pixbridge-gallery"
cmake -S samples/cpp -B "$work/cpp-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cpp-build"
"$work/cpp-build/pixbridge-gallery" "$out/cpp" testdata/rocket.jpg testdata/hubble_deep_field.jpg

echo
echo "C and C++ sample outputs:"
find "$out/c" "$out/cpp" -type f | sort | sed 's/^/  /'
