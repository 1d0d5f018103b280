#!/usr/bin/env bash
# Builds the pixbridge wheel into OUT_DIR (default out/python/) from target/release/libpixbridge.so
# (built by `cargo build --release -p pixbridge-ffi`), offline and without build isolation, with
# Debian's /usr/bin/python3 (setuptools + wheel). The library is packaged without debug info.
# Prints nothing but setuptools' summary; the wheel is OUT_DIR/pixbridge-<version>-py3-none-<platform>.whl.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="${1:-$repo/out/python}"
PYTHON="${PYTHON:-/usr/bin/python3}"

library="$repo/target/release/libpixbridge.so"
[ -f "$library" ] || { echo "error: $library is missing: run cargo build --release -p pixbridge-ffi" >&2; exit 1; }

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Debug info stays out of the wheel (symbols stay for the exports and backtraces), as for the jar.
objcopy --strip-debug "$library" "$work/libpixbridge.so"

rm -f "$out"/pixbridge-*.whl
# setup.py writes build/ and *.egg-info: build in a copy so the source tree stays clean.
cp -r "$here/src" "$here/setup.py" "$here/README.md" "$work/"
mkdir "$work/repo" && cp "$repo/Cargo.toml" "$work/repo/"
(
    cd "$work"
    PIXBRIDGE_NATIVE_LIBRARY="$work/libpixbridge.so" PIXBRIDGE_CARGO_TOML="$work/repo/Cargo.toml" \
        "$PYTHON" setup.py --quiet bdist_wheel --dist-dir "$out" >/dev/null
)
ls "$out"/pixbridge-*.whl
