//! Issue 15, item 1: a file that claims a large image and holds almost no data must not cost the
//! memory its header claims. An 80-byte PNG (the report's had 74) claiming 11585 x 11585 RGBA8 (just inside the 512 MiB
//! pixel budget) and an 80-byte farbfeld file claiming 8192 x 8192 RGBA16 fail with `Decode`,
//! but the zero-filled pixel buffer they are decoded into used to be cleared with a memset by the
//! global allocator (a 4096-byte-aligned block), so every page of 512 MiB became resident.
//!
//! Its own test binary: the peak memory of the process (`VmHWM`) is measured, so no other test
//! may run beside these ones (they take a lock too).

use std::sync::{Mutex, MutexGuard};

use pixbridge::{ErrorCode, ImageInfo, pixbridge_image_copy_pixels, pixbridge_image_info, pixbridge_trim};

/// The PNG and deflate writers of the bad-input corpus.
#[allow(dead_code)]
#[path = "bad_inputs/bytes.rs"]
mod bytes;
#[path = "common/abi.rs"]
mod common_abi;
#[path = "common/exif.rs"]
mod exif;
#[path = "common/memory.rs"]
mod memory;

/// The tests measure the process's peak memory: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Most a bomb may add to the peak memory: a small fraction of the 512 MiB it claims.
const MAX_GROWTH_KIB: u64 = 64 * 1024;

/// ASan's shadow memory and quarantine inflate RSS (`ci/sanitize.sh` sets this).
fn under_sanitizer() -> bool {
    std::env::var_os("PIXBRIDGE_UNDER_SANITIZER").is_some()
}

/// An RGBA8 PNG of `width` x `height` whose IDAT inflates to 1040 zero bytes (16 rows of 16
/// transparent black pixels, filter bytes included).
fn png(width: u32, height: u32) -> Vec<u8> {
    bytes::png(&bytes::ihdr(width, height, 8, 6), &[], &bytes::zlib_zeros(1040))
}

/// A farbfeld file (RGBA16) of `width` x `height` with the pixel data of 8 pixels only.
fn farbfeld(width: u32, height: u32) -> Vec<u8> {
    let mut file = b"farbfeld".to_vec();
    file.extend_from_slice(&width.to_be_bytes());
    file.extend_from_slice(&height.to_be_bytes());
    file.extend_from_slice(&[0x80; 64]);
    file
}

fn info(image: u64) -> ImageInfo {
    let mut info = std::mem::MaybeUninit::<ImageInfo>::uninit();
    // SAFETY: valid out-parameter; initialised on Ok.
    assert_eq!(unsafe { pixbridge_image_info(image, info.as_mut_ptr()) }, ErrorCode::Ok);
    // SAFETY: written by the successful call above.
    unsafe { info.assume_init() }
}

fn pixels(image: u64) -> Vec<u8> {
    let info = info(image);
    let mut pixels = vec![0x55u8; info.width as usize * info.height as usize * 4];
    // SAFETY: the buffer holds `pixels.len()` writable bytes.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(image, pixels.as_mut_ptr(), pixels.len()) }, ErrorCode::Ok);
    pixels
}

fn trim() -> u64 {
    let mut released = 0;
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_trim(&mut released) }, ErrorCode::Ok);
    released
}

/// Peak resident memory of this process (VmHWM) in KiB, after resetting it to the current
/// resident memory (Linux 4.0 and later; where the reset fails the peak only grows, which makes
/// the bound stricter, never looser).
fn reset_peak() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    memory::status_kib("VmHWM")
}

/// Decodes `bytes` (expected to fail with `Decode`) `rounds` times on each of `threads` threads
/// at once and returns how much the process's peak memory grew, in KiB.
fn peak_growth_of_failing_decodes(name: &str, bytes: &[u8], threads: usize, rounds: usize) -> u64 {
    let before = reset_peak();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for round in 0..rounds {
                    let outcome = common_abi::decode(bytes, None);
                    assert_eq!(
                        outcome,
                        Err(ErrorCode::Decode),
                        "{name}, round {round}: {}",
                        common_abi::last_message()
                    );
                }
            });
        }
    });
    let grown = memory::status_kib("VmHWM").saturating_sub(before);
    println!("{name} ({} bytes) x {rounds} on {threads} thread(s): peak RSS {before} KiB -> +{grown} KiB", bytes.len());
    grown
}

#[test]
fn a_decompression_bomb_does_not_touch_its_pixel_buffer() {
    let _serial = serial();
    if !cfg!(target_os = "linux") {
        return; // VmHWM comes from /proc/self/status
    }
    // The stream is valid: with a header that matches its data, the PNG decodes.
    let small = png(16, 16);
    let image = common_abi::decode(&small, None).expect("the 16 x 16 PNG decodes");
    assert!(pixels(image).iter().all(|&byte| byte == 0));
    assert_eq!(common_abi::destroy(image), ErrorCode::Ok);

    // 11585^2 * 4 bytes = 536 848 900, just under the default 512 MiB budget.
    let png_bomb = png(11585, 11585);
    assert!(png_bomb.len() < 200, "{} bytes", png_bomb.len());
    // 8192^2 * 8 bytes = 512 MiB exactly.
    let farbfeld_bomb = farbfeld(8192, 8192);
    assert_eq!(farbfeld_bomb.len(), 80);

    let mut failures = Vec::new();
    // The first decode gets a fresh block, the next ones the cached block the first one freed
    // (cleared again for each); then several threads at once, as in the report.
    for (name, bytes) in [("PNG bomb", &png_bomb), ("farbfeld bomb", &farbfeld_bomb)] {
        for (threads, rounds) in [(1, 3), (4, 2)] {
            let grown = peak_growth_of_failing_decodes(name, bytes, threads, rounds);
            if grown > MAX_GROWTH_KIB {
                failures.push(format!("{name} x {rounds} on {threads} thread(s): peak RSS grew by {grown} KiB"));
            }
        }
    }
    trim();
    if under_sanitizer() {
        println!("under a sanitizer: the peak-memory bound is not checked");
        return;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A gradient that no two neighbouring rows or columns repeat.
fn gradient(width: u32, height: u32) -> Vec<u8> {
    let mut rgba = Vec::with_capacity(width as usize * height as usize * 4);
    for y in 0..height {
        for x in 0..width {
            rgba.extend_from_slice(&[x as u8, y as u8, (x ^ y) as u8, (x / 7 + y / 5) as u8]);
        }
    }
    rgba
}

#[test]
fn large_images_decode_to_their_pixels_in_fresh_and_reused_blocks() {
    let _serial = serial();
    // 24 MiB of RGBA8 (a block the allocator caches), then an RGB PNG of the same size (decoded
    // into the front of a zeroed RGBA buffer and widened in place).
    let (width, height) = (3072u32, 2048u32);
    let rgba = gradient(width, height);
    let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|pixel| [pixel[0], pixel[1], pixel[2]]).collect();
    let encode = |bytes: &[u8], color: image::ExtendedColorType| {
        let mut png = Vec::new();
        image::ImageEncoder::write_image(image::codecs::png::PngEncoder::new(&mut png), bytes, width, height, color)
            .unwrap();
        png
    };
    let rgba_png = encode(&rgba, image::ExtendedColorType::Rgba8);
    let rgb_png = encode(&rgb, image::ExtendedColorType::Rgb8);
    let opaque: Vec<u8> = rgb.chunks_exact(3).flat_map(|pixel| [pixel[0], pixel[1], pixel[2], 255]).collect();
    trim();
    // Fresh blocks first, then the cached ones again (the same image, and the other colour type).
    for (round, (png, expected)) in
        [(&rgba_png, &rgba), (&rgba_png, &rgba), (&rgb_png, &opaque), (&rgb_png, &opaque)].into_iter().enumerate()
    {
        let image = common_abi::decode(png, None).unwrap_or_else(|code| panic!("round {round}: {code:?}"));
        let info = info(image);
        assert_eq!((info.width, info.height), (width, height));
        assert!(pixels(image) == *expected, "round {round}: the decoded pixels differ");
        assert_eq!(common_abi::destroy(image), ErrorCode::Ok);
    }
    trim();
}

/// The cases of [`an_accepted_decode_peaks_near_its_pixel_buffer`]: name, and the largest peak
/// growth allowed, as a multiple of the 2048 x 2048 RGBA buffer.
const ACCEPTED_DECODE_CASES: [(&str, f64); 4] = [
    ("RGB PNG", 1.25),
    ("JPEG", 1.25),
    ("JPEG, EXIF rotation by 180 degrees", 1.25),
    ("JPEG, EXIF rotation by 90 degrees", 2.25),
];

/// The file of the accepted-decode case `name` (a 2048 x 2048 gradient).
fn accepted_decode_input(name: &str) -> Vec<u8> {
    let (width, height) = (2048u32, 2048u32);
    let rgb: Vec<u8> =
        gradient(width, height).chunks_exact(4).flat_map(|pixel| [pixel[0], pixel[1], pixel[2]]).collect();
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    let mut jpeg = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90),
        &rgb,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    match name {
        "RGB PNG" => png,
        "JPEG" => jpeg,
        "JPEG, EXIF rotation by 180 degrees" => exif::exif_oriented(&jpeg, 3),
        "JPEG, EXIF rotation by 90 degrees" => exif::exif_oriented(&jpeg, 6),
        _ => panic!("unknown case {name}"),
    }
}

/// Gives glibc's free heap pages back to the system, so that the decode's buffer shows in the
/// peak RSS: making the inputs frees megabytes of encoder buffers whose pages would otherwise
/// stay resident and be reused.
fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim only gives free memory back; it has no preconditions.
        unsafe { malloc_trim(0) };
    }
}

/// Set in the child processes of [`an_accepted_decode_peaks_near_its_pixel_buffer`]: the case to
/// decode.
const PEAK_CASE_VARIABLE: &str = "PIXBRIDGE_PEAK_CASE";

/// Issue 15, item 10: the peak memory of an accepted decode is its RGBA buffer plus little: a
/// JPEG is decoded by libjpeg-turbo straight into RGBA, an RGB PNG into the front of the RGBA
/// buffer and widened in place, an EXIF rotation by 180 degrees is done in place. A rotation by
/// 90 degrees needs one turned copy, so it peaks at twice the buffer. Each case runs in a fresh
/// process (this test binary, [`accepted_decode_child`]): in one process, the pages of an earlier
/// case's freed buffer stay resident (the allocator's and glibc's) and hide the next one's.
#[test]
fn an_accepted_decode_peaks_near_its_pixel_buffer() {
    let _serial = serial();
    if !cfg!(target_os = "linux") || under_sanitizer() {
        return; // VmHWM comes from /proc/self/status; ASan inflates RSS.
    }
    let buffer_kib = 2048 * 2048 * 4 / 1024;
    let mut failures = Vec::new();
    for (name, allowed) in ACCEPTED_DECODE_CASES {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "accepted_decode_child", "--nocapture", "--test-threads=1"])
            .env(PEAK_CASE_VARIABLE, name)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let grown: u64 = stdout
            .lines()
            .find_map(|line| line.split("peak growth KiB: ").nth(1))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| {
                panic!("{name}: no figure from the child:\n{stdout}{}", String::from_utf8_lossy(&output.stderr))
            });
        let ratio = grown as f64 / buffer_kib as f64;
        println!("{name}: peak RSS +{grown} KiB for a {buffer_kib} KiB RGBA buffer ({ratio:.2}x)");
        if ratio > allowed {
            failures.push(format!("{name}: peak RSS grew by {ratio:.2}x the RGBA buffer (at most {allowed}x)"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The child of [`an_accepted_decode_peaks_near_its_pixel_buffer`]; does nothing unless
/// [`PEAK_CASE_VARIABLE`] names a case.
#[test]
fn accepted_decode_child() {
    let Ok(wanted) = std::env::var(PEAK_CASE_VARIABLE) else { return };
    let name = wanted.as_str();
    let bytes = accepted_decode_input(name);
    // The recycling allocator (the test binary's global allocator too) keeps the freed blocks of
    // the encoders; give them back, then glibc's free pages.
    trim();
    release_free_heap();
    let before = reset_peak();
    let image = common_abi::decode(&bytes, None).unwrap_or_else(|code| panic!("{name}: {code:?}"));
    let grown = memory::status_kib("VmHWM").saturating_sub(before);
    assert_eq!(info(image).width * info(image).height, 2048 * 2048, "{name}");
    assert_eq!(common_abi::destroy(image), ErrorCode::Ok);
    println!("peak growth KiB: {grown}");
}
