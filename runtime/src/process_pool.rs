//! Parallel work that keeps running after `fork()`.
//!
//! The parallel operations (blur, resize, the JPEG decoders) run on rayon's global thread pool.
//! `fork()` copies only the calling thread: in the child of a process that had started the
//! pool, the pool's threads do not exist, and the first parallel operation would wait for them
//! forever. [`run`] therefore remembers the process that first did work through it (the one
//! that owns the global pool); in any other process (a forked child, or a child of that child)
//! it runs the work on a pool built in that process. The common case costs one `getpid` per
//! call.
//!
//! What it cannot make safe: a fork while another thread of the parent is inside Pixbridge (a
//! lock that thread holds, in the allocator say, stays locked in the child). Fork while no
//! Pixbridge call is running, as pre-fork servers and `multiprocessing` do.

use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

/// The process whose calls use rayon's global pool: the first to call [`run`] (0: none yet).
static GLOBAL_POOL_PROCESS: AtomicU32 = AtomicU32::new(0);

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
/// the calling thread waits (thread-locals set inside `work` are then another thread's).
pub fn run<R>(work: impl FnOnce() -> R) -> R {
    let process = std::process::id();
    let owner = match GLOBAL_POOL_PROCESS.compare_exchange(0, process, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => process,
        Err(owner) => owner,
    };
    if owner == process {
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
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
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
