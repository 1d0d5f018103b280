#!/usr/bin/env bash
# Runs the Rust test suites that exercise the library's memory handling, and the dynamic-loading
# sample, under AddressSanitizer + LeakSanitizer (stable toolchain, RUSTC_BOOTSTRAP=1 for -Z
# flags). Any invalid access or leak fails the run.
#
# Not instrumented: the generated-file tests (they link an uninstrumented C program against the
# library) and the core test that counts allocations with its own global allocator.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

host="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Zsanitizer=address"
export CARGO_TARGET_DIR="$PIXBRIDGE_ROOT/target/asan"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="report_objects=1"
# The --target flag keeps build scripts and proc macros uninstrumented.
cargo_asan=(cargo --offline)

stage "building and testing under AddressSanitizer + LeakSanitizer ($host)"
# The sample's tests load the instrumented libpixbridge.so, so build it first.
"${cargo_asan[@]}" build --target "$host" -p pixbridge-ffi -p pixbridge-sample-dynamic
"${cargo_asan[@]}" test --target "$host" -p pixbridge-runtime -p pixbridge-core --lib
"${cargo_asan[@]}" test --target "$host" -p pixbridge-core --test ops --test codecs
"${cargo_asan[@]}" test --target "$host" -p pixbridge-ffi --lib --test c_abi --test golden
"${cargo_asan[@]}" test --target "$host" -p pixbridge-sample-dynamic

stage "the Rust sample end to end under ASan"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$CARGO_TARGET_DIR/$host/debug/pixbridge-sample-dynamic" --library "$CARGO_TARGET_DIR/$host/debug/libpixbridge.so" \
    --out-dir "$out" testdata/rocket.jpg
echo "ASan/LSan: no invalid access, no leak."
