//! `io.pixbridge.NativeImage`: image life cycle, pixels, encoding and diagnostics.
//!
//! Paths arrive as UTF-8 bytes that the Java side encoded strictly (an unpaired surrogate is
//! reported there as `InvalidUtf8`), so this side sees exactly the bytes the C ABI would.

use std::path::Path;

use jni::objects::{JByteArray, JByteBuffer, JClass, JString};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned, jni_mangle};
use pixbridge_core::DecodeLimits;
use pixbridge_runtime::{Error, ErrorCode, codes, images, process_pool};

use crate::boundary::{NativeResult, guarded, guarded_under, handle, run, run_without_env, run_without_pool, to_java};

/// Views bytes as JNI's `jbyte` (`i8`): same size and alignment, any bit pattern valid.
fn as_jbytes(bytes: &[u8]) -> &[i8] {
    // SAFETY: u8 and i8 have the same size and alignment and every bit pattern is valid for both.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<i8>(), bytes.len()) }
}

/// Mutable version of [`as_jbytes`].
fn as_jbytes_mut(bytes: &mut [u8]) -> &mut [i8] {
    // SAFETY: as for `as_jbytes`; the borrow is exclusive.
    unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast::<i8>(), bytes.len()) }
}

/// Copies a whole Java byte array into Rust memory.
fn read_array(env: &Env<'_>, array: &JByteArray<'_>) -> NativeResult<Vec<u8>> {
    if array.is_null() {
        return Err(Error::new(ErrorCode::NullArgument, "a required byte array was null").into());
    }
    Ok(env.convert_byte_array(array)?)
}

/// Reads a UTF-8 path given as a Java byte array.
fn read_path(env: &Env<'_>, utf8: &JByteArray<'_>) -> NativeResult<String> {
    let bytes = read_array(env, utf8)?;
    String::from_utf8(bytes)
        .map_err(|e| Error::new(ErrorCode::InvalidUtf8, format!("path is not valid UTF-8: {e}")).into())
}

/// Builds decode limits from the Java values (non-negative; checked again here).
pub(crate) fn limits(
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
) -> pixbridge_runtime::Result<DecodeLimits> {
    let negative = |name: &str| Error::invalid_argument(format!("decode limit {name} must not be negative"));
    Ok(DecodeLimits {
        max_width: u32::try_from(max_width).map_err(|_| negative("maxWidth"))?,
        max_height: u32::try_from(max_height).map_err(|_| negative("maxHeight"))?,
        max_decoded_bytes: u64::try_from(max_decoded_bytes).map_err(|_| negative("maxDecodedBytes"))?,
    })
}

/// A Java `int` the native API takes as unsigned (`u32`). The Java API refuses negatives before
/// the call; this repeats the check so that no path turns -1 into 4294967295. Range checks are
/// the runtime's (`codes::*`), shared with the C ABI.
pub(crate) fn unsigned(value: jint, name: &str) -> pixbridge_runtime::Result<u32> {
    u32::try_from(value).map_err(|_| Error::invalid_argument(format!("{name} must not be negative (got {value})")))
}

/// Runs `body` on `length` bytes of the Java array `data` from `offset`, copied into native
/// memory first (`GetByteArrayRegion`; see the README for why not in place), under `control`
/// (0 for none).
pub(crate) fn with_array_range<T>(
    env: &Env<'_>,
    data: &JByteArray<'_>,
    offset: jint,
    length: jint,
    control: jlong,
    body: impl FnOnce(&[u8]) -> pixbridge_runtime::Result<T>,
) -> NativeResult<T> {
    if data.is_null() {
        return Err(Error::new(ErrorCode::NullArgument, "data was null").into());
    }
    // Checked here: the jni crate would report a range past the end as its own error (with the
    // JVM's exception cleared), which is not a runtime error code.
    let array_len = data.len(env)?;
    let range = usize::try_from(offset)
        .ok()
        .zip(usize::try_from(length).ok())
        .and_then(|(start, len)| Some(start..start.checked_add(len)?))
        .filter(|range| range.end <= array_len);
    let Some(range) = range else {
        return Err(Error::invalid_argument(format!(
            "bad range of a byte array of {array_len} bytes: offset {offset}, length {length}"
        ))
        .into());
    };
    let mut bytes = vec![0u8; range.len()];
    data.get_region(env, offset, as_jbytes_mut(&mut bytes))?;
    guarded_under(control, || body(&bytes))
}

/// Runs `body` on `length` bytes of the direct buffer `data` from `offset`, read in place (no
/// copy), under `control` (0 for none). The Java side keeps the buffer reachable for the
/// duration of the call.
fn with_direct_range<T>(
    env: &Env<'_>,
    data: &JByteBuffer<'_>,
    offset: jint,
    length: jint,
    control: jlong,
    body: impl FnOnce(&[u8]) -> pixbridge_runtime::Result<T>,
) -> NativeResult<T> {
    if data.is_null() {
        return Err(Error::new(ErrorCode::NullArgument, "data was null").into());
    }
    let capacity = env.get_direct_buffer_capacity(data)?;
    let range = usize::try_from(offset)
        .ok()
        .zip(usize::try_from(length).ok())
        .and_then(|(start, len)| Some(start..start.checked_add(len)?))
        .filter(|range| range.end <= capacity);
    let Some(range) = range else {
        return Err(Error::invalid_argument(format!(
            "bad range of a direct buffer of {capacity} bytes: offset {offset}, length {length}"
        ))
        .into());
    };
    let bytes: &[u8] = if range.is_empty() {
        // A zero-capacity buffer may have no address at all.
        &[]
    } else {
        let address = env.get_direct_buffer_address(data)?;
        // SAFETY: `address` is the start of the buffer's `capacity` bytes, which stay allocated
        // while the buffer is reachable (the Java caller fences it), and `range` lies inside.
        unsafe { std::slice::from_raw_parts(address.add(range.start), range.len()) }
    };
    guarded_under(control, || body(bytes))
}

/// Open options from the Java values: limits, a minimum size (0 x 0 = full size) and the
/// deferred, lenient and keep-profile flags (0 or 1, checked by the runtime).
fn decode_options(
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    flags: (jint, jint, jint),
) -> pixbridge_runtime::Result<images::OpenOptions> {
    let (deferred, lenient, keep_profile) = flags;
    codes::open_options(
        limits(max_width, max_height, max_decoded_bytes)?,
        unsigned(min_width, "minWidth")?,
        unsigned(min_height, "minHeight")?,
        unsigned(deferred, "deferred")?,
        unsigned(lenient, "lenient")?,
        unsigned(keep_profile, "keepProfile")?,
    )
}

/// Thumbnail options from the Java values (`allow_upscale`, `keep_metadata` 0 or 1, checked by
/// the runtime).
fn thumbnail_options(
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
) -> pixbridge_runtime::Result<pixbridge_runtime::ThumbnailOptions> {
    codes::thumbnail_options(
        limits(max_width, max_height, max_decoded_bytes)?,
        unsigned(allow_upscale, "allowUpscale")?,
        unsigned(keep_metadata, "keepMetadata")?,
    )
}

/// The thumbnail box and fit from the Java values; the runtime checks the fit code and the box.
struct ThumbnailBox {
    width: u32,
    height: u32,
    fit: u32,
}

fn thumbnail_box(width: jint, height: jint, fit: jint) -> pixbridge_runtime::Result<ThumbnailBox> {
    Ok(ThumbnailBox {
        width: unsigned(width, "width")?,
        height: unsigned(height, "height")?,
        fit: unsigned(fit, "fit")?,
    })
}

/// Encode options from the Java values, in the order of `NativeImage.encodeWith`'s parameters
/// (see `EncodeOptions.java`), where 0 means a field's default (checked by the runtime).
fn encode_options(java: [jint; 9]) -> pixbridge_runtime::Result<pixbridge_runtime::EncodeOptions> {
    let [
        quality,
        subsampling,
        progressive,
        optimize_huffman,
        png_compression,
        webp_quality,
        avif_quality,
        avif_speed,
        strip_metadata,
    ] = java;
    codes::encode_options(&codes::PlainEncodeOptions {
        quality: unsigned(quality, "quality")?,
        subsampling: unsigned(subsampling, "subsampling")?,
        progressive: unsigned(progressive, "progressive")?,
        optimize_huffman: unsigned(optimize_huffman, "optimizeHuffman")?,
        png_compression: unsigned(png_compression, "pngCompression")?,
        webp_quality: unsigned(webp_quality, "webpQuality")?,
        avif_quality: unsigned(avif_quality, "avifQuality")?,
        avif_speed: unsigned(avif_speed, "avifSpeed")?,
        strip_metadata: unsigned(strip_metadata, "stripMetadata")?,
    })
}

/// `format` of `NativeImage.saveWith` that means "from the path's extension".
const FORMAT_FROM_EXTENSION: jint = -1;

/// `NativeImage.open(byte[] pathUtf8, int maxWidth, int maxHeight, long maxDecodedBytes)`.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn open<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
) -> jlong {
    open_controlled(env, class, path_utf8, max_width, max_height, max_decoded_bytes, 0)
}

/// `NativeImage.openControlled(..., long control)`: [`open`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn open_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let path = read_path(env, &path_utf8)?;
        guarded_under(control, || images::open(Path::new(&path), &limits(max_width, max_height, max_decoded_bytes)?))
            .map(to_java)
    })
}

/// `NativeImage.decodeArray(byte[] data, int offset, int length, int maxWidth, int maxHeight, long maxDecodedBytes)`.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_array<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
) -> jlong {
    decode_array_controlled(env, class, data, offset, length, max_width, max_height, max_decoded_bytes, 0)
}

/// `NativeImage.decodeArrayControlled(..., long control)`: [`decode_array`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_array_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let limits = limits(max_width, max_height, max_decoded_bytes);
        with_array_range(env, &data, offset, length, control, |bytes| images::decode(bytes, &limits?)).map(to_java)
    })
}

/// `NativeImage.decodeDirect(ByteBuffer data, int offset, int length, int maxWidth, int maxHeight, long maxDecodedBytes)`:
/// decodes straight from a direct buffer's memory, without copying. The Java side keeps the
/// buffer reachable for the duration of the call.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_direct<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    data: JByteBuffer<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
) -> jlong {
    decode_direct_controlled(env, class, data, offset, length, max_width, max_height, max_decoded_bytes, 0)
}

/// `NativeImage.decodeDirectControlled(..., long control)`: [`decode_direct`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_direct_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteBuffer<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let limits = limits(max_width, max_height, max_decoded_bytes);
        with_direct_range(env, &data, offset, length, control, |bytes| images::decode(bytes, &limits?)).map(to_java)
    })
}

/// `NativeImage.fromPixels(int width, int height, byte[] rgba)`.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn from_pixels<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    width: jint,
    height: jint,
    rgba: JByteArray<'caller>,
) -> jlong {
    run(&mut env, |env| {
        // The one copy out of the Java array becomes the image's buffer.
        let pixels = read_array(env, &rgba)?;
        guarded(move || {
            let width = u32::try_from(width).map_err(|_| Error::invalid_argument("width must not be negative"))?;
            let height = u32::try_from(height).map_err(|_| Error::invalid_argument("height must not be negative"))?;
            images::from_pixels_owned(width, height, pixels)
        })
        .map(to_java)
    })
}

/// `NativeImage.destroy(long image)`.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn destroy<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, image: jlong) {
    run_without_env(&mut env, || images::destroy(handle(image)))
}

/// `NativeImage.share(long image)`: a second handle to the same pixels.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn share<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, image: jlong) -> jlong {
    run_without_env(&mut env, || images::share(handle(image)).map(to_java))
}

/// `NativeImage.dimensions(long image)`: width in the high 32 bits, height in the low 32 bits.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn dimensions<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, image: jlong) -> jlong {
    run_without_env(&mut env, || {
        images::info(handle(image)).map(|info| ((u64::from(info.width) << 32) | u64::from(info.height)) as jlong)
    })
}

/// `io.pixbridge.bench.NativeTiming.blurNanos(long image, float sigma)`: blurs the image with
/// the core's [`pixbridge_core::Image::blur`] inside the library, frees the result, and returns
/// the nanoseconds this took, timed here. The Java benchmark alternates it with `Image.blur` on
/// the same image, in the same process, to measure what the Java API and JNI add to a blur.
///
/// Only in the library built with the `bench-hooks` feature (`bindings-java/bench/run.sh`); the
/// shipped library and jar have no benchmark entry points (`ci/test-java.sh` checks the exports).
#[cfg(feature = "bench-hooks")]
#[jni_mangle("io.pixbridge.bench.NativeTiming")]
pub fn blur_nanos<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    sigma: jni::sys::jfloat,
) -> jlong {
    run_without_env(&mut env, || {
        images::read(handle(image), |image| {
            let start = std::time::Instant::now();
            drop(std::hint::black_box(image.blur(sigma)?));
            Ok(i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX))
        })?
    })
}

/// `NativeImage.colorType(long image)`: the stable colour-type number.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn color_type<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, image: jlong) -> jint {
    run_without_env(&mut env, || images::info(handle(image)).map(|info| info.color_type as jint))
}

/// `NativeImage.pixelBuffer(long image)`: a direct `ByteBuffer` over the image's RGBA8 pixels.
///
/// The memory lives as long as the handle `image`; the Java side passes a shared handle that
/// a `Cleaner` destroys once the buffer is unreachable.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn pixel_buffer<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
) -> JByteBuffer<'caller> {
    run(&mut env, |env| {
        let (address, len) = guarded(|| images::pixels_ptr(handle(image)))?;
        if len > i32::MAX as usize {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("{len} bytes of pixels do not fit in a Java ByteBuffer (at most {} bytes)", i32::MAX),
            )
            .into());
        }
        // SAFETY: `address` points at `len` bytes that stay valid while the handle lives (the
        // runtime never reallocates an image's pixels); Java only reads them (read-only view).
        Ok(unsafe { env.new_direct_byte_buffer(address.cast_mut(), len)? })
    })
}

/// `NativeImage.copyPixels(long image, byte[] dst)`: copies the RGBA8 pixels into `dst`.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn copy_pixels<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    dst: JByteArray<'caller>,
) {
    run(&mut env, |env| {
        if dst.is_null() {
            return Err(Error::new(ErrorCode::NullArgument, "dst was null").into());
        }
        let info = guarded(|| images::info(handle(image)))?;
        let needed = info.width as usize * info.height as usize * 4;
        // Only as many bytes as the array can take: a short array gets the runtime's
        // BufferTooSmall error, with the sizes in its message.
        let mut pixels = vec![0u8; needed.min(dst.len(env)?)];
        guarded(|| images::copy_pixels(handle(image), &mut pixels))?;
        dst.set_region(env, 0, as_jbytes(&pixels))?;
        Ok(())
    })
}

/// `NativeImage.save(long image, byte[] pathUtf8)`: format from the extension, atomic write.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn save<'caller>(env: EnvUnowned<'caller>, class: JClass<'caller>, image: jlong, path_utf8: JByteArray<'caller>) {
    save_controlled(env, class, image, path_utf8, 0)
}

/// `NativeImage.saveControlled(..., long control)`: [`save`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn save_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    path_utf8: JByteArray<'caller>,
    control: jlong,
) {
    run(&mut env, |env| {
        let path = read_path(env, &path_utf8)?;
        guarded_under(control, || images::save(handle(image), Path::new(&path)))
    })
}

/// `NativeImage.encode(long image, int format, int quality)`: quality 0 = the format's default.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn encode<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    image: jlong,
    format: jint,
    quality: jint,
) -> JByteArray<'caller> {
    encode_controlled(env, class, image, format, quality, 0)
}

/// `NativeImage.encodeControlled(..., long control)`: [`encode`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn encode_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    format: jint,
    quality: jint,
    control: jlong,
) -> JByteArray<'caller> {
    run(&mut env, |env| {
        let bytes = guarded_under(control, || {
            let format = u32::try_from(format)
                .map_err(|_| Error::invalid_argument(format!("unknown image format code {format}")))?;
            let quality = u32::try_from(quality)
                .map_err(|_| Error::invalid_argument(format!("quality {quality} is out of range")))?;
            images::encode(handle(image), format, quality)
        })?;
        Ok(env.byte_array_from_slice(&bytes)?)
    })
}

/// `NativeImage.decodeWarning(long image)`: what was wrong with the data of an image a lenient
/// decode returned partial, and how many rows were decoded; null for an image decoded
/// completely and for every image an operation made.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_warning<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
) -> JString<'caller> {
    run(&mut env, |env| match guarded(|| images::decode_warning(handle(image)))? {
        Some(warning) => Ok(env.new_string(warning)?),
        None => Ok(JString::default()),
    })
}

/// `NativeImage.liveBuffers()`: live encoded-buffer handles. The Java SDK never makes one (its
/// encodes return Java arrays); leak tests check that it stays so.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn live_buffers<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jlong {
    run_without_pool(&mut env, || Ok(images::buffers::live_count() as jlong))
}

/// `NativeImage.liveHandleCount()`: live image handles (leak tests compare it with a baseline).
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn live_handle_count<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jlong {
    run_without_pool(&mut env, || Ok(images::live_count() as jlong))
}

/// `NativeImage.trim()`: gives the allocator's cached blocks back to the system; returns the bytes.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn trim<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jlong {
    run_without_pool(&mut env, || Ok(i64::try_from(crate::ALLOCATOR.trim()).unwrap_or(i64::MAX)))
}

/// `NativeImage.setWorkerThreads(int threads)`: sets the number of native worker threads of this
/// process (0: one per logical CPU); see `pixbridge_runtime::process_pool::set_worker_threads`.
/// A negative count is `InvalidArgument`.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn set_worker_threads<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, threads: jint) {
    run_without_pool(&mut env, || process_pool::set_worker_threads(unsigned(threads, "threads")?))
}

/// `NativeImage.workerThreads()`: the number of native worker threads (the pool's, or the number
/// it will start with); does not start the pool.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn worker_threads<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jint {
    run_without_pool(&mut env, || Ok(jint::try_from(process_pool::worker_threads()).unwrap_or(jint::MAX)))
}

/// `NativeImage.abiVersion()`: [`pixbridge_runtime::ABI_VERSION`]. The Java loader calls it on a
/// library from outside the jar (`-Dpixbridge.library.path`, `java.library.path`) before using it:
/// a library without this export is not a Pixbridge JNI library.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn abi_version<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jint {
    run_without_pool(&mut env, || Ok(jint::try_from(pixbridge_runtime::ABI_VERSION).unwrap_or(jint::MAX)))
}

/// `NativeImage.openWith(byte[] pathUtf8, int maxWidth, int maxHeight, long maxDecodedBytes,
/// int minWidth, int minHeight, int deferred, int lenient, int keepProfile)`: opens with decode options (a minimum size lets a
/// JPEG be decoded at 1/2, 1/4 or 1/8 scale; `deferred` 1 keeps a JPEG encoded until used).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn open_with<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    deferred: jint,
    lenient: jint,
    keep_profile: jint,
) -> jlong {
    open_with_controlled(
        env,
        class,
        path_utf8,
        max_width,
        max_height,
        max_decoded_bytes,
        min_width,
        min_height,
        deferred,
        lenient,
        keep_profile,
        0,
    )
}

/// `NativeImage.openWithControlled(..., long control)`: [`open_with`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn open_with_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    deferred: jint,
    lenient: jint,
    keep_profile: jint,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let path = read_path(env, &path_utf8)?;
        guarded_under(control, || {
            let flags = (deferred, lenient, keep_profile);
            let options = decode_options(max_width, max_height, max_decoded_bytes, min_width, min_height, flags)?;
            images::open_with(Path::new(&path), &options)
        })
        .map(to_java)
    })
}

/// `NativeImage.decodeWithArray(byte[] data, int offset, int length, int maxWidth, int maxHeight,
/// long maxDecodedBytes, int minWidth, int minHeight, int deferred, int lenient, int keepProfile)`: [`decode_array`] with
/// decode options.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_with_array<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    deferred: jint,
    lenient: jint,
    keep_profile: jint,
) -> jlong {
    decode_with_array_controlled(
        env,
        class,
        data,
        offset,
        length,
        max_width,
        max_height,
        max_decoded_bytes,
        min_width,
        min_height,
        deferred,
        lenient,
        keep_profile,
        0,
    )
}

/// `NativeImage.decodeWithArrayControlled(..., long control)`: [`decode_with_array`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_with_array_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    deferred: jint,
    lenient: jint,
    keep_profile: jint,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let flags = (deferred, lenient, keep_profile);
        let options = decode_options(max_width, max_height, max_decoded_bytes, min_width, min_height, flags);
        with_array_range(env, &data, offset, length, control, |bytes| images::decode_with(bytes, &options?))
            .map(to_java)
    })
}

/// `NativeImage.decodeWithDirect(ByteBuffer data, int offset, int length, int maxWidth,
/// int maxHeight, long maxDecodedBytes, int minWidth, int minHeight, int deferred, int lenient, int keepProfile)`:
/// [`decode_direct`] with decode options (the buffer is read in place; a deferred JPEG keeps a
/// copy).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_with_direct<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    data: JByteBuffer<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    deferred: jint,
    lenient: jint,
    keep_profile: jint,
) -> jlong {
    decode_with_direct_controlled(
        env,
        class,
        data,
        offset,
        length,
        max_width,
        max_height,
        max_decoded_bytes,
        min_width,
        min_height,
        deferred,
        lenient,
        keep_profile,
        0,
    )
}

/// `NativeImage.decodeWithDirectControlled(..., long control)`: [`decode_with_direct`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn decode_with_direct_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteBuffer<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    min_width: jint,
    min_height: jint,
    deferred: jint,
    lenient: jint,
    keep_profile: jint,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let flags = (deferred, lenient, keep_profile);
        let options = decode_options(max_width, max_height, max_decoded_bytes, min_width, min_height, flags);
        with_direct_range(env, &data, offset, length, control, |bytes| images::decode_with(bytes, &options?))
            .map(to_java)
    })
}

/// `NativeImage.thumbnailFile(byte[] pathUtf8, int width, int height, int fit, int maxWidth,
/// int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata)`: a thumbnail of an image file
/// (`fit` a `ThumbnailFit` number, `allowUpscale` 0 or 1; both checked by the runtime).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn thumbnail_file<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
    width: jint,
    height: jint,
    fit: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
) -> jlong {
    thumbnail_file_controlled(
        env,
        class,
        path_utf8,
        width,
        height,
        fit,
        max_width,
        max_height,
        max_decoded_bytes,
        allow_upscale,
        keep_metadata,
        0,
    )
}

/// `NativeImage.thumbnailFileControlled(..., long control)`: [`thumbnail_file`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn thumbnail_file_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
    width: jint,
    height: jint,
    fit: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let path = read_path(env, &path_utf8)?;
        guarded_under(control, || {
            let target = thumbnail_box(width, height, fit)?;
            let options = thumbnail_options(max_width, max_height, max_decoded_bytes, allow_upscale, keep_metadata)?;
            images::thumbnail_file(Path::new(&path), target.width, target.height, target.fit, &options)
        })
        .map(to_java)
    })
}

/// `NativeImage.thumbnailArray(byte[] data, int offset, int length, int width, int height,
/// int fit, int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata)`: a thumbnail
/// of encoded bytes in a Java array (copied first, as [`decode_array`]).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn thumbnail_array<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    width: jint,
    height: jint,
    fit: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
) -> jlong {
    thumbnail_array_controlled(
        env,
        class,
        data,
        offset,
        length,
        width,
        height,
        fit,
        max_width,
        max_height,
        max_decoded_bytes,
        allow_upscale,
        keep_metadata,
        0,
    )
}

/// `NativeImage.thumbnailArrayControlled(..., long control)`: [`thumbnail_array`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn thumbnail_array_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    width: jint,
    height: jint,
    fit: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let target = thumbnail_box(width, height, fit);
        let options = thumbnail_options(max_width, max_height, max_decoded_bytes, allow_upscale, keep_metadata);
        with_array_range(env, &data, offset, length, control, |bytes| {
            let target = target?;
            images::thumbnail(bytes, target.width, target.height, target.fit, &options?)
        })
        .map(to_java)
    })
}

/// `NativeImage.thumbnailDirect(ByteBuffer data, int offset, int length, int width, int height,
/// int fit, int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata)`: a thumbnail
/// of encoded bytes in a direct buffer, read in place (as [`decode_direct`]).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn thumbnail_direct<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    data: JByteBuffer<'caller>,
    offset: jint,
    length: jint,
    width: jint,
    height: jint,
    fit: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
) -> jlong {
    thumbnail_direct_controlled(
        env,
        class,
        data,
        offset,
        length,
        width,
        height,
        fit,
        max_width,
        max_height,
        max_decoded_bytes,
        allow_upscale,
        keep_metadata,
        0,
    )
}

/// `NativeImage.thumbnailDirectControlled(..., long control)`: [`thumbnail_direct`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn thumbnail_direct_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteBuffer<'caller>,
    offset: jint,
    length: jint,
    width: jint,
    height: jint,
    fit: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
    allow_upscale: jint,
    keep_metadata: jint,
    control: jlong,
) -> jlong {
    run(&mut env, |env| {
        let target = thumbnail_box(width, height, fit);
        let options = thumbnail_options(max_width, max_height, max_decoded_bytes, allow_upscale, keep_metadata);
        with_direct_range(env, &data, offset, length, control, |bytes| {
            let target = target?;
            images::thumbnail(bytes, target.width, target.height, target.fit, &options?)
        })
        .map(to_java)
    })
}

/// `NativeImage.encodeWith(long image, int format, int quality, int subsampling, int progressive,
/// int optimizeHuffman, int pngCompression, int webpQuality, int avifQuality, int avifSpeed,
/// int stripMetadata)`: encodes with encode options (0 in a field = its
/// default; validated by the runtime as for the C ABI's `pixbridge_image_encode_with`).
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn encode_with<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    image: jlong,
    format: jint,
    quality: jint,
    subsampling: jint,
    progressive: jint,
    optimize_huffman: jint,
    png_compression: jint,
    webp_quality: jint,
    avif_quality: jint,
    avif_speed: jint,
    strip_metadata: jint,
) -> JByteArray<'caller> {
    encode_with_controlled(
        env,
        class,
        image,
        format,
        quality,
        subsampling,
        progressive,
        optimize_huffman,
        png_compression,
        webp_quality,
        avif_quality,
        avif_speed,
        strip_metadata,
        0,
    )
}

/// `NativeImage.encodeWithControlled(..., long control)`: [`encode_with`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn encode_with_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    format: jint,
    quality: jint,
    subsampling: jint,
    progressive: jint,
    optimize_huffman: jint,
    png_compression: jint,
    webp_quality: jint,
    avif_quality: jint,
    avif_speed: jint,
    strip_metadata: jint,
    control: jlong,
) -> JByteArray<'caller> {
    run(&mut env, |env| {
        let bytes = guarded_under(control, || {
            let format = u32::try_from(format)
                .map_err(|_| Error::invalid_argument(format!("unknown image format code {format}")))?;
            let options = encode_options([
                quality,
                subsampling,
                progressive,
                optimize_huffman,
                png_compression,
                webp_quality,
                avif_quality,
                avif_speed,
                strip_metadata,
            ])?;
            images::encode_with(handle(image), format, &options)
        })?;
        Ok(env.byte_array_from_slice(&bytes)?)
    })
}

/// `NativeImage.saveWith(long image, byte[] pathUtf8, int format, int quality, int subsampling,
/// int progressive, int optimizeHuffman, int pngCompression, int webpQuality, int avifQuality,
/// int avifSpeed, int stripMetadata)`: saves atomically with encode
/// options; `format` is an `ImageFormat` number, or -1 for the format of the path's extension.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn save_with<'caller>(
    env: EnvUnowned<'caller>,
    class: JClass<'caller>,
    image: jlong,
    path_utf8: JByteArray<'caller>,
    format: jint,
    quality: jint,
    subsampling: jint,
    progressive: jint,
    optimize_huffman: jint,
    png_compression: jint,
    webp_quality: jint,
    avif_quality: jint,
    avif_speed: jint,
    strip_metadata: jint,
) {
    save_with_controlled(
        env,
        class,
        image,
        path_utf8,
        format,
        quality,
        subsampling,
        progressive,
        optimize_huffman,
        png_compression,
        webp_quality,
        avif_quality,
        avif_speed,
        strip_metadata,
        0,
    )
}

/// `NativeImage.saveWithControlled(..., long control)`: [`save_with`] under a control
/// (0 for none; see `crate::control`): cancellable from any thread, with progress.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn save_with_controlled<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    path_utf8: JByteArray<'caller>,
    format: jint,
    quality: jint,
    subsampling: jint,
    progressive: jint,
    optimize_huffman: jint,
    png_compression: jint,
    webp_quality: jint,
    avif_quality: jint,
    avif_speed: jint,
    strip_metadata: jint,
    control: jlong,
) {
    run(&mut env, |env| {
        let path = read_path(env, &path_utf8)?;
        guarded_under(control, || {
            let format = match format {
                FORMAT_FROM_EXTENSION => None,
                code => Some(
                    u32::try_from(code)
                        .map_err(|_| Error::invalid_argument(format!("unknown image format code {code}")))?,
                ),
            };
            let options = encode_options([
                quality,
                subsampling,
                progressive,
                optimize_huffman,
                png_compression,
                webp_quality,
                avif_quality,
                avif_speed,
                strip_metadata,
            ])?;
            images::save_with(handle(image), Path::new(&path), format, &options)
        })
    })
}
