//! The runtime's error (an [`ErrorCode`] plus a message), the mapping from the core's errors,
//! and the panic boundary.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use crate::codes::ErrorCode;

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
            E::Cancelled(..) => ErrorCode::Cancelled,
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
            format!("internal error (panic) in Pixbridge: {}", pixbridge_core::panic_message(payload.as_ref())),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_panics_into_errors() {
        let result: Result<()> = guard(|| panic!("boom {}", 42));
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::Panic);
        assert!(error.message.contains("boom 42"), "{}", error.message);
        assert_eq!(guard(|| Ok(7)), Ok(7));
    }
}
