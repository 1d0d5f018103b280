/* pixbridge.h: the Pixbridge C ABI.
*
* GENERATED from the Rust definitions in ffi/ by `PIXBRIDGE_BLESS=1 cargo test -p pixbridge-ffi
* --test generated`; do not edit by hand. See docs/design.md for the conventions:
* - every function returns a PixbridgeErrorCode (0 = OK) unless noted; after a failure,
*   pixbridge_last_error_message() gives the calling thread's message;
* - images and buffers are uint64_t handles; 0 is never valid; stale or forged handles
*   give PIXBRIDGE_ERROR_CODE_INVALID_HANDLE;
* - paths are UTF-8 (pointer, length) pairs, not NUL-terminated;
* - new-image operations write the new handle to their last parameter `out_image`.
*/
#ifndef PIXBRIDGE_H
#define PIXBRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version this header describes; compare with pixbridge_abi_version(). */
#define PIXBRIDGE_ABI_VERSION 1

/// The colour type an image was decoded from (pixels are always held as RGBA8).
typedef uint32_t PixbridgeColorType;
enum {
    /// 8-bit grey.
    PIXBRIDGE_COLOR_TYPE_L8 = 0,
    /// 8-bit grey with alpha.
    PIXBRIDGE_COLOR_TYPE_LA8 = 1,
    /// 8-bit RGB.
    PIXBRIDGE_COLOR_TYPE_RGB8 = 2,
    /// 8-bit RGBA.
    PIXBRIDGE_COLOR_TYPE_RGBA8 = 3,
    /// 16-bit grey.
    PIXBRIDGE_COLOR_TYPE_L16 = 4,
    /// 16-bit grey with alpha.
    PIXBRIDGE_COLOR_TYPE_LA16 = 5,
    /// 16-bit RGB.
    PIXBRIDGE_COLOR_TYPE_RGB16 = 6,
    /// 16-bit RGBA.
    PIXBRIDGE_COLOR_TYPE_RGBA16 = 7,
    /// 32-bit float RGB.
    PIXBRIDGE_COLOR_TYPE_RGB32_F = 8,
    /// 32-bit float RGBA.
    PIXBRIDGE_COLOR_TYPE_RGBA32_F = 9,
};

/// Outcome of every Pixbridge call, with stable numbers that never change meaning.
///
/// After a call returns anything but `Ok`, the calling thread's last-error message
/// (C ABI) or the exception message (C#, Java) holds the human-readable detail.
typedef uint32_t PixbridgeErrorCode;
enum {
    /// Success.
    PIXBRIDGE_ERROR_CODE_OK = 0,
    /// A required pointer argument was null.
    PIXBRIDGE_ERROR_CODE_NULL_ARGUMENT = 1,
    /// The handle is null, forged, already destroyed, or of the wrong kind.
    PIXBRIDGE_ERROR_CODE_INVALID_HANDLE = 2,
    /// The file does not exist.
    PIXBRIDGE_ERROR_CODE_NOT_FOUND = 3,
    /// Another I/O failure (a directory given as a file, disk full, ...).
    PIXBRIDGE_ERROR_CODE_IO = 4,
    /// The operating system refused access.
    PIXBRIDGE_ERROR_CODE_PERMISSION_DENIED = 5,
    /// Unknown content, unknown file extension, or a format not supported for this use.
    PIXBRIDGE_ERROR_CODE_UNSUPPORTED_FORMAT = 6,
    /// The image data is corrupt or truncated.
    PIXBRIDGE_ERROR_CODE_DECODE = 7,
    /// The encoder failed.
    PIXBRIDGE_ERROR_CODE_ENCODE = 8,
    /// A parameter is out of range (NaN sigma, crop outside the image, zero size, bad quality, ...).
    PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT = 9,
    /// The image exceeds the decode limits; checked before any large allocation.
    PIXBRIDGE_ERROR_CODE_LIMIT_EXCEEDED = 10,
    /// A path or string was not valid UTF-8.
    PIXBRIDGE_ERROR_CODE_INVALID_UTF8 = 11,
    /// A caller-provided buffer was too small; the required size is reported.
    PIXBRIDGE_ERROR_CODE_BUFFER_TOO_SMALL = 12,
    /// A bug inside Pixbridge was caught at the boundary; the library keeps working.
    PIXBRIDGE_ERROR_CODE_PANIC = 13,
};

/// Encoded image formats, by stable number.
typedef uint32_t PixbridgeImageFormat;
enum {
    /// PNG (lossless).
    PIXBRIDGE_IMAGE_FORMAT_PNG = 0,
    /// JPEG (lossy; quality 1-100, default 90; no alpha).
    PIXBRIDGE_IMAGE_FORMAT_JPEG = 1,
    /// WebP, lossless.
    PIXBRIDGE_IMAGE_FORMAT_WEB_P = 2,
    /// Windows bitmap.
    PIXBRIDGE_IMAGE_FORMAT_BMP = 3,
    /// TIFF.
    PIXBRIDGE_IMAGE_FORMAT_TIFF = 4,
    /// GIF (first frame only on decode).
    PIXBRIDGE_IMAGE_FORMAT_GIF = 5,
    /// QOI (lossless).
    PIXBRIDGE_IMAGE_FORMAT_QOI = 6,
    /// Truevision TGA.
    PIXBRIDGE_IMAGE_FORMAT_TGA = 7,
    /// Portable anymap (PPM/PGM).
    PIXBRIDGE_IMAGE_FORMAT_PNM = 8,
    /// Windows icon (at most 256x256).
    PIXBRIDGE_IMAGE_FORMAT_ICO = 9,
};

/// Resampling filters for `resize`, by stable number.
typedef uint32_t PixbridgeResizeFilter;
enum {
    /// Nearest neighbour.
    PIXBRIDGE_RESIZE_FILTER_NEAREST = 0,
    /// Bilinear (triangle) filter.
    PIXBRIDGE_RESIZE_FILTER_BILINEAR = 1,
    /// Lanczos with a window of 3.
    PIXBRIDGE_RESIZE_FILTER_LANCZOS3 = 2,
};

/// Decode limits, checked against the image header before any large allocation.
///
/// Pass null instead of a pointer to this struct to get the defaults
/// (32768 x 32768 pixels, 512 MiB of decoded pixels).
typedef struct PixbridgeDecodeLimits {
    /// Largest accepted width in pixels.
    uint32_t max_width;
    /// Largest accepted height in pixels.
    uint32_t max_height;
    /// Largest accepted size of the decoded pixels in bytes.
    uint64_t max_decoded_bytes;
} PixbridgeDecodeLimits;

/// Width, height and colour type of an image.
typedef struct PixbridgeImageInfo {
    /// Width in pixels.
    uint32_t width;
    /// Height in pixels.
    uint32_t height;
    /// The colour type the image was decoded from.
    PixbridgeColorType color_type;
} PixbridgeImageInfo;

/// Opens the image file at the UTF-8 path `(path, path_len)`; the format comes from the
/// content, not the extension. `limits` may be null for the defaults. Writes the new handle
/// to `out_image`.
PixbridgeErrorCode pixbridge_image_open(const uint8_t* path, size_t path_len, const PixbridgeDecodeLimits* limits, uint64_t* out_image);

/// Decodes the encoded image in `(data, data_len)`; the format comes from the content.
/// `limits` may be null for the defaults. Writes the new handle to `out_image`.
PixbridgeErrorCode pixbridge_image_decode(const uint8_t* data, size_t data_len, const PixbridgeDecodeLimits* limits, uint64_t* out_image);

/// Creates an image from `width * height * 4` bytes of tightly packed RGBA8 pixels
/// (straight alpha, row-major) at `(rgba, rgba_len)`. Writes the new handle to `out_image`.
PixbridgeErrorCode pixbridge_image_from_pixels(uint32_t width, uint32_t height, const uint8_t* rgba, size_t rgba_len, uint64_t* out_image);

/// Destroys an image handle. Destroying it twice gives `InvalidHandle`, never a crash.
PixbridgeErrorCode pixbridge_image_destroy(uint64_t image);

/// Writes width, height and colour type to `out_info`.
PixbridgeErrorCode pixbridge_image_info(uint64_t image, PixbridgeImageInfo* out_info);

/// Writes the address and length of the image's RGBA8 pixels without copying. The memory
/// stays valid until the handle is destroyed; in-place operations change its contents, not
/// its address or size. Read-only: never write through it.
PixbridgeErrorCode pixbridge_image_pixels(uint64_t image, const uint8_t** out_data, size_t* out_len);

/// Copies the RGBA8 pixels to `(dst, dst_len)`; `BufferTooSmall` when `dst_len` is less
/// than `width * height * 4`.
PixbridgeErrorCode pixbridge_image_copy_pixels(uint64_t image, uint8_t* dst, size_t dst_len);

/// Saves to the UTF-8 path `(path, path_len)`; the format comes from the extension (png, jpg,
/// jpeg, webp, bmp, tif, tiff, gif, qoi, tga, pnm, ppm, pgm, ico). The file is written to a
/// temporary file and renamed, so a failure never leaves a half-written file.
PixbridgeErrorCode pixbridge_image_save(uint64_t image, const uint8_t* path, size_t path_len);

/// Saves to a path in an explicit `ImageFormat` (`format`), with `quality` 1-100 for JPEG or
/// 0 for the format's default. Atomic like `pixbridge_image_save`.
PixbridgeErrorCode pixbridge_image_save_as(uint64_t image, const uint8_t* path, size_t path_len, uint32_t format, uint32_t quality);

/// Encodes in an `ImageFormat` (`format`), `quality` 1-100 for JPEG or 0 for the default.
/// Writes a buffer handle to `out_buffer`: read it with `pixbridge_buffer_data`, free it with
/// `pixbridge_buffer_destroy`.
PixbridgeErrorCode pixbridge_image_encode(uint64_t image, uint32_t format, uint32_t quality, uint64_t* out_buffer);

/// Writes the address and length of an encoded buffer's bytes; valid until the buffer handle
/// is destroyed.
PixbridgeErrorCode pixbridge_buffer_data(uint64_t buffer, const uint8_t** out_data, size_t* out_len);

/// Destroys an encoded buffer handle.
PixbridgeErrorCode pixbridge_buffer_destroy(uint64_t buffer);

/// The ABI version of this library (also in the function table).
uint32_t pixbridge_abi_version(void);

/// Code of the calling thread's last error (`Ok` if none yet). Does not change it.
PixbridgeErrorCode pixbridge_last_error_code(void);

/// Copies the calling thread's last error message (UTF-8) and a terminating NUL into
/// `(buf, buf_len)` and writes the message length (without NUL) to `out_len`. If `buf_len`
/// is not larger than the length, returns `BufferTooSmall` with the length in `out_len`
/// (pass a null `buf` and 0 to ask for it). Does not change the last error.
PixbridgeErrorCode pixbridge_last_error_message(uint8_t* buf, size_t buf_len, size_t* out_len);

/// Diagnostics: writes the number of live image handles and live buffer handles. Leak tests
/// compare them with a baseline.
PixbridgeErrorCode pixbridge_live_handles(uint64_t* out_images, uint64_t* out_buffers);

/// Diagnostics for tests of the panic boundary: panics inside the library. Returns `Panic`
/// with the message "internal error (panic) in Pixbridge: deliberate test panic"; the
/// library keeps working afterwards.
PixbridgeErrorCode pixbridge_debug_panic(void);

/// Gaussian blur (a true Gaussian, edges repeated, colour blurred premultiplied by alpha).
/// Returns a new image; the source is unchanged.
///
/// Parameters: `image`, the source image handle;
/// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
PixbridgeErrorCode pixbridge_image_blur(uint64_t image, float sigma, uint64_t* out_image);

/// Unsharp mask: adds `amount` times the difference between the image and its Gaussian blur
/// to R, G and B where that difference is at least `threshold`. Returns a new image.
///
/// Parameters: `image`, the source image handle;
/// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
PixbridgeErrorCode pixbridge_image_unsharpen(uint64_t image, float sigma, float amount, uint32_t threshold, uint64_t* out_image);

/// Resamples to a new size with the given filter. Returns a new image.
///
/// Parameters: `image`, the source image handle;
/// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
PixbridgeErrorCode pixbridge_image_resize(uint64_t image, uint32_t width, uint32_t height, uint32_t filter, uint64_t* out_image);

/// Cuts out a rectangle, which must lie inside the image and not be empty. Returns a new image.
///
/// Parameters: `image`, the source image handle;
/// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
PixbridgeErrorCode pixbridge_image_crop(uint64_t image, uint32_t x, uint32_t y, uint32_t width, uint32_t height, uint64_t* out_image);

/// Rotates 90 degrees clockwise. Returns a new image (width and height swap).
///
/// Parameters: `image`, the source image handle;
/// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
PixbridgeErrorCode pixbridge_image_rotate90(uint64_t image, uint64_t* out_image);

/// Rotates 270 degrees clockwise (90 counter-clockwise). Returns a new image.
///
/// Parameters: `image`, the source image handle;
/// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
PixbridgeErrorCode pixbridge_image_rotate270(uint64_t image, uint64_t* out_image);

/// Mirrors left to right, in place.
///
/// Parameters: `image`, the image to change;
PixbridgeErrorCode pixbridge_image_mirror(uint64_t image);

/// Flips top to bottom, in place.
///
/// Parameters: `image`, the image to change;
PixbridgeErrorCode pixbridge_image_flip_vertical(uint64_t image);

/// Rotates 180 degrees, in place.
///
/// Parameters: `image`, the image to change;
PixbridgeErrorCode pixbridge_image_rotate180(uint64_t image);

/// Converts to grey (alpha kept), in place; the colour type becomes L8 or La8.
///
/// Parameters: `image`, the image to change;
PixbridgeErrorCode pixbridge_image_grayscale(uint64_t image);

/// Adds `delta` to R, G and B (saturating), in place; alpha is unchanged.
///
/// Parameters: `image`, the image to change;
PixbridgeErrorCode pixbridge_image_adjust_brightness(uint64_t image, int32_t delta);

/// Changes the contrast by `contrast` percent, in place; alpha is unchanged.
///
/// Parameters: `image`, the image to change;
PixbridgeErrorCode pixbridge_image_adjust_contrast(uint64_t image, float contrast);

/// Every function above as one table; check `size` and `abi_version` before use.
typedef struct PixbridgeFunctions {
    /// Size of this struct in bytes.
    size_t size;
    /// ABI version of the library (PIXBRIDGE_ABI_VERSION).
    uint32_t abi_version;
    PixbridgeErrorCode (*image_open)(const uint8_t* path, size_t path_len, const PixbridgeDecodeLimits* limits, uint64_t* out_image);
    PixbridgeErrorCode (*image_decode)(const uint8_t* data, size_t data_len, const PixbridgeDecodeLimits* limits, uint64_t* out_image);
    PixbridgeErrorCode (*image_from_pixels)(uint32_t width, uint32_t height, const uint8_t* rgba, size_t rgba_len, uint64_t* out_image);
    PixbridgeErrorCode (*image_destroy)(uint64_t image);
    PixbridgeErrorCode (*image_info)(uint64_t image, PixbridgeImageInfo* out_info);
    PixbridgeErrorCode (*image_pixels)(uint64_t image, const uint8_t** out_data, size_t* out_len);
    PixbridgeErrorCode (*image_copy_pixels)(uint64_t image, uint8_t* dst, size_t dst_len);
    PixbridgeErrorCode (*image_save)(uint64_t image, const uint8_t* path, size_t path_len);
    PixbridgeErrorCode (*image_save_as)(uint64_t image, const uint8_t* path, size_t path_len, uint32_t format, uint32_t quality);
    PixbridgeErrorCode (*image_encode)(uint64_t image, uint32_t format, uint32_t quality, uint64_t* out_buffer);
    PixbridgeErrorCode (*buffer_data)(uint64_t buffer, const uint8_t** out_data, size_t* out_len);
    PixbridgeErrorCode (*buffer_destroy)(uint64_t buffer);
    uint32_t (*get_abi_version)(void);
    PixbridgeErrorCode (*last_error_code)(void);
    PixbridgeErrorCode (*last_error_message)(uint8_t* buf, size_t buf_len, size_t* out_len);
    PixbridgeErrorCode (*live_handles)(uint64_t* out_images, uint64_t* out_buffers);
    PixbridgeErrorCode (*debug_panic)(void);
    PixbridgeErrorCode (*image_blur)(uint64_t image, float sigma, uint64_t* out_image);
    PixbridgeErrorCode (*image_unsharpen)(uint64_t image, float sigma, float amount, uint32_t threshold, uint64_t* out_image);
    PixbridgeErrorCode (*image_resize)(uint64_t image, uint32_t width, uint32_t height, uint32_t filter, uint64_t* out_image);
    PixbridgeErrorCode (*image_crop)(uint64_t image, uint32_t x, uint32_t y, uint32_t width, uint32_t height, uint64_t* out_image);
    PixbridgeErrorCode (*image_rotate90)(uint64_t image, uint64_t* out_image);
    PixbridgeErrorCode (*image_rotate270)(uint64_t image, uint64_t* out_image);
    PixbridgeErrorCode (*image_mirror)(uint64_t image);
    PixbridgeErrorCode (*image_flip_vertical)(uint64_t image);
    PixbridgeErrorCode (*image_rotate180)(uint64_t image);
    PixbridgeErrorCode (*image_grayscale)(uint64_t image);
    PixbridgeErrorCode (*image_adjust_brightness)(uint64_t image, int32_t delta);
    PixbridgeErrorCode (*image_adjust_contrast)(uint64_t image, float contrast);
} PixbridgeFunctions;

/// Returns the static table of every function (never NULL, never freed).
const PixbridgeFunctions* pixbridge_functions(void);

#ifdef __cplusplus
}
#endif

#endif /* PIXBRIDGE_H */
