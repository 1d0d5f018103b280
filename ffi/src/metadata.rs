//! Exports that read an image's colour profile state and metadata.

use interoptopus::ffi;
use pixbridge_runtime::codes::ExifNumbers;
use pixbridge_runtime::{ErrorCode, images, metadata};

use crate::convert;
use crate::errors::export;

/// Writes what the image's pixels are encoded in, a `ColorProfile` code, to `out_profile`:
/// `None` (the file had no ICC profile; taken as sRGB), `Srgb` (converted to sRGB on decode,
/// or the profile was sRGB), `Embedded` (decoded with `keep_profile`: the pixels are as stored,
/// in the profile `pixbridge_image_metadata` returns for `Icc`).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_color_profile(image: u64, out_profile: *mut u32) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_profile` is null or writable.
        let out_profile = unsafe { convert::out(out_profile, "out_profile") }?;
        *out_profile = metadata::color_profile(image)?.as_u32();
        Ok(())
    })
}

/// Copies a raw metadata block of the file the image was decoded from (`block`, a
/// `MetadataBlock` code: `Exif`, `Xmp` or `Icc`) into a new buffer and writes its handle to
/// `out_buffer` (read it with `pixbridge_buffer_data`, free it with `pixbridge_buffer_destroy`).
/// The buffer is empty when the image has no such block. Images operations make from a decoded
/// image keep its metadata; thumbnails and images made from raw pixels have none.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_metadata(image: u64, block: u32, out_buffer: *mut u64) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_buffer` is null or writable.
        let out_buffer = unsafe { convert::out(out_buffer, "out_buffer") }?;
        *out_buffer = images::buffers::insert(metadata::block(image, block)?);
        Ok(())
    })
}

/// Writes the numeric EXIF fields (orientation, ISO, exposure, aperture, focal length, GPS) to
/// `out_numbers`; absent fields are 0 (integers) or NaN (reals), all of them without EXIF.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_exif_numbers(image: u64, out_numbers: *mut ExifNumbers) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_numbers` is null or writable.
        let out_numbers = unsafe { convert::out(out_numbers, "out_numbers") }?;
        *out_numbers = metadata::exif_numbers(image)?;
        Ok(())
    })
}

/// Copies a text EXIF field (`exif_text`, an `ExifText` code: make, model, lens, date taken,
/// software, artist, copyright) and a terminating NUL into `(buf, buf_len)`, and writes its
/// length (without NUL) to `out_len`; an absent field is empty. If `buf_len` is not larger than
/// the length, returns `BufferTooSmall` with the length in `out_len` (pass a null `buf` and 0
/// to ask for it).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_exif_text(
    image: u64,
    exif_text: u32,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_len` is null or writable, `buf` holds `buf_len` bytes.
        let (out_len, buf) = unsafe { (convert::out(out_len, "out_len")?, convert::bytes_mut(buf, buf_len, "buf")?) };
        let text = metadata::exif_text(image, exif_text)?;
        convert::copy_text(&text, buf, out_len, "the EXIF text")
    })
}

/// Writes the number of PNG text entries (`tEXt`, `zTXt`, `iTXt` chunks before the image data)
/// to `out_count`; 0 for other formats.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_text_count(image: u64, out_count: *mut u32) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_count` is null or writable.
        let out_count = unsafe { convert::out(out_count, "out_count") }?;
        *out_count = u32::try_from(metadata::text_entries(image)?.len()).unwrap_or(u32::MAX);
        Ok(())
    })
}

/// Copies the keyword (`part` 0) or the text (`part` 1) of PNG text entry `index` and a NUL
/// into `(buf, buf_len)`, as `pixbridge_image_exif_text` does; an index past the end is
/// `InvalidArgument`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_image_text_entry(
    image: u64,
    index: u32,
    part: u32,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `out_len` is null or writable, `buf` holds `buf_len` bytes.
        let (out_len, buf) = unsafe { (convert::out(out_len, "out_len")?, convert::bytes_mut(buf, buf_len, "buf")?) };
        let (keyword, text) = metadata::text_entry(image, index)?;
        let chosen = match part {
            0 => keyword,
            1 => text,
            other => {
                return Err(pixbridge_runtime::Error::invalid_argument(format!(
                    "part must be 0 (keyword) or 1 (text), got {other}"
                )));
            }
        };
        convert::copy_text(&chosen, buf, out_len, "the text entry")
    })
}
