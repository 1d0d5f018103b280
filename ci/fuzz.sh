#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with AddressSanitizer and the coverage flags cargo-fuzz
# passes (stable toolchain, RUSTC_BOOTSTRAP=1 for -Z flags) and runs each for a bounded time.
#
#   ci/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, all targets)
#
# Seeds come from the saved corpus fuzz/corpus/<target>.tar.gz (written by `make fuzz-long`) and,
# for decode, from testdata/; they are copied into a scratch corpus, so the repository is never
# written. With PIXBRIDGE_FUZZ_CORPUS_DIR set, the corpus of each target lives in
# $PIXBRIDGE_FUZZ_CORPUS_DIR/<target> instead and is kept (ci/fuzz-long.sh uses that).
# A crash stops the run with libFuzzer's report and leaves the reproducer in fuzz/artifacts/;
# add it to testdata/bad/ as a regression case. Executions per target are printed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
native_build_deps
cd "$PIXBRIDGE_ROOT"

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${FUZZ_TARGETS[@]}")
host="$(rustc -vV | sed -n 's/^host: //p')"

export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address \
-Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$PIXBRIDGE_ROOT/target/fuzz"

stage "building fuzz targets (${targets[*]}) with ASan for $host"
# The instrumented build writes about 2 GiB; on a short disk the sanitizer build goes first.
make_room 3 target/asan target/debug
cargo build --offline --release --manifest-path fuzz/Cargo.toml --target "$host" $(printf -- '--bin %s ' "${targets[@]}") \
    2>&1 | cut_long_lines

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
corpus_root="${PIXBRIDGE_FUZZ_CORPUS_DIR:-$work}"
mkdir -p fuzz/artifacts
summary=()
for target in "${targets[@]}"; do
    corpus="$corpus_root/corpus-$target"
    mkdir -p "$corpus"
    if [ -f "fuzz/corpus/$target.tar.gz" ] && [ -z "$(ls -A "$corpus")" ]; then
        tar -xzf "fuzz/corpus/$target.tar.gz" -C "$corpus"
    fi
    if [ "$target" = decode ]; then
        find testdata -maxdepth 2 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.gif' -o -name '*.bmp' \
            -o -name '*.tif*' -o -name '*.webp' -o -name '*.qoi' -o -name '*.tga' -o -name '*.p?m' -o -name '*.ico' \
            -o -name '*.hdr' -o -name '*.bin' \) -size -200k -exec cp {} "$corpus/" \;
    fi
    stage "fuzzing $target for ${seconds}s"
    log="$work/$target.log"
    "$CARGO_TARGET_DIR/$host/release/$target" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -max_len=262144 -timeout=20 -seed=1 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target-" 2>&1 | tee "$log" \
        | grep -E '^(#[0-9]+ +(INITED|DONE)|==[0-9]+==ERROR|SUMMARY)' || true
    # A panic that escapes ends in libFuzzer's "deadly signal" (the harness aborts); a "panicked
    # at" line alone is a panic core caught and turned into an error (a third-party decoder's).
    if grep -qE '==[0-9]+==ERROR|deadly signal|Test unit written to' "$log"; then
        echo "fuzz target $target crashed; reproducer in fuzz/artifacts/" >&2
        tail -40 "$log" >&2
        exit 1
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    summary+=("$target: ${runs:-?} executions in ${seconds}s, no crash")
done
stage "fuzz summary"
printf '%s\n' "${summary[@]}"
