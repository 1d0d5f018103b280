//! Arbitrary call sequences through the C ABI with arbitrary handles and parameters: every call
//! must return a code, and a failed call must leave a message. Operations come from the
//! operation table (`table.rs`).
#![no_main]

mod table;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pixbridge::*;

#[derive(Arbitrary, Debug)]
enum Handle {
    /// One of the handles created so far (index modulo their number).
    Live(u8),
    /// Any number at all.
    Forged(u64),
}

#[derive(Arbitrary, Debug)]
enum Call {
    FromPixels(u8, u8),
    Decode(Vec<u8>),
    Destroy(Handle),
    /// An operation of the table on a handle.
    Operation(Handle, table::TableCall),
    Info(Handle),
    Pixels(Handle),
    Encode(Handle, u32, u32),
    /// Encode options as the fuzzer makes them (in range or not), small values more likely: a
    /// format, then quality, subsampling, progressive, optimize_huffman, png_compression,
    /// webp_quality, avif_quality, avif_speed, strip_metadata.
    EncodeWith(Handle, u8, [u8; 9]),
    BufferDestroy(Handle),
}

fn message_is_set() -> bool {
    let mut length = 0usize;
    // SAFETY: a null buffer of length 0 asks for the length only.
    unsafe { pixbridge_last_error_message(std::ptr::null_mut(), 0, &mut length) };
    length > 0
}

fuzz_target!(|calls: Vec<Call>| {
    let mut handles: Vec<u64> = Vec::new();
    let pick = |handles: &Vec<u64>, handle: &Handle| match handle {
        Handle::Live(index) if !handles.is_empty() => handles[*index as usize % handles.len()],
        Handle::Live(_) => 0,
        Handle::Forged(value) => *value,
    };
    for call in calls.iter().take(32) {
        let mut out = 0u64;
        // SAFETY (all calls below): every pointer passed is valid for the stated length; handles
        // and numbers are arbitrary, which is exactly what the ABI must survive.
        let code = unsafe {
            match call {
                Call::FromPixels(w, h) => {
                    let (w, h) = (u32::from(*w % 32), u32::from(*h % 32));
                    let pixels = vec![128u8; (w * h * 4) as usize];
                    pixbridge_image_from_pixels(w, h, pixels.as_ptr(), pixels.len(), &mut out)
                }
                Call::Decode(bytes) => pixbridge_image_decode(bytes.as_ptr(), bytes.len(), std::ptr::null(), &mut out),
                Call::Destroy(handle) => pixbridge_image_destroy(pick(&handles, handle)),
                Call::Operation(handle, operation) => {
                    let returned = operation.call(pick(&handles, handle));
                    out = returned.out.unwrap_or(0);
                    returned.code
                }
                Call::Info(handle) => {
                    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::L8 };
                    pixbridge_image_info(pick(&handles, handle), &mut info)
                }
                Call::Pixels(handle) => {
                    let (mut data, mut length) = (std::ptr::null(), 0usize);
                    let code = pixbridge_image_pixels(pick(&handles, handle), &mut data, &mut length);
                    if code == ErrorCode::Ok && length > 0 {
                        // Touch both ends: ASan reports any out-of-bounds view.
                        std::hint::black_box((*data, *data.add(length - 1)));
                    }
                    code
                }
                Call::Encode(handle, format, quality) => {
                    let code = pixbridge_image_encode(pick(&handles, handle), *format % 12, *quality % 120, &mut out);
                    if code == ErrorCode::Ok {
                        handles.push(out);
                        out = 0;
                    }
                    code
                }
                Call::EncodeWith(handle, format, fields) => {
                    let f = fields.map(u32::from);
                    let options = EncodeOptions {
                        quality: f[0],
                        subsampling: f[1] % 4,
                        progressive: f[2] % 3,
                        optimize_huffman: f[3] % 3,
                        png_compression: f[4] % 11,
                        webp_quality: f[5],
                        avif_quality: f[6],
                        // Speed 1 (the slowest) is left out: a fuzz run is not an AVIF benchmark.
                        avif_speed: match f[7] % 12 {
                            1 => 2,
                            speed => speed,
                        },
                        strip_metadata: f[8] % 3,
                    };
                    let code = pixbridge_image_encode_with(
                        pick(&handles, handle),
                        u32::from(*format % 12),
                        &options,
                        &mut out,
                    );
                    if code == ErrorCode::Ok {
                        handles.push(out);
                        out = 0;
                    }
                    code
                }
                Call::BufferDestroy(handle) => pixbridge_buffer_destroy(pick(&handles, handle)),
            }
        };
        if code == ErrorCode::Ok {
            if out != 0 {
                handles.push(out);
            }
        } else {
            assert!(message_is_set(), "{call:?} failed with {code:?} but left no message");
        }
    }
    for handle in handles {
        // Stale ones (and images tried as buffers, and vice versa) give InvalidHandle.
        pixbridge_image_destroy(handle);
        pixbridge_buffer_destroy(handle);
    }
});
