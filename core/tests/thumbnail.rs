//! Thumbnails and shrink-on-load: output sizes of each fit worked out by hand, EXIF orientation
//! before fitting, scaled decodes against full decodes, strict errors and limits.

mod common;

use std::path::PathBuf;

use pixbridge_core::{
    DecodeLimits, DecodeOptions, Error, Image, JpegOptions, ResizeFilter, ThumbnailFit, ThumbnailOptions,
};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(testdata(name)).unwrap()
}

/// An opaque RGB gradient of the given size, encoded as PNG (a non-JPEG source).
fn gradient_png(width: u32, height: u32) -> Vec<u8> {
    let pixels: Vec<u8> =
        (0..width * height).flat_map(|i| [(i % width * 255 / width) as u8, (i / width % 256) as u8, 90, 255]).collect();
    Image::from_rgba8(width, height, pixels).unwrap().encode(pixbridge_core::ImageFormat::Png, None).unwrap()
}

fn size(image: &Image) -> (u32, u32) {
    (image.width(), image.height())
}

fn thumb(bytes: &[u8], w: u32, h: u32, fit: ThumbnailFit, allow_upscale: bool) -> (u32, u32) {
    let options = ThumbnailOptions { allow_upscale, ..ThumbnailOptions::default() };
    size(&Image::thumbnail(bytes, w, h, fit, &options).unwrap())
}

/// Peak signal-to-noise ratio of the RGB channels of two images of the same size, in dB.
fn psnr(a: &Image, b: &Image) -> f64 {
    assert_eq!(size(a), size(b));
    let (mut sum, mut n) = (0f64, 0f64);
    for (p, q) in a.pixels().chunks(4).zip(b.pixels().chunks(4)) {
        for c in 0..3 {
            let d = f64::from(p[c]) - f64::from(q[c]);
            sum += d * d;
            n += 1.0;
        }
    }
    10.0 * (255.0 * 255.0 / (sum / n)).log10()
}

#[test]
fn fit_sizes_on_a_landscape_source() {
    let png = gradient_png(300, 200);
    // 200 * 100 / 300 = 66.7 -> 67.
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Contain, false), (100, 67));
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Cover, false), (100, 100));
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Fill, false), (100, 100));
    // A box taller than the image's aspect: the height limits Contain, Cover crops the width.
    assert_eq!(thumb(&png, 150, 50, ThumbnailFit::Contain, false), (75, 50));
    assert_eq!(thumb(&png, 150, 50, ThumbnailFit::Cover, false), (150, 50));
    assert_eq!(thumb(&png, 150, 50, ThumbnailFit::Fill, false), (150, 50));
}

#[test]
fn fit_sizes_on_odd_aspect_ratios() {
    let strip = gradient_png(1000, 10);
    // 10 * 50 / 1000 = 0.5 -> rounds half up to 1.
    assert_eq!(thumb(&strip, 50, 50, ThumbnailFit::Contain, false), (50, 1));
    // Covering 50 x 50 would need 5x enlargement: without upscaling, cropped at scale 1.
    assert_eq!(thumb(&strip, 50, 50, ThumbnailFit::Cover, false), (50, 10));
    assert_eq!(thumb(&strip, 50, 50, ThumbnailFit::Cover, true), (50, 50));
    assert_eq!(thumb(&strip, 50, 50, ThumbnailFit::Fill, false), (50, 10));
    let tall = gradient_png(7, 301);
    // 7 * 100 / 301 = 2.33 -> 2.
    assert_eq!(thumb(&tall, 100, 100, ThumbnailFit::Contain, false), (2, 100));
}

#[test]
fn small_sources_are_not_upscaled_unless_allowed() {
    let png = gradient_png(40, 30);
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Contain, false), (40, 30));
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Contain, true), (100, 75));
    assert_eq!(thumb(&png, 100, 20, ThumbnailFit::Fill, false), (40, 20));
    assert_eq!(thumb(&png, 100, 20, ThumbnailFit::Fill, true), (100, 20));
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Cover, false), (40, 30));
    assert_eq!(thumb(&png, 100, 100, ThumbnailFit::Cover, true), (100, 100));
    // Unchanged size: the pixels come through untouched.
    let same = Image::thumbnail(&png, 100, 100, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap();
    assert_eq!(same, Image::decode(&png).unwrap());
}

#[test]
fn cover_keeps_the_centre() {
    // Three vertical bands (red | green | blue), 300 x 100; a 100 x 100 cover keeps the middle.
    let pixels: Vec<u8> = (0..300 * 100)
        .flat_map(|i| match i % 300 {
            0..100 => [255, 0, 0, 255],
            100..200 => [0, 255, 0, 255],
            _ => [0, 0, 255, 255],
        })
        .collect();
    let png = Image::from_rgba8(300, 100, pixels).unwrap().encode(pixbridge_core::ImageFormat::Png, None).unwrap();
    let cover = Image::thumbnail(&png, 50, 50, ThumbnailFit::Cover, &ThumbnailOptions::default()).unwrap();
    assert_eq!(size(&cover), (50, 50));
    // Like a resize followed by a crop, the filter (Lanczos3 at factor 2 reaches 6 source,
    // 3 output pixels) sees across the crop edge; everything further in is pure green.
    for (i, p) in cover.pixels().chunks(4).enumerate() {
        let x = i % 50;
        if (3..47).contains(&x) {
            assert!(p[1] >= 250 && p[0] <= 5 && p[2] <= 5, "x {x}: {p:?} is not green");
        } else {
            assert!(p[1] > p[0] && p[1] > p[2], "x {x}: {p:?} is not mostly green");
        }
    }
}

/// A JPEG of `width` x `height` whose left half is red and right half blue, with an EXIF
/// APP1 segment holding `orientation`, inserted right after SOI.
fn jpeg_with_orientation(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| if i % width < width / 2 { [255, 0, 0, 255] } else { [0, 0, 255, 255] })
        .collect();
    let options = JpegOptions { quality: 95, ..JpegOptions::default() };
    let jpeg = Image::from_rgba8(width, height, pixels).unwrap().encode_jpeg(&options).unwrap();
    // Big-endian TIFF: header, IFD at offset 8 with one entry (0x0112 orientation, SHORT, 1).
    let mut tiff = b"MM\0\x2A\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn exif_orientation_is_applied_before_fitting() {
    // Stored 64 x 32, orientation 6 (rotate 90 degrees clockwise to display): upright 32 x 64
    // with the stored left half (red) on top.
    let jpeg = jpeg_with_orientation(64, 32, 6);
    let upright = Image::decode_with(&jpeg, &DecodeOptions::default()).unwrap();
    assert_eq!(size(&upright), (32, 64));
    // Contain in 20 x 20: the height limits, 32 * 20 / 64 = 10.
    let small = Image::thumbnail(&jpeg, 20, 20, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap();
    assert_eq!(size(&small), (10, 20));
    let top = &small.pixels()[..4];
    let bottom = &small.pixels()[small.pixels().len() - 4..];
    assert!(top[0] > 200 && top[2] < 60, "top should be red: {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "bottom should be blue: {bottom:?}");
    // Orientation 1 leaves the stored layout.
    let plain = jpeg_with_orientation(64, 32, 1);
    let thumb = Image::thumbnail(&plain, 20, 20, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap();
    assert_eq!(size(&thumb), (20, 10));
}

#[test]
fn shrink_on_load_decodes_at_the_chosen_dct_scale() {
    let jpeg = read("hubble_deep_field.jpg"); // 1000 x 872
    let decode = |min_size| Image::decode_with(&jpeg, &DecodeOptions { min_size, ..DecodeOptions::default() });
    assert_eq!(size(&decode(None).unwrap()), (1000, 872));
    // ceil(1000 / 8) = 125, ceil(872 / 8) = 109.
    assert_eq!(size(&decode(Some((125, 109))).unwrap()), (125, 109));
    assert_eq!(size(&decode(Some((126, 10))).unwrap()), (250, 218));
    assert_eq!(size(&decode(Some((250, 219))).unwrap()), (500, 436));
    assert_eq!(size(&decode(Some((501, 1))).unwrap()), (1000, 872));
    // A scaled decode is close to a full decode shrunk by area averaging.
    let eighth = decode(Some((125, 109))).unwrap();
    let full = decode(None).unwrap();
    let area = full.resize(125, 109, ResizeFilter::Bilinear).unwrap();
    assert!(psnr(&eighth, &area) > 30.0, "{}", psnr(&eighth, &area));
}

#[test]
fn thumbnail_with_shrink_on_load_matches_full_decode_and_resize() {
    for (name, w, h) in [("hubble_deep_field.jpg", 120, 120), ("rocket.jpg", 100, 60), ("rocket.jpg", 300, 300)] {
        let jpeg = read(name);
        for fit in ThumbnailFit::ALL {
            let thumb = Image::thumbnail(&jpeg, w, h, fit, &ThumbnailOptions::default()).unwrap();
            // The same thumbnail from a full-size decode: PNG holds it losslessly and is never
            // decoded scaled.
            let full = Image::decode_with(&jpeg, &DecodeOptions::default()).unwrap();
            let png = full.encode(pixbridge_core::ImageFormat::Png, None).unwrap();
            let reference = Image::thumbnail(&png, w, h, fit, &ThumbnailOptions::default()).unwrap();
            assert_eq!(size(&thumb), size(&reference), "{name} {fit}");
            let quality = psnr(&thumb, &reference);
            assert!(quality > 32.0, "{name} {w}x{h} {fit}: PSNR {quality:.1} dB");
        }
    }
}

#[test]
fn truncated_jpeg_is_a_decode_error() {
    let jpeg = read("rocket.jpg");
    for cut in [jpeg.len() / 2, jpeg.len() - 200, 700, 3] {
        let part = &jpeg[..cut];
        for min_size in [None, Some((80, 50))] {
            let err = Image::decode_with(part, &DecodeOptions { min_size, ..DecodeOptions::default() }).unwrap_err();
            assert!(matches!(err, Error::Decode(_)), "cut at {cut}, {min_size:?}: {err:?}");
        }
        let err = Image::thumbnail(part, 80, 80, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "thumbnail cut at {cut}: {err:?}");
    }
}

#[test]
fn limits_apply_to_the_full_size_of_a_scaled_decode() {
    let jpeg = read("hubble_deep_field.jpg"); // 1000 x 872
    let narrow = DecodeLimits { max_width: 999, ..DecodeLimits::default() };
    let small = DecodeLimits { max_decoded_bytes: 1000 * 872 * 4 - 1, ..DecodeLimits::default() };
    for limits in [narrow, small] {
        let options = DecodeOptions { limits, min_size: Some((10, 10)), ..DecodeOptions::default() };
        let err = Image::decode_with(&jpeg, &options).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)), "{err:?}");
        let options = ThumbnailOptions { limits, ..ThumbnailOptions::default() };
        let err = Image::thumbnail(&jpeg, 50, 50, ThumbnailFit::Cover, &options).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)), "{err:?}");
    }
    // Exactly at the limits is fine.
    let exact = DecodeLimits { max_width: 1000, max_height: 872, max_decoded_bytes: 1000 * 872 * 4 };
    assert!(
        Image::decode_with(
            &jpeg,
            &DecodeOptions { limits: exact, min_size: Some((10, 10)), ..DecodeOptions::default() }
        )
        .is_ok()
    );
}

#[test]
fn bad_boxes_are_invalid_arguments() {
    let png = gradient_png(10, 10);
    for (w, h) in [(0, 10), (10, 0), (40000, 10)] {
        let err = Image::thumbnail(&png, w, h, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{w}x{h}: {err:?}");
    }
}

#[test]
fn thumbnail_file_reads_paths_and_reports_missing_files() {
    let thumb =
        Image::thumbnail_file(&testdata("rocket.jpg"), 64, 64, ThumbnailFit::Contain, &ThumbnailOptions::default())
            .unwrap();
    // 427 * 64 / 640 = 42.7 -> 43.
    assert_eq!(size(&thumb), (64, 43));
    let err = Image::thumbnail_file(
        &testdata("does-not-exist.jpg"),
        64,
        64,
        ThumbnailFit::Contain,
        &ThumbnailOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[test]
fn transparent_sources_keep_alpha_without_bleeding() {
    // Left half fully transparent red, right half opaque blue, as PNG.
    let pixels: Vec<u8> =
        (0..64 * 16).flat_map(|i| if i % 64 < 32 { [255, 0, 0, 0] } else { [0, 0, 255, 255] }).collect();
    let png = Image::from_rgba8(64, 16, pixels).unwrap().encode(pixbridge_core::ImageFormat::Png, None).unwrap();
    let thumb = Image::thumbnail(&png, 20, 20, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap();
    assert_eq!(size(&thumb), (20, 5));
    assert_eq!(thumb.color_type(), pixbridge_core::ColorType::Rgba8);
    for p in thumb.pixels().chunks(4).filter(|p| p[3] > 0) {
        assert!(p[0] <= 1 && p[2] >= 254, "visible pixel picked up red: {p:?}");
    }
}

#[test]
fn jpeg_options_are_validated_and_change_the_output() {
    let image = Image::decode(&read("rocket.jpg")).unwrap();
    let base = image.encode_jpeg(&JpegOptions::default()).unwrap();
    // quality 0 is out of range.
    let err = image.encode_jpeg(&JpegOptions { quality: 0, ..JpegOptions::default() }).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    let full_chroma = image
        .encode_jpeg(&JpegOptions { subsampling: pixbridge_core::ChromaSubsampling::Yuv444, ..JpegOptions::default() })
        .unwrap();
    assert!(full_chroma.len() > base.len(), "4:4:4 keeps more data than 4:2:0");
    let optimized = image.encode_jpeg(&JpegOptions { optimize_huffman: true, ..JpegOptions::default() }).unwrap();
    assert!(optimized.len() < base.len(), "optimised Huffman tables are smaller");
    let progressive = image.encode_jpeg(&JpegOptions { progressive: true, ..JpegOptions::default() }).unwrap();
    // A progressive JPEG has an SOF2 marker (FF C2) and a baseline one SOF0 (FF C0).
    assert!(progressive.windows(2).any(|w| w == [0xFF, 0xC2]));
    assert!(base.windows(2).any(|w| w == [0xFF, 0xC0]));
    for bytes in [&base, &full_chroma, &optimized, &progressive] {
        let decoded = Image::decode(bytes).unwrap();
        assert!(psnr(&decoded, &image) > 30.0);
    }
}

#[test]
fn png_compression_levels_round_trip_and_are_validated() {
    let image = Image::decode(&read("rocket.jpg")).unwrap();
    let sizes: Vec<usize> = [0, 1, 6, 9]
        .into_iter()
        .map(|compression| {
            let png = image.encode_png(&pixbridge_core::PngOptions { compression }).unwrap();
            assert_eq!(Image::decode(&png).unwrap().pixels(), image.pixels(), "level {compression}");
            png.len()
        })
        .collect();
    assert!(sizes[0] > sizes[1] && sizes[1] > sizes[3], "{sizes:?}");
    let err = image.encode_png(&pixbridge_core::PngOptions { compression: 10 }).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
}
