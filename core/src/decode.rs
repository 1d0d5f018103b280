//! Decoding: content-sniffed format, limits checked from the header before the pixel
//! allocation, first frame only, EXIF orientation applied, everything converted to RGBA8.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;

use image::metadata::Orientation;
use image::{ImageDecoder, ImageReader};

use crate::colour::{self, ColorProfile, Conversion};
use crate::control::{self, Progress};
use crate::error::{Error, Result, Stage, image_error, io_error};
use crate::jpeg;
use crate::metadata::{self, Metadata};
use crate::model::Image;
use crate::ops::discard;
use crate::types::{ColorType, DecodeLimits, DecodeOptions};

/// The share of opening a file that reading it into memory takes (the rest is decoding).
pub(crate) const READ_SHARE: f32 = 0.05;

/// The share of a decode that applying an EXIF orientation takes: a rotation is a pass through
/// the whole image into a new buffer, at least as long as the flips.
pub(crate) const ORIENT_SHARE: f32 = 0.15;

/// The share of a decode through the `image` crate that widening 8-bit grey, grey + alpha or
/// RGB to RGBA takes (one pass through the buffer); the decoder's work comes before it.
const WIDEN_SHARE: f32 = 0.1;

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
        let (file, len) = open_file(path)?;
        let mut reader = BufReader::new(file);
        // JPEG goes to libjpeg-turbo, which decodes from memory: read the file whole.
        if jpeg::is_jpeg(reader.fill_buf().map_err(|e| io_error("read", path, &e))?) {
            let bytes = control::stage(0.0, READ_SHARE, || read_all(reader, len, path))?;
            let decoded = control::stage(READ_SHARE, 1.0, || {
                decode_sized(&bytes, limits, false, false, &Source::File(path), |_| None)
            });
            // Freeing a large buffer takes a while: not on this thread (see `discard`).
            discard(bytes);
            return decoded.map(|(image, _)| image);
        }
        decode_from(reader, len, limits, false, false, &Source::File(path))
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
            let (image, _) = decode_sized(bytes, limits, false, false, &Source::Memory(bytes.len()), |_| None)?;
            return Ok(image);
        }
        decode_from(Cursor::new(bytes), bytes.len() as u64, limits, false, false, &Source::Memory(bytes.len()))
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
        let (image, _) =
            decode_sized(bytes, &options.limits, options.lenient, options.keep_profile, &source, |_| options.min_size)?;
        Ok(image)
    }

    /// Opens and decodes the image file at `path` with [`DecodeOptions`]; see
    /// [`Image::decode_with`] for what the options do and [`Image::open_with_limits`] for the
    /// errors. The file is read into memory whole (libjpeg-turbo decodes from memory).
    pub fn open_with(path: &Path, options: &DecodeOptions) -> Result<Image> {
        let bytes = control::stage(0.0, READ_SHARE, || read_file(path))?;
        let source = Source::File(path);
        let decoded = control::stage(READ_SHARE, 1.0, || {
            decode_sized(&bytes, &options.limits, options.lenient, options.keep_profile, &source, |_| options.min_size)
        });
        // Freeing a large buffer takes a while: not on this thread (see `discard`).
        discard(bytes);
        decoded.map(|(image, _)| image)
    }
}

/// Opens an image file for reading and returns it with its length, refusing directories with a
/// clear message.
fn open_file(path: &Path) -> Result<(File, u64)> {
    let file = File::open(path).map_err(|e| io_error("open", path, &e))?;
    let metadata = file.metadata().map_err(|e| io_error("inspect", path, &e))?;
    if metadata.is_dir() {
        return Err(Error::Io(format!("cannot open '{}': it is a directory, not an image file", path.display())));
    }
    Ok((file, metadata.len()))
}

/// Reads a whole image file (checking for cancellation as it goes), refusing directories with a
/// clear message.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let (file, len) = open_file(path)?;
    read_all(file, len, path)
}

/// Reads the rest of `reader`, the content of the file at `path` of `len` bytes.
fn read_all(reader: impl Read, len: u64, path: &Path) -> Result<Vec<u8>> {
    let progress = Progress::new(len);
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    match Watched::new(reader, &progress).read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(error) => {
            discard(bytes);
            Err(unless_cancelled(&progress, io_error("read", path, &error)))
        }
    }
}

/// Most bytes one call of [`Watched`] passes on, so that a large read or write (a whole file, a
/// decoder's `read_to_end`) is checked for cancellation every MiB.
const WATCHED_CHUNK: usize = 1 << 20;

/// Bytes [`Watched`] passes on between two counts on its progress (which check for
/// cancellation): decoders and encoders that read or write a few bytes at a time (BMP, QOI)
/// then pay one addition per call.
const WATCHED_COUNT_EVERY: u64 = 64 << 10;

/// A reader or writer that counts the bytes going through it on a [`Progress`] and fails with an
/// I/O error once the job is cancelled. That is how the `image` crate's decoders and encoders,
/// which handle a whole image in one call, stop early: they give up on the error, and the
/// caller turns whatever error they report into `Cancelled` ([`unless_cancelled`]).
pub(crate) struct Watched<'p, T> {
    inner: T,
    progress: &'p Progress,
    /// Bytes passed on since the last count.
    uncounted: u64,
}

impl<'p, T> Watched<'p, T> {
    pub(crate) fn new(inner: T, progress: &'p Progress) -> Self {
        Self { inner, progress, uncounted: 0 }
    }

    /// Records `len` more bytes passed on; the error to stop with if the job was cancelled.
    #[inline]
    fn count(&mut self, len: usize) -> io::Result<()> {
        self.uncounted += len as u64;
        if self.uncounted < WATCHED_COUNT_EVERY { Ok(()) } else { self.report() }
    }

    /// Counts the bytes passed on since the last count on the progress.
    #[cold]
    #[inline(never)]
    fn report(&mut self) -> io::Result<()> {
        let counted = std::mem::take(&mut self.uncounted);
        if self.progress.advance(counted) { Err(watched_stop()) } else { Ok(()) }
    }
}

/// The error [`Watched`] stops with (not `ErrorKind::Interrupted`, which readers and writers
/// retry).
fn watched_stop() -> io::Error {
    io::Error::other("the operation was cancelled")
}

impl<T: Read> Read for Watched<'_, T> {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len().min(WATCHED_CHUNK);
        let read = self.inner.read(&mut buf[..len])?;
        self.count(read)?;
        Ok(read)
    }

    // The inner reader's own `read_exact` is much faster than the default's loop over `read`
    // for the few bytes a pixel that some decoders (BMP, QOI) read at a time.
    #[inline]
    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        if buf.len() <= WATCHED_CHUNK {
            self.inner.read_exact(buf)?;
            return self.count(buf.len());
        }
        for piece in buf.chunks_mut(WATCHED_CHUNK) {
            self.inner.read_exact(piece)?;
            self.count(piece.len())?;
        }
        Ok(())
    }
}

impl<T: BufRead> BufRead for Watched<'_, T> {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // Decoders that read through `fill_buf` and `consume` (PNG, GIF) are stopped here.
        if self.progress.is_cancelled() {
            return Err(watched_stop());
        }
        self.inner.fill_buf()
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        // A cancel is reported by the next `fill_buf` or `read`.
        let _ = self.count(amount);
        self.inner.consume(amount);
    }
}

impl<T: Seek> Seek for Watched<'_, T> {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        self.inner.seek(position)
    }
}

impl<T: Write> Write for Watched<'_, T> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(&buf[..buf.len().min(WATCHED_CHUNK)])?;
        self.count(written)?;
        Ok(written)
    }

    // As for `read_exact`: some encoders (BMP) write a pixel at a time.
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if buf.len() <= WATCHED_CHUNK {
            self.inner.write_all(buf)?;
            return self.count(buf.len());
        }
        for piece in buf.chunks(WATCHED_CHUNK) {
            self.inner.write_all(piece)?;
            self.count(piece.len())?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `error`, or `Cancelled` if the job of `progress` was cancelled: work stopped by [`Watched`]
/// (or by a check of its own) fails with whatever error its library makes of the stop.
pub(crate) fn unless_cancelled(progress: &Progress, error: Error) -> Error {
    if progress.is_cancelled() { control::cancelled() } else { error }
}

/// Decodes `bytes`, letting `min_size_for` choose the minimum size (see
/// [`DecodeOptions::min_size`]) from the upright full size once the header has been read;
/// `lenient` as [`DecodeOptions::lenient`]. Returns the image and the upright full size of
/// the file.
pub(crate) fn decode_sized(
    bytes: &[u8],
    limits: &DecodeLimits,
    lenient: bool,
    keep_profile: bool,
    source: &Source<'_>,
    min_size_for: impl FnOnce((u32, u32)) -> Option<(u32, u32)>,
) -> Result<(Image, (u32, u32))> {
    let subject = source.subject();
    // libjpeg-turbo refuses a JPEG whose ICC segments do not form a complete set: decode a copy
    // whose broken profile is skipped (the pixels are whole; the profile is dropped).
    let repaired;
    let bytes = if jpeg::is_jpeg(bytes) && metadata::jpeg_icc_is_broken(bytes) {
        repaired = metadata::jpeg_without_icc(bytes);
        &repaired[..]
    } else {
        bytes
    };
    if jpeg::is_jpeg(bytes)
        && let Some(header) = jpeg::read_header(bytes, &subject)?
    {
        // Checked before the decoder allocates anything large.
        jpeg::check_header_limits(&header, limits, &subject)?;
        let denominator = jpeg::scale_denominator(header.upright, min_size_for(header.upright));
        let image = jpeg::decode(bytes, &header, denominator, lenient, &subject)?;
        let image = with_metadata(image, metadata::read_jpeg(bytes), keep_profile)?;
        return Ok((image, header.upright));
    }
    let mut image = decode_from(Cursor::new(bytes), bytes.len() as u64, limits, lenient, keep_profile, source)?;
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

/// Decodes through the `image` crate (`len` bytes of data from `reader`): the decoder's work,
/// widening to RGBA and the EXIF orientation, each in its share of the progress.
fn decode_from<R: BufRead + Seek>(
    reader: R,
    len: u64,
    limits: &DecodeLimits,
    lenient: bool,
    keep_profile: bool,
    source: &Source<'_>,
) -> Result<Image> {
    let decoder_share = 1.0 - WIDEN_SHARE - ORIENT_SHARE;
    let decoded = control::stage(0.0, decoder_share, || read_pixels(reader, len, limits, lenient, source))?;
    let Decoded { packed, width, height, color, orientation, warning, metadata } = decoded;
    let rgba = control::stage(decoder_share, 1.0 - ORIENT_SHARE, || packed.widen())?;
    let image = with_metadata(Image::from_parts(width, height, rgba, color), metadata, keep_profile)?;
    let image = control::stage(1.0 - ORIENT_SHARE, 1.0, || orient(image, orientation))?;
    // A 90-degree orientation swaps the axes; the result must respect the limits too.
    check_limits(image.width, image.height, ColorType::Rgba8, limits, &source.subject())?;
    Ok(match warning {
        Some(warning) => image.with_decode_warning(warning),
        None => image,
    })
}

/// What [`read_pixels`] decoded, before widening and orientation.
struct Decoded {
    packed: Packed,
    width: u32,
    height: u32,
    /// The colour type of the source.
    color: ColorType,
    orientation: Orientation,
    /// Set when a lenient decode kept a partial image.
    warning: Option<String>,
    metadata: Metadata,
}

/// Attaches a decoded file's metadata to its image and, unless `keep_profile`, converts the
/// pixels from the file's ICC profile to sRGB (see [`DecodeOptions::keep_profile`]).
pub(crate) fn with_metadata(mut image: Image, metadata: Metadata, keep_profile: bool) -> Result<Image> {
    image.profile = match metadata.icc() {
        None => ColorProfile::None,
        Some(_) if keep_profile => ColorProfile::Embedded,
        Some(icc) => match colour::to_srgb(&mut image, icc)? {
            Conversion::AlreadySrgb | Conversion::Converted => ColorProfile::Srgb,
            Conversion::Unusable => ColorProfile::None,
        },
    };
    if !metadata.is_empty() {
        image.metadata = Some(std::sync::Arc::new(metadata));
    }
    Ok(image)
}

/// Reads the header and the pixels with the `image` crate's decoder for the format, counting the
/// bytes it reads on the current stage's progress.
fn read_pixels<R: BufRead + Seek>(
    reader: R,
    len: u64,
    limits: &DecodeLimits,
    lenient: bool,
    source: &Source<'_>,
) -> Result<Decoded> {
    let subject = source.subject();
    let progress = Progress::new(len);
    let decoding_error = |e| unless_cancelled(&progress, image_error(&subject, Stage::Decoding, e));
    let read_error = |e: io::Error| {
        unless_cancelled(
            &progress,
            match source {
                Source::File(path) => io_error("read", path, &e),
                Source::Memory(_) => Error::Decode(format!("{subject}: {e}")),
            },
        )
    };
    let mut metadata = Metadata::default();
    let mut reader = reader;
    // PNG text chunks: read in a pass of their own (the `image` crate's decoder skips them).
    if reader.fill_buf().map_err(read_error)?.starts_with(b"\x89PNG\r\n\x1a\n") {
        let start = reader.stream_position().map_err(read_error)?;
        metadata::read_png_text(&mut reader, &mut metadata);
        reader.seek(SeekFrom::Start(start)).map_err(read_error)?;
    }
    let mut reader = ImageReader::new(Watched::new(reader, &progress)).with_guessed_format().map_err(read_error)?;
    // No AV1 decoder is built in: say so (`image` guesses AVIF only by its major brand).
    if reader.format() == Some(image::ImageFormat::Avif) {
        return Err(crate::avif::decoding_unavailable(&subject));
    }
    if reader.format().is_none() {
        // TGA has no magic bytes, so `image` never guesses it; recognise it by a header whose
        // fields are all plausible.
        let mut inner = reader.into_inner();
        if crate::avif::starts_like_avif(&mut inner).map_err(read_error)? {
            return Err(crate::avif::decoding_unavailable(&subject));
        }
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
    let color = ColorType::from_image(decoder.color_type());
    check_limits(width, height, color, limits, &subject)?;
    if width == 0 || height == 0 {
        return Err(Error::Decode(format!("{subject}: the header declares an empty image ({width} x {height})")));
    }
    decoder.set_limits(image_limits(limits)).map_err(decoding_error)?;

    // Malformed or unreadable EXIF must not stop the image from loading.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // Nor must unreadable metadata; blocks over the limit are dropped (`Metadata::set_*`).
    metadata.set_icc(decoder.icc_profile().ok().flatten());
    metadata.set_exif(decoder.exif_metadata().ok().flatten());
    if metadata.xmp().is_none() {
        metadata.set_xmp(decoder.xmp_metadata().ok().flatten());
    }
    // A third-party decoder that panics on malformed data (the `png` crate's palette expansion
    // did on a fuzzed file) fails this decode with `Decode`, like any other malformed file,
    // lenient or not: what it wrote before the panic is not trusted.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_rgba(decoder, color, (width, height), partial_samples_big_endian, lenient, &progress)
    }));
    // A decoder stopped by a cancel fails (with an error in its own words), or, if it makes
    // the best of a stream that ends early, returns what it had.
    if progress.is_cancelled() {
        if let Ok(Ok(packed) | Err(Stopped { partial: Some(packed), .. })) = decoded {
            discard(packed.buffer);
        }
        return Err(control::cancelled());
    }
    let (packed, warning) = match decoded {
        Ok(Ok(packed)) => (packed, None),
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
    Ok(Decoded { packed, width, height, color, orientation, warning, metadata })
}

/// The share of an orientation that rotates and also flips that the rotation takes (a copy
/// into a new buffer, slower than the flip in place).
const ROTATION_SHARE: f32 = 0.7;

/// Applies an EXIF orientation with the image operations, which check for cancellation: a
/// rotation into a new image, then a flip in place, as the `image` crate's `apply_orientation`
/// does (the same pixels).
pub(crate) fn orient(image: Image, orientation: Orientation) -> Result<Image> {
    type Rotation = fn(&Image) -> Result<Image>;
    type Flip = fn(&mut Image) -> Result<()>;
    let (rotation, flip): (Option<Rotation>, Option<Flip>) = match orientation {
        Orientation::NoTransforms => return Ok(image),
        Orientation::Rotate90 => (Some(Image::rotate90), None),
        Orientation::Rotate270 => (Some(Image::rotate270), None),
        Orientation::Rotate90FlipH => (Some(Image::rotate90), Some(Image::mirror)),
        Orientation::Rotate270FlipH => (Some(Image::rotate270), Some(Image::mirror)),
        Orientation::Rotate180 => (None, Some(Image::rotate180)),
        Orientation::FlipHorizontal => (None, Some(Image::mirror)),
        Orientation::FlipVertical => (None, Some(Image::flip_vertical)),
    };
    let flip_from = match (rotation, flip) {
        (Some(_), Some(_)) => ROTATION_SHARE,
        (Some(_), None) => 1.0,
        (None, _) => 0.0,
    };
    let mut image = match rotation {
        Some(rotate) => {
            let rotated = control::stage(0.0, flip_from, || rotate(&image));
            // Freeing a large image takes a while: not on this thread (see `discard`).
            discard(image.into_pixels());
            rotated?
        }
        None => image,
    };
    if let Some(flip) = flip
        && let Err(error) = control::stage(flip_from, 1.0, || flip(&mut image))
    {
        discard(image.into_pixels());
        return Err(error);
    }
    Ok(image)
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
/// and, when asked for and there are any, what it decoded (rows it never reached are zero:
/// black, transparent where the format has alpha).
struct Stopped {
    error: image::ImageError,
    rows: u32,
    partial: Option<Packed>,
}

/// Decoded 8-bit pixels in a buffer sized for RGBA8: RGBA, or grey, grey + alpha or RGB packed
/// at its front (`channels` bytes per pixel), to be widened in place ([`Packed::widen`]).
struct Packed {
    buffer: Vec<u8>,
    channels: usize,
}

impl Packed {
    /// The pixels as RGBA8, widened in pieces that check for cancellation.
    fn widen(self) -> Result<Vec<u8>> {
        let Packed { mut buffer, channels } = self;
        if channels == 4 {
            return Ok(buffer);
        }
        let progress = Progress::new((buffer.len() / 4) as u64);
        match widen_to_rgba_in_place(&mut buffer, channels, &progress) {
            Ok(()) => Ok(buffer),
            Err(error) => {
                discard(buffer);
                Err(error)
            }
        }
    }
}

/// Decodes 8-bit pixels, or RGBA8 for other sources. 8-bit L, LA, RGB and RGBA are decoded
/// straight into the final buffer (see [`decode_8bit`]); 16-bit and float samples into a
/// buffer of their own type, then converted. `partial_samples_big_endian`: the decoder leaves
/// 16-bit samples big-endian when it stops early; `keep_partial`: a decode that stops early
/// keeps what it wrote (only lenient decoding needs it: converting touches the whole buffer).
/// A decode stopped by a cancel (`progress`) keeps nothing and counts no rows.
fn read_rgba<D: ImageDecoder>(
    decoder: D,
    color: ColorType,
    (width, height): (u32, u32),
    partial_samples_big_endian: bool,
    keep_partial: bool,
    progress: &Progress,
) -> std::result::Result<Packed, Stopped> {
    use image::{DynamicImage as Dyn, ImageBuffer};
    let converted = |dynamic: Option<Dyn>| Packed {
        buffer: dynamic.expect("the buffer holds width * height pixels").into_rgba8().into_raw(),
        channels: 4,
    };
    match color {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => {
            decode_8bit(decoder, color, width, height, keep_partial, progress)
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
            decode_samples(decoder, height, partial_samples_big_endian, keep_partial, progress, to_rgba)
        }
        ColorType::Rgb32F | ColorType::Rgba32F => {
            let to_rgba = |samples: Vec<f32>| {
                converted(match color {
                    ColorType::Rgb32F => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageRgb32F),
                    _ => ImageBuffer::from_raw(width, height, samples).map(Dyn::ImageRgba32F),
                })
            };
            decode_samples(decoder, height, false, keep_partial, progress, to_rgba)
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
    progress: &Progress,
    to_rgba: impl Fn(Vec<T>) -> Packed,
) -> std::result::Result<Packed, Stopped> {
    // The header was checked against the limits; the decoder's own size is the exact one.
    let bytes = usize::try_from(decoder.total_bytes()).unwrap_or(usize::MAX);
    let mut samples = vec![T::zeroed(); bytes / size_of::<T>()];
    let result = decoder.read_image(bytemuck::cast_slice_mut(&mut samples));
    match result {
        Ok(()) => Ok(to_rgba(samples)),
        Err(error) if progress.is_cancelled() => Err(Stopped { error, rows: 0, partial: None }),
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

/// Decodes 8-bit L, LA, RGB and RGBA into the front of the final RGBA8 buffer, in the decoder's
/// own layout, to be widened in place. A PNG photograph then costs one RGBA buffer instead of
/// an RGB one plus its RGBA copy (25 % less peak memory for RGB, 80 % less for grey).
fn decode_8bit<D: ImageDecoder>(
    decoder: D,
    color: ColorType,
    width: u32,
    height: u32,
    keep_partial: bool,
    progress: &Progress,
) -> std::result::Result<Packed, Stopped> {
    let channels = match color {
        ColorType::L8 => 1,
        ColorType::La8 => 2,
        ColorType::Rgb8 => 3,
        _ => 4,
    };
    // The header was checked against the limits, which budget 4 bytes per pixel.
    let pixels = width as usize * height as usize;
    let mut buffer = vec![0u8; pixels * 4];
    match decoder.read_image(&mut buffer[..pixels * channels]) {
        Ok(()) => Ok(Packed { buffer, channels }),
        Err(error) if progress.is_cancelled() => {
            discard(buffer);
            Err(Stopped { error, rows: 0, partial: None })
        }
        Err(error) => {
            // Rows never reached are zero bytes in the decoder's layout (opaque black once
            // widened, for formats without alpha).
            let rows = rows_written(&buffer[..pixels * channels], width as usize * channels);
            let partial = if keep_partial && rows > 0 {
                Some(Packed { buffer, channels })
            } else {
                discard(buffer);
                None
            };
            Err(Stopped { error, rows, partial })
        }
    }
}

/// Widens `channels`-byte pixels (grey, grey + alpha, RGB) packed at the front of `buffer` to
/// RGBA8 filling all of it, counting the pixels on `progress`. Blocks of pixels are widened
/// from the last one down: a block's packed bytes are copied aside first, and its RGBA bytes
/// land at or after its packed ones, so no write reaches a packed byte of an earlier,
/// unwidened block. A cancelled widening leaves the buffer half done.
fn widen_to_rgba_in_place(buffer: &mut [u8], channels: usize, progress: &Progress) -> Result<()> {
    const BLOCK_PIXELS: usize = 4096;
    if channels == 4 {
        return Ok(());
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
        progress.step((end - start) as u64)?;
        end = start;
    }
    Ok(())
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
            widen_to_rgba_in_place(&mut buffer, channels, &Progress::none()).unwrap();
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
