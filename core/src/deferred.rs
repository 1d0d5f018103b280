//! Deferred decoding: a JPEG whose header has been read and checked, kept encoded until its
//! pixels are needed, so that a pipeline can decode it inside the first operation and free the
//! full-size pixels as soon as that operation has used them.

use std::path::Path;

use crate::control;
use crate::decode::{READ_SHARE, Source, decode_sized, read_file, with_metadata};
use crate::error::Result;
use crate::jpeg;
use crate::metadata;
use crate::model::Image;
use crate::ops::discard;
use crate::types::{ColorType, DecodeOptions};

/// An opened image: decoded, or (JPEG only) still encoded with its size and colour type known.
///
/// Made by [`Image::open_deferred`] and [`Image::decode_deferred`].
pub enum Opened {
    /// Decoded now: formats other than libjpeg-turbo's JPEGs (their decoders read the size
    /// only as part of decoding), and every JPEG libjpeg-turbo cannot decode to RGBA.
    Decoded(Image),
    /// A JPEG kept encoded; [`PendingJpeg::decode`] decodes it, as often as asked.
    Pending(PendingJpeg),
}

/// A JPEG whose header has been read and checked against the limits, not yet decoded.
///
/// [`PendingJpeg::decode`] gives exactly the image [`Image::decode_with`] would have given for
/// the same bytes and options; errors found only in the compressed data (truncation,
/// corruption) surface there.
pub struct PendingJpeg {
    bytes: Vec<u8>,
    header: jpeg::Header,
    denominator: u32,
    lenient: bool,
    keep_profile: bool,
    subject: String,
}

impl PendingJpeg {
    /// Width of the decoded image (upright, scaled as the options asked).
    pub fn width(&self) -> u32 {
        self.size().0
    }

    /// Height of the decoded image (upright, scaled as the options asked).
    pub fn height(&self) -> u32 {
        self.size().1
    }

    /// The colour type the decoded image will have.
    pub fn color_type(&self) -> ColorType {
        self.header.color_type
    }

    /// Size of the encoded data kept until the image is decoded.
    pub fn encoded_len(&self) -> usize {
        self.bytes.len()
    }

    /// Decodes the pixels (each call decodes again).
    pub fn decode(&self) -> Result<Image> {
        let image = jpeg::decode(&self.bytes, &self.header, self.denominator, self.lenient, &self.subject)?;
        with_metadata(image, metadata::read_jpeg(&self.bytes), self.keep_profile)
    }

    fn size(&self) -> (u32, u32) {
        self.header.scaled_upright(self.denominator)
    }
}

impl Image {
    /// Opens the image file at `path` as [`Image::open_with`] does, except that a JPEG that
    /// libjpeg-turbo decodes is only read and its header checked: see [`Opened`].
    ///
    /// Errors as for [`Image::open_with`]; for a pending JPEG, those in the compressed data come
    /// from [`PendingJpeg::decode`] instead.
    pub fn open_deferred(path: &Path, options: &DecodeOptions) -> Result<Opened> {
        let bytes = control::stage(0.0, READ_SHARE, || read_file(path))?;
        control::stage(READ_SHARE, 1.0, || defer(bytes, options, &Source::File(path)))
    }

    /// Decodes `bytes` as [`Image::decode_with`] does, except that a JPEG that libjpeg-turbo
    /// decodes is kept encoded (the bytes are copied): see [`Opened`].
    pub fn decode_deferred(bytes: &[u8], options: &DecodeOptions) -> Result<Opened> {
        let source = Source::Memory(bytes.len());
        if !jpeg::is_jpeg(bytes) {
            return Ok(Opened::Decoded(
                decode_sized(bytes, &options.limits, options.lenient, options.keep_profile, &source, |_| {
                    options.min_size
                })?
                .0,
            ));
        }
        defer(bytes.to_vec(), options, &source)
    }
}

fn defer(bytes: Vec<u8>, options: &DecodeOptions, source: &Source<'_>) -> Result<Opened> {
    let subject = source.subject();
    // As `decode_sized` does: a broken ICC profile is skipped rather than refused.
    let bytes = if jpeg::is_jpeg(&bytes) && metadata::jpeg_icc_is_broken(&bytes) {
        metadata::jpeg_without_icc(&bytes)
    } else {
        bytes
    };
    if jpeg::is_jpeg(&bytes)
        && let Some(header) = jpeg::read_header(&bytes, &subject)?
    {
        jpeg::check_header_limits(&header, &options.limits, &subject)?;
        let denominator = jpeg::scale_denominator(header.upright, options.min_size);
        let (lenient, keep_profile) = (options.lenient, options.keep_profile);
        return Ok(Opened::Pending(PendingJpeg { bytes, header, denominator, lenient, keep_profile, subject }));
    }
    let decoded =
        decode_sized(&bytes, &options.limits, options.lenient, options.keep_profile, source, |_| options.min_size);
    // Freeing a large buffer takes a while: not on this thread (see `discard`).
    discard(bytes);
    Ok(Opened::Decoded(decoded?.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{DecodeLimits, EncodeOptions, ImageFormat};

    fn photo_like(width: u32, height: u32) -> Vec<u8> {
        let pixels = (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [(x * 7 % 256) as u8, (y * 5 % 256) as u8, ((x + y) % 256) as u8, 255]
            })
            .collect();
        let image = Image::from_rgba8(width, height, pixels).unwrap();
        image.encode_with(ImageFormat::Jpeg, &EncodeOptions::default()).unwrap()
    }

    #[test]
    fn a_pending_jpeg_decodes_to_what_decode_with_gives() {
        let jpeg = photo_like(67, 45);
        for min_size in [None, Some((20, 10)), Some((9, 6))] {
            let options = DecodeOptions { min_size, ..Default::default() };
            let eager = Image::decode_with(&jpeg, &options).unwrap();
            let Opened::Pending(pending) = Image::decode_deferred(&jpeg, &options).unwrap() else {
                panic!("a baseline JPEG is deferred")
            };
            assert_eq!((pending.width(), pending.height()), (eager.width(), eager.height()), "{min_size:?}");
            assert_eq!(pending.color_type(), eager.color_type());
            let decoded = pending.decode().unwrap();
            assert_eq!(decoded.pixels(), eager.pixels(), "{min_size:?}");
            assert_eq!(pending.decode().unwrap().pixels(), eager.pixels(), "decodes again");
        }
    }

    #[test]
    fn limits_are_checked_when_deferring_and_other_formats_decode_now() {
        let jpeg = photo_like(64, 48);
        let tight =
            DecodeOptions { limits: DecodeLimits { max_width: 63, ..Default::default() }, ..Default::default() };
        assert!(matches!(Image::decode_deferred(&jpeg, &tight), Err(crate::Error::LimitExceeded(_))));
        let png = Image::decode(&jpeg).unwrap().encode(ImageFormat::Png, None).unwrap();
        assert!(matches!(Image::decode_deferred(&png, &DecodeOptions::default()), Ok(Opened::Decoded(_))));
    }

    #[test]
    fn a_truncated_jpeg_fails_when_decoded_not_when_deferred() {
        let jpeg = photo_like(64, 48);
        let truncated = &jpeg[..jpeg.len() * 2 / 3];
        let Opened::Pending(pending) = Image::decode_deferred(truncated, &DecodeOptions::default()).unwrap() else {
            panic!("the header is intact")
        };
        assert!(matches!(pending.decode(), Err(crate::Error::Decode(_))));
    }
}
