//! AVIF: encoding with rav1e (through `image`'s `ravif` encoder), and recognising AVIF files on
//! decode, which this build cannot do (no AV1 decoder is vendored: `image` decodes AVIF only
//! with libdav1d).

#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};

use image::codecs::avif::AvifEncoder;
use image::{ExtendedColorType, ImageEncoder};

use crate::control::{self, Progress};
use crate::encode::CONVERT_SHARE;
use crate::error::{Error, Result, Stage, image_error};
use crate::model::Image;
use crate::ops::{discard, keep, rows_per_check};
use crate::types::AvifOptions;

/// The error of decoding a file recognised as AVIF.
pub(crate) fn decoding_unavailable(subject: &str) -> Error {
    Error::UnsupportedFormat(format!(
        "{subject}: the content is AVIF, and AVIF decoding is not available in this build of \
         Pixbridge (no AV1 decoder is included); AVIF encoding is"
    ))
}

/// Whether `head` (the first bytes of a file) starts with an ISO-BMFF `ftyp` box whose major or
/// compatible brands include `avif` (a still image) or `avis` (an image sequence). `image`
/// recognises only files whose major brand is `avif`; files from other writers may have `mif1`
/// or `msf1` first and `avif` among the compatible brands.
pub(crate) fn is_avif(head: &[u8]) -> bool {
    let Some((size, rest)) = head.split_first_chunk::<4>() else { return false };
    let Some((kind, rest)) = rest.split_first_chunk::<4>() else { return false };
    if kind != b"ftyp" {
        return false;
    }
    // The box's size counts its 8-byte header; brands follow the major brand's minor version.
    let size = u32::from_be_bytes(*size) as usize;
    if size < 16 {
        return false;
    }
    let brands = &rest[..rest.len().min(size - 8)];
    let major = brands.get(..4);
    let compatible = brands.get(8..).unwrap_or_default().chunks_exact(4);
    major.into_iter().chain(compatible).any(|brand| brand == b"avif" || brand == b"avis")
}

/// How many bytes of a file [`starts_like_avif`] reads: an `ftyp` box with up to 14 compatible
/// brands.
const SNIFF_LEN: usize = 72;

/// Reads the start of `reader` and seeks back to where it was: whether it is AVIF
/// ([`is_avif`]).
pub(crate) fn starts_like_avif<R: Read + Seek>(reader: &mut R) -> std::io::Result<bool> {
    let start = reader.stream_position()?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    reader.seek(SeekFrom::Start(start))?;
    Ok(is_avif(&head))
}

/// The pixels to hand the encoder: always RGBA, which `ravif` writes without an alpha plane when
/// every pixel is opaque. Images without alpha (RGB, and grey, whose pixels are grey RGB) get
/// alpha 255 (a copy, made in pieces that check for cancellation, only if some alpha is not
/// 255 already).
///
/// Why not RGB samples: `ravif`'s RGB entry point is `#[inline]`, so the whole AV1 encoder
/// would be compiled into `image`, unoptimised in debug builds (30 times slower: 20 s for a
/// 451 x 300 photograph); its RGBA entry point compiles rav1e inside `ravif`, which the
/// workspace's Cargo.toml optimises in every profile.
fn opaque_unless_alpha(pixels: &[u8], has_alpha: bool) -> Result<Cow<'_, [u8]>> {
    if has_alpha || pixels.chunks_exact(4).all(|pixel| pixel[3] == 255) {
        return Ok(Cow::Borrowed(pixels));
    }
    let mut out = vec![0u8; pixels.len()];
    let piece = rows_per_check(4) * 4;
    let progress = Progress::new(pixels.len() as u64);
    let outcome = pixels.chunks(piece).zip(out.chunks_mut(piece)).try_for_each(|(from, to)| {
        for (dst, src) in to.chunks_exact_mut(4).zip(from.chunks_exact(4)) {
            dst.copy_from_slice(&[src[0], src[1], src[2], 255]);
        }
        progress.step(from.len() as u64)
    });
    keep(outcome, out).map(Cow::Owned)
}

impl Image {
    /// Encodes the image as AVIF (AV1 still image) with rav1e, at `options.quality` 1..=100 and
    /// `options.speed` 1..=10 (values outside are [`Error::InvalidArgument`]).
    ///
    /// RGB images are written as RGB, images with alpha keep it (encoded at the same quality);
    /// grey is written as RGB, grey + alpha as RGBA. Colour is stored as 8-bit full-resolution
    /// (4:4:4) YCbCr. The encoder runs as one block on `image`'s thread pool: a cancel takes
    /// effect before and after it, and progress moves from the conversion (15 %) to the end.
    /// Writes pixels only, like [`Image::encode_jpeg`].
    pub fn encode_avif(&self, options: &AvifOptions) -> Result<Vec<u8>> {
        let AvifOptions { quality, speed } = *options;
        if !(1..=100).contains(&quality) {
            return Err(Error::InvalidArgument(format!("AVIF quality {quality} is out of range: it must be 1..=100")));
        }
        if !(1..=10).contains(&speed) {
            return Err(Error::InvalidArgument(format!("AVIF speed {speed} is out of range: it must be 1..=10")));
        }
        let (width, height) = (self.width, self.height);
        let samples =
            control::stage(0.0, CONVERT_SHARE, || opaque_unless_alpha(&self.pixels, self.color_type.has_alpha()))?;
        let encoded = control::stage(CONVERT_SHARE, 1.0, || {
            control::check()?;
            let mut out = Vec::new();
            AvifEncoder::new_with_speed_quality(&mut out, speed, quality)
                .write_image(&samples, width, height, ExtendedColorType::Rgba8)
                .map_err(|e| {
                    image_error(&format!("cannot encode a {width} x {height} image as AVIF"), Stage::Encoding, e)
                })?;
            Ok(out)
        });
        // Freeing a large buffer takes a while: not on this thread (see `discard`).
        if let Cow::Owned(samples) = samples {
            discard(samples);
        }
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len() as u32;
        let mut out = size.to_be_bytes().to_vec();
        out.extend_from_slice(b"ftyp");
        out.extend_from_slice(major);
        out.extend_from_slice(&[0, 0, 0, 0]);
        compatible.iter().for_each(|brand| out.extend_from_slice(*brand));
        out
    }

    #[test]
    fn avif_is_recognised_by_its_major_or_a_compatible_brand() {
        assert!(is_avif(&ftyp(b"avif", &[b"mif1", b"miaf"])));
        assert!(is_avif(&ftyp(b"mif1", &[b"mif1", b"avif"])));
        assert!(is_avif(&ftyp(b"avis", &[])));
        // HEIC, MP4 and a brand beyond the box's end are not AVIF.
        assert!(!is_avif(&ftyp(b"heic", &[b"mif1", b"heic"])));
        assert!(!is_avif(&ftyp(b"isom", &[b"isom", b"mp41"])));
        let mut short = ftyp(b"mif1", &[b"mif1"]);
        short.extend_from_slice(b"avif");
        assert!(!is_avif(&short));
        for broken in [&b""[..], b"\0\0\0\x18ftyp", b"\0\0\0\x08ftypavif\0\0\0\0", b"\0\0\0\x18moovavif\0\0\0\0"] {
            assert!(!is_avif(broken), "{broken:?}");
        }
    }

    #[test]
    fn sniffing_leaves_the_reader_where_it_was() {
        let mut file = std::io::Cursor::new(ftyp(b"mif1", &[b"avif"]));
        file.set_position(0);
        assert!(starts_like_avif(&mut file).unwrap());
        assert_eq!(file.position(), 0);
        let mut png = std::io::Cursor::new(b"\x89PNG\r\n\x1a\n".to_vec());
        assert!(!starts_like_avif(&mut png).unwrap());
        assert_eq!(png.position(), 0);
    }

    #[test]
    fn images_without_alpha_are_handed_over_opaque() {
        let pixels = [1, 2, 3, 0, 4, 5, 6, 255];
        assert_eq!(&*opaque_unless_alpha(&pixels, false).unwrap(), &[1, 2, 3, 255, 4, 5, 6, 255]);
        assert!(matches!(opaque_unless_alpha(&pixels, true).unwrap(), Cow::Borrowed(_)));
        let opaque = [1, 2, 3, 255];
        assert!(matches!(opaque_unless_alpha(&opaque, false).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn the_no_decoder_error_names_avif_and_says_encoding_works() {
        let error = decoding_unavailable("cannot decode 'x.avif'");
        assert!(matches!(error, Error::UnsupportedFormat(_)));
        let message = error.message();
        assert!(message.starts_with("cannot decode 'x.avif': "), "{message}");
        assert!(message.contains("AVIF decoding is not available in this build"), "{message}");
    }
}
