#!/usr/bin/env bash
# Python package: Debian's python3 packages (numpy, pytest, setuptools, wheel, venv), the release
# cdylib, the wheel (offline, no build isolation) in out/python/, a fresh venv with the wheel
# installed from that file alone, then the pytest suite run against the installed package from
# a folder where the source tree is not importable. Exits non-zero on failure.
# The plugin tests load the plugins of PIXBRIDGE_PLUGIN_DIR; when it is unset, ci/build-plugins.sh
# builds them into target/plugins and it is set to that.
# Works on a fresh Debian machine with cargo installed. That the generated modules are up to date
# is checked once, by `cargo run -p pixbridge-codegen -- --check` (part of `make test`).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PIXBRIDGE_ROOT"

# Debian's numpy and pytest belong to Debian's interpreter: always /usr/bin/python3 (a python3
# earlier on PATH, e.g. pyenv's, has neither).
PYTHON=/usr/bin/python3
apt_install python3 python3-numpy python3-pytest python3-setuptools python3-wheel python3-venv \
    python3-flake8 python3-mypy
native_build_deps

stage "cargo build --release -p pixbridge-ffi"
cargo build --release --offline -p pixbridge-ffi

if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
    stage "sample and test plugins (ci/build-plugins.sh)"
    bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
    export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"
fi

out="$PIXBRIDGE_ROOT/out/python"
stage "wheel -> $out"
"$PIXBRIDGE_ROOT/bindings-python/build-wheel.sh" "$out"
wheel="$(ls "$out"/pixbridge-*-py3-none-*.whl)"

venv="$out/venv"
stage "venv $venv (system site packages for Debian's numpy and pytest), pip install --no-index $(basename "$wheel")"
rm -rf "$venv"
"$PYTHON" -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --no-index --no-deps --force-reinstall "$wheel"

stage "flake8 (PEP 8) and mypy --strict of the package sources (bindings-python/setup.cfg)"
(cd bindings-python && PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m flake8 . ../samples/python \
    && PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m mypy --cache-dir=/dev/null)

stage "pytest bindings-python/tests (against the installed wheel; plugins from $PIXBRIDGE_PLUGIN_DIR)"
# From an empty folder, so that neither the repository nor bindings-python/src is importable.
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
cd "$run_dir"
# The installed package's type hints as an editor sees them: the sample type-checks strictly
# against the wheel in the venv (py.typed).
cp "$PIXBRIDGE_ROOT/samples/python/pixbridge_sample.py" "$run_dir/"
"$venv/bin/python" -m mypy --strict --cache-dir=/dev/null \
    pixbridge_sample.py
rm "$run_dir/pixbridge_sample.py"
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest \
    -p no:cacheprovider -q -ra "$PIXBRIDGE_ROOT/bindings-python/tests" "$@"
