//! Decoding: content-sniffed format, limits checked from the header before the pixel
//! allocation, first frame only, EXIF orientation applied, everything converted to RGBA8.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::error::{Error, Result, Stage, image_error, io_error};
use crate::jpeg;
use crate::model::Image;
use crate::types::{ColorType, DecodeLimits, DecodeOptions};

/// Where the encoded data comes from; used to word error messages.
pub(crate) enum Source<'a> {
    File(&'a Path),
    Memory(usize),
}

impl Source<'_> {
    /// "cannot decode '<path>'" or "cannot decode image data (N bytes)".
    pub(crate) fn subject(&self) -> String {
        match self {
            Source::File(path) => format!("cannot decode '{}'", path.display()),
            Source::Memory(len) => format!("cannot decode image data ({len} bytes)"),
        }
    }
}

impl Image {
    /// Opens and decodes the image file at `path` with the default [`DecodeLimits`].
    ///
    /// See [`Image::open_with_limits`].
    pub fn open(path: &Path) -> Result<Image> {
        Self::open_with_limits(path, &DecodeLimits::default())
    }

    /// Opens and decodes the image file at `path`.
    ///
    /// The format is detected from the file's content (magic bytes), never from its extension.
    /// Errors: [`Error::NotFound`], [`Error::PermissionDenied`], [`Error::Io`] (also when `path`
    /// is a directory), [`Error::UnsupportedFormat`] for unrecognised content,
    /// [`Error::LimitExceeded`], [`Error::Decode`] for corrupt or truncated data.
    pub fn open_with_limits(path: &Path, limits: &DecodeLimits) -> Result<Image> {
        let file = File::open(path).map_err(|e| io_error("open", path, &e))?;
        let metadata = file.metadata().map_err(|e| io_error("inspect", path, &e))?;
        if metadata.is_dir() {
            return Err(Error::Io(format!("cannot open '{}': it is a directory, not an image file", path.display())));
        }
        let mut reader = BufReader::new(file);
        // JPEG goes to libjpeg-turbo, which decodes from memory: read the file whole.
        if jpeg::is_jpeg(reader.fill_buf().map_err(|e| io_error("read", path, &e))?) {
            let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
            reader.read_to_end(&mut bytes).map_err(|e| io_error("read", path, &e))?;
            let (image, _) = decode_sized(&bytes, limits, false, &Source::File(path), |_| None)?;
            return Ok(image);
        }
        decode_from(reader, limits, false, &Source::File(path))
    }

    /// Decodes an encoded image held in memory with the default [`DecodeLimits`].
    ///
    /// See [`Image::decode_with_limits`].
    pub fn decode(bytes: &[u8]) -> Result<Image> {
        Self::decode_with_limits(bytes, &DecodeLimits::default())
    }

    /// Decodes an encoded image held in memory.
    ///
    /// The format is detected from the content. JPEG is decoded by libjpeg-turbo (its default
    /// accurate integer IDCT and smooth chroma upsampling), except CMYK JPEGs, which go through
    /// the `image` crate's decoder like every other format. Errors: [`Error::UnsupportedFormat`] for
    /// unrecognised content, [`Error::LimitExceeded`], [`Error::Decode`] for corrupt or
    /// truncated data.
    pub fn decode_with_limits(bytes: &[u8], limits: &DecodeLimits) -> Result<Image> {
        if jpeg::is_jpeg(bytes) {
            let (image, _) = decode_sized(bytes, limits, false, &Source::Memory(bytes.len()), |_| None)?;
            return Ok(image);
        }
        decode_from(Cursor::new(bytes), limits, false, &Source::Memory(bytes.len()))
    }

    /// Decodes an encoded image held in memory with [`DecodeOptions`]: limits and, for JPEG,
    /// shrink-on-load.
    ///
    /// JPEG files are decoded by libjpeg-turbo straight into RGBA, as by [`Image::decode`]. With
    /// [`DecodeOptions::min_size`] set, a JPEG is decoded at 1/2, 1/4 or 1/8 scale when the
    /// result is still at least that size in upright pixels, so the full-size image is never
    /// held in memory. The EXIF orientation is applied as by [`Image::decode`]. CMYK JPEGs and
    /// all other formats go through the same decoder as [`Image::decode`], at full size.
    ///
    /// The limits apply to the file's full size even when it is decoded scaled: a file that
    /// [`Image::decode_with_limits`] rejects is rejected here too. Errors as for
    /// [`Image::decode_with_limits`]; truncated or corrupt data is [`Error::Decode`] (also
    /// where libjpeg-turbo would only warn and fill in the rest), unless
    /// [`DecodeOptions::lenient`] asks for the partial image instead.
    pub fn decode_with(bytes: &[u8], options: &DecodeOptions) -> Result<Image> {
        let source = Source::Memory(bytes.len());
        let (image, _) = decode_sized(bytes, &options.limits, options.lenient, &source, |_| options.min_size)?;
        Ok(image)
    }

    /// Opens and decodes the image file at `path` with [`DecodeOptions`]; see
    /// [`Image::decode_with`] for what the options do and [`Image::open_with_limits`] for the
    /// errors. The file is read into memory whole (libjpeg-turbo decodes from memory).
    pub fn open_with(path: &Path, options: &DecodeOptions) -> Result<Image> {
        let bytes = read_file(path)?;
        let source = Source::File(path);
        let (image, _) = decode_sized(&bytes, &options.limits, options.lenient, &source, |_| options.min_size)?;
        Ok(image)
    }
}

/// Reads a whole image file, refusing directories with a clear message.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| io_error("open", path, &e))?;
    let metadata = file.metadata().map_err(|e| io_error("inspect", path, &e))?;
    if metadata.is_dir() {
        return Err(Error::Io(format!("cannot open '{}': it is a directory, not an image file", path.display())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(|e| io_error("read", path, &e))?;
    Ok(bytes)
}

/// Decodes `bytes`, letting `min_size_for` choose the minimum size (see
/// [`DecodeOptions::min_size`]) from the upright full size once the header has been read;
/// `lenient` as [`DecodeOptions::lenient`]. Returns the image and the upright full size of
/// the file.
pub(crate) fn decode_sized(
    bytes: &[u8],
    limits: &DecodeLimits,
    lenient: bool,
    source: &Source<'_>,
    min_size_for: impl FnOnce((u32, u32)) -> Option<(u32, u32)>,
) -> Result<(Image, (u32, u32))> {
    let subject = source.subject();
    if jpeg::is_jpeg(bytes)
        && let Some(header) = jpeg::read_header(bytes, &subject)?
    {
        // Checked before the decoder allocates anything large.
        jpeg::check_header_limits(&header, limits, &subject)?;
        let denominator = jpeg::scale_denominator(header.upright, min_size_for(header.upright));
        let image = jpeg::decode(bytes, &header, denominator, lenient, &subject)?;
        return Ok((image, header.upright));
    }
    let mut image = decode_from(Cursor::new(bytes), limits, lenient, source)?;
    // The `image` crate's JPEG decoder (CMYK files) fills in a scan that ends early instead of
    // failing; such a file has no end-of-image marker.
    if jpeg::is_jpeg(bytes) && image.decode_warning.is_none() && !jpeg::reaches_end_marker(bytes) {
        let rows = rows_with_data(&image.pixels, image.width as usize * 4, jpeg::is_grey_fill);
        let detail = "the data ends before the end-of-image marker";
        let warning = damaged(&subject, detail, rows, image.height, lenient)?;
        image = image.with_decode_warning(warning);
    }
    let size = (image.width, image.height);
    Ok((image, size))
}

/// Allocation budget while the headers are read, before the dimensions are known. Headers
/// carry metadata Pixbridge does not apply (ICC profiles, text, EXIF beyond the orientation);
/// a compressed PNG `iCCP` chunk can otherwise inflate to the whole pixel budget from a file
/// of a few hundred KiB. 32 MiB stays above the largest ICC profile a JPEG can carry
/// (255 APP2 segments, about 16 MiB) with room for EXIF and XMP.
const HEADER_BUDGET_BYTES: u64 = 32 << 20;

/// `image`'s limits equivalent to ours (it treats `max_alloc` as best effort).
fn image_limits(limits: &DecodeLimits) -> image::Limits {
    let mut out = image::Limits::default();
    out.max_image_width = Some(limits.max_width);
    out.max_image_height = Some(limits.max_height);
    out.max_alloc = Some(limits.max_decoded_bytes);
    out
}

/// Checks a header's claims against the limits, with a message naming the limit and numbers.
pub(crate) fn check_limits(
    width: u32,
    height: u32,
    color_type: ColorType,
    limits: &DecodeLimits,
    subject: &str,
) -> Result<()> {
    if width > limits.max_width {
        return Err(Error::LimitExceeded(format!(
            "{subject}: image width {width} exceeds the limit max_width = {}",
            limits.max_width
        )));
    }
    if height > limits.max_height {
        return Err(Error::LimitExceeded(format!(
            "{subject}: image height {height} exceeds the limit max_height = {}",
            limits.max_height
        )));
    }
    // The decoder allocates in the source layout, we keep RGBA8: budget for the larger.
    let bytes_per_pixel = u64::from(color_type.bytes_per_pixel().max(4));
    let needed = u64::from(width).checked_mul(u64::from(height)).and_then(|n| n.checked_mul(bytes_per_pixel));
    match needed {
        Some(needed) if needed <= limits.max_decoded_bytes => Ok(()),
        _ => Err(Error::LimitExceeded(format!(
            "{subject}: a {width} x {height} image at {bytes_per_pixel} bytes per pixel needs {} bytes, \
             more than the limit max_decoded_bytes = {}",
            needed.map_or_else(|| "more than 2^64".to_owned(), |n| n.to_string()),
            limits.max_decoded_bytes
        ))),
    }
}

/// Whether the stream (read from its current position, which is restored) starts with a
/// plausible TGA header: a known image type, a colour map exactly when the type needs one,
/// non-zero size, a standard pixel depth and at most 8 alpha bits.
fn starts_like_tga<R: Read + Seek>(reader: &mut R) -> std::io::Result<bool> {
    const HEADER_LEN: usize = 18;
    let start = reader.stream_position()?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    reader.by_ref().take(HEADER_LEN as u64).read_to_end(&mut header)?;
    reader.seek(SeekFrom::Start(start))?;
    if header.len() < HEADER_LEN {
        return Ok(false);
    }
    let color_map_type = header[1];
    let image_type = header[2];
    let color_map_entry_bits = header[7];
    let width = u16::from_le_bytes([header[12], header[13]]);
    let height = u16::from_le_bytes([header[14], header[15]]);
    let pixel_depth = header[16];
    let alpha_bits = header[17] & 0x0F;
    let is_color_mapped = matches!(image_type, 1 | 9);
    Ok(matches!(image_type, 1 | 2 | 3 | 9 | 10 | 11)
        && color_map_type == u8::from(is_color_mapped)
        && (!is_color_mapped || matches!(color_map_entry_bits, 15 | 16 | 24 | 32))
        && width > 0
        && height > 0
        && matches!(pixel_depth, 8 | 15 | 16 | 24 | 32)
        && alpha_bits <= 8)
}

fn decode_from<R: BufRead + Seek>(
    reader: R,
    limits: &DecodeLimits,
    lenient: bool,
    source: &Source<'_>,
) -> Result<Image> {
    let subject = source.subject();
    let decoding_error = |e| image_error(&subject, Stage::Decoding, e);

    let read_error = |e: std::io::Error| match source {
        Source::File(path) => io_error("read", path, &e),
        Source::Memory(_) => Error::Decode(format!("{subject}: {e}")),
    };
    let mut reader = ImageReader::new(reader).with_guessed_format().map_err(read_error)?;
    if reader.format().is_none() {
        // TGA has no magic bytes, so `image` never guesses it; recognise it by a header whose
        // fields are all plausible.
        let mut inner = reader.into_inner();
        let looks_like_tga = starts_like_tga(&mut inner).map_err(read_error)?;
        reader = ImageReader::new(inner);
        if !looks_like_tga {
            return Err(Error::UnsupportedFormat(format!(
                "{subject}: the content is not in a recognised image format"
            )));
        }
        reader.set_format(image::ImageFormat::Tga);
    }

    // Build the decoder with only a metadata budget so that the header can be read and its
    // dimensions reported in our own message; the dimension and pixel limits follow right
    // after, before any pixel memory is allocated.
    let mut header_limits = image::Limits::no_limits();
    header_limits.max_alloc = Some(limits.max_decoded_bytes.min(HEADER_BUDGET_BYTES));
    reader.limits(header_limits);
    // `image`'s PNG decoder turns the file's big-endian 16-bit samples to native order only
    // once every row is decoded: the rows of a partial decode are still big-endian.
    let partial_samples_big_endian = reader.format() == Some(image::ImageFormat::Png);
    let mut decoder = reader.into_decoder().map_err(decoding_error)?;

    let (width, height) = decoder.dimensions();
    let source_color = ColorType::from_image(decoder.color_type());
    check_limits(width, height, source_color, limits, &subject)?;
    if width == 0 || height == 0 {
        return Err(Error::Decode(format!("{subject}: the header declares an empty image ({width} x {height})")));
    }
    decoder.set_limits(image_limits(limits)).map_err(decoding_error)?;

    // Malformed or unreadable EXIF must not stop the image from loading.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // A third-party decoder that panics on malformed data (the `png` crate's palette expansion
    // did on a fuzzed file) fails this decode with `Decode`, like any other malformed file,
    // lenient or not: what it wrote before the panic is not trusted.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_rgba(decoder, source_color, (width, height), partial_samples_big_endian, lenient)
    }));
    let (rgba, warning) = match decoded {
        Ok(Ok(rgba)) => (rgba, None),
        Ok(Err(Stopped { error, rows, partial })) => {
            let detail = error.to_string();
            match image_error(&subject, Stage::Decoding, error) {
                Error::Decode(_) => {
                    let warning = damaged(&subject, &detail, rows, height, lenient)?;
                    (partial.expect("a lenient decode with rows keeps its partial image"), Some(warning))
                }
                other => return Err(other),
            }
        }
        Err(panic) => {
            let detail = crate::error::panic_message(panic.as_ref());
            return Err(Error::Decode(format!("{subject}: the decoder failed on malformed data ({detail})")));
        }
    };
    let mut upright = DynamicImage::ImageRgba8(rgba);
    upright.apply_orientation(orientation);
    let rgba = upright.into_rgba8();
    let (width, height) = rgba.dimensions();
    // A 90-degree orientation swaps the axes; the result must respect the limits too.
    check_limits(width, height, ColorType::Rgba8, limits, &subject)?;
    let image = Image::from_parts(width, height, rgba.into_raw(), source_color);
    Ok(match warning {
        Some(warning) => image.with_decode_warning(warning),
        None => image,
    })
}

/// What to do about data that is truncated or corrupt after a valid header, of which
/// `decoded_rows` of `height` rows were decoded (`detail` is the decoder's own message):
/// strict, the `Decode` error; lenient, the warning that marks the partial image, unless not
/// one row was decoded.
pub(crate) fn damaged(subject: &str, detail: &str, decoded_rows: u32, height: u32, lenient: bool) -> Result<String> {
    let progress = match decoded_rows {
        0 => format!("none of its {height} rows could be decoded"),
        rows if rows >= height => format!("all {height} rows were decoded, but the decoder reported damage"),
        rows => format!("{rows} of {height} rows were decoded"),
    };
    let summary = format!("the data is truncated or corrupt ({detail}): {progress}");
    if lenient && decoded_rows > 0 { Ok(summary) } else { Err(Error::Decode(format!("{subject}: {summary}"))) }
}

/// How many of the rows of `rows` (each `row_len` bytes, all written) hold decoded data: all
/// but the trailing run of rows that are entirely `is_fill` (what a decoder writes for missing
/// data). A picture whose last rows happen to look like the fill is counted short by those
/// rows, which only matters to the message.
pub(crate) fn rows_with_data(rows: &[u8], row_len: usize, is_fill: impl Fn(&[u8]) -> bool) -> u32 {
    let filled = rows.chunks_exact(row_len).rev().take_while(|row| is_fill(row)).count();
    u32::try_from(rows.len() / row_len - filled).unwrap_or(u32::MAX)
}

/// Memory a scan for decoded rows may read past the last row with data, at least.
const MIN_ZERO_SCAN_BYTES: usize = 1 << 20;

/// How many rows a decoder that stopped early wrote into `rows` (each `row_len` bytes, zeroed
/// beforehand; decoders write rows top down, interlaced ones every few rows per pass): up to the
/// last row with a non-zero byte. The scan stops inside a run of zero rows once the run is
/// longer than the data above it (and [`MIN_ZERO_SCAN_BYTES`]): the rest of the buffer was
/// never written, and reading it would make the system back it with real memory (512 MiB for a
/// 74-byte PNG that claims 11585 x 11585). A picture with a black band longer than everything
/// above it, after which data follows, is counted short, which only matters to the message.
pub(crate) fn rows_written(rows: &[u8], row_len: usize) -> u32 {
    let (mut with_data, mut zero_run) = (0usize, 0usize);
    for (index, row) in rows.chunks_exact(row_len).enumerate() {
        if row.iter().any(|&byte| byte != 0) {
            (with_data, zero_run) = (index + 1, 0);
        } else {
            zero_run += row_len;
            if zero_run > (with_data * row_len).max(MIN_ZERO_SCAN_BYTES) {
                break;
            }
        }
    }
    u32::try_from(with_data).unwrap_or(u32::MAX)
}

/// A decode that failed after the header: the decoder's error, the number of rows it wrote
/// and, when asked for and there are any, what it decoded as RGBA (rows it never reached are
/// black, transparent where the format has alpha).
struct Stopped {
    error: image::ImageError,
    rows: u32,
    partial: Option<image::RgbaImage>,
}

/// Decodes into RGBA8. 8-bit L, LA, RGB and RGBA are decoded straight into the final buffer
/// (see [`decode_8bit_into_rgba`]); 16-bit and float samples into a buffer of their own type,
/// then converted. `partial_samples_big_endian`: the decoder leaves 16-bit samples big-endian
/// when it stops early; `keep_partial`: a decode that stops early converts what it wrote (only
/// lenient decoding needs it: converting touches the whole buffer).
fn read_rgba<D: ImageDecoder>(
    decoder: D,
    color: ColorType,
    (width, height): (u32, u32),
    partial_samples_big_endian: bool,
    keep_partial: bool,
) -> std::result::Result<image::RgbaImage, Stopped> {
    use image::{DynamicImage as Dyn, ImageBuffer};
    let converted = |dynamic: Option<Dyn>| dynamic.expect("the buffer holds width * height pixels").into_rgba8();
    match color {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => {
            decode_8bit_into_rgba(decoder, color, width, height, keep_partial)
        }
        ColorType::L16 | ColorType::La16 | ColorType::Rgb16 | ColorType::Rgba16 => {
            let to_rgba = |samples: Vec<u16>| {
                converted(match color {
                    ColorType::L16 => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageLuma16),
                    ColorType::La16 => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageLumaA16),
                    ColorType::Rgb16 => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageRgb16),
                    _ => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageRgba16),
                })
            };
            decode_samples(decoder, height, partial_samples_big_endian, keep_partial, to_rgba)
        }
        ColorType::Rgb32F | ColorType::Rgba32F => {
            let to_rgba = |samples: Vec<f32>| {
                converted(match color {
                    ColorType::Rgb32F => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageRgb32F),
                    _ => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageRgba32F),
                })
            };
            decode_samples(decoder, height, false, keep_partial, to_rgba)
        }
    }
}

/// Decodes 16-bit or float samples (native byte order, as `read_image` writes them; big-endian
/// 16-bit samples in a partial decode when `partial_big_endian`) into a zeroed buffer of `T`,
/// then converts with `to_rgba` (a partial decode only when `keep_partial`).
fn decode_samples<D: ImageDecoder, T: bytemuck::Pod>(
    decoder: D,
    height: u32,
    partial_big_endian: bool,
    keep_partial: bool,
    to_rgba: impl Fn(Vec<T>) -> image::RgbaImage,
) -> std::result::Result<image::RgbaImage, Stopped> {
    // The header was checked against the limits; the decoder's own size is the exact one.
    let bytes = usize::try_from(decoder.total_bytes()).unwrap_or(usize::MAX);
    let mut samples = vec![T::zeroed(); bytes / size_of::<T>()];
    let result = decoder.read_image(bytemuck::cast_slice_mut(&mut samples));
    match result {
        Ok(()) => Ok(to_rgba(samples)),
        Err(error) => {
            let raw: &mut [u8] = bytemuck::cast_slice_mut(&mut samples);
            if partial_big_endian && size_of::<T>() == 2 {
                raw.as_chunks_mut::<2>().0.iter_mut().for_each(|c| *c = u16::from_be_bytes(*c).to_ne_bytes());
            }
            let rows = rows_written(raw, raw.len() / height as usize);
            let partial = (keep_partial && rows > 0).then(|| to_rgba(samples));
            Err(Stopped { error, rows, partial })
        }
    }
}

/// Decodes 8-bit L, LA, RGB and RGBA straight into the final RGBA8 buffer: the decoder writes
/// its own layout into the front of the buffer, which is then widened in place from the end. A
/// PNG photograph then costs one RGBA buffer instead of an RGB one plus its RGBA copy (25 %
/// less peak memory for RGB, 80 % less for grey). A decode that stops early is widened only
/// when `keep_partial`.
fn decode_8bit_into_rgba<D: ImageDecoder>(
    decoder: D,
    color: ColorType,
    width: u32,
    height: u32,
    keep_partial: bool,
) -> std::result::Result<image::RgbaImage, Stopped> {
    let channels = match color {
        ColorType::L8 => 1,
        ColorType::La8 => 2,
        ColorType::Rgb8 => 3,
        _ => 4,
    };
    // The header was checked against the limits, which budget 4 bytes per pixel.
    let pixels = width as usize * height as usize;
    let mut buffer = vec![0u8; pixels * 4];
    let result = decoder.read_image(&mut buffer[..pixels * channels]);
    let widened = |mut buffer: Vec<u8>| {
        widen_to_rgba_in_place(&mut buffer, channels);
        image::RgbaImage::from_raw(width, height, buffer).expect("the buffer holds width * height RGBA pixels")
    };
    match result {
        Ok(()) => Ok(widened(buffer)),
        Err(error) => {
            // Counted before widening: rows never reached are zero bytes in the decoder's
            // layout (opaque black once widened, for formats without alpha).
            let rows = rows_written(&buffer[..pixels * channels], width as usize * channels);
            let partial = (keep_partial && rows > 0).then(|| widened(buffer));
            Err(Stopped { error, rows, partial })
        }
    }
}

/// Widens `channels`-byte pixels (grey, grey + alpha, RGB) packed at the front of `buffer` to
/// RGBA8 filling all of it. Blocks of pixels are widened from the last one down: a block's
/// packed bytes are copied aside first, and its RGBA bytes land at or after its packed ones, so
/// no write reaches a packed byte of an earlier, unwidened block.
fn widen_to_rgba_in_place(buffer: &mut [u8], channels: usize) {
    const BLOCK_PIXELS: usize = 4096;
    if channels == 4 {
        return;
    }
    let mut packed = vec![0u8; BLOCK_PIXELS * channels];
    let mut end = buffer.len() / 4;
    while end > 0 {
        let start = end.saturating_sub(BLOCK_PIXELS);
        let packed = &mut packed[..(end - start) * channels];
        packed.copy_from_slice(&buffer[start * channels..end * channels]);
        let rgba = buffer[start * 4..end * 4].as_chunks_mut::<4>().0;
        match channels {
            1 => rgba.iter_mut().zip(packed.iter()).for_each(|(px, &v)| *px = [v, v, v, 255]),
            2 => rgba.iter_mut().zip(packed.as_chunks::<2>().0).for_each(|(px, &[v, a])| *px = [v, v, v, a]),
            _ => rgba.iter_mut().zip(packed.as_chunks::<3>().0).for_each(|(px, &[r, g, b])| *px = [r, g, b, 255]),
        }
        end = start;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn widening_in_place_matches_a_copying_conversion() {
        for channels in 1..=4usize {
            let pixels = 4096 * 2 + 37;
            let packed: Vec<u8> = (0..pixels * channels).map(|i| (i * 7 + 3) as u8).collect();
            let expected: Vec<u8> = packed
                .chunks_exact(channels)
                .flat_map(|p| match channels {
                    1 => [p[0], p[0], p[0], 255],
                    2 => [p[0], p[0], p[0], p[1]],
                    3 => [p[0], p[1], p[2], 255],
                    _ => [p[0], p[1], p[2], p[3]],
                })
                .collect();
            let mut buffer = vec![0xAAu8; pixels * 4];
            buffer[..packed.len()].copy_from_slice(&packed);
            widen_to_rgba_in_place(&mut buffer, channels);
            assert_eq!(buffer, expected, "{channels} channels");
        }
    }

    use super::*;

    const SUBJECT: &str = "cannot decode 'x'";

    #[test]
    fn written_rows_end_at_the_last_data_and_the_scan_stops_in_a_long_zero_run() {
        let row_len = 1024;
        let image = |rows: &[bool]| -> Vec<u8> {
            rows.iter().flat_map(|&data| std::iter::repeat_n(u8::from(data), row_len)).collect()
        };
        // Data, a short black band, data, then the untouched rest.
        let mut rows = vec![true; 10];
        rows.extend([false; 5]);
        rows.extend([true; 3]);
        rows.extend([false; 2000]);
        assert_eq!(rows_written(&image(&rows), row_len), 18);
        assert_eq!(rows_written(&image(&[false; 3000]), row_len), 0);
        assert_eq!(rows_written(&image(&[true; 7]), row_len), 7);
        // A zero run longer than the data above it and than 1 MiB ends the scan: rows after
        // it are not read (and not counted).
        let mut banded = vec![true; 2];
        banded.extend([false; 1025]);
        banded.push(true);
        assert_eq!(rows_written(&image(&banded), row_len), 2);
        let mut short_band = vec![true; 2];
        short_band.extend([false; 1024]);
        short_band.push(true);
        assert_eq!(rows_written(&image(&short_band), row_len), 1027);
    }

    #[test]
    fn limits_accept_up_to_and_including_the_maximum() {
        let limits = DecodeLimits { max_width: 10, max_height: 20, max_decoded_bytes: 10 * 20 * 4 };
        assert!(check_limits(10, 20, ColorType::Rgba8, &limits, SUBJECT).is_ok());
        assert!(check_limits(10, 20, ColorType::L8, &limits, SUBJECT).is_ok());
    }

    #[test]
    fn limits_name_the_limit_and_the_numbers() {
        let limits = DecodeLimits { max_width: 10, max_height: 20, max_decoded_bytes: 800 };
        let wide = check_limits(11, 1, ColorType::L8, &limits, SUBJECT).unwrap_err();
        assert!(matches!(wide, Error::LimitExceeded(_)));
        assert!(wide.message().contains("max_width = 10") && wide.message().contains("11"), "{wide}");
        let tall = check_limits(1, 21, ColorType::L8, &limits, SUBJECT).unwrap_err();
        assert!(tall.message().contains("max_height = 20"), "{tall}");
        // 10 x 20 of Rgba32F is 3200 bytes: over an 800-byte budget.
        let big = check_limits(10, 20, ColorType::Rgba32F, &limits, SUBJECT).unwrap_err();
        assert!(big.message().contains("3200") && big.message().contains("max_decoded_bytes = 800"), "{big}");
        assert!(big.message().starts_with(SUBJECT));
    }

    #[test]
    fn tga_sniffing_accepts_plausible_headers_only() {
        let header = |image_type: u8, map_type: u8, depth: u8| {
            let mut h = vec![0, map_type, image_type, 0, 0, 2, 0, 24, 0, 0, 0, 0, 5, 0, 3, 0, depth, 8];
            h.extend_from_slice(&[0; 12]);
            h
        };
        let sniff = |bytes: Vec<u8>| starts_like_tga(&mut Cursor::new(bytes)).unwrap();
        assert!(sniff(header(2, 0, 32)));
        assert!(sniff(header(10, 0, 24)));
        assert!(sniff(header(3, 0, 8)));
        assert!(sniff(header(1, 1, 8)));
        assert!(!sniff(header(1, 0, 8)), "colour-mapped without a map");
        assert!(!sniff(header(2, 1, 32)), "true colour with a map");
        assert!(!sniff(header(0, 0, 32)), "no image data");
        assert!(!sniff(header(2, 0, 33)), "odd depth");
        assert!(!sniff(header(2, 0, 32)[..17].to_vec()), "short header");
        let mut zero_width = header(2, 0, 32);
        zero_width[12] = 0;
        assert!(!sniff(zero_width));
        assert!(!sniff(b"hello, this is plain text".to_vec()));
        // The stream position is restored.
        let mut cursor = Cursor::new(header(2, 0, 32));
        starts_like_tga(&mut cursor).unwrap();
        assert_eq!(cursor.position(), 0);
    }

    #[test]
    fn limits_arithmetic_does_not_overflow() {
        let limits = DecodeLimits { max_width: u32::MAX, max_height: u32::MAX, max_decoded_bytes: u64::MAX };
        // u32::MAX^2 * 16 overflows u64.
        let err = check_limits(u32::MAX, u32::MAX, ColorType::Rgba32F, &limits, SUBJECT).unwrap_err();
        assert!(matches!(err, Error::LimitExceeded(_)));
    }
}
