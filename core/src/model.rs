//! The [`Image`] type: an RGBA8 pixel buffer with its size and source colour type.

#![forbid(unsafe_code)]

use std::fmt;
use std::sync::Arc;

use crate::colour::ColorProfile;
use crate::error::{Error, Result};
use crate::metadata::Metadata;
use crate::types::ColorType;

/// An image held in memory as tightly packed RGBA8.
///
/// Pixels are row-major, `width * 4` bytes per row, straight (not premultiplied) alpha.
/// Width and height are at least 1. The image also remembers the [`ColorType`] it was decoded
/// from (`Rgba8` for images made from raw pixels), which decides the channel layout encoders
/// write; [`Image::grayscale`] switches it to `L8` or `La8`.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub(crate) pixels: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) color_type: ColorType,
    /// Set by a lenient decode of damaged data: what was wrong and how much was decoded.
    pub(crate) decode_warning: Option<Box<str>>,
    /// What the pixels are encoded in (see [`ColorProfile`]).
    pub(crate) profile: ColorProfile,
    /// The decoded file's metadata, shared with the images made from this one.
    pub(crate) metadata: Option<Arc<Metadata>>,
}

/// An image's colour profile state and metadata, carried from a source to what is made from it.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    profile: ColorProfile,
    metadata: Option<Arc<Metadata>>,
}

/// The metadata of an image that has none.
static NO_METADATA: Metadata = Metadata { exif: None, xmp: None, icc: None, text: Vec::new() };

/// The number of bytes an RGBA8 image of `width` x `height` needs, or `None` if that does not
/// fit in `usize`.
pub(crate) fn rgba8_len(width: u32, height: u32) -> Option<usize> {
    usize::try_from(width).ok()?.checked_mul(usize::try_from(height).ok()?)?.checked_mul(4)
}

impl Image {
    /// Makes an image from tightly packed RGBA8 pixels, taking ownership of the buffer (no copy).
    ///
    /// The colour type is `Rgba8`. Errors with [`Error::InvalidArgument`] if width or height is
    /// zero or `pixels.len()` is not exactly `width * height * 4`.
    pub fn from_rgba8(width: u32, height: u32, pixels: Vec<u8>) -> Result<Image> {
        Self::check_raw(width, height, pixels.len())?;
        Ok(Image {
            pixels,
            width,
            height,
            color_type: ColorType::Rgba8,
            decode_warning: None,
            profile: ColorProfile::None,
            metadata: None,
        })
    }

    /// Makes an image from a copy of tightly packed RGBA8 pixels; same rules as
    /// [`Image::from_rgba8`].
    pub fn from_rgba8_slice(width: u32, height: u32, pixels: &[u8]) -> Result<Image> {
        // Validate before copying so a wrong length never allocates.
        Self::check_raw(width, height, pixels.len())?;
        Self::from_rgba8(width, height, pixels.to_vec())
    }

    fn check_raw(width: u32, height: u32, len: usize) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::InvalidArgument(format!(
                "image size {width} x {height} is empty: width and height must be at least 1"
            )));
        }
        // The limits a decode of the same size would meet: an image made here can be saved and
        // opened again with the defaults.
        crate::ops::check_new_size("from_pixels", width, height)?;
        match rgba8_len(width, height) {
            Some(expected) if expected == len => Ok(()),
            Some(expected) => Err(Error::InvalidArgument(format!(
                "pixel buffer has {len} bytes but a {width} x {height} RGBA8 image needs exactly {expected} bytes"
            ))),
            None => Err(Error::InvalidArgument(format!(
                "a {width} x {height} RGBA8 image is too large for this platform's address space"
            ))),
        }
    }

    /// Assembles an image from parts that are already known to be consistent.
    pub(crate) fn from_parts(width: u32, height: u32, pixels: Vec<u8>, color_type: ColorType) -> Image {
        debug_assert_eq!(rgba8_len(width, height), Some(pixels.len()));
        debug_assert!(width > 0 && height > 0);
        Image { pixels, width, height, color_type, decode_warning: None, profile: ColorProfile::None, metadata: None }
    }

    /// Marks an image made by a lenient decode of damaged data (see [`Image::decode_warning`]).
    pub(crate) fn with_decode_warning(mut self, warning: String) -> Image {
        self.decode_warning = Some(warning.into_boxed_str());
        self
    }

    /// For an image returned by a lenient decode ([`DecodeOptions::lenient`](crate::DecodeOptions::lenient))
    /// of truncated or corrupt data: what was wrong and how many rows were decoded, e.g.
    /// `"the data is truncated or corrupt (...): 25 of 2160 rows were decoded"`. `None` for an
    /// image decoded completely, and for every image an operation makes (the mark belongs to
    /// the decoded image; in-place operations keep it).
    pub fn decode_warning(&self) -> Option<&str> {
        self.decode_warning.as_deref()
    }

    /// Width in pixels (at least 1).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels (at least 1).
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The colour type the image was decoded from (see [`ColorType`]).
    pub fn color_type(&self) -> ColorType {
        self.color_type
    }

    /// The pixels: tightly packed RGBA8, row-major, `width * height * 4` bytes, zero-copy.
    ///
    /// In-place operations change the contents but never move the buffer.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixels, writable, for code outside this crate that edits them in place (run-time
    /// plugins). The buffer never moves or changes size. Afterwards call
    /// [`Image::adopt_edited_pixels`]: the colour type may no longer describe the pixels.
    pub fn pixels_mut(&mut self) -> &mut [u8] {
        &mut self.pixels
    }

    /// Sets the colour type for pixels written by code that does not know it, given the colour
    /// type `before` the edit: the result is RGB (the edit may have added colour to a grey
    /// image), with alpha if `before` had alpha or any pixel is no longer opaque, so that an
    /// encoder writes what the pixels hold.
    pub fn adopt_edited_pixels(&mut self, before: ColorType) {
        let translucent = before.has_alpha() || self.pixels.as_chunks::<4>().0.iter().any(|px| px[3] != 255);
        self.color_type = if translucent { ColorType::Rgba8 } else { ColorType::Rgb8 };
    }

    /// What the pixels are encoded in: [`ColorProfile::None`] for a file without an ICC profile
    /// and for images made from raw pixels, [`ColorProfile::Srgb`] after the default decode of
    /// a file with one, [`ColorProfile::Embedded`] when the decode kept the file's colours
    /// ([`DecodeOptions::keep_profile`](crate::DecodeOptions::keep_profile)).
    pub fn color_profile(&self) -> ColorProfile {
        self.profile
    }

    /// The metadata of the file the image was decoded from (EXIF, XMP, ICC, PNG text); empty
    /// for images made from raw pixels and for thumbnails (unless asked to keep it). Images made
    /// from this one by operations share it, and saving writes it (see
    /// [`EncodeOptions::strip_metadata`](crate::EncodeOptions::strip_metadata)).
    pub fn metadata(&self) -> &Metadata {
        self.metadata.as_deref().unwrap_or(&NO_METADATA)
    }

    /// Gives this image `source`'s metadata and colour profile: for an image an operation made
    /// from `source`, whose pixels are in the same colour space.
    pub fn inherit_metadata(&mut self, source: &Image) {
        self.set_provenance(source.provenance());
    }

    /// The image's colour profile state and metadata, to give to an image made from it later
    /// (when the source is consumed first).
    pub fn provenance(&self) -> Provenance {
        Provenance { profile: self.profile, metadata: self.metadata.clone() }
    }

    /// Sets what [`Image::provenance`] returned for the source of this image.
    pub fn set_provenance(&mut self, provenance: Provenance) {
        (self.profile, self.metadata) = (provenance.profile, provenance.metadata);
    }

    /// Drops the metadata (the colour profile state stays: it describes the pixels).
    pub fn strip_metadata(&mut self) {
        self.metadata = None;
    }

    /// Consumes the image and returns its RGBA8 pixel buffer without copying.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }
}

impl fmt::Debug for Image {
    /// Shows size and colour type only; the pixels would drown everything else.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("color_type", &self.color_type)
            .field("pixel_bytes", &self.pixels.len())
            .field("decode_warning", &self.decode_warning)
            .field("profile", &self.profile)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_rgba8_keeps_the_buffer_and_reports_size() {
        let data: Vec<u8> = (0..24).collect();
        let ptr = data.as_ptr();
        let img = Image::from_rgba8(3, 2, data).unwrap();
        assert_eq!((img.width(), img.height()), (3, 2));
        assert_eq!(img.color_type(), ColorType::Rgba8);
        assert_eq!(img.pixels().as_ptr(), ptr, "from_rgba8 must not copy");
        assert_eq!(img.pixels(), (0..24).collect::<Vec<u8>>().as_slice());
    }

    #[test]
    fn from_rgba8_rejects_wrong_lengths_and_empty_sizes() {
        for (w, h, len) in [(3, 2, 23), (3, 2, 25), (3, 2, 0), (0, 2, 0), (3, 0, 0), (0, 0, 0)] {
            let err = Image::from_rgba8(w, h, vec![0; len]).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{w}x{h} len {len}: {err:?}");
            let err = Image::from_rgba8_slice(w, h, &vec![0; len]).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{w}x{h} len {len}: {err:?}");
        }
        let err = Image::from_rgba8(3, 2, vec![0; 23]).unwrap_err();
        assert!(err.message().contains("23") && err.message().contains("24"), "{err}");
    }

    #[test]
    fn from_rgba8_refuses_sizes_a_decode_would_refuse() {
        // Issue 15, item 10: 40000 x 1 used to be accepted, saved, then refused on reopening.
        let err = Image::from_rgba8_slice(40000, 1, &vec![0; 160_000]).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)) && err.message().contains("32768"), "{err}");
        assert!(Image::from_rgba8_slice(32768, 1, &vec![0; 131_072]).is_ok());
    }

    #[test]
    fn from_rgba8_size_arithmetic_does_not_overflow() {
        // u32::MAX * u32::MAX * 4 overflows u64 but must be a clean error.
        let err = Image::from_rgba8_slice(u32::MAX, u32::MAX, &[0; 4]).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)));
        assert_eq!(rgba8_len(u32::MAX, u32::MAX), None);
        assert_eq!(rgba8_len(2, 3), Some(24));
    }

    #[test]
    fn edited_pixels_get_a_colour_type_that_describes_them() {
        let mut img = Image::from_parts(2, 1, vec![10, 10, 10, 255, 20, 20, 20, 255], ColorType::L8);
        img.pixels_mut()[0] = 200;
        img.adopt_edited_pixels(ColorType::L8);
        assert_eq!(img.color_type(), ColorType::Rgb8, "grey gains colour, stays opaque");
        img.pixels_mut()[7] = 128;
        img.adopt_edited_pixels(ColorType::Rgb8);
        assert_eq!(img.color_type(), ColorType::Rgba8, "a translucent pixel adds alpha");
        img.pixels_mut()[7] = 255;
        img.adopt_edited_pixels(ColorType::La16);
        assert_eq!(img.color_type(), ColorType::Rgba8, "alpha of the source is kept");
    }

    #[test]
    fn debug_does_not_dump_pixels() {
        let img = Image::from_rgba8(1, 1, vec![1, 2, 3, 4]).unwrap();
        let text = format!("{img:?}");
        assert!(text.contains("width: 1") && text.contains("Rgba8"), "{text}");
    }
}
