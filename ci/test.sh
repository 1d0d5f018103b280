#!/usr/bin/env bash
# Runs every test of Pixbridge from a fresh clone: formatting and lints, the Rust suites
# (core, runtime, C ABI, golden manifest, bad-input corpus, generated-file checks,
# dynamic-loading sample), the golden decode check against ImageMagick, the release stress run,
# the C#, Java and Python SDK suites, the C and C++ suites against the installed library
# (ci/test-c.sh), then the reliability checks: ASan/LSan and Valgrind
# (ci/sanitize.sh) and a 60 s fuzz smoke per target (ci/fuzz.sh).
#
# PIXBRIDGE_SKIP_DEEP=1 leaves out the sanitizer and fuzz stages (a quicker local loop; CI
# always runs them).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
require cc "install gcc or clang"
# g++: the C++ wrapper's test program (ffi/tests/generated.rs). webp (dwebp) and libavif-bin
# (avifdec): the independent decoders of core/tests/modern_formats.rs.
apt_install imagemagick icc-profiles-free g++ webp libavif-bin
native_build_deps
check_free_disk 10

log="$(mktemp)"
# On a failure, the free disk is the first thing to rule out (a full disk fails a link with a
# message that is easy to miss in the linker's output).
trap 'status=$?; rm -f "$log"; [ "$status" -eq 0 ] || echo "free disk at the failure: $(($(free_disk_kib) / 1024)) MiB" >&2' EXIT

stage "cargo fmt --check"
cargo fmt --all --check

stage "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --offline -- -D warnings

stage "GitHub Actions workflows (actionlint)"
bash ci/lint-workflows.sh

stage "generated files are up to date (cargo run -p pixbridge-codegen -- --check)"
cargo run --offline -q -p pixbridge-codegen -- --check

stage "sample and test plugins (ci/build-plugins.sh)"
# Built once here; every language's plugin tests load them from PIXBRIDGE_PLUGIN_DIR.
bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"

stage "cargo test (workspace)"
# The workspace build also builds libpixbridge.so, which the sample and C tests load.
cargo build --workspace --offline
cargo test --workspace --offline 2>&1 | tee -a "$log"

stage "golden decodes agree with ImageMagick"
cargo test -p pixbridge-ffi --test golden --offline -- --ignored 2>&1 | tee -a "$log"

stage "release native libraries for the SDKs"
cargo build --release --offline -p pixbridge-ffi -p pixbridge-jni

stage "stress run through the C ABI (release, 4 x cores threads)"
# The debug run above checks correctness; in release the same time covers ~80x more pipelines.
cargo test --release --offline -p pixbridge-ffi --test stress -- --nocapture 2>&1 | tee -a "$log"

stage "C# SDK"
bash ci/test-csharp.sh

stage "Java SDK"
bash ci/test-java.sh

stage "Python package (wheel in a venv, pytest)"
bash ci/test-python.sh

stage "C and C++ (installed library: SONAME, pkg-config, CMake; samples; golden manifest; Valgrind)"
bash ci/test-c.sh

if [ "${PIXBRIDGE_SKIP_DEEP:-0}" != 1 ]; then
    # The sanitizer and fuzz builds write about 5 GiB; on a short disk the debug build of the
    # stages above goes first (the Valgrind stage rebuilds the two crates it needs).
    make_room 5 target/debug
    bash ci/sanitize.sh
    bash ci/fuzz.sh 60
fi

echo
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "Rust: %d passed, %d failed\n", p, f }' "$log"
echo "All Pixbridge tests passed."
