//! `io.pixbridge.NativeMetadata`: an image's colour profile state and metadata (EXIF, XMP, ICC,
//! PNG text), read through the runtime (`pixbridge_runtime::metadata`), which checks the codes.

use jni::objects::{JByteArray, JClass, JDoubleArray, JObjectArray, JString};
use jni::sys::{jint, jlong};
use jni::{EnvUnowned, jni_mangle};
use pixbridge_runtime::metadata;

use crate::boundary::{guarded, handle, run};
use crate::images::unsigned;

/// `NativeMetadata.colorProfile(long image)`: the `ColorProfile` value.
#[jni_mangle("io.pixbridge.NativeMetadata")]
pub fn color_profile<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, image: jlong) -> jint {
    run(&mut env, |_env| Ok(guarded(|| metadata::color_profile(handle(image)))?.as_u32() as jint))
}

/// `NativeMetadata.block(long image, int block)`: a copy of the raw block (`block` a
/// `MetadataBlock` value, checked by the runtime), or null when the image has none.
#[jni_mangle("io.pixbridge.NativeMetadata")]
pub fn block<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    block: jint,
) -> JByteArray<'caller> {
    run(&mut env, |env| {
        let bytes = guarded(|| metadata::block(handle(image), unsigned(block, "block")?))?;
        if bytes.is_empty() { Ok(JByteArray::default()) } else { Ok(env.byte_array_from_slice(&bytes)?) }
    })
}

/// `NativeMetadata.exifNumbers(long image)`: `{orientation, iso, exposureTime, fNumber,
/// focalLength, latitude, longitude, altitude}`; absent fields are 0 (the two integers) or NaN.
#[jni_mangle("io.pixbridge.NativeMetadata")]
pub fn exif_numbers<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
) -> JDoubleArray<'caller> {
    run(&mut env, |env| {
        let n = guarded(|| metadata::exif_numbers(handle(image)))?;
        let numbers = [
            f64::from(n.orientation),
            f64::from(n.iso),
            n.exposure_time,
            n.f_number,
            n.focal_length,
            n.latitude,
            n.longitude,
            n.altitude,
        ];
        let array = env.new_double_array(numbers.len())?;
        array.set_region(env, 0, &numbers)?;
        Ok(array)
    })
}

/// `NativeMetadata.exifText(long image, int field)`: a text EXIF field (`field` an `ExifText`
/// value, checked by the runtime), or null when absent.
#[jni_mangle("io.pixbridge.NativeMetadata")]
pub fn exif_text<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
    field: jint,
) -> JString<'caller> {
    run(&mut env, |env| {
        let text = guarded(|| metadata::exif_text(handle(image), unsigned(field, "field")?))?;
        if text.is_empty() { Ok(JString::default()) } else { Ok(env.new_string(text)?) }
    })
}

/// `NativeMetadata.textEntries(long image)`: the PNG text entries as `{keyword0, text0,
/// keyword1, text1, ...}`. Each element's local reference is deleted once stored.
#[jni_mangle("io.pixbridge.NativeMetadata")]
pub fn text_entries<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    image: jlong,
) -> JObjectArray<'caller, JString<'caller>> {
    run(&mut env, |env| {
        let entries = guarded(|| metadata::text_entries(handle(image)))?;
        let array = JObjectArray::<JString>::new(env, entries.len() * 2, JString::null())?;
        for (index, text) in entries.iter().flat_map(|(key, value)| [key, value]).enumerate() {
            let element = env.new_string(text)?;
            array.set_element(env, index, &element)?;
            env.delete_local_ref(element);
        }
        Ok(array)
    })
}
