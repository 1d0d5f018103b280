//! The golden test suite: runs every case of `testdata/manifest.json` through the C ABI and
//! checks each step against an independent reference implementation before comparing the
//! pinned SHA-256 of the result.
//!
//! - `golden_manifest_through_c_abi`: the suite itself. With `PIXBRIDGE_PIN_MANIFEST=1` it
//!   rewrites the pinned hashes of the cases whose reference checks passed. Steps are parsed
//!   and dispatched from the operation table (`golden/manifest.rs`, `common/operations.rs`);
//!   only the references below are written per operation, and a step whose operation has no
//!   reference yet is checked by its pinned hash or expected error alone. A thumbnail case
//!   (`"thumbnail"`) loads its input with `pixbridge_image_thumbnail_file` and is checked by
//!   size (fit rules) and PSNR against an area average (`golden/thumbnail.rs`).
//! - `golden_decode_matches_imagemagick` (ignored; CI runs it explicitly): decodes the test
//!   files with ImageMagick's `convert` and compares, which is the independent check of the
//!   photographs' decoding.
//! - `manifest_covers_every_operation_and_input`: the manifest exercises every operation of the
//!   library's operation table, every test file, every round-trip format and enough errors.
//! - `synthetic_files_match_their_generator`, `references_agree_with_hand_computed_examples`,
//!   `pinning_rewrites_only_the_named_case`, `error_code_names_match_the_c_abi`: checks of the
//!   test data, of the references themselves and of the runner's plumbing.

#[path = "golden/abi.rs"]
mod abi;
#[path = "common/abi.rs"]
mod common_abi;
#[path = "common/exif.rs"]
mod exif;
#[path = "golden/manifest.rs"]
mod manifest;
#[path = "common/operations.rs"]
mod operations;
#[path = "golden/reference.rs"]
mod reference;
#[path = "golden/synthetic.rs"]
mod synthetic;
#[path = "golden/thumbnail.rs"]
mod thumbnail;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use manifest::{Case, Expect, Filter, Format, Op};
use reference::{Expected, Kernel, Rgba};
use synthetic::SyntheticImage;
use thumbnail::Thumbnail;

/// The photographs. Their decoding has no in-process reference; it is checked against
/// ImageMagick by `golden_decode_matches_imagemagick`.
const PHOTOS: [&str; 5] = ["rocket.jpg", "hubble_deep_field.jpg", "astronaut.png", "coffee.png", "chelsea.png"];

/// Photographs with an EXIF orientation added (`exif::exif_oriented`): (file, source
/// photograph, orientation). Their decode must be the source's turned upright.
const EXIF_ORIENTED: [(&str, &str, u16); 1] = [("rocket-exif6.jpg", "rocket.jpg", 6)];

/// Photographs stored in a wide-gamut or CMYK colour space (`testdata/colour`, made by its
/// `make_fixtures.py`): (file, its sRGB reference made by lcms2 or ImageMagick, largest and mean
/// difference allowed). Their decode, converted to sRGB, must be the reference within a level
/// or two.
const COLOUR_MANAGED: [(&str, &str, u8, f64); 4] = [
    ("colour/p3.jpg", "colour/p3.jpg.srgb.png", 2, 0.25),
    ("colour/adobergb.jpg", "colour/adobergb.jpg.srgb.png", 2, 0.25),
    ("colour/p3.png", "colour/p3.png.srgb.png", 2, 0.25),
    ("colour/cmyk.jpg", "colour/cmyk.jpg.srgb.png", 4, 0.5),
];

/// An input that deliberately does not exist: opening it must fail with `NotFound`.
const MISSING_INPUT: &str = "does-not-exist.png";

/// Every error code name, by code (design.md "Error codes").
const ERROR_NAMES: [&str; 14] = [
    "Ok",
    "NullArgument",
    "InvalidHandle",
    "NotFound",
    "Io",
    "PermissionDenied",
    "UnsupportedFormat",
    "Decode",
    "Encode",
    "InvalidArgument",
    "LimitExceeded",
    "InvalidUtf8",
    "BufferTooSmall",
    "Panic",
];

/// Serialises the tests that count live handles.
static ABI_LOCK: Mutex<()> = Mutex::new(());

fn testdata_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

fn manifest_path() -> PathBuf {
    testdata_dir().join("manifest.json")
}

fn load_cases() -> Vec<Case> {
    let text = std::fs::read_to_string(manifest_path()).expect("reading testdata/manifest.json");
    manifest::parse(&text).unwrap_or_else(|e| panic!("testdata/manifest.json: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The reference result of one step, or the error code name the rules predict; `None` for an
/// operation of the table that has no independent reference here yet (its cases are then checked
/// by their pinned hash or expected error only, as in the other languages' suites).
///
/// The references are matched by the operation's name and read their arguments by parameter
/// name, so they stay independent of the library's own dispatch.
fn reference_step(op: &Op, src: &Rgba) -> Option<Result<Expected, &'static str>> {
    const INVALID: &str = "InvalidArgument";
    let call = match op {
        Op::EncodeDecode { format, quality } => return Some(encode_decode_reference(src, *format, *quality)),
        Op::Table(call) => call,
    };
    let valid_sigma = |s: f32| s.is_finite() && s > 0.0 && s <= 1000.0;
    let exact = |image: Rgba| Some(Ok(Expected::exact(image)));
    match call.spec.name {
        "blur" => {
            let sigma = call.f32("sigma");
            if !valid_sigma(sigma) {
                return Some(Err(INVALID));
            }
            Some(Ok(reference::blur(src, f64::from(sigma))))
        }
        "unsharpen" => {
            let (sigma, amount, threshold) = (call.f32("sigma"), call.f32("amount"), call.u32("threshold"));
            let valid_amount = amount.is_finite() && (0.0..=10.0).contains(&amount);
            if !valid_sigma(sigma) || !valid_amount || threshold > 255 {
                return Some(Err(INVALID));
            }
            Some(Ok(reference::unsharpen(src, f64::from(sigma), f64::from(amount), threshold)))
        }
        "resize" => {
            let (width, height) = (call.u32("width"), call.u32("height"));
            let bytes = u64::from(width) * u64::from(height) * 4;
            if width == 0 || height == 0 || width > 32768 || height > 32768 || bytes > 512 << 20 {
                return Some(Err(INVALID));
            }
            Some(Ok(match call.filter("filter") {
                Filter::Nearest => Expected::exact(reference::resize_nearest(src, width, height)),
                Filter::Bilinear => reference::resize_filtered(src, width, height, Kernel::Triangle),
                Filter::Lanczos3 => reference::resize_filtered(src, width, height, Kernel::Lanczos3),
            }))
        }
        "crop" => {
            let (x, y, width, height) = (call.u32("x"), call.u32("y"), call.u32("width"), call.u32("height"));
            Some(reference::crop(src, x, y, width, height).map(Expected::exact).ok_or(INVALID))
        }
        "rotate90" => exact(reference::rotate90(src)),
        "rotate270" => exact(reference::rotate270(src)),
        "mirror" => exact(reference::mirror(src)),
        "flip_vertical" => exact(reference::flip_vertical(src)),
        "rotate180" => exact(reference::rotate180(src)),
        "grayscale" => Some(Ok(reference::grayscale(src))),
        "adjust_brightness" => {
            let delta = call.i32("delta");
            if !(-255..=255).contains(&delta) {
                return Some(Err(INVALID));
            }
            exact(reference::adjust_brightness(src, delta))
        }
        "adjust_contrast" => {
            let contrast = call.f32("contrast");
            if !(contrast.is_finite() && contrast >= -100.0) {
                return Some(Err(INVALID));
            }
            Some(Ok(reference::adjust_contrast(src, f64::from(contrast))))
        }
        "gamma" => {
            let gamma = call.f32("gamma");
            if !(gamma.is_finite() && (0.01..=100.0).contains(&gamma)) {
                return Some(Err(INVALID));
            }
            Some(Ok(reference::gamma(src, f64::from(gamma))))
        }
        _ => None,
    }
}

/// What an encode-then-decode round trip must give: identity for the lossless formats, a
/// close match with opaque alpha for JPEG. Quality is accepted only for JPEG, 1..=100.
fn encode_decode_reference(src: &Rgba, format: Format, quality: Option<u32>) -> Result<Expected, &'static str> {
    match (format, quality) {
        (Format::Jpeg, Some(1..=100)) | (_, None) => {}
        _ => return Err("InvalidArgument"),
    }
    Ok(match format {
        Format::Jpeg => {
            let mut opaque = src.clone();
            for p in opaque.pixels.chunks_exact_mut(4) {
                p[3] = 255;
            }
            // JPEG stores luma at full resolution but (by default) Cb and Cr at 4:2:0: one
            // pair per 2 x 2 block, which the decoder interpolates from the neighbouring blocks.
            // A pixel at a sharp colour edge (or in a one-pixel colour detail) therefore takes
            // on most of its neighbours' chroma, and R = Y + 1.402 (Cr - 128),
            // B = Y + 1.772 (Cb - 128) turn a chroma swing of 128 into 180-230 levels of R or
            // B: 4:2:0 bounds no single RGB channel short of 255 (measured at the default
            // quality 90: 105 on rocket.jpg, 135 on hubble_deep_field.jpg, where 4:4:4 gave 49).
            // What it keeps per pixel is luma, whose error is the DCT quantisation alone (plus
            // the clamping of out-of-gamut reconstructions): measured at the default quality,
            // 11 levels on rocket.jpg and at most 18 on the other photographs (hubble, coffee,
            // chelsea, astronaut), 1.8 on the gradient at quality 90. The luma bound of 24
            // keeps a third over the worst of those; swapped or mis-converted channels, a shifted
            // block or a wrong quality move luma by far more. The mean stays tight: 2.19 on
            // rocket.jpg (1.69 before its Adobe RGB profile was converted to sRGB on decode,
            // which makes its colours more saturated and 4:2:0's chroma error larger), 0.63 on
            // the gradient at quality 90, bound 2.5.
            Expected::Lossy { reference: opaque, max_mean: 2.5, max_luma: 24.0 }
        }
        Format::Gif => {
            // GIF stores a palette of at most 256 colours and 1-bit transparency; only images
            // that fit are reproduced exactly, and hidden colours of transparent pixels are lost.
            let colours: BTreeSet<[u8; 4]> =
                src.pixels.chunks_exact(4).map(|p| if p[3] == 0 { [0; 4] } else { [p[0], p[1], p[2], p[3]] }).collect();
            assert!(
                colours.len() <= 256 && colours.iter().all(|c| c[3] == 0 || c[3] == 255),
                "no reference for a GIF round trip of an image with {} colours or partial alpha: \
                 use an image that GIF stores exactly",
                colours.len()
            );
            let mut lo = src.pixels.clone();
            let mut hi = src.pixels.clone();
            for (l, h) in lo.chunks_exact_mut(4).zip(hi.chunks_exact_mut(4)) {
                if l[3] == 0 {
                    l[..3].fill(0);
                    h[..3].fill(255);
                }
            }
            Expected::Within { width: src.width, height: src.height, lo, hi }
        }
        _ => Expected::exact(src.clone()),
    })
}

/// Checks the full-size decode of a case's input: a synthetic file against the pixels it was
/// made from, an EXIF-oriented copy against its source photograph turned upright; photographs
/// are checked by `golden_decode_matches_imagemagick`.
fn check_decoded(
    input: &str,
    decoded: &Rgba,
    synthetic: &HashMap<&'static str, SyntheticImage>,
    log: &mut Vec<String>,
) -> Result<(), String> {
    if let Some(source) = synthetic.get(input) {
        let expected = if source.lossless {
            Expected::exact(Rgba::new(source.width, source.height, source.rgba.clone()))
        } else {
            Expected::Close {
                reference: Rgba::new(source.width, source.height, source.rgba.clone()),
                max_mean: 2.0,
                max_abs: 16,
            }
        };
        let verdict = expected.check(decoded).map_err(|e| format!("decode: {e}"))?;
        log.push(format!("decode: {verdict}"));
    } else if let Some(&(_, source, orientation)) = EXIF_ORIENTED.iter().find(|(file, ..)| *file == input) {
        // The same JPEG data, so the same pixels, turned as the orientation says.
        let unturned = abi::Image::open(&testdata_dir().join(source))
            .map_err(|f| format!("decode of {source}: {} {}", f.code, f.message))?
            .rgba();
        let upright = match orientation {
            6 => reference::rotate90(&unturned),
            other => return Err(format!("no reference for EXIF orientation {other}")),
        };
        let verdict = Expected::exact(upright).check(decoded).map_err(|e| format!("decode: {e}"))?;
        log.push(format!("decode: {verdict} ({source} turned by EXIF orientation {orientation})"));
    } else if let Some(&(_, reference, max_abs, max_mean)) = COLOUR_MANAGED.iter().find(|(file, ..)| *file == input) {
        let reference = abi::Image::open(&testdata_dir().join(reference))
            .map_err(|f| format!("decode of {reference}: {} {}", f.code, f.message))?
            .rgba();
        let expected = Expected::Close { reference, max_mean, max_abs };
        let verdict = expected.check(decoded).map_err(|e| format!("decode: {e}"))?;
        log.push(format!("decode: {verdict} (converted to sRGB, against lcms2 / ImageMagick)"));
    } else if PHOTOS.contains(&input) {
        log.push("decode: photo (ImageMagick test)".into());
    } else {
        return Err(format!("no reference for decoding {input}: add it to synthetic.rs, PHOTOS or EXIF_ORIENTED"));
    }
    Ok(())
}

/// Checks the result of a thumbnail case against the full-size decode of its input (itself
/// checked by [`check_decoded`]): the size the fit rules give for the upright source, and the
/// PSNR against an f64 area average of the part of the source the fit keeps.
fn check_thumbnail(
    input: &str,
    thumbnail: &Thumbnail,
    actual: &Rgba,
    synthetic: &HashMap<&'static str, SyntheticImage>,
    log: &mut Vec<String>,
) -> Result<(), String> {
    let full = abi::Image::open(&testdata_dir().join(input))
        .map_err(|f| format!("full-size decode: {} {}", f.code, f.message))?
        .rgba();
    check_decoded(input, &full, synthetic, log)?;
    let fitted = thumbnail::fit((full.width, full.height), thumbnail);
    if (actual.width, actual.height) != fitted.size {
        return Err(format!(
            "thumbnail: {} x {} from {} x {}, the fit rules say {} x {}",
            actual.width, actual.height, full.width, full.height, fitted.size.0, fitted.size.1
        ));
    }
    let reference = thumbnail::area_average(&full, fitted.region, fitted.size);
    let (colour, alpha) = thumbnail::psnr(actual, &reference);
    let (min_colour, min_alpha) = thumbnail_psnr_bounds(&full, fitted.size);
    if colour < min_colour || alpha < min_alpha {
        return Err(format!(
            "thumbnail: PSNR against the area average {colour:.1} dB colour (bound {min_colour}), \
             {alpha:.1} dB alpha (bound {min_alpha})"
        ));
    }
    log.push(format!(
        "thumbnail: {} x {}, PSNR against the area average {colour:.1} dB colour, {alpha:.1} dB alpha",
        actual.width, actual.height
    ));
    Ok(())
}

/// The least PSNR (colour, alpha) in dB a thumbnail must reach against the f64 area average.
///
/// The thumbnail is a Catmull-Rom resize (after a DCT-domain shrink-on-load for JPEGs, and an
/// area average for factors above 4), not an area average: it keeps edges sharper, which costs
/// PSNR where the picture has detail at the output scale. Measured on the manifest's cases: 37.9
/// to 47.0 dB on rocket.jpg (Contain, Cover, Fill, EXIF-turned), 36.7 dB on astronaut.png (an
/// exact f64 Lanczos3 resize of it scores 34.7 dB: that is what a sharp filter itself costs on
/// the most detailed photograph), 40.9 dB colour and 38.6 dB alpha on transparent-40x30.png
/// (hard alpha edges), 53.2 dB on the enlarged gradient. (With Lanczos3, before: 39.0 to 43.8,
/// 35.3, 37.2 and 36.1, 54.7 dB.) What the bound must reject scores
/// lower: nearest-neighbour sampling 28.9 dB (rocket.jpg) and 23.0 dB (astronaut.png), the
/// region shifted by one output pixel 30.6 dB (rocket.jpg), straight-alpha averaging that lets
/// the hidden colours of transparent-40x30.png bleed 31.6 dB, swapped channels 10 dB; a wrong
/// orientation, fit or crop already fails on the size or by far more. Hence 34 dB for colour
/// and alpha. A thumbnail the size of its source must be the source itself (infinite PSNR).
fn thumbnail_psnr_bounds(full: &Rgba, size: (u32, u32)) -> (f64, f64) {
    if (full.width, full.height) == size { (f64::INFINITY, f64::INFINITY) } else { (34.0, 34.0) }
}

/// The outcome of a case that passed all its reference checks.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Image { width: u32, height: u32, sha256: String },
    Error(String),
}

/// Checks a failure from the C ABI against the predicted error name.
fn check_failure(step: &str, failure: &abi::Failure, predicted: Option<&str>) -> Result<Outcome, String> {
    if failure.message.is_empty() {
        return Err(format!("{step}: {} with an empty last-error message", failure.code));
    }
    match predicted {
        Some(name) if name == failure.code => Ok(Outcome::Error(failure.code.clone())),
        Some(name) => {
            Err(format!("{step}: failed with {} ({}), the reference predicts {name}", failure.code, failure.message))
        }
        None => {
            Err(format!("{step}: failed with {} ({}), the reference predicts success", failure.code, failure.message))
        }
    }
}

/// Runs one case through the C ABI, checking the decoded input and every step against the
/// references. `log` collects one line per check.
fn run_case(
    case: &Case,
    synthetic: &HashMap<&'static str, SyntheticImage>,
    broken: &HashMap<&'static str, &'static str>,
    log: &mut Vec<String>,
) -> Result<Outcome, String> {
    let path = testdata_dir().join(&case.input);
    let predicted_open_error =
        if case.input == MISSING_INPUT { Some("NotFound") } else { broken.get(case.input.as_str()).copied() };
    let (mut image, mut current) = match &case.thumbnail {
        None => {
            let image = match abi::Image::open(&path) {
                Ok(image) => image,
                Err(failure) => return check_failure("open", &failure, predicted_open_error),
            };
            if let Some(name) = predicted_open_error {
                return Err(format!("open succeeded, the reference predicts {name}"));
            }
            let current = image.rgba();
            check_decoded(&case.input, &current, synthetic, log)?;
            (image, current)
        }
        Some(thumbnail) => {
            // The box is checked before the file is read.
            let predicted = if thumbnail.width == 0 || thumbnail.height == 0 {
                Some("InvalidArgument")
            } else {
                predicted_open_error
            };
            let image = match abi::Image::thumbnail_file(&path, thumbnail) {
                Ok(image) => image,
                Err(failure) => return check_failure("thumbnail", &failure, predicted),
            };
            if let Some(name) = predicted {
                return Err(format!("thumbnail succeeded, the reference predicts {name}"));
            }
            let current = image.rgba();
            check_thumbnail(&case.input, thumbnail, &current, synthetic, log)?;
            (image, current)
        }
    };
    for (index, op) in case.ops.iter().enumerate() {
        let step = format!("step {index} ({})", op.name());
        let result = image.apply(op);
        let Some(predicted) = reference_step(op, &current) else {
            // No independent reference for this operation: the outcome is only compared with
            // the manifest's expectation (pinned hash or error name) by the caller.
            match result {
                Err(failure) if failure.message.is_empty() => {
                    return Err(format!("{step}: {} with an empty last-error message", failure.code));
                }
                Err(failure) => return Ok(Outcome::Error(failure.code)),
                Ok(()) => {
                    log.push(format!("{step}: no independent reference, pinned hash only"));
                    current = image.rgba();
                    continue;
                }
            }
        };
        match (result, predicted) {
            (Err(failure), Err(name)) => return check_failure(&step, &failure, Some(name)),
            (Err(failure), Ok(_)) => return check_failure(&step, &failure, None),
            (Ok(()), Err(name)) => {
                return Err(format!("{step}: succeeded, the reference predicts {name}"));
            }
            (Ok(()), Ok(expected)) => {
                let actual = image.rgba();
                let verdict = expected.check(&actual).map_err(|e| format!("{step}: {e}"))?;
                log.push(format!("{step}: {verdict}"));
                current = actual;
            }
        }
    }
    Ok(Outcome::Image { width: current.width, height: current.height, sha256: sha256_hex(&current.pixels) })
}

#[test]
fn golden_manifest_through_c_abi() {
    let _guard = ABI_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let pin = std::env::var("PIXBRIDGE_PIN_MANIFEST").is_ok_and(|v| v == "1");
    let mut text = std::fs::read_to_string(manifest_path()).expect("reading manifest");
    let cases = manifest::parse(&text).unwrap_or_else(|e| panic!("manifest: {e}"));
    let synthetic: HashMap<_, _> = synthetic::all().into_iter().map(|s| (s.file, s)).collect();
    let broken: HashMap<_, _> = synthetic::broken().into_iter().map(|b| (b.file, b.error)).collect();
    let live_before = abi::live_handles();

    let mut failures = Vec::new();
    let mut pinned = 0;
    for case in &cases {
        let started = std::time::Instant::now();
        let mut log = Vec::new();
        let outcome = run_case(case, &synthetic, &broken, &mut log);
        let elapsed = started.elapsed();
        let result = match (outcome, &case.expect) {
            (Err(e), _) => Err(e),
            (Ok(Outcome::Error(actual)), Expect::Error(expected)) if &actual == expected => Ok(()),
            (Ok(outcome), Expect::Error(expected)) => Err(format!("expected error {expected}, got {outcome:?}")),
            (
                Ok(Outcome::Image { width, height, sha256 }),
                Expect::Image { width: w, height: h, sha256: pinned_hash },
            ) => {
                if (width, height) != (*w, *h) {
                    Err(format!("size {width} x {height}, manifest says {w} x {h}"))
                } else if &sha256 == pinned_hash {
                    Ok(())
                } else if pin {
                    text = manifest::pin_sha256(&text, &case.name, &sha256).unwrap_or_else(|e| panic!("{e}"));
                    pinned += 1;
                    Ok(())
                } else {
                    Err(format!(
                        "sha256 {sha256}, pinned {pinned_hash:?} (the reference checks passed; \
                         re-pin with PIXBRIDGE_PIN_MANIFEST=1 if the change is intended)"
                    ))
                }
            }
            (Ok(Outcome::Error(actual)), Expect::Image { .. }) => {
                Err(format!("failed with {actual}, the manifest expects an image"))
            }
        };
        println!(
            "{:<40} {:>6.0?} {}",
            case.name,
            elapsed,
            match &result {
                Ok(()) => format!("ok [{}]", log.join("; ")),
                Err(e) => format!("FAILED: {e} [{}]", log.join("; ")),
            }
        );
        if let Err(e) = result {
            failures.push(format!("{}: {e}", case.name));
        }
    }
    if pin && pinned > 0 {
        std::fs::write(manifest_path(), &text).expect("writing manifest");
        println!("pinned {pinned} hashes in {}", manifest_path().display());
    }
    assert_eq!(abi::live_handles(), live_before, "the golden run leaked image or buffer handles");
    assert!(failures.is_empty(), "{} of {} golden cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// The sRGB profile of Debian's icc-profiles-free package.
const SRGB_PROFILE: &str = "/usr/share/color/icc/sRGB.icc";

/// Decodes `path` with ImageMagick into RGBA8, EXIF orientation applied and an embedded ICC
/// profile converted to sRGB (by lcms2), like Pixbridge. (`-profile` only assigns the profile
/// to a file without one: its pixels are unchanged.)
fn imagemagick_rgba(path: &Path) -> Vec<u8> {
    assert!(Path::new(SRGB_PROFILE).exists(), "{SRGB_PROFILE} is missing: apt-get install icc-profiles-free");
    let output = std::process::Command::new("convert")
        .arg(path)
        .args(["-profile", SRGB_PROFILE, "-auto-orient", "-depth", "8", "rgba:-"])
        .output()
        .expect("running ImageMagick's convert (Debian package imagemagick)");
    assert!(output.status.success(), "convert {} failed: {}", path.display(), String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
#[ignore = "needs ImageMagick (`convert`); CI runs it explicitly"]
fn golden_decode_matches_imagemagick() {
    let _guard = ABI_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // ImageMagick 6 reads no QOI; that file is checked exactly against its synthetic source.
    let files: Vec<&str> = PHOTOS
        .iter()
        .copied()
        .chain(EXIF_ORIENTED.iter().map(|(file, ..)| *file))
        .chain(synthetic::all().iter().map(|s| s.file).filter(|f| !f.ends_with(".qoi")))
        .collect();
    let mut failures = Vec::new();
    for file in files {
        let path = testdata_dir().join(file);
        let ours = abi::Image::open(&path).unwrap_or_else(|f| panic!("{file}: {} {}", f.code, f.message)).rgba();
        let theirs = imagemagick_rgba(&path);
        assert_eq!(
            theirs.len(),
            ours.pixels.len(),
            "{file}: ImageMagick gives {} bytes, Pixbridge {} x {}",
            theirs.len(),
            ours.width,
            ours.height
        );
        let (mean, max, _) = reference::difference(&ours.pixels, &theirs);
        // JPEG decoders may differ by IDCT rounding and chroma upsampling. ImageMagick 6 maps
        // 16-bit samples to 8 bits with a different rounding (Pixbridge's `round(v / 257)` is
        // checked exactly against the synthetic source by the golden test). Everything else
        // must agree exactly.
        let (mean_limit, max_limit) = if file.ends_with(".jpg") {
            (1.0, 8)
        } else if file.contains("16-") {
            (0.5, 1)
        } else {
            (0.0, 0)
        };
        println!("{file:<28} mean abs diff {mean:.4} max {max}");
        if mean > mean_limit || max > max_limit {
            failures.push(format!("{file}: mean {mean:.4} (limit {mean_limit}), max {max} (limit {max_limit})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn manifest_covers_every_operation_and_input() {
    let cases = load_cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let ops: BTreeSet<&str> = cases.iter().flat_map(|c| c.ops.iter().map(Op::name)).collect();
    for name in abi::operation_names() {
        assert!(ops.contains(name), "no case exercises operation {name}");
    }
    assert!(ops.contains(manifest::ENCODE_DECODE));
    let unreferenced: Vec<&str> =
        pixbridge_runtime::OPERATIONS.iter().filter(|spec| !has_reference(spec)).map(|spec| spec.name).collect();
    if !unreferenced.is_empty() {
        println!("operations checked by pinned hashes only (no independent reference yet): {unreferenced:?}");
    }
    let inputs: BTreeSet<&str> = cases.iter().map(|c| c.input.as_str()).collect();
    let files = PHOTOS
        .iter()
        .copied()
        .chain(EXIF_ORIENTED.iter().map(|(file, ..)| *file))
        .chain(synthetic::all().into_iter().map(|s| s.file))
        .chain(synthetic::broken().into_iter().map(|b| b.file));
    for file in files {
        assert!(inputs.contains(file), "no case reads {file}");
        assert!(testdata_dir().join(file).is_file(), "{file} is missing");
    }
    assert!(inputs.contains(MISSING_INPUT), "no case opens a missing file");
    assert!(!testdata_dir().join(MISSING_INPUT).exists(), "{MISSING_INPUT} must not exist");
    let formats: BTreeSet<String> = cases
        .iter()
        .flat_map(|c| &c.ops)
        .filter_map(|op| match op {
            Op::EncodeDecode { format, .. } => Some(format!("{format:?}")),
            _ => None,
        })
        .collect();
    for format in ["Png", "Jpeg", "WebP", "Bmp", "Tiff", "Gif", "Qoi", "Tga"] {
        assert!(formats.contains(format), "no encode_decode round trip to {format}");
    }
    for case in &cases {
        if let Expect::Error(name) = &case.expect {
            assert!(ERROR_NAMES[1..].contains(&name.as_str()), "{}: unknown error name {name}", case.name);
        }
    }
    let errors = cases.iter().filter(|c| matches!(c.expect, Expect::Error(_))).count();
    assert!(errors >= 8, "only {errors} error cases");
    // Thumbnails: every fit, with and without enlarging, from a JPEG (shrink-on-load), an
    // EXIF-oriented JPEG and a source with transparency, and the three ways to fail.
    let thumbnails: Vec<(&Case, &Thumbnail)> = cases.iter().filter_map(|c| Some((c, c.thumbnail.as_ref()?))).collect();
    let succeeding = |c: &Case| matches!(c.expect, Expect::Image { .. });
    for fit in thumbnail::Fit::ALL {
        assert!(thumbnails.iter().any(|(c, t)| t.fit == fit && succeeding(c)), "no thumbnail case with fit {fit:?}");
    }
    for allow_upscale in [false, true] {
        assert!(thumbnails.iter().any(|(c, t)| t.allow_upscale == allow_upscale && succeeding(c)));
    }
    for input in ["rocket.jpg", EXIF_ORIENTED[0].0, "transparent-40x30.png"] {
        assert!(thumbnails.iter().any(|(c, _)| c.input == input && succeeding(c)), "no thumbnail of {input}");
    }
    for error in ["InvalidArgument", "NotFound", "Decode"] {
        assert!(
            thumbnails.iter().any(|(c, _)| c.expect == Expect::Error(error.into())),
            "no thumbnail case failing with {error}"
        );
    }
}

/// Whether `reference_step` knows the operation (asked with placeholder arguments on a 2 x 2 image).
fn has_reference(spec: &'static pixbridge_runtime::operations::OperationSpec) -> bool {
    use pixbridge_runtime::operations::ParamType;
    let args = spec
        .params
        .iter()
        .map(|param| match param.ty {
            ParamType::F32 => operations::Arg::F32(1.0),
            ParamType::U32 => operations::Arg::U32(1),
            ParamType::I32 => operations::Arg::I32(0),
            ParamType::ResizeFilter => operations::Arg::ResizeFilter(Filter::Nearest.as_u32()),
        })
        .collect();
    let src = Rgba::from_fn(2, 2, |x, y| [x as u8, y as u8, 0, 255]);
    reference_step(&Op::Table(manifest::Call { spec, args }), &src).is_some()
}

#[test]
fn synthetic_files_match_their_generator() {
    // The committed files must be the generator's output (regenerate with make_testdata if
    // the formulas change); the hand-written PNG encoder must produce files `image` can read.
    for image in synthetic::all() {
        let on_disk = std::fs::read(testdata_dir().join(image.file)).unwrap_or_else(|e| panic!("{}: {e}", image.file));
        // TGA has no signature, so the format comes from the extension.
        let format = image::ImageFormat::from_path(image.file).expect("known extension");
        let decoded =
            image::load_from_memory_with_format(&on_disk, format).unwrap_or_else(|e| panic!("{}: {e}", image.file));
        assert_eq!((decoded.width(), decoded.height()), (image.width, image.height), "{}", image.file);
        assert_eq!(on_disk, image.bytes, "{} differs from its generator", image.file);
    }
    for (file, source, orientation) in EXIF_ORIENTED {
        let source = std::fs::read(testdata_dir().join(source)).unwrap_or_else(|e| panic!("{source}: {e}"));
        let on_disk = std::fs::read(testdata_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(on_disk == exif::exif_oriented(&source, orientation), "{file} differs from its generator");
    }
    for broken in synthetic::broken() {
        let on_disk =
            std::fs::read(testdata_dir().join(broken.file)).unwrap_or_else(|e| panic!("{}: {e}", broken.file));
        assert_eq!(on_disk, broken.bytes, "{} differs from its generator", broken.file);
    }
}

#[test]
fn error_code_names_match_the_c_abi() {
    for (code, name) in ERROR_NAMES.iter().enumerate() {
        assert_eq!(abi::error_name(code as u32), *name, "code {code}");
    }
}

/// Self-checks of the reference implementations on tiny hand-computed examples, so that a
/// wrong reference cannot silently agree with a wrong implementation.
#[test]
fn references_agree_with_hand_computed_examples() {
    // 3 x 2 image, pixel value = [index, 10 * index, 100, 255].
    let px = |i: u8| [i, 10 * i, 100, 255];
    let src = Rgba::from_fn(3, 2, |x, y| px((y * 3 + x) as u8));
    let indices = |img: &Rgba| -> Vec<u8> { img.pixels.chunks_exact(4).map(|p| p[0]).collect() };
    // 0 1 2 / 3 4 5
    assert_eq!(indices(&reference::mirror(&src)), [2, 1, 0, 5, 4, 3]);
    assert_eq!(indices(&reference::flip_vertical(&src)), [3, 4, 5, 0, 1, 2]);
    assert_eq!(indices(&reference::rotate180(&src)), [5, 4, 3, 2, 1, 0]);
    // Clockwise: the left column (0, 3) becomes the top row, read bottom to top.
    let r90 = reference::rotate90(&src);
    assert_eq!((r90.width, r90.height), (2, 3));
    assert_eq!(indices(&r90), [3, 0, 4, 1, 5, 2]);
    let r270 = reference::rotate270(&src);
    assert_eq!(indices(&r270), [2, 5, 1, 4, 0, 3]);
    assert_eq!(reference::rotate270(&r90), src);
    assert_eq!(indices(&reference::crop(&src, 1, 0, 2, 2).unwrap()), [1, 2, 4, 5]);
    assert!(reference::crop(&src, 2, 0, 2, 1).is_none());
    assert!(reference::crop(&src, 0, 0, 0, 1).is_none());
    // Nearest 3 -> 5 columns: sources floor((2x + 1) * 3 / 10) = 0, 0, 1, 2, 2; 2 -> 1 rows:
    // floor(1 * 2 / 2) = row 1.
    assert_eq!(indices(&reference::resize_nearest(&src, 5, 1)), [3, 3, 4, 5, 5]);
    // Nearest 3 -> 1 takes the centre.
    assert_eq!(indices(&reference::resize_nearest(&src, 1, 2)), [1, 4]);

    // Blur and filters keep a constant image constant, and blur never moves alpha-0 colour.
    let flat = Rgba::from_fn(5, 4, |_, _| [10, 200, 30, 255]);
    let resized = reference::resize_filtered_values(&flat, 7, 3, Kernel::Lanczos3);
    for v in reference::blur_values(&flat, 2.0).chunks_exact(4).chain(resized.iter().map(|p| &p[..])) {
        for (a, b) in v.iter().zip([10.0, 200.0, 30.0, 255.0]) {
            assert!((a - b).abs() < 1e-9, "{v:?}");
        }
    }
    let half = Rgba::from_fn(2, 1, |x, _| if x == 0 { [255, 0, 0, 255] } else { [0, 255, 0, 0] });
    let blurred = reference::blur_values(&half, 1.0);
    assert!((blurred[0] - 255.0).abs() < 1e-9 && blurred[1].abs() < 1e-9, "{blurred:?}");
    // Two pixels, sigma 1, clamp-to-edge: pixel 0 sees weights summing to the left half plus
    // the centre; by symmetry the alpha splits as w0 + (w1 + w2 + ...) around 127.5.
    assert!(blurred[3] > 127.5 && blurred[3] < 255.0, "{blurred:?}");
    // Bilinear 2 -> 4: centres at -0.25, 0.25, 0.75, 1.25 -> values 0, 0.25, 0.75, 1 of the step.
    let step = Rgba::from_fn(2, 1, |x, _| [if x == 0 { 0 } else { 200 }, 0, 0, 255]);
    let up = reference::resize_filtered_values(&step, 4, 1, Kernel::Triangle);
    let reds: Vec<f64> = up.iter().map(|p| p[0]).collect();
    for (a, b) in reds.iter().zip([0.0, 50.0, 150.0, 200.0]) {
        assert!((a - b).abs() < 1e-9, "{reds:?}");
    }
    // Premultiplied: transparent red beside opaque blue, 2 -> 4 bilinear. Straight alpha
    // would give pixel 1 a red of 191; premultiplied, its colour is blue only, at alpha 191.25
    // (and premultiplied blue 191.25, i.e. straight blue 255).
    let edge = Rgba::from_fn(2, 1, |x, _| if x == 0 { [255, 0, 0, 0] } else { [0, 0, 255, 255] });
    let up = reference::resize_filtered_values(&edge, 4, 1, Kernel::Triangle);
    let expected =
        [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 63.75, 63.75], [0.0, 0.0, 191.25, 191.25], [0.0, 0.0, 255.0, 255.0]];
    for (a, b) in up.iter().zip(expected) {
        assert!(a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-9), "{up:?}");
    }
    // Its check accepts the straight-alpha 8-bit pixels [0, 0, 255, 64] at pixel 1 and rejects
    // a red one.
    let check = reference::resize_filtered(&edge, 4, 1, Kernel::Triangle);
    let good = Rgba::new(4, 1, vec![0, 0, 0, 0, 0, 0, 255, 64, 0, 0, 255, 191, 0, 0, 255, 255]);
    check.check(&good).unwrap();
    let mut bled = good.clone();
    bled.pixels[4] = 191;
    assert!(check.check(&bled).is_err());
    let mut hidden = good.clone();
    hidden.pixels[0] = 1;
    assert!(check.check(&hidden).is_err(), "colour at alpha 0 must be 0");

    // The JPEG check bounds luma per pixel: a chroma error that keeps luma passes, swapped
    // red and blue (luma 76 -> 29) does not.
    let red = Rgba::from_fn(2, 2, |_, _| [255, 0, 0, 255]);
    let lossy = |reference: &Rgba| Expected::Lossy { reference: reference.clone(), max_mean: 100.0, max_luma: 24.0 };
    let shifted = Rgba::from_fn(2, 2, |_, _| [200, 24, 26, 255]); // luma 76.7 vs 76.2
    lossy(&red).check(&shifted).unwrap();
    assert!(lossy(&red).check(&Rgba::from_fn(2, 2, |_, _| [0, 0, 255, 255])).is_err());

    // Colour formulas at known points.
    assert!((reference::luma(255, 0, 0) - 54.213).abs() < 1e-9);
    assert!((reference::luma(7, 7, 7) - 7.0).abs() < 1e-9);
    assert_eq!(reference::adjust_brightness(&Rgba::new(1, 1, vec![250, 5, 100, 7]), 10).pixels, [255, 15, 110, 7]);
    let grey = Rgba::new(1, 1, vec![0, 128, 255, 9]);
    match reference::adjust_contrast(&grey, 100.0) {
        // factor 4: 0 -> -382.5 -> 0, 128 -> 129.5 -> 130 (half away from zero), 255 -> 255.
        Expected::Within { lo, hi, .. } => {
            assert_eq!(lo, [0, 129, 255, 9]);
            assert_eq!(hi, [0, 130, 255, 9]);
        }
        other => panic!("{other:?}"),
    }
    // Unsharpen of a flat image changes nothing (the difference from the blur is 0).
    match reference::unsharpen(&flat, 1.5, 2.0, 0) {
        Expected::Within { lo, hi, .. } => {
            assert!(lo.iter().zip(&flat.pixels).all(|(l, p)| l <= p));
            assert!(hi.iter().zip(&flat.pixels).all(|(h, p)| h >= p));
        }
        other => panic!("{other:?}"),
    }

    // The 16-bit rounding used for the synthetic expectations.
    assert_eq!(synthetic::u16_to_u8(0), 0);
    assert_eq!(synthetic::u16_to_u8(128), 0);
    assert_eq!(synthetic::u16_to_u8(129), 1);
    assert_eq!(synthetic::u16_to_u8(65535), 255);
}

#[test]
fn pinning_rewrites_only_the_named_case() {
    let text = r#"{ "version": 1, "cases": [
    { "name": "a", "input": "x.png", "ops": [],
      "expect": { "width": 1, "height": 1, "sha256": "" } },
    { "name": "b", "input": "x.png", "ops": [],
      "expect": { "width": 1, "height": 1, "sha256": "old" } } ] }"#;
    let pinned = manifest::pin_sha256(text, "b", "new").unwrap();
    assert_eq!(pinned, text.replace("\"old\"", "\"new\""));
    let pinned = manifest::pin_sha256(&pinned, "a", "first").unwrap();
    assert!(pinned.contains("\"sha256\": \"first\" } },\n    { \"name\": \"b\""));
    assert!(manifest::pin_sha256(text, "c", "x").is_err());
    let cases = manifest::parse(&pinned).unwrap();
    assert_eq!(cases.len(), 2);
}

#[test]
fn manifest_steps_are_checked_against_the_operation_table() {
    let parse = |text: &str| manifest::parse_op(&serde_json::from_str(text).unwrap());
    let error = |text: &str| parse(text).expect_err(text);
    assert!(error(r#"{ "op": "sharpen_more" }"#).contains("unknown op \"sharpen_more\""));
    assert!(error(r#"{ "op": "blur" }"#).contains("missing parameter \"sigma\""));
    assert!(error(r#"{ "op": "blur", "sigma": 1.0, "radius": 3 }"#).contains("unexpected key \"radius\""));
    assert!(error(r#"{ "op": "mirror", "sigma": 1.0 }"#).contains("unexpected key \"sigma\""));
    assert!(error(r#"{ "op": "resize", "width": 1, "height": 1, "filter": "Cubic" }"#).contains("resize filter"));
    assert!(error(r#"{ "op": "crop", "x": -1, "y": 0, "width": 1, "height": 1 }"#).contains("x is not a u32"));
    assert!(error(r#"{ "op": "encode_decode", "format": "png", "quality": 0 }"#).contains("quality 0"));
    // Every table operation parses from its parameter names, with arguments in table order.
    for spec in pixbridge_runtime::OPERATIONS {
        let mut object = serde_json::Map::new();
        object.insert("op".into(), spec.name.into());
        for param in spec.params {
            use pixbridge_runtime::operations::ParamType;
            let value: serde_json::Value = match param.ty {
                ParamType::F32 => "NaN".into(),
                ParamType::U32 => 7.into(),
                ParamType::I32 => (-7).into(),
                ParamType::ResizeFilter => "Lanczos3".into(),
            };
            object.insert(param.name.into(), value);
        }
        let op = manifest::parse_op(&object.into()).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        let manifest::Op::Table(call) = op else { panic!("{}: not a table op", spec.name) };
        assert_eq!(call.spec.name, spec.name);
        operations::check_args(spec, &call.args).unwrap();
    }
    let Ok(manifest::Op::Table(call)) = parse(r#"{ "filter": "Bilinear", "op": "resize", "height": 2, "width": 3 }"#)
    else {
        panic!("resize parses");
    };
    assert_eq!((call.u32("width"), call.u32("height"), call.filter("filter")), (3, 2, Filter::Bilinear));
}

/// Self-checks of the thumbnail references (fit rules, area average, PSNR) and of the
/// manifest's thumbnail syntax.
#[test]
fn thumbnail_references_agree_with_hand_computed_examples() {
    use thumbnail::{Fit, Fitted};
    let fit = |source, (width, height), fit, allow_upscale| {
        thumbnail::fit(source, &Thumbnail { width, height, fit, allow_upscale })
    };
    let whole = |w: u32, h: u32| (0.0, 0.0, f64::from(w), f64::from(h));
    // Contain: 4000 * 400 / 6000 = 266.67 -> 267; a fitting source is kept unless enlarging.
    assert_eq!(
        fit((6000, 4000), (400, 400), Fit::Contain, false),
        Fitted { size: (400, 267), region: whole(6000, 4000) }
    );
    assert_eq!(fit((4000, 6000), (400, 400), Fit::Contain, false).size, (267, 400));
    assert_eq!(fit((100, 50), (400, 400), Fit::Contain, false).size, (100, 50));
    assert_eq!(fit((100, 50), (400, 400), Fit::Contain, true).size, (400, 200));
    assert_eq!(fit((10000, 1), (100, 100), Fit::Contain, false).size, (100, 1));
    // Cover: scaled to 600 x 400, the centre 400 x 400, i.e. source columns 1000..5000.
    assert_eq!(
        fit((6000, 4000), (400, 400), Fit::Cover, false),
        Fitted { size: (400, 400), region: (1000.0, 0.0, 4000.0, 4000.0) }
    );
    // Covering 200 x 200 would enlarge 300 x 100: cut at its own scale instead.
    assert_eq!(
        fit((300, 100), (200, 200), Fit::Cover, false),
        Fitted { size: (200, 100), region: (50.0, 0.0, 200.0, 100.0) }
    );
    assert_eq!(fit((300, 100), (200, 200), Fit::Cover, true).size, (200, 200));
    // Fill.
    assert_eq!(fit((100, 4000), (300, 300), Fit::Fill, false).size, (100, 300));
    assert_eq!(fit((100, 4000), (300, 300), Fit::Fill, true).size, (300, 300));

    // Area average: 3 -> 2 covers [0, 1.5) and [1.5, 3): weights 2/3, 1/3 and 1/3, 2/3.
    let row = Rgba::from_fn(3, 1, |x, _| [[0, 30, 90][x as usize], 0, 0, 255]);
    let reds: Vec<f64> = thumbnail::area_average(&row, whole(3, 1), (2, 1)).iter().map(|p| p[0]).collect();
    assert!((reds[0] - 10.0).abs() < 1e-9 && (reds[1] - 70.0).abs() < 1e-9, "{reds:?}");
    // Premultiplied: an invisible red pixel adds nothing but transparency.
    let edge = Rgba::from_fn(2, 1, |x, _| if x == 0 { [255, 0, 0, 0] } else { [0, 0, 200, 255] });
    let p = thumbnail::area_average(&edge, whole(2, 1), (1, 1))[0];
    assert!(p[0].abs() < 1e-9 && (p[2] - 100.0).abs() < 1e-9 && (p[3] - 127.5).abs() < 1e-9, "{p:?}");
    // A region: the right half of a 4 x 1 row.
    let row = Rgba::from_fn(4, 1, |x, _| [x as u8 * 10, 0, 0, 255]);
    assert!((thumbnail::area_average(&row, (2.0, 0.0, 2.0, 1.0), (1, 1))[0][0] - 25.0).abs() < 1e-9);
    // PSNR: one level off everywhere is 48.13 dB; exact is infinite.
    let flat = Rgba::from_fn(2, 2, |_, _| [10, 20, 30, 255]);
    let off = vec![[11.0, 21.0, 31.0, 255.0]; 4];
    let (colour, alpha) = thumbnail::psnr(&flat, &off);
    assert!((colour - 48.1308).abs() < 1e-3 && alpha.is_infinite(), "{colour} {alpha}");

    // Manifest syntax: all four keys, a known fit.
    let case = |thumbnail: &str| {
        let text = format!(
            r#"{{ "version": 1, "cases": [ {{ "name": "t", "input": "x.jpg", "thumbnail": {thumbnail},
            "ops": [], "expect": {{ "error": "NotFound" }} }} ] }}"#
        );
        manifest::parse(&text)
    };
    let parsed = case(r#"{ "width": 3, "height": 2, "fit": "Cover", "allow_upscale": true }"#).unwrap();
    assert_eq!(parsed[0].thumbnail, Some(Thumbnail { width: 3, height: 2, fit: Fit::Cover, allow_upscale: true }));
    assert!(case(r#"{ "width": 3, "height": 2, "fit": "Cover" }"#).unwrap_err().contains("allow_upscale"));
    assert!(case(r#"{ "width": 3, "height": 2, "fit": "Crop", "allow_upscale": false }"#).unwrap_err().contains("fit"));
    assert!(case(r#"{ "width": 3, "height": 2, "fit": "Fill", "allow_upscale": 0 }"#).unwrap_err().contains("bool"));
    assert!(case(r#"{ "width": 3, "height": 2, "fit": "Fill", "allow_upscale": false, "quality": 1 }"#).is_err());
}
