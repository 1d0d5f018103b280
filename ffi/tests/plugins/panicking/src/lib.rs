//! Test plugin "panicking" 1.0.0, built by ci/build-plugins.sh as libpixbridge_test_panicking.so.
//!
//! What the host must do with it: load it (it is valid), then
//! - `panics` panics inside the plugin; the helper crate catches the panic, so the call fails
//!   with an error whose message contains "deliberate panic in a plugin", the image is left as
//!   it was, and the process (and the plugin) stay usable for further calls;
//! - `fails` returns `Err("deliberate failure")`: the call fails with exactly that message.

use std::ffi::CStr;

use pixbridge_plugin::abi::Parameter;
use pixbridge_plugin::{Kind, Operation, Pixels, PixelsMut};

/// Panics on every call.
struct Panics;

impl Operation for Panics {
    const NAME: &'static CStr = c"panics";
    const DOCS: &'static CStr = c"Panics on every call (a test of the host's error path).";
    const KIND: Kind = Kind::InPlace;
    const PARAMETERS: &'static [Parameter] = &[];

    fn run(_: &[f64], _: Option<&Pixels<'_>>, _: &mut PixelsMut<'_>) -> Result<(), String> {
        panic!("deliberate panic in a plugin");
    }
}

/// Fails on every call.
struct Fails;

impl Operation for Fails {
    const NAME: &'static CStr = c"fails";
    const DOCS: &'static CStr = c"Fails on every call with the message \"deliberate failure\".";
    const KIND: Kind = Kind::InPlace;
    const PARAMETERS: &'static [Parameter] = &[];

    fn run(_: &[f64], _: Option<&Pixels<'_>>, _: &mut PixelsMut<'_>) -> Result<(), String> {
        Err("deliberate failure".to_string())
    }
}

pixbridge_plugin::export_plugin!(
    name: c"panicking",
    version: c"1.0.0",
    docs: c"A test plugin whose operations panic or fail.",
    operations: [Panics, Fails]
);
