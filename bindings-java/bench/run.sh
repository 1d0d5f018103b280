#!/usr/bin/env bash
# Compiles and runs the Java benchmark harness against the packaged jar.
# Usage: bindings-java/bench/run.sh IMAGE.png RUST_RESULTS.jsonl OUT.jsonl [--quick]
# The Java-vs-Rust blur verdict pairs Image.blur with the blur timed inside the library, in the
# JVM; for information it also runs pixbridge-blur-timing (bindings-java/native, rebuilt here from
# the current sources; PIXBRIDGE_BLUR_TIMING names another copy) in rounds alternating with Java's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$(ls "$here"/../target/pixbridge-*.jar | grep -v -- '-sources\|-javadoc' | head -1)"
timing="${PIXBRIDGE_BLUR_TIMING:-${CARGO_TARGET_DIR:-$root/target}/release/pixbridge-blur-timing}"
if [ -z "${PIXBRIDGE_BLUR_TIMING:-}" ]; then
    # Always brought up to date: an old binary would time old code against the jar's.
    (cd "$root" && cargo build --release --offline -q -p pixbridge-jni --bin pixbridge-blur-timing)
fi
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -Xlint:all -Werror -d "$classes" -cp "$jar" "$here"/src/io/pixbridge/bench/*.java
java -Xms1g -Xmx3g ${PIXBRIDGE_BENCH_JAVA_OPTS:-} -Dpixbridge.bench.rustTiming="$timing" \
    -cp "$jar:$classes" io.pixbridge.bench.BlurBench "$@"
