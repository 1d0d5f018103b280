//! Exports for run-time plugins: load a plugin library, list what it offers, apply its
//! operations by name, unload it. The plugin side of the ABI is `pixbridge_plugin.h`;
//! docs/plugins.md describes both.

use interoptopus::ffi;
use pixbridge_runtime::codes::{PluginOperationKind, PluginParameterType, PluginText};
use pixbridge_runtime::{Error, ErrorCode, plugins};

use crate::convert;
use crate::errors::{export, export_without_pool};

/// What `pixbridge_plugin_info` reports about a loaded plugin.
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct PluginInfo {
    /// The plugin ABI major version the plugin was built for (1).
    pub abi_major: u32,
    /// The plugin ABI minor version the plugin was built for.
    pub abi_minor: u32,
    /// How many operations it has (indices 0 to count - 1).
    pub operation_count: u32,
}

/// What `pixbridge_plugin_operation_info` reports about one operation of a plugin.
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct PluginOperationInfo {
    /// New image or in place.
    pub kind: PluginOperationKind,
    /// How many parameters it has (indices 0 to count - 1, the order of `arguments`).
    pub parameter_count: u32,
}

/// What `pixbridge_plugin_parameter_info` reports about one parameter.
#[ffi]
#[derive(Debug, Clone, Copy)]
pub struct PluginParameterInfo {
    /// The value used when the caller passes no arguments.
    pub default_value: f64,
    /// Smallest accepted value.
    pub minimum: f64,
    /// Largest accepted value.
    pub maximum: f64,
    /// Which values are accepted (whole numbers, reals, 0 or 1).
    pub kind: PluginParameterType,
}

/// Loads the plugin library at the UTF-8 path `(path, path_len)` and writes its handle to
/// `out_plugin`. Its operations can then be applied by name with `pixbridge_plugin_apply`.
///
/// Loading runs the library's initialisers: load only plugins you trust, as any native code.
/// Fails with `NotFound`, `PermissionDenied`, or `PluginRejected` with a message saying why (not
/// a library, no `pixbridge_plugin_entry`, an unsupported plugin ABI version or descriptor size,
/// a malformed descriptor, an operation name Pixbridge or another loaded plugin already has).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_plugin_load(path: *const u8, path_len: usize, out_plugin: *mut u64) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `path` holds `path_len` bytes, `out_plugin` is null or writable.
        let (path, out_plugin) =
            unsafe { (convert::path(path, path_len, "path")?, convert::out(out_plugin, "out_plugin")?) };
        *out_plugin = plugins::load(path)?;
        Ok(())
    })
}

/// Unloads `plugin`: its handle and operation names go at once; the library is closed when the
/// last call running one of its operations returns. Images it made stay valid. A new build can
/// then be loaded, from the same path or another.
#[ffi]
pub fn pixbridge_plugin_unload(plugin: u64) -> ErrorCode {
    export_without_pool(|| plugins::unload(plugin))
}

/// Writes `plugin`'s ABI version and operation count to `out_info`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_plugin_info(plugin: u64, out_info: *mut PluginInfo) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_info` is null or writable.
        let out_info = unsafe { convert::out(out_info, "out_info") }?;
        let plugin = plugins::describe(plugin)?;
        *out_info = PluginInfo {
            abi_major: plugin.abi_major,
            abi_minor: plugin.abi_minor,
            operation_count: plugin.operations.len() as u32,
        };
        Ok(())
    })
}

fn operation(plugin: &plugins::Plugin, index: u32) -> pixbridge_runtime::Result<&plugins::Operation> {
    plugin.operations.get(index as usize).ok_or_else(|| {
        Error::invalid_argument(format!(
            "operation index {index} is out of range: {} has {} operation(s)",
            plugin.name,
            plugin.operations.len()
        ))
    })
}

fn parameter(operation: &plugins::Operation, index: u32) -> pixbridge_runtime::Result<&plugins::Parameter> {
    operation.parameters.get(index as usize).ok_or_else(|| {
        Error::invalid_argument(format!(
            "parameter index {index} is out of range: `{}` has {} parameter(s)",
            operation.name,
            operation.parameters.len()
        ))
    })
}

/// Writes the kind and parameter count of operation `operation` (0 to count - 1) of `plugin`
/// to `out_info`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_plugin_operation_info(
    plugin: u64,
    operation: u32,
    out_info: *mut PluginOperationInfo,
) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_info` is null or writable.
        let out_info = unsafe { convert::out(out_info, "out_info") }?;
        let plugin = plugins::describe(plugin)?;
        let operation = self::operation(&plugin, operation)?;
        *out_info = PluginOperationInfo { kind: operation.kind, parameter_count: operation.parameters.len() as u32 };
        Ok(())
    })
}

/// Writes the type, default and range of parameter `parameter` of operation `operation` of
/// `plugin` to `out_info`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_plugin_parameter_info(
    plugin: u64,
    operation: u32,
    parameter: u32,
    out_info: *mut PluginParameterInfo,
) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_info` is null or writable.
        let out_info = unsafe { convert::out(out_info, "out_info") }?;
        let plugin = plugins::describe(plugin)?;
        let parameter = self::parameter(self::operation(&plugin, operation)?, parameter)?;
        *out_info = PluginParameterInfo {
            default_value: parameter.default_value,
            minimum: parameter.minimum,
            maximum: parameter.maximum,
            kind: parameter.kind,
        };
        Ok(())
    })
}

/// Copies one text of `plugin` (a `PluginText` code: its name, version, docs or path, or the
/// name or docs of operation `operation` or of its parameter `parameter`; indices a text does
/// not use are ignored) and a terminating NUL into `(buf, buf_len)`, and writes the length
/// (without NUL) to `out_len`. If `buf_len` is not larger than the length, returns
/// `BufferTooSmall` with the length in `out_len` (pass a null `buf` and 0 to ask for it).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_plugin_text(
    plugin: u64,
    text: u32,
    operation: u32,
    parameter: u32,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_len` is null or writable, `buf` holds `buf_len` bytes.
        let (out_len, buf) = unsafe { (convert::out(out_len, "out_len")?, convert::bytes_mut(buf, buf_len, "buf")?) };
        let plugin = plugins::describe(plugin)?;
        let which = PluginText::from_code(text).ok_or_else(|| {
            Error::invalid_argument(format!("unknown plugin text code {text} (valid: 0-{})", PluginText::ALL.len() - 1))
        })?;
        let path;
        let value: &str = match which {
            PluginText::PluginName => &plugin.name,
            PluginText::PluginVersion => &plugin.version,
            PluginText::PluginDocs => &plugin.docs,
            PluginText::PluginPath => {
                path = plugin.path.to_string_lossy();
                &path
            }
            PluginText::OperationName => &self::operation(&plugin, operation)?.name,
            PluginText::OperationDocs => &self::operation(&plugin, operation)?.docs,
            PluginText::ParameterName => &self::parameter(self::operation(&plugin, operation)?, parameter)?.name,
            PluginText::ParameterDocs => &self::parameter(self::operation(&plugin, operation)?, parameter)?.docs,
        };
        convert::copy_text(value, buf, out_len, which.name())
    })
}

/// Applies the plugin operation named by the UTF-8 text `(operation, operation_len)` to
/// `image`, with `argument_count` values at `arguments`: one per parameter in declaration
/// order, or none (null, 0) for every default. A fresh operation writes the new image's handle
/// to `out_image`; an in-place one changes `image` and writes 0 there.
///
/// Fails with `InvalidArgument` for an unknown operation or an argument of the wrong count,
/// type or range, and `PluginFailed` with the plugin's message when the plugin reports a
/// failure (an in-place operation may then have changed part of the image).
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_plugin_apply(
    operation: *const u8,
    operation_len: usize,
    image: u64,
    arguments: *const f64,
    argument_count: usize,
    out_image: *mut u64,
) -> ErrorCode {
    export(|| {
        // SAFETY: C contract: `operation` holds `operation_len` bytes, `arguments` holds
        // `argument_count` values, `out_image` is null or writable.
        let (name, arguments, out_image) = unsafe {
            (
                convert::bytes(operation, operation_len, "operation")?,
                convert::slice(arguments, argument_count, "arguments")?,
                convert::out(out_image, "out_image")?,
            )
        };
        let name = std::str::from_utf8(name)
            .map_err(|_| Error::new(ErrorCode::InvalidUtf8, "the operation name is not valid UTF-8"))?;
        *out_image = plugins::apply(name, image, arguments)?.unwrap_or(0);
        Ok(())
    })
}

/// Diagnostics: writes the number of loaded plugins to `out_plugins`.
#[ffi]
#[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
pub unsafe fn pixbridge_live_plugins(out_plugins: *mut u64) -> ErrorCode {
    export_without_pool(|| {
        // SAFETY: C contract: `out_plugins` is null or writable.
        let out = unsafe { convert::out(out_plugins, "out_plugins") }?;
        *out = plugins::live_count();
        Ok(())
    })
}

// Three doubles and a 32-bit code, padded to 8: what pixbridge.h's struct has on every target.
const _: () = assert!(size_of::<PluginParameterInfo>() == 32);
