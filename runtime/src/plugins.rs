//! Run-time plugins: operations loaded from separate dynamic libraries.
//!
//! A plugin exports `pixbridge_plugin_entry`, which returns a descriptor of the plugin ABI
//! ([`pixbridge_plugin::abi`], `ffi/include/pixbridge_plugin.h`). [`load`] opens the library,
//! checks the descriptor completely (version, size, strides, every name, parameter and range)
//! and copies what it describes, so nothing is read from the plugin's memory afterwards except
//! its run functions. A loaded plugin is a handle; its operations are applied by name with
//! [`apply`], and names are unique among Pixbridge's own operations and every loaded plugin.
//!
//! Unloading ([`unload`]) removes the handle and the names at once; the library itself is
//! closed when the last call running one of its operations returns (each call holds the
//! plugin's `Arc`), so code that runs is never unmapped. Images made by a plugin are ordinary
//! images and outlive it.

use std::ffi::c_char;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use pixbridge_core::Image;
use pixbridge_plugin::abi;

use crate::codes::{PluginOperationKind, PluginParameterType};
use crate::handles::HandleTable;
use crate::{Error, ErrorCode, Handle, Result, images};

/// Longest operation or parameter name.
const MAX_NAME: usize = 64;
/// Longest plugin name or version.
const MAX_LABEL: usize = 256;
/// Longest docs text.
const MAX_DOCS: usize = 16 * 1024;
/// Most operations per plugin.
const MAX_OPERATIONS: u32 = 1024;
/// Most parameters per operation.
const MAX_PARAMETERS: u32 = 64;
/// Largest descriptor, operation or parameter struct accepted: newer minor versions append
/// fields, but a size beyond this is garbage rather than growth.
const MAX_STRUCT_SIZE: u32 = 4096;

/// A parameter of a plugin's operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name (lower-case ASCII letters, digits, `_`).
    pub name: String,
    /// What it means (may be empty).
    pub docs: String,
    /// Which values it accepts.
    pub kind: PluginParameterType,
    /// The value used when a caller gives none.
    pub default_value: f64,
    /// Smallest accepted value.
    pub minimum: f64,
    /// Largest accepted value.
    pub maximum: f64,
}

/// An operation of a plugin.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Its name, unique among every operation Pixbridge knows while the plugin is loaded.
    pub name: String,
    /// What it does (may be empty).
    pub docs: String,
    /// New image or in place.
    pub kind: PluginOperationKind,
    /// Its parameters, in the order [`apply`] takes their values.
    pub parameters: Vec<Parameter>,
    run: abi::Run,
}

/// What a loaded plugin describes, copied out of its descriptor at load.
#[derive(Debug)]
pub struct Plugin {
    /// The plugin's name.
    pub name: String,
    /// The plugin's version (free text, as the plugin gives it).
    pub version: String,
    /// What it does (empty for a 1.0 plugin, whose descriptor has no docs).
    pub docs: String,
    /// The plugin ABI version it was built for.
    pub abi_major: u32,
    /// The minor version it was built for.
    pub abi_minor: u32,
    /// The path it was loaded from.
    pub path: PathBuf,
    /// Its operations, in the plugin's order.
    pub operations: Vec<Operation>,
    /// Closed when the last `Arc` goes: after [`unload`] and every running call.
    _library: libloading::Library,
}

static PLUGINS: HandleTable<Plugin> = HandleTable::new(0x4, "plugin");

/// The loaded plugins, for finding an operation by name. Changed only with [`PLUGINS`] under
/// this lock, so the two always agree.
static LOADED: Mutex<Vec<(Handle, Arc<Plugin>)>> = Mutex::new(Vec::new());

fn rejected(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::PluginRejected, format!("{} is not a usable Pixbridge plugin: {why}", path.display()))
}

/// Loads the plugin at `path` and returns its handle.
///
/// Fails with `NotFound` (no such file), `PermissionDenied`, or `PluginRejected` saying why:
/// not a loadable library, no entry symbol, a plugin ABI major version other than
/// [`abi::ABI_MAJOR`], a descriptor smaller than the 1.0 layout, anything malformed, or an
/// operation name that Pixbridge or another loaded plugin already has.
pub fn load(path: &Path) -> Result<Handle> {
    match std::fs::metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(ErrorCode::NotFound, format!("no plugin file at {}", path.display())));
        }
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::new(ErrorCode::PermissionDenied, format!("cannot read {}: {error}", path.display())));
        }
        Err(error) => return Err(Error::new(ErrorCode::Io, format!("cannot read {}: {error}", path.display()))),
        Ok(metadata) if metadata.is_dir() => return Err(rejected(path, "it is a directory")),
        Ok(_) => {}
    }
    let library = open_library(path)?;
    // SAFETY: the symbol's type is the plugin ABI's entry point; a library that exports the
    // name with another type breaks the plugin contract (native code cannot be checked).
    let entry = unsafe { library.get::<abi::Entry>(abi::ENTRY_SYMBOL.as_bytes()) }
        .map(|symbol| *symbol)
        .map_err(|_| rejected(path, format!("it has no `{}` symbol", abi::ENTRY_SYMBOL)))?;
    // SAFETY: the plugin contract: the entry takes nothing and returns a descriptor or null.
    let descriptor = unsafe { entry() };
    // SAFETY: what `entry` returned, read within the sizes the descriptor declares.
    let plugin = unsafe { read_descriptor(path, descriptor, library) }?;

    let mut loaded = LOADED.lock();
    for operation in &plugin.operations {
        if crate::OPERATIONS.iter().any(|builtin| builtin.name == operation.name) {
            return Err(rejected(path, format!("operation `{}` is one of Pixbridge's own operations", operation.name)));
        }
        if let Some((_, other)) =
            loaded.iter().find(|(_, other)| other.operations.iter().any(|o| o.name == operation.name))
        {
            return Err(rejected(
                path,
                format!(
                    "operation `{}` is already provided by the loaded plugin {} {} ({}); unload it first",
                    operation.name,
                    other.name,
                    other.version,
                    other.path.display()
                ),
            ));
        }
    }
    let plugin = Arc::new(plugin);
    let handle = PLUGINS.insert(Arc::clone(&plugin));
    loaded.push((handle, plugin));
    Ok(handle)
}

fn open_library(path: &Path) -> Result<libloading::Library> {
    // Resolve every symbol now, so that a plugin with a missing dependency fails here with the
    // loader's message rather than in the middle of an operation; keep its symbols local.
    #[cfg(unix)]
    let opened = {
        use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
        // SAFETY: loading runs the library's initialisers: trusting the file is the caller's
        // decision (a plugin is native code in the process; docs/plugins.md says so).
        unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }.map(libloading::Library::from)
    };
    #[cfg(not(unix))]
    // SAFETY: as above.
    let opened = unsafe { libloading::Library::new(path) };
    opened.map_err(|error| rejected(path, format!("it cannot be loaded as a library ({error})")))
}

/// Copies `size_of::<T>()` bytes of a `T` from `ptr`, of which the plugin declared `declared`
/// bytes: fields beyond them (added by a later minor version) read as zero, meaning absent.
///
/// # Safety
/// `ptr` must be valid for reads of `min(declared, size_of::<T>())` bytes. `T` must be valid
/// when all zero.
unsafe fn read_struct<T: Copy>(ptr: *const u8, declared: usize) -> T {
    let mut value = std::mem::MaybeUninit::<T>::zeroed();
    // SAFETY: by the caller's contract; the target holds size_of::<T>() bytes.
    unsafe { std::ptr::copy_nonoverlapping(ptr, value.as_mut_ptr().cast::<u8>(), declared.min(size_of::<T>())) };
    // SAFETY: `T` is valid all zero, and every byte is now either zero or the plugin's.
    unsafe { value.assume_init() }
}

/// Reads a NUL-terminated UTF-8 text of at most `max` bytes.
///
/// # Safety
/// `text` must be null or point to a NUL-terminated string (read up to `max + 1` bytes).
unsafe fn read_text(text: *const c_char, max: usize, what: &str) -> std::result::Result<Option<String>, String> {
    if text.is_null() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    loop {
        // SAFETY: within the string by the caller's contract (we stop at its NUL).
        let byte = unsafe { *text.add(bytes.len()) } as u8;
        if byte == 0 {
            break;
        }
        if bytes.len() == max {
            return Err(format!("{what} is longer than {max} bytes (or not NUL-terminated)"));
        }
        bytes.push(byte);
    }
    String::from_utf8(bytes).map(Some).map_err(|_| format!("{what} is not valid UTF-8"))
}

fn check_name(name: &str, what: &str) -> std::result::Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{what} `{name}` is not a valid name (lower-case ASCII letters, digits and `_`, starting with a letter, at most {MAX_NAME} bytes)"
        ))
    }
}

/// Checks and copies the descriptor at `descriptor`.
///
/// # Safety
/// `descriptor` is what the plugin's entry returned: null or a descriptor that, with what it
/// points to, stays valid while `library` is loaded.
unsafe fn read_descriptor(
    path: &Path,
    descriptor: *const abi::Descriptor,
    library: libloading::Library,
) -> Result<Plugin> {
    if descriptor.is_null() {
        return Err(rejected(path, "its entry returned no descriptor (null)"));
    }
    let reject = |why: String| rejected(path, why);
    // The leading fields are the same in every version: read them before trusting `size`.
    // SAFETY: every version starts with `size` and `abi_major`.
    let (size, abi_major) = unsafe { ((*descriptor).size, (*descriptor).abi_major) };
    if abi_major != abi::ABI_MAJOR {
        return Err(reject(format!(
            "it was built for plugin ABI {abi_major}.x; this Pixbridge supports {}.0 to {}.{}",
            abi::ABI_MAJOR,
            abi::ABI_MAJOR,
            abi::ABI_MINOR
        )));
    }
    if (size as usize) < abi::DESCRIPTOR_SIZE_1_0 || size > MAX_STRUCT_SIZE {
        return Err(reject(format!(
            "its descriptor declares {size} bytes; a plugin ABI 1 descriptor has at least {} (and a plausible one at most {MAX_STRUCT_SIZE})",
            abi::DESCRIPTOR_SIZE_1_0
        )));
    }
    // SAFETY: the plugin declares `size` bytes.
    let d: abi::Descriptor = unsafe { read_struct(descriptor.cast(), size as usize) };
    if d.abi_minor >= 1 && (size as usize) < size_of::<abi::Descriptor>() {
        return Err(reject(format!(
            "its descriptor declares ABI 1.{} but is only {size} bytes, smaller than the 1.1 layout ({})",
            d.abi_minor,
            size_of::<abi::Descriptor>()
        )));
    }
    if d.operation_size < size_of::<abi::Operation>() as u32 || d.operation_size > MAX_STRUCT_SIZE {
        return Err(reject(format!(
            "operation_size {} is not a plausible size of PixbridgePluginOperation ({} or more)",
            d.operation_size,
            size_of::<abi::Operation>()
        )));
    }
    if d.parameter_size < size_of::<abi::Parameter>() as u32 || d.parameter_size > MAX_STRUCT_SIZE {
        return Err(reject(format!(
            "parameter_size {} is not a plausible size of PixbridgePluginParameter ({} or more)",
            d.parameter_size,
            size_of::<abi::Parameter>()
        )));
    }
    // SAFETY (all reads below): pointers from the descriptor, within the counts and strides it
    // declares, checked for null first.
    let name = unsafe { read_text(d.name, MAX_LABEL, "the plugin name") }
        .map_err(&reject)?
        .ok_or_else(|| reject("its name is null".into()))?;
    check_label(&name, "the plugin name").map_err(&reject)?;
    let version = unsafe { read_text(d.version, MAX_LABEL, "the plugin version") }
        .map_err(&reject)?
        .ok_or_else(|| reject("its version is null".into()))?;
    check_label(&version, "the plugin version").map_err(&reject)?;
    let docs = unsafe { read_text(d.docs, MAX_DOCS, "the plugin docs") }.map_err(&reject)?.unwrap_or_default();
    if d.operation_count == 0 || d.operation_count > MAX_OPERATIONS {
        return Err(reject(format!("it declares {} operations (1 to {MAX_OPERATIONS} allowed)", d.operation_count)));
    }
    if d.operations.is_null() {
        return Err(reject(format!("its operations pointer is null but it declares {}", d.operation_count)));
    }
    let mut operations: Vec<Operation> = Vec::with_capacity(d.operation_count as usize);
    for index in 0..d.operation_count as usize {
        let at = d.operations.cast::<u8>().wrapping_add(index * d.operation_size as usize);
        let raw: abi::Operation = unsafe { read_struct(at, d.operation_size as usize) };
        let operation = unsafe { read_operation(&raw, d.parameter_size as usize) }
            .map_err(|why| reject(format!("operation {index}: {why}")))?;
        if operations.iter().any(|other| other.name == operation.name) {
            return Err(reject(format!("two operations are named `{}`", operation.name)));
        }
        operations.push(operation);
    }
    Ok(Plugin {
        name,
        version,
        docs,
        abi_major,
        abi_minor: d.abi_minor,
        path: path.to_path_buf(),
        operations,
        _library: library,
    })
}

fn check_label(label: &str, what: &str) -> std::result::Result<(), String> {
    if label.trim().is_empty() || label.chars().any(char::is_control) {
        return Err(format!("{what} {label:?} is empty or holds control characters"));
    }
    Ok(())
}

/// Checks and copies one operation.
///
/// # Safety
/// As for [`read_descriptor`]: the operation's pointers come from the plugin.
unsafe fn read_operation(raw: &abi::Operation, parameter_size: usize) -> std::result::Result<Operation, String> {
    // SAFETY: the plugin's pointers (see the function's contract).
    let name = unsafe { read_text(raw.name, MAX_NAME, "the operation name") }?.ok_or("its name is null")?;
    check_name(&name, "operation name")?;
    let here = |why: String| format!("`{name}`: {why}");
    // SAFETY: as above.
    let docs = unsafe { read_text(raw.docs, MAX_DOCS, "the docs") }.map_err(here)?.unwrap_or_default();
    let kind = PluginOperationKind::from_code(raw.kind)
        .ok_or_else(|| here(format!("kind {} is neither fresh (0) nor in place (1)", raw.kind)))?;
    let run = raw.run.ok_or_else(|| here("its run function is null".into()))?;
    if raw.parameter_count > MAX_PARAMETERS {
        return Err(here(format!("{} parameters (at most {MAX_PARAMETERS})", raw.parameter_count)));
    }
    if raw.parameter_count > 0 && raw.parameters.is_null() {
        return Err(here(format!("its parameters pointer is null but it declares {}", raw.parameter_count)));
    }
    let mut parameters: Vec<Parameter> = Vec::with_capacity(raw.parameter_count as usize);
    for index in 0..raw.parameter_count as usize {
        let at = raw.parameters.cast::<u8>().wrapping_add(index * parameter_size);
        // SAFETY: within the array the plugin declares, at its stride.
        let raw: abi::Parameter = unsafe { read_struct(at, parameter_size) };
        // SAFETY: the plugin's pointers.
        let parameter = unsafe { read_parameter(&raw) }.map_err(|why| here(format!("parameter {index}: {why}")))?;
        if parameters.iter().any(|other| other.name == parameter.name) {
            return Err(here(format!("two parameters are named `{}`", parameter.name)));
        }
        parameters.push(parameter);
    }
    Ok(Operation { name, docs, kind, parameters, run })
}

/// Checks and copies one parameter.
///
/// # Safety
/// As for [`read_descriptor`].
unsafe fn read_parameter(raw: &abi::Parameter) -> std::result::Result<Parameter, String> {
    // SAFETY: the plugin's pointers.
    let name = unsafe { read_text(raw.name, MAX_NAME, "the parameter name") }?.ok_or("its name is null")?;
    check_name(&name, "parameter name")?;
    let here = |why: String| format!("`{name}`: {why}");
    // SAFETY: as above.
    let docs = unsafe { read_text(raw.docs, MAX_DOCS, "the docs") }.map_err(here)?.unwrap_or_default();
    let kind = PluginParameterType::from_code(raw.r#type)
        .ok_or_else(|| here(format!("type {} is not int (0), float (1) or bool (2)", raw.r#type)))?;
    let (default_value, minimum, maximum) = (raw.default_value, raw.minimum, raw.maximum);
    if !(minimum.is_finite() && maximum.is_finite() && default_value.is_finite()) {
        return Err(here("its minimum, default and maximum must be finite".into()));
    }
    if !(minimum <= default_value && default_value <= maximum) {
        return Err(here(format!(
            "its default {default_value} is not within its range {minimum} to {maximum} (or the range is empty)"
        )));
    }
    let parameter = Parameter { name: name.clone(), docs, kind, default_value, minimum, maximum };
    for (what, value) in [("minimum", minimum), ("default", default_value), ("maximum", maximum)] {
        check_value(&parameter, value).map_err(|why| here(format!("its {what}: {why}")))?;
    }
    Ok(parameter)
}

/// Whether `value` is of the parameter's type (range aside).
fn check_value(parameter: &Parameter, value: f64) -> std::result::Result<(), String> {
    match parameter.kind {
        _ if !value.is_finite() => Err(format!("{value} is not a finite number")),
        PluginParameterType::Int if value.fract() != 0.0 || value.abs() > 9_007_199_254_740_992.0 => {
            Err(format!("{value} is not a whole number"))
        }
        PluginParameterType::Bool if value != 0.0 && value != 1.0 => {
            Err(format!("{value} is not 0 (false) or 1 (true)"))
        }
        _ => Ok(()),
    }
}

/// Unloads `plugin`: its handle and its operation names go at once; its library is closed
/// when the last call running one of its operations returns. Images it made stay valid.
pub fn unload(plugin: Handle) -> Result<()> {
    let mut loaded = LOADED.lock();
    PLUGINS.remove(plugin)?;
    loaded.retain(|(handle, _)| *handle != plugin);
    Ok(())
}

/// What `plugin` describes.
pub fn describe(plugin: Handle) -> Result<Arc<Plugin>> {
    PLUGINS.get(plugin)
}

/// Number of loaded plugins (diagnostics: leak tests compare it with a baseline).
pub fn live_count() -> u64 {
    PLUGINS.live()
}

/// Applies the plugin operation named `operation` to `image` with `arguments` (one value per
/// parameter in declaration order; empty for every default). Returns the new image's handle
/// for a fresh operation and `None` for an in-place one (`image` changed).
///
/// Fails with `InvalidArgument` for an unknown name or a wrong argument, `PluginFailed` when
/// the plugin reports a failure (an in-place operation may then have changed the image).
pub fn apply(operation: &str, image: Handle, arguments: &[f64]) -> Result<Option<Handle>> {
    let (plugin, index) = find(operation)?;
    let spec = &plugin.operations[index];
    let arguments = resolve_arguments(spec, arguments)?;
    match spec.kind {
        PluginOperationKind::Fresh => {
            let made = images::read(image, |source| -> Result<Image> {
                let (width, height) = (source.width(), source.height());
                let mut target = Image::from_rgba8(width, height, vec![0; source.pixels().len()])?;
                let source_view =
                    abi::Source { pixels: source.pixels().as_ptr(), width, height, stride: width as usize * 4 };
                run(&plugin, spec, &arguments, Some(&source_view), &mut target)?;
                target.adopt_edited_pixels(source.color_type());
                target.inherit_metadata(source);
                Ok(target)
            })??;
            Ok(Some(images::insert(made)))
        }
        PluginOperationKind::InPlace => {
            images::apply_in_place(image, |image| {
                let before = image.color_type();
                let outcome = run(&plugin, spec, &arguments, None, image);
                // Also after a failure: the plugin may have written part of the pixels.
                image.adopt_edited_pixels(before);
                outcome
            })?;
            Ok(None)
        }
    }
}

/// The loaded plugin that has `operation`, and the operation's index.
fn find(operation: &str) -> Result<(Arc<Plugin>, usize)> {
    let loaded = LOADED.lock();
    for (_, plugin) in loaded.iter() {
        if let Some(index) = plugin.operations.iter().position(|o| o.name == operation) {
            return Ok((Arc::clone(plugin), index));
        }
    }
    let known: Vec<&str> =
        loaded.iter().flat_map(|(_, plugin)| plugin.operations.iter().map(|o| o.name.as_str())).collect();
    Err(Error::invalid_argument(if known.is_empty() {
        format!("no plugin operation named `{operation}`: no plugin is loaded")
    } else {
        format!("no loaded plugin has an operation named `{operation}` (loaded: {})", known.join(", "))
    }))
}

/// The values passed to the plugin: `given`, or every default when `given` is empty; each
/// checked against its parameter.
fn resolve_arguments(operation: &Operation, given: &[f64]) -> Result<Vec<f64>> {
    let parameters = &operation.parameters;
    if given.is_empty() {
        return Ok(parameters.iter().map(|p| p.default_value).collect());
    }
    if given.len() != parameters.len() {
        let names: Vec<&str> = parameters.iter().map(|p| p.name.as_str()).collect();
        return Err(Error::invalid_argument(format!(
            "`{}` takes {} argument(s) ({}), got {} (pass none for every default)",
            operation.name,
            parameters.len(),
            names.join(", "),
            given.len()
        )));
    }
    for (parameter, &value) in parameters.iter().zip(given) {
        let checked = check_value(parameter, value).and_then(|()| {
            if (parameter.minimum..=parameter.maximum).contains(&value) {
                Ok(())
            } else {
                Err(format!("{value} is outside {} to {}", parameter.minimum, parameter.maximum))
            }
        });
        checked.map_err(|why| {
            Error::invalid_argument(format!("`{}` argument `{}`: {why}", operation.name, parameter.name))
        })?;
    }
    Ok(given.to_vec())
}

/// Calls the plugin's run function on `target` (and `source` for a fresh operation).
fn run(
    plugin: &Plugin,
    operation: &Operation,
    arguments: &[f64],
    source: Option<&abi::Source>,
    target: &mut Image,
) -> Result<()> {
    let (width, height) = (target.width(), target.height());
    let target_view =
        abi::Target { pixels: target.pixels_mut().as_mut_ptr(), width, height, stride: width as usize * 4 };
    let mut message = [0u8; abi::MESSAGE_CAPACITY];
    // SAFETY: the plugin ABI's run contract: the views describe live buffers of the stated
    // size for the call's duration (the target exclusively ours), `arguments` holds one
    // checked value per parameter, and `message` holds MESSAGE_CAPACITY bytes. The plugin is
    // kept loaded by the caller's `Arc`.
    let code = unsafe {
        (operation.run)(
            arguments.as_ptr(),
            arguments.len(),
            source.map_or(std::ptr::null(), |source| source as *const abi::Source),
            &target_view,
            message.as_mut_ptr().cast::<c_char>(),
            message.len(),
        )
    };
    if code == 0 {
        return Ok(());
    }
    let text = message.split(|&byte| byte == 0).next().unwrap_or_default();
    let text = String::from_utf8_lossy(text);
    let text = if text.trim().is_empty() { "(no message)".into() } else { text };
    Err(Error::new(
        ErrorCode::PluginFailed,
        format!(
            "plugin operation `{}` ({} {}) failed with code {code}: {text}",
            operation.name, plugin.name, plugin.version
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameter(kind: PluginParameterType, minimum: f64, maximum: f64) -> Parameter {
        Parameter { name: "p".into(), docs: String::new(), kind, default_value: minimum, minimum, maximum }
    }

    #[test]
    fn values_are_checked_against_the_parameter_type() {
        let int = parameter(PluginParameterType::Int, 0.0, 10.0);
        assert!(check_value(&int, 3.0).is_ok());
        assert!(check_value(&int, 3.5).unwrap_err().contains("whole"));
        assert!(check_value(&int, f64::NAN).unwrap_err().contains("finite"));
        let flag = parameter(PluginParameterType::Bool, 0.0, 1.0);
        assert!(check_value(&flag, 1.0).is_ok());
        assert!(check_value(&flag, 0.5).is_err());
        let float = parameter(PluginParameterType::Float, 0.0, 1.0);
        assert!(check_value(&float, 0.25).is_ok());
        assert!(check_value(&float, f64::INFINITY).is_err());
    }

    #[test]
    fn names_follow_the_rule() {
        for good in ["a", "sepia", "channel_gain2"] {
            assert!(check_name(good, "name").is_ok(), "{good}");
        }
        for bad in ["", "Sepia", "2x", "_a", "a-b", "a b", "é"] {
            assert!(check_name(bad, "name").is_err(), "{bad}");
        }
    }

    #[test]
    fn arguments_default_and_are_range_checked() {
        let operation = Operation {
            name: "op".into(),
            docs: String::new(),
            kind: PluginOperationKind::InPlace,
            parameters: vec![Parameter {
                name: "level".into(),
                docs: String::new(),
                kind: PluginParameterType::Int,
                default_value: 4.0,
                minimum: 2.0,
                maximum: 256.0,
            }],
            run: never_run,
        };
        assert_eq!(resolve_arguments(&operation, &[]).unwrap(), vec![4.0]);
        assert_eq!(resolve_arguments(&operation, &[2.0]).unwrap(), vec![2.0]);
        for bad in [&[1.0][..], &[257.0], &[3.5], &[1.0, 2.0]] {
            assert_eq!(resolve_arguments(&operation, bad).unwrap_err().code, ErrorCode::InvalidArgument, "{bad:?}");
        }
    }

    unsafe extern "C" fn never_run(
        _: *const f64,
        _: usize,
        _: *const abi::Source,
        _: *const abi::Target,
        _: *mut c_char,
        _: usize,
    ) -> i32 {
        unreachable!()
    }
}
