#!/usr/bin/env bash
# The batch CLI against Debian's vipsthumbnail (issue 13): a folder of 24 MP JPEGs made from the
# pipeline benchmark's 6000x4000 mosaic (bench/scripts/pipeline_inputs.sh), 8 variants that are
# not byte-identical (flipped, rotated, re-encoded at qualities 75-95), each thumbnailed into a
# 400x400 box (aspect kept, 400x267) as JPEG q80:
#   pixbridge thumbnail DIR --size 400 --quality 80 -o OUT   (-j = cores, the default; also -j 1)
#   vipsthumbnail DIR/*.jpg -s 400 -o OUT/%s.jpg[Q=80]       (one process, files in sequence)
#   2 x vipsthumbnail, each on half of the files, in parallel (for fairness on 2+ cores)
# Rounds of one run of each configuration, interleaved, sampled by the project's timing rule
# (bench/timing-rule.properties, profile full, or quick with --quick) with a round as one run:
# one untimed warm-up round (page cache), then timed rounds as the rule says. Wall time is
# measured around the whole command; peak RSS is GNU time's "Maximum resident set size" (for the
# two-process row: the sum of the two processes' peaks). Writes a markdown table to OUT.md.
# These are figures, not assertions: on a loaded machine the numbers move.
#
#   bench/scripts/cli_vs_vipsthumbnail.sh OUT.md [--quick]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../ci/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != --quick ]; }; then
    echo "usage: $0 OUT.md [--quick]" >&2
    exit 2
fi
report="$(realpath -m "$1")"
profile=full
[ "${2:-}" = --quick ] && profile=quick
cd "$PIXBRIDGE_ROOT"

apt_install libvips-tools imagemagick time bc cmake nasm
require vipsthumbnail "apt-get install libvips-tools"
gnu_time=/usr/bin/time
convert=/usr/bin/convert # /usr/local/bin may hold a PNG-only stand-in
[ -x "$gnu_time" ] || { echo "error: $gnu_time missing (apt-get install time)" >&2; exit 1; }

stage "building the pixbridge CLI (release)"
cargo build --release --offline -p pixbridge-cli
pixbridge="$PIXBRIDGE_ROOT/target/release/pixbridge"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
inputs="$work/inputs"
mkdir -p "$inputs"

stage "making 8 x 24 MP JPEG inputs"
bash bench/scripts/pipeline_inputs.sh "$work/mosaic" >/dev/null
source_jpeg="$work/mosaic/24mp.jpg"
# name|ImageMagick operations|quality
variants=(
    "photo-1||90"
    "photo-2|-flop|85"
    "photo-3|-flip|80"
    "photo-4|-rotate 180|95"
    "photo-5||75"
    "photo-6|-flip -flop -modulate 100,110|88"
    "photo-7|-flop -modulate 105,100|92"
    "photo-8|-flip -modulate 95,95|82"
)
for variant in "${variants[@]}"; do
    IFS='|' read -r name ops quality <<<"$variant"
    # shellcheck disable=SC2086 # ops is a list of ImageMagick options
    "$convert" "$source_jpeg" $ops -strip -sampling-factor 4:2:0 -quality "$quality" -interlace none "$inputs/$name.jpg"
done
files=("$inputs"/*.jpg)
count=${#files[@]}
half=$((count / 2))
echo "$count inputs: $(identify -format '%wx%h' "${files[0]}"), $(du -sh "$inputs" | cut -f1) in total"

# measure NAME OUTDIR COMMAND...: one run; appends "NAME seconds rss_kib" to $work/results.
measure() {
    local name="$1" outdir="$2"
    shift 2
    rm -rf "$outdir"
    mkdir -p "$outdir"
    local start end
    start=$(date +%s.%N)
    "$gnu_time" -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || {
        cat "$work/stderr.txt" >&2
        echo "error: $name failed" >&2
        exit 1
    }
    end=$(date +%s.%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    echo "$name $(echo "$end - $start" | bc -l) $rss" >>"$work/results"
}

# The same with two vipsthumbnail processes on the two halves of the files, in parallel; the RSS
# is the sum of the two peaks (both are resident at the same time).
measure_two_vips() {
    local name="$1" outdir="$2"
    rm -rf "$outdir"
    mkdir -p "$outdir"
    local start end
    start=$(date +%s.%N)
    "$gnu_time" -v -o "$work/time-a.txt" vipsthumbnail "${files[@]:0:half}" -s 400 -o "$outdir/%s.jpg[Q=80]" &
    local a=$!
    "$gnu_time" -v -o "$work/time-b.txt" vipsthumbnail "${files[@]:half}" -s 400 -o "$outdir/%s.jpg[Q=80]" &
    local b=$!
    wait "$a"
    wait "$b"
    end=$(date +%s.%N)
    local rss
    rss=$(cat "$work/time-a.txt" "$work/time-b.txt" | awk -F': ' '/Maximum resident set size/ { s += $2 } END { print s }')
    echo "$name $(echo "$end - $start" | bc -l) $rss" >>"$work/results"
}

: >"$work/results"
rows=("pixbridge" "pixbridge-j1" "vipsthumbnail" "vipsthumbnail-x2")
# run ROW: one run of the configuration ROW.
run() {
    case "$1" in
    pixbridge) measure "$1" "$work/out-$1" "$pixbridge" thumbnail "$inputs" --size 400 --quality 80 -q -o "$work/out-$1" ;;
    pixbridge-j1) measure "$1" "$work/out-$1" "$pixbridge" thumbnail "$inputs" --size 400 --quality 80 -q -j 1 -o "$work/out-$1" ;;
    vipsthumbnail) measure "$1" "$work/out-$1" vipsthumbnail "${files[@]}" -s 400 -o "$work/out-$1/%s.jpg[Q=80]" ;;
    vipsthumbnail-x2) measure_two_vips "$1" "$work/out-$1" ;;
    esac
}

# round: one run of each configuration; prints the round's seconds.
round() {
    local start
    start=$(date +%s.%N)
    for row in "${rows[@]}"; do
        run "$row"
        tail -n 1 "$work/results" >&2
    done
    echo "$(date +%s.%N) - $start" | bc -l
}

stage "warm-up (one untimed round)"
first=$(round)
# shellcheck disable=SC2207 # four numbers
plan=($(python3 bench/scripts/timing_rule.py "$profile" --plan "$first"))
for ((w = 0; w < plan[0]; w++)); do round >/dev/null; done
: >"$work/results"

stage "timing: rounds by the $profile timing rule (first round took ${first%.*} s)"
runs=0
spent=0
while ((runs < plan[1])) || { ((runs < plan[2])) && (($(echo "$spent < ${plan[3]}" | bc -l))); }; do
    spent=$(echo "$spent + $(round)" | bc -l)
    runs=$((runs + 1))
done

# Output check: every configuration wrote all thumbnails at the same size.
for row in "${rows[@]}"; do
    written=$(find "$work/out-$row" -name '*.jpg' | wc -l)
    [ "$written" -eq "$count" ] || { echo "error: $row wrote $written of $count thumbnails" >&2; exit 1; }
done
size_pb=$(identify -format '%wx%h' "$work/out-pixbridge/photo-1.jpg")
size_vips=$(identify -format '%wx%h' "$work/out-vipsthumbnail/photo-1.jpg")

describe() {
    case "$1" in
    pixbridge) echo "\`pixbridge thumbnail DIR --size 400 --quality 80\` (-j $(nproc), the default)" ;;
    pixbridge-j1) echo "\`pixbridge thumbnail ... -j 1\` (one file at a time)" ;;
    vipsthumbnail) echo "\`vipsthumbnail DIR/*.jpg -s 400 -o OUT/%s.jpg[Q=80]\` (one process)" ;;
    vipsthumbnail-x2) echo "2 x \`vipsthumbnail\` in parallel, half of the files each (RSS summed)" ;;
    esac
}

{
    echo "## Batch thumbnails: pixbridge CLI vs vipsthumbnail"
    echo
    echo "$count JPEGs of 6000x4000 (24 MP, 4:2:0, q75-95, $(du -sh "$inputs" | cut -f1) in total) into a 400x400 box" \
        "(pixbridge: ${size_pb}, vipsthumbnail: ${size_vips}), JPEG q80. $runs timed runs each (the $profile profile of" \
        "bench/timing-rule.properties), interleaved; wall time of the whole command; peak RSS from GNU time."
    echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo))," \
        "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $(vipsthumbnail --vips-version 2>/dev/null | head -1);" \
        "pixbridge $("$pixbridge" --version | cut -d' ' -f2)."
    echo
    echo "| command | runs (s) | median (s) | images/s (median) | peak RSS (MB, max of runs) | output (KiB, all $count) |"
    echo "| --- | --- | --- | --- | --- | --- |"
    for row in "${rows[@]}"; do
        # Sum of the file sizes (du would count whole disk blocks).
        output_kib=$(find "$work/out-$row" -name '*.jpg' -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s / 1024 }')
        awk -v row="$row" -v count="$count" -v what="$(describe "$row")" -v kib="$output_kib" '
            $1 == row { t[n++] = $2; if ($3 > rss) rss = $3 }
            END {
                # insertion sort of the times
                for (i = 1; i < n; i++) { v = t[i]; for (j = i - 1; j >= 0 && t[j] > v; j--) t[j + 1] = t[j]; t[j + 1] = v }
                median = (n % 2) ? t[int(n / 2)] : (t[n / 2 - 1] + t[n / 2]) / 2
                list = ""
                for (i = 0; i < n; i++) list = list (i ? ", " : "") sprintf("%.2f", t[i])
                printf "| %s | %s | %.2f | %.1f | %.0f | %d |\n", what, list, median, count / median, rss / 1024, kib
            }' "$work/results"
    done
} >"$report"
echo
cat "$report"
echo
echo "written: $report"
