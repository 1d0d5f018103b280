//! Pixels in the layouts other libraries hold (`codes::PixelFormat`): images made from them and
//! copies into them, converted once by the core (see `Image::from_pixel_data`).
//!
//! The C ABI and the JNI layer (Java's `BufferedImage` paths) both call these two functions.

use pixbridge_core::{Image, PixelFormat as CorePixelFormat};

use crate::codes;
use crate::error::{Error, ErrorCode, Result};
use crate::images::{self, Handle};

/// Makes an image from `width` x `height` pixels in layout `format` (a `codes::PixelFormat`
/// number), rows `stride` bytes apart (0 = tightly packed); `data` must hold at least
/// `stride * (height - 1) + width * bytes_per_pixel` bytes.
///
/// Errors: `InvalidArgument` for an unknown format code, an empty or too large size, a stride
/// smaller than a row, or too little data; `Cancelled` through the current control.
pub fn from_pixel_data(data: &[u8], width: u32, height: u32, format: u32, stride: u32) -> Result<Handle> {
    let format = codes::pixel_format(format)?;
    Ok(images::insert(Image::from_pixel_data(data, width, height, format, stride as usize)?))
}

/// Copies the pixels of `image` into `out` in layout `format` (a `codes::PixelFormat` number),
/// rows `stride` bytes apart (0 = tightly packed). Bytes between rows are left untouched. A
/// deferred image is decoded for this call only.
///
/// Errors: `InvalidArgument` for an unknown format code or a stride smaller than a row,
/// `BufferTooSmall` if `out` holds less than `stride * (height - 1) + width * bytes_per_pixel`
/// bytes (checked before a deferred image is decoded), `InvalidHandle`, `Cancelled`.
pub fn copy_pixel_data(image: Handle, format: u32, stride: u32, out: &mut [u8]) -> Result<()> {
    let format = codes::pixel_format(format)?;
    let info = images::info(image)?;
    let needed = pixel_data_len(info.width, info.height, format, stride)?;
    if out.len() < needed {
        return Err(Error::new(
            ErrorCode::BufferTooSmall,
            format!(
                "destination holds {} bytes but {} x {} {format} pixels with stride {stride} need {needed}",
                out.len(),
                info.width,
                info.height
            ),
        ));
    }
    images::read(image, |image| image.copy_pixel_data(out, format, stride as usize))??;
    Ok(())
}

/// The bytes `copy_pixel_data` needs for `image` in layout `format` (a `codes::PixelFormat`
/// number) with `stride` (0 = tightly packed): `stride * (height - 1) + width * bytes_per_pixel`.
/// Never decodes a deferred image.
pub fn copy_pixel_data_len(image: Handle, format: u32, stride: u32) -> Result<usize> {
    let format = codes::pixel_format(format)?;
    let info = images::info(image)?;
    pixel_data_len(info.width, info.height, format, stride)
}

fn pixel_data_len(width: u32, height: u32, format: CorePixelFormat, stride: u32) -> Result<usize> {
    // The same arithmetic as the core's check, on the header's size (width and height are at
    // least 1 and below 2^32, so nothing overflows u64).
    let bpp = format.bytes_per_pixel() as u64;
    let row = u64::from(width) * bpp;
    let stride = if stride == 0 { row } else { u64::from(stride) };
    if stride < row {
        return Err(Error::invalid_argument(format!(
            "stride {stride} is less than a row of {width} {format} pixels ({width} x {bpp} = {row} bytes)"
        )));
    }
    let needed = stride * u64::from(height - 1) + row;
    usize::try_from(needed).map_err(|_| {
        Error::invalid_argument(format!(
            "{width} x {height} {format} pixels need {needed} bytes, too many for this platform"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_go_in_and_out_in_the_callers_layout() {
        // 2 x 1 BGRA: an opaque red and a transparent-ish green (straight).
        let bgra = [0, 0, 255, 255, 0, 200, 0, 100];
        let image = from_pixel_data(&bgra, 2, 1, codes::PixelFormat::Bgra8 as u32, 0).unwrap();
        let mut rgba = [0u8; 8];
        images::copy_pixels(image, &mut rgba).unwrap();
        assert_eq!(rgba, [255, 0, 0, 255, 0, 200, 0, 100]);

        // Out as BGR with stride 7: a single row needs no padding, so 6 bytes are enough.
        let mut bgr = [9u8; 6];
        copy_pixel_data(image, codes::PixelFormat::Bgr8 as u32, 7, &mut bgr).unwrap();
        assert_eq!(bgr, [0, 0, 255, 0, 200, 0]);
        // Premultiplied ARGB: 200 * 100 / 255 = 78.4 -> 78.
        let mut argb = [0u8; 8];
        copy_pixel_data(image, codes::PixelFormat::Argb8Premultiplied as u32, 0, &mut argb).unwrap();
        assert_eq!(argb, [255, 255, 0, 0, 100, 0, 78, 0]);
        assert_eq!(copy_pixel_data_len(image, codes::PixelFormat::Gray8 as u32, 0).unwrap(), 2);
        images::destroy(image).unwrap();
    }

    #[test]
    fn bad_arguments_are_errors() {
        let code = |result: Result<Handle>| result.unwrap_err().code;
        assert_eq!(code(from_pixel_data(&[0; 4], 1, 1, 13, 0)), ErrorCode::InvalidArgument);
        assert_eq!(code(from_pixel_data(&[0; 4], 1, 1, u32::MAX, 0)), ErrorCode::InvalidArgument);
        assert_eq!(code(from_pixel_data(&[0; 3], 1, 1, 0, 0)), ErrorCode::InvalidArgument);
        assert_eq!(code(from_pixel_data(&[0; 8], 2, 1, 0, 4)), ErrorCode::InvalidArgument);

        let image = from_pixel_data(&[1, 2, 3, 4, 5, 6], 1, 2, codes::PixelFormat::Rgb8 as u32, 0).unwrap();
        let mut out = [0u8; 64];
        assert_eq!(copy_pixel_data(image, 13, 0, &mut out).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(copy_pixel_data(image, 0, 3, &mut out).unwrap_err().code, ErrorCode::InvalidArgument);
        // Rgba8 with stride 10 needs 10 + 4 = 14 bytes.
        let error = copy_pixel_data(image, 0, 10, &mut out[..13]).unwrap_err();
        assert_eq!(error.code, ErrorCode::BufferTooSmall);
        assert!(error.message.contains("need 14"), "{}", error.message);
        copy_pixel_data(image, 0, 10, &mut out[..14]).unwrap();
        assert_eq!(out[..14], [1, 2, 3, 255, 0, 0, 0, 0, 0, 0, 4, 5, 6, 255]);
        images::destroy(image).unwrap();
        assert_eq!(copy_pixel_data(image, 0, 0, &mut out).unwrap_err().code, ErrorCode::InvalidHandle);
    }
}
