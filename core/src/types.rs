//! Plain value types shared by the whole API: formats, filters, colour types and decode limits.
//!
//! The variant lists of the enums are macros (`with_image_formats!`, ...) so that the bindings'
//! runtime builds its C-ABI enums, with the same stable numbers, from the same lists.

#![forbid(unsafe_code)]

use std::fmt;

/// Lists the variants of [`ImageFormat`] with their stable numbers and passes them to
/// `$callback!`: the core expands them into its enum below, the bindings' runtime into the C-ABI
/// enum with the same numbers, so the list exists once.
#[macro_export]
macro_rules! with_image_formats {
    ($callback:ident) => {
        $callback! {
            /// An encoded file format that Pixbridge can write (and read).
            ///
            /// Decoding recognises more formats than these (the format is detected from the content);
            /// this enum lists the targets of `Image::encode` and `Image::save`.
            ImageFormat {
                /// PNG (lossless). Writes L8, La8, Rgb8 or Rgba8.
                Png = 0,
                /// Baseline JPEG (lossy). Quality 1..=100, default 90. Writes L8 or Rgb8; alpha is dropped.
                Jpeg = 1,
                /// WebP: lossless by default (writes L8, La8, Rgb8 or Rgba8), or lossy with a quality
                /// 1..=100 (libwebp; writes Rgb8 or Rgba8, grey as Rgb8; alpha is kept, compressed
                /// losslessly). At most 16383 x 16383 pixels.
                WebP = 2,
                /// Windows bitmap. Writes L8, Rgb8 or Rgba8 (grey + alpha is written as Rgba8).
                Bmp = 3,
                /// TIFF. Writes L8, Rgb8 or Rgba8 (grey + alpha is written as Rgba8).
                Tiff = 4,
                /// GIF, single frame. Writes Rgb8 or Rgba8 (grey is written as Rgb8, grey + alpha as
                /// Rgba8); images with more than 256 colours are quantised by the encoder.
                Gif = 5,
                /// QOI (lossless). Writes Rgb8 or Rgba8 (grey is written as Rgb8, grey + alpha as Rgba8).
                Qoi = 6,
                /// Truevision TGA. Writes L8, La8, Rgb8 or Rgba8.
                Tga = 7,
                /// Netpbm: PGM (`P5`) for L8, PPM (`P6`) for Rgb8, PAM (`P7`) for La8 and Rgba8.
                Pnm = 8,
                /// Windows icon holding one RGBA8 PNG image (always Rgba8, as `image` reads only those);
                /// at most 256 x 256 pixels.
                Ico = 9,
                /// AVIF (AV1 still image, lossy), written by rav1e with a quality 1..=100 (default 80)
                /// and a speed 1..=10 (default 6). Writes Rgb8 or Rgba8 (grey is written as Rgb8,
                /// grey + alpha as Rgba8); alpha is kept. Encoding only: this build has no AV1
                /// decoder, so decoding an AVIF file is `UnsupportedFormat`.
                Avif = 10,
            }
        }
    };
}

/// Defines a plain enum from a variant list (see [`with_image_formats!`]): the variants with
/// their stable numbers as discriminants, `ALL` in numeric order, and `variant_name()`.
macro_rules! listed_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $number:literal,)* }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant = $number,)*
        }

        impl $name {
            /// Every variant, in the order of their stable numbers.
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant),*];

            /// The variant's name as written in Rust (`"Png"`, `"Lanczos3"`, `"Rgba8"`).
            pub fn variant_name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

with_image_formats!(listed_enum);

impl ImageFormat {
    /// The format that a file extension (without the dot, case-insensitive) selects:
    /// `png`, `jpg`/`jpeg`, `webp`, `bmp`, `tif`/`tiff`, `gif`, `qoi`, `tga`,
    /// `pnm`/`ppm`/`pgm`, `ico`, `avif`. Any other extension gives `None`.
    pub fn from_extension(extension: &str) -> Option<ImageFormat> {
        let lower = extension.to_ascii_lowercase();
        Some(match lower.as_str() {
            "png" => ImageFormat::Png,
            "jpg" | "jpeg" => ImageFormat::Jpeg,
            "webp" => ImageFormat::WebP,
            "bmp" => ImageFormat::Bmp,
            "tif" | "tiff" => ImageFormat::Tiff,
            "gif" => ImageFormat::Gif,
            "qoi" => ImageFormat::Qoi,
            "tga" => ImageFormat::Tga,
            "pnm" | "ppm" | "pgm" => ImageFormat::Pnm,
            "ico" => ImageFormat::Ico,
            "avif" => ImageFormat::Avif,
            _ => return None,
        })
    }

    /// A short human name of the format, e.g. `"PNG"`.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::WebP => "WebP",
            ImageFormat::Bmp => "BMP",
            ImageFormat::Tiff => "TIFF",
            ImageFormat::Gif => "GIF",
            ImageFormat::Qoi => "QOI",
            ImageFormat::Tga => "TGA",
            ImageFormat::Pnm => "PNM",
            ImageFormat::Ico => "ICO",
            ImageFormat::Avif => "AVIF",
        }
    }

    /// Whether the format accepts a quality setting: JPEG (1..=100, default 90), WebP (a quality
    /// makes it lossy; without one it is lossless) and AVIF (1..=100, default 80).
    pub fn supports_quality(self) -> bool {
        matches!(self, ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Avif)
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lists the variants of [`ResizeFilter`] with their stable numbers (see [`with_image_formats!`]).
#[macro_export]
macro_rules! with_resize_filters {
    ($callback:ident) => {
        $callback! {
            /// The resampling filter of `Image::resize`.
            ResizeFilter {
                /// Nearest neighbour with pixel-centre sampling (exact integer rule, see `Image::resize`).
                Nearest = 0,
                /// Bilinear (triangle filter, widened when shrinking).
                Bilinear = 1,
                /// Lanczos with three lobes (widened when shrinking).
                Lanczos3 = 2,
            }
        }
    };
}

with_resize_filters!(listed_enum);

impl ResizeFilter {
    /// The filter's name as used in the golden manifest: `"Nearest"`, `"Bilinear"`, `"Lanczos3"`.
    pub fn name(self) -> &'static str {
        self.variant_name()
    }

    /// The filter with the given name (exactly as [`ResizeFilter::name`] spells it).
    pub fn from_name(name: &str) -> Option<ResizeFilter> {
        Self::ALL.into_iter().find(|filter| filter.name() == name)
    }
}

impl fmt::Display for ResizeFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lists the variants of [`ColorType`] with their stable numbers (see [`with_image_formats!`]).
#[macro_export]
macro_rules! with_color_types {
    ($callback:ident) => {
        $callback! {
            /// The colour type an image was decoded from (its pixels are always stored as RGBA8).
            ///
            /// It decides the channel layout that encoders write: grey types are written as grey, types
            /// with alpha keep alpha, and everything is written at 8 bits per channel.
            ColorType {
                /// 8-bit grey.
                L8 = 0,
                /// 8-bit grey with alpha.
                La8 = 1,
                /// 8-bit RGB.
                Rgb8 = 2,
                /// 8-bit RGB with alpha (also the type of images made from raw pixels).
                Rgba8 = 3,
                /// 16-bit grey.
                L16 = 4,
                /// 16-bit grey with alpha.
                La16 = 5,
                /// 16-bit RGB.
                Rgb16 = 6,
                /// 16-bit RGB with alpha.
                Rgba16 = 7,
                /// 32-bit float RGB.
                Rgb32F = 8,
                /// 32-bit float RGB with alpha.
                Rgba32F = 9,
            }
        }
    };
}

with_color_types!(listed_enum);

impl ColorType {
    /// Whether this colour type has an alpha channel.
    pub fn has_alpha(self) -> bool {
        matches!(self, ColorType::La8 | ColorType::Rgba8 | ColorType::La16 | ColorType::Rgba16 | ColorType::Rgba32F)
    }

    /// Whether this colour type is grey (one colour channel).
    pub fn is_grey(self) -> bool {
        matches!(self, ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16)
    }

    /// The 8-bit colour type with the same channels (`L16` -> `L8`, `Rgb32F` -> `Rgb8`, ...).
    pub fn to_8bit(self) -> ColorType {
        match (self.is_grey(), self.has_alpha()) {
            (true, false) => ColorType::L8,
            (true, true) => ColorType::La8,
            (false, false) => ColorType::Rgb8,
            (false, true) => ColorType::Rgba8,
        }
    }

    /// Bytes per pixel of this colour type in its own layout (e.g. 16 for `Rgba32F`).
    pub fn bytes_per_pixel(self) -> u32 {
        match self {
            ColorType::L8 => 1,
            ColorType::La8 | ColorType::L16 => 2,
            ColorType::Rgb8 => 3,
            ColorType::Rgba8 | ColorType::La16 => 4,
            ColorType::Rgb16 => 6,
            ColorType::Rgba16 => 8,
            ColorType::Rgb32F => 12,
            ColorType::Rgba32F => 16,
        }
    }

    /// Maps the colour type reported by an `image` decoder. Types this enum cannot name
    /// (the `image` enum is non-exhaustive) fall back to the nearest of the ten.
    pub(crate) fn from_image(color: image::ColorType) -> ColorType {
        match color {
            image::ColorType::L8 => ColorType::L8,
            image::ColorType::La8 => ColorType::La8,
            image::ColorType::Rgb8 => ColorType::Rgb8,
            image::ColorType::Rgba8 => ColorType::Rgba8,
            image::ColorType::L16 => ColorType::L16,
            image::ColorType::La16 => ColorType::La16,
            image::ColorType::Rgb16 => ColorType::Rgb16,
            image::ColorType::Rgba16 => ColorType::Rgba16,
            image::ColorType::Rgb32F => ColorType::Rgb32F,
            image::ColorType::Rgba32F => ColorType::Rgba32F,
            other if other.has_alpha() => ColorType::Rgba8,
            _ => ColorType::Rgb8,
        }
    }
}

/// Resource limits applied when decoding, checked from the file header BEFORE any large
/// allocation.
///
/// A file is rejected with [`Error::LimitExceeded`] when its width exceeds `max_width`, its
/// height exceeds `max_height`, or `width * height * max(bytes per pixel of the decoded colour
/// type, 4)` exceeds `max_decoded_bytes`. `max_decoded_bytes` is also handed to the decoders
/// as their allocation budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeLimits {
    /// Largest accepted width in pixels (default 32768).
    pub max_width: u32,
    /// Largest accepted height in pixels (default 32768).
    pub max_height: u32,
    /// Largest accepted size of the decoded pixel data in bytes (default 512 MiB).
    pub max_decoded_bytes: u64,
}

impl DecodeLimits {
    /// Default maximum width: 32768 pixels.
    pub const DEFAULT_MAX_WIDTH: u32 = 32768;
    /// Default maximum height: 32768 pixels.
    pub const DEFAULT_MAX_HEIGHT: u32 = 32768;
    /// Default maximum decoded size: 512 MiB.
    pub const DEFAULT_MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;
}

impl Default for DecodeLimits {
    /// 32768 x 32768 pixels and 512 MiB of decoded data.
    fn default() -> Self {
        DecodeLimits {
            max_width: Self::DEFAULT_MAX_WIDTH,
            max_height: Self::DEFAULT_MAX_HEIGHT,
            max_decoded_bytes: Self::DEFAULT_MAX_DECODED_BYTES,
        }
    }
}

/// Options of [`Image::decode_with`](crate::Image::decode_with) and
/// [`Image::open_with`](crate::Image::open_with).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DecodeOptions {
    /// Resource limits, checked against the file's full (unscaled) dimensions from its header.
    pub limits: DecodeLimits,
    /// The smallest size, in upright (EXIF-oriented) pixels, the caller needs. `None` decodes
    /// at full size. With `Some((width, height))` a JPEG may be decoded at 1/2, 1/4 or 1/8 of
    /// its size (libjpeg-turbo's DCT scaling, much cheaper than a full decode), choosing the
    /// smallest of those scales whose result is still at least `width` x `height`. Other
    /// formats are always decoded at full size, so callers must not rely on the result being
    /// smaller.
    pub min_size: Option<(u32, u32)>,
    /// What a decode does with data that is truncated or corrupt after a valid header.
    /// `false` (the default, strict): it fails with [`Error::Decode`](crate::Error::Decode),
    /// whose message says how many rows were decoded before the damage. `true` (lenient): it
    /// returns what could be decoded, marked with [`Image::decode_warning`](crate::Image::decode_warning);
    /// a JPEG's damaged blocks are grey (libjpeg-turbo's recovery, which resumes at the next
    /// restart marker); rows other decoders never reached are black (transparent where the
    /// format has alpha).
    /// A file whose header is unreadable, that breaks a limit, or of which not one row could be
    /// decoded fails either way.
    pub lenient: bool,
    /// What a decode does with a file that embeds an ICC profile (JPEG APP2, PNG `iCCP`, WebP
    /// `ICCP`, TIFF). `false` (the default): the pixels are converted to sRGB, so that they
    /// show, resize and save with the right colours, and
    /// [`Image::color_profile`](crate::Image::color_profile) is
    /// [`ColorProfile::Srgb`](crate::ColorProfile::Srgb). `true`: the pixels are kept as stored,
    /// the image is [`ColorProfile::Embedded`](crate::ColorProfile::Embedded), and a save into a
    /// format that can hold a profile writes it back. Grey profiles are converted too; a profile
    /// of another colour space (CMYK, Lab) or one that cannot be read leaves the pixels as
    /// decoded, as [`ColorProfile::None`](crate::ColorProfile::None).
    pub keep_profile: bool,
}

/// Lists the variants of [`ThumbnailFit`] with their stable numbers (see [`with_image_formats!`]).
#[macro_export]
macro_rules! with_thumbnail_fits {
    ($callback:ident) => {
        $callback! {
            /// How a thumbnail fits the image into the requested box.
            ThumbnailFit {
                /// The whole image, aspect ratio kept, as large as fits inside the box: one side equals the
                /// box's, the other is at most the box's.
                Contain = 0,
                /// The box exactly, aspect ratio kept: the image is scaled to cover the box and the excess is
                /// cut off equally on both sides (centre crop).
                Cover = 1,
                /// The box exactly, the image stretched on each axis independently.
                Fill = 2,
            }
        }
    };
}

with_thumbnail_fits!(listed_enum);

impl Default for ThumbnailFit {
    /// [`ThumbnailFit::Contain`].
    fn default() -> Self {
        ThumbnailFit::Contain
    }
}

impl ThumbnailFit {
    /// The fit's name: `"Contain"`, `"Cover"`, `"Fill"`.
    pub fn name(self) -> &'static str {
        self.variant_name()
    }

    /// The fit with the given name (exactly as [`ThumbnailFit::name`] spells it).
    pub fn from_name(name: &str) -> Option<ThumbnailFit> {
        Self::ALL.into_iter().find(|fit| fit.name() == name)
    }
}

impl fmt::Display for ThumbnailFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Options of [`Image::thumbnail`](crate::Image::thumbnail).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThumbnailOptions {
    /// Resource limits for decoding the source (checked against its full size).
    pub limits: DecodeLimits,
    /// Whether a source smaller than the box may be enlarged (default `false`: it keeps its size
    /// on the axes where it is smaller).
    pub allow_upscale: bool,
    /// Whether the thumbnail keeps the source's metadata (EXIF, XMP, PNG text) so that a save
    /// writes it. Default `false`: thumbnails are for display, and stripping keeps them small
    /// and private (no camera or GPS data). Colours are converted to sRGB either way.
    pub keep_metadata: bool,
}

/// Lists the variants of [`ChromaSubsampling`] with their stable numbers (see [`with_image_formats!`]).
#[macro_export]
macro_rules! with_chroma_subsamplings {
    ($callback:ident) => {
        $callback! {
            /// Chroma subsampling of a JPEG's colour (Cb, Cr) channels.
            ChromaSubsampling {
                /// 4:2:0: colour at half resolution on both axes (the default; what cameras and most
                /// encoders write).
                Yuv420 = 0,
                /// 4:2:2: colour at half horizontal resolution.
                Yuv422 = 1,
                /// 4:4:4: colour at full resolution (larger files, sharper colour edges).
                Yuv444 = 2,
            }
        }
    };
}

with_chroma_subsamplings!(listed_enum);

impl Default for ChromaSubsampling {
    /// [`ChromaSubsampling::Yuv420`].
    fn default() -> Self {
        ChromaSubsampling::Yuv420
    }
}

/// Options of [`Image::encode_jpeg`](crate::Image::encode_jpeg).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JpegOptions {
    /// Quality 1..=100 (default [`DEFAULT_JPEG_QUALITY`](crate::DEFAULT_JPEG_QUALITY), 90).
    pub quality: u8,
    /// Chroma subsampling (default 4:2:0). Grey images have no chroma and ignore it.
    pub subsampling: ChromaSubsampling,
    /// Write a progressive JPEG (default `false`: baseline).
    pub progressive: bool,
    /// Compute optimal Huffman tables for this image (a few % smaller, somewhat slower; default
    /// `false`). Progressive JPEGs always use optimal tables.
    pub optimize_huffman: bool,
}

impl Default for JpegOptions {
    /// Quality 90, 4:2:0, baseline, standard Huffman tables.
    fn default() -> Self {
        JpegOptions {
            quality: crate::encode::DEFAULT_JPEG_QUALITY,
            subsampling: ChromaSubsampling::Yuv420,
            progressive: false,
            optimize_huffman: false,
        }
    }
}

/// Options of [`Image::encode_png`](crate::Image::encode_png).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PngOptions {
    /// DEFLATE level 0..=9: 0 stores uncompressed, 1 is fastest, 9 smallest. Default
    /// [`PngOptions::DEFAULT_COMPRESSION`].
    pub compression: u8,
}

impl PngOptions {
    /// The default compression level. See [`Image::encode_png`](crate::Image::encode_png) for
    /// how it compares with libvips' default in size and time.
    pub const DEFAULT_COMPRESSION: u8 = 1;
    /// The largest compression level.
    pub const MAX_COMPRESSION: u8 = 9;
}

impl Default for PngOptions {
    fn default() -> Self {
        PngOptions { compression: Self::DEFAULT_COMPRESSION }
    }
}

/// Options of [`Image::encode_with`](crate::Image::encode_with) and
/// [`Image::save_with`](crate::Image::save_with): each format reads the options that apply to it
/// and ignores the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EncodeOptions {
    /// JPEG quality, subsampling, progressive and Huffman options.
    pub jpeg: JpegOptions,
    /// PNG compression level.
    pub png: PngOptions,
    /// WebP: lossless (the default) or lossy at a quality.
    pub webp: WebPOptions,
    /// AVIF quality and speed.
    pub avif: AvifOptions,
    /// Leave out the metadata (EXIF, XMP, ICC profile) a save would otherwise keep where the
    /// format can carry it (default `false`: keep it).
    pub strip_metadata: bool,
}

/// WebP options of [`EncodeOptions`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct WebPOptions {
    /// `None` (the default): lossless, through the `image` crate's encoder (L8, La8, Rgb8 or
    /// Rgba8 as the image has them). `Some(1..=100)`: lossy at that quality (1 smallest, 100
    /// best), through libwebp; grey is written as RGB and alpha is kept (compressed losslessly).
    /// Another value is [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    pub quality: Option<u8>,
}

/// AVIF options of [`EncodeOptions`] (rav1e through `ravif`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AvifOptions {
    /// Quality 1 (smallest) to 100 (best); default [`AvifOptions::DEFAULT_QUALITY`]. Alpha is
    /// encoded at the same quality.
    pub quality: u8,
    /// Encoder speed 1 (slowest, smallest files) to 10 (fastest); default
    /// [`AvifOptions::DEFAULT_SPEED`].
    pub speed: u8,
}

impl AvifOptions {
    /// The default quality, 80 (`cavif`'s default, and the quality [`Image::encode`](crate::Image::encode)
    /// uses for AVIF without one).
    pub const DEFAULT_QUALITY: u8 = 80;
    /// The default speed, 6 (as `avifenc`'s): a 12 MP photograph in seconds rather than minutes.
    pub const DEFAULT_SPEED: u8 = 6;
}

impl Default for AvifOptions {
    /// Quality 80, speed 6.
    fn default() -> Self {
        AvifOptions { quality: Self::DEFAULT_QUALITY, speed: Self::DEFAULT_SPEED }
    }
}

/// Lists the variants of [`PixelFormat`] with their stable numbers (see [`with_image_formats!`]).
#[macro_export]
macro_rules! with_pixel_formats {
    ($callback:ident) => {
        $callback! {
            /// The byte layout of pixels a program already holds, for `Image::from_pixel_data` and
            /// `Image::copy_pixel_data`: 8 bits per channel, channels named in memory order (byte 0
            /// first), whatever the machine's endianness.
            ///
            /// Straight and premultiplied alpha are converted exactly: premultiplying is
            /// `c' = round(c * a / 255)`, unpremultiplying `c = min(255, round(c' * 255 / a))`
            /// (halves rounded up), and `a = 0` gives `0, 0, 0, 0`. `X` bytes are ignored on input
            /// and written as 255.
            PixelFormat {
                /// R, G, B, A, straight alpha: Pixbridge's own layout, PNG's, HTML canvas
                /// `ImageData`, SkiaSharp `Rgba8888`/`Unpremul`.
                Rgba8 = 0,
                /// B, G, R, A, straight alpha: System.Drawing `Format32bppArgb`, Java
                /// `TYPE_INT_ARGB` read as bytes on a little-endian machine, SkiaSharp
                /// `Bgra8888`/`Unpremul`, WPF `Bgra32`.
                Bgra8 = 1,
                /// R, G, B, no alpha: PPM, Pillow's `"RGB"` mode, numpy `(height, width, 3)` arrays.
                Rgb8 = 2,
                /// B, G, R, no alpha: Java `TYPE_3BYTE_BGR`, Windows 24-bit bitmaps
                /// (`Format24bppRgb`, WPF `Bgr24`).
                Bgr8 = 3,
                /// One grey byte: Java `TYPE_BYTE_GRAY`, SkiaSharp `Gray8`, WPF `Gray8`. Written as
                /// the Rec. 709 luma the encoders use (alpha is dropped); read as an `L8` image.
                Gray8 = 4,
                /// R, G, B, A, premultiplied alpha: SkiaSharp `Rgba8888`/`Premul`.
                Rgba8Premultiplied = 5,
                /// B, G, R, A, premultiplied alpha: SkiaSharp's default `Bgra8888`/`Premul`, WPF
                /// `Pbgra32`, System.Drawing `Format32bppPArgb`, Avalonia's default.
                Bgra8Premultiplied = 6,
                /// A, R, G, B, straight alpha: Java `TYPE_INT_ARGB` read as bytes on a big-endian
                /// machine or through a big-endian `ByteBuffer`.
                Argb8 = 7,
                /// A, B, G, R, straight alpha: Java `TYPE_4BYTE_ABGR`.
                Abgr8 = 8,
                /// R, G, B, X (ignored byte): Java `TYPE_INT_BGR` read as bytes on little-endian.
                Rgbx8 = 9,
                /// B, G, R, X (ignored byte): Java `TYPE_INT_RGB` read as bytes on little-endian,
                /// SkiaSharp `Rgb888x`, System.Drawing `Format32bppRgb`, WPF `Bgr32`.
                Bgrx8 = 10,
                /// A, R, G, B, premultiplied alpha: Java `TYPE_INT_ARGB_PRE` read as bytes on a
                /// big-endian machine.
                Argb8Premultiplied = 11,
                /// A, B, G, R, premultiplied alpha: Java `TYPE_4BYTE_ABGR_PRE`.
                Abgr8Premultiplied = 12,
            }
        }
    };
}

with_pixel_formats!(listed_enum);

/// Lists the variants of [`ColorProfile`] with their stable numbers (see
/// [`with_image_formats!`](crate::with_image_formats)).
#[macro_export]
macro_rules! with_color_profiles {
    ($callback:ident) => {
        $callback! {
            /// What an image's pixels are encoded in.
            ColorProfile {
                /// The file had no ICC profile (or one that could not be read): the pixels are taken to
                /// be sRGB, as browsers and every peer do.
                None = 0,
                /// sRGB: the file's profile was sRGB, or the pixels were converted to sRGB from the
                /// profile they were stored in (the default on decode).
                Srgb = 1,
                /// The pixels are as stored in the file, in the colour space of its ICC profile, which
                /// the image keeps (decoded with the `keep_profile` option) and a save writes back.
                Embedded = 2,
            }
        }
    };
}

with_color_profiles!(listed_enum);

impl Default for ColorProfile {
    /// [`ColorProfile::None`].
    fn default() -> Self {
        ColorProfile::None
    }
}
