//! `io.pixbridge.Plugin`: run-time plugins over [`pixbridge_runtime::plugins`]: load, describe,
//! apply by name, unload, and the live count for leak tests.
//!
//! Only conversion happens here: the runtime checks the plugin, the operation name and every
//! argument, exactly as for the C ABI. A description crosses as two flat arrays that the Java
//! side reads in order (see [`native_texts`] and [`native_numbers`]); names and docs come from
//! NUL-terminated plugin texts, so they hold no NUL.

use std::path::Path;

use jni::objects::{JByteArray, JClass, JDoubleArray, JObjectArray, JString};
use jni::sys::jlong;
use jni::{Env, EnvUnowned, jni_mangle};
use pixbridge_runtime::{Error, ErrorCode, plugins};

use crate::boundary::{NativeResult, guarded, handle, run, run_without_pool, to_java};

/// `Plugin.nativeLoad(byte[] pathUtf8)`: loads the plugin at the UTF-8 path (encoded strictly
/// by the Java side) and returns its handle.
#[jni_mangle("io.pixbridge.Plugin")]
pub fn native_load<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    path_utf8: JByteArray<'caller>,
) -> jlong {
    run(&mut env, |env| {
        if path_utf8.is_null() {
            return Err(Error::new(ErrorCode::NullArgument, "the plugin path was null").into());
        }
        let bytes = env.convert_byte_array(&path_utf8)?;
        let path = String::from_utf8(bytes)
            .map_err(|e| Error::new(ErrorCode::InvalidUtf8, format!("plugin path is not valid UTF-8: {e}")))?;
        guarded(|| plugins::load(Path::new(&path))).map(to_java)
    })
}

/// `Plugin.nativeUnload(long plugin)`: unloads the plugin (its names go at once, its library
/// when the last running call returns).
#[jni_mangle("io.pixbridge.Plugin")]
pub fn native_unload<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, plugin: jlong) {
    run_without_pool(&mut env, || plugins::unload(handle(plugin)))
}

/// `Plugin.nativeTexts(long plugin)`: every text of the description, in this order: the
/// plugin's name, version, docs and path; then for each operation its name and docs, followed
/// by the name and docs of each of its parameters.
#[jni_mangle("io.pixbridge.Plugin")]
pub fn native_texts<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    plugin: jlong,
) -> JObjectArray<'caller, JString<'caller>> {
    run(&mut env, |env| {
        let plugin = guarded(|| plugins::describe(handle(plugin)))?;
        let path = plugin.path.to_string_lossy();
        let mut texts: Vec<&str> = vec![&plugin.name, &plugin.version, &plugin.docs, &path];
        for operation in &plugin.operations {
            texts.extend([operation.name.as_str(), operation.docs.as_str()]);
            for parameter in &operation.parameters {
                texts.extend([parameter.name.as_str(), parameter.docs.as_str()]);
            }
        }
        string_array(env, &texts)
    })
}

/// A `String[]` of `texts`. Each element's local reference is deleted once stored, so a plugin
/// with many operations does not overflow the native method's local frame.
fn string_array<'local>(env: &mut Env<'local>, texts: &[&str]) -> NativeResult<JObjectArray<'local, JString<'local>>> {
    let array = JObjectArray::<JString>::new(env, texts.len(), JString::null())?;
    for (index, text) in texts.iter().enumerate() {
        let element = env.new_string(text)?;
        array.set_element(env, index, &element)?;
        env.delete_local_ref(element);
    }
    Ok(array)
}

/// `Plugin.nativeNumbers(long plugin)`: every number of the description, in this order: the
/// plugin ABI's major and minor version and the number of operations; then for each operation
/// its kind (`PluginOperationKind` value) and number of parameters, followed by, for each of its
/// parameters, its type (`PluginParameterType` value), default, minimum and maximum.
#[jni_mangle("io.pixbridge.Plugin")]
pub fn native_numbers<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    plugin: jlong,
) -> JDoubleArray<'caller> {
    run(&mut env, |env| {
        let plugin = guarded(|| plugins::describe(handle(plugin)))?;
        let mut numbers =
            vec![f64::from(plugin.abi_major), f64::from(plugin.abi_minor), plugin.operations.len() as f64];
        for operation in &plugin.operations {
            numbers.extend([f64::from(operation.kind.as_u32()), operation.parameters.len() as f64]);
            for parameter in &operation.parameters {
                numbers.extend([
                    f64::from(parameter.kind.as_u32()),
                    parameter.default_value,
                    parameter.minimum,
                    parameter.maximum,
                ]);
            }
        }
        let array = env.new_double_array(numbers.len())?;
        array.set_region(env, 0, &numbers)?;
        Ok(array)
    })
}

/// `Plugin.nativeApply(String operation, long image, double[] arguments)`: applies the plugin
/// operation named `operation` to `image`, with one value per parameter in declaration order,
/// or none (an empty array) for every default. Returns the new image's handle for a fresh
/// operation, 0 for an in-place one (the image changed).
#[jni_mangle("io.pixbridge.Plugin")]
pub fn native_apply<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    operation: JString<'caller>,
    image: jlong,
    arguments: JDoubleArray<'caller>,
) -> jlong {
    run(&mut env, |env| {
        if operation.is_null() || arguments.is_null() {
            return Err(Error::new(ErrorCode::NullArgument, "the operation name or the arguments were null").into());
        }
        let name = operation.try_to_string(env)?;
        let mut values = vec![0.0; arguments.len(env)?];
        arguments.get_region(env, 0, &mut values)?;
        let made = guarded(|| plugins::apply(&name, handle(image), &values))?;
        Ok(made.map_or(0, to_java))
    })
}

/// `Plugin.nativeLiveCount()`: loaded plugins in the process (leak tests compare it with a
/// baseline).
#[jni_mangle("io.pixbridge.Plugin")]
pub fn native_live_count<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jlong {
    run_without_pool(&mut env, || Ok(plugins::live_count() as jlong))
}
