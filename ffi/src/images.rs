//! Exports that create, inspect, save and destroy images.

use interoptopus::ffi;
use pixbridge_runtime::codes::ImageInfo;
use pixbridge_runtime::{ErrorCode, images};

use crate::convert;
use crate::errors::export;

/// Decode limits, checked against the image header before any large allocation.
///
/// Pass null instead of a pointer to this struct to get the defaults
/// (32768 x 32768 pixels, 512 MiB of decoded pixels).
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest accepted size of the decoded pixels in bytes.
    pub max_decoded_bytes: u64,
}

impl From<DecodeLimits> for pixbridge_runtime::DecodeLimits {
    fn from(limits: DecodeLimits) -> Self {
        Self { max_width: limits.max_width, max_height: limits.max_height, max_decoded_bytes: limits.max_decoded_bytes }
    }
}

/// Reads optional limits: null means the defaults.
///
/// # Safety
/// `limits` must be null or point to a readable `DecodeLimits`.
unsafe fn limits_or_default(limits: *const DecodeLimits) -> pixbridge_runtime::DecodeLimits {
    // SAFETY: by the caller's contract.
    unsafe { limits.as_ref() }.map(|limits| (*limits).into()).unwrap_or_default()
}

/// Opens the image file at the UTF-8 path `(path, path_len)`; the format comes from the
/// content, not the extension. `limits` may be null for the defaults. Writes the new handle
/// to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_open(
    path: *const u8,
    path_len: usize,
    limits: *const DecodeLimits,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes, `limits` is null or readable,
        // `out_image` is null or writable.
        let (path, limits, out_image) = unsafe {
            (convert::path(path, path_len, "path")?, limits_or_default(limits), convert::out(out_image, "out_image")?)
        };
        *out_image = images::open(path, &limits)?;
        Ok(())
    })
}

/// Decodes the encoded image in `(data, data_len)`; the format comes from the content.
/// `limits` may be null for the defaults. Writes the new handle to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_decode(
    data: *const u8,
    data_len: usize,
    limits: *const DecodeLimits,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract, as for `pixbridge_image_open`.
        let (data, limits, out_image) = unsafe {
            (convert::bytes(data, data_len, "data")?, limits_or_default(limits), convert::out(out_image, "out_image")?)
        };
        *out_image = images::decode(data, &limits)?;
        Ok(())
    })
}

/// Creates an image from `width * height * 4` bytes of tightly packed RGBA8 pixels
/// (straight alpha, row-major) at `(rgba, rgba_len)`. Writes the new handle to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_from_pixels(
    width: u32,
    height: u32,
    rgba: *const u8,
    rgba_len: usize,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `rgba` holds `rgba_len` bytes, `out_image` is null or writable.
        let (rgba, out_image) =
            unsafe { (convert::bytes(rgba, rgba_len, "rgba")?, convert::out(out_image, "out_image")?) };
        *out_image = images::from_pixels(width, height, rgba)?;
        Ok(())
    })
}

/// Destroys an image handle. Destroying it twice gives `InvalidHandle`, never a crash.
#[ffi]
pub fn pixbridge_image_destroy(image: u64) -> ErrorCode {
    export(|| images::destroy(image))
}

/// Writes width, height and colour type to `out_info`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_info(image: u64, out_info: *mut ImageInfo) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_info` is null or writable.
        let out_info = unsafe { convert::out(out_info, "out_info") }?;
        *out_info = images::info(image)?;
        Ok(())
    })
}

/// Writes the address and length of the image's RGBA8 pixels without copying. The memory
/// stays valid until the handle is destroyed; in-place operations change its contents, not
/// its address or size. Read-only: never write through it.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_pixels(image: u64, out_data: *mut *const u8, out_len: *mut usize) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: both out-parameters are null or writable.
        let (out_data, out_len) = unsafe { (convert::out(out_data, "out_data")?, convert::out(out_len, "out_len")?) };
        (*out_data, *out_len) = images::pixels_ptr(image)?;
        Ok(())
    })
}

/// Copies the RGBA8 pixels to `(dst, dst_len)`; `BufferTooSmall` when `dst_len` is less
/// than `width * height * 4`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_copy_pixels(image: u64, dst: *mut u8, dst_len: usize) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `dst` holds `dst_len` writable bytes.
        let dst = unsafe { convert::bytes_mut(dst, dst_len, "dst") }?;
        images::copy_pixels(image, dst)
    })
}

/// Saves to the UTF-8 path `(path, path_len)`; the format comes from the extension (png, jpg,
/// jpeg, webp, bmp, tif, tiff, gif, qoi, tga, pnm, ppm, pgm, ico). The file is written to a
/// temporary file and renamed, so a failure never leaves a half-written file.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_save(image: u64, path: *const u8, path_len: usize) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes.
        let path = unsafe { convert::path(path, path_len, "path") }?;
        images::save(image, path)
    })
}

/// Saves to a path in an explicit `ImageFormat` (`format`), with `quality` 1-100 for JPEG or
/// 0 for the format's default. Atomic like `pixbridge_image_save`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_save_as(
    image: u64,
    path: *const u8,
    path_len: usize,
    format: u32,
    quality: u32,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes.
        let path = unsafe { convert::path(path, path_len, "path") }?;
        images::save_as(image, path, format, quality)
    })
}

/// Encodes in an `ImageFormat` (`format`), `quality` 1-100 for JPEG or 0 for the default.
/// Writes a buffer handle to `out_buffer`: read it with `pixbridge_buffer_data`, free it with
/// `pixbridge_buffer_destroy`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_encode(image: u64, format: u32, quality: u32, out_buffer: *mut u64) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_buffer` is null or writable.
        let out_buffer = unsafe { convert::out(out_buffer, "out_buffer") }?;
        *out_buffer = images::buffers::insert(images::encode(image, format, quality)?);
        Ok(())
    })
}
