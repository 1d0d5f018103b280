//! The Pixbridge function table as seen by a program that loads `libpixbridge.so` at run time.
//!
//! GENERATED from the Rust definitions in ffi/ by `PIXBRIDGE_BLESS=1 cargo test -p pixbridge-ffi
//! --test generated`; do not edit by hand. Enums are plain `u32` codes here: a foreign library
//! could return any number.

#![allow(dead_code)]

/// ABI version these bindings describe.
pub const ABI_VERSION: u32 = 1;

/// The colour type an image was decoded from (pixels are always held as RGBA8).
pub mod color_type {
    /// 8-bit grey.
    pub const L8: u32 = 0;
    /// 8-bit grey with alpha.
    pub const LA8: u32 = 1;
    /// 8-bit RGB.
    pub const RGB8: u32 = 2;
    /// 8-bit RGBA.
    pub const RGBA8: u32 = 3;
    /// 16-bit grey.
    pub const L16: u32 = 4;
    /// 16-bit grey with alpha.
    pub const LA16: u32 = 5;
    /// 16-bit RGB.
    pub const RGB16: u32 = 6;
    /// 16-bit RGBA.
    pub const RGBA16: u32 = 7;
    /// 32-bit float RGB.
    pub const RGB32_F: u32 = 8;
    /// 32-bit float RGBA.
    pub const RGBA32_F: u32 = 9;

    /// The variant name of `code`, if it is known.
    pub fn name(code: u32) -> Option<&'static str> {
        match code {
            0 => Some("L8"),
            1 => Some("La8"),
            2 => Some("Rgb8"),
            3 => Some("Rgba8"),
            4 => Some("L16"),
            5 => Some("La16"),
            6 => Some("Rgb16"),
            7 => Some("Rgba16"),
            8 => Some("Rgb32F"),
            9 => Some("Rgba32F"),
            _ => None,
        }
    }
}

/// Decode limits, checked against the image header before any large allocation.
///
/// Pass null instead of a pointer to this struct to get the defaults
/// (32768 x 32768 pixels, 512 MiB of decoded pixels).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct DecodeLimits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest accepted size of the decoded pixels in bytes.
    pub max_decoded_bytes: u64,
}

/// Outcome of every Pixbridge call, with stable numbers that never change meaning.
///
/// After a call returns anything but `Ok`, the calling thread's last-error message
/// (C ABI) or the exception message (C#, Java) holds the human-readable detail.
pub mod error_code {
    /// Success.
    pub const OK: u32 = 0;
    /// A required pointer argument was null.
    pub const NULL_ARGUMENT: u32 = 1;
    /// The handle is null, forged, already destroyed, or of the wrong kind.
    pub const INVALID_HANDLE: u32 = 2;
    /// The file does not exist.
    pub const NOT_FOUND: u32 = 3;
    /// Another I/O failure (a directory given as a file, disk full, ...).
    pub const IO: u32 = 4;
    /// The operating system refused access.
    pub const PERMISSION_DENIED: u32 = 5;
    /// Unknown content, unknown file extension, or a format not supported for this use.
    pub const UNSUPPORTED_FORMAT: u32 = 6;
    /// The image data is corrupt or truncated.
    pub const DECODE: u32 = 7;
    /// The encoder failed.
    pub const ENCODE: u32 = 8;
    /// A parameter is out of range (NaN sigma, crop outside the image, zero size, bad quality, ...).
    pub const INVALID_ARGUMENT: u32 = 9;
    /// The image exceeds the decode limits; checked before any large allocation.
    pub const LIMIT_EXCEEDED: u32 = 10;
    /// A path or string was not valid UTF-8.
    pub const INVALID_UTF8: u32 = 11;
    /// A caller-provided buffer was too small; the required size is reported.
    pub const BUFFER_TOO_SMALL: u32 = 12;
    /// A bug inside Pixbridge was caught at the boundary; the library keeps working.
    pub const PANIC: u32 = 13;

    /// The variant name of `code`, if it is known.
    pub fn name(code: u32) -> Option<&'static str> {
        match code {
            0 => Some("Ok"),
            1 => Some("NullArgument"),
            2 => Some("InvalidHandle"),
            3 => Some("NotFound"),
            4 => Some("Io"),
            5 => Some("PermissionDenied"),
            6 => Some("UnsupportedFormat"),
            7 => Some("Decode"),
            8 => Some("Encode"),
            9 => Some("InvalidArgument"),
            10 => Some("LimitExceeded"),
            11 => Some("InvalidUtf8"),
            12 => Some("BufferTooSmall"),
            13 => Some("Panic"),
            _ => None,
        }
    }
}

/// Encoded image formats, by stable number.
pub mod image_format {
    /// PNG (lossless).
    pub const PNG: u32 = 0;
    /// JPEG (lossy; quality 1-100, default 90; no alpha).
    pub const JPEG: u32 = 1;
    /// WebP, lossless.
    pub const WEB_P: u32 = 2;
    /// Windows bitmap.
    pub const BMP: u32 = 3;
    /// TIFF.
    pub const TIFF: u32 = 4;
    /// GIF (first frame only on decode).
    pub const GIF: u32 = 5;
    /// QOI (lossless).
    pub const QOI: u32 = 6;
    /// Truevision TGA.
    pub const TGA: u32 = 7;
    /// Portable anymap (PPM/PGM).
    pub const PNM: u32 = 8;
    /// Windows icon (at most 256x256).
    pub const ICO: u32 = 9;

    /// The variant name of `code`, if it is known.
    pub fn name(code: u32) -> Option<&'static str> {
        match code {
            0 => Some("Png"),
            1 => Some("Jpeg"),
            2 => Some("WebP"),
            3 => Some("Bmp"),
            4 => Some("Tiff"),
            5 => Some("Gif"),
            6 => Some("Qoi"),
            7 => Some("Tga"),
            8 => Some("Pnm"),
            9 => Some("Ico"),
            _ => None,
        }
    }
}

/// Width, height and colour type of an image.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The colour type the image was decoded from.
    pub color_type: u32,
}

/// Resampling filters for `resize`, by stable number.
pub mod resize_filter {
    /// Nearest neighbour.
    pub const NEAREST: u32 = 0;
    /// Bilinear (triangle) filter.
    pub const BILINEAR: u32 = 1;
    /// Lanczos with a window of 3.
    pub const LANCZOS3: u32 = 2;

    /// The variant name of `code`, if it is known.
    pub fn name(code: u32) -> Option<&'static str> {
        match code {
            0 => Some("Nearest"),
            1 => Some("Bilinear"),
            2 => Some("Lanczos3"),
            _ => None,
        }
    }
}

/// Every exported function as one table (`pixbridge_functions()`).
#[repr(C)]
pub struct PixbridgeFunctions {
    /// Size of this struct in bytes.
    pub size: usize,
    /// ABI version of the library.
    pub abi_version: u32,
    /// Opens the image file at the UTF-8 path `(path, path_len)`; the format comes from the
    /// content, not the extension. `limits` may be null for the defaults. Writes the new handle
    /// to `out_image`.
    pub image_open:
        unsafe extern "C" fn(path: *const u8, path_len: usize, limits: *const DecodeLimits, out_image: *mut u64) -> u32,
    /// Decodes the encoded image in `(data, data_len)`; the format comes from the content.
    /// `limits` may be null for the defaults. Writes the new handle to `out_image`.
    pub image_decode:
        unsafe extern "C" fn(data: *const u8, data_len: usize, limits: *const DecodeLimits, out_image: *mut u64) -> u32,
    /// Creates an image from `width * height * 4` bytes of tightly packed RGBA8 pixels
    /// (straight alpha, row-major) at `(rgba, rgba_len)`. Writes the new handle to `out_image`.
    pub image_from_pixels:
        unsafe extern "C" fn(width: u32, height: u32, rgba: *const u8, rgba_len: usize, out_image: *mut u64) -> u32,
    /// Destroys an image handle. Destroying it twice gives `InvalidHandle`, never a crash.
    pub image_destroy: unsafe extern "C" fn(image: u64) -> u32,
    /// Writes width, height and colour type to `out_info`.
    pub image_info: unsafe extern "C" fn(image: u64, out_info: *mut ImageInfo) -> u32,
    /// Writes the address and length of the image's RGBA8 pixels without copying. The memory
    /// stays valid until the handle is destroyed; in-place operations change its contents, not
    /// its address or size. Read-only: never write through it.
    pub image_pixels: unsafe extern "C" fn(image: u64, out_data: *mut *const u8, out_len: *mut usize) -> u32,
    /// Copies the RGBA8 pixels to `(dst, dst_len)`; `BufferTooSmall` when `dst_len` is less
    /// than `width * height * 4`.
    pub image_copy_pixels: unsafe extern "C" fn(image: u64, dst: *mut u8, dst_len: usize) -> u32,
    /// Saves to the UTF-8 path `(path, path_len)`; the format comes from the extension (png, jpg,
    /// jpeg, webp, bmp, tif, tiff, gif, qoi, tga, pnm, ppm, pgm, ico). The file is written to a
    /// temporary file and renamed, so a failure never leaves a half-written file.
    pub image_save: unsafe extern "C" fn(image: u64, path: *const u8, path_len: usize) -> u32,
    /// Saves to a path in an explicit `ImageFormat` (`format`), with `quality` 1-100 for JPEG or
    /// 0 for the format's default. Atomic like `pixbridge_image_save`.
    pub image_save_as:
        unsafe extern "C" fn(image: u64, path: *const u8, path_len: usize, format: u32, quality: u32) -> u32,
    /// Encodes in an `ImageFormat` (`format`), `quality` 1-100 for JPEG or 0 for the default.
    /// Writes a buffer handle to `out_buffer`: read it with `pixbridge_buffer_data`, free it with
    /// `pixbridge_buffer_destroy`.
    pub image_encode: unsafe extern "C" fn(image: u64, format: u32, quality: u32, out_buffer: *mut u64) -> u32,
    /// Writes the address and length of an encoded buffer's bytes; valid until the buffer handle
    /// is destroyed.
    pub buffer_data: unsafe extern "C" fn(buffer: u64, out_data: *mut *const u8, out_len: *mut usize) -> u32,
    /// Destroys an encoded buffer handle.
    pub buffer_destroy: unsafe extern "C" fn(buffer: u64) -> u32,
    /// The ABI version of this library (also in the function table).
    pub get_abi_version: unsafe extern "C" fn() -> u32,
    /// Code of the calling thread's last error (`Ok` if none yet). Does not change it.
    pub last_error_code: unsafe extern "C" fn() -> u32,
    /// Copies the calling thread's last error message (UTF-8) and a terminating NUL into
    /// `(buf, buf_len)` and writes the message length (without NUL) to `out_len`. If `buf_len`
    /// is not larger than the length, returns `BufferTooSmall` with the length in `out_len`
    /// (pass a null `buf` and 0 to ask for it). Does not change the last error.
    pub last_error_message: unsafe extern "C" fn(buf: *mut u8, buf_len: usize, out_len: *mut usize) -> u32,
    /// Diagnostics: writes the number of live image handles and live buffer handles. Leak tests
    /// compare them with a baseline.
    pub live_handles: unsafe extern "C" fn(out_images: *mut u64, out_buffers: *mut u64) -> u32,
    /// Diagnostics for tests of the panic boundary: panics inside the library. Returns `Panic`
    /// with the message "internal error (panic) in Pixbridge: deliberate test panic"; the
    /// library keeps working afterwards.
    pub debug_panic: unsafe extern "C" fn() -> u32,
    /// Gaussian blur (a true Gaussian, edges repeated, colour blurred premultiplied by alpha).
    /// Returns a new image; the source is unchanged.
    ///
    /// Parameters: `image`, the source image handle;
    /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
    pub image_blur: unsafe extern "C" fn(image: u64, sigma: f32, out_image: *mut u64) -> u32,
    /// Unsharp mask: adds `amount` times the difference between the image and its Gaussian blur
    /// to R, G and B where that difference is at least `threshold`. Returns a new image.
    ///
    /// Parameters: `image`, the source image handle;
    /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
    pub image_unsharpen:
        unsafe extern "C" fn(image: u64, sigma: f32, amount: f32, threshold: u32, out_image: *mut u64) -> u32,
    /// Resamples to a new size with the given filter. Returns a new image.
    ///
    /// Parameters: `image`, the source image handle;
    /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
    pub image_resize:
        unsafe extern "C" fn(image: u64, width: u32, height: u32, filter: u32, out_image: *mut u64) -> u32,
    /// Cuts out a rectangle, which must lie inside the image and not be empty. Returns a new image.
    ///
    /// Parameters: `image`, the source image handle;
    /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
    pub image_crop:
        unsafe extern "C" fn(image: u64, x: u32, y: u32, width: u32, height: u32, out_image: *mut u64) -> u32,
    /// Rotates 90 degrees clockwise. Returns a new image (width and height swap).
    ///
    /// Parameters: `image`, the source image handle;
    /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
    pub image_rotate90: unsafe extern "C" fn(image: u64, out_image: *mut u64) -> u32,
    /// Rotates 270 degrees clockwise (90 counter-clockwise). Returns a new image.
    ///
    /// Parameters: `image`, the source image handle;
    /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
    pub image_rotate270: unsafe extern "C" fn(image: u64, out_image: *mut u64) -> u32,
    /// Mirrors left to right, in place.
    ///
    /// Parameters: `image`, the image to change;
    pub image_mirror: unsafe extern "C" fn(image: u64) -> u32,
    /// Flips top to bottom, in place.
    ///
    /// Parameters: `image`, the image to change;
    pub image_flip_vertical: unsafe extern "C" fn(image: u64) -> u32,
    /// Rotates 180 degrees, in place.
    ///
    /// Parameters: `image`, the image to change;
    pub image_rotate180: unsafe extern "C" fn(image: u64) -> u32,
    /// Converts to grey (alpha kept), in place; the colour type becomes L8 or La8.
    ///
    /// Parameters: `image`, the image to change;
    pub image_grayscale: unsafe extern "C" fn(image: u64) -> u32,
    /// Adds `delta` to R, G and B (saturating), in place; alpha is unchanged.
    ///
    /// Parameters: `image`, the image to change;
    pub image_adjust_brightness: unsafe extern "C" fn(image: u64, delta: i32) -> u32,
    /// Changes the contrast by `contrast` percent, in place; alpha is unchanged.
    ///
    /// Parameters: `image`, the image to change;
    pub image_adjust_contrast: unsafe extern "C" fn(image: u64, contrast: f32) -> u32,
}

/// Name of the single exported symbol.
pub const FUNCTIONS_SYMBOL: &str = "pixbridge_functions";

/// Signature of `pixbridge_functions`.
pub type FunctionsEntryPoint = unsafe extern "C" fn() -> *const PixbridgeFunctions;
