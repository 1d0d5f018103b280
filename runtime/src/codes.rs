//! Stable numeric codes for the enums that cross the language boundary.
//!
//! Foreign callers pass these as plain `u32` so that an out-of-range value is an
//! `InvalidArgument` error rather than an invalid Rust enum (undefined behaviour).

use interoptopus::ffi;
use pixbridge_core as core;

use crate::error::{Error, Result};

/// The stable number of an enum variant that crosses the C ABI, where pixbridge.h declares
/// every code `uint32_t` (and C#, Java and the Rust loader read 32 bits).
///
/// `#[ffi]` gives an enum whose discriminants are all literals the smallest repr that fits
/// (`u8` here), so exports returned one byte that callers read as four (the upper bytes were
/// whatever the register held). It falls back to a 32-bit repr for a discriminant it cannot
/// evaluate, such as a call to this function; the assertions below pin the sizes.
pub(crate) const fn code(number: i32) -> i32 {
    number
}

const _: () = {
    assert!(size_of::<ErrorCode>() == 4);
    assert!(size_of::<ImageFormat>() == 4);
    assert!(size_of::<ResizeFilter>() == 4);
    assert!(size_of::<ColorType>() == 4);
    assert!(size_of::<ThumbnailFit>() == 4);
    assert!(size_of::<ChromaSubsampling>() == 4);
    assert!(size_of::<ColorProfile>() == 4);
    assert!(size_of::<MetadataBlock>() == 4);
    assert!(size_of::<ExifText>() == 4);
    // Matches `PixbridgeExifNumbers` in pixbridge.h: two `uint32_t`, six `double`.
    assert!(size_of::<ExifNumbers>() == 56);
    assert!(size_of::<PixelFormat>() == 4);
    assert!(size_of::<PluginOperationKind>() == 4);
    assert!(size_of::<PluginParameterType>() == 4);
    assert!(size_of::<PluginText>() == 4);
    // Matches `PixbridgeImageInfo` in pixbridge.h: three `uint32_t` fields.
    assert!(size_of::<ImageInfo>() == 12);
};

/// Defines a C-ABI enum (`#[ffi]`, 32 bits) from a variant list with stable numbers, with `ALL`
/// in numeric order, `name()`/`from_name()` (the variant names, as the golden manifest and
/// the SDKs spell them) and `from_code()`.
macro_rules! stable_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $number:literal,)* }) => {
        $(#[doc = $doc])*
        #[ffi]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant = code($number),)*
        }

        impl $name {
            /// Every variant, in numeric order.
            pub const ALL: [$name; [$($number),*].len()] = [$($name::$variant),*];

            /// The stable number of this variant.
            pub fn as_u32(self) -> u32 {
                self as u32
            }

            /// The variant's name, e.g. `"InvalidArgument"`.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)*
                }
            }

            /// Looks a variant up by its [`name`](Self::name).
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|variant| variant.name() == name)
            }

            /// Looks a variant up by its stable number.
            pub fn from_code(code: u32) -> Option<Self> {
                Self::ALL.into_iter().find(|variant| variant.as_u32() == code)
            }
        }
    };
}

/// [`stable_enum!`] over one of the core's variant lists, with conversions both ways.
macro_rules! core_mirror {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $number:literal,)* }) => {
        stable_enum! { $(#[doc = $doc])* $name { $($(#[doc = $vdoc])* $variant = $number,)* } }

        impl From<core::$name> for $name {
            fn from(value: core::$name) -> Self {
                match value {
                    $(core::$name::$variant => $name::$variant,)*
                }
            }
        }

        impl From<$name> for core::$name {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => core::$name::$variant,)*
                }
            }
        }
    };
}

stable_enum! {
    /// Outcome of every Pixbridge call, with stable numbers that never change meaning.
    ///
    /// After a call returns anything but `Ok`, the calling thread's last-error message
    /// (C ABI) or the exception message (C#, Java) holds the human-readable detail.
    ErrorCode {
        /// Success.
        Ok = 0,
        /// A required pointer argument was null.
        NullArgument = 1,
        /// The handle is null, forged, already destroyed, or of the wrong kind.
        InvalidHandle = 2,
        /// The file does not exist.
        NotFound = 3,
        /// Another I/O failure (a directory given as a file, disk full, ...).
        Io = 4,
        /// The operating system refused access.
        PermissionDenied = 5,
        /// Unknown content, unknown file extension, or a format not supported for this use.
        UnsupportedFormat = 6,
        /// The image data is corrupt or truncated.
        Decode = 7,
        /// The encoder failed.
        Encode = 8,
        /// A parameter is out of range (NaN sigma, crop outside the image, zero size, bad quality, ...).
        InvalidArgument = 9,
        /// The image exceeds the decode limits; checked before any large allocation.
        LimitExceeded = 10,
        /// A path or string was not valid UTF-8.
        InvalidUtf8 = 11,
        /// A caller-provided buffer was too small; the required size is reported.
        BufferTooSmall = 12,
        /// A bug inside Pixbridge was caught at the boundary; the library keeps working.
        Panic = 13,
        /// The work was cancelled through its control before it finished; nothing was
        /// produced and the source is unchanged.
        Cancelled = 14,
        /// A plugin's operation reported a failure; the message names the plugin and the
        /// operation and carries the plugin's own message.
        PluginFailed = 15,
        /// A library was refused as a plugin: not a loadable library, no
        /// `pixbridge_plugin_entry`, an unsupported plugin ABI version or descriptor size, a
        /// malformed descriptor, or an operation name that is already taken.
        PluginRejected = 16,
    }
}

stable_enum! {
    /// Whether a plugin's operation returns a new image or changes its input (the same rule
    /// as Pixbridge's own operations).
    PluginOperationKind {
        /// Returns a new image of the same size; the source is unchanged.
        Fresh = 0,
        /// Changes the image in place.
        InPlace = 1,
    }
}

stable_enum! {
    /// The type of a plugin operation's parameter. Every value crosses the boundary as a
    /// double; the type says which doubles are accepted.
    PluginParameterType {
        /// A whole number.
        Int = 0,
        /// A finite real number.
        Float = 1,
        /// A flag: 0 (false) or 1 (true).
        Bool = 2,
    }
}

stable_enum! {
    /// Which text of a loaded plugin `pixbridge_plugin_text` copies.
    PluginText {
        /// The plugin's name.
        PluginName = 0,
        /// The plugin's version.
        PluginVersion = 1,
        /// What the plugin does (empty if it says nothing, as a 1.0 plugin).
        PluginDocs = 2,
        /// The path the plugin was loaded from.
        PluginPath = 3,
        /// The name of operation `operation`.
        OperationName = 4,
        /// The docs of operation `operation`.
        OperationDocs = 5,
        /// The name of parameter `parameter` of operation `operation`.
        ParameterName = 6,
        /// The docs of parameter `parameter` of operation `operation`.
        ParameterDocs = 7,
    }
}

core::with_image_formats!(core_mirror);
core::with_resize_filters!(core_mirror);
core::with_color_types!(core_mirror);
core::with_thumbnail_fits!(core_mirror);
core::with_chroma_subsamplings!(core_mirror);
core::with_pixel_formats!(core_mirror);
core::with_color_profiles!(core_mirror);

stable_enum! {
    /// A raw metadata block of an image, as read by `pixbridge_image_metadata`.
    MetadataBlock {
        /// EXIF: a TIFF structure (`II*\0` or `MM\0*`), without JPEG's `Exif\0\0` prefix.
        Exif = 0,
        /// XMP: the UTF-8 XML packet.
        Xmp = 1,
        /// The file's ICC profile as stored (also when the pixels were converted to sRGB).
        Icc = 2,
    }
}

stable_enum! {
    /// A text field of an image's EXIF, as read by `pixbridge_image_exif_text`.
    ExifText {
        /// Camera maker.
        Make = 0,
        /// Camera model.
        Model = 1,
        /// Lens model.
        LensModel = 2,
        /// When the photo was taken (`DateTimeOriginal`), as written: `YYYY:MM:DD HH:MM:SS`.
        DateTaken = 3,
        /// Software that wrote the file.
        Software = 4,
        /// Artist.
        Artist = 5,
        /// Copyright notice.
        Copyright = 6,
    }
}

/// The numeric EXIF fields of an image. Absent fields are 0 (integers) or NaN (reals).
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExifNumbers {
    /// Orientation as stored, 1-8 (decoding has already applied it); 0 if absent.
    pub orientation: u32,
    /// ISO sensitivity; 0 if absent.
    pub iso: u32,
    /// Exposure time in seconds; NaN if absent.
    pub exposure_time: f64,
    /// Aperture as an f-number; NaN if absent.
    pub f_number: f64,
    /// Focal length in millimetres; NaN if absent.
    pub focal_length: f64,
    /// GPS latitude in degrees, positive north; NaN if absent.
    pub latitude: f64,
    /// GPS longitude in degrees, positive east; NaN if absent.
    pub longitude: f64,
    /// GPS altitude in metres, negative below sea level; NaN if absent.
    pub altitude: f64,
}

impl From<&core::ExifFields> for ExifNumbers {
    fn from(fields: &core::ExifFields) -> Self {
        let real = |v: Option<f64>| v.unwrap_or(f64::NAN);
        ExifNumbers {
            orientation: fields.orientation.map_or(0, u32::from),
            iso: fields.iso.unwrap_or(0),
            exposure_time: real(fields.exposure_time),
            f_number: real(fields.f_number),
            focal_length: real(fields.focal_length),
            latitude: real(fields.latitude),
            longitude: real(fields.longitude),
            altitude: real(fields.altitude),
        }
    }
}

/// Width, height and colour type of an image.
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The colour type the image was decoded from.
    pub color_type: ColorType,
}

/// Converts a stable format number to the core's format.
pub fn image_format(code: u32) -> Result<core::ImageFormat> {
    ImageFormat::from_code(code).map(Into::into).ok_or_else(|| {
        Error::invalid_argument(format!("unknown image format code {code} (valid: 0-{})", ImageFormat::ALL.len() - 1))
    })
}

/// Converts a stable resize-filter number to the core's filter.
pub fn resize_filter(code: u32) -> Result<core::ResizeFilter> {
    ResizeFilter::from_code(code).map(Into::into).ok_or_else(|| {
        Error::invalid_argument(format!("unknown resize filter code {code} (0 = Nearest, 1 = Bilinear, 2 = Lanczos3)"))
    })
}

/// Converts a stable thumbnail-fit number to the core's fit.
pub fn thumbnail_fit(code: u32) -> Result<core::ThumbnailFit> {
    ThumbnailFit::from_code(code).map(Into::into).ok_or_else(|| {
        Error::invalid_argument(format!("unknown thumbnail fit code {code} (0 = Contain, 1 = Cover, 2 = Fill)"))
    })
}

/// Converts a stable chroma-subsampling number to the core's subsampling.
pub fn chroma_subsampling(code: u32) -> Result<core::ChromaSubsampling> {
    ChromaSubsampling::from_code(code).map(Into::into).ok_or_else(|| {
        Error::invalid_argument(format!("unknown chroma subsampling code {code} (0 = 4:2:0, 1 = 4:2:2, 2 = 4:4:4)"))
    })
}

/// Converts a stable pixel-format number to the core's pixel format.
pub fn pixel_format(code: u32) -> Result<core::PixelFormat> {
    PixelFormat::from_code(code).map(Into::into).ok_or_else(|| {
        Error::invalid_argument(format!("unknown pixel format code {code} (valid: 0-{})", PixelFormat::ALL.len() - 1))
    })
}

/// A 0/1 flag from a foreign caller; anything else is `InvalidArgument`.
fn flag(value: u32, name: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::invalid_argument(format!("{name} must be 0 or 1 (got {other})"))),
    }
}

/// Open options from their plain form: a minimum size of 0 x 0 means full size; `deferred` and
/// `lenient` are 0 or 1, and not both 1 (a deferred image is decoded by a later call, too late
/// to report a partial result as the decode's).
pub fn open_options(
    limits: core::DecodeLimits,
    min_width: u32,
    min_height: u32,
    deferred: u32,
    lenient: u32,
    keep_profile: u32,
) -> Result<crate::images::OpenOptions> {
    let min_size = (min_width, min_height);
    let (deferred, lenient) = (flag(deferred, "deferred")?, flag(lenient, "lenient")?);
    let keep_profile = flag(keep_profile, "keep_profile")?;
    if deferred && lenient {
        return Err(Error::invalid_argument(
            "lenient and deferred decoding cannot be combined: a deferred image is decoded later, \
             by the call that reads it, when a partial image could no longer be reported",
        ));
    }
    Ok(crate::images::OpenOptions {
        decode: core::DecodeOptions {
            limits,
            min_size: (min_size != (0, 0)).then_some(min_size),
            lenient,
            keep_profile,
        },
        deferred,
    })
}

/// Thumbnail options from their plain form (`allow_upscale` and `keep_metadata` 0 or 1).
pub fn thumbnail_options(
    limits: core::DecodeLimits,
    allow_upscale: u32,
    keep_metadata: u32,
) -> Result<core::ThumbnailOptions> {
    Ok(core::ThumbnailOptions {
        limits,
        allow_upscale: flag(allow_upscale, "allow_upscale")?,
        keep_metadata: flag(keep_metadata, "keep_metadata")?,
    })
}

/// Encode options in their plain form (the C ABI's `PixbridgeEncodeOptions`, the JNI's
/// arguments), where 0 in a field means that field's default. Named fields, so that no caller
/// can pass nine numbers in the wrong order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PlainEncodeOptions {
    /// JPEG quality 1-100; 0 = 90.
    pub quality: u32,
    /// JPEG chroma subsampling, a [`ChromaSubsampling`] code.
    pub subsampling: u32,
    /// 1 writes a progressive JPEG; 0 = baseline.
    pub progressive: u32,
    /// 1 computes optimal Huffman tables for a baseline JPEG; 0 = standard tables.
    pub optimize_huffman: u32,
    /// PNG compression level 1-9; 0 = the fast default.
    pub png_compression: u32,
    /// WebP quality 1-100 (lossy); 0 = lossless.
    pub webp_quality: u32,
    /// AVIF quality 1-100; 0 = 80.
    pub avif_quality: u32,
    /// AVIF speed 1 (slowest, smallest) to 10 (fastest); 0 = 6.
    pub avif_speed: u32,
    /// 1 leaves out the metadata (EXIF, XMP, ICC profile) a save would keep; 0 = keep it.
    pub strip_metadata: u32,
}

/// Encode options from their plain form ([`PlainEncodeOptions`]; 0 in a field means its
/// default). A value out of its range is `InvalidArgument` naming the field.
pub fn encode_options(plain: &PlainEncodeOptions) -> Result<core::EncodeOptions> {
    let defaults = core::EncodeOptions::default();
    let in_range = |value: u32, name: &str, max: u32, default: &str| match value {
        0 => Ok(None),
        value if value <= max => Ok(Some(value as u8)),
        other => Err(Error::invalid_argument(format!("{name} {other} is out of range (0 = {default}, or 1-{max})"))),
    };
    let png_compression = in_range(plain.png_compression, "png_compression", 9, "default")?;
    let webp_quality = in_range(plain.webp_quality, "webp_quality", 100, "lossless")?;
    let avif_quality = in_range(plain.avif_quality, "avif_quality", 100, "default")?;
    let avif_speed = in_range(plain.avif_speed, "avif_speed", 10, "default")?;
    Ok(core::EncodeOptions {
        jpeg: core::JpegOptions {
            quality: self::quality(plain.quality)?.unwrap_or(defaults.jpeg.quality),
            subsampling: chroma_subsampling(plain.subsampling)?,
            progressive: flag(plain.progressive, "progressive")?,
            optimize_huffman: flag(plain.optimize_huffman, "optimize_huffman")?,
        },
        png: core::PngOptions { compression: png_compression.unwrap_or(defaults.png.compression) },
        webp: core::WebPOptions { quality: webp_quality },
        avif: core::AvifOptions {
            quality: avif_quality.unwrap_or(defaults.avif.quality),
            speed: avif_speed.unwrap_or(defaults.avif.speed),
        },
        strip_metadata: flag(plain.strip_metadata, "strip_metadata")?,
    })
}

/// Converts an encode quality (0 = the format's default) to the core's form.
pub fn quality(quality: u32) -> Result<Option<u8>> {
    match quality {
        0 => Ok(None),
        1..=100 => Ok(Some(quality as u8)),
        _ => Err(Error::invalid_argument(format!("quality {quality} is out of range (0 = default, or 1-100)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable() {
        let formats: Vec<u32> = ImageFormat::ALL.iter().map(|format| *format as u32).collect();
        assert_eq!(formats, (0..11).collect::<Vec<_>>());
        assert_eq!((ColorType::L8 as u32, ColorType::Rgba8 as u32, ColorType::Rgba32F as u32), (0, 3, 9));
        assert_eq!(ColorType::from(core::ColorType::L16) as u32, 4);
        // The C-ABI enums take their numbers from the core's lists.
        for format in core::ImageFormat::ALL {
            assert_eq!(ImageFormat::from(format).as_u32(), format as u32);
            assert_eq!(core::ImageFormat::from(ImageFormat::from(format)), format);
        }
        for color in core::ColorType::ALL {
            assert_eq!(ColorType::from(color).name(), color.variant_name());
        }
    }

    #[test]
    fn error_codes_keep_their_numbers_and_names() {
        for (number, code) in ErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(code.as_u32(), number as u32);
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
            assert_eq!(ErrorCode::from_code(number as u32), Some(code));
        }
        assert_eq!((ErrorCode::InvalidArgument.name(), ErrorCode::Panic.as_u32()), ("InvalidArgument", 13));
        assert_eq!(ErrorCode::from_name("NoSuchCode"), None);
        assert_eq!((ErrorCode::PluginFailed.as_u32(), ErrorCode::PluginRejected.as_u32()), (15, 16));
        assert_eq!(ErrorCode::from_code(17), None);
    }

    #[test]
    fn codes_round_trip_and_reject_unknown_values() {
        assert_eq!(image_format(ImageFormat::Jpeg as u32).unwrap(), core::ImageFormat::Jpeg);
        assert_eq!(image_format(ImageFormat::Ico as u32).unwrap(), core::ImageFormat::Ico);
        assert_eq!(image_format(ImageFormat::Avif as u32).unwrap(), core::ImageFormat::Avif);
        assert_eq!(image_format(11).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(resize_filter(ResizeFilter::Lanczos3 as u32).unwrap(), core::ResizeFilter::Lanczos3);
        assert_eq!(resize_filter(u32::MAX).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(thumbnail_fit(1).unwrap(), core::ThumbnailFit::Cover);
        assert_eq!(thumbnail_fit(3).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(chroma_subsampling(2).unwrap(), core::ChromaSubsampling::Yuv444);
        assert_eq!(chroma_subsampling(7).unwrap_err().code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn options_from_plain_numbers() {
        let defaults = encode_options(&PlainEncodeOptions::default()).unwrap();
        assert_eq!(defaults, core::EncodeOptions::default());
        assert_eq!((defaults.webp.quality, defaults.avif.quality, defaults.avif.speed), (None, 80, 6));
        assert!(!defaults.strip_metadata);
        let custom = encode_options(&PlainEncodeOptions {
            quality: 75,
            subsampling: 2,
            progressive: 1,
            optimize_huffman: 1,
            png_compression: 9,
            webp_quality: 60,
            avif_quality: 45,
            avif_speed: 10,
            strip_metadata: 1,
        })
        .unwrap();
        assert_eq!(custom.jpeg.quality, 75);
        assert_eq!(custom.jpeg.subsampling, core::ChromaSubsampling::Yuv444);
        assert!(custom.jpeg.progressive && custom.jpeg.optimize_huffman);
        assert_eq!(custom.png.compression, 9);
        assert_eq!(custom.webp.quality, Some(60));
        assert_eq!((custom.avif.quality, custom.avif.speed), (45, 10));
        assert!(custom.strip_metadata);
        let plain = PlainEncodeOptions::default();
        for (bad, field) in [
            (PlainEncodeOptions { quality: 101, ..plain }, "quality"),
            (PlainEncodeOptions { subsampling: 3, ..plain }, "subsampling"),
            (PlainEncodeOptions { progressive: 2, ..plain }, "progressive"),
            (PlainEncodeOptions { optimize_huffman: 7, ..plain }, "optimize_huffman"),
            (PlainEncodeOptions { png_compression: 10, ..plain }, "png_compression"),
            (PlainEncodeOptions { webp_quality: 101, ..plain }, "webp_quality"),
            (PlainEncodeOptions { avif_quality: 101, ..plain }, "avif_quality"),
            (PlainEncodeOptions { avif_speed: 11, ..plain }, "avif_speed"),
            (PlainEncodeOptions { strip_metadata: 2, ..plain }, "strip_metadata"),
        ] {
            let error = encode_options(&bad).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad:?}");
            assert!(error.message.contains(field), "{field}: {}", error.message);
        }
        let limits = core::DecodeLimits::default();
        assert_eq!(open_options(limits, 0, 0, 0, 0, 0).unwrap().decode.min_size, None);
        assert_eq!(open_options(limits, 400, 0, 0, 0, 0).unwrap().decode.min_size, Some((400, 0)));
        assert!(!open_options(limits, 0, 0, 0, 0, 0).unwrap().deferred);
        assert!(open_options(limits, 0, 0, 1, 0, 0).unwrap().deferred);
        assert_eq!(open_options(limits, 0, 0, 2, 0, 0).unwrap_err().code, ErrorCode::InvalidArgument);
        assert!(!open_options(limits, 0, 0, 0, 0, 0).unwrap().decode.lenient);
        assert!(open_options(limits, 0, 0, 0, 1, 0).unwrap().decode.lenient);
        assert_eq!(open_options(limits, 0, 0, 0, 2, 0).unwrap_err().code, ErrorCode::InvalidArgument);
        let both = open_options(limits, 0, 0, 1, 1, 0).unwrap_err();
        assert_eq!(both.code, ErrorCode::InvalidArgument);
        assert!(both.message.contains("lenient and deferred"), "{}", both.message);
        assert!(thumbnail_options(core::DecodeLimits::default(), 1, 0).unwrap().allow_upscale);
        assert_eq!(
            thumbnail_options(core::DecodeLimits::default(), 2, 0).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert!(thumbnail_options(core::DecodeLimits::default(), 0, 1).unwrap().keep_metadata);
        assert_eq!(
            thumbnail_options(core::DecodeLimits::default(), 0, 2).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert!(open_options(limits, 0, 0, 0, 0, 1).unwrap().decode.keep_profile);
        assert!(!open_options(limits, 0, 0, 0, 0, 0).unwrap().decode.keep_profile);
        assert_eq!(open_options(limits, 0, 0, 0, 0, 2).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(quality(0).unwrap(), None);
        assert_eq!(quality(100).unwrap(), Some(100));
        assert_eq!(quality(101).unwrap_err().code, ErrorCode::InvalidArgument);
    }
}
