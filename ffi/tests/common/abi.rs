//! The raw C-ABI calls that several test suites make the same way: decode or open with the
//! default or given limits, destroy, read the thread's last-error message, count live handles.
//! Each suite includes this file with `#[path]` and uses what it needs.

#![allow(dead_code)] // each suite uses a different subset

use std::path::Path;
use std::ptr;

use pixbridge::{
    DecodeLimits, ErrorCode, pixbridge_image_decode, pixbridge_image_destroy, pixbridge_image_open,
    pixbridge_last_error_message, pixbridge_live_handles,
};

/// `Ok(())` for [`ErrorCode::Ok`], the code otherwise.
pub fn check(code: ErrorCode) -> Result<(), ErrorCode> {
    if code == ErrorCode::Ok { Ok(()) } else { Err(code) }
}

/// This thread's last-error message, asked for its length first as C callers do; checks the
/// NUL terminator. Empty when no call on this thread has failed yet.
pub fn last_message() -> String {
    let mut length = 0usize;
    // SAFETY: a null buffer of length 0 asks for the length only.
    let status = unsafe { pixbridge_last_error_message(ptr::null_mut(), 0, &mut length) };
    assert!(
        status == ErrorCode::BufferTooSmall || (status == ErrorCode::Ok && length == 0),
        "asking for the message length gave {status:?}"
    );
    let mut buffer = vec![0xffu8; length + 1];
    // SAFETY: the buffer is valid for writes of its length.
    let status = unsafe { pixbridge_last_error_message(buffer.as_mut_ptr(), buffer.len(), &mut length) };
    assert_eq!(status, ErrorCode::Ok);
    assert_eq!(buffer[length], 0, "the message is NUL-terminated");
    buffer.truncate(length);
    String::from_utf8(buffer).expect("the last-error message is UTF-8")
}

/// Live `(images, buffers)` handles in the library's tables (for leak checks).
pub fn live() -> (u64, u64) {
    let (mut images, mut buffers) = (0, 0);
    // SAFETY: valid out-parameters.
    assert_eq!(unsafe { pixbridge_live_handles(&mut images, &mut buffers) }, ErrorCode::Ok);
    (images, buffers)
}

/// Decodes `bytes` with `limits` (`None`: the library's defaults, a null pointer).
pub fn decode(bytes: &[u8], limits: Option<&DecodeLimits>) -> Result<u64, ErrorCode> {
    let mut image = 0;
    let limits = limits.map_or(ptr::null(), |limits| limits as *const DecodeLimits);
    // SAFETY: valid byte range (a dangling non-null pointer for an empty slice is fine: length
    // 0), limits null or valid, valid out-parameter.
    check(unsafe { pixbridge_image_decode(bytes.as_ptr(), bytes.len(), limits, &mut image) })?;
    Ok(image)
}

/// Opens and decodes the file at `path` with the default limits.
pub fn open(path: &Path) -> Result<u64, ErrorCode> {
    let path = path.to_str().expect("test paths are UTF-8");
    let mut image = 0;
    // SAFETY: valid path bytes, null limits, valid out-parameter.
    check(unsafe { pixbridge_image_open(path.as_ptr(), path.len(), ptr::null(), &mut image) })?;
    Ok(image)
}

/// Destroys an image handle and returns the code (the table validates any value).
pub fn destroy(image: u64) -> ErrorCode {
    pixbridge_image_destroy(image)
}
