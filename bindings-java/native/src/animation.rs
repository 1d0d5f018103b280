//! `io.pixbridge.NativeAnimation`: frame count, loop count and delays of an animated GIF or
//! WebP, and any frame decoded as an image (see `pixbridge_core::animation_info` for the costs
//! and bounds).

use jni::objects::{JByteArray, JClass, JIntArray};
use jni::sys::{jint, jlong};
use jni::{EnvUnowned, jni_mangle};
use pixbridge_runtime::animation;

use crate::boundary::{run, to_java};
use crate::images::{limits, unsigned, with_array_range};

/// `NativeAnimation.info(byte[] data, int offset, int length, int maxWidth, int maxHeight,
/// long maxDecodedBytes)`: `{frameCount, width, height, loopCount, delay0, delay1, ...}` (delays
/// in milliseconds), from one pass over the file's structure.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeAnimation")]
pub fn info<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
) -> JIntArray<'caller> {
    run(&mut env, |env| {
        let limits = limits(max_width, max_height, max_decoded_bytes);
        let info = with_array_range(env, &data, offset, length, 0, |bytes| animation::info(bytes, &limits?))?;
        // Every number fits a Java int: counts up to 10000, sizes up to 2^24, delays up to 2^24.
        let mut values = vec![info.frame_count, info.width, info.height, info.loop_count];
        values.extend_from_slice(&info.delays_ms);
        let values: Vec<i32> = values.into_iter().map(|value| value.min(i32::MAX as u32) as i32).collect();
        let array = env.new_int_array(values.len())?;
        array.set_region(env, 0, &values)?;
        Ok(array)
    })
}

/// `NativeAnimation.decodeFrame(byte[] data, int offset, int length, int index, int maxWidth,
/// int maxHeight, long maxDecodedBytes)`: the handle of frame `index` as a full-canvas image.
#[allow(clippy::too_many_arguments)] // the JNI signature: env, class, then the Java parameters
#[jni_mangle("io.pixbridge.NativeAnimation")]
pub fn decode_frame<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data: JByteArray<'caller>,
    offset: jint,
    length: jint,
    index: jint,
    max_width: jint,
    max_height: jint,
    max_decoded_bytes: jlong,
) -> jlong {
    run(&mut env, |env| {
        let limits = limits(max_width, max_height, max_decoded_bytes);
        with_array_range(env, &data, offset, length, 0, |bytes| {
            animation::decode_frame(bytes, unsigned(index, "index")?, &limits?)
        })
        .map(to_java)
    })
}
