//! Colour management and metadata against independent references: the fixtures in
//! `testdata/colour` were converted to sRGB by lcms2 (Pillow's ImageCms), and their EXIF was
//! written by Pillow (see `testdata/colour/make_fixtures.py`).

use std::path::PathBuf;

use pixbridge_core::{ColorProfile, DecodeOptions, EncodeOptions, Image, ImageFormat, ThumbnailFit, ThumbnailOptions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/colour").join(name)
}

/// Largest and mean absolute difference of R, G and B (alpha ignored).
fn difference(a: &Image, b: &Image) -> (u8, f64) {
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    let (mut max, mut sum, mut n) = (0u8, 0u64, 0u64);
    for (p, q) in a.pixels().chunks_exact(4).zip(b.pixels().chunks_exact(4)) {
        for c in 0..3 {
            let d = p[c].abs_diff(q[c]);
            max = max.max(d);
            sum += u64::from(d);
            n += 1;
        }
    }
    (max, sum as f64 / n as f64)
}

#[test]
fn wide_gamut_photos_decode_to_the_colours_lcms2_gives() {
    for name in ["p3.jpg", "adobergb.jpg", "p3.png"] {
        let decoded = Image::open(&fixture(name)).unwrap();
        assert_eq!(decoded.color_profile(), ColorProfile::Srgb, "{name}");
        let reference = Image::open(&fixture(&format!("{name}.srgb.png"))).unwrap();
        let (max, mean) = difference(&decoded, &reference);
        println!("{name}: max {max}, mean {mean:.3} levels from lcms2");
        assert!(max <= 2 && mean <= 0.25, "{name}: max {max}, mean {mean}");
        // Without conversion the stored pixels are visibly different: the test can fail.
        let kept =
            Image::open_with(&fixture(name), &DecodeOptions { keep_profile: true, ..Default::default() }).unwrap();
        assert_eq!(kept.color_profile(), ColorProfile::Embedded);
        let (max, _) = difference(&kept, &reference);
        assert!(max > 10, "{name}: the stored pixels should differ from sRGB (max {max})");
    }
}

#[test]
fn a_p3_thumbnail_matches_the_colour_managed_reference_resized() {
    let bytes = std::fs::read(fixture("p3.jpg")).unwrap();
    let thumb = Image::thumbnail(&bytes, 80, 80, ThumbnailFit::Contain, &ThumbnailOptions::default()).unwrap();
    assert_eq!(thumb.color_profile(), ColorProfile::Srgb);
    assert!(thumb.metadata().is_empty(), "thumbnails strip metadata by default");
    let reference = Image::open(&fixture("p3.jpg.srgb.png")).unwrap();
    let reference = reference.resize(thumb.width(), thumb.height(), pixbridge_core::ResizeFilter::Lanczos3).unwrap();
    let (max, mean) = difference(&thumb, &reference);
    // The same thumbnail of the stored (unconverted) pixels, for scale.
    let stored = Image::decode_with(&bytes, &DecodeOptions { keep_profile: true, ..Default::default() }).unwrap();
    let stored = stored.resize(thumb.width(), thumb.height(), pixbridge_core::ResizeFilter::Lanczos3).unwrap();
    let (unmanaged_max, unmanaged_mean) = difference(&stored, &reference);
    println!(
        "p3 thumbnail {}x{} against lcms2's sRGB resized: max {max}, mean {mean:.3} (unconverted: max {unmanaged_max}, mean {unmanaged_mean:.3})",
        thumb.width(),
        thumb.height()
    );
    // The max is the shrink-on-load decode's (1/2 scale DCT) difference on sharp edges, not
    // colour; the mean is where colour shows.
    assert!(mean <= 2.0 && mean * 3.0 < unmanaged_mean, "max {max}, mean {mean}, unconverted {unmanaged_mean}");
    let kept = Image::thumbnail(
        &bytes,
        80,
        80,
        ThumbnailFit::Contain,
        &ThumbnailOptions { keep_metadata: true, ..Default::default() },
    )
    .unwrap();
    assert_eq!(kept.metadata().exif_fields().make.as_deref(), Some("Pixbridge P3 Camera"));
}

#[test]
fn exif_fields_are_read_as_pillow_wrote_them() {
    let image = Image::open(&fixture("p3.jpg")).unwrap();
    let exif = image.metadata().exif_fields();
    assert_eq!(exif.make.as_deref(), Some("Pixbridge P3 Camera"));
    assert_eq!(exif.model.as_deref(), Some("Model P3"));
    assert_eq!(exif.lens_model.as_deref(), Some("Test Lens 35mm F2.8"));
    assert_eq!(exif.date_taken.as_deref(), Some("2024:05:06 07:08:09"));
    assert_eq!(exif.software.as_deref(), Some("Pixbridge fixture script"));
    assert_eq!(exif.artist.as_deref(), Some("Pixbridge Tests"));
    assert_eq!(exif.copyright.as_deref(), Some("CC0 test fixture"));
    assert_eq!(exif.orientation, Some(1));
    assert_eq!(exif.exposure_time, Some(1.0 / 250.0));
    assert_eq!(exif.f_number, Some(2.8));
    assert_eq!(exif.iso, Some(400));
    assert_eq!(exif.focal_length, Some(35.0));
    // 52° 30' 36" N, 1° 15' 0" W, 62.5 m.
    assert!((exif.latitude.unwrap() - 52.51).abs() < 1e-9, "{:?}", exif.latitude);
    assert!((exif.longitude.unwrap() + 1.25).abs() < 1e-9, "{:?}", exif.longitude);
    assert_eq!(exif.altitude, Some(62.5));
    let icc = std::fs::read(fixture("p3.icc")).unwrap();
    assert_eq!(image.metadata().icc(), Some(&icc[..]));
}

#[test]
fn png_text_and_profile_are_read() {
    let image = Image::open(&fixture("p3.png")).unwrap();
    let text = image.metadata().text();
    let get = |key: &str| text.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(get("Title"), Some("Coffee in Display P3"));
    assert_eq!(get("Description"), Some("Fusée, iTXt with UTF-8"));
    assert!(get("Comment").unwrap().starts_with("A zTXt chunk: compressed text"));
    assert_eq!(image.metadata().icc(), Some(&std::fs::read(fixture("p3.icc")).unwrap()[..]));
}

#[test]
fn saves_keep_exif_and_the_kept_profile_unless_stripped() {
    let kept =
        Image::open_with(&fixture("p3.jpg"), &DecodeOptions { keep_profile: true, ..Default::default() }).unwrap();
    let converted = Image::open(&fixture("p3.jpg")).unwrap();
    let icc = std::fs::read(fixture("p3.icc")).unwrap();
    for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
        let bytes = kept.encode_with(format, &EncodeOptions::default()).unwrap();
        let again = Image::decode_with(&bytes, &DecodeOptions { keep_profile: true, ..Default::default() }).unwrap();
        assert_eq!(again.metadata().icc(), Some(&icc[..]), "{format}: profile written");
        assert_eq!(again.color_profile(), ColorProfile::Embedded);
        assert_eq!(again.metadata().exif_fields().make.as_deref(), Some("Pixbridge P3 Camera"), "{format}");
        // Decoded again with conversion, it has the right colours.
        let (max, mean) = difference(&Image::decode(&bytes).unwrap(), &converted);
        println!("{format} round trip through the kept profile: max {max}, mean {mean:.3}");
        // Converted pixels: no profile written (they are sRGB), EXIF still there.
        let bytes = converted.encode_with(format, &EncodeOptions::default()).unwrap();
        let again = Image::decode(&bytes).unwrap();
        assert_eq!(again.metadata().icc(), None, "{format}");
        assert_eq!(again.color_profile(), ColorProfile::None, "{format}");
        assert_eq!(again.metadata().exif_fields().iso, Some(400), "{format}");
        // Stripped: nothing.
        let bytes = kept.encode_with(format, &EncodeOptions { strip_metadata: true, ..Default::default() }).unwrap();
        assert!(Image::decode(&bytes).unwrap().metadata().is_empty(), "{format}");
    }
}

#[test]
fn a_saved_rotated_photo_has_orientation_1() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/rocket-exif6.jpg");
    let image = Image::open(&path).unwrap();
    assert_eq!(image.metadata().exif_fields().orientation, Some(6));
    let bytes = image.encode(ImageFormat::Jpeg, None).unwrap();
    let again = Image::decode(&bytes).unwrap();
    assert_eq!(again.metadata().exif_fields().orientation, Some(1));
    assert_eq!((again.width(), again.height()), (image.width(), image.height()), "not rotated twice");
}

/// A PNG chunk with its length and checksum.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

#[test]
fn compressed_text_bombs_are_bounded() {
    // 40 zTXt chunks, each inflating to 8 MiB of 'a' (320 MiB in all) from a few KiB.
    let png = Image::from_rgba8(2, 2, vec![255; 16]).unwrap().encode(ImageFormat::Png, None).unwrap();
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![b'a'; 8 << 20], 9);
    let mut file = png[..33].to_vec();
    for i in 0..40 {
        let mut data = format!("Bomb{i}\0\0").into_bytes();
        data.extend_from_slice(&bomb);
        file.extend(png_chunk(b"zTXt", &data));
    }
    file.extend(png_chunk(b"tEXt", b"Title\0small"));
    file.extend_from_slice(&png[33..]);
    println!("bomb file: {} bytes", file.len());
    let image = Image::decode(&file).unwrap();
    let total: usize = image.metadata().text().iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(total <= pixbridge_core::MAX_TEXT_BYTES, "{total} bytes of text kept");
    assert_eq!(image.metadata().text(), &[("Title".to_string(), "small".to_string())][..]);
}

#[test]
fn cmyk_jpegs_decode_to_the_srgb_imagemagick_gives() {
    let decoded = Image::open(&fixture("cmyk.jpg")).unwrap();
    let reference = Image::open(&fixture("cmyk.jpg.srgb.png")).unwrap();
    let (max, mean) = difference(&decoded, &reference);
    println!("cmyk.jpg: max {max}, mean {mean:.3} levels from ImageMagick");
    assert!(max <= 4 && mean <= 0.5, "max {max}, mean {mean}");
}
