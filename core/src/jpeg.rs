//! JPEG through libjpeg-turbo (the `turbojpeg` crate): decoding straight into RGBA, optionally
//! DCT-scaled to 1/2, 1/4 or 1/8 ("shrink-on-load"), and SIMD encoding.
//!
//! Why libjpeg-turbo and not `jpeg-decoder`'s scaled decode or `zune-jpeg`: the project's
//! planning measurements on 2-core machines of this kind (photographic 4:2:0 q90 mosaics; not
//! re-measured here) put libjpeg-turbo at about 22 ms for a 3840x2160 file at 1/8 scale and
//! 40 ms at full size, against 30 ms for `jpeg-decoder`'s scaled decode and 48 ms for
//! `zune-jpeg` at full size (about 61, 84 and 135 ms at 24 MP). It also writes RGBA directly
//! (no RGB-to-RGBA copy), scales by 1/2 and 1/4 as well as 1/8, and its encoder offers
//! progressive and optimised-Huffman output. The cost is a C library built from the source
//! bundled in `turbojpeg-sys` (cmake and nasm at build time).
//!
//! Cancellation: libjpeg-turbo decodes and encodes a whole image in one call that cannot be
//! interrupted (TurboJPEG has no progress hook), so a cancel takes effect before and after it;
//! the 1/8 and 1/4 scale decodes of [`crate::fastjpeg`] stop within an MCU row.
//!
//! Strictness: libjpeg-turbo reports recoverable problems (a stream that ends early, corrupt
//! entropy-coded data) as warnings and fills in the rest of the image; TurboJPEG then still
//! returns an error, which we pass on as [`Error::Decode`], so a damaged file never yields a
//! silently grey-bottomed image.

#![forbid(unsafe_code)]

use image::metadata::Orientation;
use turbojpeg::{Colorspace, Compressor, Decompressor, PixelFormat, ScalingFactor, Subsamp};

use crate::control;
use crate::decode::{ORIENT_SHARE, orient};
use crate::error::{Error, Result};
use crate::model::{Image, rgba8_len};
use crate::ops::discard;
use crate::types::{ChromaSubsampling, ColorType, DecodeLimits, JpegOptions};

/// Whether `bytes` starts like a JPEG file (SOI followed by another marker).
pub(crate) fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The EXIF orientation of a JPEG, from the first APP1 "Exif" segment before the first scan.
/// Missing, truncated or malformed EXIF gives `NoTransforms`, as the `image` path does.
pub(crate) fn exif_orientation(bytes: &[u8]) -> Orientation {
    const EXIF_HEADER: &[u8] = b"Exif\0\0";
    let mut at = 2; // after SOI
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            break;
        }
        let marker = bytes[at + 1];
        match marker {
            // Fill byte: markers may be preceded by any number of 0xFF.
            0xFF => {
                at += 1;
                continue;
            }
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => {
                at += 2;
                continue;
            }
            // Start of scan or end of image: EXIF comes before either.
            0xDA | 0xD9 => break,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let Some(segment) = bytes.get(at + 4..at + 2 + length) else { break };
        if length < 2 {
            break;
        }
        if marker == 0xE1
            && let Some(tiff) = segment.strip_prefix(EXIF_HEADER)
        {
            return Orientation::from_exif_chunk(tiff).unwrap_or(Orientation::NoTransforms);
        }
        at += 2 + length;
    }
    Orientation::NoTransforms
}

/// Whether a JPEG's data runs to its end-of-image marker; a file cut anywhere in or after its
/// scans has none. Walks the marker segments (skipping each by its length, embedded thumbnails
/// included) and the entropy-coded data between them, in which 0xFF is only ever followed by a
/// stuffed 0x00 or a restart marker.
pub(crate) fn reaches_end_marker(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    while at + 1 < bytes.len() {
        if bytes[at] != 0xFF {
            at += 1; // entropy-coded data
            continue;
        }
        match bytes[at + 1] {
            0xD9 => return true,
            // Fill byte before a marker.
            0xFF => at += 1,
            // Stuffed data byte, restart markers, TEM: no length.
            0x00 | 0xD0..=0xD7 | 0x01 => at += 2,
            _ => {
                let Some(length) = bytes.get(at + 2..at + 4) else { return false };
                at += 2 + usize::from(u16::from_be_bytes([length[0], length[1]]));
            }
        }
    }
    false
}

/// Whether every pixel of an RGBA row is the grey that JPEG decoders write for blocks whose
/// data is missing (zero coefficients).
pub(crate) fn is_grey_fill(row: &[u8]) -> bool {
    row.as_chunks::<4>().0.iter().all(|&px| px == [128, 128, 128, 255])
}

/// Whether an orientation swaps width and height.
pub(crate) fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    )
}

/// What the header of a JPEG says, read without decoding any pixels.
pub(crate) struct Header {
    /// Stored width and height (before orientation).
    pub width: u32,
    pub height: u32,
    /// Width and height once the EXIF orientation is applied.
    pub upright: (u32, u32),
    pub orientation: Orientation,
    pub color_type: ColorType,
}

impl Header {
    /// The stored size decoded at `1 / denominator` scale: libjpeg-turbo rounds each side up.
    pub(crate) fn scaled(&self, denominator: u32) -> (u32, u32) {
        (self.width.div_ceil(denominator), self.height.div_ceil(denominator))
    }

    /// [`Header::scaled`] once the EXIF orientation is applied.
    pub(crate) fn scaled_upright(&self, denominator: u32) -> (u32, u32) {
        (self.upright.0.div_ceil(denominator), self.upright.1.div_ceil(denominator))
    }
}

/// Reads a JPEG's header. `Ok(None)` means libjpeg-turbo cannot decode this file to RGBA (CMYK
/// or YCCK colour, or a sampling layout it does not know) and the caller should use the
/// general decoder instead.
pub(crate) fn read_header(bytes: &[u8], subject: &str) -> Result<Option<Header>> {
    let mut decompressor = Decompressor::new().map_err(|e| decode_error(subject, &e))?;
    let header = match decompressor.read_header(bytes) {
        Ok(header) => header,
        Err(turbojpeg::Error::BadSubsamp(_) | turbojpeg::Error::BadColorspace(_)) => return Ok(None),
        // TurboJPEG reports no size (-1) when the data ends before the frame header; the crate
        // then says only that an integer overflowed.
        Err(turbojpeg::Error::IntegerOverflow(_)) => {
            return Err(Error::Decode(format!(
                "{subject}: no frame header with the image size before the data ends (truncated or not a complete JPEG)"
            )));
        }
        Err(e) => return Err(decode_error(subject, &e)),
    };
    let color_type = match header.colorspace {
        Colorspace::Gray => ColorType::L8,
        Colorspace::RGB | Colorspace::YCbCr => ColorType::Rgb8,
        Colorspace::CMYK | Colorspace::YCCK => return Ok(None),
    };
    if header.subsamp == Subsamp::Unknown {
        return Ok(None);
    }
    let (Ok(width), Ok(height)) = (u32::try_from(header.width), u32::try_from(header.height)) else {
        return Err(Error::Decode(format!("{subject}: the header declares an impossible size")));
    };
    if width == 0 || height == 0 {
        return Err(Error::Decode(format!("{subject}: the header declares an empty image ({width} x {height})")));
    }
    let orientation = exif_orientation(bytes);
    let upright = if swaps_axes(orientation) { (height, width) } else { (width, height) };
    Ok(Some(Header { width, height, upright, orientation, color_type }))
}

/// Most scans a progressive JPEG may have (the limit of the `image` crate's decoder too).
pub const MAX_SCANS: u32 = 100;

/// The DCT scale denominators libjpeg-turbo offers below 1, largest reduction first.
const SCALE_DENOMINATORS: [u32; 3] = [8, 4, 2];

/// The scaling denominator (1, 2, 4 or 8) that gives the smallest decode of an image whose
/// upright size is `upright` that is still at least `min_size` on both axes. libjpeg-turbo's
/// scaled size is `ceil(size / denominator)` (see [`Header::scaled`]).
pub(crate) fn scale_denominator(upright: (u32, u32), min_size: Option<(u32, u32)>) -> u32 {
    let Some((min_width, min_height)) = min_size else { return 1 };
    SCALE_DENOMINATORS
        .into_iter()
        .find(|&d| upright.0.div_ceil(d) >= min_width && upright.1.div_ceil(d) >= min_height)
        .unwrap_or(1)
}

/// Decodes a JPEG whose header has been read and checked, at `1 / denominator` scale, straight
/// into RGBA, and applies the EXIF orientation; `lenient` as [`crate::DecodeOptions::lenient`].
pub(crate) fn decode(bytes: &[u8], header: &Header, denominator: u32, lenient: bool, subject: &str) -> Result<Image> {
    if header.orientation == Orientation::NoTransforms {
        return decode_stored(bytes, header, denominator, lenient, subject);
    }
    let mut image =
        control::stage(0.0, 1.0 - ORIENT_SHARE, || decode_stored(bytes, header, denominator, lenient, subject))?;
    // A rotation makes a new image: carry the warning of a lenient decode over.
    let warning = image.decode_warning.take();
    let mut image = control::stage(1.0 - ORIENT_SHARE, 1.0, || orient(image, header.orientation))?;
    image.decode_warning = warning;
    Ok(image)
}

/// [`decode`] without the orientation: the image as stored.
fn decode_stored(bytes: &[u8], header: &Header, denominator: u32, lenient: bool, subject: &str) -> Result<Image> {
    // At 1/8 and 1/4 scale, the two-thread decoder gives libjpeg-turbo's exact pixels in about
    // half the time; it declines (None) anything it does not reproduce exactly, including
    // every damaged file, which then gets libjpeg-turbo's result or error below.
    if let Some(image) = decode_scaled_fast(bytes, header, denominator) {
        return Ok(image);
    }
    // It also stops, declining, when the job is cancelled.
    control::check()?;
    let mut decompressor = Decompressor::new().map_err(|e| decode_error(subject, &e))?;
    // A progressive file can repeat scans without end, each a full pass over the coefficients:
    // a small upload that keeps a core busy for minutes. Real files have at most a few dozen.
    decompressor.set_scan_limit(MAX_SCANS).map_err(|e| decode_error(subject, &e))?;
    let factor = ScalingFactor::new(1, denominator as usize);
    decompressor.set_scaling_factor(factor).map_err(|e| decode_error(subject, &e))?;
    let (width, height) = header.scaled(denominator);
    let len = rgba8_len(width, height)
        .ok_or_else(|| Error::LimitExceeded(format!("{subject}: {width} x {height} does not fit in memory")))?;
    let mut pixels = vec![0u8; len];
    let output = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: width as usize,
        pitch: width as usize * 4,
        height: height as usize,
        format: PixelFormat::RGBA,
    };
    // A warning (data that ends early or is corrupt) still decodes every row, the damaged
    // blocks grey; a fatal error stops with the rows not yet written still zero.
    let decompressed = decompressor.decompress(bytes, output);
    if let Err(cancelled) = control::check() {
        discard(pixels);
        return Err(cancelled);
    }
    let warning = match decompressed {
        Ok(()) => None,
        Err(error) => {
            let detail = error.to_string();
            let detail = detail.strip_prefix("TurboJPEG error: ").unwrap_or(&detail);
            Some(crate::decode::damaged(subject, detail, decoded_rows(&pixels, width), height, lenient)?)
        }
    };
    let image = Image::from_parts(width, height, pixels, header.color_type);
    Ok(match warning {
        Some(warning) => image.with_decode_warning(warning),
        None => image,
    })
}

/// How many rows of a damaged JPEG libjpeg-turbo decoded into `rgba` (`width` pixels a row,
/// zeroed beforehand): it writes whole rows with alpha 255, in order, and fills blocks whose
/// data is missing or corrupt with grey (zero coefficients: 128, 128, 128), so the rows with
/// data are the written rows before the trailing run of grey ones.
fn decoded_rows(rgba: &[u8], width: u32) -> u32 {
    let row_len = width as usize * 4;
    let written = rgba.chunks_exact(row_len).take_while(|row| row[3] == 255).count();
    crate::decode::rows_with_data(&rgba[..written * row_len], row_len, is_grey_fill)
}

/// [`crate::fastjpeg::decode_scaled`] as an [`Image`], if it handles the scale and the file and
/// agrees with libjpeg-turbo's header on the size and the colour type (it always should; a
/// disagreement means the files parse differently and libjpeg-turbo decides).
fn decode_scaled_fast(bytes: &[u8], header: &Header, denominator: u32) -> Option<Image> {
    if denominator != 4 && denominator != 8 {
        return None;
    }
    let scaled = crate::fastjpeg::decode_scaled(bytes, denominator)?;
    let size = header.scaled(denominator);
    let grey = header.color_type == ColorType::L8;
    ((scaled.width, scaled.height) == size && scaled.grey == grey)
        .then(|| Image::from_parts(scaled.width, scaled.height, scaled.rgba, header.color_type))
}

fn decode_error(subject: &str, err: &turbojpeg::Error) -> Error {
    Error::Decode(format!("{subject}: {err}"))
}

/// Encodes RGBA8 pixels (alpha ignored) or, when `grey` is given, those L8 samples instead.
pub(crate) fn encode(
    rgba: &[u8],
    grey: Option<&[u8]>,
    width: u32,
    height: u32,
    options: &JpegOptions,
) -> std::result::Result<Vec<u8>, turbojpeg::Error> {
    let mut compressor = Compressor::new()?;
    compressor.set_quality(i32::from(options.quality))?;
    compressor.set_optimize(options.optimize_huffman)?;
    compressor.set_progressive(options.progressive)?;
    let (pixels, pitch, format, subsampling) = match grey {
        Some(samples) => (samples, width as usize, PixelFormat::GRAY, Subsamp::Gray),
        None => {
            let subsampling = match options.subsampling {
                ChromaSubsampling::Yuv420 => Subsamp::Sub2x2,
                ChromaSubsampling::Yuv422 => Subsamp::Sub2x1,
                ChromaSubsampling::Yuv444 => Subsamp::None,
            };
            // libjpeg-turbo reads RGBX directly: no copy to RGB first.
            (rgba, width as usize * 4, PixelFormat::RGBX, subsampling)
        }
    };
    compressor.set_subsamp(subsampling)?;
    let image = turbojpeg::Image { pixels, width: width as usize, pitch, height: height as usize, format };
    compressor.compress_to_vec(image)
}

/// Checks `limits` for a JPEG's stored and upright size (a 90-degree orientation swaps the
/// axes, and the result must respect the limits too).
pub(crate) fn check_header_limits(header: &Header, limits: &DecodeLimits, subject: &str) -> Result<()> {
    crate::decode::check_limits(header.width, header.height, header.color_type, limits, subject)?;
    crate::decode::check_limits(header.upright.0, header.upright.1, ColorType::Rgba8, limits, subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_the_largest_reduction_that_keeps_the_minimum() {
        assert_eq!(scale_denominator((6000, 4000), None), 1);
        assert_eq!(scale_denominator((6000, 4000), Some((400, 267))), 8);
        assert_eq!(scale_denominator((6000, 4000), Some((750, 500))), 8);
        assert_eq!(scale_denominator((6000, 4000), Some((751, 500))), 4);
        assert_eq!(scale_denominator((6000, 4000), Some((1500, 1))), 4);
        assert_eq!(scale_denominator((6000, 4000), Some((3000, 2000))), 2);
        assert_eq!(scale_denominator((6000, 4000), Some((3001, 2000))), 1);
        // ceil: 7 / 8 rounds up to 1 pixel.
        assert_eq!(scale_denominator((7, 7), Some((1, 1))), 8);
        // ceil(10 / 4) = 3, ceil(10 / 8) = 2.
        assert_eq!(scale_denominator((100, 10), Some((1, 3))), 4);
        assert_eq!(scale_denominator((100, 10), Some((1, 4))), 2);
    }

    #[test]
    fn a_jpeg_cut_anywhere_is_a_decode_error_that_says_what_is_missing() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/hubble_deep_field.jpg")).unwrap();
        // Within the metadata before the frame header, then within the scan.
        for cut in [2000, 10_000, bytes.len() / 2, bytes.len() - 10] {
            let error = crate::Image::decode(&bytes[..cut]).unwrap_err();
            let message = error.to_string();
            assert!(matches!(error, Error::Decode(_)), "{cut}: {message}");
            assert!(!message.contains("overflowed"), "{cut}: {message}");
            assert!(message.contains("frame header") || message.contains("Premature end"), "{cut}: {message}");
        }
    }

    #[test]
    fn the_end_marker_is_found_past_segments_and_scan_data_only() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/rocket-exif6.jpg")).unwrap();
        assert!(reaches_end_marker(&bytes));
        for cut in [10, 1000, bytes.len() / 2, bytes.len() - 2, bytes.len() - 1] {
            assert!(!reaches_end_marker(&bytes[..cut]), "cut at {cut}");
        }
        // An end marker inside a segment (an EXIF thumbnail's) does not count.
        let mut segment = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x02];
        assert!(!reaches_end_marker(&segment));
        // Scan data with a stuffed 0xFF and a restart marker, then the end.
        segment.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD9]);
        assert!(reaches_end_marker(&segment));
    }

    #[test]
    fn exif_walk_survives_garbage() {
        for bytes in [&[0xFF, 0xD8][..], &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF], &[0xFF, 0xD8, 0xFF, 0xE1, 0, 1, 0]] {
            assert_eq!(exif_orientation(bytes), Orientation::NoTransforms);
        }
    }

    #[test]
    fn exif_orientation_is_found_after_other_segments() {
        // SOI, APP0 (JFIF, 16 bytes), APP1 Exif with a big-endian TIFF holding orientation 6.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        jpeg.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let tiff: Vec<u8> = [
            &b"MM\0\x2A\0\0\0\x08"[..],                  // header, IFD at 8
            &[0, 1],                                     // one entry
            &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0], // orientation, SHORT, 1, value 6
            &[0, 0, 0, 0],                               // no next IFD
        ]
        .concat();
        let length = (2 + 6 + tiff.len()) as u16;
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        jpeg.extend_from_slice(&length.to_be_bytes());
        jpeg.extend_from_slice(b"Exif\0\0");
        jpeg.extend_from_slice(&tiff);
        jpeg.extend_from_slice(&[0xFF, 0xDA]);
        assert_eq!(exif_orientation(&jpeg), Orientation::Rotate90);
    }
}
