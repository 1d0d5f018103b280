//! Exports that read and free encoded buffers (the output of `pixbridge_image_encode`).

use interoptopus::ffi;
use pixbridge_runtime::{ErrorCode, images};

use crate::convert;
use crate::errors::export;

/// Writes the address and length of an encoded buffer's bytes; valid until the buffer handle
/// is destroyed.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_buffer_data(buffer: u64, out_data: *mut *const u8, out_len: *mut usize) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: both out-parameters are null or writable.
        let (out_data, out_len) = unsafe { (convert::out(out_data, "out_data")?, convert::out(out_len, "out_len")?) };
        (*out_data, *out_len) = images::buffers::data(buffer)?;
        Ok(())
    })
}

/// Destroys an encoded buffer handle.
#[ffi]
pub fn pixbridge_buffer_destroy(buffer: u64) -> ErrorCode {
    export(|| images::buffers::destroy(buffer))
}
