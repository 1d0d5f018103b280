#!/usr/bin/env bash
# The CLI demo: builds the `pixbridge` command-line tool (release) and makes 256x256 cover-fitted
# thumbnails of the test photographs in out/demo/cli, then prints their info. testdata/ also holds
# two deliberately broken files (not-an-image.png, truncated-64x48.png): the CLI reports and
# skips them and exits with 1, which this demo expects; any other failure fails the demo.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

require cargo "install Rust 1.93 or newer"
native_build_deps
out="out/demo/cli"
mkdir -p "$out"
pixbridge="$PIXBRIDGE_ROOT/target/release/pixbridge"
expected_failures=("testdata/not-an-image.png" "testdata/truncated-64x48.png")

stage "building the pixbridge CLI (release)"
cargo build --release --offline -p pixbridge-cli

stage "pixbridge thumbnail testdata/*.jpg testdata/*.png --size 256 --fit cover --out $out"
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
status=0
"$pixbridge" thumbnail testdata/*.jpg testdata/*.png --size 256 --fit cover --out "$out" 2>"$errors" || status=$?
cat "$errors" >&2
# Exit code 1 with exactly the known broken files reported is the expected outcome.
unexpected="$(grep '^error ' "$errors" | grep -v -F "${expected_failures[@]/#/-e}" || true)"
if [ "$status" -ne 0 ] && { [ "$status" -ne 1 ] || [ -n "$unexpected" ]; }; then
    echo "error: pixbridge thumbnail failed unexpectedly (exit code $status)" >&2
    [ -z "$unexpected" ] || echo "$unexpected" >&2
    exit 1
fi
for bad in "${expected_failures[@]}"; do
    grep -q -F "error $bad:" "$errors" || { echo "error: $bad was not reported as a bad file" >&2; exit 1; }
done
echo "(exit code $status: the deliberately broken files above were reported and skipped, as intended)"

stage "pixbridge info $out"
"$pixbridge" info "$out"

echo
echo "CLI demo outputs: $PIXBRIDGE_ROOT/$out/"
