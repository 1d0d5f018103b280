#!/usr/bin/env bash
# The long fuzzing run (`make fuzz-long`, not part of `make test`): every target for SECONDS
# (default 3600) on a kept corpus in target/fuzz-corpus/, seeded from the saved corpus
# fuzz/corpus/<target>.tar.gz; then each corpus is minimised with libFuzzer's -merge=1 and
# written back to fuzz/corpus/<target>.tar.gz (sorted, no timestamps), ready to commit, so the
# next run, and the smoke run of `make test`, start where this one ended.
#
#   ci/fuzz-long.sh [SECONDS_PER_TARGET] [TARGET...]
#
# A crash stops the run with libFuzzer's report and the reproducer in fuzz/artifacts/: add it to
# testdata/bad/ as a regression case.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

seconds="${1:-3600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${FUZZ_TARGETS[@]}")
host="$(rustc -vV | sed -n 's/^host: //p')"

export PIXBRIDGE_FUZZ_CORPUS_DIR="$PIXBRIDGE_ROOT/target/fuzz-corpus"
mkdir -p "$PIXBRIDGE_FUZZ_CORPUS_DIR" fuzz/corpus
bash ci/fuzz.sh "$seconds" "${targets[@]}"

for target in "${targets[@]}"; do
    stage "minimising the $target corpus into fuzz/corpus/$target.tar.gz"
    minimal="$(mktemp -d)"
    "$PIXBRIDGE_ROOT/target/fuzz/$host/release/$target" -merge=1 -rss_limit_mb=2048 -max_len=262144 -timeout=20 \
        "$minimal" "$PIXBRIDGE_FUZZ_CORPUS_DIR/corpus-$target" 2>&1 | grep -E '^MERGE-OUTER: [0-9]+ new files' || true
    # The test images seed every run anyway (ci/fuzz.sh): not saved twice (libFuzzer names the
    # merged inputs by the SHA-1 of their content), nor their large mutations (inputs over 16 KiB,
    # about a sixth of them, would make the archive megabytes).
    if [ "$target" = decode ]; then
        find testdata -maxdepth 2 -type f -size -200k -exec sha1sum {} + | cut -d' ' -f1 \
            | while read -r sum; do rm -f "$minimal/$sum"; done
        find "$minimal" -type f -size +16k -delete
    fi
    # Deterministic archive: sorted names, fixed owner and time, gzip without a name or time.
    (cd "$minimal" && find . -type f -printf '%P\n' | LC_ALL=C sort \
        | tar --owner=0 --group=0 --numeric-owner --mtime='@0' -cf - -T - | gzip -n -9 > "$PIXBRIDGE_ROOT/fuzz/corpus/$target.tar.gz")
    echo "$target: $(find "$minimal" -type f | wc -l) inputs, $(du -h "fuzz/corpus/$target.tar.gz" | cut -f1) compressed"
    rm -rf "$minimal"
done
