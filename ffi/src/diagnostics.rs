//! Exports about the library itself: its ABI version, its live handles, its memory cache and its
//! worker threads. None of them starts the worker pool.

use interoptopus::ffi;
use pixbridge_runtime::{ABI_VERSION, ErrorCode, images, process_pool};

use crate::convert;
use crate::errors::export_without_pool;

/// The ABI version of this library (also in the function table).
#[ffi]
pub fn pixbridge_abi_version() -> u32 {
    ABI_VERSION
}

/// Diagnostics: writes the number of live image handles and live buffer handles. Leak tests
/// compare them with a baseline.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_live_handles(out_images: *mut u64, out_buffers: *mut u64) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: both out-parameters are null or writable.
        let (out_images, out_buffers) =
            unsafe { (convert::out(out_images, "out_images")?, convert::out(out_buffers, "out_buffers")?) };
        (*out_images, *out_buffers) = (images::live_count(), images::buffers::live_count());
        Ok(())
    })
}

/// Gives the memory the library keeps for reuse (freed image-sized blocks, up to 512 MiB by
/// default; see `PIXBRIDGE_MEMORY_CACHE_MB`) back to the system, and writes how many bytes that
/// was to `out_released_bytes`. For an idle process; images still open are not touched, and the
/// cache fills again as later images are freed.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_trim(out_released_bytes: *mut u64) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: the out-parameter is null or writable.
        let out = unsafe { convert::out(out_released_bytes, "out_released_bytes") }?;
        *out = crate::ALLOCATOR.trim() as u64;
        Ok(())
    })
}

/// Sets the number of native worker threads of this process: the threads that blur, resize and
/// the JPEG decoders share (0: one per logical CPU, the default). Takes precedence over the
/// environment variable `PIXBRIDGE_WORKER_THREADS`, which is read only when this was not called.
///
/// The pool starts, and its size is fixed, at the first call that works on images (opening,
/// decoding, any operation, encoding, ...; not this one, `pixbridge_worker_threads`, the version
/// or the other diagnostics). Call this before that. Afterwards the same count succeeds (0
/// counting as one per logical CPU) and any other returns `InvalidArgument` with a message that
/// says how many threads the pool runs with. More than 1024 is `InvalidArgument` too.
#[ffi]
pub fn pixbridge_set_worker_threads(threads: u32) -> ErrorCode {
    export_without_pool(|| process_pool::set_worker_threads(threads))
}

/// Writes the number of native worker threads to `out_threads`: the pool's, or, before it has
/// started, the number it will start with. Does not start the pool.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_worker_threads(out_threads: *mut u32) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: the out-parameter is null or writable.
        let out = unsafe { convert::out(out_threads, "out_threads") }?;
        *out = process_pool::worker_threads();
        Ok(())
    })
}

/// Test hook for the panic boundary, only in builds with the `test-hooks` feature (never in
/// the shipped library, never in the function table): panics inside the library and returns
/// `Panic` with the message "internal error (panic) in Pixbridge: deliberate test panic".
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C-unwind" fn pixbridge_debug_panic() -> ErrorCode {
    crate::errors::export(|| panic!("deliberate test panic"))
}
