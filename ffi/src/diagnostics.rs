//! Exports about the library itself: its ABI version, its live handles and its memory cache.

use interoptopus::ffi;
use pixbridge_runtime::{ABI_VERSION, ErrorCode, images};

use crate::convert;
use crate::errors::export;

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
    export(|| {
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
    export(|| {
        // SAFETY: C contract: the out-parameter is null or writable.
        let out = unsafe { convert::out(out_released_bytes, "out_released_bytes") }?;
        *out = crate::ALLOCATOR.trim() as u64;
        Ok(())
    })
}

/// Test hook for the panic boundary, only in builds with the `test-hooks` feature (never in
/// the shipped library, never in the function table): panics inside the library and returns
/// `Panic` with the message "internal error (panic) in Pixbridge: deliberate test panic".
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C-unwind" fn pixbridge_debug_panic() -> ErrorCode {
    export(|| panic!("deliberate test panic"))
}
