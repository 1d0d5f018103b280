//! One image used from several threads at once, through the C exports.
//!
//! Read-only uses (fresh-image operations, encoding, copying the pixels) of the same handle run
//! concurrently and give exactly what one thread alone gets. An in-place operation takes the
//! image's lock exclusively: it waits for the reads under way and the reads wait for it, so
//! every read sees the image wholly before or wholly after each in-place change, never a mix.

use std::path::{Path, PathBuf};
use std::sync::Barrier;

use pixbridge::*;

#[path = "common/abi.rs"]
mod common_abi;

use common_abi::check;

const THREADS: usize = 6;
const ROUNDS: usize = 2;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

fn pixels(image: u64) -> Vec<u8> {
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::Rgba8 };
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_info(image, &mut info) }).expect("info");
    let mut out = vec![0u8; info.width as usize * info.height as usize * 4];
    // SAFETY: `out` holds `out.len()` writable bytes.
    check(unsafe { pixbridge_image_copy_pixels(image, out.as_mut_ptr(), out.len()) }).expect("copy_pixels");
    out
}

fn blurred_pixels(image: u64) -> Vec<u8> {
    let mut blurred = 0;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_blur(image, 3.0, &mut blurred) }).expect("blur");
    let result = pixels(blurred);
    assert_eq!(pixbridge_image_destroy(blurred), ErrorCode::Ok);
    result
}

fn png(image: u64) -> Vec<u8> {
    let mut buffer = 0;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_encode(image, ImageFormat::Png as u32, 0, &mut buffer) }).expect("encode");
    let (mut data, mut len) = (std::ptr::null(), 0usize);
    // SAFETY: valid out-parameters; the bytes stay valid until the buffer is destroyed.
    check(unsafe { pixbridge_buffer_data(buffer, &mut data, &mut len) }).expect("buffer data");
    // SAFETY: the library hands out `len` readable bytes at `data`.
    let bytes = unsafe { std::slice::from_raw_parts(data, len) }.to_vec();
    assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
    bytes
}

#[test]
fn read_only_operations_on_one_image_from_several_threads_match_one_thread() {
    let image = common_abi::open(&testdata("rocket.jpg")).expect("rocket.jpg opens");
    // The reference, computed by this thread alone first.
    let (reference_blur, reference_png, reference_pixels) = (blurred_pixels(image), png(image), pixels(image));
    let start = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                start.wait();
                for _ in 0..ROUNDS {
                    assert!(blurred_pixels(image) == reference_blur, "a concurrent blur differs");
                    assert!(png(image) == reference_png, "a concurrent encode differs");
                    assert!(pixels(image) == reference_pixels, "concurrently read pixels differ");
                }
            });
        }
    });
    assert_eq!(pixels(image), reference_pixels, "reads left the image unchanged");
    assert_eq!(pixbridge_image_destroy(image), ErrorCode::Ok);
}

#[test]
fn in_place_operations_are_serialised_with_reads_of_the_same_image() {
    let image = common_abi::open(&testdata("rocket.jpg")).expect("rocket.jpg opens");
    let original = pixels(image);
    let original_blur = blurred_pixels(image);
    check(pixbridge_image_mirror(image)).expect("mirror");
    let mirrored = pixels(image);
    let mirrored_blur = blurred_pixels(image);
    check(pixbridge_image_mirror(image)).expect("mirror back");
    assert_ne!(original, mirrored, "the test needs an image that mirroring changes");

    const MIRRORS: usize = 16;
    let start = Barrier::new(THREADS + 1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            start.wait();
            for _ in 0..MIRRORS {
                check(pixbridge_image_mirror(image)).expect("an in-place operation on an image in use");
            }
        });
        for _ in 0..THREADS {
            scope.spawn(|| {
                start.wait();
                for round in 0..MIRRORS / 2 {
                    let seen = pixels(image);
                    assert!(seen == original || seen == mirrored, "round {round}: a read saw a half-mirrored image");
                    let blur = blurred_pixels(image);
                    assert!(
                        blur == original_blur || blur == mirrored_blur,
                        "round {round}: a blur saw a half-mirrored image"
                    );
                }
            });
        }
    });
    // An even number of mirrors, each applied whole: the original again.
    assert_eq!(pixels(image), original);
    assert_eq!(pixbridge_image_destroy(image), ErrorCode::Ok);
}
