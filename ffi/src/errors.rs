//! The calling thread's last error, as in libgit2 and rustls-ffi, and the exports that read it.
//!
//! Each thread has its own slot, so one thread's failure never overwrites another's message.

use std::cell::RefCell;

use interoptopus::ffi;
use pixbridge_runtime::{Error, ErrorCode, process_pool};

use crate::convert;

thread_local! {
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Runs an export's body: catches panics and records a failure as this thread's last error.
/// The body runs through [`process_pool::run`], so a process forked from one that used the
/// library can still run parallel operations.
pub(crate) fn export(body: impl FnOnce() -> pixbridge_runtime::Result<()>) -> ErrorCode {
    match pixbridge_runtime::guard(|| process_pool::run(body)) {
        Ok(()) => ErrorCode::Ok,
        Err(error) => {
            let code = error.code;
            // `try_with`: during thread teardown (a call from another thread-local's destructor)
            // the slot may already be gone; the code is still returned, only the message is lost.
            // `with` would panic there, outside any guard, and abort the process.
            let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(error));
            code
        }
    }
}

/// [`export`] for the exports that never do work on images (diagnostics, settings): the body
/// runs on the calling thread and does not start the worker pool, so the pool's size can still
/// be set after them.
pub(crate) fn export_without_pool(body: impl FnOnce() -> pixbridge_runtime::Result<()>) -> ErrorCode {
    match pixbridge_runtime::guard(body) {
        Ok(()) => ErrorCode::Ok,
        Err(error) => {
            let code = error.code;
            let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(error));
            code
        }
    }
}

/// Code of the calling thread's last error (`Ok` if none yet, or during thread teardown once
/// the thread's error slot is gone). Does not change it.
#[ffi]
pub fn pixbridge_last_error_code() -> ErrorCode {
    LAST_ERROR
        .try_with(|slot| slot.borrow().as_ref().map_or(ErrorCode::Ok, |error| error.code))
        .unwrap_or(ErrorCode::Ok)
}

/// Copies the calling thread's last error message (UTF-8) and a terminating NUL into
/// `(buf, buf_len)` and writes the message length (without NUL) to `out_len`. If `buf_len`
/// is not larger than the length, returns `BufferTooSmall` with the length in `out_len`
/// (pass a null `buf` and 0 to ask for it). Does not change the last error.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_last_error_message(buf: *mut u8, buf_len: usize, out_len: *mut usize) -> ErrorCode {
    // Not through `export`: reading the last error must not replace it.
    let result = pixbridge_runtime::guard(|| {
        // SAFETY: C contract: `out_len` is null or writable, `buf` holds `buf_len` bytes.
        let (out_len, buf) = unsafe { (convert::out(out_len, "out_len")?, convert::bytes_mut(buf, buf_len, "buf")?) };
        // During thread teardown the slot may be gone: no message then (`with` would panic).
        let message = LAST_ERROR
            .try_with(|slot| slot.borrow().as_ref().map(|error| error.message.clone()))
            .ok()
            .flatten()
            .unwrap_or_default();
        convert::copy_text(&message, buf, out_len, "the last error message")
    });
    result.err().map_or(ErrorCode::Ok, |error| error.code)
}
