//! Colour management and metadata through the C ABI, exactly as C calls it, against independent
//! references: the fixtures in `testdata/colour` were converted to sRGB by lcms2 (Pillow's
//! ImageCms) and their EXIF written by Pillow (`testdata/colour/make_fixtures.py`; the values
//! below are the script's). Also compiles and runs `ffi/tests/cpp/colour_metadata.cpp`, the same
//! checks through the C++ wrapper.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr;

use pixbridge::*;

#[path = "common/abi.rs"]
mod common_abi;

use common_abi::{check, decode, destroy, last_message, open};

const NONE: u32 = 0; // ColorProfile::None
const SRGB: u32 = 1; // ColorProfile::Srgb
const EMBEDDED: u32 = 2; // ColorProfile::Embedded
const EXIF: u32 = 0; // MetadataBlock::Exif
const XMP: u32 = 1; // MetadataBlock::Xmp
const ICC: u32 = 2; // MetadataBlock::Icc

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn colour(name: &str) -> PathBuf {
    repo().join("testdata/colour").join(name)
}

fn keep_profile() -> DecodeOptions {
    DecodeOptions {
        limits: DecodeLimits::default(),
        min_width: 0,
        min_height: 0,
        deferred: 0,
        lenient: 0,
        keep_profile: 1,
    }
}

fn open_with(path: &Path, options: &DecodeOptions) -> Result<u64, ErrorCode> {
    let path = path.to_str().unwrap();
    let mut image = 0;
    // SAFETY: valid path bytes, valid options, valid out-parameter.
    check(unsafe { pixbridge_image_open_with(path.as_ptr(), path.len(), options, &mut image) })?;
    Ok(image)
}

fn decode_with(bytes: &[u8], options: &DecodeOptions) -> u64 {
    let mut image = 0;
    // SAFETY: valid byte range, options and out-parameter.
    check(unsafe { pixbridge_image_decode_with(bytes.as_ptr(), bytes.len(), options, &mut image) }).unwrap();
    image
}

fn info(image: u64) -> (u32, u32) {
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::Rgba8 };
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_info(image, &mut info) }, ErrorCode::Ok);
    (info.width, info.height)
}

fn pixels(image: u64) -> Vec<u8> {
    let (width, height) = info(image);
    let mut out = vec![0u8; width as usize * height as usize * 4];
    // SAFETY: the buffer holds `out.len()` bytes.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(image, out.as_mut_ptr(), out.len()) }, ErrorCode::Ok);
    out
}

/// Largest and mean absolute difference of R, G and B (alpha ignored).
fn difference(a: u64, b: u64) -> (u8, f64) {
    assert_eq!(info(a), info(b));
    let (mut max, mut sum, mut n) = (0u8, 0u64, 0u64);
    for (p, q) in pixels(a).chunks_exact(4).zip(pixels(b).chunks_exact(4)) {
        for c in 0..3 {
            let d = p[c].abs_diff(q[c]);
            max = max.max(d);
            sum += u64::from(d);
            n += 1;
        }
    }
    (max, sum as f64 / n as f64)
}

fn color_profile(image: u64) -> u32 {
    let mut profile = 99;
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_color_profile(image, &mut profile) }, ErrorCode::Ok);
    profile
}

/// A metadata block through its buffer; `None` for an empty buffer.
fn block(image: u64, block: u32) -> Result<Option<Vec<u8>>, ErrorCode> {
    let mut buffer = 0u64;
    // SAFETY: valid out-parameter.
    check(unsafe { pixbridge_image_metadata(image, block, &mut buffer) })?;
    let (mut data, mut len) = (ptr::null(), 0usize);
    // SAFETY: valid out-parameters; the bytes are copied before the buffer is destroyed.
    let bytes = unsafe {
        assert_eq!(pixbridge_buffer_data(buffer, &mut data, &mut len), ErrorCode::Ok);
        let bytes = if len == 0 { Vec::new() } else { std::slice::from_raw_parts(data, len).to_vec() };
        assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
        bytes
    };
    Ok((!bytes.is_empty()).then_some(bytes))
}

/// A text through the length-query protocol: a null buffer first, then one of the length asked.
fn text(call: impl Fn(*mut u8, usize, *mut usize) -> ErrorCode) -> Result<String, ErrorCode> {
    let mut len = 0usize;
    let status = call(ptr::null_mut(), 0, &mut len);
    if status != ErrorCode::BufferTooSmall && status != ErrorCode::Ok {
        return Err(status);
    }
    let mut buf = vec![0xffu8; len + 1];
    check(call(buf.as_mut_ptr(), buf.len(), &mut len))?;
    assert_eq!(buf[len], 0, "NUL-terminated");
    buf.truncate(len);
    Ok(String::from_utf8(buf).unwrap())
}

fn exif_text(image: u64, field: u32) -> Result<String, ErrorCode> {
    // SAFETY: `buf` holds `len` bytes (or is null with 0), `out` is valid.
    text(|buf, len, out| unsafe { pixbridge_image_exif_text(image, field, buf, len, out) })
}

fn text_entries(image: u64) -> Vec<(String, String)> {
    let mut count = 0u32;
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_text_count(image, &mut count) }, ErrorCode::Ok);
    let part = |index: u32, which: u32| {
        // SAFETY: as in `exif_text`.
        text(|buf, len, out| unsafe { pixbridge_image_text_entry(image, index, which, buf, len, out) }).unwrap()
    };
    (0..count).map(|index| (part(index, 0), part(index, 1))).collect()
}

fn exif_numbers(image: u64) -> ExifNumbers {
    let mut numbers = ExifNumbers {
        orientation: 99,
        iso: 99,
        exposure_time: 0.0,
        f_number: 0.0,
        focal_length: 0.0,
        latitude: 0.0,
        longitude: 0.0,
        altitude: 0.0,
    };
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_exif_numbers(image, &mut numbers) }, ErrorCode::Ok);
    numbers
}

fn encode_with(image: u64, format: u32, strip: bool) -> Vec<u8> {
    let options = EncodeOptions {
        quality: 0,
        subsampling: 0,
        progressive: 0,
        optimize_huffman: 0,
        png_compression: 0,
        webp_quality: 0,
        avif_quality: 0,
        avif_speed: 0,
        strip_metadata: u32::from(strip),
    };
    let mut buffer = 0u64;
    // SAFETY: valid options and out-parameters; the bytes are copied before the buffer is destroyed.
    unsafe {
        assert_eq!(pixbridge_image_encode_with(image, format, &options, &mut buffer), ErrorCode::Ok);
        let (mut data, mut len) = (ptr::null(), 0usize);
        assert_eq!(pixbridge_buffer_data(buffer, &mut data, &mut len), ErrorCode::Ok);
        let bytes = std::slice::from_raw_parts(data, len).to_vec();
        assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
        bytes
    }
}

fn thumbnail(bytes: &[u8], keep_metadata: bool) -> u64 {
    let options =
        ThumbnailOptions { limits: DecodeLimits::default(), allow_upscale: 0, keep_metadata: u32::from(keep_metadata) };
    let mut image = 0;
    // SAFETY: valid byte range, options and out-parameter.
    check(unsafe { pixbridge_image_thumbnail(bytes.as_ptr(), bytes.len(), 80, 80, 0, &options, &mut image) }).unwrap();
    image
}

fn resize(image: u64, width: u32, height: u32) -> u64 {
    let mut out = 0;
    // SAFETY: valid out-parameter; filter 2 = Lanczos3.
    check(unsafe { pixbridge_image_resize(image, width, height, 2, &mut out) }).unwrap();
    out
}

#[test]
fn wide_gamut_photos_decode_to_the_colours_lcms2_gives() {
    for name in ["p3.jpg", "adobergb.jpg", "p3.png"] {
        let decoded = open(&colour(name)).unwrap();
        let reference = open(&colour(&format!("{name}.srgb.png"))).unwrap();
        assert_eq!(color_profile(decoded), SRGB, "{name}");
        let (max, mean) = difference(decoded, reference);
        println!("{name}: max {max}, mean {mean:.3} levels from lcms2 (C ABI)");
        assert!(max <= 2 && mean <= 0.25, "{name}: max {max}, mean {mean}");
        let kept = open_with(&colour(name), &keep_profile()).unwrap();
        assert_eq!(color_profile(kept), EMBEDDED, "{name}");
        let (kept_max, _) = difference(kept, reference);
        assert!(kept_max > 10, "{name}: the stored pixels should differ from sRGB (max {kept_max})");
        for image in [decoded, reference, kept] {
            assert_eq!(destroy(image), ErrorCode::Ok);
        }
    }
}

#[test]
fn raw_blocks_exif_fields_and_png_text() {
    let icc = std::fs::read(colour("p3.icc")).unwrap();
    let image = open_with(&colour("p3.jpg"), &keep_profile()).unwrap();
    assert_eq!(block(image, ICC).unwrap().as_deref(), Some(&icc[..]));
    assert_eq!(block(image, XMP).unwrap(), None);
    let exif = block(image, EXIF).unwrap().unwrap();
    assert!(exif.starts_with(b"II*\0") || exif.starts_with(b"MM\0*"), "a TIFF structure");

    let texts: Vec<String> = (0..7).map(|field| exif_text(image, field).unwrap()).collect();
    assert_eq!(
        texts,
        [
            "Pixbridge P3 Camera",
            "Model P3",
            "Test Lens 35mm F2.8",
            "2024:05:06 07:08:09",
            "Pixbridge fixture script",
            "Pixbridge Tests",
            "CC0 test fixture"
        ]
    );
    let n = exif_numbers(image);
    assert_eq!((n.orientation, n.iso), (1, 400));
    assert_eq!((n.exposure_time, n.f_number, n.focal_length, n.altitude), (1.0 / 250.0, 2.8, 35.0, 62.5));
    // 52° 30' 36" N, 1° 15' 0" W.
    assert!((n.latitude - 52.51).abs() < 1e-9 && (n.longitude + 1.25).abs() < 1e-9, "{n:?}");

    // A small buffer: BufferTooSmall with the length, nothing lost.
    let (mut small, mut len) = ([0u8; 4], 0usize);
    // SAFETY: the buffer holds 4 bytes.
    let status = unsafe { pixbridge_image_exif_text(image, 0, small.as_mut_ptr(), small.len(), &mut len) };
    assert_eq!((status, len), (ErrorCode::BufferTooSmall, "Pixbridge P3 Camera".len()));

    let png = open(&colour("p3.png")).unwrap();
    let entries = text_entries(png);
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(get("Title"), Some("Coffee in Display P3"));
    assert_eq!(get("Description"), Some("Fusée, iTXt with UTF-8"));
    assert!(get("Comment").unwrap().starts_with("A zTXt chunk: compressed text"));
    assert_eq!(block(png, ICC).unwrap().as_deref(), Some(&icc[..]));
    assert!(text_entries(image).is_empty(), "a JPEG has no PNG text");

    // Raw pixels: nothing at all.
    let plain = decode(&encode_with(png, 1, true), None).unwrap();
    assert_eq!(color_profile(plain), NONE);
    assert_eq!(block(plain, EXIF).unwrap(), None);
    let n = exif_numbers(plain);
    assert_eq!((n.orientation, n.iso), (0, 0));
    assert!(n.exposure_time.is_nan() && n.latitude.is_nan() && n.altitude.is_nan());
    assert_eq!(exif_text(plain, 0).unwrap(), "");
    for handle in [image, png, plain] {
        assert_eq!(destroy(handle), ErrorCode::Ok);
    }
}

#[test]
fn saves_keep_exif_and_the_kept_profile_unless_stripped_and_thumbnails_strip() {
    let icc = std::fs::read(colour("p3.icc")).unwrap();
    let bytes = std::fs::read(colour("p3.jpg")).unwrap();
    let kept = decode_with(&bytes, &keep_profile());
    let again = decode_with(&encode_with(kept, 1, false), &keep_profile());
    assert_eq!(block(again, ICC).unwrap().as_deref(), Some(&icc[..]));
    assert_eq!(color_profile(again), EMBEDDED);
    assert_eq!(exif_text(again, 0).unwrap(), "Pixbridge P3 Camera");
    let stripped = decode(&encode_with(kept, 1, true), None).unwrap();
    assert_eq!((block(stripped, EXIF).unwrap(), block(stripped, ICC).unwrap()), (None, None));

    let thumb = thumbnail(&bytes, false);
    assert_eq!(color_profile(thumb), SRGB);
    assert_eq!((block(thumb, EXIF).unwrap(), block(thumb, ICC).unwrap()), (None, None));
    let (width, height) = info(thumb);
    let reference_full = open(&colour("p3.jpg.srgb.png")).unwrap();
    let reference = resize(reference_full, width, height);
    let stored = resize(kept, width, height);
    let (max, mean) = difference(thumb, reference);
    let (_, unmanaged) = difference(stored, reference);
    println!(
        "p3 thumbnail {width}x{height} against lcms2 resized: max {max}, mean {mean:.3} (unconverted {unmanaged:.3})"
    );
    assert!(mean <= 2.0 && mean * 3.0 < unmanaged, "max {max}, mean {mean}, unconverted {unmanaged}");
    let kept_thumb = thumbnail(&bytes, true);
    assert_eq!(exif_text(kept_thumb, 1).unwrap(), "Model P3");
    for handle in [kept, again, stripped, thumb, reference_full, reference, stored, kept_thumb] {
        assert_eq!(destroy(handle), ErrorCode::Ok);
    }
}

#[test]
fn bad_codes_pointers_and_handles_are_refused() {
    let image = open(&colour("p3.png")).unwrap();
    assert_eq!(block(image, 3).unwrap_err(), ErrorCode::InvalidArgument);
    assert!(last_message().contains("metadata block"), "{}", last_message());
    assert_eq!(block(image, u32::MAX).unwrap_err(), ErrorCode::InvalidArgument);
    assert_eq!(exif_text(image, 7).unwrap_err(), ErrorCode::InvalidArgument);
    // SAFETY: as in `text_entries`; part 2 and an index past the end are refused.
    let part =
        |index, which| text(|buf, len, out| unsafe { pixbridge_image_text_entry(image, index, which, buf, len, out) });
    assert_eq!(part(0, 2).unwrap_err(), ErrorCode::InvalidArgument);
    assert_eq!(part(1000, 0).unwrap_err(), ErrorCode::InvalidArgument);
    // SAFETY: null out-parameters are refused, not written.
    unsafe {
        assert_eq!(pixbridge_image_color_profile(image, ptr::null_mut()), ErrorCode::NullArgument);
        assert_eq!(pixbridge_image_metadata(image, 0, ptr::null_mut()), ErrorCode::NullArgument);
        assert_eq!(pixbridge_image_exif_numbers(image, ptr::null_mut()), ErrorCode::NullArgument);
        assert_eq!(pixbridge_image_text_count(image, ptr::null_mut()), ErrorCode::NullArgument);
        assert_eq!(pixbridge_image_exif_text(image, 0, ptr::null_mut(), 0, ptr::null_mut()), ErrorCode::NullArgument);
    }
    assert_eq!(destroy(image), ErrorCode::Ok);
    let mut profile = 0;
    // SAFETY: valid out-parameter; the handle is stale.
    assert_eq!(unsafe { pixbridge_image_color_profile(image, &mut profile) }, ErrorCode::InvalidHandle);
    assert_eq!(block(image, 0).unwrap_err(), ErrorCode::InvalidHandle);
}

/// The same checks through the C++ wrapper: `ffi/tests/cpp/colour_metadata.cpp`, compiled as
/// strict C++17 against `ffi/include` and linked to the cdylib (as `generated.rs` does).
#[test]
fn cpp_program_reads_colour_and_metadata_through_the_wrapper() {
    let exe = std::env::current_exe().unwrap();
    let library_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(library_dir.join("libpixbridge.so").exists(), "libpixbridge.so not built in {}", library_dir.display());
    let dir = tempfile::tempdir().unwrap();
    let soname_dir = dir.path().join("lib");
    std::fs::create_dir_all(&soname_dir).unwrap();
    std::os::unix::fs::symlink(
        library_dir.join("libpixbridge.so"),
        soname_dir.join(format!("libpixbridge.so.{}", pixbridge_runtime::ABI_REVISION)),
    )
    .unwrap();
    let program = dir.path().join("colour_metadata");
    let mut args: Vec<OsString> =
        ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"].map(OsString::from).into();
    args.push(repo().join("ffi/include").into());
    args.push(repo().join("ffi/tests/cpp/colour_metadata.cpp").into());
    args.extend(["-L".into(), library_dir.into_os_string(), "-lpixbridge".into()]);
    args.push(format!("-Wl,-rpath,{}", soname_dir.display()).into());
    args.extend(["-o".into(), program.clone().into_os_string()]);
    let output = Command::new("c++").args(&args).output().expect("c++ is installed");
    assert!(output.status.success(), "c++ failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let output = Command::new(&program).arg(repo().join("testdata")).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "C++ checks failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("colour and metadata checks passed") && !stdout.contains("FAILED"), "{stdout}");
    assert!(stdout.matches("ok: ").count() >= 18, "{stdout}");
}
