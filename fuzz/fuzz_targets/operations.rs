//! Arbitrary chains of operations with arbitrary parameters on small images, through the C ABI.
//! Operations come from the operation table (`table.rs`); after every step the image must be
//! consistent (pixels = width x height x 4 bytes), a new-image operation must leave its source
//! unchanged, and an in-place one must keep the size.
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

/// Width, height and a copy of the pixels, checking that the zero-copy view has the size the
/// info promises.
fn snapshot(image: u64) -> (u32, u32, Vec<u8>) {
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
        };
        if let Some(next) = next {
            assert!(ok(pixbridge_image_destroy(image)));
            image = next;
        }
        snapshot(image);
    }
    assert!(ok(pixbridge_image_destroy(image)));
});
