#!/usr/bin/env bash
# Packages the Java SDK jar (bindings-java/target/pixbridge-0.1.0.jar) from the current sources
# without running its tests: the release JNI library, stripped of debug info as the jar ships it,
# then `mvn package -DskipTests`. Used by the demo and the benchmarks, which must never run a jar
# left over from older sources (ci/test-java.sh builds and tests the jar itself).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"
unset CARGO_TARGET_DIR

apt_install openjdk-17-jdk-headless maven binutils libmaven-compiler-plugin-java libmaven-jar-plugin-java \
    libmaven-resources-plugin-java libsurefire-java junit5
require cargo "install Rust 1.93 or newer"

cargo build --release --offline -q -p pixbridge-jni
native_dir="$(java_native_dir)"
# The benchmark's own build (--features bench-hooks) must never be packed.
if nm -D --defined-only "$native_dir/libpixbridge_jni.so" | grep -q 'Java_io_pixbridge_bench_'; then
    echo "error: $native_dir/libpixbridge_jni.so has benchmark hooks; the jar ships without them" >&2
    exit 1
fi
settings=()
curl -s -o /dev/null --max-time 5 --head https://repo.maven.apache.org/maven2/ \
    || settings=(-s bindings-java/ci-settings.xml)
mvn -B -q -f bindings-java/pom.xml "${settings[@]}" -DskipTests -Dpixbridge.native.dir="$native_dir" package
echo "packaged bindings-java/target/pixbridge-0.1.0.jar"
