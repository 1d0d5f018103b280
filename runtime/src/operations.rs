//! The single table of image operations.
//!
//! [`with_operations!`](crate::with_operations) is the one place where an operation is listed.
//! It hands the whole table to a callback macro, which each surface expands in its own way:
//! this crate into [`ops`](crate::ops) and [`OPERATIONS`](crate::OPERATIONS), the C ABI into
//! `#[ffi]` exports and function-table fields, the JNI layer into `Java_*` exports, and the
//! code generators (through `OPERATIONS`) into the C# and Java per-operation methods.

/// Lists every image operation and passes the list to `$callback!` through
/// [`__parse_operations!`](crate::__parse_operations), the one place that reads this grammar.
///
/// Each entry reads
/// `/// docs` `name: kind (param: type [as Semantic] => "param docs", ...) => |image| body [, owned |image| body] [, plan |size| body];`
/// where `kind` is `fresh` (returns a new image; `image: &Image`) or `in_place` (modifies the
/// image; `image: &mut Image`; never changes its size).
///
/// Fresh operations on a deferred image (see [`images`](crate::images)) use the two optional
/// bodies. `plan` (`size: (u32, u32)`, the source's) returns the result's size, or the error the
/// operation would return, without running it (`pixbridge_core::plan`); with it the operation is
/// itself deferred, otherwise it runs at once on a decode made for it. `owned` (`image: Image`,
/// a decode or a deferred result that nothing else will read) may reuse the source's buffer;
/// without it the first body runs on a borrow. Parameter types are FFI primitives
/// (`f32`, `u32`, `i32`); `as ResizeFilter` marks a `u32` that carries a
/// [`ResizeFilter`](crate::codes::ResizeFilter) code. `body` returns `crate::Result`.
///
/// `with_operations!(cb { tokens })` passes `{ tokens }` first, so a surface can hand its own
/// non-operation items to the same expansion. What `cb` receives is described at
/// [`__parse_operations!`](crate::__parse_operations).
///
/// Adding an operation: implement it in `pixbridge-core`, add its entry here, add its cases to
/// `testdata/manifest.json`, then run `cargo run -p pixbridge-codegen`.
#[macro_export]
macro_rules! with_operations {
    ($callback:ident $({ $($prefix:tt)* })?) => {
        $crate::__parse_operations! {
            $callback { $($($prefix)*)? }
            /// Gaussian blur (a true Gaussian, edges repeated, colour blurred premultiplied by alpha).
            /// Returns a new image; the source is unchanged.
            blur: fresh (sigma: f32 => "Standard deviation in pixels: finite, greater than 0, at most 1000.")
                => |image| Ok(image.blur(sigma)?), owned |image| Ok(image.into_blurred(sigma)?),
                plan |size| $crate::plan::blur(size, sigma);
            /// Unsharp mask: adds `amount` times the difference between the image and its Gaussian blur
            /// to R, G and B where that difference is at least `threshold`. Returns a new image.
            unsharpen: fresh (
                sigma: f32 => "Standard deviation of the blur in pixels: finite, greater than 0, at most 1000.",
                amount: f32 => "Strength: finite, 0 to 10 (1 = add the full difference).",
                threshold: u32 => "Smallest difference (0-255) that is sharpened; smaller ones are left alone."
            ) => |image| Ok(image.unsharpen(sigma, amount, threshold)?),
                plan |size| $crate::plan::unsharpen(size, sigma, amount, threshold);
            /// Resamples to a new size with the given filter. Returns a new image.
            resize: fresh (
                width: u32 => "New width in pixels: 1 to 32768.",
                height: u32 => "New height in pixels: 1 to 32768.",
                filter: u32 as ResizeFilter => "Resampling filter (Nearest, Bilinear, Lanczos3)."
            ) => |image| Ok(image.resize(width, height, $crate::codes::resize_filter(filter)?)?),
                plan |size| {
                    $crate::codes::resize_filter(filter)?;
                    $crate::plan::resize(size, width, height)
                };
            /// Cuts out a rectangle, which must lie inside the image and not be empty. Returns a new image.
            crop: fresh (
                x: u32 => "Left edge of the rectangle in pixels.",
                y: u32 => "Top edge of the rectangle in pixels.",
                width: u32 => "Width of the rectangle in pixels (at least 1).",
                height: u32 => "Height of the rectangle in pixels (at least 1)."
            ) => |image| Ok(image.crop(x, y, width, height)?), owned |image| Ok(image.into_cropped(x, y, width, height)?),
                plan |size| $crate::plan::crop(size, x, y, width, height);
            /// Rotates 90 degrees clockwise. Returns a new image (width and height swap).
            rotate90: fresh () => |image| Ok(image.rotate90()?), plan |size| $crate::plan::rotate(size);
            /// Rotates 270 degrees clockwise (90 counter-clockwise). Returns a new image.
            rotate270: fresh () => |image| Ok(image.rotate270()?), plan |size| $crate::plan::rotate(size);
            /// Mirrors left to right, in place.
            mirror: in_place () => |image| Ok(image.mirror()?);
            /// Flips top to bottom, in place.
            flip_vertical: in_place () => |image| Ok(image.flip_vertical()?);
            /// Rotates 180 degrees, in place.
            rotate180: in_place () => |image| Ok(image.rotate180()?);
            /// Converts to grey (alpha kept), in place; the colour type becomes L8 or La8.
            grayscale: in_place () => |image| Ok(image.grayscale()?);
            /// Adds `delta` to R, G and B (saturating), in place; alpha is unchanged.
            adjust_brightness: in_place (delta: i32 => "Amount added to each colour channel: -255 to 255.")
                => |image| Ok(image.adjust_brightness(delta)?);
            /// Changes the contrast by `contrast` percent, in place; alpha is unchanged.
            adjust_contrast: in_place (contrast: f32 => "Percent change: finite, at least -100 (negative lowers contrast).")
                => |image| Ok(image.adjust_contrast(contrast)?);
            /// Gamma correction, in place: R, G and B become `255 * (v / 255)^(1 / gamma)`, rounded;
            /// alpha is unchanged. Above 1 brightens the mid-tones, below 1 darkens them.
            gamma: in_place (gamma: f32 => "Gamma: finite, 0.01 to 100 (1 leaves the image unchanged; 2.2 brightens like an sRGB decode curve).")
                => |image| Ok(image.gamma(gamma)?);
        }
    };
}

/// Whether an operation returns a new image or changes the image it is called on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// Returns a new image; the source is unchanged.
    Fresh,
    /// Changes the image in place (never its size).
    InPlace,
}

/// The type of an operation parameter as bindings should present it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// 32-bit float.
    F32,
    /// Unsigned 32-bit integer (bindings without unsigned types check for negatives).
    U32,
    /// Signed 32-bit integer.
    I32,
    /// A [`ResizeFilter`](crate::codes::ResizeFilter) code, passed as `u32`.
    ResizeFilter,
}

/// Metadata of one operation parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// snake_case name.
    pub name: &'static str,
    /// Type as bindings present it.
    pub ty: ParamType,
    /// One-sentence description.
    pub docs: &'static str,
}

/// Metadata of one operation, for code generators.
#[derive(Debug, Clone, Copy)]
pub struct OperationSpec {
    /// snake_case name (`adjust_brightness`).
    pub name: &'static str,
    /// New image or in place.
    pub kind: OperationKind,
    /// Parameters after the image itself.
    pub params: &'static [ParamSpec],
    /// Documentation, one line per `///` line (leading space trimmed).
    pub docs: &'static [&'static str],
    /// Whether the operation is deferred on a deferred image (one opened with the `deferred`
    /// decode option): it checks its arguments and records a step instead of computing (the
    /// entry has a `plan` body). The others compute such an image first and run at once.
    pub deferred: bool,
}

/// Maps the FFI primitive types of operation parameters to [`ParamType`].
pub trait OperationParam {
    /// The parameter type.
    const PARAM_TYPE: ParamType;
}

impl OperationParam for f32 {
    const PARAM_TYPE: ParamType = ParamType::F32;
}
impl OperationParam for u32 {
    const PARAM_TYPE: ParamType = ParamType::U32;
}
impl OperationParam for i32 {
    const PARAM_TYPE: ParamType = ParamType::I32;
}

/// The front of [`with_operations!`]: reads the table's grammar once and hands `$callback!` every
/// operation in one normalised form, so no surface parses the author-facing grammar itself:
///
/// ```text
/// $callback! {
///     { prefix tokens }
///     kind name [ "doc line" ... ] ( param: type = ParamType-expression => "param docs", ... ) |image| body, deferred, deferral;
///     ...
/// }
/// ```
///
/// `kind` is `fresh` or `in_place`; the `ParamType` expression says how bindings present the
/// parameter (`as Semantic` in the table, otherwise derived from the Rust type). `deferred` is a
/// `bool` expression: whether the entry has a `plan` body (see [`OperationSpec::deferred`]). `deferral` is a
/// pair of closures for deferred images, `(run, plan)`: `run` (`Image -> Result<Image>`) is the
/// entry's `owned` body or its first body on a borrow; `plan` (`(u32, u32) ->
/// Option<Result<(u32, u32)>>`) is its `plan` body, or `None` without one. Only the runtime
/// uses it.
#[doc(hidden)]
#[macro_export]
macro_rules! __parse_operations {
    ($callback:ident { $($prefix:tt)* } $(
        $(#[doc = $doc:literal])*
        $name:ident : $kind:ident ( $($param:ident : $ty:ty $(as $sem:ident)? => $pdoc:literal),* $(,)? )
            => |$image:ident| $body:expr $(, owned |$owned:ident| $owned_body:expr)? $(, plan |$size:ident| $plan_body:expr)?;
    )*) => {
        $callback! {
            { $($prefix)* }
            $(
                $kind $name [$($doc)*]
                    ($($param: $ty = $crate::__param_type!($ty $(, $sem)?) => $pdoc),*)
                    |$image| $body,
                    $crate::__has_plan!($(|$size| $plan_body)?),
                    (
                        $crate::__deferred_run!(|$image| $body $(, |$owned| $owned_body)?),
                        $crate::__deferred_plan!($(|$size| $plan_body)?)
                    );
            )*
        }
    };
}

/// The `run` closure of a table entry: its `owned` body, or else its first body on a borrow.
#[doc(hidden)]
#[macro_export]
macro_rules! __deferred_run {
    (|$image:ident| $body:expr) => {
        move |$image: $crate::Image| -> $crate::Result<$crate::Image> {
            let $image = &$image;
            $body
        }
    };
    (|$image:ident| $body:expr, |$owned:ident| $owned_body:expr) => {
        move |$owned: $crate::Image| -> $crate::Result<$crate::Image> { $owned_body }
    };
}

/// Whether a table entry has a `plan` body.
#[doc(hidden)]
#[macro_export]
macro_rules! __has_plan {
    () => {
        false
    };
    (|$size:ident| $plan_body:expr) => {
        true
    };
}

/// The `plan` closure of a table entry: `Some` of its `plan` body, or `None` without one.
#[doc(hidden)]
#[macro_export]
macro_rules! __deferred_plan {
    () => {
        |_: (u32, u32)| -> Option<$crate::Result<(u32, u32)>> { None }
    };
    (|$size:ident| $plan_body:expr) => {
        move |$size: (u32, u32)| -> Option<$crate::Result<(u32, u32)>> {
            let planned = || -> $crate::Result<(u32, u32)> { Ok($plan_body?) };
            Some(planned())
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __param_type {
    ($ty:ty) => {
        <$ty as $crate::operations::OperationParam>::PARAM_TYPE
    };
    ($ty:ty, $sem:ident) => {
        $crate::operations::ParamType::$sem
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __operation_kind {
    (fresh) => {
        $crate::operations::OperationKind::Fresh
    };
    (in_place) => {
        $crate::operations::OperationKind::InPlace
    };
}

macro_rules! define_runtime_operations {
    ({} $(
        $kind:ident $name:ident [$($doc:literal)*]
            ($($param:ident : $ty:ty = $param_type:expr => $pdoc:literal),*) |$image:ident| $body:expr, $deferred:expr, $deferral:expr;
    )*) => {
        /// One function per operation, generated from [`with_operations!`](crate::with_operations).
        ///
        /// Fresh operations return the handle of a new image; in-place ones change `image`.
        pub mod ops {
            #[allow(unused_imports)]
            use crate::images::{Handle, apply_fresh, apply_in_place};
            #[allow(unused_imports)]
            use crate::Result;
            $( define_runtime_operations!(@fn $kind $name [$($doc)*] ($($param: $ty),*) |$image| $body, $deferral); )*
        }

        /// Number of operations in the table (the function table has one export per operation).
        pub const OPERATION_COUNT: usize = [$(stringify!($name)),*].len();

        /// Metadata of every operation, in table order, for code generators.
        pub static OPERATIONS: &[$crate::operations::OperationSpec] = &[$(
            $crate::operations::OperationSpec {
                name: stringify!($name),
                kind: $crate::__operation_kind!($kind),
                params: &[$($crate::operations::ParamSpec {
                    name: stringify!($param),
                    ty: $param_type,
                    docs: $pdoc,
                }),*],
                docs: &[$($doc.trim_ascii_start()),*],
                deferred: $deferred,
            }
        ),*];
    };
    (@fn fresh $name:ident [$($doc:literal)*] ($($param:ident : $ty:ty),*) |$image:ident| $body:expr, $deferral:expr) => {
        $(#[doc = $doc])*
        pub fn $name(image: Handle, $($param: $ty),*) -> Result<Handle> {
            apply_fresh(image, |$image| $body, $deferral)
        }
    };
    (@fn in_place $name:ident [$($doc:literal)*] ($($param:ident : $ty:ty),*) |$image:ident| $body:expr, $deferral:expr) => {
        $(#[doc = $doc])*
        pub fn $name(image: Handle, $($param: $ty),*) -> Result<()> {
            apply_in_place(image, |$image| $body)
        }
    };
}

with_operations!(define_runtime_operations);
