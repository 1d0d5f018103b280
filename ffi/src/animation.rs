//! Exports for animated GIF and WebP: frame count and loop count, per-frame delays, and any
//! frame decoded as an image.
//!
//! Each call reads the data once. `pixbridge_animation_info` and
//! `pixbridge_animation_frame_delays` read the file's structure only (no frame is decompressed;
//! time proportional to the file's size). `pixbridge_image_decode_frame` with index `n`
//! decodes and composites frames 0 to `n`, holding at most three canvas-sized buffers, never
//! the earlier frames. More than 10000 frames is `LimitExceeded`, as are a canvas or frame over
//! the limits and a decode whose composited canvases, `(n + 1) * width * height * 4` bytes,
//! exceed 64 times `max_decoded_bytes`.

use interoptopus::ffi;
use pixbridge_runtime::{Error, ErrorCode, animation, control};

use crate::convert;
use crate::errors::export;
use crate::images::{DecodeLimits, limits_or_default};

/// What `pixbridge_animation_info` reads about an image's frames. A still image (PNG, JPEG,
/// a one-frame GIF, ...) is one frame, shown once.
#[ffi]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnimationInfo {
    /// Number of frames, 1 to 10000.
    pub frame_count: u32,
    /// Width of the canvas: the width of every decoded frame.
    pub width: u32,
    /// Height of the canvas.
    pub height: u32,
    /// How many times the animation plays, as the file states it; 0 means forever. A GIF
    /// without a looping block and a still image give 1.
    pub loop_count: u32,
}

/// Reads the frame count, canvas size and loop count of the encoded image in
/// `(data, data_len)` without decoding its frames. `limits` may be null for the defaults.
/// Writes them to `out_info`. An animated PNG is `UnsupportedFormat`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_animation_info(
    data: *const u8,
    data_len: usize,
    limits: *const DecodeLimits,
    out_info: *mut AnimationInfo,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `data` holds `data_len` bytes, `limits` is null or readable,
        // `out_info` is null or writable.
        let (data, limits, out_info) = unsafe {
            (convert::bytes(data, data_len, "data")?, limits_or_default(limits), convert::out(out_info, "out_info")?)
        };
        let info = animation::info(data, &limits)?;
        *out_info = AnimationInfo {
            frame_count: info.frame_count,
            width: info.width,
            height: info.height,
            loop_count: info.loop_count,
        };
        Ok(())
    })
}

/// Copies how long each frame of the encoded image in `(data, data_len)` is shown, in
/// milliseconds (GIF: multiples of 10; a still image: one 0), to `(delays_ms, delays_len)`
/// and writes the frame count to `out_count`. If `delays_len` is less than the count, returns
/// `BufferTooSmall` with the count in `out_count` and copies nothing (pass a null `delays_ms`
/// and 0 to ask for it). `limits` may be null for the defaults. Reads the structure only, as
/// `pixbridge_animation_info`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_animation_frame_delays(
    data: *const u8,
    data_len: usize,
    limits: *const DecodeLimits,
    delays_ms: *mut u32,
    delays_len: usize,
    out_count: *mut usize,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `data` holds `data_len` bytes, `limits` is null or readable,
        // `out_count` is null or writable, `delays_ms` is null or holds `delays_len` values.
        let (data, limits, out_count) = unsafe {
            (convert::bytes(data, data_len, "data")?, limits_or_default(limits), convert::out(out_count, "out_count")?)
        };
        if delays_ms.is_null() && delays_len != 0 {
            return Err(Error::new(ErrorCode::NullArgument, "delays_ms is null"));
        }
        if delays_len > isize::MAX as usize / size_of::<u32>() {
            return Err(Error::invalid_argument(format!(
                "delays_ms: length {delays_len} is larger than any buffer can be"
            )));
        }
        let info = animation::info(data, &limits)?;
        *out_count = info.delays_ms.len();
        if delays_len < info.delays_ms.len() {
            return Err(Error::new(
                ErrorCode::BufferTooSmall,
                format!("delays_ms holds {delays_len} values, the image has {} frames", info.delays_ms.len()),
            ));
        }
        // SAFETY: non-null (checked above, as the count is at least 1) and, by the C contract,
        // `delays_len` writable values.
        let target = unsafe { std::slice::from_raw_parts_mut(delays_ms, delays_len) };
        target[..info.delays_ms.len()].copy_from_slice(&info.delays_ms);
        Ok(())
    })
}

/// Decodes frame `index` (from 0) of the animated GIF or WebP in `(data, data_len)`: the full
/// canvas as shown at that frame (RGBA8, earlier frames composited beneath), not the frame's
/// own rectangle. Index 0 of a still image is what `pixbridge_image_decode` gives. An index
/// not below the frame count is `InvalidArgument` (the message names the count). `limits` may
/// be null for the defaults. Writes the new handle to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_decode_frame(
    data: *const u8,
    data_len: usize,
    index: u32,
    limits: *const DecodeLimits,
    out_image: *mut u64,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_decode_frame_controlled(data, data_len, index, limits, 0, out_image) }
}

/// `pixbridge_image_decode_frame` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable between frames from any thread, with progress. A cancelled call returns
/// `Cancelled` and writes nothing to its out-parameter.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_decode_frame_controlled(
    data: *const u8,
    data_len: usize,
    index: u32,
    limits: *const DecodeLimits,
    control: u64,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract, as for `pixbridge_animation_info`.
        let (data, limits, out_image) = unsafe {
            (convert::bytes(data, data_len, "data")?, limits_or_default(limits), convert::out(out_image, "out_image")?)
        };
        *out_image = control::run(control, || animation::decode_frame(data, index, &limits))?;
        Ok(())
    })
}
