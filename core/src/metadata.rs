//! Metadata a file carries besides its pixels: EXIF, XMP, the ICC profile and PNG text.
//!
//! Decoding keeps the raw blocks ([`Metadata`]) and parses EXIF into typed fields on request
//! ([`ExifFields`], with `kamadak-exif`). Encoding writes EXIF (orientation reset to 1: the
//! pixels are already upright), XMP and, for an image that kept its colour space, the ICC
//! profile back into the formats that can hold them: JPEG (APP1, APP2), PNG (`eXIf`, `iTXt`,
//! `iCCP`) and WebP (`EXIF`, `XMP `, `ICCP` in an extended file).

#![forbid(unsafe_code)]

use std::sync::Arc;

use crate::colour::ColorProfile;
use crate::error::{Error, Result};
use crate::types::ImageFormat;

/// Largest metadata block (EXIF, XMP or ICC) a decode keeps; a larger one is dropped, so
/// that metadata never makes a decoded image, or a file saved from it, grow without bound.
/// 16 MiB holds the largest ICC profile a JPEG can carry (255 segments of 65519 bytes).
pub const MAX_METADATA_BLOCK_BYTES: usize = 16 << 20;

/// Largest total of PNG text (keywords and values) a decode keeps; entries past it are dropped.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

const EXIF_PREFIX: &[u8] = b"Exif\0\0";
const XMP_PREFIX: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const ICC_PREFIX: &[u8] = b"ICC_PROFILE\0";
/// Payload bytes of one APP2 ICC segment: 65535 - 2 (length) - 14 (prefix, number, count).
const ICC_SEGMENT_BYTES: usize = 65519;
/// Largest payload of one JPEG segment after its 2-byte length.
const SEGMENT_BYTES: usize = 65533;
const XMP_PNG_KEYWORD: &str = "XML:com.adobe.xmp";

/// The metadata blocks of a decoded file, as stored there (shared between an image and the
/// images made from it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    pub(crate) exif: Option<Arc<[u8]>>,
    pub(crate) xmp: Option<Arc<[u8]>>,
    pub(crate) icc: Option<Arc<[u8]>>,
    pub(crate) text: Vec<(String, String)>,
}

impl Metadata {
    /// The raw EXIF block: a TIFF structure starting with `II*\0` or `MM\0*` (the `Exif\0\0`
    /// prefix of JPEG and WebP removed), or `None`.
    pub fn exif(&self) -> Option<&[u8]> {
        self.exif.as_deref()
    }

    /// The raw XMP packet (UTF-8 XML), or `None`.
    pub fn xmp(&self) -> Option<&[u8]> {
        self.xmp.as_deref()
    }

    /// The file's ICC profile as stored (also when the pixels were converted to sRGB), or `None`.
    pub fn icc(&self) -> Option<&[u8]> {
        self.icc.as_deref()
    }

    /// PNG text chunks (`tEXt`, `zTXt`, `iTXt` before the image data) as keyword and text, in
    /// file order; the XMP packet of an `iTXt` chunk is in [`Metadata::xmp`] instead.
    pub fn text(&self) -> &[(String, String)] {
        &self.text
    }

    /// Whether there is nothing at all.
    pub fn is_empty(&self) -> bool {
        self.exif.is_none() && self.xmp.is_none() && self.icc.is_none() && self.text.is_empty()
    }

    /// The EXIF fields Pixbridge reads; all `None` without EXIF or when it cannot be parsed.
    pub fn exif_fields(&self) -> ExifFields {
        self.exif.as_deref().map(ExifFields::parse).unwrap_or_default()
    }

    pub(crate) fn set_exif(&mut self, block: Option<Vec<u8>>) {
        let block = block.map(|mut b| {
            if b.starts_with(EXIF_PREFIX) {
                b.drain(..EXIF_PREFIX.len());
            }
            b
        });
        self.exif = bounded(block);
    }

    pub(crate) fn set_xmp(&mut self, block: Option<Vec<u8>>) {
        self.xmp = bounded(block);
    }

    pub(crate) fn set_icc(&mut self, block: Option<Vec<u8>>) {
        self.icc = bounded(block);
    }
}

fn bounded(block: Option<Vec<u8>>) -> Option<Arc<[u8]>> {
    block.filter(|b| !b.is_empty() && b.len() <= MAX_METADATA_BLOCK_BYTES).map(Arc::from)
}

/// EXIF fields in their usual units; `None` where the file does not have the field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExifFields {
    /// Orientation as stored, 1-8 (decoding has already applied it to the pixels).
    pub orientation: Option<u16>,
    /// Camera maker (`Make`).
    pub make: Option<String>,
    /// Camera model (`Model`).
    pub model: Option<String>,
    /// Lens model (`LensModel`).
    pub lens_model: Option<String>,
    /// When the photo was taken (`DateTimeOriginal`), as written: `"YYYY:MM:DD HH:MM:SS"`.
    pub date_taken: Option<String>,
    /// Software that wrote the file.
    pub software: Option<String>,
    /// Artist.
    pub artist: Option<String>,
    /// Copyright notice.
    pub copyright: Option<String>,
    /// Exposure time in seconds.
    pub exposure_time: Option<f64>,
    /// Aperture as an f-number.
    pub f_number: Option<f64>,
    /// ISO sensitivity (`PhotographicSensitivity`).
    pub iso: Option<u32>,
    /// Focal length in millimetres.
    pub focal_length: Option<f64>,
    /// GPS latitude in degrees, positive north.
    pub latitude: Option<f64>,
    /// GPS longitude in degrees, positive east.
    pub longitude: Option<f64>,
    /// GPS altitude in metres, negative below sea level.
    pub altitude: Option<f64>,
}

impl ExifFields {
    /// Parses a raw EXIF block (TIFF structure); unreadable data gives no fields.
    pub fn parse(tiff: &[u8]) -> ExifFields {
        use exif::{In, Tag, Value};
        let Ok(exif) = exif::Reader::new().read_raw(tiff.to_vec()) else { return ExifFields::default() };
        let field = |tag| exif.get_field(tag, In::PRIMARY);
        let text = |tag| {
            field(tag).and_then(|f| match &f.value {
                Value::Ascii(parts) => {
                    let joined: Vec<u8> = parts.iter().flatten().copied().collect();
                    let text = String::from_utf8_lossy(&joined).trim_end_matches(['\0', ' ']).to_string();
                    (!text.is_empty()).then_some(text)
                }
                _ => None,
            })
        };
        let uint = |tag| field(tag).and_then(|f| f.value.get_uint(0));
        let real = |tag| {
            field(tag).and_then(|f| match &f.value {
                Value::Rational(v) if !v.is_empty() && v[0].denom != 0 => Some(v[0].to_f64()),
                Value::SRational(v) if !v.is_empty() && v[0].denom != 0 => Some(v[0].to_f64()),
                _ => None,
            })
        };
        let degrees = |tag, reference, negative: &[u8]| {
            let value = field(tag).and_then(|f| match &f.value {
                Value::Rational(v) if v.len() == 3 && v.iter().all(|r| r.denom != 0) => {
                    Some(v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0)
                }
                _ => None,
            })?;
            let sign = match field(reference).map(|f| &f.value) {
                Some(Value::Ascii(parts))
                    if parts.first().is_some_and(|p| p.first().is_some_and(|c| negative.contains(c))) =>
                {
                    -1.0
                }
                _ => 1.0,
            };
            Some(sign * value)
        };
        let altitude = real(Tag::GPSAltitude).map(|metres| match uint(Tag::GPSAltitudeRef) {
            Some(1) => -metres,
            _ => metres,
        });
        ExifFields {
            orientation: uint(Tag::Orientation).and_then(|v| u16::try_from(v).ok()).filter(|v| (1..=8).contains(v)),
            make: text(Tag::Make),
            model: text(Tag::Model),
            lens_model: text(Tag::LensModel),
            date_taken: text(Tag::DateTimeOriginal),
            software: text(Tag::Software),
            artist: text(Tag::Artist),
            copyright: text(Tag::Copyright),
            exposure_time: real(Tag::ExposureTime),
            f_number: real(Tag::FNumber),
            iso: uint(Tag::PhotographicSensitivity),
            focal_length: real(Tag::FocalLength),
            latitude: degrees(Tag::GPSLatitude, Tag::GPSLatitudeRef, b"S"),
            longitude: degrees(Tag::GPSLongitude, Tag::GPSLongitudeRef, b"W"),
            altitude,
        }
    }
}

/// The marker segments of a JPEG before its first scan: (offset of the marker, marker, body).
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = (usize, u8, &[u8])> {
    let mut at = 2;
    std::iter::from_fn(move || {
        while at + 4 <= bytes.len() && bytes[at] == 0xFF {
            let marker = bytes[at + 1];
            if marker == 0xFF {
                at += 1; // fill byte
                continue;
            }
            if marker == 0xDA || marker == 0xD9 {
                return None; // start of scan, end of image
            }
            if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
                at += 2;
                continue;
            }
            let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
            let body = bytes.get(at + 4..at + 2 + len).filter(|_| len >= 2)?;
            let segment = (at, marker, body);
            at += 2 + len;
            return Some(segment);
        }
        None
    })
}

/// Whether a JPEG has ICC segments (APP2 `ICC_PROFILE`) that do not form one complete set.
/// libjpeg-turbo refuses such a file's header ("bad ICC marker") although its pixels are whole.
pub(crate) fn jpeg_icc_is_broken(bytes: &[u8]) -> bool {
    let has_icc = jpeg_segments(bytes).any(|(_, marker, body)| marker == 0xE2 && body.starts_with(ICC_PREFIX));
    has_icc && read_jpeg(bytes).icc.is_none()
}

/// A copy of a JPEG whose APP2 `ICC_PROFILE` segments are turned into comments (COM), which
/// every decoder skips: for a file whose profile is broken ([`jpeg_icc_is_broken`]).
pub(crate) fn jpeg_without_icc(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for (at, marker, body) in jpeg_segments(bytes) {
        if marker == 0xE2 && body.starts_with(ICC_PREFIX) {
            out[at + 1] = 0xFE;
        }
    }
    out
}

/// Reads the metadata segments of a JPEG (before its first scan): APP1 EXIF and XMP, APP2 ICC
/// (reassembled from its numbered segments; an incomplete set is dropped).
pub(crate) fn read_jpeg(bytes: &[u8]) -> Metadata {
    let mut metadata = Metadata::default();
    let mut icc_parts: Vec<Option<&[u8]>> = Vec::new();
    for (_, marker, body) in jpeg_segments(bytes) {
        match marker {
            0xE1 if body.starts_with(EXIF_PREFIX) && metadata.exif.is_none() => {
                metadata.set_exif(Some(body[EXIF_PREFIX.len()..].to_vec()));
            }
            0xE1 if body.starts_with(XMP_PREFIX) && metadata.xmp.is_none() => {
                metadata.set_xmp(Some(body[XMP_PREFIX.len()..].to_vec()));
            }
            0xE2 if body.starts_with(ICC_PREFIX) && body.len() > ICC_PREFIX.len() + 2 => {
                let (number, count) = (usize::from(body[12]), usize::from(body[13]));
                if icc_parts.is_empty() && count > 0 {
                    icc_parts = vec![None; count];
                }
                if count == icc_parts.len() && (1..=count).contains(&number) {
                    icc_parts[number - 1] = Some(&body[14..]);
                }
            }
            _ => {}
        }
    }
    if !icc_parts.is_empty() && icc_parts.iter().all(Option::is_some) {
        metadata.set_icc(Some(icc_parts.into_iter().flatten().flatten().copied().collect()));
    }
    metadata
}

/// Reads a PNG's text chunks before its image data with the `png` crate (which inflates
/// `zTXt` and compressed `iTXt` within its own limits); an XMP `iTXt` goes to `xmp`.
pub(crate) fn read_png_text(bytes: impl std::io::BufRead + std::io::Seek, metadata: &mut Metadata) {
    let mut decoder = png::Decoder::new_with_limits(bytes, png::Limits { bytes: MAX_METADATA_BLOCK_BYTES });
    decoder.set_ignore_text_chunk(false);
    decoder.set_ignore_iccp_chunk(true);
    let Ok(reader) = decoder.read_info() else { return };
    let info = reader.info();
    // One budget for all text: decompressing stops once it is spent, so that many small
    // compressed chunks cannot add up to unbounded work.
    let mut budget = MAX_TEXT_BYTES;
    let mut text = Vec::new();
    let mut xmp = None;
    let keep = |text: &mut Vec<(String, String)>, budget: &mut usize, keyword: &str, value: String| {
        let len = keyword.len() + value.len();
        if len <= *budget {
            *budget -= len;
            text.push((keyword.to_string(), value));
        } else {
            *budget = 0;
        }
    };
    for chunk in &info.uncompressed_latin1_text {
        keep(&mut text, &mut budget, &chunk.keyword, chunk.text.clone());
    }
    for chunk in &info.compressed_latin1_text {
        let mut chunk = chunk.clone();
        if budget > 0
            && chunk.decompress_text_with_limit(budget).is_ok()
            && let Ok(value) = chunk.get_text()
        {
            keep(&mut text, &mut budget, &chunk.keyword, value);
        }
    }
    for chunk in &info.utf8_text {
        let mut chunk = chunk.clone();
        let is_xmp = chunk.keyword == XMP_PNG_KEYWORD;
        let limit = if is_xmp { MAX_METADATA_BLOCK_BYTES } else { budget };
        if (is_xmp && xmp.is_none() || budget > 0)
            && chunk.decompress_text_with_limit(limit).is_ok()
            && let Ok(value) = chunk.get_text()
        {
            if is_xmp {
                xmp.get_or_insert(value.into_bytes());
            } else {
                keep(&mut text, &mut budget, &chunk.keyword, value);
            }
        }
    }
    metadata.text = text;
    if metadata.xmp.is_none() {
        metadata.set_xmp(xmp);
    }
}

/// What [`embed`] writes into a file.
pub(crate) struct Embedded<'a> {
    exif: Option<Vec<u8>>,
    xmp: Option<&'a [u8]>,
    icc: Option<&'a [u8]>,
}

impl<'a> Embedded<'a> {
    /// The blocks an image's save writes: EXIF with the orientation reset to 1, XMP, and the
    /// ICC profile only if the pixels are still in it.
    pub(crate) fn of(metadata: &'a Metadata, profile: ColorProfile) -> Embedded<'a> {
        Embedded {
            exif: metadata.exif.as_deref().map(reset_orientation),
            xmp: metadata.xmp.as_deref(),
            icc: if profile == ColorProfile::Embedded { metadata.icc.as_deref() } else { None },
        }
    }

    fn is_empty(&self) -> bool {
        self.exif.is_none() && self.xmp.is_none() && self.icc.is_none()
    }
}

/// Adds the metadata to an encoded file of `format`; formats that cannot hold it (or that
/// Pixbridge does not write it into) are returned unchanged. `has_alpha`: whether the file
/// has an alpha channel (a WebP extended header declares it).
pub(crate) fn embed(format: ImageFormat, encoded: Vec<u8>, blocks: &Embedded<'_>, has_alpha: bool) -> Result<Vec<u8>> {
    if blocks.is_empty() {
        return Ok(encoded);
    }
    match format {
        ImageFormat::Jpeg => embed_jpeg(encoded, blocks),
        ImageFormat::Png => embed_png(encoded, blocks),
        ImageFormat::WebP => embed_webp(encoded, blocks, has_alpha),
        _ => Ok(encoded),
    }
}

fn embed_jpeg(encoded: Vec<u8>, blocks: &Embedded<'_>) -> Result<Vec<u8>> {
    if !encoded.starts_with(&[0xFF, 0xD8]) {
        return Err(Error::Encode("the JPEG encoder's output has no start-of-image marker".into()));
    }
    // After SOI and a JFIF APP0 if there is one (JFIF wants to be first).
    let mut insert_at = 2;
    if encoded.get(2..4) == Some(&[0xFF, 0xE0]) && encoded.len() > 6 {
        insert_at = 4 + usize::from(u16::from_be_bytes([encoded[4], encoded[5]]));
    }
    let mut segments = Vec::new();
    let mut segment = |marker: u8, parts: &[&[u8]]| {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        segments.extend_from_slice(&[0xFF, marker]);
        segments.extend_from_slice(&((len + 2) as u16).to_be_bytes());
        for part in parts {
            segments.extend_from_slice(part);
        }
    };
    // A block too large for one segment is left out (EXIF and plain XMP have no continuation).
    if let Some(exif) = blocks.exif.as_deref().filter(|e| EXIF_PREFIX.len() + e.len() <= SEGMENT_BYTES) {
        segment(0xE1, &[EXIF_PREFIX, exif]);
    }
    if let Some(xmp) = blocks.xmp.filter(|x| XMP_PREFIX.len() + x.len() <= SEGMENT_BYTES) {
        segment(0xE1, &[XMP_PREFIX, xmp]);
    }
    if let Some(icc) = blocks.icc {
        let count = icc.len().div_ceil(ICC_SEGMENT_BYTES);
        if count <= 255 {
            for (index, part) in icc.chunks(ICC_SEGMENT_BYTES).enumerate() {
                segment(0xE2, &[ICC_PREFIX, &[(index + 1) as u8, count as u8], part]);
            }
        }
    }
    let mut out = Vec::with_capacity(encoded.len() + segments.len());
    out.extend_from_slice(&encoded[..insert_at]);
    out.extend_from_slice(&segments);
    out.extend_from_slice(&encoded[insert_at..]);
    Ok(out)
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

fn embed_png(encoded: Vec<u8>, blocks: &Embedded<'_>) -> Result<Vec<u8>> {
    // Signature (8) + IHDR (4 + 4 + 13 + 4).
    const AFTER_IHDR: usize = 33;
    if encoded.len() < AFTER_IHDR || &encoded[12..16] != b"IHDR" {
        return Err(Error::Encode("the PNG encoder's output does not start with IHDR".into()));
    }
    let mut chunks = Vec::new();
    if let Some(icc) = blocks.icc {
        let mut data = b"ICC profile\0\0".to_vec(); // name, NUL, compression method 0 (zlib)
        data.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(icc, 6));
        png_chunk(&mut chunks, b"iCCP", &data);
    }
    if let Some(exif) = &blocks.exif {
        png_chunk(&mut chunks, b"eXIf", exif);
    }
    if let Some(xmp) = blocks.xmp {
        // keyword, NUL, not compressed, method 0, empty language tag, empty translated keyword.
        let mut data = XMP_PNG_KEYWORD.as_bytes().to_vec();
        data.extend_from_slice(&[0, 0, 0, 0, 0]);
        data.extend_from_slice(xmp);
        png_chunk(&mut chunks, b"iTXt", &data);
    }
    let mut out = Vec::with_capacity(encoded.len() + chunks.len());
    out.extend_from_slice(&encoded[..AFTER_IHDR]);
    out.extend_from_slice(&chunks);
    out.extend_from_slice(&encoded[AFTER_IHDR..]);
    Ok(out)
}

/// One RIFF chunk of a WebP file.
struct RiffChunk<'a> {
    id: [u8; 4],
    data: &'a [u8],
}

fn riff_chunks(file: &[u8]) -> Option<Vec<RiffChunk<'_>>> {
    if file.len() < 12 || &file[..4] != b"RIFF" || &file[8..12] != b"WEBP" {
        return None;
    }
    let mut chunks = Vec::new();
    let mut at = 12;
    while at + 8 <= file.len() {
        let id: [u8; 4] = file[at..at + 4].try_into().ok()?;
        let len = u32::from_le_bytes(file[at + 4..at + 8].try_into().ok()?) as usize;
        let data = file.get(at + 8..at + 8 + len)?;
        chunks.push(RiffChunk { id, data });
        at += 8 + len + (len & 1);
    }
    Some(chunks)
}

/// Width and height of a simple (`VP8 ` or `VP8L`) WebP bitstream.
fn webp_size(chunk: &RiffChunk<'_>) -> Option<(u32, u32)> {
    let d = chunk.data;
    match &chunk.id {
        b"VP8 " if d.len() >= 10 => Some((
            u32::from(u16::from_le_bytes([d[6], d[7]]) & 0x3FFF),
            u32::from(u16::from_le_bytes([d[8], d[9]]) & 0x3FFF),
        )),
        b"VP8L" if d.len() >= 5 => {
            let bits = u32::from_le_bytes([d[1], d[2], d[3], d[4]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        _ => None,
    }
}

fn embed_webp(encoded: Vec<u8>, blocks: &Embedded<'_>, has_alpha: bool) -> Result<Vec<u8>> {
    let malformed = || Error::Encode("the WebP encoder's output is not a RIFF WebP file".into());
    let chunks = riff_chunks(&encoded).ok_or_else(malformed)?;
    const ICC: u8 = 0x20;
    const ALPHA: u8 = 0x10;
    const EXIF: u8 = 0x08;
    const XMP: u8 = 0x04;
    let mut vp8x = [0u8; 10];
    let mut rest: Vec<&RiffChunk<'_>> = Vec::new();
    match chunks.first() {
        Some(first) if &first.id == b"VP8X" && first.data.len() >= 10 => {
            vp8x.copy_from_slice(&first.data[..10]);
            rest.extend(chunks[1..].iter().filter(|c| !matches!(&c.id, b"ICCP" | b"EXIF" | b"XMP ")));
        }
        Some(first) => {
            let (width, height) = webp_size(first).ok_or_else(malformed)?;
            vp8x[4..7].copy_from_slice(&(width - 1).to_le_bytes()[..3]);
            vp8x[7..10].copy_from_slice(&(height - 1).to_le_bytes()[..3]);
            if has_alpha {
                vp8x[0] |= ALPHA;
            }
            rest.extend(chunks.iter());
        }
        None => return Err(malformed()),
    }
    let exif = blocks.exif.as_deref().map(|e| [EXIF_PREFIX, e].concat());
    vp8x[0] &= !(ICC | EXIF | XMP);
    vp8x[0] |= if blocks.icc.is_some() { ICC } else { 0 }
        | if exif.is_some() { EXIF } else { 0 }
        | if blocks.xmp.is_some() { XMP } else { 0 };
    let mut body = b"WEBP".to_vec();
    let mut put = |id: &[u8; 4], data: &[u8]| {
        body.extend_from_slice(id);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    };
    put(b"VP8X", &vp8x);
    if let Some(icc) = blocks.icc {
        put(b"ICCP", icc);
    }
    for chunk in rest {
        put(&chunk.id, chunk.data);
    }
    if let Some(exif) = &exif {
        put(b"EXIF", exif);
    }
    if let Some(xmp) = blocks.xmp {
        put(b"XMP ", xmp);
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// A copy of a TIFF-structured EXIF block with IFD0's orientation (tag 0x0112) set to 1, if it
/// has one; malformed blocks are copied unchanged.
pub(crate) fn reset_orientation(tiff: &[u8]) -> Vec<u8> {
    let mut out = tiff.to_vec();
    let big = match tiff.get(..4) {
        Some(b"MM\0*") => true,
        Some(b"II*\0") => false,
        _ => return out,
    };
    let u16_at = |at: usize| {
        tiff.get(at..at + 2)
            .map(|b| if big { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) })
    };
    let u32_at = |at: usize| {
        tiff.get(at..at + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) }
        })
    };
    let Some(ifd) = u32_at(4).map(|o| o as usize) else { return out };
    let Some(count) = u16_at(ifd) else { return out };
    for entry in 0..usize::from(count) {
        let at = ifd + 2 + entry * 12;
        // Tag 0x0112, type SHORT (3), count 1: the value sits in the entry's first two bytes.
        if u16_at(at) == Some(0x0112) && u16_at(at + 2) == Some(3) && u32_at(at + 4) == Some(1) {
            let one = if big { 1u16.to_be_bytes() } else { 1u16.to_le_bytes() };
            out[at + 8..at + 10].copy_from_slice(&one);
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big-endian TIFF with IFD0 holding Make "Cam" and orientation `orientation`.
    fn tiff(orientation: u16) -> Vec<u8> {
        let mut t = b"MM\0*\0\0\0\x08".to_vec();
        t.extend_from_slice(&[0, 2]); // two entries
        t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 4, b'C', b'a', b'm', 0]); // Make, ASCII, 4
        t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        t.extend_from_slice(&orientation.to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
        t
    }

    #[test]
    fn orientation_is_reset_and_nothing_else_changes() {
        let before = tiff(6);
        let after = reset_orientation(&before);
        assert_eq!(ExifFields::parse(&before).orientation, Some(6));
        assert_eq!(ExifFields::parse(&after).orientation, Some(1));
        assert_eq!(ExifFields::parse(&after).make.as_deref(), Some("Cam"));
        let changed: Vec<usize> = (0..before.len()).filter(|&i| before[i] != after[i]).collect();
        assert_eq!(changed, vec![8 + 2 + 12 + 9], "only the low byte of the value");
        for garbage in [&b""[..], b"MM\0*", b"II*\0\xff\xff\xff\xff", b"nonsense data"] {
            assert_eq!(reset_orientation(garbage), garbage);
        }
    }

    #[test]
    fn jpeg_segments_round_trip_including_a_multi_segment_profile() {
        let icc: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let metadata = Metadata {
            exif: Some(tiff(3).into()),
            xmp: Some(b"<x:xmpmeta/>".to_vec().into()),
            icc: Some(icc.clone().into()),
            text: vec![],
        };
        // SOI, JFIF APP0, then what an encoder writes next (here only EOI).
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16][..], b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0", &[0xFF, 0xD9]].concat();
        let out =
            embed(ImageFormat::Jpeg, jpeg.clone(), &Embedded::of(&metadata, ColorProfile::Embedded), false).unwrap();
        assert_eq!(&out[..20], &jpeg[..20], "JFIF stays first");
        let read = read_jpeg(&out);
        assert_eq!(read.icc(), Some(&icc[..]));
        assert_eq!(read.xmp(), Some(&b"<x:xmpmeta/>"[..]));
        assert_eq!(read.exif_fields().orientation, Some(1), "reset on writing");
        // Converted pixels: the profile is not written.
        let out = embed(ImageFormat::Jpeg, jpeg, &Embedded::of(&metadata, ColorProfile::Srgb), false).unwrap();
        assert_eq!(read_jpeg(&out).icc(), None);
    }

    #[test]
    fn an_incomplete_icc_set_is_dropped_and_truncated_segments_stop_the_walk() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend_from_slice(&[0xFF, 0xE2, 0, 18]);
        jpeg.extend_from_slice(b"ICC_PROFILE\0\x01\x02ab");
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        assert_eq!(read_jpeg(&jpeg).icc(), None);
        assert!(read_jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2]).is_empty());
    }
}
