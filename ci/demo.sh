#!/usr/bin/env bash
# The demo: builds Pixbridge and runs the samples (Rust dynamic loading, C#, Java, Python, C,
# C++) on the test photographs: open JPEG -> blur -> mirror -> save PNG; the Rust, C#, Java and
# Python samples also load the two sample plugins (sepia in Rust, vignette in C) and apply their
# operations by name. Prints where the outputs are.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
native_build_deps
out="$PIXBRIDGE_ROOT/out/demo"
mkdir -p "$out"

stage "the sample plugins: sepia (Rust) and vignette (C) (ci/build-plugins.sh)"
bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"

stage "building libpixbridge.so and the Rust sample (release)"
cargo build --release --offline -p pixbridge-ffi -p pixbridge-jni -p pixbridge-sample-dynamic

stage "Rust sample: loads libpixbridge.so and the two sample plugins at run time"
target/release/pixbridge-sample-dynamic --library target/release/libpixbridge.so --out-dir "$out/rust" \
    --plugin "$PIXBRIDGE_PLUGIN_DIR/libpixbridge_sepia.so" --plugin "$PIXBRIDGE_PLUGIN_DIR/libpixbridge_vignette.so" \
    --apply sepia:strength=0.8 --apply vignette:strength=0.6 --apply posterize:levels=6 \
    testdata/rocket.jpg testdata/hubble_deep_field.jpg

stage "CLI: pixbridge thumbnail / info (ci/demo-cli.sh)"
bash ci/demo-cli.sh

stage "C# sample (NuGet package from a local feed)"
bash ci/demo-csharp.sh "$out/csharp"

stage "Java sample (jar on the class path)"
bash ci/demo-java.sh "$out/java"

stage "Python sample (wheel installed in a venv)"
bash ci/demo-python.sh "$out/python"

stage "C and C++ samples (installed library, pkg-config and CMake)"
bash ci/demo-c.sh "$out"

echo
echo "Demo outputs:"
find "$out" \( -name '*.png' -o -name '*.jpg' \) | sort | sed 's/^/  /'
