//! Decoding, encoding and saving: format detection by content, round trips through every
//! format, error mapping, truncated input, atomic saves and EXIF orientation.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{indexed_image, max_abs_diff, noise_image, pixel, png_with};
use image::{ExtendedColorType, ImageEncoder};
use pixbridge_core::{ColorType, DecodeLimits, Error, Image, ImageFormat};

const LOSSLESS: [ImageFormat; 9] = [
    ImageFormat::Png,
    ImageFormat::WebP,
    ImageFormat::Bmp,
    ImageFormat::Tiff,
    ImageFormat::Gif,
    ImageFormat::Qoi,
    ImageFormat::Tga,
    ImageFormat::Pnm,
    ImageFormat::Ico,
];

/// An opaque image with 12 distinct colours (few enough for GIF's palette to be exact).
fn opaque_image(width: u32, height: u32) -> Image {
    let pixels = (0..width * height)
        .flat_map(|i| {
            let k = (i % 12) as u8;
            [k * 20, 255 - k * 13, (u32::from(k) * 37 % 251) as u8, 255]
        })
        .collect();
    Image::from_rgba8(width, height, pixels).unwrap()
}

/// The RGBA8 pixels an image should decode to after a lossless round trip through a format
/// writing `layout`: grey is the luma, dropped alpha becomes 255.
fn expected_after(image: &Image, keeps_colour: bool, keeps_alpha: bool) -> Vec<u8> {
    image
        .pixels()
        .chunks(4)
        .flat_map(|p| {
            let [r, g, b] = if keeps_colour {
                [p[0], p[1], p[2]]
            } else {
                let y =
                    ((2126 * u32::from(p[0]) + 7152 * u32::from(p[1]) + 722 * u32::from(p[2]) + 5000) / 10000) as u8;
                [y; 3]
            };
            [r, g, b, if keeps_alpha { p[3] } else { 255 }]
        })
        .collect()
}

// ---------------------------------------------------------------- round trips

#[test]
fn lossless_round_trips_are_exact_for_rgba() {
    // GIF cannot store partial alpha: it gets the opaque image.
    let rgba = noise_image(13, 7, 31);
    let opaque = opaque_image(13, 7);
    for format in LOSSLESS {
        let source = if format == ImageFormat::Gif { &opaque } else { &rgba };
        let bytes = source.encode(format, None).unwrap();
        let decoded = Image::decode(&bytes).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!((decoded.width(), decoded.height()), (13, 7), "{format}");
        assert_eq!(decoded.pixels(), source.pixels(), "{format}");
    }
}

#[test]
fn lossless_round_trips_keep_grey_and_grey_alpha() {
    let mut grey_alpha = noise_image(9, 6, 17);
    grey_alpha.grayscale().unwrap();
    assert_eq!(grey_alpha.color_type(), ColorType::La8);
    // An opaque grey image, decoded from an L8 PNG made by the `image` crate.
    let samples: Vec<u8> = (0..54).map(|i| (i * 4) as u8).collect();
    let grey = Image::decode(&png_with(&samples, 9, 6, ExtendedColorType::L8)).unwrap();
    assert_eq!(grey.color_type(), ColorType::L8);

    for format in LOSSLESS {
        for source in [&grey, &grey_alpha] {
            if format == ImageFormat::Gif && source.color_type().has_alpha() {
                continue; // GIF has only on/off transparency.
            }
            let decoded = Image::decode(&source.encode(format, None).unwrap()).unwrap();
            assert_eq!(decoded.pixels(), source.pixels(), "{format} {:?}", source.color_type());
        }
    }
    // PNG keeps the colour types themselves.
    assert_eq!(Image::decode(&grey.encode(ImageFormat::Png, None).unwrap()).unwrap().color_type(), ColorType::L8);
    assert_eq!(
        Image::decode(&grey_alpha.encode(ImageFormat::Png, None).unwrap()).unwrap().color_type(),
        ColorType::La8
    );
}

#[test]
fn rgb_images_are_written_without_alpha() {
    let samples: Vec<u8> = (0..6 * 4 * 3).map(|i| (i * 7 % 256) as u8).collect();
    let rgb = Image::decode(&png_with(&samples, 6, 4, ExtendedColorType::Rgb8)).unwrap();
    assert_eq!(rgb.color_type(), ColorType::Rgb8);
    let png = Image::decode(&rgb.encode(ImageFormat::Png, None).unwrap()).unwrap();
    assert_eq!(png.color_type(), ColorType::Rgb8);
    assert_eq!(png.pixels(), rgb.pixels());
    // A PPM (P6) header, not PAM.
    assert!(rgb.encode(ImageFormat::Pnm, None).unwrap().starts_with(b"P6"));
    let mut grey = rgb.clone();
    grey.grayscale().unwrap();
    assert!(grey.encode(ImageFormat::Pnm, None).unwrap().starts_with(b"P5"));
    assert!(noise_image(2, 2, 1).encode(ImageFormat::Pnm, None).unwrap().starts_with(b"P7"));
}

#[test]
fn jpeg_drops_alpha_and_honours_quality() {
    // Smooth content so JPEG error stays small.
    let pixels: Vec<u8> = (0..32u32 * 32)
        .flat_map(|i| {
            let (x, y) = (i % 32, i / 32);
            [(x * 8) as u8, (y * 8) as u8, 128, 100]
        })
        .collect();
    let image = Image::from_rgba8(32, 32, pixels).unwrap();
    let best = image.encode(ImageFormat::Jpeg, Some(100)).unwrap();
    let worst = image.encode(ImageFormat::Jpeg, Some(1)).unwrap();
    let default = image.encode(ImageFormat::Jpeg, None).unwrap();
    assert!(worst.len() < default.len() && default.len() < best.len());
    assert_eq!(image.encode(ImageFormat::Jpeg, Some(90)).unwrap(), default, "default quality is 90");

    let decoded = Image::decode(&best).unwrap();
    assert_eq!(decoded.color_type(), ColorType::Rgb8);
    assert!(decoded.pixels().chunks(4).all(|p| p[3] == 255));
    assert!(max_abs_diff(&expected_after(&image, true, false), decoded.pixels()) <= 8);
}

#[test]
fn jpeg_of_grey_is_grey() {
    let mut image = noise_image(16, 16, 3);
    image.grayscale().unwrap();
    let decoded = Image::decode(&image.encode(ImageFormat::Jpeg, Some(95)).unwrap()).unwrap();
    assert_eq!(decoded.color_type(), ColorType::L8);
}

#[test]
fn quality_is_only_for_jpeg_webp_and_avif_and_in_range() {
    let image = indexed_image(4, 4);
    let with_quality = [ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Avif];
    for format in ImageFormat::ALL {
        let result = image.encode(format, Some(50));
        if with_quality.contains(&format) {
            assert!(result.is_ok(), "{format}");
        } else {
            assert!(matches!(result, Err(Error::InvalidArgument(_))), "{format}");
        }
    }
    for format in with_quality {
        for bad in [0u8, 101, 255] {
            assert!(matches!(image.encode(format, Some(bad)), Err(Error::InvalidArgument(_))), "{format} {bad}");
        }
    }
}

#[test]
fn ico_is_limited_to_256() {
    assert!(opaque_image(256, 1).encode(ImageFormat::Ico, None).is_ok());
    for (w, h) in [(257, 1), (1, 257)] {
        let err = opaque_image(w, h).encode(ImageFormat::Ico, None).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
        assert!(err.message().contains("256"), "{err}");
    }
}

#[test]
fn formats_come_from_extensions_case_insensitively() {
    let cases = [
        ("png", ImageFormat::Png),
        ("JPG", ImageFormat::Jpeg),
        ("jpeg", ImageFormat::Jpeg),
        ("WebP", ImageFormat::WebP),
        ("bmp", ImageFormat::Bmp),
        ("tif", ImageFormat::Tiff),
        ("TIFF", ImageFormat::Tiff),
        ("gif", ImageFormat::Gif),
        ("qoi", ImageFormat::Qoi),
        ("tga", ImageFormat::Tga),
        ("ppm", ImageFormat::Pnm),
        ("pgm", ImageFormat::Pnm),
        ("pnm", ImageFormat::Pnm),
        ("ico", ImageFormat::Ico),
        ("AVIF", ImageFormat::Avif),
    ];
    for (extension, format) in cases {
        assert_eq!(ImageFormat::from_extension(extension), Some(format), "{extension}");
    }
    for unknown in ["", "xyz", "png.bak", "jp"] {
        assert_eq!(ImageFormat::from_extension(unknown), None, "{unknown}");
    }
    assert_eq!(ImageFormat::ALL.len(), 11);
    assert_eq!(ColorType::ALL.iter().filter(|color| color.has_alpha()).count(), 5);
}

// ---------------------------------------------------------------- decoding sources

#[test]
fn sixteen_bit_and_palette_sources_become_rgba8() {
    // 16-bit: k * 257 is exactly k in 8 bits.
    let samples16: Vec<u8> =
        [0u16, 257 * 10, 257 * 200, 65535, 257 * 7, 257 * 99].iter().flat_map(|v| v.to_ne_bytes()).collect();
    let l16 = Image::decode(&png_with(&samples16, 3, 2, ExtendedColorType::L16)).unwrap();
    assert_eq!(l16.color_type(), ColorType::L16);
    let greys: Vec<u8> = l16.pixels().chunks(4).map(|p| p[0]).collect();
    assert_eq!(greys, [0, 10, 200, 255, 7, 99]);
    assert!(l16.pixels().chunks(4).all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 255));
    // ... and is written back as 8-bit grey.
    let reencoded = Image::decode(&l16.encode(ImageFormat::Png, None).unwrap()).unwrap();
    assert_eq!(reencoded.color_type(), ColorType::L8);
    assert_eq!(reencoded.pixels(), l16.pixels());

    // `image`'s encoders take 16-bit samples in native byte order.
    let samples: Vec<u8> = [0x1234u16, 0xFFFF, 0, 0x8080].iter().flat_map(|v| v.to_ne_bytes()).collect();
    let rgba16 = Image::decode(&png_with(&samples, 1, 1, ExtendedColorType::Rgba16)).unwrap();
    assert_eq!(rgba16.color_type(), ColorType::Rgba16);
    // 0x1234 / 257 = 18.13 -> 18; 0x8080 = 128 * 257 -> 128.
    assert_eq!(rgba16.pixels(), &[18, 255, 0, 128]);
}

#[test]
fn multi_frame_gif_gives_the_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame, RgbaImage};
    let red = RgbaImage::from_pixel(3, 2, image::Rgba([255, 0, 0, 255]));
    let blue = RgbaImage::from_pixel(3, 2, image::Rgba([0, 0, 255, 255]));
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        encoder
            .encode_frames([red, blue].map(|f| Frame::from_parts(f, 0, 0, Delay::from_numer_denom_ms(10, 1))))
            .unwrap();
    }
    let image = Image::decode(&bytes).unwrap();
    assert_eq!(image.pixels(), [255, 0, 0, 255].repeat(6).as_slice());
}

#[test]
fn format_is_detected_from_content_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    let image = indexed_image(5, 4);
    let path = dir.path().join("really-a-png.jpg");
    fs::write(&path, image.encode(ImageFormat::Png, None).unwrap()).unwrap();
    assert_eq!(Image::open(&path).unwrap(), image);
    let no_extension = dir.path().join("qoi-without-extension");
    fs::write(&no_extension, image.encode(ImageFormat::Qoi, None).unwrap()).unwrap();
    assert_eq!(Image::open(&no_extension).unwrap(), image);
}

#[test]
fn unrecognised_content_is_unsupported_format() {
    for bytes in [&b""[..], b"hello, world: not an image at all", &[0u8; 64], b"P"] {
        let err = Image::decode(bytes).unwrap_err();
        assert!(matches!(err, Error::UnsupportedFormat(_)), "{bytes:?}: {err:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.png");
    fs::write(&path, b"just some text pretending to be a png").unwrap();
    let err = Image::open(&path).unwrap_err();
    assert!(matches!(err, Error::UnsupportedFormat(_)), "{err:?}");
    assert!(err.message().contains(&*path.to_string_lossy()), "{err}");
}

#[test]
fn open_maps_file_system_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.png");
    let err = Image::open(&missing).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(err.message().contains(&*missing.to_string_lossy()), "{err}");

    let err = Image::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert!(err.message().contains("directory"), "{err}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked.png");
        fs::write(&locked, indexed_image(2, 2).encode(ImageFormat::Png, None).unwrap()).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        // Privileged users (root in containers) may read it anyway; only check when the OS
        // actually refuses.
        if fs::File::open(&locked).is_err() {
            let err = Image::open(&locked).unwrap_err();
            assert!(matches!(err, Error::PermissionDenied(_)), "{err:?}");
        }
    }
}

#[test]
fn truncated_files_are_decode_errors() {
    let source = noise_image(16, 12, 9);
    let opaque = opaque_image(16, 12);
    // AVIF is written only (no AV1 decoder is built in): its start is recognised and refused
    // with UnsupportedFormat (core/tests/modern_formats.rs).
    for format in ImageFormat::ALL.into_iter().filter(|format| *format != ImageFormat::Avif) {
        let image = if format == ImageFormat::Gif { &opaque } else { &source };
        let bytes = image.encode(format, None).unwrap();
        let half = &bytes[..bytes.len() / 2];
        let err = Image::decode(half).unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{format} truncated to half: {err:?}");
        // Every prefix: an error or (for formats that tolerate a missing tail) an image, but
        // never a panic; once the magic bytes are there, never "unsupported".
        for len in 0..bytes.len() {
            match Image::decode(&bytes[..len]) {
                Ok(decoded) => assert_eq!((decoded.width(), decoded.height()), (16, 12)),
                Err(Error::Decode(_)) => {}
                // Magic bytes (or TGA's 18-byte header) not complete yet.
                Err(Error::UnsupportedFormat(_)) if len < 18 => {}
                Err(other) => panic!("{format} prefix of {len} bytes: {other:?}"),
            }
        }
    }
}

#[test]
fn corrupt_data_is_a_decode_error() {
    let mut png = indexed_image(8, 8).encode(ImageFormat::Png, None).unwrap();
    let middle = png.len() / 2;
    for b in &mut png[middle..middle + 8] {
        *b ^= 0x5A;
    }
    assert!(matches!(Image::decode(&png), Err(Error::Decode(_))));
}

// ---------------------------------------------------------------- custom limits

#[test]
fn custom_limits_reject_and_accept_at_the_boundary() {
    let bytes = indexed_image(20, 10).encode(ImageFormat::Png, None).unwrap();
    let exact = DecodeLimits { max_width: 20, max_height: 10, max_decoded_bytes: 20 * 10 * 4 };
    assert!(Image::decode_with_limits(&bytes, &exact).is_ok());
    for limits in [
        DecodeLimits { max_width: 19, ..exact },
        DecodeLimits { max_height: 9, ..exact },
        DecodeLimits { max_decoded_bytes: 799, ..exact },
    ] {
        let err = Image::decode_with_limits(&bytes, &limits).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)), "{limits:?}: {err:?}");
    }
    let err = Image::decode_with_limits(&bytes, &DecodeLimits { max_width: 19, ..exact }).unwrap_err();
    assert!(err.message().contains("max_width") && err.message().contains("20"), "{err}");
}

#[test]
fn limits_budget_the_source_bytes_per_pixel() {
    // 10 x 10 Rgba16 needs 800 bytes while decoding, although the result is 400 bytes.
    let bytes = png_with(&[7u8; 800], 10, 10, ExtendedColorType::Rgba16);
    let tight = DecodeLimits { max_width: 10, max_height: 10, max_decoded_bytes: 799 };
    assert!(matches!(Image::decode_with_limits(&bytes, &tight), Err(Error::LimitExceeded(_))));
    let enough = DecodeLimits { max_decoded_bytes: 800, ..tight };
    assert!(Image::decode_with_limits(&bytes, &enough).is_ok());
}

// ---------------------------------------------------------------- saving

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    list.sort();
    list
}

#[test]
fn save_picks_the_format_from_the_extension_case_insensitively() {
    let dir = tempfile::tempdir().unwrap();
    let image = opaque_image(6, 5);
    let cases = [
        ("a.png", &b"\x89PNG"[..]),
        ("a.JPG", b"\xFF\xD8\xFF"),
        ("a.jpeg", b"\xFF\xD8\xFF"),
        ("a.WebP", b"RIFF"),
        ("a.bmp", b"BM"),
        ("a.tif", b"II*\0"),
        ("a.TIFF", b"II*\0"),
        ("a.gif", b"GIF8"),
        ("a.qoi", b"qoif"),
        // The extension picks the Netpbm family; the colour type picks the variant: PAM for
        // RGBA.
        ("a.ppm", b"P7"),
        ("a.pgm", b"P7"),
        ("a.pnm", b"P7"),
        ("a.ico", b"\0\0\x01\0"),
    ];
    for (name, magic) in cases {
        let path = dir.path().join(name);
        image.save(&path).unwrap();
        let bytes = fs::read(&path).unwrap();
        assert!(bytes.starts_with(magic), "{name}");
        let back = Image::open(&path).unwrap();
        assert_eq!((back.width(), back.height()), (6, 5), "{name}");
        if !name.to_ascii_lowercase().starts_with("a.jp") {
            assert_eq!(back.pixels(), image.pixels(), "{name}");
        }
    }
    // TGA has no magic bytes at the start; check it decodes.
    let tga = dir.path().join("a.tga");
    image.save(&tga).unwrap();
    assert_eq!(Image::open(&tga).unwrap().pixels(), image.pixels());
    // No temporary files are left behind.
    assert_eq!(entries(dir.path()).len(), cases.len() + 1);
}

#[test]
fn save_rejects_unknown_or_missing_extensions_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let image = indexed_image(2, 2);
    for name in ["a.txt", "a", "a.png.part", "archive.tar.gz"] {
        let err = image.save(&dir.path().join(name)).unwrap_err();
        assert!(matches!(err, Error::UnsupportedFormat(_)), "{name}: {err:?}");
        assert!(err.message().contains(name), "{err}");
    }
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn save_as_ignores_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("picture.dat");
    let image = indexed_image(3, 3);
    image.save_as(&path, ImageFormat::Tiff, None).unwrap();
    assert!(fs::read(&path).unwrap().starts_with(b"II*\0"));
    assert_eq!(Image::open(&path).unwrap(), image);
    image.save_as(&path, ImageFormat::Jpeg, Some(80)).unwrap();
    assert!(fs::read(&path).unwrap().starts_with(b"\xFF\xD8"));
    assert!(matches!(image.save_as(&path, ImageFormat::Png, Some(80)), Err(Error::InvalidArgument(_))));
}

#[test]
fn failed_save_leaves_the_existing_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("keep.ico");
    fs::write(&target, b"precious old content").unwrap();
    // Too large for ICO: fails during encoding, before anything is written.
    let err = opaque_image(300, 2).save(&target).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(err.message().contains(&*target.to_string_lossy()), "{err}");
    assert_eq!(fs::read(&target).unwrap(), b"precious old content");
    // Bad quality: same.
    let err = indexed_image(2, 2).save_as(&target, ImageFormat::Jpeg, Some(0)).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert_eq!(fs::read(&target).unwrap(), b"precious old content");
    assert_eq!(entries(dir.path()), [target]);
}

#[test]
fn failed_rename_cleans_up_and_keeps_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("is-a-dir.png");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside"), b"x").unwrap();
    let err = indexed_image(2, 2).save(&target).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert!(err.message().contains(&*target.to_string_lossy()), "{err}");
    assert!(target.is_dir());
    assert_eq!(fs::read(target.join("inside")).unwrap(), b"x");
    assert_eq!(entries(dir.path()), [target], "the temporary file must be removed");
}

#[test]
fn save_into_a_missing_directory_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let err = indexed_image(2, 2).save(&dir.path().join("no/such/dir/a.png")).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[test]
fn save_replaces_an_existing_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.bmp");
    fs::write(&path, vec![0xAB; 100_000]).unwrap();
    let image = indexed_image(3, 2);
    image.save(&path).unwrap();
    assert_eq!(fs::read(&path).unwrap(), image.encode(ImageFormat::Bmp, None).unwrap());
}

#[cfg(unix)]
#[test]
fn saved_files_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    fs::File::create(&reference).unwrap();
    let saved = dir.path().join("a.png");
    indexed_image(2, 2).save(&saved).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // The same as File::create gives (0666 minus the umask), not the temp file's 0600.
    assert_eq!(mode(&saved), mode(&reference));
}

// ---------------------------------------------------------------- EXIF orientation

/// A little-endian TIFF/EXIF block holding only the orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut exif = b"II*\0".to_vec();
    exif.extend_from_slice(&8u32.to_le_bytes()); // first IFD offset
    exif.extend_from_slice(&1u16.to_le_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_le_bytes()); // count
    exif.extend_from_slice(&value.to_le_bytes());
    exif.extend_from_slice(&[0, 0]);
    exif.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    exif
}

fn png_with_exif(image: &Image, exif: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
    encoder.set_exif_metadata(exif).unwrap();
    encoder.write_image(image.pixels(), image.width(), image.height(), ExtendedColorType::Rgba8).unwrap();
    out
}

#[test]
fn exif_orientation_is_applied() {
    let source = indexed_image(4, 3);
    let (w, h) = (4, 3);
    // EXIF value -> where output (x, y) comes from in the stored image, written out per the
    // EXIF specification (the stored image is shown transformed).
    type Map = fn(u32, u32, u32, u32) -> (u32, u32);
    let cases: [(u16, bool, Map); 8] = [
        (1, false, |x, y, _, _| (x, y)),
        (2, false, |x, y, w, _| (w - 1 - x, y)),
        (3, false, |x, y, w, h| (w - 1 - x, h - 1 - y)),
        (4, false, |x, y, _, h| (x, h - 1 - y)),
        (5, true, |x, y, _, _| (y, x)),
        (6, true, |x, y, _, h| (y, h - 1 - x)),
        (7, true, |x, y, w, h| (w - 1 - y, h - 1 - x)),
        (8, true, |x, y, w, _| (w - 1 - y, x)),
    ];
    for (value, swaps, source_of) in cases {
        let decoded = Image::decode(&png_with_exif(&source, exif_orientation(value))).unwrap();
        let (ow, oh) = if swaps { (h, w) } else { (w, h) };
        assert_eq!((decoded.width(), decoded.height()), (ow, oh), "orientation {value}");
        for y in 0..oh {
            for x in 0..ow {
                let (sx, sy) = source_of(x, y, w, h);
                assert_eq!(pixel(&decoded, x, y), pixel(&source, sx, sy), "orientation {value} at ({x},{y})");
            }
        }
    }
}

#[test]
fn exif_orientation_in_jpeg_is_applied() {
    // Left half red, right half blue; orientation 6 (rotate 90 clockwise) puts red on top.
    let pixels: Vec<u8> =
        (0..32u32 * 16).flat_map(|i| if i % 32 < 16 { [255, 0, 0, 255] } else { [0, 0, 255, 255] }).collect();
    let image = Image::from_rgba8(32, 16, pixels).unwrap();
    let rgb: Vec<u8> = image.pixels().chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95);
    encoder.set_exif_metadata(exif_orientation(6)).unwrap();
    encoder.write_image(&rgb, 32, 16, ExtendedColorType::Rgb8).unwrap();
    let decoded = Image::decode(&jpeg).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (16, 32));
    let top = pixel(&decoded, 8, 4);
    let bottom = pixel(&decoded, 8, 28);
    assert!(top[0] > 200 && top[2] < 50, "top {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 50, "bottom {bottom:?}");
}

#[test]
fn malformed_exif_is_ignored() {
    let source = indexed_image(4, 3);
    let garbage = [
        b"not exif at all".to_vec(),
        b"II*\0\xFF\xFF\xFF\xFF".to_vec(), // IFD offset far outside
        exif_orientation(0),               // invalid orientation value
        exif_orientation(9),
        exif_orientation(6)[..13].to_vec(), // cut inside the entry
        Vec::new(),
    ];
    for exif in garbage {
        let decoded = Image::decode(&png_with_exif(&source, exif.clone())).unwrap_or_else(|e| panic!("{exif:?}: {e}"));
        // The pixels are not turned; the block itself is kept as metadata, as found.
        assert_eq!((decoded.width(), decoded.height(), decoded.pixels()), (4, 3, source.pixels()), "{exif:?}");
        assert_eq!(decoded.metadata().exif(), (!exif.is_empty()).then_some(&exif[..]), "{exif:?}");
        assert_eq!(decoded.metadata().exif_fields().orientation, None, "{exif:?}");
    }
}

#[test]
fn mutated_files_never_panic() {
    // Random byte changes to valid files of every format: any outcome but a panic, and
    // every success is a consistent image.
    let source = noise_image(23, 17, 5);
    let mut grey = source.clone();
    grey.grayscale().unwrap();
    let mut random = common::Bytes::new(777);
    for format in ImageFormat::ALL {
        let image = if format == ImageFormat::Gif { &grey } else { &source };
        let bytes = image.encode(format, None).unwrap();
        for _ in 0..150 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + random.next_byte() % 8 {
                let at = (usize::from(random.next_byte()) << 8 | usize::from(random.next_byte())) % mutated.len();
                mutated[at] = random.next_byte();
            }
            match Image::decode(&mutated) {
                Ok(decoded) => {
                    assert_eq!(decoded.pixels().len(), (decoded.width() * decoded.height() * 4) as usize)
                }
                Err(err) => assert!(!err.message().is_empty()),
            }
        }
    }
}
