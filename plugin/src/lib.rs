//! Write Pixbridge plugins in Rust.
//!
//! A plugin is a `cdylib` that exports `pixbridge_plugin_entry` (see `docs/plugins.md` and
//! `ffi/include/pixbridge_plugin.h`). This crate gives the ABI's types ([`abi`]) and a safe way
//! to fill them: implement [`Operation`] for a type per operation and list the types in
//! [`export_plugin!`]. The generated entry point and run functions check the pixel views the
//! host passes, catch panics (a panic becomes a failure with its message, never an unwind into
//! the host) and copy error messages into the host's buffer.
//!
//! ```ignore
//! use std::ffi::CStr;
//! use pixbridge_plugin::{Kind, Operation, Pixels, PixelsMut};
//!
//! struct Invert;
//! impl Operation for Invert {
//!     const NAME: &'static CStr = c"invert";
//!     const DOCS: &'static CStr = c"Inverts R, G and B; alpha is kept.";
//!     const KIND: Kind = Kind::InPlace;
//!     const PARAMETERS: &'static [pixbridge_plugin::abi::Parameter] = &[];
//!     fn run(_: &[f64], _: Option<&Pixels<'_>>, target: &mut PixelsMut<'_>) -> Result<(), String> {
//!         for y in 0..target.height() {
//!             for px in target.row_mut(y).chunks_exact_mut(4) {
//!                 for c in &mut px[..3] { *c = 255 - *c; }
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//! pixbridge_plugin::export_plugin!(name: c"invert", version: c"1.0.0", docs: c"One filter.", operations: [Invert]);
//! ```

pub mod abi;

use std::cell::Cell;
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::sync::{Once, OnceLock};

// Neither thread-local needs a destructor: a registered one would keep the library mapped after
// the host unloads it, until the thread ends.
thread_local! {
    /// Whether this thread is inside an operation's [`run`], whose panics become errors.
    static IN_RUN: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic inside [`run`] happened, for the message: the file's path (cut to
    /// 160 bytes), its length, the line and the column.
    static PANIC_LOCATION: Cell<Option<PanicLocation>> = const { Cell::new(None) };
}

/// A panic's file (bytes, cut to 160), the file's length, line and column: `Copy`, no heap.
type PanicLocation = ([u8; 160], usize, u32, u32);

/// The panic hook that was installed before [`install_panic_hook`]'s.
type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;
static PREVIOUS_HOOK: OnceLock<Hook> = OnceLock::new();

/// Installs, once, a panic hook that keeps quiet about panics inside [`run`] (they are returned
/// to the host as errors, with their location) and hands every other panic to the hook that
/// was there before. Without it Rust's default hook would print each caught panic and capture a
/// backtrace, whose caches a plugin that is later unloaded could never free. A plugin is a
/// `cdylib` with its own copy of `std`, so this hook is the plugin's alone, not the host's. It
/// allocates nothing (a function item, and the default hook, are zero-sized), so unloading the
/// plugin leaks nothing either.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = PREVIOUS_HOOK.set(std::panic::take_hook());
        std::panic::set_hook(Box::new(quiet_inside_run));
    });
}

fn quiet_inside_run(info: &PanicHookInfo<'_>) {
    if IN_RUN.with(Cell::get) {
        let location = info.location().map(|at| {
            let mut file = [0u8; 160];
            let len = at.file().len().min(file.len());
            file[..len].copy_from_slice(&at.file().as_bytes()[..len]);
            (file, len, at.line(), at.column())
        });
        PANIC_LOCATION.with(|slot| slot.set(location));
    } else if let Some(previous) = PREVIOUS_HOOK.get() {
        previous(info);
    }
}

/// Whether an operation returns a new image or changes its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Returns a new image of the same size: `run` gets the input as `source` and writes every
    /// pixel of `target` (which starts all zero).
    Fresh,
    /// Changes the image: `run` gets no `source` and edits `target`.
    InPlace,
}

/// One operation of a plugin.
pub trait Operation {
    /// The operation's name: lower-case ASCII letters, digits and `_`, starting with a letter.
    const NAME: &'static CStr;
    /// What it does (shown by every SDK's operation list).
    const DOCS: &'static CStr;
    /// New image or in place.
    const KIND: Kind;
    /// Its parameters, made with [`int`], [`float`] and [`flag`].
    const PARAMETERS: &'static [abi::Parameter];
    /// Runs the operation. `arguments` holds one value per parameter in declaration order,
    /// already checked by the host against its type and range. An `Err` is reported to the
    /// caller with its message (error code `PluginFailed`); so is a panic.
    fn run(arguments: &[f64], source: Option<&Pixels<'_>>, target: &mut PixelsMut<'_>) -> Result<(), String>;
}

/// An integer parameter with its default and inclusive range.
pub const fn int(name: &'static CStr, docs: &'static CStr, default: i32, minimum: i32, maximum: i32) -> abi::Parameter {
    parameter(name, docs, abi::PARAMETER_INT, default as f64, minimum as f64, maximum as f64)
}

/// A real-number parameter with its default and inclusive range.
pub const fn float(
    name: &'static CStr,
    docs: &'static CStr,
    default: f64,
    minimum: f64,
    maximum: f64,
) -> abi::Parameter {
    parameter(name, docs, abi::PARAMETER_FLOAT, default, minimum, maximum)
}

/// A flag parameter (the operation receives 0 or 1).
pub const fn flag(name: &'static CStr, docs: &'static CStr, default: bool) -> abi::Parameter {
    parameter(name, docs, abi::PARAMETER_BOOL, if default { 1.0 } else { 0.0 }, 0.0, 1.0)
}

const fn parameter(
    name: &'static CStr,
    docs: &'static CStr,
    r#type: u32,
    default_value: f64,
    minimum: f64,
    maximum: f64,
) -> abi::Parameter {
    abi::Parameter { name: name.as_ptr(), docs: docs.as_ptr(), r#type, reserved: 0, default_value, minimum, maximum }
}

/// Read-only RGBA8 pixels (straight alpha).
pub struct Pixels<'a> {
    width: u32,
    height: u32,
    stride: usize,
    data: &'a [u8],
}

/// Writable RGBA8 pixels (straight alpha).
pub struct PixelsMut<'a> {
    width: u32,
    height: u32,
    stride: usize,
    data: &'a mut [u8],
}

impl Pixels<'_> {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Row `y`: `width * 4` bytes, R, G, B, A per pixel. Panics if `y >= height`.
    pub fn row(&self, y: u32) -> &[u8] {
        assert!(y < self.height, "row {y} of {}", self.height);
        let start = y as usize * self.stride;
        &self.data[start..start + self.width as usize * 4]
    }
}

impl PixelsMut<'_> {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Row `y`, as [`Pixels::row`].
    pub fn row(&self, y: u32) -> &[u8] {
        assert!(y < self.height, "row {y} of {}", self.height);
        let start = y as usize * self.stride;
        &self.data[start..start + self.width as usize * 4]
    }
    /// Row `y`, writable. Panics if `y >= height`.
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        assert!(y < self.height, "row {y} of {}", self.height);
        let start = y as usize * self.stride;
        &mut self.data[start..start + self.width as usize * 4]
    }
}

/// The bytes a view of `width` x `height` with `stride` spans, if the view is well formed.
fn span(width: u32, height: u32, stride: usize) -> Option<usize> {
    let row = (width as usize).checked_mul(4)?;
    if width == 0 || height == 0 || stride < row {
        return None;
    }
    stride.checked_mul(height as usize - 1)?.checked_add(row)
}

/// The C entry of operation `O`: what [`export_plugin!`] puts in the descriptor.
///
/// # Safety
/// Called by the host with the arguments the header's `PixbridgePluginRun` describes.
pub unsafe extern "C" fn run<O: Operation>(
    arguments: *const f64,
    argument_count: usize,
    source: *const abi::Source,
    target: *const abi::Target,
    message: *mut c_char,
    message_capacity: usize,
) -> i32 {
    install_panic_hook();
    let was_in_run = IN_RUN.with(|flag| flag.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the host passes `argument_count` readable values (or null with 0).
        let arguments = match (arguments.is_null(), argument_count) {
            (_, 0) => &[][..],
            (false, count) => unsafe { std::slice::from_raw_parts(arguments, count) },
            (true, _) => return Err("the host passed no arguments".to_string()),
        };
        // SAFETY: the host passes a readable target view for the call's duration.
        let target = unsafe { target.as_ref() }.ok_or("the host passed no target")?;
        let target_len = span(target.width, target.height, target.stride).ok_or("malformed target view")?;
        if target.pixels.is_null() {
            return Err("the host passed no target pixels".to_string());
        }
        // SAFETY: the view spans `target_len` writable bytes that nothing else touches meanwhile.
        let data = unsafe { std::slice::from_raw_parts_mut(target.pixels, target_len) };
        let mut target = PixelsMut { width: target.width, height: target.height, stride: target.stride, data };
        // SAFETY: a non-null source is a readable view for the call's duration.
        let source = match unsafe { source.as_ref() } {
            None => None,
            Some(source) => {
                let len = span(source.width, source.height, source.stride).ok_or("malformed source view")?;
                if source.pixels.is_null() {
                    return Err("the host passed no source pixels".to_string());
                }
                // SAFETY: as above, read-only.
                let data = unsafe { std::slice::from_raw_parts(source.pixels, len) };
                Some(Pixels { width: source.width, height: source.height, stride: source.stride, data })
            }
        };
        if (O::KIND == Kind::Fresh) != source.is_some() {
            return Err(format!(
                "the host passed {} source to a {:?} operation",
                if source.is_some() { "a" } else { "no" },
                O::KIND
            ));
        }
        O::run(arguments, source.as_ref(), &mut target)
    }));
    IN_RUN.with(|flag| flag.set(was_in_run));
    let text = match outcome {
        Ok(Ok(())) => return 0,
        Ok(Err(text)) => text,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string());
            match PANIC_LOCATION.with(Cell::take) {
                Some((file, len, line, column)) => {
                    format!("panicked at {}:{line}:{column}: {detail}", String::from_utf8_lossy(&file[..len]))
                }
                None => format!("panicked: {detail}"),
            }
        }
    };
    if !message.is_null() && message_capacity > 0 {
        // Cut at a character boundary so that the host always receives valid UTF-8.
        let mut len = text.len().min(message_capacity - 1);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        // SAFETY: the host's buffer holds `message_capacity` bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), message.cast::<u8>(), len);
            *message.add(len) = 0;
        }
    }
    1
}

/// The descriptor entry of operation `O`.
pub const fn operation<O: Operation>() -> abi::Operation {
    abi::Operation {
        name: O::NAME.as_ptr(),
        docs: O::DOCS.as_ptr(),
        kind: match O::KIND {
            Kind::Fresh => abi::KIND_FRESH,
            Kind::InPlace => abi::KIND_IN_PLACE,
        },
        parameter_count: O::PARAMETERS.len() as u32,
        parameters: O::PARAMETERS.as_ptr(),
        run: Some(run::<O>),
    }
}

/// A plugin's descriptor over its `operations`.
pub const fn descriptor(
    name: &'static CStr,
    version: &'static CStr,
    docs: &'static CStr,
    operations: &'static [abi::Operation],
) -> abi::Descriptor {
    abi::Descriptor {
        size: size_of::<abi::Descriptor>() as u32,
        abi_major: abi::ABI_MAJOR,
        abi_minor: abi::ABI_MINOR,
        operation_count: operations.len() as u32,
        name: name.as_ptr(),
        version: version.as_ptr(),
        operations: operations.as_ptr(),
        operation_size: size_of::<abi::Operation>() as u32,
        parameter_size: size_of::<abi::Parameter>() as u32,
        docs: docs.as_ptr(),
    }
}

/// Static data holding raw pointers to other static data, which is never written: safe to
/// share between threads. Used by [`export_plugin!`].
pub struct Shared<T>(pub T);

// SAFETY: only ever holds immutable descriptors whose pointers point to `'static` constants.
unsafe impl<T> Sync for Shared<T> {}

/// Exports `pixbridge_plugin_entry` for a plugin with the given name, version, docs (C string
/// literals) and operations (types implementing [`Operation`]).
#[macro_export]
macro_rules! export_plugin {
    (name: $name:expr, version: $version:expr, docs: $docs:expr, operations: [$($operation:ty),+ $(,)?]) => {
        const _: () = {
            static OPERATIONS: $crate::Shared<[$crate::abi::Operation; [$(stringify!($operation)),+].len()]> =
                $crate::Shared([$($crate::operation::<$operation>()),+]);
            static DESCRIPTOR: $crate::Shared<$crate::abi::Descriptor> =
                $crate::Shared($crate::descriptor($name, $version, $docs, &OPERATIONS.0));

            /// The plugin's entry point.
            #[unsafe(no_mangle)]
            pub extern "C" fn pixbridge_plugin_entry() -> *const $crate::abi::Descriptor {
                &DESCRIPTOR.0
            }
        };
    };
}
