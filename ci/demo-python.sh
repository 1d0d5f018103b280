#!/usr/bin/env bash
# Runs the Python sample (samples/python) with the pixbridge package installed from the wheel:
# open JPEG -> blur -> mirror -> save PNG, a 400 px cover thumbnail, and sepia -> vignette (plugins)
# -> save PNG, for the JPEG test images.
# Outputs go to samples/python/out/ (or the folder given as the first argument).
# The sample's plugin step loads the sample plugins (sepia, vignette) from PIXBRIDGE_PLUGIN_DIR;
# when it is unset, ci/build-plugins.sh builds them into target/plugins and it is set to that.
# Builds the release library and the wheel itself (Debian's python3 packages, offline).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PIXBRIDGE_ROOT"

PYTHON=/usr/bin/python3
apt_install python3 python3-setuptools python3-wheel python3-venv
native_build_deps

out="$(mkdir -p "${1:-$PIXBRIDGE_ROOT/samples/python/out}" && cd "${1:-$PIXBRIDGE_ROOT/samples/python/out}" && pwd)"

stage "cargo build --release -p pixbridge-ffi"
cargo build --release --offline -p pixbridge-ffi

if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
    stage "the sample plugins: sepia (Rust) and vignette (C) (ci/build-plugins.sh)"
    bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
    export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"
fi

wheel_dir="$PIXBRIDGE_ROOT/out/python-demo"
stage "wheel -> $wheel_dir"
"$PIXBRIDGE_ROOT/bindings-python/build-wheel.sh" "$wheel_dir" 2>/dev/null
venv="$wheel_dir/venv"
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-index --no-deps "$wheel_dir"/pixbridge-*.whl

stage "python samples/python/pixbridge_sample.py (pixbridge from the wheel)"
# From the sample's folder copy in a temporary directory: only the installed package is importable.
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
cp samples/python/pixbridge_sample.py "$run_dir/"
cd "$run_dir"
"$venv/bin/python" pixbridge_sample.py "$PIXBRIDGE_ROOT/testdata" "$out"
