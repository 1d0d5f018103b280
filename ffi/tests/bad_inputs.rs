//! The bad-input corpus of issue 6 (`testdata/bad/manifest.json`), run through the C ABI exactly
//! as C calls it: every case gives its expected code and a non-empty message, never a panic.
//! Also: a truncation sweep over every sample format, the peak memory of the decompression
//! bombs, and the path errors that cannot live in a shared manifest (permissions, invalid UTF-8).
//!
//! Regenerate the corpus: `cargo test -p pixbridge-ffi --test bad_inputs -- --ignored make_bad_corpus`
//! (needs ImageMagick's `convert`).

use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::{Mutex, MutexGuard};

use pixbridge::*;
use serde_json::Value;

// The golden suite's manifest parser and operation applier: the bad-input manifest writes
// operations in the same syntax. Only part of each module is used here.
#[allow(dead_code)]
#[path = "golden/abi.rs"]
mod abi;
#[path = "bad_inputs/bytes.rs"]
mod bytes;
#[path = "common/abi.rs"]
mod common_abi;
#[path = "bad_inputs/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "golden/manifest.rs"]
mod manifest;
#[path = "common/memory.rs"]
mod memory;
#[path = "common/operations.rs"]
mod operations;
#[allow(dead_code)]
#[path = "golden/reference.rs"]
mod reference;
#[allow(dead_code)]
#[path = "golden/thumbnail.rs"]
mod thumbnail;

/// The tests compare global live-handle counts and the process's peak memory: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// An error: its code and the thread's last-error message.
type Failure = (ErrorCode, String);

/// Adds the thread's last-error message to a failed call's code.
fn with_message(code: ErrorCode) -> Failure {
    (code, common_abi::last_message())
}

fn check(code: ErrorCode) -> Result<(), Failure> {
    common_abi::check(code).map_err(with_message)
}

fn decode(bytes: &[u8]) -> Result<u64, Failure> {
    common_abi::decode(bytes, None).map_err(with_message)
}

fn open(path: &Path) -> Result<u64, Failure> {
    common_abi::open(path).map_err(with_message)
}

/// A copy of an image's RGBA8 pixels.
fn pixels(image: u64) -> Vec<u8> {
    let (width, height) = size(image);
    let mut out = vec![0u8; width as usize * height as usize * 4];
    // SAFETY: `out` holds `out.len()` writable bytes.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(image, out.as_mut_ptr(), out.len()) }, ErrorCode::Ok);
    out
}

fn size(image: u64) -> (u32, u32) {
    let mut info = std::mem::MaybeUninit::<ImageInfo>::uninit();
    // SAFETY: valid out-parameter; initialised on Ok.
    assert_eq!(unsafe { pixbridge_image_info(image, info.as_mut_ptr()) }, ErrorCode::Ok);
    // SAFETY: written by the successful call above.
    let info = unsafe { info.assume_init() };
    (info.width, info.height)
}

fn destroy(image: u64) {
    assert_eq!(common_abi::destroy(image), ErrorCode::Ok);
}

fn uint(value: &Value, name: &str) -> u32 {
    u32::try_from(value[name].as_u64().unwrap_or_else(|| panic!("uint {name} in {value}"))).unwrap()
}

fn format_code(name: &str) -> u32 {
    manifest::format_from_name(name).unwrap_or_else(|| panic!("format {name}")) as u32
}

/// Opens `path` and applies the operations with the golden suite's applier (which also checks
/// the operation rule: a new-image operation leaves its source alone, an in-place one keeps its
/// buffer). Ok((width, height)) of the result or the first failure.
fn apply_ops(path: &Path, ops: &[Value]) -> Result<(u32, u32), Failure> {
    let mut image = abi::Image::open(path).unwrap_or_else(|f| panic!("the input of an ops case opens: {}", f.message));
    for op in ops {
        let op = manifest::parse_op(op).unwrap_or_else(|e| panic!("{e}: {op}"));
        image.apply(&op).map_err(|failure| {
            let code = ErrorCode::ALL.into_iter().find(|c| c.name() == failure.code);
            (code.unwrap_or_else(|| panic!("{}: {}", failure.code, failure.message)), failure.message)
        })?;
    }
    let rgba = image.rgba();
    Ok((rgba.width, rgba.height))
}

/// Runs one case; Ok((width, height)) or the failure.
fn run(case: &Value) -> Result<(u32, u32), Failure> {
    let input = case["input"].as_str().map(|name| testdata().join(name));
    let image = match case["call"].as_str().unwrap() {
        "decode" => decode(&std::fs::read(input.unwrap()).unwrap())?,
        "open" => open(&input.unwrap())?,
        "ops" => return apply_ops(&input.unwrap(), case["ops"].as_array().unwrap()),
        "save" => {
            let image = open(&input.unwrap()).expect("the input of a save case opens");
            let tmp = tempfile::tempdir().unwrap();
            let path = case["path"].as_str().unwrap().replace("{tmp}", tmp.path().to_str().unwrap());
            // SAFETY: valid path bytes.
            let result = check(unsafe { pixbridge_image_save(image, path.as_ptr(), path.len()) });
            if result.is_err() {
                let left: Vec<_> = walk(tmp.path());
                assert!(left.is_empty(), "a failed save left files behind: {left:?}");
            }
            result.inspect_err(|_| destroy(image))?;
            image
        }
        "from_pixels" => {
            let pixels = vec![7u8; case["length"].as_u64().unwrap() as usize];
            let mut image = 0;
            // SAFETY: valid byte range and out-parameter.
            check(unsafe {
                pixbridge_image_from_pixels(
                    uint(case, "width"),
                    uint(case, "height"),
                    pixels.as_ptr(),
                    pixels.len(),
                    &mut image,
                )
            })?;
            image
        }
        "encode" => {
            let image = open(&input.unwrap()).expect("the input of an encode case opens");
            let mut buffer = 0;
            let format = format_code(case["format"].as_str().unwrap());
            // SAFETY: valid out-parameter.
            let result = check(unsafe { pixbridge_image_encode(image, format, uint(case, "quality"), &mut buffer) });
            if result.is_ok() {
                assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
            }
            result.inspect_err(|_| destroy(image))?;
            image
        }
        other => panic!("unknown call {other}"),
    };
    let result = size(image);
    destroy(image);
    Ok(result)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect()
}

fn code_name(code: ErrorCode) -> String {
    format!("{code:?}")
}

/// Peak resident memory of this process (VmHWM) in KiB.
fn peak_rss_kib() -> u64 {
    memory::status_kib("VmHWM")
}

/// Resets VmHWM to the current RSS (Linux >= 4.0; ignored where unsupported).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(testdata().join("bad/manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(manifest["version"], 1);
    manifest["cases"].as_array().unwrap().clone()
}

/// Peak memory a bomb or bounded case may add: the 32 MiB header budget (`core/src/decode.rs`)
/// plus the decoder's own buffers, and an order of magnitude below the 512 MiB pixel budget
/// a decoder that trusted the file would reach.
const MEASURED_CASE_MAX_GROWTH_KIB: u64 = 96 * 1024;

#[test]
fn bad_input_manifest() {
    let _serial = serial();
    let cases = manifest();
    assert!(cases.len() >= 40, "issue 6 asks for at least 40 cases, the manifest has {}", cases.len());
    let baseline = abi::live_handles();
    // ASan's quarantine and shadow memory inflate RSS; ci/sanitize.sh says so.
    let under_sanitizer = std::env::var_os("PIXBRIDGE_UNDER_SANITIZER").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        // Bombs and the many-frames / many-scans / huge-metadata files: print what they cost,
        // and hold them to a memory bound far below the 512 MiB pixel budget they aim at.
        let measured = expect["error"] == "LimitExceeded" || case["bounded"] == true;
        if measured {
            reset_peak_rss();
        }
        let before = peak_rss_kib();
        let started = std::time::Instant::now();
        let outcome = run(case);
        if measured {
            let grown_kib = peak_rss_kib().saturating_sub(before);
            println!("{name}: peak RSS {before} KiB -> +{grown_kib} KiB in {:?}", started.elapsed());
            if grown_kib > MEASURED_CASE_MAX_GROWTH_KIB && !under_sanitizer {
                failures.push(format!("{name}: peak RSS grew by {grown_kib} KiB"));
            }
        }
        match (outcome, expect["error"].as_str()) {
            (Ok(size), None) => {
                let expected = (uint(expect, "width"), uint(expect, "height"));
                if size != expected {
                    failures.push(format!("{name}: size {size:?}, expected {expected:?}"));
                }
            }
            (Ok(size), Some(error)) => failures.push(format!("{name}: succeeded ({size:?}), expected {error}")),
            (Err((code, message)), expected) => {
                if expected != Some(code_name(code).as_str()) {
                    failures.push(format!("{name}: {code:?} ({message}), expected {}", expected.unwrap_or("success")));
                } else if message.is_empty() {
                    failures.push(format!("{name}: {code:?} with an empty message"));
                }
            }
        }
    }
    assert_eq!(abi::live_handles(), baseline, "handles leaked by the corpus");
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Offsets to cut a file at: every one of the first 64 bytes, then 96 spread over the rest.
fn cut_points(length: usize) -> Vec<usize> {
    let mut points: Vec<usize> = (0..length.min(64)).collect();
    points.extend((0..96).map(|i| 64 + (length.saturating_sub(64)) * i / 96).filter(|&p| p < length));
    points.dedup();
    points
}

#[test]
fn truncation_sweep_fails_or_gives_the_complete_image() {
    let _serial = serial();
    let samples = [
        "gradient-64x48.png",
        "gradient-64x48.jpg",
        "gradient-40x30.bmp",
        "gradient-40x30.tiff",
        "gradient-40x30.webp",
        "gradient-40x30.qoi",
        "gradient-40x30.tga",
        "levels-40x30.gif",
        "interlaced-33x21.png",
        "palette-23x16.png",
        "rgb16-32x24.png",
        "bad/cmyk-40x30.jpg",
        "bad/progressive-40x30.jpg",
        "bad/interlaced-40x30.gif",
        "bad/exif-orientation-6.jpg",
    ];
    let baseline = abi::live_handles();
    let (mut cuts, mut errors) = (0, 0);
    for sample in samples {
        let bytes = std::fs::read(testdata().join(sample)).unwrap();
        let complete = decode(&bytes).unwrap();
        let expected = pixels(complete);
        destroy(complete);
        let mut decoded_cuts = Vec::new();
        for cut in cut_points(bytes.len()) {
            cuts += 1;
            match decode(&bytes[..cut]) {
                Ok(image) => {
                    // Strict decoding: a cut file that decodes held every pixel (it was cut in
                    // a trailer or after the last data the decoder needs).
                    assert!(pixels(image) == expected, "{sample} cut at {cut} decodes to other pixels");
                    decoded_cuts.push(cut);
                    destroy(image);
                }
                Err((code, message)) => {
                    errors += 1;
                    assert_ne!(code, ErrorCode::Panic, "{sample} cut at {cut}: {message}");
                    assert!(!message.is_empty(), "{sample} cut at {cut}: {code:?} without a message");
                }
            }
        }
        if !decoded_cuts.is_empty() {
            println!("{sample} ({} bytes) decodes when cut at {decoded_cuts:?}", bytes.len());
        }
    }
    println!("truncation sweep: {} samples, {cuts} cuts, {errors} errors, {} decoded", samples.len(), cuts - errors);
    assert_eq!(abi::live_handles(), baseline);
}

#[test]
fn path_errors_outside_the_manifest() {
    let _serial = serial();
    let image = open(&testdata().join("gradient-64x48.png")).unwrap();
    let save = |path: &[u8]| {
        // SAFETY: valid byte range.
        check(unsafe { pixbridge_image_save(image, path.as_ptr(), path.len()) })
    };
    let mut out = 0;
    let bad_utf8 = b"/tmp/\xff\xfe.png";
    // SAFETY: valid byte range and out-parameter.
    let code = unsafe { pixbridge_image_open(bad_utf8.as_ptr(), bad_utf8.len(), ptr::null(), &mut out) };
    assert_eq!(code, ErrorCode::InvalidUtf8);
    assert_eq!(save(bad_utf8).unwrap_err().0, ErrorCode::InvalidUtf8);

    // Under a file instead of a folder.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let under_file = format!("{}/out.png", file.display());
    assert_eq!(save(under_file.as_bytes()).unwrap_err().0, ErrorCode::Io);

    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(2) == Some("0"));
    // An unreadable file and an unwritable folder holding an existing target. chmod does not
    // stop root (CI runs as root), so there /proc/self stands in for an unwritable folder.
    use std::os::unix::fs::PermissionsExt;
    let locked = tmp.path().join("locked.png");
    std::fs::copy(testdata().join("gradient-64x48.png"), &locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (folder, target) = if root {
        println!("running as root: chmod 000 does not deny reads; the unreadable-file check is skipped");
        (PathBuf::from("/proc/self"), PathBuf::from("/proc/self/environ"))
    } else {
        assert_eq!(open(&locked).unwrap_err().0, ErrorCode::PermissionDenied);
        let folder = tmp.path().join("read-only");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("target.png"), b"existing content").unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
        (folder.clone(), folder.join("target.png"))
    };
    let before = std::fs::read(&target).unwrap();
    let path = target.to_str().unwrap();
    // SAFETY: valid byte range.
    let (code, message) =
        check(unsafe { pixbridge_image_save_as(image, path.as_ptr(), path.len(), ImageFormat::Png as u32, 0) })
            .unwrap_err();
    println!("save into unwritable {}: {code:?}: {message}", folder.display());
    assert!(matches!(code, ErrorCode::PermissionDenied | ErrorCode::Io | ErrorCode::NotFound), "{code:?}");
    assert_eq!(std::fs::read(&target).unwrap(), before, "the existing target file was changed");
    if !root {
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    destroy(image);
}

/// Regenerates `testdata/bad/` (run with `--ignored`; needs ImageMagick's `convert`).
#[test]
#[ignore = "writes testdata/bad/; run by hand to regenerate the corpus"]
fn make_bad_corpus() {
    // The bomb streams must decode to what they claim: check the encoder on a small size.
    let zeros = bytes::zlib_zeros(100 * (100u64.div_ceil(8) + 1));
    let small_bomb = bytes::png(&bytes::ihdr(100, 100, 1, 0), &[], &zeros);
    let decoded = image::load_from_memory(&small_bomb).expect("the hand-made deflate stream decodes");
    assert_eq!((decoded.width(), decoded.height()), (100, 100));
    assert!(decoded.to_luma8().pixels().all(|p| p.0[0] == 0));
    corpus::write_corpus(&testdata());
}
