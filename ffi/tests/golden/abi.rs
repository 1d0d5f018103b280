//! The golden runner's view of the library under test: open an image, read its RGBA8 pixels,
//! apply one manifest step, report failures as error code names with their message.
//!
//! Interim: this version drives `pixbridge-core` directly, until the C ABI exports exist;
//! it is then replaced by the same interface over the `pixbridge_*` C functions.

use std::path::Path;

use crate::manifest::{Filter, Op};
use crate::reference::Rgba;

/// A failed call: the error code name and the last-error message.
pub struct Failure {
    /// Error code name (`InvalidArgument`, ...).
    pub code: String,
    /// The detail message.
    pub message: String,
}

impl From<pixbridge_core::Error> for Failure {
    fn from(error: pixbridge_core::Error) -> Self {
        Failure { code: error.kind_name().to_string(), message: error.to_string() }
    }
}

/// An open image.
pub struct Image(pixbridge_core::Image);

impl Image {
    /// Opens and decodes a file with the default limits.
    pub fn open(path: &Path) -> Result<Image, Failure> {
        Ok(Image(pixbridge_core::Image::open(path)?))
    }

    /// A copy of the current pixels.
    pub fn rgba(&self) -> Rgba {
        Rgba::new(self.0.width(), self.0.height(), self.0.pixels().to_vec())
    }

    /// Applies one manifest step; a fresh-kind result replaces the image.
    pub fn apply(&mut self, op: &Op) -> Result<(), Failure> {
        use pixbridge_core::{ImageFormat, ResizeFilter};
        let image = &mut self.0;
        let fresh = match *op {
            Op::Blur { sigma } => image.blur(sigma)?,
            Op::Unsharpen { sigma, amount, threshold } => image.unsharpen(sigma, amount, threshold)?,
            Op::Resize { width, height, filter } => {
                let filter = match filter {
                    Filter::Nearest => ResizeFilter::Nearest,
                    Filter::Bilinear => ResizeFilter::Bilinear,
                    Filter::Lanczos3 => ResizeFilter::Lanczos3,
                };
                image.resize(width, height, filter)?
            }
            Op::Crop { x, y, width, height } => image.crop(x, y, width, height)?,
            Op::Rotate90 => image.rotate90()?,
            Op::Rotate270 => image.rotate270()?,
            Op::Mirror => return Ok(image.mirror()?),
            Op::FlipVertical => return Ok(image.flip_vertical()?),
            Op::Rotate180 => return Ok(image.rotate180()?),
            Op::Grayscale => return Ok(image.grayscale()?),
            Op::AdjustBrightness { delta } => return Ok(image.adjust_brightness(delta)?),
            Op::AdjustContrast { contrast } => return Ok(image.adjust_contrast(contrast)?),
            Op::EncodeDecode { format, quality } => {
                let format = ImageFormat::from_code(format as u32).expect("manifest formats are valid");
                // Out-of-range qualities must reach the library to be rejected there.
                let quality = quality.map(|q| u8::try_from(q).unwrap_or(u8::MAX));
                let bytes = image.encode(format, quality)?;
                pixbridge_core::Image::decode(&bytes)?
            }
        };
        self.0 = fresh;
        Ok(())
    }
}

/// Number of live image handles (the core has none: always 0).
pub fn live_images() -> u64 {
    0
}

/// The names of all operations the library exports.
pub fn operation_names() -> Vec<&'static str> {
    vec![
        "blur",
        "unsharpen",
        "resize",
        "crop",
        "rotate90",
        "rotate270",
        "mirror",
        "flip_vertical",
        "rotate180",
        "grayscale",
        "adjust_brightness",
        "adjust_contrast",
    ]
}

/// The library's name for an error code number.
pub fn error_name(code: u32) -> &'static str {
    [
        "Ok",
        "NullArgument",
        "InvalidHandle",
        "NotFound",
        "Io",
        "PermissionDenied",
        "UnsupportedFormat",
        "Decode",
        "Encode",
        "InvalidArgument",
        "LimitExceeded",
        "InvalidUtf8",
        "BufferTooSmall",
        "Panic",
    ][code as usize]
}
