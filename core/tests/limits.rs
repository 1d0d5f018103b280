//! Decode limits against tiny crafted files whose headers claim huge images: each must be
//! rejected with `LimitExceeded`, quickly, and without any large allocation.
//!
//! This test binary installs an allocator that records the largest single allocation made by
//! the current thread, so "without allocating" is measured rather than assumed.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use common::{crc32, png_with};
use image::{ExtendedColorType, ImageEncoder};
use pixbridge_core::{DecodeLimits, Error, Image};

/// Wraps the system allocator and remembers, per thread, the largest allocation requested.
struct LargestAllocation;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    // `try_with`: allocations during thread teardown must not panic.
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to `System`; the only addition is bookkeeping in a
// thread-local `Cell<usize>` that itself never allocates.
unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

/// Nothing a rejected header may allocate comes near this.
const SMALL: usize = 8 << 20;

/// Decodes `bytes`, returning the result, the largest allocation and the time taken.
fn measured_decode(bytes: &[u8], limits: &DecodeLimits) -> (Result<Image, Error>, usize, Duration) {
    LARGEST.with(|largest| largest.set(0));
    let start = Instant::now();
    let result = Image::decode_with_limits(bytes, limits);
    let elapsed = start.elapsed();
    (result, LARGEST.with(Cell::get), elapsed)
}

fn assert_rejected_cheaply(name: &str, bytes: &[u8]) {
    let (result, largest, elapsed) = measured_decode(bytes, &DecodeLimits::default());
    match result {
        Err(Error::LimitExceeded(message)) => {
            assert!(message.contains("limit"), "{name}: {message}");
        }
        other => panic!("{name}: expected LimitExceeded, got {other:?}"),
    }
    assert!(largest < SMALL, "{name}: allocated {largest} bytes at once");
    assert!(elapsed < Duration::from_secs(2), "{name}: took {elapsed:?}");
}

#[test]
fn the_allocation_probe_sees_a_real_decode() {
    // Guards the probe itself: an honest 1500 x 1500 image does allocate its 9 MB.
    let bytes = png_with(&vec![0u8; 1500 * 1500], 1500, 1500, ExtendedColorType::L8);
    let (result, largest, _) = measured_decode(&bytes, &DecodeLimits::default());
    assert!(result.is_ok());
    assert!(largest >= 1500 * 1500 * 4, "probe saw only {largest} bytes");
}

#[test]
fn png_ihdr_of_100000_squared() {
    let mut png = png_with(&[1, 2, 3, 4], 1, 1, ExtendedColorType::Rgba8);
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    assert_rejected_cheaply("PNG 100000x100000", &png);
}

#[test]
fn png_within_dimensions_but_over_the_byte_budget() {
    // 30000 x 30000 RGBA is 3.6 GB: every side within 32768, the bytes over 512 MiB.
    let mut png = png_with(&[1, 2, 3, 4], 1, 1, ExtendedColorType::Rgba8);
    png[16..20].copy_from_slice(&30_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&30_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    assert_rejected_cheaply("PNG 30000x30000", &png);
    let (result, _, _) = measured_decode(&png, &DecodeLimits::default());
    let message = result.unwrap_err().to_string();
    assert!(message.contains("max_decoded_bytes") && message.contains("3600000000"), "{message}");
}

/// A GIF with the given logical screen and one `frame_width` x 1 frame of LZW data.
fn gif(screen_width: u16, screen_height: u16, frame_width: u16, frame_height: u16) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&screen_width.to_le_bytes());
    gif.extend_from_slice(&screen_height.to_le_bytes());
    gif.extend_from_slice(&[0x80, 0, 0]); // global colour table of 2 entries
    gif.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    gif.push(0x2C); // image descriptor
    gif.extend_from_slice(&0u16.to_le_bytes());
    gif.extend_from_slice(&0u16.to_le_bytes());
    gif.extend_from_slice(&frame_width.to_le_bytes());
    gif.extend_from_slice(&frame_height.to_le_bytes());
    gif.push(0);
    gif.push(2); // LZW minimum code size
    gif.extend_from_slice(&[2, 0x4C, 0x01, 0]); // clear, 0, end
    gif.push(0x3B);
    gif
}

#[test]
fn gif_screen_of_65535_squared_with_a_40000_wide_frame() {
    assert_rejected_cheaply("GIF 65535x65535", &gif(65535, 65535, 40000, 1));
}

#[test]
fn gif_small_screen_with_a_giant_frame_fails_cheaply() {
    // The screen passes the header check; the frame claims 40000 x 40000 (6.4 GB as RGBA).
    let (result, largest, elapsed) = measured_decode(&gif(100, 100, 40000, 40000), &DecodeLimits::default());
    assert!(matches!(result, Err(Error::LimitExceeded(_) | Error::Decode(_))), "{result:?}");
    assert!(largest < SMALL, "allocated {largest} bytes at once");
    assert!(elapsed < Duration::from_secs(2));
}

#[test]
fn pnm_header_of_100000_squared() {
    assert_rejected_cheaply("PPM", b"P6 100000 100000 255\n\x01\x02\x03");
    assert_rejected_cheaply("PGM", b"P5\n40000 2\n255\n\x01");
}

#[test]
fn jpeg_sof_of_65500_squared() {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg).write_image(&[128; 64], 8, 8, ExtendedColorType::L8).unwrap();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0 marker");
    // FF C0, length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&65500u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&65500u16.to_be_bytes());
    assert_rejected_cheaply("JPEG 65500x65500", &jpeg);
}

#[test]
fn qoi_bmp_tga_webp_and_hdr_headers() {
    // The qoi crate itself refuses more than 400 million pixels; 30000 x 13000 passes it
    // but needs 1.56 GB as RGBA.
    let mut qoi = b"qoif".to_vec();
    qoi.extend_from_slice(&30_000u32.to_be_bytes());
    qoi.extend_from_slice(&13_000u32.to_be_bytes());
    qoi.extend_from_slice(&[4, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_rejected_cheaply("QOI", &qoi);

    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&100u32.to_le_bytes()); // file size (ignored)
    bmp.extend_from_slice(&0u32.to_le_bytes());
    bmp.extend_from_slice(&54u32.to_le_bytes()); // pixel data offset
    bmp.extend_from_slice(&40u32.to_le_bytes()); // BITMAPINFOHEADER
    // The BMP decoder itself refuses sides over 65535; 60000 passes it.
    bmp.extend_from_slice(&60_000i32.to_le_bytes());
    bmp.extend_from_slice(&60_000i32.to_le_bytes());
    bmp.extend_from_slice(&1u16.to_le_bytes());
    bmp.extend_from_slice(&24u16.to_le_bytes());
    bmp.extend_from_slice(&[0; 24]);
    bmp.extend_from_slice(&[1, 2, 3, 4]);
    assert_rejected_cheaply("BMP", &bmp);

    let mut tga = vec![0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    tga.extend_from_slice(&65535u16.to_le_bytes());
    tga.extend_from_slice(&65535u16.to_le_bytes());
    tga.extend_from_slice(&[32, 8, 1, 2, 3, 4]);
    assert_rejected_cheaply("TGA", &tga);

    // Lossless WebP of 16383 x 16383 (1 GiB as RGBA): sides within limits, bytes over.
    // (image-webp 0.2 misreads the 16384 maximum as 0, so stay one below.)
    let mut vp8l = vec![0x2F];
    let bits: u32 = 16382 | (16382 << 14) | (1 << 28);
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&[0; 9]); // even chunk length
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&(4 + 8 + vp8l.len() as u32).to_le_bytes());
    webp.extend_from_slice(b"WEBPVP8L");
    webp.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    webp.extend_from_slice(&vp8l);
    assert_rejected_cheaply("WebP", &webp);

    let mut farbfeld = b"farbfeld".to_vec();
    farbfeld.extend_from_slice(&100_000u32.to_be_bytes());
    farbfeld.extend_from_slice(&100_000u32.to_be_bytes());
    farbfeld.extend_from_slice(&[0; 8]);
    assert_rejected_cheaply("farbfeld", &farbfeld);

    assert_rejected_cheaply("TIFF", &tiff_claiming(60_000, 60_000));

    let hdr = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 100000 +X 100000\n\x01\x02\x03\x04";
    assert_rejected_cheaply("HDR", hdr);
}

/// A little-endian grey 8-bit TIFF whose single IFD claims `width` x `height` pixels in one
/// strip, with 4 bytes of pixel data present.
fn tiff_claiming(width: u32, height: u32) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    let entries: [(u16, u16, u32); 8] = [
        (256, LONG, width),                      // ImageWidth
        (257, LONG, height),                     // ImageLength
        (258, SHORT, 8),                         // BitsPerSample
        (259, SHORT, 1),                         // Compression: none
        (262, SHORT, 1),                         // PhotometricInterpretation: black is zero
        (273, LONG, 8 + 2 + 8 * 12 + 4),         // StripOffsets: right after the IFD
        (278, LONG, height),                     // RowsPerStrip: a single strip
        (279, LONG, width.wrapping_mul(height)), // StripByteCounts
    ];
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&[1, 2, 3, 4]);
    tiff
}

#[test]
fn tiff_helper_makes_a_readable_file() {
    // The crafted TIFF is well formed: at a small claimed size it fails only for missing data.
    let result = Image::decode(&tiff_claiming(2, 2));
    assert!(matches!(result, Ok(_) | Err(Error::Decode(_))), "{result:?}");
    assert!(!matches!(result, Err(Error::UnsupportedFormat(_))));
}

#[test]
fn custom_limits_apply_to_files_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.png");
    std::fs::write(&path, png_with(&[9; 64 * 2], 64, 2, ExtendedColorType::L8)).unwrap();
    let limits = DecodeLimits { max_width: 63, ..DecodeLimits::default() };
    let err = Image::open_with_limits(&path, &limits).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded(_)), "{err:?}");
    assert!(err.message().contains(&*path.to_string_lossy()), "{err}");
    assert!(Image::open(&path).is_ok());
}
