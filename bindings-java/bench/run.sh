#!/usr/bin/env bash
# Compiles and runs the Java benchmark harness against the packaged jar.
# Usage: bindings-java/bench/run.sh IMAGE.png RUST_RESULTS.jsonl OUT.jsonl [--quick]
# The Java-vs-Rust blur verdict pairs Image.blur with the blur timed inside the library, in the
# JVM; RUST_RESULTS (pixbridge-bench's output) gives the Rust process's figures for information.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$(ls "$here"/../target/pixbridge-*.jar | grep -v -- '-sources\|-javadoc' | head -1)"
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -Xlint:all -Werror -d "$classes" -cp "$jar" "$here"/src/io/pixbridge/bench/*.java
java -Xms1g -Xmx3g ${PIXBRIDGE_BENCH_JAVA_OPTS:-} -cp "$jar:$classes" io.pixbridge.bench.BlurBench "$@"
