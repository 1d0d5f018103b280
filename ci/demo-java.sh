#!/usr/bin/env bash
# Java sample: compiles samples/java with javac against the packaged jar and runs it with
# `java -cp <jar>` (no Maven at run time): open JPEG -> blur -> mirror -> save PNG, and a 400 px cover thumbnail saved as JPEG,
# then the sample plugins (sepia in place, vignette) from PIXBRIDGE_PLUGIN_DIR; when it is unset, they are built with
# ci/build-plugins.sh into target/plugins and it is set to that folder.
# Usage: ci/demo-java.sh [output-dir]. Packages the jar from the current sources first (tests skipped).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"
unset CARGO_TARGET_DIR
out="${1:-$PIXBRIDGE_ROOT/out/demo/java}"

jar="bindings-java/target/pixbridge-0.1.0.jar"
bash ci/package-java.sh
if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
    bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
    export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"
fi

classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -Xlint:all -Werror -cp "$jar" -d "$classes" samples/java/PixbridgeSample.java
java -Xcheck:jni -cp "$jar:$classes" PixbridgeSample "$out" testdata/rocket.jpg testdata/hubble_deep_field.jpg
