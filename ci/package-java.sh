#!/usr/bin/env bash
# Packages the Java SDK jar (bindings-java/target/pixbridge-0.1.0.jar) without running its tests.
#
#   ci/package-java.sh                       this machine's platform, from the current sources: the
#                                            release JNI library, stripped of debug info as the jar
#                                            ships it, then `mvn package -DskipTests`. Used by the
#                                            demo and the benchmarks, which must never run a jar
#                                            left over from older sources (ci/test-java.sh builds
#                                            and tests the jar itself).
#   ci/package-java.sh --natives DIR [--require-all] [--test]
#                                            prebuilt JNI libraries of several platforms, laid out
#                                            DIR/<rid>/<file> (the same runtime identifiers as the
#                                            NuGet package: linux-x64, linux-arm64, linux-musl-x64,
#                                            osx-x64, osx-arm64, win-x64, win-arm64); nothing is
#                                            built. Each becomes io/pixbridge/native/<platform>/<file>
#                                            in the one jar (why one jar: docs/platforms.md).
#                                            --require-all fails unless all seven are there;
#                                            --test runs the JUnit suite on the assembled jar.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"
unset CARGO_TARGET_DIR

natives=""
require_all=0
goal=(-DskipTests package)
while [ $# -gt 0 ]; do
    case "$1" in
        --natives) natives="${2:?--natives needs a folder}"; shift 2 ;;
        --require-all) require_all=1; shift ;;
        --test) goal=(package); shift ;;
        *) echo "package-java.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done

# The loader's platform folder for each runtime identifier (NativeLoader.resourcePath;
# PlatformLayoutTest checks the same seven). The file names come from native_file_name (ci/lib.sh).
java_platform() {
    case "$1" in
        linux-x64) echo linux-x86_64 ;;
        linux-arm64) echo linux-aarch64 ;;
        linux-musl-x64) echo linux-musl-x86_64 ;;
        linux-musl-arm64) echo linux-musl-aarch64 ;;
        osx-x64) echo macos-x86_64 ;;
        osx-arm64) echo macos-aarch64 ;;
        win-x64) echo windows-x86_64 ;;
        win-arm64) echo windows-aarch64 ;;
        *) return 1 ;;
    esac
}

# A path as the JVM reads it: Git Bash on Windows has /d/a/... where Java needs D:/a/...
jvm_path() {
    if command -v cygpath >/dev/null; then cygpath -m "$1"; else echo "$1"; fi
}

# Libraries of an earlier packing stay in target/classes (Maven copies resources, it never
# removes them): start from none, so the jar has exactly the platforms given now.
rm -rf bindings-java/target/classes/io/pixbridge/native

settings=()
curl -s -o /dev/null --max-time 5 --head https://repo.maven.apache.org/maven2/ \
    || settings=(-s bindings-java/ci-settings.xml)

if [ -z "$natives" ]; then
    apt_install openjdk-17-jdk-headless maven binutils libmaven-compiler-plugin-java libmaven-jar-plugin-java \
        libmaven-resources-plugin-java libsurefire-java junit5
    require cargo "install Rust 1.93 or newer"

    cargo build --release --offline -q -p pixbridge-jni
    native_dir="$(java_native_dir)"
    # The benchmark's own build (--features bench-hooks) must never be packed.
    if grep -q 'Java_io_pixbridge_bench_' <<<"$(nm -D --defined-only "$native_dir/libpixbridge_jni.so")"; then
        echo "error: $native_dir/libpixbridge_jni.so has benchmark hooks; the jar ships without them" >&2
        exit 1
    fi
    mvn -B -q -f bindings-java/pom.xml "${settings[@]}" -Dpixbridge.native.dir="$native_dir" "${goal[@]}"
    echo "packaged bindings-java/target/pixbridge-0.1.0.jar"
    exit 0
fi

staged="$PIXBRIDGE_ROOT/bindings-java/target/natives"
empty="$PIXBRIDGE_ROOT/bindings-java/target/no-single-native"
rm -rf "$staged" "$empty"
mkdir -p "$staged" "$empty"
stage_natives package-java.sh pixbridge_jni "$natives" "$staged" "$require_all" java_platform

# The single-platform resource points at an empty folder: every library comes from the staged tree.
mvn -B -q -f bindings-java/pom.xml "${settings[@]}" -Dpixbridge.native.dir="$(jvm_path "$empty")" \
    -Dpixbridge.natives.dir="$(jvm_path "$staged")" "${goal[@]}"
jar=bindings-java/target/pixbridge-0.1.0.jar
expected="$(cd "$staged" && find . -type f | sed 's:^\./:io/pixbridge/native/:' | sort)"
packed="$(jar tf "$jar" | grep '^io/pixbridge/native/.*[^/]$' | sort)"
if [ "$expected" != "$packed" ]; then
    echo "package-java.sh: $jar has other natives than staged:" >&2
    diff <(echo "$expected") <(echo "$packed") >&2 || true
    exit 1
fi
echo "packaged $jar with $(echo "$packed" | wc -l) native libraries:"
echo "$packed" | sed 's/^/  /'
