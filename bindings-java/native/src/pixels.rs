//! `io.pixbridge.NativePixels`: images from the pixel arrays a Java program already holds (the
//! backing arrays of `BufferedImage` rasters) and pixels copied back into such arrays, in any
//! `PixelFormat` layout (stable codes, checked by the runtime), behind `Image.fromBufferedImage`
//! and `Image.toBufferedImage`.
//!
//! # One copy, no critical section
//!
//! The Java array is copied into native memory with `Get<Type>ArrayRegion` (a memcpy inside the
//! JVM), only the range the pixels occupy; the runtime then converts that copy into the image's
//! RGBA8 buffer in one pass. Output goes the other way: the runtime converts into native memory,
//! `Set<Type>ArrayRegion` copies it into the array. The memcpy is a small part of a conversion
//! (it touches each byte once, as the conversion does) and keeps the conversion itself out of a
//! `GetPrimitiveArrayCritical` section: the runtime converts large images in parallel on the
//! worker pool, and while a thread holds a critical array HotSpot defers garbage collection, so
//! a worker that meanwhile runs a Java progress callback (and allocates) would stall the
//! conversion it is part of (see the README, "decode(byte[]) copies").
//!
//! # `int[]` rasters and byte order
//!
//! An `int[]` (`TYPE_INT_ARGB`, `TYPE_INT_RGB`, ...) is handed to the runtime as the bytes of its
//! ints in the machine's native order. This side assumes no byte order: the Java side picks the
//! `PixelFormat` whose byte order matches `ByteOrder.nativeOrder()` (little-endian, on every
//! supported platform: `TYPE_INT_ARGB` = `Bgra8`, `TYPE_INT_RGB` = `Bgrx8`, `TYPE_INT_BGR` =
//! `Rgbx8`, `TYPE_INT_ARGB_PRE` = `Bgra8Premultiplied`; on a big-endian machine `TYPE_INT_ARGB`
//! is `Argb8` and the layouts without a big-endian twin take the general path).

use jni::objects::{JByteArray, JClass, JIntArray};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned, jni_mangle};
use pixbridge_runtime::{Error, ErrorCode, pixels};

use crate::boundary::{NativeResult, guarded, handle, run, to_java};

/// A Java `int` the runtime takes as `u32` (a size, a format code, a stride); negatives refused.
fn unsigned(value: jint, name: &str) -> pixbridge_runtime::Result<u32> {
    u32::try_from(value).map_err(|_| Error::invalid_argument(format!("{name} must not be negative (got {value})")))
}

/// The element range `offset..offset + length` of an array of `array_len` elements, or an
/// `InvalidArgument` naming the bad range.
fn element_range(
    offset: jint,
    length: jint,
    array_len: usize,
    what: &str,
) -> pixbridge_runtime::Result<std::ops::Range<usize>> {
    usize::try_from(offset)
        .ok()
        .zip(usize::try_from(length).ok())
        .and_then(|(start, len)| Some(start..start.checked_add(len)?))
        .filter(|range| range.end <= array_len)
        .ok_or_else(|| {
            Error::invalid_argument(format!(
                "bad range of {what} of {array_len} elements: offset {offset}, length {length}"
            ))
        })
}

/// The image's layout parameters from the Java values.
struct Layout {
    width: u32,
    height: u32,
    format: u32,
    stride: u32,
}

fn layout(width: jint, height: jint, format: jint, stride: jint) -> pixbridge_runtime::Result<Layout> {
    Ok(Layout {
        width: unsigned(width, "width")?,
        height: unsigned(height, "height")?,
        format: unsigned(format, "format")?,
        stride: unsigned(stride, "stride")?,
    })
}

/// Views ints as their bytes in native order (what a C program reading the array's memory sees).
fn int_bytes(ints: &[i32]) -> &[u8] {
    // SAFETY: i32 has no padding and every byte pattern is a valid u8; u8's alignment (1) is
    // satisfied by any address; the length is the same memory, counted in bytes.
    unsafe { std::slice::from_raw_parts(ints.as_ptr().cast::<u8>(), std::mem::size_of_val(ints)) }
}

/// Views bytes as JNI's `jbyte` (`i8`).
fn as_jbytes(bytes: &[u8]) -> &[i8] {
    // SAFETY: u8 and i8 have the same size and alignment and every bit pattern is valid for both.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<i8>(), bytes.len()) }
}

/// Mutable version of [`as_jbytes`].
fn as_jbytes_mut(bytes: &mut [u8]) -> &mut [i8] {
    // SAFETY: as for `as_jbytes`; the borrow is exclusive.
    unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast::<i8>(), bytes.len()) }
}

fn null(name: &str) -> Error {
    Error::new(ErrorCode::NullArgument, format!("{name} was null"))
}

/// `NativePixels.fromBytes(byte[] data, int offset, int length, int width, int height, int format,
/// int stride)`: an image from `length` bytes of `data` from `offset`, the first pixel at
/// `offset`, rows `stride` bytes apart, in the `PixelFormat` `format`.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativePixels")]
pub fn from_bytes<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    width: jint,
    height: jint,
    format: jint,
    stride: jint,
) -> jlong {
    run(&mut env, |env| {
        if data.is_null() {
            return Err(null("data").into());
        }
        let range = element_range(offset, length, data.len(env)?, "a byte array")?;
        let mut bytes = vec![0u8; range.len()];
        // The range was checked above, so `offset` is a valid jsize.
        data.get_region(env, offset, as_jbytes_mut(&mut bytes))?;
        guarded(|| {
            let layout = layout(width, height, format, stride)?;
            pixels::from_pixel_data(&bytes, layout.width, layout.height, layout.format, layout.stride)
        })
        .map(to_java)
    })
}

/// `NativePixels.fromInts(int[] data, int offset, int length, int width, int height, int format,
/// int stride)`: as [`from_bytes`] on the native-order bytes of `length` ints of `data` from
/// `offset` (`offset` and `length` count ints; `stride` counts bytes).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativePixels")]
pub fn from_ints<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JIntArray<'caller>,
    offset: jint,
    length: jint,
    width: jint,
    height: jint,
    format: jint,
    stride: jint,
) -> jlong {
    run(&mut env, |env| {
        if data.is_null() {
            return Err(null("data").into());
        }
        let range = element_range(offset, length, data.len(env)?, "an int array")?;
        let mut ints = vec![0i32; range.len()];
        data.get_region(env, offset, &mut ints)?;
        guarded(|| {
            let layout = layout(width, height, format, stride)?;
            pixels::from_pixel_data(int_bytes(&ints), layout.width, layout.height, layout.format, layout.stride)
        })
        .map(to_java)
    })
}

/// Converts the pixels of `image` into `out` (`format`, rows `stride` bytes apart, 0 for packed
/// rows), through native memory; the runtime checks the format, the stride and that `out` is long
/// enough. Only the bytes the pixels span are written back; with a `stride` (not 0) the bytes
/// between rows are first read from `out`, so that they stay as they were.
fn copy_out(env: &Env<'_>, image: jlong, format: jint, stride: jint, out: &JByteArray<'_>) -> NativeResult<()> {
    if out.is_null() {
        return Err(null("out").into());
    }
    let array_len = out.len(env)?;
    let (format, stride) = guarded(|| Ok((unsigned(format, "format")?, unsigned(stride, "stride")?)))?;
    let needed = guarded(|| pixels::copy_pixel_data_len(handle(image), format, stride))?;
    // A short array gets the runtime's BufferTooSmall, with the sizes in its message.
    let mut bytes = vec![0u8; needed.min(array_len)];
    if stride != 0 {
        out.get_region(env, 0, as_jbytes_mut(&mut bytes))?;
    }
    guarded(|| pixels::copy_pixel_data(handle(image), format, stride, &mut bytes))?;
    out.set_region(env, 0, as_jbytes(&bytes))?;
    Ok(())
}

/// `NativePixels.copyToBytes(long image, int format, int stride, byte[] out)`: the image's
/// pixels in the `PixelFormat` `format`, rows `stride` bytes apart, from the start of `out`.
#[jni_mangle("io.pixbridge.NativePixels")]
pub fn copy_to_bytes<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    format: jint,
    stride: jint,
    out: JByteArray<'caller>,
) {
    run(&mut env, |env| copy_out(env, image, format, stride, &out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_inside_the_array_only() {
        assert_eq!(element_range(0, 4, 4, "x").unwrap(), 0..4);
        assert_eq!(element_range(2, 0, 2, "x").unwrap(), 2..2);
        assert!(element_range(1, 4, 4, "x").is_err());
        assert!(element_range(-1, 1, 4, "x").is_err());
        assert!(element_range(0, -1, 4, "x").is_err());
        assert!(element_range(i32::MAX, i32::MAX, usize::MAX, "x").is_ok());
    }

    #[test]
    fn int_bytes_are_native_order() {
        let value = 0x1122_3344_i32;
        assert_eq!(int_bytes(&[value]), value.to_ne_bytes());
    }
}
