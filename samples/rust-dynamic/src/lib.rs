//! Safe Rust bindings over `libpixbridge.so` (`libpixbridge.dylib`, `pixbridge.dll`) loaded at run time (no link-time dependency).
//!
//! [`ImageFactory::load`] imports the single symbol `pixbridge_functions`, refuses a table whose
//! size or ABI version differ from [`abi`]'s, and hands out [`Image`]s that destroy their handle
//! on drop and keep the library loaded while they live. Every image operation of the library is
//! an [`Image`] method, generated from its operation table into `operations.rs`. Run-time
//! plugins are [`Plugin`]s ([`ImageFactory::load_plugin`], unloaded on drop) whose operations
//! [`Image::apply`] and [`Image::apply_in_place`] call by name with named arguments.

pub mod abi;
mod library_name;
mod operations;
mod pixbridge;
mod plugins;

pub use library_name::{LIBRARY_FILE_NAME, library_file_name_for};
pub use pixbridge::{Error, Image, ImageFactory, check_table};
pub use plugins::{Plugin, PluginOperation, PluginParameter};
