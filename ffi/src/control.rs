//! Exports for controls: a cancellation token that any thread may trigger, with an optional
//! progress callback, passed to the `_controlled` variant of a long call.

use std::ffi::c_void;
use std::sync::Arc;

use interoptopus::ffi;
use pixbridge_runtime::{ErrorCode, control};

use crate::convert;
use crate::errors::export_without_pool;

/// A progress callback: receives the fraction done (0 to 1) and the `user_data` given to
/// `pixbridge_control_create`.
pub type ProgressCallback = extern "C" fn(f32, *mut c_void);

/// The C caller's callback and its user data, callable from any thread (the C contract of
/// `pixbridge_control_create` says both must be).
struct ForeignCallback {
    callback: ProgressCallback,
    user_data: *mut c_void,
}

impl ForeignCallback {
    fn call(&self, fraction: f32) {
        (self.callback)(fraction, self.user_data);
    }
}

// SAFETY: `pixbridge_control_create`'s contract: the callback may be called from any thread
// with `user_data` until the control is destroyed and no call uses it.
unsafe impl Send for ForeignCallback {}
// SAFETY: as above; the runtime never calls it from two threads at once for one call.
unsafe impl Sync for ForeignCallback {}

/// Creates a control and writes its handle to `out_control`. Pass it to the `_controlled`
/// variant of a long call (decode, encode, save, thumbnail, every image operation) to cancel
/// that call from any thread with `pixbridge_control_cancel` and, with a non-null `progress`,
/// to be told how far it got.
///
/// `progress` (may be null) is called with the fraction done, 0 to 1, strictly increasing, at
/// most about once per hundredth, and with 1 when a call succeeds; never by two threads at once
/// for one call, but from whichever thread does the work (the caller's or a native worker), so
/// it must be callable from any thread, with `user_data`, until the control is destroyed and no
/// call uses it. It must return quickly and must not unwind (a C++ exception or a managed
/// exception thrown through it ends the process). It may call `pixbridge_control_cancel`.
///
/// One control may serve several calls, in turn or at once: a cancel stops all of them, and each
/// reports its own progress. Destroy it with `pixbridge_control_destroy`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_control_create(
    progress: Option<ProgressCallback>,
    user_data: *mut c_void,
    out_control: *mut u64,
) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_control` is null or writable.
        let out_control = unsafe { convert::out(out_control, "out_control") }?;
        let callback = progress.map(|callback| {
            let foreign = ForeignCallback { callback, user_data };
            Arc::new(move |fraction: f32| foreign.call(fraction)) as Arc<pixbridge_runtime::control::ProgressCallback>
        });
        *out_control = control::create(callback);
        Ok(())
    })
}

/// Requests cancellation of every call using `control`, running now or made later: each returns
/// `Cancelled` soon after (within tens of milliseconds), having freed what it allocated, left its
/// source image unchanged and written no file. A call that already finished keeps its result.
/// Safe from any thread, including the progress callback.
#[ffi]
pub fn pixbridge_control_cancel(control: u64) -> ErrorCode {
    export_without_pool(|| control::cancel(control))
}

/// Writes whether `control` was cancelled to `out_cancelled`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_control_is_cancelled(control: u64, out_cancelled: *mut bool) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_cancelled` is null or writable.
        let out = unsafe { convert::out(out_cancelled, "out_cancelled") }?;
        *out = control::is_cancelled(control)?;
        Ok(())
    })
}

/// Destroys `control`. Calls still using it go on (and can no longer be cancelled through it);
/// their progress callback is still called until they return.
#[ffi]
pub fn pixbridge_control_destroy(control: u64) -> ErrorCode {
    export_without_pool(|| control::destroy(control))
}

/// Diagnostics: writes the number of live control handles to `out_controls`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_live_controls(out_controls: *mut u64) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_controls` is null or writable.
        let out = unsafe { convert::out(out_controls, "out_controls") }?;
        *out = control::live_count();
        Ok(())
    })
}
