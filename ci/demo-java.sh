#!/usr/bin/env bash
# Java sample: compiles samples/java with javac against the packaged jar and runs it with
# `java -cp <jar>` (no Maven at run time): open JPEG -> blur -> mirror -> save PNG.
# Usage: ci/demo-java.sh [output-dir]. Builds the jar (tests skipped) when it is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"
unset CARGO_TARGET_DIR
out="${1:-$PIXBRIDGE_ROOT/out/demo/java}"

apt_install openjdk-17-jdk-headless maven binutils libmaven-compiler-plugin-java libmaven-jar-plugin-java \
    libmaven-resources-plugin-java libsurefire-java junit5

jar="bindings-java/target/pixbridge-0.1.0.jar"
if [ ! -f "$jar" ] || [ target/release/libpixbridge_jni.so -nt "$jar" ] || [ ! -f target/release/libpixbridge_jni.so ]; then
    require cargo "install Rust 1.93 or newer"
    cargo build --release --offline -p pixbridge-jni
    settings=()
    curl -s -o /dev/null --max-time 5 --head https://repo.maven.apache.org/maven2/ \
        || settings=(-s bindings-java/ci-settings.xml)
    native_dir="$(java_native_dir)"
    mvn -B -q -f bindings-java/pom.xml "${settings[@]}" -DskipTests -Dpixbridge.native.dir="$native_dir" package
fi

classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -Xlint:all -Werror -cp "$jar" -d "$classes" samples/java/PixbridgeSample.java
java -Xcheck:jni -cp "$jar:$classes" PixbridgeSample "$out" testdata/rocket.jpg testdata/hubble_deep_field.jpg
