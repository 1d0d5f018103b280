//! Calls any operation of the table through its C ABI export (`pixbridge::pixbridge_image_<name>`)
//! by name, with the arguments as typed values. The dispatcher is expanded from
//! `pixbridge_runtime::with_operations!`, so a new operation needs no edit here.
//!
//! Included with `#[path]` by the golden, bad-input and C ABI suites and by the fuzz targets
//! (`fuzz/fuzz_targets/`), which is why it depends on nothing but `pixbridge`,
//! `pixbridge_runtime` and `paste`.

#![allow(dead_code)] // each includer uses a different subset

use pixbridge::ErrorCode;
use pixbridge_runtime::operations::{OperationKind, OperationSpec, ParamType};

/// One argument of an operation, typed as the table presents the parameter (`ParamType`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    /// `ParamType::F32`.
    F32(f32),
    /// `ParamType::U32`.
    U32(u32),
    /// `ParamType::I32`.
    I32(i32),
    /// `ParamType::ResizeFilter`: the code passed as `u32` (any number, so that callers can pass
    /// invalid codes too).
    ResizeFilter(u32),
}

impl Arg {
    /// The table's type of this argument.
    pub fn param_type(self) -> ParamType {
        match self {
            Arg::F32(_) => ParamType::F32,
            Arg::U32(_) => ParamType::U32,
            Arg::I32(_) => ParamType::I32,
            Arg::ResizeFilter(_) => ParamType::ResizeFilter,
        }
    }
}

/// The Rust FFI type of an export's parameter, taken from an [`Arg`] of the matching table type.
trait FromArg: Sized {
    fn from_arg(arg: Arg) -> Option<Self>;
}

impl FromArg for f32 {
    fn from_arg(arg: Arg) -> Option<f32> {
        if let Arg::F32(value) = arg { Some(value) } else { None }
    }
}

impl FromArg for i32 {
    fn from_arg(arg: Arg) -> Option<i32> {
        if let Arg::I32(value) = arg { Some(value) } else { None }
    }
}

impl FromArg for u32 {
    fn from_arg(arg: Arg) -> Option<u32> {
        match arg {
            Arg::U32(value) | Arg::ResizeFilter(value) => Some(value),
            _ => None,
        }
    }
}

/// The table entry of the operation called `name`.
pub fn spec(name: &str) -> Option<&'static OperationSpec> {
    pixbridge_runtime::OPERATIONS.iter().find(|op| op.name == name)
}

/// What an export returned: its code and, for a fresh operation, the handle it wrote to
/// `out_image` (0 if it wrote none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Returned {
    /// The error code.
    pub code: ErrorCode,
    /// `Some(out_image)` for a fresh operation, `None` for an in-place one.
    pub out: Option<u64>,
}

/// Checks `args` against the table entry of `op`: their number and types, in parameter order.
pub fn check_args(op: &OperationSpec, args: &[Arg]) -> Result<(), String> {
    let expected: Vec<ParamType> = op.params.iter().map(|p| p.ty).collect();
    let given: Vec<ParamType> = args.iter().map(|a| a.param_type()).collect();
    if expected == given {
        Ok(())
    } else {
        Err(format!("{}: parameters are {expected:?}, the arguments are {given:?}", op.name))
    }
}

macro_rules! define_dispatch {
    ({} $(
        $kind:ident $name:ident [$($doc:literal)*]
            ($($param:ident : $ty:ty = $param_type:expr => $pdoc:literal),*) |$image:ident| $body:expr, $deferred:expr, $deferral:expr;
    )*) => {
        /// Calls the export of `op` on `image` with `args` (checked against the table first).
        ///
        /// The export for operation `x` is `pixbridge_image_x`: fresh operations take
        /// `(image, params..., *mut u64 out_image)`, in-place ones `(image, params...)`.
        pub fn call(op: &OperationSpec, image: u64, args: &[Arg]) -> Result<Returned, String> {
            call_with(op, image, args, None)
        }

        /// [`call`] through the `_controlled` variant of the export (`pixbridge_image_x_controlled`,
        /// which takes the control handle before `out_image`).
        pub fn call_controlled(op: &OperationSpec, image: u64, args: &[Arg], control: u64) -> Result<Returned, String> {
            call_with(op, image, args, Some(control))
        }

        fn call_with(op: &OperationSpec, image: u64, args: &[Arg], control: Option<u64>) -> Result<Returned, String> {
            check_args(op, args)?;
            let returned = match op.name {
                $( stringify!($name) => define_dispatch!(@call $kind $name image args control ($($param: $ty),*)), )*
                other => return Err(format!("operation {other} has no export in this build")),
            };
            let expected_kind = if returned.out.is_some() { OperationKind::Fresh } else { OperationKind::InPlace };
            assert_eq!(op.kind, expected_kind, "{}: the table's kind and the export's shape disagree", op.name);
            Ok(returned)
        }
    };
    (@call fresh $name:ident $image:ident $args:ident $control:ident ($($param:ident : $ty:ty),*)) => {{
        #[allow(unused_mut, unused_variables)] // operations without parameters
        let mut remaining = $args.iter().copied();
        $( let $param = <$ty as FromArg>::from_arg(remaining.next().expect("checked count")).expect("checked type"); )*
        let mut out = 0u64;
        // SAFETY: plain values and a writable `out`.
        let code = paste::paste! { match $control {
            None => unsafe { pixbridge::[<pixbridge_image_ $name>]($image, $($param,)* &mut out) },
            Some(control) => unsafe { pixbridge::[<pixbridge_image_ $name _controlled>]($image, $($param,)* control, &mut out) },
        } };
        Returned { code, out: Some(out) }
    }};
    (@call in_place $name:ident $image:ident $args:ident $control:ident ($($param:ident : $ty:ty),*)) => {{
        #[allow(unused_mut, unused_variables)] // operations without parameters
        let mut remaining = $args.iter().copied();
        $( let $param = <$ty as FromArg>::from_arg(remaining.next().expect("checked count")).expect("checked type"); )*
        let code = paste::paste! { match $control {
            None => pixbridge::[<pixbridge_image_ $name>]($image $(, $param)*),
            Some(control) => pixbridge::[<pixbridge_image_ $name _controlled>]($image $(, $param)*, control),
        } };
        Returned { code, out: None }
    }};
}

pixbridge_runtime::with_operations!(define_dispatch);
