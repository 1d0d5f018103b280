//! Error codes shared by every binding, and the panic boundary.

use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use interoptopus::ffi;

use crate::codes::code;

/// Outcome of every Pixbridge call, with stable numbers that never change meaning.
///
/// After a call returns anything but `Ok`, the calling thread's last-error message
/// (C ABI) or the exception message (C#, Java) holds the human-readable detail.
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Success.
    Ok = code(0),
    /// A required pointer argument was null.
    NullArgument = code(1),
    /// The handle is null, forged, already destroyed, or of the wrong kind.
    InvalidHandle = code(2),
    /// The file does not exist.
    NotFound = code(3),
    /// Another I/O failure (a directory given as a file, disk full, ...).
    Io = code(4),
    /// The operating system refused access.
    PermissionDenied = code(5),
    /// Unknown content, unknown file extension, or a format not supported for this use.
    UnsupportedFormat = code(6),
    /// The image data is corrupt or truncated.
    Decode = code(7),
    /// The encoder failed.
    Encode = code(8),
    /// A parameter is out of range (NaN sigma, crop outside the image, zero size, bad quality, ...).
    InvalidArgument = code(9),
    /// The image exceeds the decode limits; checked before any large allocation.
    LimitExceeded = code(10),
    /// A path or string was not valid UTF-8.
    InvalidUtf8 = code(11),
    /// A caller-provided buffer was too small; the required size is reported.
    BufferTooSmall = code(12),
    /// A bug inside Pixbridge was caught at the boundary; the library keeps working.
    Panic = code(13),
}

impl ErrorCode {
    /// Every code, in numeric order (for tests and generators).
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::Ok,
        ErrorCode::NullArgument,
        ErrorCode::InvalidHandle,
        ErrorCode::NotFound,
        ErrorCode::Io,
        ErrorCode::PermissionDenied,
        ErrorCode::UnsupportedFormat,
        ErrorCode::Decode,
        ErrorCode::Encode,
        ErrorCode::InvalidArgument,
        ErrorCode::LimitExceeded,
        ErrorCode::InvalidUtf8,
        ErrorCode::BufferTooSmall,
        ErrorCode::Panic,
    ];

    /// The stable number of this code.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The variant's name, e.g. `"InvalidArgument"` (the name the golden manifest uses).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Ok => "Ok",
            ErrorCode::NullArgument => "NullArgument",
            ErrorCode::InvalidHandle => "InvalidHandle",
            ErrorCode::NotFound => "NotFound",
            ErrorCode::Io => "Io",
            ErrorCode::PermissionDenied => "PermissionDenied",
            ErrorCode::UnsupportedFormat => "UnsupportedFormat",
            ErrorCode::Decode => "Decode",
            ErrorCode::Encode => "Encode",
            ErrorCode::InvalidArgument => "InvalidArgument",
            ErrorCode::LimitExceeded => "LimitExceeded",
            ErrorCode::InvalidUtf8 => "InvalidUtf8",
            ErrorCode::BufferTooSmall => "BufferTooSmall",
            ErrorCode::Panic => "Panic",
        }
    }

    /// Looks a code up by its [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|code| code.name() == name)
    }
}

/// A failed call: the code every binding maps to its own error type, and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of failure this is.
    pub code: ErrorCode,
    /// Human-readable detail.
    pub message: String,
}

impl Error {
    /// Creates an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// Shorthand for an [`ErrorCode::InvalidArgument`] error.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<pixbridge_core::Error> for Error {
    fn from(error: pixbridge_core::Error) -> Self {
        use pixbridge_core::Error as E;
        let code = match &error {
            E::NotFound(..) => ErrorCode::NotFound,
            E::PermissionDenied(..) => ErrorCode::PermissionDenied,
            E::Io(..) => ErrorCode::Io,
            E::UnsupportedFormat(..) => ErrorCode::UnsupportedFormat,
            E::Decode(..) => ErrorCode::Decode,
            E::Encode(..) => ErrorCode::Encode,
            E::InvalidArgument(..) => ErrorCode::InvalidArgument,
            E::LimitExceeded(..) => ErrorCode::LimitExceeded,
        };
        Error::new(code, error.to_string())
    }
}

/// Result of a runtime call.
pub type Result<T> = std::result::Result<T, Error>;

/// Runs `f`, turning a panic into an [`ErrorCode::Panic`] error.
///
/// Every binding entry point runs inside this, so no panic ever unwinds into C, .NET or the JVM.
/// The handle table uses locks that do not poison, so the library keeps working after a panic.
pub fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(Error::new(
            ErrorCode::Panic,
            format!("internal error (panic) in Pixbridge: {}", panic_message(payload.as_ref())),
        )),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
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

    #[test]
    fn codes_keep_their_numbers_and_names() {
        for (number, code) in ErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(code.as_u32(), number as u32);
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
        }
        assert_eq!(ErrorCode::from_name("NoSuchCode"), None);
    }

    #[test]
    fn guard_turns_panics_into_errors() {
        let result: Result<()> = guard(|| panic!("boom {}", 42));
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::Panic);
        assert!(error.message.contains("boom 42"), "{}", error.message);
        assert_eq!(guard(|| Ok(7)), Ok(7));
    }
}
