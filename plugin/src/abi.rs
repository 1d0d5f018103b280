//! The plugin ABI: `#[repr(C)]` mirrors of `ffi/include/pixbridge_plugin.h`, field for field.
//!
//! The host (`pixbridge-runtime`) reads plugins through these types and plugin authors write
//! them (through [`export_plugin!`](crate::export_plugin)). `tests/header.rs` checks every size
//! and offset against the header compiled by a C compiler.

use std::ffi::c_char;

/// Major version: a host loads only plugins with the same major version.
pub const ABI_MAJOR: u32 = 1;
/// Minor version: minor versions only append fields to [`Descriptor`].
pub const ABI_MINOR: u32 = 1;
/// The entry symbol every plugin exports.
pub const ENTRY_SYMBOL: &str = "pixbridge_plugin_entry";
/// Size of the message buffer a run function receives, NUL included.
pub const MESSAGE_CAPACITY: usize = 1024;

/// `PIXBRIDGE_PLUGIN_KIND_FRESH`: returns a new image of the same size.
pub const KIND_FRESH: u32 = 0;
/// `PIXBRIDGE_PLUGIN_KIND_IN_PLACE`: changes the image in place.
pub const KIND_IN_PLACE: u32 = 1;

/// `PIXBRIDGE_PLUGIN_PARAMETER_INT`.
pub const PARAMETER_INT: u32 = 0;
/// `PIXBRIDGE_PLUGIN_PARAMETER_FLOAT`.
pub const PARAMETER_FLOAT: u32 = 1;
/// `PIXBRIDGE_PLUGIN_PARAMETER_BOOL`.
pub const PARAMETER_BOOL: u32 = 2;

/// `PixbridgePluginSource`: read-only RGBA8 pixels.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub pixels: *const u8,
    pub width: u32,
    pub height: u32,
    pub stride: usize,
}

/// `PixbridgePluginTarget`: writable RGBA8 pixels.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub pixels: *mut u8,
    pub width: u32,
    pub height: u32,
    pub stride: usize,
}

/// `PixbridgePluginRun`.
pub type Run = unsafe extern "C" fn(
    arguments: *const f64,
    argument_count: usize,
    source: *const Source,
    target: *const Target,
    message: *mut c_char,
    message_capacity: usize,
) -> i32;

/// `PixbridgePluginParameter`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Parameter {
    pub name: *const c_char,
    pub docs: *const c_char,
    pub r#type: u32,
    pub reserved: u32,
    pub default_value: f64,
    pub minimum: f64,
    pub maximum: f64,
}

/// `PixbridgePluginOperation`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub name: *const c_char,
    pub docs: *const c_char,
    pub kind: u32,
    pub parameter_count: u32,
    pub parameters: *const Parameter,
    pub run: Option<Run>,
}

/// `PixbridgePluginDescriptor` (ABI 1.1).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Descriptor {
    pub size: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub operation_count: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub operations: *const Operation,
    pub operation_size: u32,
    pub parameter_size: u32,
    /// Added in 1.1.
    pub docs: *const c_char,
}

/// The size of a 1.0 descriptor (which ends before [`Descriptor::docs`]): the smallest a host
/// accepts.
pub const DESCRIPTOR_SIZE_1_0: usize = std::mem::offset_of!(Descriptor, docs);

/// `pixbridge_plugin_entry`.
pub type Entry = unsafe extern "C" fn() -> *const Descriptor;
