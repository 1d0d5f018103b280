#!/usr/bin/env bash
# Compiles and runs the Java benchmark harness against the packaged jar.
# Usage: bindings-java/bench/run.sh IMAGE.png RUST_RESULTS.jsonl OUT.jsonl [--quick]
# Then ImageIoBench: ImageIO.read of JPEGs with the JDK's reader vs Pixbridge's provider.
# The Java-vs-Rust blur verdict pairs Image.blur with the blur timed inside the library, in the
# JVM; RUST_RESULTS (pixbridge-bench's output) gives the Rust process's figures for information.
#
# The in-library timing hook (io.pixbridge.bench.NativeTiming) exists only in a build of the JNI
# library with the cargo feature `bench-hooks`, never in the shipped one. This script builds that
# library, keeps a copy in target/bench-native/ and loads it through -Dpixbridge.library.path, so
# the jar's classes and the hook run on the same library (same code as the jar's, plus the hook).
# Only the pixbridge-jni crate is rebuilt for the feature (its dependencies are unchanged); the
# shipped build is restored in target/release afterwards.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$(ls "$here"/../target/pixbridge-*.jar | grep -v -- '-sources\|-javadoc' | head -1)"
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT

native_dir="$root/target/bench-native"
mkdir -p "$native_dir"
(
    cd "$root"
    unset CARGO_TARGET_DIR
    cargo build --release --offline -q -p pixbridge-jni --features bench-hooks
    cp target/release/libpixbridge_jni.so "$native_dir/libpixbridge_jni.so"
    # Put the shipped library (no hook) back where ci/ and the README expect it.
    cargo build --release --offline -q -p pixbridge-jni
)
if ! nm -D --defined-only "$native_dir/libpixbridge_jni.so" | grep -q 'Java_io_pixbridge_bench_NativeTiming_blurNanos'; then
    echo "error: $native_dir/libpixbridge_jni.so lacks the bench-hooks export" >&2
    exit 1
fi

javac -Xlint:all -Werror -d "$classes" -cp "$jar" "$here"/src/io/pixbridge/bench/*.java
# Runs timed one at a time follow the project's timing rule (profile `quick` with --quick, else `full`).
java -Xms1g -Xmx3g -Dpixbridge.library.path="$native_dir/libpixbridge_jni.so" \
    -Dpixbridge.timing.rule="$root/bench/timing-rule.properties" ${PIXBRIDGE_BENCH_JAVA_OPTS:-} \
    -cp "$jar:$classes" io.pixbridge.bench.BlurBench "$@"
# ImageIO.read of JPEG photos, the JDK's reader against Pixbridge's ImageIO provider (issue 16):
# a testdata photo and IMAGE.png as a 4K JPEG (q90); appends to OUT.jsonl. Same library and flags.
quick_flag=()
[ "${4:-}" = "--quick" ] && quick_flag=(--quick)
java -Xms1g -Xmx3g -Dpixbridge.library.path="$native_dir/libpixbridge_jni.so" \
    -Dpixbridge.timing.rule="$root/bench/timing-rule.properties" ${PIXBRIDGE_BENCH_JAVA_OPTS:-} \
    -cp "$jar:$classes" io.pixbridge.bench.ImageIoBench "$3" "${quick_flag[@]}" \
    "$root/testdata/hubble_deep_field.jpg" "$1"
