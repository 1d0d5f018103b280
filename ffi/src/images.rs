//! Exports that create, inspect, save and destroy images.

use interoptopus::ffi;
use pixbridge_runtime::codes::{self, ImageInfo};
use pixbridge_runtime::{ErrorCode, control, images};

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

/// The defaults that a null pointer stands for.
impl Default for DecodeLimits {
    fn default() -> Self {
        let limits = pixbridge_runtime::DecodeLimits::default();
        Self { max_width: limits.max_width, max_height: limits.max_height, max_decoded_bytes: limits.max_decoded_bytes }
    }
}

/// Reads optional limits: null means the defaults.
///
/// # Safety
/// `limits` must be null or point to a readable `DecodeLimits`.
pub(crate) unsafe fn limits_or_default(limits: *const DecodeLimits) -> pixbridge_runtime::DecodeLimits {
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
/// A size over the default decode limits (32768 pixels per side, 512 MiB of pixels) is
/// `InvalidArgument`: a saved copy could not be opened with the defaults.
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

/// Writes to `out_buffer` a buffer handle holding the image's decode warning as UTF-8 (no
/// terminating NUL): what was wrong with the data and how many rows were decoded, for an image
/// a lenient decode (`DecodeOptions.lenient`) returned partial. The buffer is empty for an
/// image decoded completely and for every image an operation made. Read it with
/// `pixbridge_buffer_data`, free it with `pixbridge_buffer_destroy`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_decode_warning(image: u64, out_buffer: *mut u64) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_buffer` is null or writable.
        let out_buffer = unsafe { convert::out(out_buffer, "out_buffer") }?;
        let warning = images::decode_warning(image)?.unwrap_or_default();
        *out_buffer = images::buffers::insert(warning.into_bytes());
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
/// jpeg, webp, bmp, tif, tiff, gif, qoi, tga, pnm, ppm, pgm, ico, avif). The file is written to a
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

/// Saves to a path in an explicit `ImageFormat` (`format`), with `quality` 1-100 for JPEG,
/// WebP (lossy; 0 = lossless) and AVIF, or 0 for the format's default. Atomic like
/// `pixbridge_image_save`.
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

/// Encodes in an `ImageFormat` (`format`), `quality` 1-100 for JPEG, WebP (lossy; 0 =
/// lossless) and AVIF, or 0 for the default.
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

/// Decode options: limits, the smallest size the caller needs, which lets a JPEG be decoded
/// at 1/2, 1/4 or 1/8 scale (shrink-on-load), and deferred decoding. Pass null for the defaults
/// (full size, decoded at once).
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// Limits, checked against the file's full size.
    pub limits: DecodeLimits,
    /// Smallest width needed in upright pixels; 0 with `min_height` 0 decodes at full size.
    pub min_width: u32,
    /// Smallest height needed in upright pixels.
    pub min_height: u32,
    /// 1 defers decoding a JPEG: the header is read and checked now. The operations whose docs
    /// say "Deferred on a deferred image" are then deferred too (arguments checked at once, size
    /// known, nothing computed; docs/operations.md lists them). The pixels are computed by each call that reads them (save, encode, copy)
    /// for that call only, each step freeing the previous one's image, and for good by the first
    /// call that needs them kept (`pixbridge_image_pixels`, an in-place operation). Errors in the
    /// compressed data come from those calls. Other formats are decoded at once. 0 (the
    /// default) decodes at once.
    pub deferred: u32,
    /// 1 returns what can be decoded of data that is truncated or corrupt after a valid header,
    /// marked: `pixbridge_image_decode_warning` says what was wrong and how many rows were
    /// decoded. A JPEG's damaged blocks are grey, rows other formats never reached are black
    /// (transparent where the format has alpha). 0 (the default, strict) fails with `Decode`,
    /// whose message says how many rows were decoded. A file of which no row can be decoded
    /// fails either way. Cannot be combined with `deferred` (`InvalidArgument`).
    pub lenient: u32,
    /// What to do with a file that embeds an ICC profile (Display P3, Adobe RGB, ...). 0 (the
    /// default) converts the pixels to sRGB (`pixbridge_image_color_profile` then says `Srgb`).
    /// 1 keeps the pixels as stored with the profile attached (`Embedded`), and a save into JPEG,
    /// PNG or WebP writes the profile back.
    pub keep_profile: u32,
}

/// Thumbnail options. Pass null for the defaults (default limits, no enlarging).
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct ThumbnailOptions {
    /// Limits for decoding the source, checked against its full size.
    pub limits: DecodeLimits,
    /// 1 lets a source smaller than the box be enlarged; 0 (the default) never enlarges.
    pub allow_upscale: u32,
    /// 1 keeps the source's metadata (EXIF, XMP, PNG text) on the thumbnail, so that a save
    /// writes it; 0 (the default) strips it. Colours are converted to sRGB either way.
    pub keep_metadata: u32,
}

/// Encode options; each format reads the fields that apply to it. Pass null for the defaults;
/// in a struct, 0 in a field means that field's default.
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct EncodeOptions {
    /// JPEG quality 1-100; 0 = 90.
    pub quality: u32,
    /// JPEG chroma subsampling, a `ChromaSubsampling` code (0 = 4:2:0, the default).
    pub subsampling: u32,
    /// 1 writes a progressive JPEG; 0 = baseline.
    pub progressive: u32,
    /// 1 computes optimal Huffman tables for a baseline JPEG (smaller, slower); 0 = standard.
    pub optimize_huffman: u32,
    /// PNG compression level 1 (fastest) to 9 (smallest); 0 = the default (1).
    pub png_compression: u32,
    /// WebP quality 1-100 writes lossy WebP (libwebp) at that quality, alpha kept; 0 = lossless
    /// (the default).
    pub webp_quality: u32,
    /// AVIF quality 1 (smallest) to 100 (best); 0 = the default (80).
    pub avif_quality: u32,
    /// AVIF encoder speed 1 (slowest, smallest files) to 10 (fastest); 0 = the default (6).
    pub avif_speed: u32,
    /// 1 leaves out the metadata (EXIF, XMP, ICC profile) that a save keeps where the format can
    /// carry it; 0 = keep it (the default).
    pub strip_metadata: u32,
}

/// `format` of `pixbridge_image_save_with` that means "from the path's extension".
pub const FORMAT_FROM_EXTENSION: u32 = u32::MAX;

/// Reads optional decode options: null means full size with default limits, decoded at once.
///
/// # Safety
/// `options` must be null or point to a readable `DecodeOptions`.
unsafe fn decode_options(
    options: *const DecodeOptions,
) -> pixbridge_runtime::Result<pixbridge_runtime::images::OpenOptions> {
    // SAFETY: by the caller's contract.
    let Some(o) = (unsafe { options.as_ref() }) else { return Ok(Default::default()) };
    codes::open_options(o.limits.into(), o.min_width, o.min_height, o.deferred, o.lenient, o.keep_profile)
}

/// Reads optional thumbnail options: null means the defaults.
///
/// # Safety
/// `options` must be null or point to a readable `ThumbnailOptions`.
unsafe fn thumbnail_options(
    options: *const ThumbnailOptions,
) -> pixbridge_runtime::Result<pixbridge_runtime::ThumbnailOptions> {
    // SAFETY: by the caller's contract.
    let Some(options) = (unsafe { options.as_ref() }) else { return Ok(Default::default()) };
    codes::thumbnail_options(options.limits.into(), options.allow_upscale, options.keep_metadata)
}

/// Reads optional encode options: null, or 0 in a field, means the default.
///
/// # Safety
/// `options` must be null or point to a readable `EncodeOptions`.
unsafe fn encode_options(options: *const EncodeOptions) -> pixbridge_runtime::Result<pixbridge_runtime::EncodeOptions> {
    // SAFETY: by the caller's contract.
    let Some(o) = (unsafe { options.as_ref() }) else { return Ok(Default::default()) };
    codes::encode_options(&codes::PlainEncodeOptions {
        quality: o.quality,
        subsampling: o.subsampling,
        progressive: o.progressive,
        optimize_huffman: o.optimize_huffman,
        png_compression: o.png_compression,
        webp_quality: o.webp_quality,
        avif_quality: o.avif_quality,
        avif_speed: o.avif_speed,
        strip_metadata: o.strip_metadata,
    })
}

/// Opens the image file at the UTF-8 path `(path, path_len)` with decode options (null for the
/// defaults): with a minimum size, a JPEG is decoded at the smallest of 1/2, 1/4 or 1/8 scale
/// that still covers it. Writes the new handle to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_open_with(
    path: *const u8,
    path_len: usize,
    options: *const DecodeOptions,
    out_image: *mut u64,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_open_controlled(path, path_len, options, 0, out_image) }
}

/// `pixbridge_image_open_with` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable from any thread, with progress. A cancelled call returns `Cancelled` and writes
/// nothing to its out-parameter.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_open_controlled(
    path: *const u8,
    path_len: usize,
    options: *const DecodeOptions,
    control: u64,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes, `options` is null or readable,
        // `out_image` is null or writable.
        let (path, options, out_image) = unsafe {
            (convert::path(path, path_len, "path")?, decode_options(options)?, convert::out(out_image, "out_image")?)
        };
        *out_image = control::run(control, || images::open_with(path, &options))?;
        Ok(())
    })
}

/// Decodes the encoded image in `(data, data_len)` with decode options (null for the
/// defaults), as `pixbridge_image_open_with`. Writes the new handle to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_decode_with(
    data: *const u8,
    data_len: usize,
    options: *const DecodeOptions,
    out_image: *mut u64,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_decode_controlled(data, data_len, options, 0, out_image) }
}

/// `pixbridge_image_decode_with` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable from any thread, with progress. A cancelled call returns `Cancelled` and writes
/// nothing to its out-parameter.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_decode_controlled(
    data: *const u8,
    data_len: usize,
    options: *const DecodeOptions,
    control: u64,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract, as for `pixbridge_image_open_with`.
        let (data, options, out_image) = unsafe {
            (convert::bytes(data, data_len, "data")?, decode_options(options)?, convert::out(out_image, "out_image")?)
        };
        *out_image = control::run(control, || images::decode_with(data, &options))?;
        Ok(())
    })
}

/// Makes a thumbnail of the encoded image in `(data, data_len)`: fitted into `width` x `height`
/// by `fit` (a `ThumbnailFit` code: 0 Contain, 1 Cover, 2 Fill), EXIF orientation applied first,
/// never enlarged unless `options` allows it; JPEGs are decoded at reduced scale when the box is
/// small. `options` may be null. Writes the new handle to `out_image`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_thumbnail(
    data: *const u8,
    data_len: usize,
    width: u32,
    height: u32,
    fit: u32,
    options: *const ThumbnailOptions,
    out_image: *mut u64,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_thumbnail_controlled(data, data_len, width, height, fit, options, 0, out_image) }
}

/// `pixbridge_image_thumbnail` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable from any thread, with progress. A cancelled call returns `Cancelled` and writes
/// nothing to its out-parameter.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_thumbnail_controlled(
    data: *const u8,
    data_len: usize,
    width: u32,
    height: u32,
    fit: u32,
    options: *const ThumbnailOptions,
    control: u64,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `data` holds `data_len` bytes, `options` is null or readable,
        // `out_image` is null or writable.
        let (data, options, out_image) = unsafe {
            (
                convert::bytes(data, data_len, "data")?,
                thumbnail_options(options)?,
                convert::out(out_image, "out_image")?,
            )
        };
        *out_image = control::run(control, || images::thumbnail(data, width, height, fit, &options))?;
        Ok(())
    })
}

/// `pixbridge_image_thumbnail` of the image file at the UTF-8 path `(path, path_len)`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_thumbnail_file(
    path: *const u8,
    path_len: usize,
    width: u32,
    height: u32,
    fit: u32,
    options: *const ThumbnailOptions,
    out_image: *mut u64,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_thumbnail_file_controlled(path, path_len, width, height, fit, options, 0, out_image) }
}

/// `pixbridge_image_thumbnail_file` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable from any thread, with progress. A cancelled call returns `Cancelled` and writes
/// nothing to its out-parameter.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_thumbnail_file_controlled(
    path: *const u8,
    path_len: usize,
    width: u32,
    height: u32,
    fit: u32,
    options: *const ThumbnailOptions,
    control: u64,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes, `options` is null or readable,
        // `out_image` is null or writable.
        let (path, options, out_image) = unsafe {
            (convert::path(path, path_len, "path")?, thumbnail_options(options)?, convert::out(out_image, "out_image")?)
        };
        *out_image = control::run(control, || images::thumbnail_file(path, width, height, fit, &options))?;
        Ok(())
    })
}

/// Encodes in an `ImageFormat` (`format`) with encode options (null for the defaults). Writes
/// a buffer handle to `out_buffer`, as `pixbridge_image_encode`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_encode_with(
    image: u64,
    format: u32,
    options: *const EncodeOptions,
    out_buffer: *mut u64,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_encode_controlled(image, format, options, 0, out_buffer) }
}

/// `pixbridge_image_encode_with` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable from any thread, with progress. A cancelled call returns `Cancelled` and writes
/// nothing to its out-parameter.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_encode_controlled(
    image: u64,
    format: u32,
    options: *const EncodeOptions,
    control: u64,
    out_buffer: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `options` is null or readable, `out_buffer` is null or writable.
        let (options, out_buffer) = unsafe { (encode_options(options)?, convert::out(out_buffer, "out_buffer")?) };
        *out_buffer = images::buffers::insert(control::run(control, || images::encode_with(image, format, &options))?);
        Ok(())
    })
}

/// Saves to the UTF-8 path `(path, path_len)` with encode options (null for the defaults), in
/// `format` (an `ImageFormat` code, or `UINT32_MAX` for the format of the path's extension).
/// Atomic like `pixbridge_image_save`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_save_with(
    image: u64,
    path: *const u8,
    path_len: usize,
    format: u32,
    options: *const EncodeOptions,
) -> ErrorCode {
    // SAFETY: the same contract, without a control.
    unsafe { pixbridge_image_save_controlled(image, path, path_len, format, options, 0) }
}

/// `pixbridge_image_save_with` under a control (0 for none; see `pixbridge_control_create`):
/// cancellable from any thread, with progress. A cancelled call returns `Cancelled` and writes
/// no file (an existing file at `path` is left as it was).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_save_controlled(
    image: u64,
    path: *const u8,
    path_len: usize,
    format: u32,
    options: *const EncodeOptions,
    control: u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes, `options` is null or readable.
        let (path, options) = unsafe { (convert::path(path, path_len, "path")?, encode_options(options)?) };
        let format = (format != FORMAT_FROM_EXTENSION).then_some(format);
        control::run(control, || images::save_with(image, path, format, &options))
    })
}
