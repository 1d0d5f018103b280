//! Controls: cancellation and progress for long calls, behind `u64` handles.
//!
//! A control is a cancellation flag that any thread may set ([`cancel`]) plus an optional
//! progress callback. A call made with a control ([`run`]) works as a
//! [`Job`](pixbridge_core::control::Job) of the core: its loops check the flag at a fine grain
//! and report the fraction done. Cancelled work fails with [`ErrorCode::Cancelled`], frees what
//! it allocated, leaves its source unchanged and writes no file.
//!
//! One control may serve several calls, one after another or at once: a cancel stops all of
//! them, and each call reports its own progress (from 0 to 1) to the same callback. A control
//! stays cancelled once cancelled. Destroying a control while a call uses it is safe: the call
//! keeps what it needs until it returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pixbridge_core::control::Job;
pub use pixbridge_core::control::ProgressCallback;

use crate::handles::HandleTable;
use crate::{Handle, Result};

/// One control: the flag and the callback every call made with it shares.
struct Control {
    cancelled: Arc<AtomicBool>,
    callback: Option<Arc<ProgressCallback>>,
}

static CONTROLS: HandleTable<Control> = HandleTable::new(0x3, "control");

/// Creates a control with an optional progress callback (called with the fraction done, 0 to
/// 1, at most once per hundredth, never twice at once for one call, from a thread doing the
/// work).
pub fn create(callback: Option<Arc<ProgressCallback>>) -> Handle {
    CONTROLS.insert(Arc::new(Control { cancelled: Arc::new(AtomicBool::new(false)), callback }))
}

/// Requests cancellation of every call using `control`, now and later. Any thread may call it.
pub fn cancel(control: Handle) -> Result<()> {
    CONTROLS.get(control)?.cancelled.store(true, Ordering::Relaxed);
    Ok(())
}

/// Whether `control` was cancelled.
pub fn is_cancelled(control: Handle) -> Result<bool> {
    Ok(CONTROLS.get(control)?.cancelled.load(Ordering::Relaxed))
}

/// Destroys `control`; calls still using it finish normally (or as cancelled).
pub fn destroy(control: Handle) -> Result<()> {
    CONTROLS.remove(control).map(drop)
}

/// Number of live control handles (diagnostics: leak tests compare it with a baseline).
pub fn live_count() -> u64 {
    CONTROLS.live()
}

/// Runs `work` under `control` (0: no control, `work` just runs). Fails with
/// [`ErrorCode::Cancelled`](crate::ErrorCode::Cancelled) without running `work` when the
/// control is already cancelled; an invalid handle is refused before anything runs.
pub fn run<T>(control: Handle, work: impl FnOnce() -> Result<T>) -> Result<T> {
    if control == 0 {
        return work();
    }
    let control = CONTROLS.get(control)?;
    Job::new(Arc::clone(&control.cancelled), control.callback.clone()).run(work)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::ErrorCode;

    #[test]
    fn a_control_is_a_checked_handle_that_stays_cancelled() {
        let before = live_count();
        let control = create(None);
        assert_eq!(live_count(), before + 1);
        assert!(!is_cancelled(control).unwrap());
        assert_eq!(run(control, || Ok(5)), Ok(5));
        cancel(control).unwrap();
        assert!(is_cancelled(control).unwrap());
        let mut ran = false;
        let error = run(control, || {
            ran = true;
            Ok(())
        })
        .unwrap_err();
        assert_eq!((error.code, ran), (ErrorCode::Cancelled, false));
        destroy(control).unwrap();
        assert_eq!(live_count(), before);
        for stale in [control, 0x1234, u64::MAX] {
            assert_eq!(cancel(stale).unwrap_err().code, ErrorCode::InvalidHandle);
            assert_eq!(run(stale, || Ok(())).unwrap_err().code, ErrorCode::InvalidHandle);
        }
        assert_eq!(run(0, || Ok(1)), Ok(1));
    }

    #[test]
    fn a_call_under_a_control_reports_completion() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let control = create(Some(Arc::new(move |fraction| sink.lock().unwrap().push(fraction))));
        run(control, || Ok(())).unwrap();
        assert_eq!(*seen.lock().unwrap(), [1.0]);
        destroy(control).unwrap();
    }
}
