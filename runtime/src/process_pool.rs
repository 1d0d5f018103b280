//! Parallel work that keeps running after `fork()`, on a pool of a size the process chooses.
//!
//! The parallel operations (blur, resize, the JPEG decoders) run on rayon's global thread pool.
//!
//! **Its size** is a per-process setting ([`set_worker_threads`], `PIXBRIDGE_WORKER_THREADS`),
//! fixed when the pool starts: at the first call that works on images ([`run`], [`start`]); the
//! version, diagnostics and this setting itself do not start it. The count is, in this order of
//! precedence: the last [`set_worker_threads`] before the start, else the environment variable
//! [`THREADS_ENV`] (read once, at the start), else one thread per logical CPU; 0 means one per
//! logical CPU wherever a count is given. Once the pool runs, asking for another count is an
//! error that names the count it runs with; asking for the same count succeeds. A process forked
//! from one whose pool had started builds its own pool with the same count.
//!
//! **Fork**: `fork()` copies only the calling thread: in the child of a process that had started
//! the pool, the pool's threads do not exist, and the first parallel operation would wait for
//! them forever. [`run`] therefore remembers the process that first did work through it (the one
//! that owns the global pool); in any other process (a forked child, or a child of that child)
//! it runs the work on a pool built in that process. The common case costs one `getpid` and one
//! atomic load per call.
//!
//! What it cannot make safe: a fork while another thread of the parent is inside Pixbridge (a
//! lock that thread holds, in the allocator say, stays locked in the child). Fork while no
//! Pixbridge call is running, as pre-fork servers and `multiprocessing` do.

use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use parking_lot::Mutex;

use crate::error::{Error, Result};

/// The environment variable read at the pool's start when no count was set: a number of threads
/// (0: one per logical CPU). A value that is not a number in range is ignored.
pub const THREADS_ENV: &str = "PIXBRIDGE_WORKER_THREADS";

/// Most worker threads a process may ask for.
pub const MAX_WORKER_THREADS: u32 = 1024;

/// The process whose calls use rayon's global pool: the first to call [`run`] (0: none yet).
static GLOBAL_POOL_PROCESS: AtomicU32 = AtomicU32::new(0);

/// The number of threads the pool runs with; 0 until it has started (fast path of [`start`]).
static STARTED_THREADS: AtomicU32 = AtomicU32::new(0);

/// The count asked for by [`set_worker_threads`] before the start (0 inside: one per CPU), and
/// the lock that orders a setting against the start.
static REQUESTED: Mutex<Option<u32>> = Mutex::new(None);

/// The pool of the current process when that is not [`GLOBAL_POOL_PROCESS`]; null until the
/// first such call. Pools are leaked on purpose: one inherited from a parent has no threads and
/// must not be dropped (dropping signals threads that do not exist in this process).
static CHILD_POOL: AtomicPtr<ChildPool> = AtomicPtr::new(ptr::null_mut());

struct ChildPool {
    process: u32,
    pool: rayon::ThreadPool,
}

/// Runs `work` where its parallel parts can make progress: on the calling thread in the process
/// that owns rayon's global pool, otherwise on a thread of a pool built in this process, while
/// the calling thread waits (thread-locals set inside `work` are then another thread's). Starts
/// the global pool first if it has not started (see [`start`]).
pub fn run<R>(work: impl FnOnce() -> R) -> R {
    let process = std::process::id();
    let owner = match GLOBAL_POOL_PROCESS.compare_exchange(0, process, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => process,
        Err(owner) => owner,
    };
    if owner == process {
        start();
        return work();
    }
    let work = Unsent(work);
    // `into_inner` moves the whole wrapper into the closure (a field access would capture only
    // the field, which is not `Send`).
    child_pool(process).install(move || Unsent(work.into_inner()())).into_inner()
}

/// The pool of this (forked) process, built on first use.
fn child_pool(process: u32) -> &'static rayon::ThreadPool {
    let current = CHILD_POOL.load(Ordering::Acquire);
    // SAFETY: non-null pointers in CHILD_POOL come from `Box::into_raw` below and are never freed.
    if let Some(child) = unsafe { current.as_ref() }
        && child.process == process
    {
        return &child.pool;
    }
    // The count the parent's pool ran with (the setting is inherited), or this process's own.
    let threads = start() as usize;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("pixbridge-{index}"))
        .build()
        .expect("a thread pool for this process (threads could not be started)");
    let built = Box::into_raw(Box::new(ChildPool { process, pool }));
    match CHILD_POOL.compare_exchange(current, built, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: just stored; never freed (see CHILD_POOL).
        Ok(_) => &unsafe { &*built }.pool,
        Err(_) => {
            // Another thread of this process built one first: keep theirs, drop ours (its
            // threads exist here, so dropping it is fine).
            // SAFETY: `built` came from `Box::into_raw` above and was never shared.
            drop(unsafe { Box::from_raw(built) });
            child_pool(process)
        }
    }
}

/// Starts rayon's global pool with the configured number of threads unless it runs already,
/// and returns the number it runs with. [`run`] calls it; a binding that does not run its calls
/// through [`run`] calls it before any work on images.
pub fn start() -> u32 {
    let started = STARTED_THREADS.load(Ordering::Acquire);
    if started != 0 {
        return started;
    }
    start_count()
}

/// The slow path of [`start`]: builds the global pool under the setting's lock.
fn start_count() -> u32 {
    let requested = REQUESTED.lock();
    let started = STARTED_THREADS.load(Ordering::Acquire);
    if started != 0 {
        return started;
    }
    let wanted = resolve(requested.or_else(from_environment).unwrap_or(0));
    let threads = match rayon::ThreadPoolBuilder::new()
        .num_threads(wanted as usize)
        .thread_name(|index| format!("pixbridge-{index}"))
        .build_global()
    {
        Ok(()) => wanted,
        // Something else in this process (a Rust program linking the runtime) started rayon's
        // pool first: its count is the one that counts.
        Err(_) => u32::try_from(rayon::current_num_threads()).unwrap_or(u32::MAX).max(1),
    };
    STARTED_THREADS.store(threads, Ordering::Release);
    threads
}

/// Sets the number of native worker threads of this process (0: one per logical CPU, the
/// default); takes precedence over [`THREADS_ENV`].
///
/// Before the pool has started (see the module docs) the last setting wins. Afterwards the pool
/// keeps its size: the same count (0 counting as one per CPU) succeeds, any other fails with
/// [`ErrorCode::InvalidArgument`](crate::ErrorCode::InvalidArgument) and a message that says how
/// many threads the pool runs with.
pub fn set_worker_threads(threads: u32) -> Result<()> {
    if threads > MAX_WORKER_THREADS {
        return Err(Error::invalid_argument(format!(
            "{threads} worker threads asked for: at most {MAX_WORKER_THREADS} (0: one per logical CPU)"
        )));
    }
    let mut requested = REQUESTED.lock();
    let started = STARTED_THREADS.load(Ordering::Acquire);
    if started == 0 {
        *requested = Some(threads);
        return Ok(());
    }
    let wanted = resolve(threads);
    if wanted == started {
        return Ok(());
    }
    Err(Error::invalid_argument(format!(
        "the worker thread pool already runs with {started} thread{}: {wanted} cannot be set any more (set the \
         count before the first call that works on images, or with {THREADS_ENV})",
        if started == 1 { "" } else { "s" }
    )))
}

/// The number of native worker threads: the pool's, or, before it has started, the number it
/// will start with (the setting, else [`THREADS_ENV`], else one per logical CPU). Does not start
/// the pool.
pub fn worker_threads() -> u32 {
    let requested = REQUESTED.lock();
    match STARTED_THREADS.load(Ordering::Acquire) {
        0 => resolve(requested.or_else(from_environment).unwrap_or(0)),
        started => started,
    }
}

/// Whether the pool has started (its size can no longer change).
pub fn started() -> bool {
    STARTED_THREADS.load(Ordering::Acquire) != 0
}

/// `threads`, with 0 meaning one per logical CPU.
fn resolve(threads: u32) -> u32 {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(MAX_WORKER_THREADS)),
        threads => threads,
    }
}

/// [`THREADS_ENV`] as a count, if it is set to a number from 0 to [`MAX_WORKER_THREADS`].
fn from_environment() -> Option<u32> {
    parse_threads(&std::env::var(THREADS_ENV).ok()?)
}

fn parse_threads(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|&threads| threads <= MAX_WORKER_THREADS)
}

/// Lets `run` move the work and its result to a pool thread and back.
struct Unsent<T>(T);

impl<T> Unsent<T> {
    fn into_inner(self) -> T {
        self.0
    }
}

// SAFETY: `ThreadPool::install` blocks the calling thread until the work has run and its result
// has come back, so the value is only ever used by one thread at a time, in sequence, as if the
// caller had run the work itself.
unsafe impl<T> Send for Unsent<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_process_runs_work_on_the_calling_thread() {
        let caller = std::thread::current().id();
        assert_eq!(run(|| std::thread::current().id()), caller);
        assert_eq!(GLOBAL_POOL_PROCESS.load(Ordering::Acquire), std::process::id());
    }

    #[test]
    fn thread_counts_are_read_from_text_in_range_only() {
        assert_eq!(parse_threads("4"), Some(4));
        assert_eq!(parse_threads(" 0\n"), Some(0));
        assert_eq!(parse_threads("1024"), Some(MAX_WORKER_THREADS));
        for bad in ["", "-1", "1025", "two", "2.5", "4 threads"] {
            assert_eq!(parse_threads(bad), None, "{bad:?}");
        }
        let cores = std::thread::available_parallelism().unwrap().get() as u32;
        assert_eq!(resolve(0), cores);
        assert_eq!(resolve(7), 7);
    }

    #[test]
    fn a_count_out_of_range_is_refused_with_the_limit() {
        let error = set_worker_threads(MAX_WORKER_THREADS + 1).unwrap_err();
        assert_eq!(error.code, crate::ErrorCode::InvalidArgument);
        assert!(error.message.contains("at most 1024"), "{}", error.message);
    }

    #[test]
    fn once_started_only_the_same_count_is_accepted() {
        let threads = start();
        assert!(started());
        assert_eq!(worker_threads(), threads);
        set_worker_threads(threads).unwrap();
        let error = set_worker_threads(threads + 1).unwrap_err();
        assert_eq!(error.code, crate::ErrorCode::InvalidArgument);
        let plural = if threads == 1 { "thread:" } else { "threads:" };
        assert!(error.message.contains(&format!("already runs with {threads} {plural}")), "{}", error.message);
        assert_eq!(worker_threads(), threads);
    }

    #[test]
    fn another_process_gets_a_pool_of_its_own_once() {
        // What a forked child sees: the owner is another process. Simulated by asking for the
        // pool of a process id that is not ours (never the owner's, so `run` is not involved).
        let other = std::process::id().wrapping_add(1);
        let first: *const rayon::ThreadPool = child_pool(other);
        let second: *const rayon::ThreadPool = child_pool(other);
        assert_eq!(first, second, "built once per process");
        let sum: u64 = child_pool(other).install(|| {
            use rayon::prelude::*;
            (1..=1000u64).into_par_iter().sum()
        });
        assert_eq!(sum, 500_500);
    }
}
