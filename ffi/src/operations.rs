//! Two exports per entry of the operation table (`pixbridge_image_<name>` and its
//! `pixbridge_image_<name>_controlled` variant, cancellable with progress), expanded from
//! [`pixbridge_runtime::with_operations!`]; nothing here is written per operation.

use interoptopus::ffi;
use pixbridge_runtime::{ErrorCode, control, ops};

use crate::convert;
use crate::errors::export;

macro_rules! define_operation_exports {
    ({} $(
        $kind:ident $name:ident [$($doc:literal)*]
            ($($param:ident : $ty:ty = $param_type:expr => $pdoc:literal),*) |$image:ident| $body:expr, $deferred:expr, $deferral:expr;
    )*) => {
        $( define_operation_exports!(@export $kind $name [$($doc)*] ($($param: $ty => $pdoc),*)); )*
    };
    (@export fresh $name:ident [$($doc:literal)*] ($($param:ident : $ty:ty => $pdoc:literal),*)) => { paste::paste! {
        pixbridge_ffi_macros::same_site! {
            $(#[doc = $doc])*
            ///
            /// Parameters: `image`, the source image handle;
            $( #[doc = concat!("`", stringify!($param), "`: ", $pdoc)] )*
            /// `out_image` receives the new image's handle (destroy it with `pixbridge_image_destroy`).
            #[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
            #[ffi]
            pub unsafe fn [<pixbridge_image_ $name>](image: u64, $($param: $ty,)* out_image: *mut u64) -> ErrorCode {
                // SAFETY: the same contract, without a control.
                unsafe { [<pixbridge_image_ $name _controlled>](image, $($param,)* 0, out_image) }
            }
        }
        pixbridge_ffi_macros::same_site! {
            $(#[doc = $doc])*
            ///
            /// Under a control (0 for none; see `pixbridge_control_create`): cancellable from any
            /// thread, with progress. A cancelled call returns `Cancelled`, leaves `image`
            /// unchanged and writes nothing to `out_image`.
            #[allow(clippy::missing_safety_doc)] // the C contract is in the docs above
            #[ffi]
            pub unsafe fn [<pixbridge_image_ $name _controlled>](image: u64, $($param: $ty,)* control: u64, out_image: *mut u64) -> ErrorCode {
                export(|| {
                    // SAFETY: C contract: `out_image` is null or valid for writes.
                    let out_image = unsafe { convert::out(out_image, "out_image") }?;
                    *out_image = control::run(control, || ops::$name(image, $($param),*))?;
                    Ok(())
                })
            }
        }
    } };
    (@export in_place $name:ident [$($doc:literal)*] ($($param:ident : $ty:ty => $pdoc:literal),*)) => { paste::paste! {
        pixbridge_ffi_macros::same_site! {
            $(#[doc = $doc])*
            ///
            /// Parameters: `image`, the image to change;
            $( #[doc = concat!("`", stringify!($param), "`: ", $pdoc)] )*
            #[ffi]
            pub fn [<pixbridge_image_ $name>](image: u64 $(, $param: $ty)*) -> ErrorCode {
                [<pixbridge_image_ $name _controlled>](image, $($param,)* 0)
            }
        }
        pixbridge_ffi_macros::same_site! {
            $(#[doc = $doc])*
            ///
            /// Under a control (0 for none; see `pixbridge_control_create`): cancellable from any
            /// thread, with progress. A cancelled call returns `Cancelled` and leaves `image`
            /// exactly as it was.
            #[ffi]
            pub fn [<pixbridge_image_ $name _controlled>](image: u64 $(, $param: $ty)*, control: u64) -> ErrorCode {
                export(|| control::run(control, || ops::$name(image, $($param),*)))
            }
        }
    } };
}

pixbridge_runtime::with_operations!(define_operation_exports);
