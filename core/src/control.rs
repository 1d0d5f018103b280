//! Cancellation and progress for long work.
//!
//! A caller that wants to stop work or watch it runs the work inside [`Job::run`]. Every long
//! loop of the core (rows of a blur pass, scanlines of a decode, chunks of an encoder's output,
//! ...) creates a [`Progress`] for its own units of work on the calling thread, shares it by
//! reference with the threads that do the work, and calls [`Progress::advance`] as units
//! finish. That call is one relaxed atomic load when nobody watches (no job, or a job without a
//! callback), so the ordinary API pays nothing measurable for it.
//!
//! Cancelled work returns [`Error::Cancelled`](crate::Error::Cancelled); what it allocated is
//! dropped on the way out and it never leaves a half-changed source behind (in-place operations
//! restore what they had changed, see [`crate::Image`]'s in-place methods).
//!
//! Progress is one fraction from 0 to 1 per job. A composite step (a thumbnail: decode, then
//! resize) divides its share between its parts with [`stage`]; a loop reports inside the share
//! of the stage it runs in. The callback is called at most once per hundredth, never with a
//! smaller fraction than before, and never by two threads at once; it may be called from any
//! thread that works for the job (the caller's or a worker of the thread pool).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::Error;

/// The callback type of a [`Job`]: receives the fraction done, 0 to 1.
pub type ProgressCallback = dyn Fn(f32) + Send + Sync;

/// Smallest step between two calls of the progress callback.
const REPORT_STEP: f32 = 0.01;

/// One watched piece of work: a cancellation flag that any thread may set and an optional
/// progress callback.
pub struct Job {
    cancelled: Arc<AtomicBool>,
    callback: Option<Arc<ProgressCallback>>,
    /// The last fraction given to the callback (a lock, so calls never overlap).
    reported: Mutex<f32>,
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("cancelled", &self.is_cancelled())
            .field("has_callback", &self.callback.is_some())
            .finish()
    }
}

thread_local! {
    /// The job the calling thread works for, set by [`Job::run`].
    static CURRENT: RefCell<Option<Arc<Job>>> = const { RefCell::new(None) };
    /// The share `(start, length)` of the current job's progress that the running stage owns.
    static STAGE: Cell<(f32, f32)> = const { Cell::new((0.0, 1.0)) };
}

impl Job {
    /// A job watched through `cancelled` (shared with whoever may cancel it) and `callback`.
    pub fn new(cancelled: Arc<AtomicBool>, callback: Option<Arc<ProgressCallback>>) -> Arc<Self> {
        Arc::new(Self { cancelled, callback, reported: Mutex::new(0.0) })
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Runs `work` on this thread as this job: the core's loops check its flag and report to
    /// its callback. Cancelled before it starts, `work` does not run at all. On success the
    /// callback is told 1 (once, if it had not been already).
    pub fn run<T, E: From<Error>>(self: &Arc<Self>, work: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        if self.is_cancelled() {
            return Err(cancelled().into());
        }
        let previous = CURRENT.with(|current| current.replace(Some(Arc::clone(self))));
        let previous_stage = STAGE.with(|stage| stage.replace((0.0, 1.0)));
        // Restores the thread's previous job even if `work` panics (the runtime catches panics).
        struct Restore(Option<Option<Arc<Job>>>, (f32, f32));
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take().flatten();
                CURRENT.with(|current| *current.borrow_mut() = previous);
                STAGE.with(|stage| stage.set(self.1));
            }
        }
        let _restore = Restore(Some(previous), previous_stage);
        let result = work();
        // Work that finished before it noticed a late cancel still succeeded: keep its result.
        if result.is_ok() {
            self.report(1.0, true);
        }
        result
    }

    /// Gives `fraction` to the callback if it advanced by at least [`REPORT_STEP`] (or `force`
    /// and it advanced at all). Skips rather than waits when another thread is reporting.
    fn report(&self, fraction: f32, force: bool) {
        let Some(callback) = &self.callback else { return };
        let guard = if force {
            Some(self.reported.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
        } else {
            match self.reported.try_lock() {
                Ok(guard) => Some(guard),
                Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
        };
        let Some(mut reported) = guard else { return };
        let fraction = fraction.clamp(0.0, 1.0);
        if fraction > *reported && (force || fraction - *reported >= REPORT_STEP) {
            *reported = fraction;
            callback(fraction);
        }
    }
}

/// The error of cancelled work.
pub fn cancelled() -> Error {
    Error::Cancelled("the operation was cancelled".to_string())
}

/// The job the calling thread works for, if any.
pub fn current() -> Option<Arc<Job>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Returns [`Error::Cancelled`] if the calling thread's job was cancelled.
pub fn check() -> crate::Result<()> {
    match current() {
        Some(job) if job.is_cancelled() => Err(cancelled()),
        _ => Ok(()),
    }
}

/// Runs `work` as the part `from..to` (fractions of the current stage) of the calling thread's
/// job: its loops report inside that share. Then checks for cancellation, so a step that
/// ignores it still stops the work after it.
pub fn stage<T>(from: f32, to: f32, work: impl FnOnce() -> crate::Result<T>) -> crate::Result<T> {
    let outer = STAGE.with(Cell::get);
    let inner = (outer.0 + outer.1 * from, outer.1 * (to - from));
    STAGE.with(|stage| stage.set(inner));
    struct Restore((f32, f32));
    impl Drop for Restore {
        fn drop(&mut self) {
            STAGE.with(|stage| stage.set(self.0));
        }
    }
    let _restore = Restore(outer);
    let result = work()?;
    check()?;
    if let Some(job) = current() {
        job.report(inner.0 + inner.1, false);
    }
    Ok(result)
}

/// Counts the units of one loop of the current job (rows, scanlines, bytes) and checks for
/// cancellation as they finish. Create it on the thread that runs the job (it reads the job and
/// stage from there) and share `&Progress` with the threads that do the work.
#[derive(Debug)]
pub struct Progress {
    job: Option<Arc<Job>>,
    total: u64,
    done: AtomicU64,
    stage: (f32, f32),
}

impl Progress {
    /// A counter for `total` units of the current job's current stage (a no-op without a job).
    pub fn new(total: u64) -> Self {
        Self { job: current(), total: total.max(1), done: AtomicU64::new(0), stage: STAGE.with(Cell::get) }
    }

    /// A counter that belongs to no job (for callers that never watch).
    pub fn none() -> Self {
        Self { job: None, total: 1, done: AtomicU64::new(0), stage: (0.0, 1.0) }
    }

    /// Records `units` more done; returns `true` when the job was cancelled, so the loop should
    /// stop (and its caller return [`Progress::finish`]'s error).
    #[inline]
    pub fn advance(&self, units: u64) -> bool {
        let Some(job) = &self.job else { return false };
        if job.is_cancelled() {
            return true;
        }
        if job.callback.is_some() {
            let done = self.done.fetch_add(units, Ordering::Relaxed) + units;
            let fraction = (done.min(self.total) as f64 / self.total as f64) as f32;
            job.report(self.stage.0 + self.stage.1 * fraction, false);
        }
        false
    }

    /// Whether the job was cancelled (without counting anything).
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        self.job.as_ref().is_some_and(|job| job.is_cancelled())
    }

    /// [`Progress::advance`] as a `Result`, for loops that propagate errors with `?`.
    #[inline]
    pub fn step(&self, units: u64) -> crate::Result<()> {
        if self.advance(units) { Err(cancelled()) } else { Ok(()) }
    }

    /// Ends the loop: [`Error::Cancelled`](crate::Error::Cancelled) if the job was cancelled,
    /// otherwise `Ok`. Call it after a loop whose body stopped early on [`Progress::advance`].
    pub fn finish(&self) -> crate::Result<()> {
        if self.is_cancelled() { Err(cancelled()) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording_job() -> (Arc<AtomicBool>, Arc<Job>, Arc<Mutex<Vec<f32>>>) {
        let flag = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let job = Job::new(Arc::clone(&flag), Some(Arc::new(move |f| sink.lock().unwrap().push(f))));
        (flag, job, seen)
    }

    #[test]
    fn progress_is_monotonic_bounded_in_rate_and_ends_at_one() {
        let (_, job, seen) = recording_job();
        job.run(|| {
            stage(0.0, 0.5, || {
                let progress = Progress::new(1000);
                (0..1000).for_each(|_| assert!(!progress.advance(1)));
                progress.finish()
            })?;
            stage(0.5, 1.0, || {
                let progress = Progress::new(10);
                (0..10).for_each(|_| assert!(!progress.advance(1)));
                progress.finish()
            })
        })
        .unwrap();
        let seen = seen.lock().unwrap();
        assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{seen:?}");
        assert!(seen.len() <= 101, "{} calls", seen.len());
        assert_eq!(*seen.last().unwrap(), 1.0);
        assert!(seen.iter().any(|f| (0.49..=0.51).contains(f)), "{seen:?}");
    }

    #[test]
    fn a_cancelled_job_does_not_start_and_a_cancel_midway_stops_the_loop() {
        let (flag, job, seen) = recording_job();
        flag.store(true, Ordering::Relaxed);
        let mut ran = false;
        let error = job.run(|| {
            ran = true;
            Ok::<(), Error>(())
        });
        assert!(matches!(error, Err(Error::Cancelled(_))) && !ran);

        let (flag, job, _) = recording_job();
        let mut units = 0;
        let result = job.run(|| {
            let progress = Progress::new(100);
            for _ in 0..100 {
                if progress.advance(1) {
                    break;
                }
                units += 1;
                if units == 10 {
                    flag.store(true, Ordering::Relaxed);
                }
            }
            progress.finish()
        });
        assert!(matches!(result, Err(Error::Cancelled(_))));
        assert_eq!(units, 10);
        assert!(seen.lock().unwrap().is_empty());
    }

    #[test]
    fn without_a_job_nothing_is_checked_and_the_thread_is_left_clean() {
        let progress = Progress::new(5);
        assert!(!progress.advance(5));
        assert!(progress.finish().is_ok() && check().is_ok());
        let (_, job, _) = recording_job();
        job.run(|| {
            assert!(current().is_some());
            Ok::<(), Error>(())
        })
        .unwrap();
        assert!(current().is_none());
    }
}
