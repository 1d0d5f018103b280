//! `io.pixbridge.NativeOperations`: one JNI export per entry of the runtime's operation table;
//! `io.pixbridge.NativeControlledOperations`: the same entries under a control (cancellable,
//! with progress), for the Java SDK's asynchronous methods. Both expanded from the table.

use jni::EnvUnowned;
use jni::objects::JClass;
use jni::sys::{jfloat, jint, jlong};
use pixbridge_runtime::{Error, Result};

/// How a parameter type of the operation table arrives from Java.
pub trait JavaParam: Sized {
    /// The JNI type Java passes.
    type Java;
    /// Converts the Java value; `name` is the parameter's name for the error message.
    fn from_java(value: Self::Java, name: &str) -> Result<Self>;
}

impl JavaParam for f32 {
    type Java = jfloat;
    fn from_java(value: jfloat, _name: &str) -> Result<f32> {
        Ok(value)
    }
}

impl JavaParam for i32 {
    type Java = jint;
    fn from_java(value: jint, _name: &str) -> Result<i32> {
        Ok(value)
    }
}

impl JavaParam for u32 {
    type Java = jint;
    /// Java has no unsigned int: the Java API rejects negatives before the call; this repeats
    /// the check so that no path turns -1 into 4294967295.
    fn from_java(value: jint, name: &str) -> Result<u32> {
        u32::try_from(value).map_err(|_| Error::invalid_argument(format!("{name} must not be negative (got {value})")))
    }
}

/// Expands the operation table into `Java_io_pixbridge_NativeOperations_<lowerCamelName>`
/// exports (fresh operations return the new handle, in-place ones return nothing) and, in
/// [`controlled`], `Java_io_pixbridge_NativeControlledOperations_<lowerCamelName>` exports that
/// take a control handle after the operation's parameters.
macro_rules! define_jni_operations {
    ({} $(
        $kind:ident $name:ident [$($doc:literal)*]
            ($($param:ident : $ty:ty = $param_type:expr => $pdoc:literal),*) |$image:ident| $body:expr, $deferred:expr, $deferral:expr;
    )*) => {
        $( define_jni_operations!(@export $kind $name ($($param: $ty),*)); )*

        /// The operations under a control: `pixbridge_runtime::control::run(control, ||
        /// ops::<name>(...))`, as the C ABI's `pixbridge_image_<name>_controlled`. A cancelled
        /// call throws `PixbridgeException(CANCELLED)`, leaves the image unchanged and makes
        /// nothing. A separate Java class, so that the names need no suffix (an export's Java
        /// name comes from its Rust name) and the loader's count of `NativeOperations` natives
        /// stays the table's.
        pub mod controlled {
            use super::*;
            $( define_jni_operations!(@controlled $kind $name ($($param: $ty),*)); )*
        }
    };
    (@controlled fresh $name:ident ($($param:ident : $ty:ty),*)) => {
        #[doc = concat!("`NativeControlledOperations.", stringify!($name), "`: runs `pixbridge_runtime::ops::", stringify!($name), "` under a control and returns the new image's handle.")]
        #[jni::jni_mangle("io.pixbridge.NativeControlledOperations")]
        pub fn $name<'caller>(
            mut env: EnvUnowned<'caller>,
            _class: JClass<'caller>,
            image: jlong
            $(, $param: <$ty as JavaParam>::Java)*,
            control: jlong
        ) -> jlong {
            crate::boundary::run_without_env(&mut env, || {
                $( let $param = <$ty as JavaParam>::from_java($param, stringify!($param))?; )*
                pixbridge_runtime::control::run(crate::boundary::handle(control), || {
                    pixbridge_runtime::ops::$name(crate::boundary::handle(image) $(, $param)*)
                })
                .map(crate::boundary::to_java)
            })
        }
    };
    (@controlled in_place $name:ident ($($param:ident : $ty:ty),*)) => {
        #[doc = concat!("`NativeControlledOperations.", stringify!($name), "`: runs `pixbridge_runtime::ops::", stringify!($name), "` on the image in place, under a control.")]
        #[jni::jni_mangle("io.pixbridge.NativeControlledOperations")]
        pub fn $name<'caller>(
            mut env: EnvUnowned<'caller>,
            _class: JClass<'caller>,
            image: jlong
            $(, $param: <$ty as JavaParam>::Java)*,
            control: jlong
        ) {
            crate::boundary::run_without_env(&mut env, || {
                $( let $param = <$ty as JavaParam>::from_java($param, stringify!($param))?; )*
                pixbridge_runtime::control::run(crate::boundary::handle(control), || {
                    pixbridge_runtime::ops::$name(crate::boundary::handle(image) $(, $param)*)
                })
            })
        }
    };
    (@export fresh $name:ident ($($param:ident : $ty:ty),*)) => {
        #[doc = concat!("`NativeOperations.", stringify!($name), "`: runs `pixbridge_runtime::ops::", stringify!($name), "` and returns the new image's handle.")]
        #[jni::jni_mangle("io.pixbridge.NativeOperations")]
        pub fn $name<'caller>(
            mut env: EnvUnowned<'caller>,
            _class: JClass<'caller>,
            image: jlong
            $(, $param: <$ty as JavaParam>::Java)*
        ) -> jlong {
            crate::boundary::run_without_env(&mut env, || {
                $( let $param = <$ty as JavaParam>::from_java($param, stringify!($param))?; )*
                pixbridge_runtime::ops::$name(crate::boundary::handle(image) $(, $param)*)
                    .map(crate::boundary::to_java)
            })
        }
    };
    (@export in_place $name:ident ($($param:ident : $ty:ty),*)) => {
        #[doc = concat!("`NativeOperations.", stringify!($name), "`: runs `pixbridge_runtime::ops::", stringify!($name), "` on the image in place.")]
        #[jni::jni_mangle("io.pixbridge.NativeOperations")]
        pub fn $name<'caller>(
            mut env: EnvUnowned<'caller>,
            _class: JClass<'caller>,
            image: jlong
            $(, $param: <$ty as JavaParam>::Java)*
        ) {
            crate::boundary::run_without_env(&mut env, || {
                $( let $param = <$ty as JavaParam>::from_java($param, stringify!($param))?; )*
                pixbridge_runtime::ops::$name(crate::boundary::handle(image) $(, $param)*)
            })
        }
    };
}

pixbridge_runtime::with_operations!(define_jni_operations);

#[cfg(test)]
mod tests {
    use super::*;
    use pixbridge_runtime::ErrorCode;

    #[test]
    fn negative_unsigned_parameters_are_invalid_arguments() {
        let error = u32::from_java(-1, "threshold").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert!(error.message.contains("threshold"), "{}", error.message);
        assert_eq!(u32::from_java(i32::MAX, "width").unwrap(), 2_147_483_647);
        assert_eq!(i32::from_java(-255, "delta").unwrap(), -255);
        assert!(f32::from_java(f32::NAN, "sigma").unwrap().is_nan());
    }
}
