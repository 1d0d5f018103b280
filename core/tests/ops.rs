//! Every operation checked against index arithmetic or formulas written out independently, on
//! small synthetic images; plus the in-place / new-image rule and parameter validation.

mod common;

use common::{indexed_image, max_abs_diff, noise_image, pixel, pixel_of};
use pixbridge_core::{ColorType, Error, Image, ResizeFilter, blur};

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    match result {
        Err(Error::InvalidArgument(message)) => assert!(!message.is_empty()),
        other => panic!("{what}: expected InvalidArgument, got {other:?}"),
    }
}

/// Runs an in-place operation and checks the rule: same buffer (no reallocation), same size.
fn in_place(image: &mut Image, op: impl FnOnce(&mut Image) -> Result<(), Error>) {
    let (ptr, len) = (image.pixels().as_ptr(), image.pixels().len());
    let (w, h) = (image.width(), image.height());
    op(image).unwrap();
    assert_eq!(image.pixels().as_ptr(), ptr, "in-place operation reallocated the buffer");
    assert_eq!(image.pixels().len(), len);
    assert_eq!((image.width(), image.height()), (w, h));
}

// ---------------------------------------------------------------- geometry, in place

#[test]
fn mirror_maps_x_to_width_minus_one_minus_x() {
    for (w, h) in [(1, 1), (2, 3), (5, 4), (7, 1)] {
        let source = indexed_image(w, h);
        let mut image = source.clone();
        in_place(&mut image, Image::mirror);
        for y in 0..h {
            for x in 0..w {
                assert_eq!(pixel(&image, x, y), pixel(&source, w - 1 - x, y), "{w}x{h} at ({x},{y})");
            }
        }
    }
}

#[test]
fn flip_vertical_maps_y_to_height_minus_one_minus_y() {
    for (w, h) in [(1, 1), (3, 2), (4, 5), (1, 7)] {
        let source = indexed_image(w, h);
        let mut image = source.clone();
        in_place(&mut image, Image::flip_vertical);
        for y in 0..h {
            for x in 0..w {
                assert_eq!(pixel(&image, x, y), pixel(&source, x, h - 1 - y), "{w}x{h} at ({x},{y})");
            }
        }
    }
}

#[test]
fn rotate180_maps_both_axes() {
    for (w, h) in [(1, 1), (3, 2), (4, 5)] {
        let source = indexed_image(w, h);
        let mut image = source.clone();
        in_place(&mut image, Image::rotate180);
        for y in 0..h {
            for x in 0..w {
                assert_eq!(pixel(&image, x, y), pixel(&source, w - 1 - x, h - 1 - y));
            }
        }
    }
}

#[test]
fn rotate180_equals_mirror_then_flip() {
    let mut a = noise_image(9, 6, 7);
    let mut b = a.clone();
    a.rotate180().unwrap();
    b.mirror().unwrap();
    b.flip_vertical().unwrap();
    assert_eq!(a.pixels(), b.pixels());
}

// ---------------------------------------------------------------- geometry, new image

#[test]
fn rotate90_is_clockwise_by_hand_example() {
    // 3 x 2 source, pixels named by their red value:   1 2 3
    //                                                  4 5 6
    // Clockwise: 2 x 3 result                          4 1
    //                                                  5 2
    //                                                  6 3
    let source = Image::from_rgba8(3, 2, (1..=6).flat_map(|v| [v, 0, 0, 255]).collect()).unwrap();
    let rotated = source.rotate90().unwrap();
    assert_eq!((rotated.width(), rotated.height()), (2, 3));
    let reds: Vec<u8> = rotated.pixels().chunks(4).map(|p| p[0]).collect();
    assert_eq!(reds, [4, 1, 5, 2, 6, 3]);

    let back = source.rotate270().unwrap();
    let reds: Vec<u8> = back.pixels().chunks(4).map(|p| p[0]).collect();
    // Counter-clockwise:  3 6
    //                     2 5
    //                     1 4
    assert_eq!(reds, [3, 6, 2, 5, 1, 4]);
}

#[test]
fn rotate90_and_rotate270_by_index_and_composition() {
    for (w, h) in [(1, 1), (4, 3), (2, 7)] {
        let source = indexed_image(w, h);
        let cw = source.rotate90().unwrap();
        let ccw = source.rotate270().unwrap();
        assert_eq!((cw.width(), cw.height()), (h, w));
        assert_eq!((ccw.width(), ccw.height()), (h, w));
        for y in 0..w {
            for x in 0..h {
                assert_eq!(pixel(&cw, x, y), pixel(&source, y, h - 1 - x));
                assert_eq!(pixel(&ccw, x, y), pixel(&source, w - 1 - y, x));
            }
        }
        assert_eq!(cw.rotate270().unwrap(), source);
        let mut half = source.clone();
        half.rotate180().unwrap();
        assert_eq!(cw.rotate90().unwrap(), half);
        // The source is untouched by new-image operations.
        assert_eq!(source, indexed_image(w, h));
    }
}

#[test]
fn crop_copies_the_rectangle() {
    let source = indexed_image(6, 5);
    for (x0, y0, w, h) in [(0, 0, 6, 5), (1, 2, 3, 2), (5, 4, 1, 1), (0, 3, 6, 2)] {
        let cropped = source.crop(x0, y0, w, h).unwrap();
        assert_eq!((cropped.width(), cropped.height()), (w, h));
        assert_eq!(cropped.color_type(), source.color_type());
        for y in 0..h {
            for x in 0..w {
                assert_eq!(pixel(&cropped, x, y), pixel(&source, x0 + x, y0 + y));
            }
        }
    }
}

#[test]
fn crop_rejects_rectangles_outside_or_empty() {
    let image = indexed_image(6, 5);
    let cases = [
        (0, 0, 0, 1),
        (0, 0, 1, 0),
        (0, 0, 7, 1),
        (0, 0, 1, 6),
        (6, 0, 1, 1),
        (0, 5, 1, 1),
        (5, 4, 2, 1),
        (u32::MAX, 0, 2, 1), // x + width overflows u32
        (0, u32::MAX, 1, 2),
        (1, 1, u32::MAX, u32::MAX),
    ];
    for (x, y, w, h) in cases {
        assert_invalid(image.crop(x, y, w, h), &format!("crop({x},{y},{w},{h})"));
    }
}

// ---------------------------------------------------------------- resize

/// Nearest reference in f64: the source index is floor((i + 0.5) * src / dst).
fn nearest_reference(source: &Image, width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for y in 0..height {
        let sy = ((f64::from(y) + 0.5) * f64::from(source.height()) / f64::from(height)).floor() as u32;
        for x in 0..width {
            let sx = ((f64::from(x) + 0.5) * f64::from(source.width()) / f64::from(width)).floor() as u32;
            out.extend_from_slice(&pixel(source, sx, sy));
        }
    }
    out
}

#[test]
fn resize_nearest_hand_examples() {
    // 4 x 1 -> 2 x 1 samples the centres 1.0 and 3.0: source pixels 1 and 3.
    let row = Image::from_rgba8(4, 1, (10..14).flat_map(|v| [v, v, v, 255]).collect()).unwrap();
    let half = row.resize(2, 1, ResizeFilter::Nearest).unwrap();
    assert_eq!(half.pixels(), &[11, 11, 11, 255, 13, 13, 13, 255]);
    // 2 x 2 -> 4 x 4 duplicates every pixel into a 2 x 2 block.
    let small = indexed_image(2, 2);
    let big = small.resize(4, 4, ResizeFilter::Nearest).unwrap();
    for y in 0..4 {
        for x in 0..4 {
            assert_eq!(pixel(&big, x, y), pixel(&small, x / 2, y / 2));
        }
    }
}

#[test]
fn resize_nearest_matches_pixel_centre_reference() {
    let source = indexed_image(7, 5);
    for (w, h) in [(1, 1), (3, 2), (7, 5), (10, 13), (14, 3), (2, 9), (25, 25)] {
        let resized = source.resize(w, h, ResizeFilter::Nearest).unwrap();
        assert_eq!((resized.width(), resized.height()), (w, h));
        assert_eq!(resized.pixels(), nearest_reference(&source, w, h).as_slice(), "{w}x{h}");
    }
}

/// The documented separable filter with premultiplied alpha, written out in f64: colours are
/// multiplied by alpha / 255, all four channels filtered, vertical pass first into an 8-bit
/// intermediate (rounded and clamped to 0..=255, as documented), then horizontal, unrounded.
/// Returns premultiplied RGBA per pixel, alpha clamped to
/// 0..=255 and colour to 0..=alpha (what an 8-bit straight-alpha result can express).
fn filter_reference(source: &Image, width: u32, height: u32, kernel: fn(f64) -> f64, support: f64) -> Vec<[f64; 4]> {
    fn weights(src: u32, dst: u32, o: u32, kernel: fn(f64) -> f64, support: f64) -> Vec<(usize, f64)> {
        let ratio = f64::from(src) / f64::from(dst);
        let scale = ratio.max(1.0);
        let centre = (f64::from(o) + 0.5) * ratio;
        let left = ((centre - support * scale).floor() as i64).clamp(0, i64::from(src) - 1);
        let right = ((centre + support * scale).ceil() as i64).clamp(left + 1, i64::from(src));
        let raw: Vec<(usize, f64)> =
            (left..right).map(|i| (i as usize, kernel((i as f64 + 0.5 - centre) / scale))).collect();
        let sum: f64 = raw.iter().map(|(_, w)| w).sum();
        raw.into_iter().map(|(i, w)| (i, w / sum)).collect()
    }
    let (sw, sh) = (source.width() as usize, source.height());
    let premultiplied: Vec<[f64; 4]> = source
        .pixels()
        .chunks(4)
        .map(|p| {
            let a = f64::from(p[3]);
            [f64::from(p[0]) * a / 255.0, f64::from(p[1]) * a / 255.0, f64::from(p[2]) * a / 255.0, a]
        })
        .collect();
    // Vertical pass: sw x height.
    let mut vertical = vec![[0f64; 4]; sw * height as usize];
    for y in 0..height {
        let ws = weights(sh, height, y, kernel, support);
        for x in 0..sw {
            for c in 0..4 {
                let sum: f64 = ws.iter().map(|&(i, w)| w * premultiplied[i * sw + x][c]).sum();
                vertical[y as usize * sw + x][c] = sum.round().clamp(0.0, 255.0);
            }
        }
    }
    let mut out = vec![[0f64; 4]; width as usize * height as usize];
    for x in 0..width {
        let ws = weights(sw as u32, width, x, kernel, support);
        for y in 0..height as usize {
            let mut px = [0f64; 4];
            for (c, value) in px.iter_mut().enumerate() {
                *value = ws.iter().map(|&(i, w)| w * vertical[y * sw + i][c]).sum();
            }
            let alpha = px[3].clamp(0.0, 255.0);
            out[y * width as usize + x as usize] =
                [px[0].clamp(0.0, alpha), px[1].clamp(0.0, alpha), px[2].clamp(0.0, alpha), alpha];
        }
    }
    out
}

/// The largest difference between a resized image and the premultiplied reference, as
/// (premultiplied colour, alpha).
fn premultiplied_error(resized: &Image, reference: &[[f64; 4]]) -> (f64, f64) {
    let mut worst = (0f64, 0f64);
    for (p, r) in resized.pixels().chunks(4).zip(reference) {
        let a = f64::from(p[3]);
        worst.1 = worst.1.max((a - r[3]).abs());
        for c in 0..3 {
            worst.0 = worst.0.max((f64::from(p[c]) * a / 255.0 - r[c]).abs());
        }
    }
    worst
}

fn triangle(t: f64) -> f64 {
    (1.0 - t.abs()).max(0.0)
}

fn lanczos3(t: f64) -> f64 {
    fn sinc(t: f64) -> f64 {
        if t == 0.0 { 1.0 } else { (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t) }
    }
    if t.abs() < 3.0 { sinc(t) * sinc(t / 3.0) } else { 0.0 }
}

const SIZES: [(u32, u32); 8] = [(4, 3), (18, 14), (5, 11), (1, 1), (13, 2), (46, 34), (2, 50), (100, 71)];

#[test]
fn resize_bilinear_and_lanczos3_match_the_documented_filter_with_premultiplied_alpha() {
    // Random alpha everywhere: every output pixel mixes different opacities.
    let source = noise_image(23, 17, 42);
    for (w, h) in SIZES {
        for (filter, kernel, support) in
            [(ResizeFilter::Bilinear, triangle as fn(f64) -> f64, 1.0), (ResizeFilter::Lanczos3, lanczos3, 3.0)]
        {
            let resized = source.resize(w, h, filter).unwrap();
            let (colour, alpha) = premultiplied_error(&resized, &filter_reference(&source, w, h, kernel, support));
            // Fixed-point weights can round the 8-bit intermediate the other way (one level,
            // times up to ~1.3 for the sum of |Lanczos weights| in the second pass), plus the
            // final rounding; the 8-bit premultiplied source and the division by alpha add up
            // to one more level of colour. (Straight alpha or a wrong kernel are off by tens.)
            assert!(alpha <= 2.0, "{filter} {w}x{h}: alpha off by {alpha}");
            assert!(colour <= 3.0, "{filter} {w}x{h}: premultiplied colour off by {colour}");
        }
    }
}

#[test]
fn resize_of_an_opaque_image_matches_the_documented_filter_within_two_levels() {
    let mut pixels = noise_image(23, 17, 7).into_pixels();
    pixels.chunks_mut(4).for_each(|p| p[3] = 255);
    let source = Image::from_rgba8(23, 17, pixels).unwrap();
    for (w, h) in SIZES {
        for (filter, kernel, support) in
            [(ResizeFilter::Bilinear, triangle as fn(f64) -> f64, 1.0), (ResizeFilter::Lanczos3, lanczos3, 3.0)]
        {
            let resized = source.resize(w, h, filter).unwrap();
            let expected: Vec<u8> = filter_reference(&source, w, h, kernel, support)
                .iter()
                .flat_map(|p| p.map(|v| v.round() as u8))
                .collect();
            // One level at the 8-bit intermediate (amplified by up to ~1.3) plus final rounding.
            assert!(max_abs_diff(resized.pixels(), &expected) <= 2, "{filter} {w}x{h}");
        }
    }
}

#[test]
fn transparent_colour_does_not_bleed_into_opaque_pixels() {
    // Left half fully transparent red, right half opaque blue: after any smoothing resize the
    // visible pixels must stay blue (straight alpha would mix in the invisible red).
    let (w, h) = (16, 4);
    let pixels: Vec<u8> =
        (0..w * h).flat_map(|i| if i % w < w / 2 { [255, 0, 0, 0] } else { [0, 0, 255, 255] }).collect();
    let source = Image::from_rgba8(w, h, pixels).unwrap();
    for filter in [ResizeFilter::Bilinear, ResizeFilter::Lanczos3] {
        for (tw, th) in [(6, 3), (11, 4), (32, 8)] {
            let resized = source.resize(tw, th, filter).unwrap();
            for p in resized.pixels().chunks(4).filter(|p| p[3] > 0) {
                assert!(p[0] <= 1 && p[2] >= 254, "{filter} {tw}x{th}: visible pixel {p:?} picked up red");
            }
            // And the edge really was smoothed: some pixel is partly transparent.
            assert!(resized.pixels().chunks(4).any(|p| p[3] > 0 && p[3] < 255), "{filter} {tw}x{th}");
        }
    }
}

#[test]
fn resize_bilinear_hand_example() {
    // 2 x 1 (0 and 200) -> 4 x 1: centres map to source positions -0.25, 0.25, 0.75, 1.25,
    // i.e. 0, 50, 150, 200 after clamping at the edges.
    let row = Image::from_rgba8(2, 1, vec![0, 0, 0, 255, 200, 200, 200, 255]).unwrap();
    let wide = row.resize(4, 1, ResizeFilter::Bilinear).unwrap();
    let reds: Vec<u8> = wide.pixels().chunks(4).map(|p| p[0]).collect();
    assert_eq!(reds, [0, 50, 150, 200]);
}

#[test]
fn resize_same_size_is_an_exact_copy_and_keeps_colour_type() {
    let mut source = noise_image(6, 4, 3);
    source.grayscale().unwrap();
    for filter in ResizeFilter::ALL {
        let copy = source.resize(6, 4, filter).unwrap();
        assert_eq!(copy, source, "{filter}");
        assert_eq!(source.resize(3, 2, filter).unwrap().color_type(), ColorType::La8);
    }
}

#[test]
fn resize_constant_image_stays_constant() {
    // Opaque: exact.
    let source = Image::from_rgba8(5, 3, [90, 120, 30, 255].repeat(15)).unwrap();
    for filter in ResizeFilter::ALL {
        for (w, h) in [(11, 7), (2, 1), (5, 9)] {
            let resized = source.resize(w, h, filter).unwrap();
            assert!(resized.pixels().chunks(4).all(|p| p == [90, 120, 30, 255]), "{filter} {w}x{h}");
        }
    }
    // Translucent: alpha exact; colours pass through an 8-bit premultiplied intermediate
    // (90 * 200 / 255 = 70.6 is stored as 71, and 71 * 255 / 200 = 90.5), so within a level.
    let source = Image::from_rgba8(5, 3, [90, 120, 30, 200].repeat(15)).unwrap();
    for filter in ResizeFilter::ALL {
        for (w, h) in [(11, 7), (2, 1), (5, 9)] {
            let resized = source.resize(w, h, filter).unwrap();
            let expected = [90, 120, 30, 200].repeat((w * h) as usize);
            assert!(resized.pixels().chunks(4).all(|p| p[3] == 200), "{filter} {w}x{h}");
            assert!(max_abs_diff(resized.pixels(), &expected) <= 1, "{filter} {w}x{h}");
        }
    }
}

#[test]
fn resize_rejects_zero_and_oversized_targets() {
    let image = indexed_image(3, 3);
    for filter in ResizeFilter::ALL {
        for (w, h) in [(0, 1), (1, 0), (0, 0), (32769, 1), (1, 32769), (32768, 32768), (u32::MAX, u32::MAX)] {
            assert_invalid(image.resize(w, h, filter), &format!("resize {w}x{h} {filter}"));
        }
    }
    assert_eq!(ResizeFilter::from_name("Lanczos3"), Some(ResizeFilter::Lanczos3));
    assert_eq!(ResizeFilter::from_name("Bicubic"), None);
}

// ---------------------------------------------------------------- colour, in place

/// Is `y` the Rec. 709 luma of (r, g, b) rounded half up? That is:
/// y - 0.5 <= 0.2126 r + 0.7152 g + 0.0722 b < y + 0.5, checked in integers (x 20000).
fn is_rounded_luma(y: u8, [r, g, b, _]: [u8; 4]) -> bool {
    let weighted = 2 * (2126 * i64::from(r) + 7152 * i64::from(g) + 722 * i64::from(b));
    let y = 20000 * i64::from(y);
    y - 10000 <= weighted && weighted < y + 10000
}

#[test]
fn grayscale_uses_rec709_luma_and_keeps_alpha() {
    let source = noise_image(16, 16, 99);
    let mut grey = source.clone();
    in_place(&mut grey, Image::grayscale);
    for (out, src) in grey.pixels().chunks(4).zip(source.pixels().chunks(4)) {
        let src: [u8; 4] = src.try_into().unwrap();
        assert_eq!(out[0], out[1]);
        assert_eq!(out[1], out[2]);
        assert!(is_rounded_luma(out[0], src), "{src:?} -> {}", out[0]);
        assert_eq!(out[3], src[3]);
    }
    assert_eq!(grey.color_type(), ColorType::La8);
    // Hand values: 0.2126 * 255 = 54.213, 0.7152 * 255 = 182.376, 0.0722 * 255 = 18.411.
    let mut primaries = Image::from_rgba8(3, 1, vec![255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9]).unwrap();
    primaries.grayscale().unwrap();
    assert_eq!(primaries.pixels(), &[54, 54, 54, 9, 182, 182, 182, 9, 18, 18, 18, 9]);
}

#[test]
fn grayscale_of_an_opaque_source_is_l8() {
    let rgb = common::png_with(&[10, 200, 30, 40, 50, 60], 2, 1, image::ExtendedColorType::Rgb8);
    let mut image = Image::decode(&rgb).unwrap();
    assert_eq!(image.color_type(), ColorType::Rgb8);
    image.grayscale().unwrap();
    assert_eq!(image.color_type(), ColorType::L8);
    // Grey stays grey: a second pass changes nothing.
    let once = image.clone();
    image.grayscale().unwrap();
    assert_eq!(image, once);
}

#[test]
fn brightness_adds_and_saturates_colour_only() {
    let source = noise_image(8, 8, 5);
    for delta in [-255, -100, -1, 0, 1, 37, 255] {
        let mut image = source.clone();
        in_place(&mut image, |i| i.adjust_brightness(delta));
        for (out, src) in image.pixels().chunks(4).zip(source.pixels().chunks(4)) {
            for c in 0..3 {
                assert_eq!(i32::from(out[c]), (i32::from(src[c]) + delta).clamp(0, 255));
            }
            assert_eq!(out[3], src[3]);
        }
    }
    let mut image = source.clone();
    for bad in [256, -256, i32::MAX, i32::MIN] {
        assert_invalid(image.adjust_brightness(bad), &format!("brightness {bad}"));
    }
    assert_eq!(image, source, "a rejected call must not change the image");
}

#[test]
fn contrast_hand_values() {
    // factor = ((100 + 100) / 100)^2 = 4: v -> 4 v - 382.5, rounded half away from zero.
    let values = [0u8, 95, 96, 100, 127, 128, 160, 255];
    let mut image = Image::from_rgba8(8, 1, values.iter().flat_map(|&v| [v, v, v, 77]).collect()).unwrap();
    in_place(&mut image, |i| i.adjust_contrast(100.0));
    let reds: Vec<u8> = image.pixels().chunks(4).map(|p| p[0]).collect();
    assert_eq!(reds, [0, 0, 2, 18, 126, 130, 255, 255]);
    assert!(image.pixels().chunks(4).all(|p| p[3] == 77));

    // -100 flattens to 127.5, rounded to 128; 0 is the identity.
    let source = noise_image(6, 6, 8);
    let mut flat = source.clone();
    flat.adjust_contrast(-100.0).unwrap();
    assert!(flat.pixels().chunks(4).zip(source.pixels().chunks(4)).all(|(o, s)| o[..3] == [128; 3] && o[3] == s[3]));
    let mut same = source.clone();
    same.adjust_contrast(0.0).unwrap();
    assert_eq!(same, source);
}

#[test]
fn contrast_matches_image_crate_formula() {
    let source = noise_image(10, 10, 11);
    for contrast in [-99.5f32, -50.0, -12.3, 7.7, 42.0, 250.0] {
        let mut image = source.clone();
        image.adjust_contrast(contrast).unwrap();
        let percent = ((100.0 + f64::from(contrast)) / 100.0).powi(2);
        for (out, src) in image.pixels().chunks(4).zip(source.pixels().chunks(4)) {
            for c in 0..3 {
                // image::imageops::contrast's expression, rounded instead of truncated.
                let expected = ((f64::from(src[c]) / 255.0 - 0.5) * percent + 0.5) * 255.0;
                let expected = expected.clamp(0.0, 255.0);
                assert!((f64::from(out[c]) - expected).abs() <= 0.5 + 1e-9, "{contrast}: {} vs {expected}", out[c]);
            }
            assert_eq!(out[3], src[3]);
        }
    }
}

#[test]
fn contrast_rejects_non_finite_and_below_minus_100() {
    let mut image = indexed_image(2, 2);
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -100.01, -1000.0] {
        assert_invalid(image.adjust_contrast(bad), &format!("contrast {bad}"));
    }
    assert_eq!(image, indexed_image(2, 2));
}

// ---------------------------------------------------------------- blur and unsharpen

#[test]
fn blur_returns_a_new_image_and_keeps_the_source() {
    let source = noise_image(12, 9, 21);
    let blurred = source.blur(1.5).unwrap();
    assert_eq!((blurred.width(), blurred.height(), blurred.color_type()), (12, 9, ColorType::Rgba8));
    assert_eq!(source, noise_image(12, 9, 21));
    assert_ne!(blurred.pixels(), source.pixels());
    // A constant opaque image is a fixed point of any normalised blur.
    let flat = Image::from_rgba8(7, 5, [33, 66, 99, 255].repeat(35)).unwrap();
    assert_eq!(flat.blur(3.0).unwrap(), flat);
}

#[test]
fn blur_and_unsharpen_reject_bad_sigma() {
    let image = indexed_image(4, 4);
    for bad in [0.0, -0.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, blur::MAX_SIGMA * 2.0, f32::MAX] {
        assert_invalid(image.blur(bad), &format!("blur sigma {bad}"));
        assert_invalid(image.unsharpen(bad, 1.0, 0), &format!("unsharpen sigma {bad}"));
    }
    assert!(image.blur(blur::MAX_SIGMA).is_ok());
    assert!(image.blur(f32::MIN_POSITIVE).is_ok());
}

#[test]
fn unsharpen_rejects_bad_amount_and_threshold() {
    let image = indexed_image(4, 4);
    for bad in [-0.01, 10.01, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert_invalid(image.unsharpen(1.0, bad, 0), &format!("amount {bad}"));
    }
    for bad in [256, 1000, u32::MAX] {
        assert_invalid(image.unsharpen(1.0, 1.0, bad), &format!("threshold {bad}"));
    }
    assert!(image.unsharpen(1.0, 0.0, 255).is_ok());
    assert!(image.unsharpen(1.0, 10.0, 0).is_ok());
}

#[test]
fn unsharpen_follows_its_formula_against_the_blur() {
    let source = noise_image(11, 8, 123);
    for (sigma, amount, threshold) in [(1.0f32, 0.5f32, 0u32), (2.0, 1.7, 10), (0.8, 10.0, 3), (1.3, 2.25, 255)] {
        let blurred = source.blur(sigma).unwrap();
        let sharp = source.unsharpen(sigma, amount, threshold).unwrap();
        assert_eq!((sharp.width(), sharp.height(), sharp.color_type()), (11, 8, ColorType::Rgba8));
        for y in 0..8 {
            for x in 0..11 {
                let (s, b, o) = (pixel(&source, x, y), pixel(&blurred, x, y), pixel(&sharp, x, y));
                for c in 0..3 {
                    let diff = f64::from(s[c]) - f64::from(b[c]);
                    let expected = if diff.abs() >= f64::from(threshold) {
                        (f64::from(s[c]) + f64::from(amount) * diff).round().clamp(0.0, 255.0)
                    } else {
                        f64::from(s[c])
                    };
                    assert_eq!(f64::from(o[c]), expected, "({x},{y}) c{c} sigma {sigma} amount {amount}");
                }
                assert_eq!(o[3], s[3], "alpha must be copied");
            }
        }
    }
    assert_eq!(source, noise_image(11, 8, 123));
}

#[test]
fn unsharpen_with_zero_amount_is_identity() {
    let source = noise_image(6, 5, 4);
    assert_eq!(source.unsharpen(2.0, 0.0, 0).unwrap(), source);
}

// ---------------------------------------------------------------- the rule, across operations

#[test]
fn new_image_operations_never_touch_the_source() {
    let source = noise_image(6, 4, 77);
    let before = source.clone();
    let ptr = source.pixels().as_ptr();
    let results = [
        source.blur(1.0).unwrap(),
        source.unsharpen(1.0, 1.0, 0).unwrap(),
        source.resize(3, 9, ResizeFilter::Lanczos3).unwrap(),
        source.crop(1, 1, 2, 2).unwrap(),
        source.rotate90().unwrap(),
        source.rotate270().unwrap(),
    ];
    assert_eq!(source, before);
    assert_eq!(source.pixels().as_ptr(), ptr);
    for result in &results {
        assert_ne!(result.pixels().as_ptr(), ptr);
        assert_eq!(result.pixels().len(), (result.width() * result.height() * 4) as usize);
    }
}

#[test]
fn every_in_place_operation_keeps_the_buffer() {
    let mut image = noise_image(7, 3, 55);
    in_place(&mut image, Image::mirror);
    in_place(&mut image, Image::flip_vertical);
    in_place(&mut image, Image::rotate180);
    in_place(&mut image, |i| i.adjust_brightness(-20));
    in_place(&mut image, |i| i.adjust_contrast(30.0));
    in_place(&mut image, Image::grayscale);
}

#[test]
fn pixel_of_helper_reads_row_major() {
    // Guards the helper every other test relies on.
    let pixels = common::indexed_pixels(3, 2);
    assert_eq!(pixel_of(&pixels, 3, 2, 1), [21, 12, 3, 202]);
}

// ---------------------------------------------------------------- arbitrary parameters

mod arbitrary_parameters {
    use super::*;
    use proptest::prelude::*;

    fn edge_u32() -> impl Strategy<Value = u32> {
        prop_oneof![0u32..12, Just(u32::MAX), Just(u32::MAX - 1), Just(1 << 31), Just(32768), Just(32769)]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn crop_is_ok_exactly_when_inside(w in 1u32..6, h in 1u32..6, x in edge_u32(), y in edge_u32(),
                                          cw in edge_u32(), ch in edge_u32()) {
            let image = indexed_image(w, h);
            let inside = cw > 0 && ch > 0
                && u64::from(x) + u64::from(cw) <= u64::from(w)
                && u64::from(y) + u64::from(ch) <= u64::from(h);
            match image.crop(x, y, cw, ch) {
                Ok(cropped) => {
                    prop_assert!(inside);
                    prop_assert_eq!((cropped.width(), cropped.height()), (cw, ch));
                }
                Err(err) => {
                    prop_assert!(!inside);
                    prop_assert!(matches!(err, Error::InvalidArgument(_)));
                }
            }
        }

        #[test]
        fn resize_gives_the_requested_size_or_invalid_argument(w in 1u32..5, h in 1u32..5,
                tw in prop_oneof![0u32..9, Just(32769u32), Just(u32::MAX)],
                th in prop_oneof![0u32..9, Just(32769u32), Just(u32::MAX)], filter in 0u32..3) {
            let image = indexed_image(w, h);
            let filter = ResizeFilter::ALL[filter as usize % ResizeFilter::ALL.len()];
            match image.resize(tw, th, filter) {
                Ok(resized) => prop_assert_eq!((resized.width(), resized.height()), (tw, th)),
                Err(err) => {
                    prop_assert!(matches!(err, Error::InvalidArgument(_)));
                    prop_assert!(tw == 0 || th == 0 || tw > 32768 || th > 32768);
                }
            }
        }

        #[test]
        fn colour_adjustments_validate_or_apply(delta in any::<i32>(), contrast in any::<f32>()) {
            let source = indexed_image(3, 2);
            let mut image = source.clone();
            match image.adjust_brightness(delta) {
                Ok(()) => prop_assert!((-255..=255).contains(&delta)),
                Err(_) => { prop_assert!(!(-255..=255).contains(&delta)); prop_assert_eq!(&image, &source); }
            }
            let mut image = source.clone();
            match image.adjust_contrast(contrast) {
                Ok(()) => prop_assert!(contrast.is_finite() && contrast >= -100.0),
                Err(_) => {
                    prop_assert!(!(contrast.is_finite() && contrast >= -100.0));
                    prop_assert_eq!(&image, &source);
                }
            }
        }

        #[test]
        fn sharpening_parameters_validate(sigma in any::<f32>(), amount in any::<f32>(), threshold in any::<u32>()) {
            let image = indexed_image(3, 3);
            let sigma_ok = sigma.is_finite() && sigma > 0.0 && sigma <= blur::MAX_SIGMA;
            let amount_ok = amount.is_finite() && (0.0..=10.0).contains(&amount);
            prop_assert_eq!(image.blur(sigma).is_ok(), sigma_ok);
            prop_assert_eq!(image.unsharpen(sigma, amount, threshold).is_ok(), sigma_ok && amount_ok && threshold <= 255);
        }
    }
}

#[test]
fn crop_resize_equals_crop_then_resize_where_the_filter_stays_inside() {
    let source = noise_image(40, 30, 11);
    // Nearest never reads outside the rectangle: exactly crop + resize.
    let nearest = source.crop_resize((5, 4, 20, 15), (13, 9), ResizeFilter::Nearest).unwrap();
    assert_eq!(nearest, source.crop(5, 4, 20, 15).unwrap().resize(13, 9, ResizeFilter::Nearest).unwrap());
    // The rectangle's own size: an exact copy of the crop.
    for filter in ResizeFilter::ALL {
        let same = source.crop_resize((5, 4, 20, 15), (20, 15), filter).unwrap();
        assert_eq!(same, source.crop(5, 4, 20, 15).unwrap(), "{filter}");
    }
    // The whole image: exactly resize.
    let whole = source.crop_resize((0, 0, 40, 30), (17, 11), ResizeFilter::Lanczos3).unwrap();
    assert_eq!(whole, source.resize(17, 11, ResizeFilter::Lanczos3).unwrap());
    // A rectangle whose surroundings repeat it (a 3 x 3 tiling of one tile): reading outside
    // the rectangle sees nothing new near its centre, so the centre matches crop + resize.
    let tile = noise_image(10, 10, 5);
    let tiled: Vec<u8> = (0..30 * 30).flat_map(|i| pixel(&tile, i % 30 % 10, i / 30 % 10)).collect();
    let tiled = Image::from_rgba8(30, 30, tiled).unwrap();
    let fused = tiled.crop_resize((10, 10, 10, 10), (20, 20), ResizeFilter::Bilinear).unwrap();
    let separate = tiled.crop(10, 10, 10, 10).unwrap().resize(20, 20, ResizeFilter::Bilinear).unwrap();
    let centre =
        |image: &Image| -> Vec<u8> { (4..16).flat_map(|y| (4..16).flat_map(move |x| pixel(image, x, y))).collect() };
    assert_eq!(centre(&fused), centre(&separate));
    for bad in [(0, 0, 0, 5), (35, 0, 6, 5), (0, 0, 40, 31)] {
        assert_invalid(source.crop_resize(bad, (5, 5), ResizeFilter::Bilinear), &format!("{bad:?}"));
    }
    assert_invalid(source.crop_resize((0, 0, 5, 5), (0, 5), ResizeFilter::Bilinear), "zero target");
}
