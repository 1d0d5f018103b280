//! Lossy WebP (libwebp) and AVIF (rav1e) encoding, checked against independent decoders:
//! Debian's `dwebp` (package `webp`) and `avifdec` (package `libavif-bin`), which CI installs.
//! Also: the options' ranges, alpha, grey, cancellation, and the clear error for decoding AVIF
//! (no AV1 decoder is built in).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pixbridge_core::control::Job;
use pixbridge_core::{AvifOptions, ColorType, EncodeOptions, Error, Image, ImageFormat, Result, WebPOptions};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// A 451 x 300 RGB photograph (a cat), without metadata (which `Image::encode` would add to the
/// formats that carry it: these tests compare the encoders' own output).
fn photo() -> Image {
    let stripped = EncodeOptions { strip_metadata: true, ..EncodeOptions::default() };
    let png = Image::open(&testdata("chelsea.png")).unwrap().encode_with(ImageFormat::Png, &stripped).unwrap();
    Image::decode(&png).unwrap()
}

/// `width` x `height` RGBA pixels: smooth colour, alpha rising from left to right and a fully
/// transparent band on the left.
fn translucent(width: u32, height: u32) -> Image {
    let mut pixels = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let alpha = if x < width / 8 { 0 } else { (x * 255 / (width - 1)) as u8 };
            pixels.extend_from_slice(&[(x * 255 / width) as u8, (y * 255 / height) as u8, 128, alpha]);
        }
    }
    Image::from_rgba8(width, height, pixels).unwrap()
}

/// Mean and maximum absolute difference of the colour channels (`channels` 0..3) or the alpha
/// channel (3..4) of two RGBA buffers, over pixels that are opaque enough to see (alpha >= 128 in
/// `a`) for colour.
fn difference(a: &[u8], b: &[u8], channels: std::ops::Range<usize>) -> (f64, u8) {
    assert_eq!(a.len(), b.len());
    let (mut sum, mut count, mut max) = (0u64, 0u64, 0u8);
    for (pa, pb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        if channels.start < 3 && pa[3] < 128 {
            continue;
        }
        for c in channels.clone() {
            let d = pa[c].abs_diff(pb[c]);
            sum += u64::from(d);
            count += 1;
            max = max.max(d);
        }
    }
    (sum as f64 / count.max(1) as f64, max)
}

/// Runs a Debian tool, failing with the package to install when it is missing.
fn run_tool(tool: &str, package: &str, args: &[&Path]) {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|error| {
        panic!("cannot run `{tool}` ({error}): install the Debian package `{package}` (CI installs it)")
    });
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A PAM file (`P7`, as `dwebp -pam` writes: RGB_ALPHA, depth 4, maxval 255) as (width, height,
/// RGBA pixels), parsed here rather than with Pixbridge's own reader.
fn parse_pam(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let end = bytes.windows(7).position(|w| w == b"ENDHDR\n").expect("a PAM header") + 7;
    let header = std::str::from_utf8(&bytes[..end]).unwrap();
    let field = |name: &str| -> String {
        let line = header.lines().find(|line| line.starts_with(name)).unwrap_or_else(|| panic!("{name} in {header}"));
        line[name.len()..].trim().to_owned()
    };
    assert!(header.starts_with("P7\n"), "{header}");
    assert_eq!((field("DEPTH"), field("MAXVAL"), field("TUPLTYPE")), ("4".into(), "255".into(), "RGB_ALPHA".into()));
    let (width, height): (u32, u32) = (field("WIDTH").parse().unwrap(), field("HEIGHT").parse().unwrap());
    let pixels = bytes[end..].to_vec();
    assert_eq!(pixels.len(), (width * height * 4) as usize);
    (width, height, pixels)
}

fn webp(image: &Image, quality: u8) -> Vec<u8> {
    image.encode_webp(&WebPOptions { quality: Some(quality) }).unwrap()
}

/// The RIFF/WebP chunk that follows the file header: `VP8 ` (lossy), `VP8L` (lossless) or
/// `VP8X` (extended: alpha, metadata).
fn webp_chunk(bytes: &[u8]) -> &[u8] {
    assert_eq!((&bytes[..4], &bytes[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
    &bytes[12..16]
}

#[test]
fn lossy_webp_decodes_back_close_to_the_source() {
    let source = photo();
    let lossless = source.encode(ImageFormat::WebP, None).unwrap();
    assert_eq!(webp_chunk(&lossless), b"VP8L");
    for (quality, bound) in [(50, 4.5), (80, 3.5), (95, 2.0)] {
        let bytes = webp(&source, quality);
        assert_eq!(webp_chunk(&bytes), b"VP8 ", "quality {quality}: lossy, no alpha chunk for an RGB image");
        let decoded = Image::decode(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (451, 300));
        assert_eq!(decoded.color_type(), ColorType::Rgb8);
        let (mean, max) = difference(source.pixels(), decoded.pixels(), 0..3);
        println!(
            "lossy WebP q{quality}: {} bytes (lossless {}), mean error {mean:.2}, max {max}",
            bytes.len(),
            lossless.len()
        );
        // Measured: mean 3.7 / 2.7 / 1.4 levels. A broken encoder (wrong channel order, a
        // shifted row) gives tens of levels.
        assert!(mean < bound, "quality {quality}: mean error {mean:.2}");
        assert!(bytes.len() * 3 < lossless.len(), "quality {quality}: {} vs lossless {}", bytes.len(), lossless.len());
    }
}

#[test]
fn webp_quality_orders_the_file_sizes() {
    let source = photo();
    let sizes: Vec<usize> = [5, 25, 50, 75, 90, 100].into_iter().map(|q| webp(&source, q).len()).collect();
    println!("lossy WebP sizes at quality 5, 25, 50, 75, 90, 100: {sizes:?}");
    assert!(sizes.windows(2).all(|pair| pair[0] < pair[1]), "{sizes:?}");
    // `Image::encode` with a quality is the same lossy encoder.
    assert!(source.encode(ImageFormat::WebP, Some(75)).unwrap() == webp(&source, 75));
    let options = EncodeOptions { webp: WebPOptions { quality: Some(75) }, ..EncodeOptions::default() };
    assert!(source.encode_with(ImageFormat::WebP, &options).unwrap() == webp(&source, 75));
    // Without a quality, WebP stays lossless.
    let lossless = source.encode_with(ImageFormat::WebP, &EncodeOptions::default()).unwrap();
    assert!(Image::decode(&lossless).unwrap().pixels() == source.pixels());
}

#[test]
fn lossy_webp_keeps_alpha() {
    let source = translucent(96, 64);
    let bytes = webp(&source, 80);
    assert_eq!(webp_chunk(&bytes), b"VP8X", "an extended file with an ALPH chunk");
    assert!(bytes.windows(4).any(|w| w == b"ALPH"));
    let decoded = Image::decode(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height(), decoded.color_type()), (96, 64, ColorType::Rgba8));
    let (alpha_mean, alpha_max) = difference(source.pixels(), decoded.pixels(), 3..4);
    let (mean, max) = difference(source.pixels(), decoded.pixels(), 0..3);
    println!("lossy WebP with alpha: alpha mean {alpha_mean:.3} max {alpha_max}; colour mean {mean:.2} max {max}");
    // Alpha is compressed losslessly (libwebp's alpha_quality 100).
    assert_eq!(alpha_max, 0);
    assert!(mean < 3.0, "colour mean error {mean:.2}");
}

#[test]
fn grey_is_written_as_rgb_in_lossy_webp_and_avif() {
    let grey = Image::open(&testdata("gray-32x24.png")).unwrap();
    assert_eq!(grey.color_type(), ColorType::L8);
    let decoded = Image::decode(&webp(&grey, 90)).unwrap();
    assert_eq!((decoded.width(), decoded.height(), decoded.color_type()), (32, 24, ColorType::Rgb8));
    let (mean, _) = difference(grey.pixels(), decoded.pixels(), 0..3);
    assert!(mean < 4.0, "{mean}");
    let avif = grey.encode_avif(&AvifOptions::default()).unwrap();
    let (width, height, pixels) = avifdec(&avif);
    assert_eq!((width, height), (32, 24));
    assert!(difference(grey.pixels(), &pixels, 0..3).0 < 4.0);
}

#[test]
fn lossy_webp_opens_in_dwebp() {
    let dir = tempfile::tempdir().unwrap();
    for (name, source) in [("photo", photo()), ("translucent", translucent(96, 64))] {
        let (webp_path, pam_path) = (dir.path().join(format!("{name}.webp")), dir.path().join(format!("{name}.pam")));
        std::fs::write(&webp_path, webp(&source, 85)).unwrap();
        run_tool("dwebp", "webp", &[&webp_path, Path::new("-pam"), Path::new("-o"), &pam_path]);
        let (width, height, pixels) = parse_pam(&std::fs::read(&pam_path).unwrap());
        assert_eq!((width, height), (source.width(), source.height()), "{name}");
        let (mean, max) = difference(source.pixels(), &pixels, 0..3);
        let (_, alpha_max) = difference(source.pixels(), &pixels, 3..4);
        println!("dwebp {name}: colour mean error {mean:.2}, max {max}; alpha max error {alpha_max}");
        assert!(mean < 3.0, "{name}: {mean:.2}");
        assert_eq!(alpha_max, 0, "{name}");
    }
}

/// Decodes AVIF with Debian's `avifdec` to a PNG, read with Pixbridge's PNG decoder: (width,
/// height, RGBA pixels).
fn avifdec(avif: &[u8]) -> (u32, u32, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let (avif_path, png_path) = (dir.path().join("in.avif"), dir.path().join("out.png"));
    std::fs::write(&avif_path, avif).unwrap();
    run_tool("avifdec", "libavif-bin", &[&avif_path, &png_path]);
    let png = Image::open(&png_path).unwrap();
    (png.width(), png.height(), png.pixels().to_vec())
}

/// The major brand of an ISO-BMFF file's leading `ftyp` box.
fn major_brand(bytes: &[u8]) -> &[u8] {
    assert_eq!(&bytes[4..8], b"ftyp", "{:?}", &bytes[..16]);
    &bytes[8..12]
}

#[test]
fn avif_opens_in_avifdec_close_to_the_source() {
    let source = photo();
    for (quality, speed, bound) in [(80, 6, 3.0), (50, 10, 5.0), (95, 8, 2.0)] {
        let started = std::time::Instant::now();
        let avif = source.encode_avif(&AvifOptions { quality, speed }).unwrap();
        let took = started.elapsed();
        assert_eq!(major_brand(&avif), b"avif");
        let (width, height, pixels) = avifdec(&avif);
        assert_eq!((width, height), (451, 300));
        let (mean, max) = difference(source.pixels(), &pixels, 0..3);
        println!("AVIF q{quality} s{speed}: {} bytes in {took:?}, mean error {mean:.2}, max {max}", avif.len());
        assert!(mean < bound, "quality {quality}: mean error {mean:.2}");
    }
    // Quality orders the sizes; `Image::encode` uses quality 80 at speed 6 by default.
    let sizes: Vec<usize> = [20, 60, 90]
        .into_iter()
        .map(|quality| source.encode_avif(&AvifOptions { quality, speed: 10 }).unwrap().len())
        .collect();
    assert!(sizes.windows(2).all(|pair| pair[0] < pair[1]), "{sizes:?}");
    let default = source.encode(ImageFormat::Avif, None).unwrap();
    assert_eq!(default, source.encode_avif(&AvifOptions { quality: 80, speed: 6 }).unwrap());
    assert_eq!(
        source.encode(ImageFormat::Avif, Some(60)).unwrap(),
        source.encode_avif(&AvifOptions { quality: 60, speed: 6 }).unwrap()
    );
    let options = EncodeOptions { avif: AvifOptions { quality: 60, speed: 9 }, ..EncodeOptions::default() };
    assert_eq!(source.encode_with(ImageFormat::Avif, &options).unwrap(), source.encode_avif(&options.avif).unwrap());
    // Smaller than lossless WebP and than PNG.
    assert!(default.len() * 3 < source.encode(ImageFormat::WebP, None).unwrap().len());
}

#[test]
fn avif_keeps_alpha() {
    let source = translucent(96, 64);
    let avif = source.encode_avif(&AvifOptions { quality: 90, speed: 8 }).unwrap();
    let (width, height, pixels) = avifdec(&avif);
    assert_eq!((width, height), (96, 64));
    let (alpha_mean, alpha_max) = difference(source.pixels(), &pixels, 3..4);
    let (mean, max) = difference(source.pixels(), &pixels, 0..3);
    println!("AVIF with alpha: alpha mean {alpha_mean:.2} max {alpha_max}; colour mean {mean:.2} max {max}");
    assert!(alpha_mean < 2.0 && mean < 3.0, "alpha {alpha_mean:.2}, colour {mean:.2}");
    // Fully transparent stays fully transparent, opaque-ish stays near.
    assert!(pixels.chunks_exact(4).zip(source.pixels().chunks_exact(4)).all(|(p, s)| s[3] != 0 || p[3] < 8));
}

#[test]
fn options_out_of_range_are_invalid_arguments() {
    let image = translucent(16, 16);
    let invalid = |result: Result<Vec<u8>>, what: &str| match result {
        Err(Error::InvalidArgument(message)) => assert!(message.contains("out of range"), "{what}: {message}"),
        other => panic!("{what}: {:?}", other.map(|bytes| bytes.len())),
    };
    for quality in [0, 101, 255] {
        invalid(image.encode_webp(&WebPOptions { quality: Some(quality) }), "WebP quality");
        invalid(image.encode_avif(&AvifOptions { quality, speed: 6 }), "AVIF quality");
        invalid(image.encode(ImageFormat::WebP, Some(quality)), "WebP quality through encode");
        invalid(image.encode(ImageFormat::Avif, Some(quality)), "AVIF quality through encode");
        let options = EncodeOptions { webp: WebPOptions { quality: Some(quality) }, ..EncodeOptions::default() };
        invalid(image.encode_with(ImageFormat::WebP, &options), "WebP quality through encode_with");
    }
    for speed in [0, 11] {
        invalid(image.encode_avif(&AvifOptions { quality: 80, speed }), "AVIF speed");
        let options = EncodeOptions { avif: AvifOptions { quality: 80, speed }, ..EncodeOptions::default() };
        invalid(image.encode_with(ImageFormat::Avif, &options), "AVIF speed through encode_with");
    }
    // Formats without a quality still refuse one.
    assert!(matches!(image.encode(ImageFormat::Bmp, Some(50)), Err(Error::InvalidArgument(_))));
    // WebP cannot hold more than 16383 pixels on a side.
    let wide = Image::from_rgba8(16384, 1, vec![0; 16384 * 4]).unwrap();
    match wide.encode_webp(&WebPOptions { quality: Some(80) }) {
        Err(Error::InvalidArgument(message)) => assert!(message.contains("16383"), "{message}"),
        other => panic!("{:?}", other.map(|bytes| bytes.len())),
    }
}

#[test]
fn decoding_avif_says_it_is_not_available() {
    let avif = translucent(16, 16).encode_avif(&AvifOptions::default()).unwrap();
    // The same file with `mif1` as its major brand and `avif` among the compatible ones (ravif
    // writes `avif`, then `mif1` and `miaf`): `image` does not recognise it, the core's sniffing
    // does.
    let mut mif1 = avif.clone();
    let brands = 16..u32::from_be_bytes(mif1[..4].try_into().unwrap()) as usize;
    assert_eq!(&mif1[brands.clone()], b"mif1miaf");
    mif1[8..12].copy_from_slice(b"mif1");
    mif1[brands.start + 4..brands.end].copy_from_slice(b"avif");
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("avif", &avif), ("mif1", &mif1)] {
        let path = dir.path().join(format!("{name}.avif"));
        std::fs::write(&path, bytes).unwrap();
        for error in [Image::decode(bytes).unwrap_err(), Image::open(&path).unwrap_err()] {
            assert!(matches!(error, Error::UnsupportedFormat(_)), "{name}: {error:?}");
            let message = error.message();
            assert!(message.contains("AVIF decoding is not available in this build"), "{name}: {message}");
            assert!(message.contains("AVIF encoding is"), "{name}: {message}");
        }
    }
    // The file extension selects AVIF for saving.
    assert_eq!(ImageFormat::from_extension("AVIF"), Some(ImageFormat::Avif));
    let path = dir.path().join("saved.avif");
    translucent(16, 16).save(&path).unwrap();
    assert_eq!(major_brand(&std::fs::read(&path).unwrap()), b"avif");
}

/// A job whose callback records the fractions it is given and, from `cancel_at` on, cancels
/// the job.
fn recording_job(cancel_at: Option<f32>) -> (Arc<Job>, Arc<AtomicBool>, Arc<Mutex<Vec<f32>>>) {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (sink, cancel) = (Arc::clone(&seen), Arc::clone(&flag));
    let job = Job::new(
        Arc::clone(&flag),
        Some(Arc::new(move |fraction| {
            sink.lock().unwrap().push(fraction);
            if cancel_at.is_some_and(|at| fraction >= at) {
                cancel.store(true, Ordering::Relaxed);
            }
        })),
    );
    (job, flag, seen)
}

/// An encode call under test.
type Encoder = dyn Fn(&Image) -> Result<Vec<u8>>;

#[test]
fn lossy_webp_and_avif_are_cancelled_around_the_encoder_and_report_progress() {
    let rgb = photo();
    let rgba = translucent(64, 48);
    let cases: [(&str, &Image, Box<Encoder>); 4] = [
        ("WebP RGB", &rgb, Box::new(|image| image.encode_webp(&WebPOptions { quality: Some(70) }))),
        ("WebP RGBA", &rgba, Box::new(|image| image.encode_webp(&WebPOptions { quality: Some(70) }))),
        ("AVIF RGB", &rgb, Box::new(|image| image.encode_avif(&AvifOptions { quality: 60, speed: 10 }))),
        ("AVIF RGBA", &rgba, Box::new(|image| image.encode_avif(&AvifOptions { quality: 60, speed: 10 }))),
    ];
    for (name, image, encode) in cases {
        // Cancelled before the start: nothing runs.
        let (job, flag, seen) = recording_job(None);
        flag.store(true, Ordering::Relaxed);
        assert!(matches!(job.run(|| encode(image)), Err(Error::Cancelled(_))), "{name}");
        assert!(seen.lock().unwrap().is_empty(), "{name}");
        // Cancelled at the first report (the end of the conversion): the encoder never starts.
        let (job, _, seen) = recording_job(Some(0.0));
        assert!(matches!(job.run(|| encode(image)), Err(Error::Cancelled(_))), "{name}: {:?}", seen.lock().unwrap());
        // Uncancelled: the plain result, progress rising to 1.
        let (job, _, seen) = recording_job(None);
        assert!(job.run(|| encode(image)).unwrap() == encode(image).unwrap(), "{name}");
        let seen = seen.lock().unwrap();
        assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{name}: {seen:?}");
        assert_eq!(seen.last(), Some(&1.0), "{name}: {seen:?}");
        assert!(seen.len() >= 2, "{name}: progress before and after the encoder: {seen:?}");
    }
}
