//! The calling thread's last error, as in libgit2 and rustls-ffi.
//!
//! Each thread has its own slot, so one thread's failure never overwrites another's message.

use std::cell::RefCell;

use pixbridge_runtime::{Error, ErrorCode};

thread_local! {
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Records `error` as this thread's last error.
pub(crate) fn set(error: Error) {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(error));
}

/// Code of this thread's last error (`Ok` if there was none).
pub(crate) fn code() -> ErrorCode {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(ErrorCode::Ok, |error| error.code))
}

/// Runs `f` with this thread's last error message (empty if there was none).
pub(crate) fn with_message<R>(f: impl FnOnce(&str) -> R) -> R {
    LAST_ERROR.with(|slot| f(slot.borrow().as_ref().map_or("", |error| error.message.as_str())))
}
