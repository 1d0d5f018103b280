//! Arbitrary chains of operations with arbitrary parameters on small images, through the C ABI.
//! Operations come from the operation table (`table.rs`); after every step the image must be
//! consistent (pixels = width x height x 4 bytes), a new-image operation must leave its source
//! unchanged, and an in-place one must keep the size. A `Defer` step re-opens the image as a
//! deferred JPEG, so the steps after it run as deferred operations: their results (computed for
//! each copy) must match the eager decode's, and the zero-copy view is only taken at the end.
#![no_main]

mod table;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pixbridge::*;

#[derive(Arbitrary, Debug)]
enum Step {
    /// An operation of the table.
    Operation(table::TableCall),
    /// Encode in memory (format index, quality) and decode again.
    RoundTrip(u8, u8),
    /// Encode as JPEG (quality) and open the bytes with deferred decoding.
    Defer(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    width: u8,
    height: u8,
    seed: Vec<u8>,
    steps: Vec<Step>,
}

fn ok(code: ErrorCode) -> bool {
    code == ErrorCode::Ok
}

/// Width, height and a copy of the pixels (copied, so a deferred image stays deferred).
fn snapshot(image: u64) -> (u32, u32, Vec<u8>) {
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::L8 };
    // SAFETY: valid out-parameter.
    assert!(ok(unsafe { pixbridge_image_info(image, &mut info) }));
    let mut pixels = vec![0u8; info.width as usize * info.height as usize * 4];
    // SAFETY: `pixels` holds as many writable bytes as it says.
    assert!(ok(unsafe { pixbridge_image_copy_pixels(image, pixels.as_mut_ptr(), pixels.len()) }));
    (info.width, info.height, pixels)
}

/// [`snapshot`] through the zero-copy view, checking it has the size the info promises.
fn view(image: u64) -> (u32, u32, Vec<u8>) {
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::L8 };
    // SAFETY: valid out-parameter.
    assert!(ok(unsafe { pixbridge_image_info(image, &mut info) }));
    let (mut data, mut length) = (std::ptr::null(), 0usize);
    // SAFETY: valid out-parameters.
    assert!(ok(unsafe { pixbridge_image_pixels(image, &mut data, &mut length) }));
    assert_eq!(length, info.width as usize * info.height as usize * 4);
    // SAFETY: the library guarantees `length` readable bytes while the handle lives.
    let pixels = unsafe { std::slice::from_raw_parts(data, length) }.to_vec();
    (info.width, info.height, pixels)
}

/// Encodes `image` and decodes the bytes into a new handle, if both succeed.
fn round_trip(image: u64, format: u8, quality: u8) -> Option<u64> {
    let format = ImageFormat::ALL[format as usize % ImageFormat::ALL.len()].as_u32();
    let mut buffer = 0u64;
    // SAFETY: valid out-parameter.
    if !ok(unsafe { pixbridge_image_encode(image, format, u32::from(quality), &mut buffer) }) {
        return None;
    }
    let (mut data, mut length) = (std::ptr::null(), 0usize);
    let mut decoded = 0u64;
    // SAFETY: valid out-parameters; the bytes stay valid until the buffer is destroyed.
    let code = unsafe {
        assert!(ok(pixbridge_buffer_data(buffer, &mut data, &mut length)));
        pixbridge_image_decode(data, length, std::ptr::null(), &mut decoded)
    };
    assert!(ok(pixbridge_buffer_destroy(buffer)));
    ok(code).then_some(decoded)
}

/// Encodes `image` as JPEG and opens the bytes deferred, checking the deferred image against an
/// eager decode of the same bytes.
fn defer(image: u64, quality: u8) -> Option<u64> {
    let mut buffer = 0u64;
    let quality = u32::from(quality % 100) + 1;
    // SAFETY: valid out-parameter.
    if !ok(unsafe { pixbridge_image_encode(image, ImageFormat::Jpeg.as_u32(), quality, &mut buffer) }) {
        return None;
    }
    let limits = DecodeLimits::default();
    let open = |deferred| {
        let options = DecodeOptions { limits, min_width: 0, min_height: 0, deferred, lenient: 0, keep_profile: 0 };
        let (mut data, mut length) = (std::ptr::null(), 0usize);
        let mut decoded = 0u64;
        // SAFETY: valid out-parameters; the bytes stay valid until the buffer is destroyed.
        let code = unsafe {
            assert!(ok(pixbridge_buffer_data(buffer, &mut data, &mut length)));
            pixbridge_image_decode_with(data, length, &options, &mut decoded)
        };
        assert!(ok(code), "our own JPEG decodes");
        decoded
    };
    let (eager, deferred) = (open(0), open(1));
    assert!(snapshot(deferred) == snapshot(eager), "a deferred decode differs from the eager one");
    assert!(ok(pixbridge_image_destroy(eager)));
    assert!(ok(pixbridge_buffer_destroy(buffer)));
    Some(deferred)
}

fuzz_target!(|input: Input| {
    let (width, height) = (u32::from(input.width % 64) + 1, u32::from(input.height % 64) + 1);
    let mut pixels = vec![0u8; (width * height * 4) as usize];
    for (i, byte) in pixels.iter_mut().enumerate() {
        *byte = input.seed.get(i % input.seed.len().max(1)).copied().unwrap_or(0).wrapping_add(i as u8);
    }
    let mut image = 0u64;
    // SAFETY: valid byte range and out-parameter.
    assert!(ok(unsafe { pixbridge_image_from_pixels(width, height, pixels.as_ptr(), pixels.len(), &mut image) }));
    for step in input.steps.iter().take(8) {
        let before = snapshot(image);
        let next = match step {
            Step::Operation(call) => {
                let returned = call.call(image);
                match returned.out {
                    Some(out) if ok(returned.code) => {
                        assert_ne!(out, 0, "{}: success without a handle", call.spec.name);
                        assert!(
                            snapshot(image) == before,
                            "{}: a new-image operation changed its source",
                            call.spec.name
                        );
                        Some(out)
                    }
                    Some(_) | None => {
                        let after = snapshot(image);
                        assert_eq!(
                            (after.0, after.1),
                            (before.0, before.1),
                            "{}: size changed in place",
                            call.spec.name
                        );
                        None
                    }
                }
            }
            Step::RoundTrip(format, quality) => round_trip(image, *format, *quality),
            Step::Defer(quality) => defer(image, *quality),
        };
        if let Some(next) = next {
            assert!(ok(pixbridge_image_destroy(image)));
            image = next;
        }
        snapshot(image);
    }
    let copied = snapshot(image);
    assert!(view(image) == copied, "the zero-copy view differs from the copy");
    assert!(ok(pixbridge_image_destroy(image)));
});
