//! Lossy WebP encoding with libwebp (the `webp` crate, built from libwebp's bundled source).
//! Lossless WebP stays with the `image` crate's encoder ([`Image::encode`]).

#![forbid(unsafe_code)]

use std::borrow::Cow;

use webp::{Encoder, PixelLayout};

use crate::control;
use crate::encode::{CONVERT_SHARE, Layout};
use crate::error::{Error, Result};
use crate::model::Image;
use crate::ops::discard;
use crate::types::{ImageFormat, WebPOptions};

/// The largest width and height a WebP file can hold (14 bits each).
pub const MAX_WEBP_SIZE: u32 = 16383;

impl Image {
    /// Encodes the image as WebP: lossless when `options.quality` is `None` (as
    /// [`Image::encode`] writes WebP), lossy through libwebp at `Some(1..=100)`.
    ///
    /// Lossy WebP stores colour as 4:2:0 YUV: grey images are written as RGB; alpha is kept,
    /// compressed losslessly in its own plane (colours under fully transparent pixels may
    /// change). A quality outside 1..=100, or an image wider or taller than
    /// [`MAX_WEBP_SIZE`] pixels, is [`Error::InvalidArgument`]. libwebp encodes in one call: a
    /// cancel takes effect before and after it. Writes pixels only, like
    /// [`Image::encode_jpeg`]: [`Image::encode_with`] adds the metadata.
    pub fn encode_webp(&self, options: &WebPOptions) -> Result<Vec<u8>> {
        let quality = match options.quality {
            None => return self.encode_pixels(ImageFormat::WebP, None),
            Some(quality @ 1..=100) => quality,
            Some(other) => {
                return Err(Error::InvalidArgument(format!(
                    "WebP quality {other} is out of range: it must be 1..=100 (or none for lossless)"
                )));
            }
        };
        let (width, height) = (self.width, self.height);
        if width > MAX_WEBP_SIZE || height > MAX_WEBP_SIZE {
            return Err(Error::InvalidArgument(format!(
                "a {width} x {height} image cannot be stored as WebP: WebP images are at most \
                 {MAX_WEBP_SIZE} x {MAX_WEBP_SIZE} pixels"
            )));
        }
        let (layout, pixel_layout) = if self.color_type.has_alpha() {
            (Layout::Rgba8, PixelLayout::Rgba)
        } else {
            (Layout::Rgb8, PixelLayout::Rgb)
        };
        let samples = control::stage(0.0, CONVERT_SHARE, || layout.convert(&self.pixels))?;
        let encoded = control::stage(CONVERT_SHARE, 1.0, || {
            control::check()?;
            let memory =
                Encoder::new(&samples, pixel_layout, width, height).encode_simple(false, f32::from(quality)).map_err(
                    |e| Error::Encode(format!("cannot encode a {width} x {height} image as lossy WebP: libwebp {e:?}")),
                )?;
            Ok(memory.to_vec())
        });
        // Freeing a large buffer takes a while: not on this thread (see `discard`).
        if let Cow::Owned(samples) = samples {
            discard(samples);
        }
        encoded
    }
}
