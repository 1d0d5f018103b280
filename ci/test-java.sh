#!/usr/bin/env bash
# Java SDK: installs its Debian packages, builds libpixbridge_jni.so (release), checks the
# generated Java sources and the library's exports, packs a copy without debug info, runs
# `mvn package` (JUnit 5 suite with -Xcheck:jni against the classes, then against the packaged
# jar), fails on any JNI warning, and runs the Java sample from the packaged jar. The plugin tests
# and the sample load the plugins in PIXBRIDGE_PLUGIN_DIR; when it is unset, ci/build-plugins.sh
# builds them into target/plugins and it is exported (surefire's test JVMs inherit it). Idempotent;
# works from a fresh clone. The crate's Rust unit tests run in ci/test.sh's workspace
# `cargo test` (a second run here would rebuild the debug dependencies for nothing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"
# The top-level build uses the repository's target/; so does this script.
unset CARGO_TARGET_DIR

# Maven plugins and JUnit for offline builds come from Debian's /usr/share/maven-repo.
apt_install openjdk-17-jdk-headless maven binutils junit5 libsurefire-java \
    libmaven-compiler-plugin-java libmaven-jar-plugin-java libmaven-resources-plugin-java \
    libmaven-install-plugin-java
require cargo "install Rust 1.93 or newer"

stage "Java: libpixbridge_jni.so (release)"
cargo build --release --offline -p pixbridge-jni

stage "Java: Javadoc on every public type and member (doclint, warnings are errors)"
javadoc_out="$(mktemp -d)"
javadoc -quiet -Xdoclint:all -Werror -d "$javadoc_out" \
    bindings-java/src/main/java/module-info.java bindings-java/src/main/java/io/pixbridge/*.java \
    bindings-java/src/main/java/io/pixbridge/imageio/*.java
rm -rf "$javadoc_out"

stage "Java: libpixbridge_jni.so exports only JNI entry points, and no benchmark hook"
library=target/release/libpixbridge_jni.so
exports="$(nm -D --defined-only "$library" | awk '{ print $NF }')"
unexpected="$(grep -Ev '^(Java_io_pixbridge_|JNI_OnLoad$|JNI_OnUnload$)' <<<"$exports" || true)"
if [ -n "$unexpected" ]; then
    echo "error: $library exports symbols other than Java_*/JNI_OnLoad:" >&2
    echo "$unexpected" >&2
    exit 1
fi
# Benchmark hooks (cargo feature bench-hooks, io.pixbridge.bench.*) are never in the shipped library.
hooks="$(grep -E '^Java_io_pixbridge_bench_|Nanos' <<<"$exports" || true)"
if [ -n "$hooks" ]; then
    echo "error: $library exports benchmark hooks (built with --features bench-hooks?):" >&2
    echo "$hooks" >&2
    exit 1
fi
echo "$(wc -l <<<"$exports") exports, all Java_io_pixbridge_*, no benchmark hook"

stage "Java: plugins for the plugin tests and the sample (PIXBRIDGE_PLUGIN_DIR)"
if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
    bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
    export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"
fi
echo "PIXBRIDGE_PLUGIN_DIR=$PIXBRIDGE_PLUGIN_DIR"

stage "Java: the library to pack, without debug info"
packed_dir="$(java_native_dir)"
echo "$(stat -c %s "$library") bytes built, $(stat -c %s "$packed_dir/libpixbridge_jni.so") bytes packed"

stage "Java: mvn package (JUnit 5, -Xcheck:jni, packaged-jar tests)"
maven_args=(-B -f bindings-java/pom.xml -Dpixbridge.native.dir="$packed_dir")
if curl -s -o /dev/null --max-time 5 --head https://repo.maven.apache.org/maven2/; then
    echo "Maven Central is reachable: online build"
else
    echo "Maven Central is unreachable: offline build from /usr/share/maven-repo (bindings-java/ci-settings.xml)"
    maven_args+=(-s bindings-java/ci-settings.xml)
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Earlier runs' reports would mix into the JNI-warning scan below.
rm -rf bindings-java/target/surefire-reports
mvn "${maven_args[@]}" package 2>&1 | tee "$log"

stage "Java: no JNI warnings under -Xcheck:jni"
# The JVM prints -Xcheck:jni findings straight to the process's stdout; surefire shows them in
# the log or, as "corrupted" output, in its .dumpstream files.
if grep -E -i "WARNING in native method|FATAL ERROR in native method|WARNING: JNI local refs|JNI warning|checked JNI" \
        "$log" bindings-java/target/surefire-reports/* 2>/dev/null; then
    echo "error: JNI warnings under -Xcheck:jni (above)" >&2
    exit 1
fi
echo "none"

stage "Java: sample against the packaged jar"
bash ci/demo-java.sh "$PIXBRIDGE_ROOT/bindings-java/target/sample-output"
