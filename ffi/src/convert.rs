//! Validation of what C hands us: null checks, lengths, UTF-8. Nothing here trusts a pointer
//! beyond what the C contract of the calling export states.

use std::path::Path;

use pixbridge_runtime::{Error, ErrorCode, Result};

/// Borrows `len` bytes at `ptr`. A null `ptr` is allowed only with `len == 0`.
///
/// # Safety
/// `ptr` must be null or point to `len` readable bytes that stay valid and unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8]> {
    // SAFETY: forwarded contract.
    unsafe { slice(ptr, len, name) }
}

/// Borrows `len` values of `T` at `ptr`. A null `ptr` is allowed only with `len == 0`.
///
/// # Safety
/// `ptr` must be null or point to `len` readable, aligned values that stay valid and unchanged
/// for `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<&'a [T]> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    if len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(Error::invalid_argument(format!("{name}: length {len} is larger than any buffer can be")));
    }
    // SAFETY: non-null and, by the caller's contract, `len` readable values.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows `len` writable bytes at `ptr`.
///
/// # Safety
/// `ptr` must be null or point to `len` writable bytes not aliased for `'a`.
pub(crate) unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize, name: &str) -> Result<&'a mut [u8]> {
    if ptr.is_null() {
        return if len == 0 { Ok(&mut []) } else { Err(null(name)) };
    }
    if len > isize::MAX as usize {
        return Err(Error::invalid_argument(format!("{name}: length {len} is larger than any buffer can be")));
    }
    // SAFETY: non-null and, by the caller's contract, `len` writable bytes.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Borrows a UTF-8 path given as bytes (not NUL-terminated).
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn path<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a Path> {
    // SAFETY: forwarded contract.
    let raw = unsafe { bytes(ptr, len, name) }?;
    if raw.is_empty() {
        return Err(Error::invalid_argument(format!("{name} is empty")));
    }
    let text = std::str::from_utf8(raw).map_err(|error| {
        Error::new(
            ErrorCode::InvalidUtf8,
            format!("{name} is not valid UTF-8 ({error}): {}", String::from_utf8_lossy(raw)),
        )
    })?;
    if text.contains('\0') {
        return Err(Error::invalid_argument(format!("{name} contains a NUL byte")));
    }
    Ok(Path::new(text))
}

/// Borrows an out-parameter.
///
/// # Safety
/// `ptr` must be null or valid for writes of `T` for `'a`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T> {
    // SAFETY: by the caller's contract a non-null pointer is valid for writes.
    unsafe { ptr.as_mut() }.ok_or_else(|| null(name))
}

fn null(name: &str) -> Error {
    Error::new(ErrorCode::NullArgument, format!("{name} is null"))
}

/// Copies `text` and a terminating NUL into `buf` and writes its length (without NUL) to
/// `out_len`; `BufferTooSmall` with the length in `out_len` when `buf` is not larger than it
/// (a null `buf` with 0 asks for the length).
pub(crate) fn copy_text(text: &str, buf: &mut [u8], out_len: &mut usize, what: &str) -> Result<()> {
    *out_len = text.len();
    let target = buf
        .get_mut(..=text.len())
        .ok_or_else(|| Error::new(ErrorCode::BufferTooSmall, format!("buffer too small for {what}")))?;
    target[..text.len()].copy_from_slice(text.as_bytes());
    target[text.len()] = 0;
    Ok(())
}
