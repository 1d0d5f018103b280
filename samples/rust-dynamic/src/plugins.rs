//! Run-time plugins through the loaded library: [`Plugin`] (loaded with
//! [`ImageFactory::load_plugin`], unloaded on drop) and [`Image::apply`] /
//! [`Image::apply_in_place`], which call a plugin's operation by name with named arguments.
//!
//! The library applies an operation by name with positional arguments
//! (`pixbridge_plugin_apply`); the names are mapped to positions here, through the descriptions
//! of the plugins loaded by this [`ImageFactory`]: a missing argument takes the parameter's
//! default, an unknown name is refused with `InvalidArgument` (listing the valid names) before
//! the library is called.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::abi::{self, plugin_operation_kind, plugin_text};
use crate::{Error, Image, ImageFactory};

/// One parameter of a plugin's operation. Every value crosses to the plugin as an `f64`; `kind`
/// says which are accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginParameter {
    /// The name [`Image::apply`] takes it by.
    pub name: String,
    /// What it does (the plugin's text).
    pub description: String,
    /// An [`abi::plugin_parameter_type`] code: `INT`, `FLOAT` or `BOOL`.
    pub kind: u32,
    /// The value used when the caller does not name it.
    pub default_value: f64,
    /// Smallest accepted value.
    pub minimum: f64,
    /// Largest accepted value.
    pub maximum: f64,
}

/// One operation of a loaded plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginOperation {
    /// Its name: unique among Pixbridge's operations and every loaded plugin's.
    pub name: String,
    /// What it does (the plugin's text).
    pub description: String,
    /// An [`abi::plugin_operation_kind`] code: `FRESH` (call [`Image::apply`]) or `IN_PLACE`
    /// (call [`Image::apply_in_place`]).
    pub kind: u32,
    /// Its parameters, in the order the plugin declares them.
    pub parameters: Vec<PluginParameter>,
}

impl PluginOperation {
    /// Whether it changes the image in place (else it returns a new image).
    pub fn is_in_place(&self) -> bool {
        self.kind == plugin_operation_kind::IN_PLACE
    }
}

/// A plugin library loaded into the process. Its operations can be applied to any [`Image`] of
/// the same [`ImageFactory`] by name. Dropping it unloads it: its operation names go at once,
/// images it made stay valid.
pub struct Plugin {
    handle: u64,
    factory: ImageFactory,
    name: String,
    version: String,
    description: String,
    path: PathBuf,
    abi_major: u32,
    abi_minor: u32,
    operations: Arc<[PluginOperation]>,
}

impl ImageFactory {
    /// Loads the plugin library at `path` (`pixbridge_plugin_load`) and reads its description.
    ///
    /// Loading runs the library's initialisers: load only plugins you trust. Fails with
    /// `NotFound` for a missing file and `PluginRejected` (with the reason) for a library that is
    /// not a usable plugin: no entry symbol, an unsupported plugin ABI, a malformed descriptor,
    /// or an operation name already taken.
    pub fn load_plugin(&self, path: &Path) -> Result<Plugin, Error> {
        let utf8 = path.to_str().ok_or_else(|| Error::Load(format!("{} is not valid UTF-8", path.display())))?;
        let mut handle = 0u64;
        // SAFETY: the path bytes are valid for the call; `handle` is valid for writes.
        self.check(unsafe { (self.functions().plugin_load)(utf8.as_ptr(), utf8.len(), &mut handle) })?;
        let mut plugin = Plugin {
            handle,
            factory: self.clone(),
            name: String::new(),
            version: String::new(),
            description: String::new(),
            path: PathBuf::new(),
            abi_major: 0,
            abi_minor: 0,
            operations: Arc::from(Vec::new()),
        };
        // On an error `plugin` is dropped, which unloads it again.
        plugin.describe()?;
        self.plugin_registry().insert(handle, plugin.operations.clone());
        Ok(plugin)
    }

    /// Number of plugins loaded in the library (diagnostics).
    pub fn live_plugins(&self) -> Result<u64, Error> {
        let mut plugins = 0u64;
        // SAFETY: the out-parameter is valid for writes.
        self.check(unsafe { (self.functions().live_plugins)(&mut plugins) })?;
        Ok(plugins)
    }

    /// The description of operation `name` of a plugin loaded through this factory.
    pub fn plugin_operation(&self, name: &str) -> Option<PluginOperation> {
        self.plugin_registry().values().flat_map(|operations| operations.iter()).find(|o| o.name == name).cloned()
    }

    /// The positional arguments of operation `name` called as `kind` (see the module docs). An
    /// operation no plugin of this factory describes goes to the library without arguments,
    /// which reports the unknown name.
    fn plugin_arguments(&self, name: &str, arguments: &[(&str, f64)], kind: u32) -> Result<Vec<f64>, Error> {
        let invalid = |message: String| Error::Call { code: abi::error_code::INVALID_ARGUMENT, message };
        let Some(operation) = self.plugin_operation(name) else {
            return match arguments.first() {
                None => Ok(Vec::new()),
                Some(_) => Err(invalid(format!("no loaded plugin has an operation `{name}`"))),
            };
        };
        if operation.kind != kind {
            return Err(invalid(if operation.is_in_place() {
                format!("`{name}` changes the image in place: call apply_in_place, not apply")
            } else {
                format!("`{name}` returns a new image: call apply, not apply_in_place")
            }));
        }
        if let Some((unknown, _)) =
            arguments.iter().find(|(given, _)| !operation.parameters.iter().any(|p| p.name == *given))
        {
            let valid: Vec<&str> = operation.parameters.iter().map(|p| p.name.as_str()).collect();
            let valid = if valid.is_empty() { "none".to_string() } else { valid.join(", ") };
            return Err(invalid(format!("`{name}` has no parameter `{unknown}` (its parameters: {valid})")));
        }
        Ok(operation
            .parameters
            .iter()
            .map(|parameter| {
                // The last value given for a name wins, as in a map.
                arguments
                    .iter()
                    .rev()
                    .find(|(given, _)| *given == parameter.name)
                    .map_or(parameter.default_value, |a| a.1)
            })
            .collect())
    }

    /// Calls `pixbridge_plugin_apply`; the handle it wrote (0 for an in-place operation).
    fn plugin_apply(&self, name: &str, image: u64, values: &[f64]) -> Result<u64, Error> {
        let mut made = 0u64;
        let pointer = if values.is_empty() { std::ptr::null() } else { values.as_ptr() };
        // SAFETY: the name and the values are valid for reads of their lengths during the call.
        self.check(unsafe {
            (self.functions().plugin_apply)(name.as_ptr(), name.len(), image, pointer, values.len(), &mut made)
        })?;
        Ok(made)
    }
}

impl Plugin {
    /// Reads the plugin's description from the library.
    fn describe(&mut self) -> Result<(), Error> {
        let mut info = abi::PluginInfo::default();
        // SAFETY: `info` is valid for writes.
        self.factory.check(unsafe { (self.factory.functions().plugin_info)(self.handle, &mut info) })?;
        self.abi_major = info.abi_major;
        self.abi_minor = info.abi_minor;
        self.name = self.text(plugin_text::PLUGIN_NAME, 0, 0)?;
        self.version = self.text(plugin_text::PLUGIN_VERSION, 0, 0)?;
        self.description = self.text(plugin_text::PLUGIN_DOCS, 0, 0)?;
        self.path = PathBuf::from(self.text(plugin_text::PLUGIN_PATH, 0, 0)?);
        let mut operations = Vec::new();
        for index in 0..info.operation_count {
            let mut op_info = abi::PluginOperationInfo::default();
            // SAFETY: `op_info` is valid for writes.
            self.factory
                .check(unsafe { (self.factory.functions().plugin_operation_info)(self.handle, index, &mut op_info) })?;
            let mut parameters = Vec::new();
            for parameter in 0..op_info.parameter_count {
                let mut p = abi::PluginParameterInfo::default();
                // SAFETY: `p` is valid for writes.
                self.factory.check(unsafe {
                    (self.factory.functions().plugin_parameter_info)(self.handle, index, parameter, &mut p)
                })?;
                parameters.push(PluginParameter {
                    name: self.text(plugin_text::PARAMETER_NAME, index, parameter)?,
                    description: self.text(plugin_text::PARAMETER_DOCS, index, parameter)?,
                    kind: p.kind,
                    default_value: p.default_value,
                    minimum: p.minimum,
                    maximum: p.maximum,
                });
            }
            operations.push(PluginOperation {
                name: self.text(plugin_text::OPERATION_NAME, index, 0)?,
                description: self.text(plugin_text::OPERATION_DOCS, index, 0)?,
                kind: op_info.kind,
                parameters,
            });
        }
        self.operations = operations.into();
        Ok(())
    }

    /// One text of the plugin (`pixbridge_plugin_text`: the length first, then the bytes).
    fn text(&self, text: u32, operation: u32, parameter: u32) -> Result<String, Error> {
        let functions = self.factory.functions();
        let mut length = 0usize;
        // SAFETY: a null buffer of length 0 asks for the length only.
        let code = unsafe {
            (functions.plugin_text)(self.handle, text, operation, parameter, std::ptr::null_mut(), 0, &mut length)
        };
        if code != abi::error_code::BUFFER_TOO_SMALL {
            self.factory.check(code)?;
        }
        let mut buffer = vec![0u8; length + 1];
        // SAFETY: `buffer` is valid for writes of its length.
        self.factory.check(unsafe {
            (functions.plugin_text)(
                self.handle,
                text,
                operation,
                parameter,
                buffer.as_mut_ptr(),
                buffer.len(),
                &mut length,
            )
        })?;
        buffer.truncate(length);
        Ok(String::from_utf8_lossy(&buffer).into_owned())
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The plugin's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// What the plugin does (empty if it says nothing, as a 1.0 plugin).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The path it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plugin ABI version (major, minor) it was built for.
    pub fn abi_version(&self) -> (u32, u32) {
        (self.abi_major, self.abi_minor)
    }

    /// Its operations, in the order the plugin declares them.
    pub fn operations(&self) -> &[PluginOperation] {
        &self.operations
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        self.factory.plugin_registry().remove(&self.handle);
        // SAFETY: the handle came from this library; unloading it once is the contract.
        let code = unsafe { (self.factory.functions().plugin_unload)(self.handle) };
        debug_assert_eq!(code, abi::error_code::OK, "unloading a loaded plugin cannot fail");
    }
}

impl Image {
    /// Applies the loaded plugin operation `operation` that returns a new image, with
    /// `arguments` by parameter name (the ones not given take their defaults).
    ///
    /// Fails with `InvalidArgument` for an unknown operation or argument name (the message lists
    /// the valid ones), a value of the wrong type or range, or an in-place operation (use
    /// [`Image::apply_in_place`]), and `PluginFailed` with the plugin's message.
    pub fn apply(&self, operation: &str, arguments: &[(&str, f64)]) -> Result<Image, Error> {
        let values = self.factory.plugin_arguments(operation, arguments, plugin_operation_kind::FRESH)?;
        let handle = self.factory.plugin_apply(operation, self.handle, &values)?;
        if handle == 0 {
            return Err(Error::Call {
                code: abi::error_code::INVALID_ARGUMENT,
                message: format!("`{operation}` changed the image in place: call apply_in_place, not apply"),
            });
        }
        Ok(Image { handle, factory: self.factory.clone() })
    }

    /// Applies the loaded plugin operation `operation` that changes this image in place, with
    /// `arguments` by parameter name (the ones not given take their defaults).
    ///
    /// Fails as [`Image::apply`] (a fresh operation: use `apply`); after `PluginFailed` part of
    /// the image may have changed.
    pub fn apply_in_place(&mut self, operation: &str, arguments: &[(&str, f64)]) -> Result<(), Error> {
        let values = self.factory.plugin_arguments(operation, arguments, plugin_operation_kind::IN_PLACE)?;
        let handle = self.factory.plugin_apply(operation, self.handle, &values)?;
        if handle != 0 {
            drop(Image { handle, factory: self.factory.clone() });
            return Err(Error::Call {
                code: abi::error_code::INVALID_ARGUMENT,
                message: format!("`{operation}` returns a new image: call apply, not apply_in_place"),
            });
        }
        Ok(())
    }
}
