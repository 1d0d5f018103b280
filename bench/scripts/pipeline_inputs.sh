#!/usr/bin/env bash
# Makes the inputs of the pipeline benchmark (issue 13) from the repository's test photographs,
# with ImageMagick, into DIR:
#   4k.jpg    3840x2160 photographic mosaic, baseline JPEG q90 4:2:0, no restart markers
#   24mp.jpg  6000x4000 mosaic, same encoding
#   4k.png    the 4K mosaic as an RGB PNG (lossless, made from the same pixels as 4k.jpg's source)
# The mosaics tile the five photographs of testdata/ (astronaut, chelsea, coffee, hubble deep
# field, rocket), each tile scaled to cover its cell and centre-cropped, every other row mirrored,
# so that the content is photographic everywhere (no flat areas, no repeated edges).
# Deterministic: metadata and PNG time chunks are stripped, so every run writes the same bytes.
#
#   bench/scripts/pipeline_inputs.sh DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../ci/lib.sh"

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
out="$1"
mkdir -p "$out"

# /usr/local/bin may hold a stand-in convert that only handles PNG; use Debian's ImageMagick.
apt_install imagemagick
convert=/usr/bin/convert
[ -x "$convert" ] || { echo "error: $convert missing after installing imagemagick" >&2; exit 1; }

photos=(astronaut.png coffee.png rocket.jpg chelsea.png hubble_deep_field.jpg)
testdata="$PIXBRIDGE_ROOT/testdata"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# mosaic NAME COLUMNS ROWS TILE_W TILE_H: writes $work/NAME.ppm (8-bit RGB), COLUMNS*TILE_W wide.
mosaic() {
    local name="$1" columns="$2" rows="$3" tile_w="$4" tile_h="$5"
    local row column index rows_files=()
    for ((row = 0; row < rows; row++)); do
        local tiles=()
        for ((column = 0; column < columns; column++)); do
            # Shift the photo sequence by 2 per row so that no photo sits above itself.
            index=$(((column + 2 * row) % ${#photos[@]}))
            local tile="$work/$name-$row-$column.ppm"
            local flop=()
            ((row % 2 == 1)) && flop=(-flop)
            "$convert" -quiet "$testdata/${photos[$index]}" -colorspace sRGB -type TrueColor -alpha off \
                -filter Lanczos -resize "${tile_w}x${tile_h}^" -gravity center -extent "${tile_w}x${tile_h}" \
                "${flop[@]}" -depth 8 "$tile"
            tiles+=("$tile")
        done
        "$convert" "${tiles[@]}" +append "$work/$name-row-$row.ppm"
        rows_files+=("$work/$name-row-$row.ppm")
    done
    "$convert" "${rows_files[@]}" -append -depth 8 "$work/$name.ppm"
}

# 4K: 6 x 3 tiles of 640x720; 24 MP: 8 x 5 tiles of 750x800 (tiles near the photos' own sizes,
# so little upscaling smooths them).
mosaic 4k 6 3 640 720
mosaic 24mp 8 5 750 800

jpeg=(-strip -sampling-factor 4:2:0 -quality 90 -interlace none -define jpeg:restart-interval=0)
"$convert" "$work/4k.ppm" "${jpeg[@]}" "$out/4k.jpg"
"$convert" "$work/24mp.ppm" "${jpeg[@]}" "$out/24mp.jpg"
"$convert" "$work/4k.ppm" -strip -define png:exclude-chunks=date,time -define png:color-type=2 "$out/4k.png"

for file in 4k.jpg 24mp.jpg 4k.png; do
    echo "$out/$file: $(identify -format '%wx%h %m q%Q %[jpeg:sampling-factor]' "$out/$file" 2>/dev/null) $(stat -c %s "$out/$file") bytes"
done
