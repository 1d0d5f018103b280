#!/bin/sh
# Makes the animation fixtures of testdata/animation with independent tools (ImageMagick and
# libwebp's img2webp), not with Pixbridge. Run from this directory: sh make.sh
#
# rgb-3frames.gif / rgb-3frames.webp: a 12 x 8 canvas, three full frames of one colour each,
#   frame 0 red (255, 0, 0), frame 1 lime (0, 255, 0), frame 2 blue (0, 0, 255), shown for
#   100, 200 and 300 ms, looping forever (GIF: NETSCAPE loop count 0; WebP: ANIM loop count 0).
# still.png: a 5 x 3 opaque white PNG (a still image: one frame, delay 0).
set -eu
convert -size 12x8 -loop 0 -delay 10 xc:'#ff0000' -delay 20 xc:'#00ff00' -delay 30 xc:'#0000ff' \
    +dither -layers optimize-plus rgb-3frames.gif
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in ff0000 00ff00 0000ff; do convert -size 12x8 xc:"#$c" "PNG24:$tmp/$c.png"; done
img2webp -loop 0 -lossless -d 100 "$tmp/ff0000.png" -d 200 "$tmp/00ff00.png" -d 300 "$tmp/0000ff.png" \
    -o rgb-3frames.webp
convert -size 5x3 xc:white PNG24:still.png

# Bad inputs for the frame API:
# truncated-3frames.gif: rgb-3frames.gif without its last 20 bytes (frame 2's data and the
#   trailer cut): counting fails with Decode, plain decoding still gives frame 0.
# huge-canvas.gif: rgb-3frames.gif with its logical screen set to 65535 x 65535: LimitExceeded
#   with the default limits, before any pixel is allocated.
size=$(wc -c < rgb-3frames.gif)
head -c $((size - 20)) rgb-3frames.gif > truncated-3frames.gif
{ head -c 6 rgb-3frames.gif; printf '\377\377\377\377'; tail -c +11 rgb-3frames.gif; } > huge-canvas.gif
