//! Exports that bring pixels in from, and copy them out to, the layouts other libraries hold
//! (SkiaSharp and WPF bitmaps, `BufferedImage` rasters, ...): see `PixelFormat`.
//!
//! Each call converts once, in native code, straight between the caller's buffer and the
//! image's RGBA8 (no intermediate copy). `stride` is the distance in bytes between the starts
//! of two rows; 0 means tightly packed (`width * bytes_per_pixel`: 4, 3 for `Rgb8`/`Bgr8`, 1
//! for `Gray8`). A buffer must hold at least `stride * (height - 1) + width * bytes_per_pixel`
//! bytes: the last row needs no padding.

use interoptopus::ffi;
use pixbridge_runtime::{ErrorCode, pixels};

use crate::convert;
use crate::errors::export;

/// Creates an image from `width` x `height` pixels at `(data, data_len)` in layout `format` (a
/// `PixelFormat`), rows `stride` bytes apart (0 = tightly packed). Premultiplied layouts are
/// unpremultiplied exactly (`c = min(255, round(c' * 255 / a))`, `a = 0` gives all zero); `X`
/// bytes are ignored. The colour type is `L8` for `Gray8`, `Rgba8` for layouts with alpha and
/// `Rgb8` for the others. Writes the new handle to `out_image`.
///
/// `InvalidArgument` for an unknown format, an empty size or one over the default decode limits
/// (32768 pixels per side, 512 MiB of pixels), a stride smaller than a row, or a `data_len` below
/// what the size and stride need (the message gives the numbers).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_from_pixel_data(
    data: *const u8,
    data_len: usize,
    width: u32,
    height: u32,
    format: u32,
    stride: u32,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `data` holds `data_len` bytes, `out_image` is null or writable.
        let (data, out_image) =
            unsafe { (convert::bytes(data, data_len, "data")?, convert::out(out_image, "out_image")?) };
        *out_image = pixels::from_pixel_data(data, width, height, format, stride)?;
        Ok(())
    })
}

/// Copies the image's pixels to `(dst, dst_len)` in layout `format` (a `PixelFormat`), rows
/// `stride` bytes apart (0 = tightly packed). Bytes between rows and after the last row are left
/// untouched. Premultiplied layouts are premultiplied exactly (`c' = round(c * a / 255)`), `X`
/// bytes are written as 255, and `Gray8` is the Rec. 709 luma the encoders write (alpha dropped).
///
/// `InvalidArgument` for an unknown format or a stride smaller than a row; `BufferTooSmall` when
/// `dst_len` is less than `stride * (height - 1) + width * bytes_per_pixel` (checked before a
/// deferred image is decoded).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_copy_pixel_data(
    image: u64,
    format: u32,
    stride: u32,
    dst: *mut u8,
    dst_len: usize,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `dst` holds `dst_len` writable bytes.
        let dst = unsafe { convert::bytes_mut(dst, dst_len, "dst") }?;
        pixels::copy_pixel_data(image, format, stride, dst)
    })
}
