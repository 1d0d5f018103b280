//! Encoding to every [`ImageFormat`] and atomic saving to files.

#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::io::{Cursor, Write};
use std::path::Path;

use image::codecs::bmp::BmpEncoder;
use image::codecs::gif::GifEncoder;
use image::codecs::ico::IcoEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::pnm::{PnmEncoder, PnmSubtype, SampleEncoding};
use image::codecs::qoi::QoiEncoder;
use image::codecs::tga::TgaEncoder;
use image::codecs::tiff::TiffEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};

use crate::control::{self, Progress};
use crate::decode::{Watched, unless_cancelled};
use crate::error::{Error, Result, Stage, image_error, io_error};
use crate::jpeg;
use crate::metadata::{self, Embedded};
use crate::model::Image;
use crate::ops::{discard, keep, luma, rows_per_check};
use crate::types::{AvifOptions, ColorType, EncodeOptions, ImageFormat, JpegOptions, PngOptions, WebPOptions};

/// JPEG quality used when none is given.
pub const DEFAULT_JPEG_QUALITY: u8 = 90;

/// Largest width and height an ICO file can hold.
pub const MAX_ICO_SIZE: u32 = 256;

/// NeuQuant sampling speed for GIF palettes of images with more than 256 colours
/// (1 = slowest/best, 30 = fastest). 10 is the usual balance.
const GIF_QUANTIZE_SPEED: i32 = 10;

/// The 8-bit channel layout an encoder writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    L8,
    La8,
    Rgb8,
    Rgba8,
}

impl Layout {
    /// The layout of the image's colour type at 8 bits, moved to the nearest one `format` can
    /// store.
    pub(crate) fn for_format(color_type: ColorType, format: ImageFormat) -> Layout {
        let wanted = match color_type.to_8bit() {
            ColorType::L8 => Layout::L8,
            ColorType::La8 => Layout::La8,
            ColorType::Rgb8 => Layout::Rgb8,
            _ => Layout::Rgba8,
        };
        match (format, wanted) {
            // JPEG has no alpha.
            (ImageFormat::Jpeg, Layout::La8) => Layout::L8,
            (ImageFormat::Jpeg, Layout::Rgba8) => Layout::Rgb8,
            // No grey + alpha in TIFF (as written by `image`); no grey at all in GIF and QOI:
            // keep alpha by widening to RGB(A).
            // `image` writes grey + alpha BMP files that lose their alpha on reading.
            (ImageFormat::Tiff | ImageFormat::Bmp, Layout::La8) => Layout::Rgba8,
            (ImageFormat::Gif | ImageFormat::Qoi | ImageFormat::Avif, Layout::L8) => Layout::Rgb8,
            (ImageFormat::Gif | ImageFormat::Qoi | ImageFormat::Avif, Layout::La8) => Layout::Rgba8,
            // `image`'s ICO reader only accepts RGBA PNG entries.
            (ImageFormat::Ico, _) => Layout::Rgba8,
            (_, layout) => layout,
        }
    }

    pub(crate) fn extended(self) -> ExtendedColorType {
        match self {
            Layout::L8 => ExtendedColorType::L8,
            Layout::La8 => ExtendedColorType::La8,
            Layout::Rgb8 => ExtendedColorType::Rgb8,
            Layout::Rgba8 => ExtendedColorType::Rgba8,
        }
    }

    /// Bytes per pixel.
    fn channels(self) -> usize {
        match self {
            Layout::L8 => 1,
            Layout::La8 => 2,
            Layout::Rgb8 => 3,
            Layout::Rgba8 => 4,
        }
    }

    fn png(self) -> png::ColorType {
        match self {
            Layout::L8 => png::ColorType::Grayscale,
            Layout::La8 => png::ColorType::GrayscaleAlpha,
            Layout::Rgb8 => png::ColorType::Rgb,
            Layout::Rgba8 => png::ColorType::Rgba,
        }
    }

    /// [`Layout::convert`] into `out`, which holds exactly `channels()` bytes per pixel of
    /// `rgba` (a row buffer reused from row to row).
    fn convert_into(self, rgba: &[u8], out: &mut [u8]) {
        let pixels = rgba.as_chunks::<4>().0;
        match self {
            Layout::Rgba8 => out.copy_from_slice(rgba),
            Layout::Rgb8 => {
                for (dst, &[r, g, b, _]) in out.as_chunks_mut::<3>().0.iter_mut().zip(pixels) {
                    *dst = [r, g, b];
                }
            }
            Layout::La8 => {
                for (dst, &[r, g, b, a]) in out.as_chunks_mut::<2>().0.iter_mut().zip(pixels) {
                    *dst = [luma(r, g, b), a];
                }
            }
            Layout::L8 => {
                for (dst, &[r, g, b, _]) in out.iter_mut().zip(pixels) {
                    *dst = luma(r, g, b);
                }
            }
        }
    }

    /// Converts RGBA8 pixels to this layout, in pieces that check for cancellation. Grey is the
    /// Rec. 709 luma of [`Image::grayscale`] (so R = G = B = v gives exactly v); dropped alpha is
    /// discarded, not composited.
    pub(crate) fn convert(self, rgba: &[u8]) -> Result<Cow<'_, [u8]>> {
        if self == Layout::Rgba8 {
            return Ok(Cow::Borrowed(rgba));
        }
        let channels = self.channels();
        let mut out = vec![0u8; rgba.len() / 4 * channels];
        // Pixels per piece: a pixel is a "row" of 4 bytes.
        let piece = rows_per_check(4);
        let progress = Progress::new(rgba.len() as u64);
        let outcome = rgba.chunks(piece * 4).zip(out.chunks_mut(piece * channels)).try_for_each(|(rgba, out)| {
            self.convert_into(rgba, out);
            progress.step(rgba.len() as u64)
        });
        keep(outcome, out).map(Cow::Owned)
    }
}

/// Validates `quality` for `format`: `None`, or `Some(1..=100)` for a format that
/// [supports a quality](ImageFormat::supports_quality).
fn check_quality(format: ImageFormat, quality: Option<u8>) -> Result<Option<u8>> {
    match quality {
        None => Ok(None),
        Some(q) if !format.supports_quality() => Err(Error::InvalidArgument(format!(
            "quality {q} was given but {format} has no quality setting (only JPEG, WebP and AVIF have)"
        ))),
        Some(q @ 1..=100) => Ok(Some(q)),
        Some(q) => Err(Error::InvalidArgument(format!("{format} quality {q} is out of range: it must be 1..=100"))),
    }
}

/// The format selected by the extension of `path` (case-insensitive).
pub(crate) fn format_from_path(path: &Path) -> Result<ImageFormat> {
    let extension = path.extension().and_then(|ext| ext.to_str());
    match extension {
        Some(ext) => ImageFormat::from_extension(ext).ok_or_else(|| {
            Error::UnsupportedFormat(format!(
                "cannot save '{}': unknown extension '.{ext}' (use png, jpg, jpeg, webp, bmp, tif, \
                 tiff, gif, qoi, tga, pnm, ppm, pgm, ico or avif)",
                path.display()
            ))
        }),
        None => Err(Error::UnsupportedFormat(format!(
            "cannot save '{}': the file name has no extension to choose the format from",
            path.display()
        ))),
    }
}

/// Prefixes an error's message with "cannot save '<path>': ", keeping its kind.
fn in_save_context(path: &Path, err: Error) -> Error {
    let reword = |m: String| format!("cannot save '{}': {m}", path.display());
    match err {
        Error::NotFound(m) => Error::NotFound(reword(m)),
        Error::PermissionDenied(m) => Error::PermissionDenied(reword(m)),
        Error::Io(m) => Error::Io(reword(m)),
        Error::UnsupportedFormat(m) => Error::UnsupportedFormat(reword(m)),
        Error::Decode(m) => Error::Decode(reword(m)),
        Error::Encode(m) => Error::Encode(reword(m)),
        Error::InvalidArgument(m) => Error::InvalidArgument(reword(m)),
        Error::LimitExceeded(m) => Error::LimitExceeded(reword(m)),
        Error::Cancelled(m) => Error::Cancelled(reword(m)),
    }
}

/// The share of a save's progress that encoding takes; the rest is writing the file.
const SAVE_ENCODE_SHARE: f32 = 0.9;

/// The share of a grey JPEG's encoding that computing the grey samples takes.
const GREY_SHARE: f32 = 0.1;

/// The share of [`Image::encode`]'s progress that converting the pixels to the format's layout
/// takes, for the formats of the `image` crate, lossy WebP and AVIF; the rest is the encoder's.
pub(crate) const CONVERT_SHARE: f32 = 0.15;

/// Encodes with `encode` in the encoding share of a save's progress, then writes the result to
/// `path` atomically ([`write_atomically`]).
fn encode_and_write(path: &Path, encode: impl FnOnce() -> Result<Vec<u8>>) -> Result<()> {
    let bytes = control::stage(0.0, SAVE_ENCODE_SHARE, encode).map_err(|e| in_save_context(path, e))?;
    let written = write_atomically(path, &bytes);
    // Freeing a large buffer takes a while: not on this thread (see `discard`).
    discard(bytes);
    written
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory is written
/// (checking for cancellation every MiB) and then renamed over `path`. On any failure, and on a
/// cancel before the rename, the temporary file is removed and an existing `path` is left
/// untouched. Once renamed, the save is done: a cancel that comes later changes nothing.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = control::stage(SAVE_ENCODE_SHARE, 1.0, || write_temporary(path, bytes)).map_err(|e| match e {
        Error::Cancelled(_) => in_save_context(path, e),
        other => other,
    })?;
    let replaced = open_large_file_to_replace(path);
    let mut temp = Some(temp);
    let renamed = replace_with_retries(
        || {
            let file = temp.take().expect("the temporary file is put back after every failed attempt");
            file.persist(path).map(drop).map_err(|failed| {
                temp = Some(failed.file);
                failed.error
            })
        },
        REPLACE_RETRY_DELAYS,
        |error| cfg!(windows) && is_windows_file_in_use(error),
    );
    if let Some(replaced) = replaced {
        close_on_a_thread(replaced);
    }
    // On failure `temp` still holds the temporary file: dropping it deletes it.
    renamed.map_err(|error| replace_error(path, &error, cfg!(windows)))
}

/// Files of at least this many bytes that a save deletes (its temporary file after a failure,
/// the file it replaces) are closed on a thread of their own.
const CLOSE_ON_A_THREAD_FROM: u64 = 16 << 20;

/// Closes a file on a thread of its own. The last close of a deleted file frees its blocks,
/// which takes a while for a large one (40 ms for 300 MB measured on a 2-core VM, 0.7 s for a
/// 558 MB file replaced by a rename), so a save, finished or cancelled, does not wait for it.
fn close_on_a_thread(file: std::fs::File) {
    // If no thread can be started, `spawn` drops the closure, and closes the file, here.
    let _ = std::thread::Builder::new().name("pixbridge-discard".into()).spawn(move || drop(file));
}

/// The file at `path`, opened, if it is a large regular file that the rename is about to
/// replace: held open, its blocks are freed when it is closed ([`close_on_a_thread`]) rather
/// than in the rename. Not on Windows, where an open file may stop the rename.
fn open_large_file_to_replace(path: &Path) -> Option<std::fs::File> {
    if cfg!(windows) {
        return None;
    }
    // Only a regular file: opening a FIFO would wait for a writer.
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() < CLOSE_ON_A_THREAD_FROM {
        return None;
    }
    std::fs::File::open(path).ok()
}

/// A temporary file next to `path` holding `bytes` (deleted when dropped).
fn write_temporary(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pixbridge-").suffix(".tmp");
    // NamedTempFile defaults to 0600; ask for what File::create would give (0666 minus umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir).map_err(|e| io_error("create a temporary file in", dir, &e))?;
    // No fsync: the rename makes the save atomic for every reader and against any failure of
    // this process; durability across a power cut is left to the OS, as every peer library does.
    // An fsync per save cost a thumbnail several times its own time (disk latency).
    let progress = Progress::new(bytes.len() as u64);
    let written = Watched::new(&mut temp, &progress).write_all(bytes);
    if let Err(error) = written {
        let error = unless_cancelled(&progress, io_error("write", temp.path(), &error));
        // The name goes now; the file, if large, is closed on a thread.
        let (file, name) = temp.into_parts();
        drop(name);
        if bytes.len() as u64 >= CLOSE_ON_A_THREAD_FROM {
            close_on_a_thread(file);
        }
        return Err(error);
    }
    Ok(temp)
}

/// How long to wait before each retry of a rename that Windows refused because the target was
/// in use. Virus scanners, search indexers and cloud-sync clients open a file that has just been
/// written for a moment; a rename over it in that moment fails, the next one a few milliseconds
/// later succeeds. A program that keeps the file open (an image viewer, an editor) still fails,
/// after about half a second, with the message of [`replace_error`]. Nothing is retried elsewhere:
/// a POSIX rename replaces a file whoever has it open.
#[cfg(windows)]
const REPLACE_RETRY_DELAYS: &[std::time::Duration] = &[
    std::time::Duration::from_millis(10),
    std::time::Duration::from_millis(20),
    std::time::Duration::from_millis(40),
    std::time::Duration::from_millis(80),
    std::time::Duration::from_millis(160),
    std::time::Duration::from_millis(200),
];
#[cfg(not(windows))]
const REPLACE_RETRY_DELAYS: &[std::time::Duration] = &[];

/// Windows' `ERROR_ACCESS_DENIED`: `MoveFileExW` over a file that another process has open
/// without `FILE_SHARE_DELETE` (also a read-only file or a folder of that name).
const WINDOWS_ERROR_ACCESS_DENIED: i32 = 5;
/// Windows' `ERROR_SHARING_VIOLATION`: the file is open in a mode that excludes this access.
const WINDOWS_ERROR_SHARING_VIOLATION: i32 = 32;
/// Windows' `ERROR_LOCK_VIOLATION`: another process has locked a part of the file.
const WINDOWS_ERROR_LOCK_VIOLATION: i32 = 33;

/// Whether a Windows rename failed because the target is (or may be) open in another process.
/// The numbers are Windows error codes; callers check `cfg!(windows)` first, since the same
/// numbers mean other things in POSIX `errno` (EIO, EPIPE, EDOM).
fn is_windows_file_in_use(error: &std::io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(WINDOWS_ERROR_ACCESS_DENIED | WINDOWS_ERROR_SHARING_VIOLATION | WINDOWS_ERROR_LOCK_VIOLATION)
    )
}

/// Runs `attempt` once, then again after each of `delays` while it fails with an error that
/// `transient` accepts; returns the first success or the last error.
fn replace_with_retries(
    mut attempt: impl FnMut() -> std::io::Result<()>,
    delays: &[std::time::Duration],
    transient: impl Fn(&std::io::Error) -> bool,
) -> std::io::Result<()> {
    let mut delays = delays.iter();
    loop {
        match attempt() {
            Ok(()) => return Ok(()),
            Err(error) => match delays.next() {
                Some(delay) if transient(&error) => std::thread::sleep(*delay),
                _ => return Err(error),
            },
        }
    }
}

/// The error of a failed rename of the temporary file over `path`. On Windows, a target that is
/// open in another program cannot be replaced (unlike POSIX, where the rename always wins and
/// the other program keeps reading the old file); the message says so and what to do, since the
/// system's own text ("Access is denied") reads like a permissions problem.
fn replace_error(path: &Path, error: &std::io::Error, windows: bool) -> Error {
    let base = io_error("replace", path, error);
    if !(windows && is_windows_file_in_use(error)) {
        return base;
    }
    let hint = "; on Windows a file cannot be replaced while another program has it open (an image \
                viewer, an editor, a virus scanner or sync client that did not let go within half a \
                second), or while it is read-only: close it or clear the attribute and save again, \
                or save under another name. The existing file is unchanged";
    match base {
        Error::PermissionDenied(message) => Error::PermissionDenied(message + hint),
        other => Error::Io(other.message().to_owned() + hint),
    }
}

impl Image {
    /// Encodes the image in memory.
    ///
    /// `quality` is `None` for the format's default, or `Some(1..=100)` for the formats that
    /// [support one](ImageFormat::supports_quality): JPEG (default 90), WebP (a quality makes it
    /// lossy, see [`Image::encode_webp`]; without one it is lossless) and AVIF (default 80, at
    /// the default speed, see [`Image::encode_avif`]). A quality for any other format, or
    /// outside 1..=100, is [`Error::InvalidArgument`]. ICO images larger than 256 x 256 are
    /// [`Error::InvalidArgument`].
    ///
    /// Channel layout: the image's [`ColorType`] at 8 bits per channel (L8, La8, Rgb8 or
    /// Rgba8), moved to the nearest layout the format can store (see [`ImageFormat`]'s
    /// variants). Grey is computed with the luma rule of [`Image::grayscale`]; dropped alpha is
    /// discarded, not blended.
    ///
    /// Metadata: a JPEG, PNG or WebP file gets the image's EXIF (orientation reset to 1), XMP,
    /// and its ICC profile if the pixels are still in it (see [`Image::metadata`]); use
    /// [`Image::encode_with`] with [`EncodeOptions::strip_metadata`] to leave them out.
    pub fn encode(&self, format: ImageFormat, quality: Option<u8>) -> Result<Vec<u8>> {
        let encoded = self.encode_pixels(format, quality)?;
        self.embed_metadata(format, encoded)
    }

    /// Adds the image's metadata to an encoded file (see [`Image::encode`]).
    fn embed_metadata(&self, format: ImageFormat, encoded: Vec<u8>) -> Result<Vec<u8>> {
        let Some(metadata) = self.metadata.as_deref() else { return Ok(encoded) };
        metadata::embed(format, encoded, &Embedded::of(metadata, self.profile), self.color_type.has_alpha())
    }

    /// [`Image::encode`] without the metadata.
    pub(crate) fn encode_pixels(&self, format: ImageFormat, quality: Option<u8>) -> Result<Vec<u8>> {
        let quality = check_quality(format, quality)?;
        let jpeg_quality = quality.unwrap_or(DEFAULT_JPEG_QUALITY);
        let (width, height) = (self.width, self.height);
        if format == ImageFormat::Ico && (width > MAX_ICO_SIZE || height > MAX_ICO_SIZE) {
            return Err(Error::InvalidArgument(format!(
                "a {width} x {height} image cannot be stored as ICO: icons are at most \
                 {MAX_ICO_SIZE} x {MAX_ICO_SIZE} pixels"
            )));
        }
        match format {
            ImageFormat::Jpeg => {
                return self.encode_jpeg(&JpegOptions { quality: jpeg_quality, ..JpegOptions::default() });
            }
            ImageFormat::Png => return self.encode_png(&PngOptions::default()),
            ImageFormat::WebP if quality.is_some() => return self.encode_webp(&WebPOptions { quality }),
            ImageFormat::Avif => {
                let quality = quality.unwrap_or(AvifOptions::DEFAULT_QUALITY);
                return self.encode_avif(&AvifOptions { quality, ..AvifOptions::default() });
            }
            _ => {}
        }
        let layout = Layout::for_format(self.color_type, format);
        let samples = control::stage(0.0, CONVERT_SHARE, || layout.convert(&self.pixels))?;
        let color = layout.extended();
        let mut out = Vec::new();
        let written = control::stage(CONVERT_SHARE, 1.0, || {
            // The encoder's output counted against the size of the samples: about what the
            // uncompressed formats write. (WebP, QOI and GIF encode the whole image in memory
            // first, so they see a cancel only when they write it out.)
            let progress = Progress::new(samples.len() as u64);
            // TIFF needs to seek; the others write to the vector directly (some, like BMP, a
            // pixel at a time).
            let written = if format == ImageFormat::Tiff {
                let writer = Watched::new(Cursor::new(&mut out), &progress);
                TiffEncoder::new(writer).write_image(&samples, width, height, color)
            } else {
                let mut writer = Watched::new(&mut out, &progress);
                match format {
                    // Handled above; kept for exhaustiveness.
                    ImageFormat::Png => PngEncoder::new(&mut writer).write_image(&samples, width, height, color),
                    ImageFormat::Jpeg => JpegEncoder::new_with_quality(&mut writer, jpeg_quality)
                        .write_image(&samples, width, height, color),
                    ImageFormat::WebP => {
                        WebPEncoder::new_lossless(&mut writer).write_image(&samples, width, height, color)
                    }
                    ImageFormat::Bmp => BmpEncoder::new(&mut writer).write_image(&samples, width, height, color),
                    ImageFormat::Tiff => unreachable!("TIFF is written above"),
                    ImageFormat::Avif => unreachable!("AVIF is written by `encode_avif`"),
                    ImageFormat::Gif => GifEncoder::new_with_speed(&mut writer, GIF_QUANTIZE_SPEED)
                        .write_image(&samples, width, height, color),
                    ImageFormat::Qoi => QoiEncoder::new(&mut writer).write_image(&samples, width, height, color),
                    ImageFormat::Tga => TgaEncoder::new(&mut writer).write_image(&samples, width, height, color),
                    ImageFormat::Pnm => {
                        let subtype = match layout {
                            Layout::L8 => PnmSubtype::Graymap(SampleEncoding::Binary),
                            Layout::Rgb8 => PnmSubtype::Pixmap(SampleEncoding::Binary),
                            Layout::La8 | Layout::Rgba8 => PnmSubtype::ArbitraryMap,
                        };
                        PnmEncoder::new(&mut writer).with_subtype(subtype).write_image(&samples, width, height, color)
                    }
                    ImageFormat::Ico => IcoEncoder::new(&mut writer).write_image(&samples, width, height, color),
                }
            };
            written.map_err(|e| {
                let subject = format!("cannot encode a {width} x {height} image as {format}");
                unless_cancelled(&progress, image_error(&subject, Stage::Encoding, e))
            })
        });
        // Freeing a large buffer takes a while: not on this thread (see `discard`).
        if let Cow::Owned(samples) = samples {
            discard(samples);
        }
        match written {
            Ok(()) => Ok(out),
            Err(error) => {
                discard(out);
                Err(error)
            }
        }
    }

    /// Encodes the image as JPEG with libjpeg-turbo (SIMD), with explicit options.
    ///
    /// Grey images ([`ColorType::L8`]/[`ColorType::La8`]) are written as one-channel JPEGs
    /// (luma of [`Image::grayscale`]), everything else as YCbCr with `options.subsampling`;
    /// alpha is dropped, not composited. A quality outside 1..=100 is
    /// [`Error::InvalidArgument`].
    ///
    /// Why libjpeg-turbo rather than `jpeg-encoder` (pure Rust, AVX2): it is already linked for
    /// decoding, reads our RGBA rows directly (no RGB copy) and offers progressive and
    /// optimised-Huffman output. The two have not been timed against each other yet.
    pub fn encode_jpeg(&self, options: &JpegOptions) -> Result<Vec<u8>> {
        let (width, height) = (self.width, self.height);
        if !(1..=100).contains(&options.quality) {
            return Err(Error::InvalidArgument(format!(
                "JPEG quality {} is out of range: it must be 1..=100",
                options.quality
            )));
        }
        // libjpeg-turbo compresses in one call that cannot be interrupted: a cancel takes effect
        // before and after it.
        let (grey, compress_from) = match Layout::for_format(self.color_type, ImageFormat::Jpeg) {
            Layout::L8 => (Some(control::stage(0.0, GREY_SHARE, || Layout::L8.convert(&self.pixels))?), GREY_SHARE),
            _ => (None, 0.0),
        };
        control::stage(compress_from, 1.0, || {
            control::check()?;
            jpeg::encode(&self.pixels, grey.as_deref(), width, height, options)
                .map_err(|e| Error::Encode(format!("cannot encode a {width} x {height} image as JPEG: {e}")))
        })
    }

    /// Encodes the image as PNG with an explicit compression level.
    ///
    /// Levels: 0 stores without compression; 1 (the default, as for
    /// [`Image::encode`]) uses the `fdeflate` encoder, which is specialised for PNG and far faster
    /// than zlib at level 1; 2..=9 use zlib levels (via `flate2`). Rows are filtered adaptively.
    /// Measured once on the 3840x2160 mosaic of `examples/pipeline_jobs.rs` (on a heavily loaded
    /// 2-core machine): level 1 encoded in 0.5 s to 9.1 MB, while `vips copy x.jpg y.png`
    /// (libvips' default, zlib level 6, JPEG decode included) took 2.0-2.4 s for 13.5 MB. A level above 9 is [`Error::InvalidArgument`]. Channel layout as for
    /// [`Image::encode`].
    pub fn encode_png(&self, options: &PngOptions) -> Result<Vec<u8>> {
        let compression = match options.compression {
            0 => png::DeflateCompression::NoCompression,
            1 => png::DeflateCompression::FdeflateUltraFast,
            level @ 2..=PngOptions::MAX_COMPRESSION => png::DeflateCompression::Level(level),
            level => {
                return Err(Error::InvalidArgument(format!(
                    "PNG compression level {level} is out of range: it must be 0..={}",
                    PngOptions::MAX_COMPRESSION
                )));
            }
        };
        let layout = Layout::for_format(self.color_type, ImageFormat::Png);
        let mut out = Vec::new();
        match self.write_png(&mut out, layout, compression) {
            Ok(()) => Ok(out),
            Err(error) => {
                discard(out);
                Err(error)
            }
        }
    }

    /// [`Image::encode_png`] into `out`, checking for cancellation after every row.
    fn write_png(&self, out: &mut Vec<u8>, layout: Layout, compression: png::DeflateCompression) -> Result<()> {
        let (width, height) = (self.width, self.height);
        let failed =
            |e: png::EncodingError| Error::Encode(format!("cannot encode a {width} x {height} image as PNG: {e}"));
        // Rows are converted and compressed one at a time, so encoding holds no full-size copy
        // of the image: neither the converted samples nor the filtered rows.
        let mut encoder = png::Encoder::new(out, width, height);
        encoder.set_color(layout.png());
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_deflate_compression(compression);
        encoder.set_filter(png::Filter::Adaptive);
        let mut writer = encoder.write_header().map_err(failed)?;
        let mut samples = vec![0u8; width as usize * layout.channels()];
        // IDAT chunks of up to 256 KiB (the stream writer's default is 4 KiB: many chunk headers).
        let mut stream = writer.stream_writer_with_size(256 << 10).map_err(failed)?;
        let progress = Progress::new(u64::from(height));
        for row in self.pixels.chunks_exact(width as usize * 4) {
            layout.convert_into(row, &mut samples);
            stream.write_all(&samples).map_err(|e| failed(e.into()))?;
            progress.step(1)?;
        }
        stream.finish().map_err(failed)?;
        writer.finish().map_err(failed)
    }

    /// Saves the image to `path`, choosing the format from the extension (case-insensitive:
    /// png, jpg/jpeg, webp, bmp, tif/tiff, gif, qoi, tga, pnm/ppm/pgm, ico, avif) with default
    /// quality. An unknown or missing extension is [`Error::UnsupportedFormat`].
    ///
    /// The write is atomic (see [`Image::save_as`]).
    pub fn save(&self, path: &Path) -> Result<()> {
        let format = format_from_path(path)?;
        self.save_as(path, format, None)
    }

    /// Saves the image to `path` in `format` (the extension is not consulted), with `quality`
    /// as in [`Image::encode`].
    ///
    /// Atomic: the file is encoded fully in memory, written to a temporary file in the same
    /// directory and renamed over `path`. A failure never leaves a half-written file, and an
    /// existing file at `path` is either replaced whole or left untouched. (A symbolic link at
    /// `path` is itself replaced, not written through.) New files get the permissions
    /// `File::create` would give them. The file is not fsynced: durability across a power cut
    /// is the operating system's, as for an ordinary write.
    pub fn save_as(&self, path: &Path, format: ImageFormat, quality: Option<u8>) -> Result<()> {
        encode_and_write(path, || self.encode(format, quality))
    }

    /// Encodes in `format` with explicit options: JPEG through [`Image::encode_jpeg`] with
    /// `options.jpeg`, PNG through [`Image::encode_png`] with `options.png`, WebP through
    /// [`Image::encode_webp`] with `options.webp`, AVIF through [`Image::encode_avif`] with
    /// `options.avif`, every other format as [`Image::encode`] with its default (those formats
    /// take no options).
    pub fn encode_with(&self, format: ImageFormat, options: &EncodeOptions) -> Result<Vec<u8>> {
        let encoded = match format {
            ImageFormat::Jpeg => self.encode_jpeg(&options.jpeg),
            ImageFormat::Png => self.encode_png(&options.png),
            ImageFormat::WebP => self.encode_webp(&options.webp),
            ImageFormat::Avif => self.encode_avif(&options.avif),
            other => self.encode_pixels(other, None),
        }?;
        if options.strip_metadata { Ok(encoded) } else { self.embed_metadata(format, encoded) }
    }

    /// Saves to `path` with explicit options ([`Image::encode_with`]); the format comes from
    /// `format`, or from the extension when it is `None`. Atomic like [`Image::save_as`].
    pub fn save_with(&self, path: &Path, format: Option<ImageFormat>, options: &EncodeOptions) -> Result<()> {
        let format = match format {
            Some(format) => format,
            None => format_from_path(path)?,
        };
        encode_and_write(path, || self.encode_with(format, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_refused_as_in_use_is_retried_until_it_succeeds() {
        let delays = [std::time::Duration::ZERO; 4];
        let mut attempts = 0;
        let result = replace_with_retries(
            || {
                attempts += 1;
                if attempts < 3 { Err(std::io::Error::from_raw_os_error(32)) } else { Ok(()) }
            },
            &delays,
            is_windows_file_in_use,
        );
        assert!(result.is_ok());
        assert_eq!(attempts, 3);
    }

    #[test]
    fn a_rename_held_in_use_fails_after_the_last_delay_with_the_last_error() {
        let delays = [std::time::Duration::ZERO; 4];
        let mut attempts = 0;
        let error = replace_with_retries(
            || {
                attempts += 1;
                Err(std::io::Error::from_raw_os_error(5))
            },
            &delays,
            is_windows_file_in_use,
        )
        .unwrap_err();
        assert_eq!(attempts, 5);
        assert_eq!(error.raw_os_error(), Some(5));
    }

    #[test]
    fn other_rename_errors_are_not_retried() {
        let delays = [std::time::Duration::ZERO; 4];
        let mut attempts = 0;
        let error = replace_with_retries(
            || {
                attempts += 1;
                Err(std::io::Error::from_raw_os_error(2))
            },
            &delays,
            is_windows_file_in_use,
        )
        .unwrap_err();
        assert_eq!(attempts, 1);
        assert_eq!(error.raw_os_error(), Some(2));
        // And nothing is retried where REPLACE_RETRY_DELAYS is empty (every system but Windows).
        assert_eq!(REPLACE_RETRY_DELAYS.is_empty(), !cfg!(windows));
    }

    #[test]
    fn windows_in_use_codes_are_access_denied_sharing_and_lock_violations() {
        for code in [5, 32, 33] {
            assert!(is_windows_file_in_use(&std::io::Error::from_raw_os_error(code)), "{code}");
        }
        for code in [2, 3, 80, 183] {
            assert!(!is_windows_file_in_use(&std::io::Error::from_raw_os_error(code)), "{code}");
        }
        assert!(!is_windows_file_in_use(&std::io::Error::other("no OS code")));
    }

    #[test]
    fn a_target_in_use_on_windows_is_explained_and_elsewhere_not() {
        let path = Path::new("photos/out.png");
        let in_use = std::io::Error::from_raw_os_error(32);
        let windows = replace_error(path, &in_use, true);
        let message = windows.message();
        assert!(message.starts_with("cannot replace 'photos/out.png': "), "{message}");
        assert!(message.contains("another program has it open"), "{message}");
        assert!(message.ends_with("The existing file is unchanged"), "{message}");
        // The same number is EPIPE on Linux: no Windows advice there.
        let elsewhere = replace_error(path, &in_use, false);
        assert!(!elsewhere.message().contains("another program"), "{}", elsewhere.message());
        assert_eq!(elsewhere.message(), io_error("replace", path, &in_use).message());
        // Errors that are not about the file being in use keep the plain message on Windows too.
        let missing = replace_error(path, &std::io::Error::from_raw_os_error(3), true);
        assert!(!missing.message().contains("another program"), "{}", missing.message());
    }

    #[test]
    fn quality_rules() {
        let with_quality = [ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Avif];
        for format in with_quality {
            assert!(format.supports_quality(), "{format}");
            assert_eq!(check_quality(format, None).unwrap(), None);
            assert_eq!(check_quality(format, Some(1)).unwrap(), Some(1));
            assert_eq!(check_quality(format, Some(100)).unwrap(), Some(100));
            for bad in [0, 101, 255] {
                assert!(matches!(check_quality(format, Some(bad)), Err(Error::InvalidArgument(_))));
            }
        }
        for format in ImageFormat::ALL.into_iter().filter(|f| !with_quality.contains(f)) {
            assert!(!format.supports_quality(), "{format}");
            assert!(check_quality(format, None).is_ok());
            assert!(matches!(check_quality(format, Some(50)), Err(Error::InvalidArgument(_))));
        }
    }

    #[test]
    fn converting_into_a_row_buffer_equals_converting_to_a_new_one() {
        let rgba: Vec<u8> = (0..=255u8).chain((0..=255).rev()).take(4 * 97).collect();
        for layout in [Layout::L8, Layout::La8, Layout::Rgb8, Layout::Rgba8] {
            let mut row = vec![0u8; 97 * layout.channels()];
            layout.convert_into(&rgba, &mut row);
            assert_eq!(row, layout.convert(&rgba).unwrap().as_ref(), "{}", layout.channels());
        }
    }

    #[test]
    fn layouts_follow_the_colour_type_and_the_format() {
        use ColorType::*;
        let layout = Layout::for_format;
        assert_eq!(layout(L16, ImageFormat::Png), Layout::L8);
        assert_eq!(layout(La8, ImageFormat::Png), Layout::La8);
        assert_eq!(layout(Rgb32F, ImageFormat::Png), Layout::Rgb8);
        assert_eq!(layout(Rgba16, ImageFormat::Png), Layout::Rgba8);
        assert_eq!(layout(Rgba8, ImageFormat::Jpeg), Layout::Rgb8);
        assert_eq!(layout(La16, ImageFormat::Jpeg), Layout::L8);
        assert_eq!(layout(La8, ImageFormat::Tiff), Layout::Rgba8);
        assert_eq!(layout(L8, ImageFormat::Gif), Layout::Rgb8);
        assert_eq!(layout(La8, ImageFormat::Qoi), Layout::Rgba8);
        assert_eq!(layout(L8, ImageFormat::Pnm), Layout::L8);
        assert_eq!(layout(L8, ImageFormat::Avif), Layout::Rgb8);
        assert_eq!(layout(La16, ImageFormat::Avif), Layout::Rgba8);
        assert_eq!(layout(Rgb8, ImageFormat::Avif), Layout::Rgb8);
    }

    #[test]
    fn layout_conversion_by_index() {
        let rgba = [10, 20, 30, 40, 200, 100, 50, 255];
        assert_eq!(&*Layout::Rgba8.convert(&rgba).unwrap(), &rgba);
        assert_eq!(&*Layout::Rgb8.convert(&rgba).unwrap(), &[10, 20, 30, 200, 100, 50]);
        // Rec. 709 luma, rounded half up:
        // (2126*10 + 7152*20 + 722*30) / 10000 = 18.596 -> 19;
        // (2126*200 + 7152*100 + 722*50) / 10000 = 117.65 -> 118.
        assert_eq!(&*Layout::L8.convert(&rgba).unwrap(), &[19, 118]);
        assert_eq!(&*Layout::La8.convert(&rgba).unwrap(), &[19, 40, 118, 255]);
    }

    #[test]
    fn extension_rules() {
        let ok = |p: &str| format_from_path(Path::new(p)).unwrap();
        assert_eq!(ok("a.PNG"), ImageFormat::Png);
        assert_eq!(ok("dir.x/a.JpEg"), ImageFormat::Jpeg);
        assert_eq!(ok("a.jpg"), ImageFormat::Jpeg);
        assert_eq!(ok("a.tif"), ImageFormat::Tiff);
        assert_eq!(ok("a.pgm"), ImageFormat::Pnm);
        assert_eq!(ok("a.ppm"), ImageFormat::Pnm);
        assert_eq!(ok("a.AVIF"), ImageFormat::Avif);
        for bad in ["a", "a.", "a.txt", "a.png.bak", ".png"] {
            let err = format_from_path(Path::new(bad)).unwrap_err();
            assert!(matches!(err, Error::UnsupportedFormat(_)), "{bad}: {err:?}");
            assert!(err.message().contains(bad), "{err}");
        }
    }
}
