#!/usr/bin/env bash
# Memory checks of the library:
# - the Rust suites that drive it in-process (core, runtime, and through the C ABI: c_abi, golden,
#   bad_inputs, stress) under AddressSanitizer + LeakSanitizer (stable toolchain, RUSTC_BOOTSTRAP=1 for -Z
#   flags);
# - the dynamic-loading sample, which dlopen()s libpixbridge.so, under Valgrind memcheck: Rust's
#   ASan runtime is linked statically into executables and is not visible to a dlopen()ed
#   instrumented library, so run-time loading is checked with Valgrind instead.
# Any invalid access or leak fails the run.
#
# Not instrumented: the generated-file tests (they link an uninstrumented C program against the
# library) and the core test that counts allocations with its own global allocator.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

host="$(rustc -vV | sed -n 's/^host: //p')"
# The plugins are built normally (a plugin need not be instrumented to be loaded by an
# instrumented host) before the sanitizer flags are set.
if [ -z "${PIXBRIDGE_PLUGIN_DIR:-}" ]; then
    bash ci/build-plugins.sh "$PIXBRIDGE_ROOT/target/plugins"
    export PIXBRIDGE_PLUGIN_DIR="$PIXBRIDGE_ROOT/target/plugins"
fi
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Zsanitizer=address"
export CARGO_TARGET_DIR="$PIXBRIDGE_ROOT/target/asan"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="report_objects=1"
# ASan's quarantine keeps freed memory resident: the corpus' peak-memory bound does not apply.
export PIXBRIDGE_UNDER_SANITIZER=1
# The --target flag keeps build scripts and proc macros uninstrumented.
cargo_asan=(cargo --offline)

stage "building and testing under AddressSanitizer + LeakSanitizer ($host)"
"${cargo_asan[@]}" test --target "$host" -p pixbridge-runtime -p pixbridge-core --lib 2>&1 | cut_long_lines
"${cargo_asan[@]}" test --target "$host" -p pixbridge-core --test ops --test codecs 2>&1 | cut_long_lines
"${cargo_asan[@]}" test --target "$host" -p pixbridge-ffi --lib --test c_abi --test golden --test bad_inputs --test stress --test bomb_memory \
    --test plugins 2>&1 | cut_long_lines
echo "ASan/LSan: no invalid access, no leak."

stage "the dynamic-loading sample under Valgrind memcheck"
apt_install valgrind
native_build_deps
unset RUSTC_BOOTSTRAP RUSTFLAGS ASAN_OPTIONS LSAN_OPTIONS PIXBRIDGE_UNDER_SANITIZER
export CARGO_TARGET_DIR="$PIXBRIDGE_ROOT/target"
cargo build --offline -p pixbridge-ffi -p pixbridge-sample-dynamic
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
memcheck=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect)
"${memcheck[@]}" target/debug/pixbridge-sample-dynamic --library target/debug/libpixbridge.so --out-dir "$out" \
    testdata/rocket.jpg
# The sample's own tests (they load the library in-process) with Valgrind as the test runner.
host_upper="$(echo "$host" | tr 'a-z-' 'A-Z_')"
env "CARGO_TARGET_${host_upper}_RUNNER=${memcheck[*]}" cargo test --offline -p pixbridge-sample-dynamic
echo "Valgrind memcheck: no invalid access, no definite or indirect leak."
