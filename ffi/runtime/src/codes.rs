//! Stable numeric codes for the enums that cross the language boundary.
//!
//! Foreign callers pass these as plain `u32` so that an out-of-range value is an
//! `InvalidArgument` error rather than an invalid Rust enum (undefined behaviour).

use interoptopus::ffi;
use pixbridge_core as core;

use crate::error::{Error, Result};

/// The stable number of an enum variant that crosses the C ABI, where pixbridge.h declares
/// every code `uint32_t` (and C#, Java and the Rust loader read 32 bits).
///
/// `#[ffi]` gives an enum whose discriminants are all literals the smallest repr that fits
/// (`u8` here), so exports returned one byte that callers read as four (the upper bytes were
/// whatever the register held). It falls back to a 32-bit repr for a discriminant it cannot
/// evaluate, such as a call to this function; the assertions below pin the sizes.
pub(crate) const fn code(number: i32) -> i32 {
    number
}

const _: () = {
    assert!(size_of::<crate::ErrorCode>() == 4);
    assert!(size_of::<ImageFormat>() == 4);
    assert!(size_of::<ResizeFilter>() == 4);
    assert!(size_of::<ColorType>() == 4);
    // Matches `PixbridgeImageInfo` in pixbridge.h: three `uint32_t` fields.
    assert!(size_of::<ImageInfo>() == 12);
};

/// Encoded image formats, by stable number.
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG (lossless).
    Png = code(0),
    /// JPEG (lossy; quality 1-100, default 90; no alpha).
    Jpeg = code(1),
    /// WebP, lossless.
    WebP = code(2),
    /// Windows bitmap.
    Bmp = code(3),
    /// TIFF.
    Tiff = code(4),
    /// GIF (first frame only on decode).
    Gif = code(5),
    /// QOI (lossless).
    Qoi = code(6),
    /// Truevision TGA.
    Tga = code(7),
    /// Portable anymap (PPM/PGM).
    Pnm = code(8),
    /// Windows icon (at most 256x256).
    Ico = code(9),
}

/// Resampling filters for `resize`, by stable number.
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeFilter {
    /// Nearest neighbour.
    Nearest = code(0),
    /// Bilinear (triangle) filter.
    Bilinear = code(1),
    /// Lanczos with a window of 3.
    Lanczos3 = code(2),
}

/// The colour type an image was decoded from (pixels are always held as RGBA8).
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorType {
    /// 8-bit grey.
    L8 = code(0),
    /// 8-bit grey with alpha.
    La8 = code(1),
    /// 8-bit RGB.
    Rgb8 = code(2),
    /// 8-bit RGBA.
    Rgba8 = code(3),
    /// 16-bit grey.
    L16 = code(4),
    /// 16-bit grey with alpha.
    La16 = code(5),
    /// 16-bit RGB.
    Rgb16 = code(6),
    /// 16-bit RGBA.
    Rgba16 = code(7),
    /// 32-bit float RGB.
    Rgb32F = code(8),
    /// 32-bit float RGBA.
    Rgba32F = code(9),
}

/// Width, height and colour type of an image.
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The colour type the image was decoded from.
    pub color_type: ColorType,
}

/// Finds the variant of `all` whose stable number is `code`.
fn by_code<T: Copy>(all: &[T], code: u32, number: impl Fn(T) -> u32) -> Option<T> {
    all.iter().copied().find(|variant| number(*variant) == code)
}

impl ImageFormat {
    /// Every format, in numeric order.
    pub const ALL: [ImageFormat; 10] = [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::WebP,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
        ImageFormat::Gif,
        ImageFormat::Qoi,
        ImageFormat::Tga,
        ImageFormat::Pnm,
        ImageFormat::Ico,
    ];
}

impl ResizeFilter {
    /// Every filter, in numeric order.
    pub const ALL: [ResizeFilter; 3] = [ResizeFilter::Nearest, ResizeFilter::Bilinear, ResizeFilter::Lanczos3];
}

/// Converts a stable format number to the core's format.
pub fn image_format(code: u32) -> Result<core::ImageFormat> {
    let format = by_code(&ImageFormat::ALL, code, |format| format as u32)
        .ok_or_else(|| Error::invalid_argument(format!("unknown image format code {code} (valid: 0-9)")))?;
    Ok(match format {
        ImageFormat::Png => core::ImageFormat::Png,
        ImageFormat::Jpeg => core::ImageFormat::Jpeg,
        ImageFormat::WebP => core::ImageFormat::WebP,
        ImageFormat::Bmp => core::ImageFormat::Bmp,
        ImageFormat::Tiff => core::ImageFormat::Tiff,
        ImageFormat::Gif => core::ImageFormat::Gif,
        ImageFormat::Qoi => core::ImageFormat::Qoi,
        ImageFormat::Tga => core::ImageFormat::Tga,
        ImageFormat::Pnm => core::ImageFormat::Pnm,
        ImageFormat::Ico => core::ImageFormat::Ico,
    })
}

/// Converts a stable resize-filter number to the core's filter.
pub fn resize_filter(code: u32) -> Result<core::ResizeFilter> {
    let filter = by_code(&ResizeFilter::ALL, code, |filter| filter as u32).ok_or_else(|| {
        Error::invalid_argument(format!("unknown resize filter code {code} (0 = Nearest, 1 = Bilinear, 2 = Lanczos3)"))
    })?;
    Ok(match filter {
        ResizeFilter::Nearest => core::ResizeFilter::Nearest,
        ResizeFilter::Bilinear => core::ResizeFilter::Bilinear,
        ResizeFilter::Lanczos3 => core::ResizeFilter::Lanczos3,
    })
}

/// Converts an encode quality (0 = the format's default) to the core's form.
pub fn quality(quality: u32) -> Result<Option<u8>> {
    match quality {
        0 => Ok(None),
        1..=100 => Ok(Some(quality as u8)),
        _ => Err(Error::invalid_argument(format!("quality {quality} is out of range (0 = default, or 1-100)"))),
    }
}

impl From<core::ColorType> for ColorType {
    fn from(color_type: core::ColorType) -> Self {
        match color_type {
            core::ColorType::L8 => ColorType::L8,
            core::ColorType::La8 => ColorType::La8,
            core::ColorType::Rgb8 => ColorType::Rgb8,
            core::ColorType::Rgba8 => ColorType::Rgba8,
            core::ColorType::L16 => ColorType::L16,
            core::ColorType::La16 => ColorType::La16,
            core::ColorType::Rgb16 => ColorType::Rgb16,
            core::ColorType::Rgba16 => ColorType::Rgba16,
            core::ColorType::Rgb32F => ColorType::Rgb32F,
            core::ColorType::Rgba32F => ColorType::Rgba32F,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn numbers_are_stable() {
        let formats: Vec<u32> = ImageFormat::ALL.iter().map(|format| *format as u32).collect();
        assert_eq!(formats, (0..10).collect::<Vec<_>>());
        assert_eq!((ColorType::L8 as u32, ColorType::Rgba8 as u32, ColorType::Rgba32F as u32), (0, 3, 9));
        assert_eq!(ColorType::from(core::ColorType::L16) as u32, 4);
    }

    #[test]
    fn codes_round_trip_and_reject_unknown_values() {
        assert_eq!(image_format(ImageFormat::Jpeg as u32).unwrap(), core::ImageFormat::Jpeg);
        assert_eq!(image_format(ImageFormat::Ico as u32).unwrap(), core::ImageFormat::Ico);
        assert_eq!(image_format(10).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(resize_filter(ResizeFilter::Lanczos3 as u32).unwrap(), core::ResizeFilter::Lanczos3);
        assert_eq!(resize_filter(u32::MAX).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(quality(0).unwrap(), None);
        assert_eq!(quality(100).unwrap(), Some(100));
        assert_eq!(quality(101).unwrap_err().code, ErrorCode::InvalidArgument);
    }
}
