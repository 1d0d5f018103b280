//! The error type and the mapping of `std::io` and `image` errors onto it.

#![forbid(unsafe_code)]

use std::io;
use std::path::Path;

/// Everything that can go wrong in Pixbridge's core.
///
/// Each variant carries a complete human-readable message (including the path or the offending
/// value where there is one); `Display` prints exactly that message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A file does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The operating system refused access to a file or directory.
    #[error("{0}")]
    PermissionDenied(String),
    /// Any other I/O failure (a directory where a file was expected, disk full, ...).
    #[error("{0}")]
    Io(String),
    /// Unrecognised content, an unknown file extension, or a format/feature not supported for
    /// this use.
    #[error("{0}")]
    UnsupportedFormat(String),
    /// Corrupt or truncated image data.
    #[error("{0}")]
    Decode(String),
    /// The encoder failed.
    #[error("{0}")]
    Encode(String),
    /// A parameter is out of range (NaN sigma, crop outside the image, zero size, bad quality...).
    #[error("{0}")]
    InvalidArgument(String),
    /// The decode limits were exceeded (checked from the header, before the large allocation).
    #[error("{0}")]
    LimitExceeded(String),
    /// The work was cancelled through its [`Job`](crate::control::Job) before it finished.
    #[error("{0}")]
    Cancelled(String),
}

impl Error {
    /// The message of this error (the same text as `Display`).
    pub fn message(&self) -> &str {
        match self {
            Error::NotFound(m)
            | Error::PermissionDenied(m)
            | Error::Io(m)
            | Error::UnsupportedFormat(m)
            | Error::Decode(m)
            | Error::Encode(m)
            | Error::InvalidArgument(m)
            | Error::LimitExceeded(m)
            | Error::Cancelled(m) => m,
        }
    }

    /// The variant's name, e.g. `"InvalidArgument"` (the same spelling as the error code
    /// names used by the C ABI and the golden manifest).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "NotFound",
            Error::PermissionDenied(_) => "PermissionDenied",
            Error::Io(_) => "Io",
            Error::UnsupportedFormat(_) => "UnsupportedFormat",
            Error::Decode(_) => "Decode",
            Error::Encode(_) => "Encode",
            Error::InvalidArgument(_) => "InvalidArgument",
            Error::LimitExceeded(_) => "LimitExceeded",
            Error::Cancelled(_) => "Cancelled",
        }
    }
}

/// The result type of every fallible core function.
pub type Result<T> = std::result::Result<T, Error>;

/// Maps an I/O error that happened while working on `path`. `action` completes the sentence
/// "cannot <action> '<path>'", e.g. `"open"`.
pub(crate) fn io_error(action: &str, path: &Path, err: &io::Error) -> Error {
    let message = format!("cannot {action} '{}': {err}", path.display());
    match err.kind() {
        io::ErrorKind::NotFound => Error::NotFound(message),
        io::ErrorKind::PermissionDenied => Error::PermissionDenied(message),
        _ => Error::Io(message),
    }
}

/// Where an `image` error happened; decides how its kinds map onto [`Error`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stage {
    /// Reading and decoding input. Data the decoder cannot make sense of (including its
    /// "parameter" complaints and unexpected end of input) is corrupt input: `Decode`.
    /// Real I/O failures of a file are `Io`.
    Decoding,
    /// Encoding pixels into a format. Parameter complaints are about the image or options: `InvalidArgument`.
    Encoding,
}

/// Whether `image` refused the input because its declared dimensions are too large to hold.
fn declares_oversized_image(unsupported: &image::error::UnsupportedError) -> bool {
    matches!(unsupported.kind(), image::error::UnsupportedErrorKind::GenericFeature(feature)
        if feature.contains("dimensions") && feature.contains("too large"))
}

/// Maps an `image` crate error. `subject` names what was being worked on, e.g.
/// `"cannot decode '/tmp/a.png'"`; the error's own text is appended after a colon.
pub(crate) fn image_error(subject: &str, stage: Stage, err: image::ImageError) -> Error {
    use image::ImageError as E;
    let message = format!("{subject}: {err}");
    match err {
        // Some decoders (PNM, BMP) refuse a header whose byte size overflows as an unsupported
        // "feature" before our own limit check sees the dimensions: it is a size limit.
        E::Unsupported(ref unsupported) if declares_oversized_image(unsupported) => Error::LimitExceeded(message),
        E::Unsupported(_) => Error::UnsupportedFormat(message),
        E::Decoding(_) => Error::Decode(message),
        E::Encoding(_) => Error::Encode(message),
        E::Limits(_) => Error::LimitExceeded(message),
        E::Parameter(_) => match stage {
            Stage::Decoding => Error::Decode(message),
            Stage::Encoding => Error::InvalidArgument(message),
        },
        E::IoError(io_err) => match (stage, io_err.kind()) {
            // Decoders report truncated or malformed input as I/O errors of these kinds.
            (
                Stage::Decoding,
                io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput,
            ) => Error::Decode(message),
            (_, io::ErrorKind::NotFound) => Error::NotFound(message),
            (_, io::ErrorKind::PermissionDenied) => Error::PermissionDenied(message),
            (Stage::Encoding, io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData) => Error::Encode(message),
            _ => Error::Io(message),
        },
    }
}

/// The text of a panic's payload (`panic!` with a literal or a formatted message), for errors
/// made from caught panics.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "unknown panic payload"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::error::{
        DecodingError, EncodingError, ImageFormatHint, LimitError, LimitErrorKind, ParameterError, ParameterErrorKind,
        UnsupportedError, UnsupportedErrorKind,
    };

    fn io(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, "simulated")
    }

    #[test]
    fn io_errors_map_by_kind_and_name_the_path() {
        let path = Path::new("/some/where/pic.png");
        let not_found = io_error("open", path, &io(io::ErrorKind::NotFound));
        assert!(matches!(not_found, Error::NotFound(_)));
        assert!(not_found.message().contains("/some/where/pic.png"));
        assert!(not_found.message().starts_with("cannot open"));
        assert!(matches!(io_error("open", path, &io(io::ErrorKind::PermissionDenied)), Error::PermissionDenied(_)));
        assert!(matches!(io_error("open", path, &io(io::ErrorKind::IsADirectory)), Error::Io(_)));
        assert!(matches!(io_error("write", path, &io(io::ErrorKind::StorageFull)), Error::Io(_)));
    }

    #[test]
    fn image_errors_map_by_kind() {
        let hint = || ImageFormatHint::Unknown;
        let unsupported = image::ImageError::Unsupported(UnsupportedError::from_format_and_kind(
            hint(),
            UnsupportedErrorKind::Format(hint()),
        ));
        assert!(matches!(image_error("x", Stage::Decoding, unsupported), Error::UnsupportedFormat(_)));
        let oversized = image::ImageError::Unsupported(UnsupportedError::from_format_and_kind(
            hint(),
            UnsupportedErrorKind::GenericFeature("Image dimensions (4000000000x4000000000) are too large".into()),
        ));
        assert!(matches!(image_error("x", Stage::Decoding, oversized), Error::LimitExceeded(_)));
        let feature = image::ImageError::Unsupported(UnsupportedError::from_format_and_kind(
            hint(),
            UnsupportedErrorKind::GenericFeature("interlaced 16-bit".into()),
        ));
        assert!(matches!(image_error("x", Stage::Decoding, feature), Error::UnsupportedFormat(_)));
        let decoding = image::ImageError::Decoding(DecodingError::new(hint(), "bad"));
        assert!(matches!(image_error("x", Stage::Decoding, decoding), Error::Decode(_)));
        let encoding = image::ImageError::Encoding(EncodingError::new(hint(), "bad"));
        assert!(matches!(image_error("x", Stage::Encoding, encoding), Error::Encode(_)));
        let limits = image::ImageError::Limits(LimitError::from_kind(LimitErrorKind::DimensionError));
        assert!(matches!(image_error("x", Stage::Decoding, limits), Error::LimitExceeded(_)));
        let parameter = || image::ImageError::Parameter(ParameterError::from_kind(ParameterErrorKind::NoMoreData));
        assert!(matches!(image_error("x", Stage::Encoding, parameter()), Error::InvalidArgument(_)));
        assert!(matches!(image_error("x", Stage::Decoding, parameter()), Error::Decode(_)));
    }

    #[test]
    fn io_errors_inside_image_errors_map_by_stage() {
        let wrap = |kind| image::ImageError::IoError(io(kind));
        assert!(matches!(image_error("x", Stage::Decoding, wrap(io::ErrorKind::UnexpectedEof)), Error::Decode(_)));
        assert!(matches!(
            image_error("x", Stage::Decoding, wrap(io::ErrorKind::PermissionDenied)),
            Error::PermissionDenied(_)
        ));
        assert!(matches!(image_error("x", Stage::Decoding, wrap(io::ErrorKind::NotFound)), Error::NotFound(_)));
        assert!(matches!(image_error("x", Stage::Decoding, wrap(io::ErrorKind::Interrupted)), Error::Io(_)));
        assert!(matches!(image_error("x", Stage::Encoding, wrap(io::ErrorKind::StorageFull)), Error::Io(_)));
    }

    #[test]
    fn message_starts_with_subject_and_display_equals_message() {
        let err = image_error(
            "cannot decode '/a/b.png'",
            Stage::Decoding,
            image::ImageError::Decoding(DecodingError::new(ImageFormatHint::Unknown, "broken")),
        );
        assert!(err.message().starts_with("cannot decode '/a/b.png': "));
        assert_eq!(err.to_string(), err.message());
        assert_eq!(err.kind_name(), "Decode");
    }
}
