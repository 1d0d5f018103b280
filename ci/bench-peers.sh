#!/usr/bin/env bash
# Native side-by-side: times OpenCV's cv2.GaussianBlur (Debian python3-opencv, in-process) and
# libvips' vips_gaussblur (Debian libvips-dev, in-process through bench/peers/vips_gaussblur.c,
# built here with gcc) on the same images as Pixbridge, in the same run, on one thread and on all
# threads; measures their accuracy against the f64 reference blur of pixbridge-bench; libvips at
# its defaults and in the cheapest configuration that reaches Pixbridge's accuracy; also, at 4K, the
# libvips build that NetVips ships when the C# benchmark has restored it (~/.nuget). Then times
# Pixbridge (its C ABI, libpixbridge.so) and OpenCV in pairs, one call at a time, up to sigma 10
# (bench/scripts/paired.py; PAIRED.jsonl is paired.jsonl next to PEERS.jsonl).
#
# Usage: ci/bench-peers.sh [--quick] [--ours OURS.jsonl --images DIR] [--out PEERS.jsonl] [--sigmas LIST]
# Without --ours, it builds pixbridge-bench and times Pixbridge's 4K blur itself first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PIXBRIDGE_ROOT"

quick=()
ours=""
images=""
out="out/bench/peers.jsonl"
sigmas="1,2,5,10,40,100"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick); shift ;;
        --ours) ours="$2"; shift 2 ;;
        --images) images="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --sigmas) sigmas="$2"; shift 2 ;;
        *) echo "usage: $0 [--quick] [--ours OURS.jsonl --images DIR] [--out PEERS.jsonl] [--sigmas LIST]" >&2; exit 2 ;;
    esac
done

# Debian's python (the one python3-opencv installs into), not a pyenv one earlier on PATH.
apt_install python3-opencv libvips-tools libvips-dev gcc pkg-config
python=/usr/bin/python3
"$python" -c "import cv2, numpy" || { echo "error: $python cannot import cv2" >&2; exit 1; }
require vips "apt-get install libvips-tools"
require gcc "apt-get install gcc"

# The libvips timer, rebuilt every run (a second of gcc) so that it always matches its source.
vips_timer="target/peers/vips_gaussblur"
mkdir -p "$(dirname "$vips_timer")"
# shellcheck disable=SC2046 # pkg-config prints several flags on purpose
gcc -O2 -Wall -Wextra -Werror -o "$vips_timer" bench/peers/vips_gaussblur.c $(pkg-config --cflags --libs vips)
# A second libvips peer when the C# benchmark's NetVips has been restored: the same program linked
# to the libvips that NetVips ships (newer than Debian's, with faster integer convolution; it
# bundles its own GLib, hence no system -lglib). The highest restored version is used.
netvips_args=()
netvips_lib="$(ls -d "$HOME"/.nuget/packages/netvips.native.linux-x64/*/runtimes/linux-x64/native 2>/dev/null \
    | sort -V | tail -1)"
if [ -n "$netvips_lib" ] && [ -f "$netvips_lib/libvips.so.42" ]; then
    # shellcheck disable=SC2046
    gcc -O2 -Wall -Wextra -Werror -o "$vips_timer-netvips" bench/peers/vips_gaussblur.c \
        $(pkg-config --cflags vips) -L"$netvips_lib" -l:libvips.so.42 -Wl,-rpath,"$netvips_lib"
    if "$vips_timer-netvips" version >/dev/null; then
        netvips_args=(--netvips-vips "$vips_timer-netvips")
    else
        echo "warning: the NetVips build of libvips in $netvips_lib does not run; timing the system libvips only" >&2
    fi
else
    echo "note: no NetVips libvips in ~/.nuget (restore bindings-csharp/benchmarks first); timing the system libvips only" >&2
fi

mkdir -p "$(dirname "$out")"
if [ -z "$ours" ]; then
    unset CARGO_TARGET_DIR
    stage "peers: Pixbridge's 4K blur (pixbridge-bench)"
    cargo build --release --offline -q -p pixbridge-bench
    images="out/bench/images"
    ours="out/bench/ours-4k.jsonl"
    target/release/pixbridge-bench "${quick[@]}" --sizes 4k --sigmas "$sigmas" --sections blur,accuracy \
        --export "$images" --out "$ours"
fi
[ -n "$images" ] || { echo "error: --ours needs --images (the pixbridge-bench --export directory)" >&2; exit 2; }

stage "peers: OpenCV and libvips"
"$python" bench/scripts/peers.py "$images" "$ours" "$out" "$vips_timer" "${netvips_args[@]}" "${quick[@]}" \
    --sigmas "$sigmas"

# Pairs at the sigmas where OpenCV is a close peer (above 10 it is several times slower).
paired_out="$(dirname "$out")/paired.jsonl"
paired_sigmas="$("$python" -c 'import sys; print(",".join(s for s in sys.argv[1].split(",") if float(s) <= 10))' "$sigmas")"
if [ -n "$paired_sigmas" ]; then
    unset CARGO_TARGET_DIR
    stage "peers: Pixbridge and OpenCV in pairs (bench/scripts/paired.py)"
    cargo build --release --offline -q -p pixbridge-ffi
    rm -f "$paired_out"
    for threads in 1 "$(nproc)"; do
        "$python" bench/scripts/paired.py "$images" target/release/libpixbridge.so "$paired_out" \
            --threads "$threads" --sigmas "$paired_sigmas" "${quick[@]}"
    done
fi
