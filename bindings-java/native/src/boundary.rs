//! The boundary every native method goes through: panics caught, runtime errors and pending
//! Java exceptions turned into exactly one Java exception, a default value returned.

use std::any::Any;

use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JValue};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use pixbridge_runtime::{Error as RuntimeError, ErrorCode, Handle};

/// Why a native method failed.
#[derive(Debug)]
pub enum Failure {
    /// The runtime reported an error: thrown as `PixbridgeException(code, message)`.
    Runtime(RuntimeError),
    /// A JNI call failed; usually a Java exception is already pending and is left to propagate.
    Jni(jni::errors::Error),
}

impl From<RuntimeError> for Failure {
    fn from(error: RuntimeError) -> Self {
        Failure::Runtime(error)
    }
}

impl From<jni::errors::Error> for Failure {
    fn from(error: jni::errors::Error) -> Self {
        Failure::Jni(error)
    }
}

/// Result of the body of a native method.
pub type NativeResult<T> = Result<T, Failure>;

/// Runs the body of a native method.
///
/// `body` runs inside `with_env` (which catches panics) and its runtime calls go through
/// [`pixbridge_runtime::guard`], so a panic in the core becomes `ErrorCode::Panic` exactly as in
/// the C ABI. Every local reference a body creates belongs to the native method's own frame,
/// which the JVM frees on return; bodies create a small fixed number of them.
pub fn run<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> NativeResult<T>,
) -> T {
    env.with_env(body).resolve::<ThrowPixbridgeException>()
}

/// Runs a native method whose body makes no JNI call (handle getters, destroy, the operations).
///
/// `call` runs under [`pixbridge_runtime::guard`] (panics become `ErrorCode::Panic`). Only a
/// failure sets up the jni crate's `Env` (through [`run`]) to throw the exception: that setup
/// (thread-local guard bookkeeping on entry and exit) costs about 50 ns, more than the rest of a
/// trivial call, so the successful path skips it.
///
/// Starts the worker pool first (its size is fixed from then on); the diagnostics and settings
/// that must not start it use [`run_without_pool`].
pub fn run_without_env<T: Default>(env: &mut EnvUnowned<'_>, call: impl FnOnce() -> pixbridge_runtime::Result<T>) -> T {
    pixbridge_runtime::process_pool::start();
    run_without_pool(env, call)
}

/// [`run_without_env`] for the calls that do no work on images (version, diagnostics, the worker
/// thread setting): does not start the worker pool, so its size can still be set after them.
pub fn run_without_pool<T: Default>(
    env: &mut EnvUnowned<'_>,
    call: impl FnOnce() -> pixbridge_runtime::Result<T>,
) -> T {
    match pixbridge_runtime::guard(call) {
        Ok(value) => value,
        Err(error) => run(env, |_env| Err(Failure::Runtime(error))),
    }
}

/// Runs a runtime call through the runtime's panic guard, after starting the worker pool.
pub fn guarded<T>(call: impl FnOnce() -> pixbridge_runtime::Result<T>) -> NativeResult<T> {
    pixbridge_runtime::process_pool::start();
    Ok(pixbridge_runtime::guard(call)?)
}

/// [`guarded`] under a control (0 for none): the call runs as a job of
/// [`pixbridge_runtime::control`], so that another thread can cancel it and its progress reaches
/// the control's callback. A cancelled call fails with `ErrorCode::Cancelled`.
pub fn guarded_under<T>(
    control: jni::sys::jlong,
    call: impl FnOnce() -> pixbridge_runtime::Result<T>,
) -> NativeResult<T> {
    guarded(|| pixbridge_runtime::control::run(handle(control), call))
}

/// Converts a Java `long` handle to the runtime's handle (same 64 bits).
pub fn handle(value: jni::sys::jlong) -> Handle {
    value as Handle
}

/// Converts a runtime handle to a Java `long` (same 64 bits).
pub fn to_java(handle: Handle) -> jni::sys::jlong {
    handle as jni::sys::jlong
}

/// Throws `io.pixbridge.PixbridgeException(code, message)` unless a Java exception is already
/// pending (a pending exception is the more precise report, and JNI forbids most calls while
/// one is pending).
fn throw_pixbridge(env: &mut Env<'_>, code: ErrorCode, message: &str) -> jni::errors::Result<()> {
    if env.exception_check() {
        return Ok(());
    }
    let class = env.find_class(jni_str!("io/pixbridge/PixbridgeException"))?;
    let message = env.new_string(message)?;
    let exception = env.new_object(
        &class,
        jni_sig!("(ILjava/lang/String;)V"),
        &[JValue::Int(code.as_u32() as i32), JValue::Object(&JObject::from(message))],
    )?;
    let exception = env.cast_local::<jni::objects::JThrowable>(exception)?;
    match env.throw(exception) {
        // `throw` reports the now-pending exception as an error: that is the success case.
        Err(jni::errors::Error::JavaException) | Ok(()) => Ok(()),
        Err(other) => Err(other),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    format!("a bug inside Pixbridge was caught at the JNI boundary: {detail}")
}

/// The error policy of every Pixbridge native method.
#[derive(Debug)]
pub struct ThrowPixbridgeException;

impl<T: Default> ErrorPolicy<T, Failure> for ThrowPixbridgeException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        failure: Failure,
    ) -> jni::errors::Result<T> {
        match failure {
            Failure::Runtime(error) => throw_pixbridge(env, error.code, &error.message)?,
            Failure::Jni(error) => {
                if !env.exception_check() {
                    // A JNI failure without a Java exception is a bug on this side of the boundary.
                    throw_pixbridge(env, ErrorCode::Panic, &format!("JNI call failed inside Pixbridge: {error}"))?;
                }
            }
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        throw_pixbridge(env, ErrorCode::Panic, &panic_message(payload.as_ref()))?;
        Ok(T::default())
    }
}
