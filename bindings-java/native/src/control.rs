//! Controls for the Java SDK's asynchronous calls: `NativeImage.controlCreate/controlCancel/
//! controlDestroy/liveControls` over [`pixbridge_runtime::control`], and the progress callback
//! that calls a Java `io.pixbridge.ProgressListener` from whichever thread does the work.
//!
//! **Threads.** The runtime calls a control's callback from a thread that works for the call:
//! the Java thread that made the native call (already attached to the JVM), or a thread of the
//! native worker pool (rayon's, `pixbridge-<n>`), which the JVM has never seen. Such a thread is
//! attached with `AttachCurrentThreadAsDaemon` the first time it reports progress, and stays
//! attached: the pool's threads live as long as the process, so attaching per call would pay the
//! JVM's thread registration (a `java.lang.Thread` object, tens of microseconds) up to a hundred
//! times per call, for nothing. As a *daemon* it never keeps the JVM from exiting: an ordinary
//! attachment (what the `jni` crate's `attach_current_thread` makes) counts as a non-daemon
//! thread, and `DestroyJavaVM`, which runs when `main` returns, waits for every non-daemon thread
//! to end; pool threads never end, so the JVM would hang at exit. A thread-local guard detaches
//! the thread if it ever ends (a pool built in a forked child, say).
//!
//! **Nothing escapes.** A Java exception thrown by the listener is caught (cleared) by the
//! attachment and dropped here; a panic inside the callback is caught too. The Java side
//! (`ProgressRelay`) already catches everything the user's listener throws, completes the future
//! with it and cancels the work, so what reaches this boundary is only what the relay itself
//! could not handle (a `StackOverflowError`, say): the progress report is lost, the work goes on.
//!
//! **Lifetime.** The callback owns a global reference to the listener. The runtime keeps the
//! callback alive while the control exists and while any call made with it runs (each call's
//! job holds its own reference), so the listener cannot be collected while it may be called;
//! the global reference goes when the last of them does.

use std::cell::RefCell;
use std::ffi::{CString, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

use jni::objects::{Global, JClass, JObject, JValue};
use jni::sys::{self, jlong};
use jni::{EnvUnowned, JavaVM, jni_mangle, jni_sig, jni_str};
use pixbridge_runtime::control;

use crate::boundary::{handle, run, run_without_pool, to_java};

/// A daemon attachment of a native thread made by [`attach_as_daemon`]; detaches the thread
/// when the thread ends (its thread-local is dropped).
struct DaemonAttachment {
    vm: JavaVM,
}

impl Drop for DaemonAttachment {
    fn drop(&mut self) {
        let raw = self.vm.get_raw();
        // SAFETY: `raw` is the live JavaVM this thread was attached to; the thread is ending, so
        // no JNI frame of it is active.
        unsafe {
            ((*(*raw)).v1_1.DetachCurrentThread)(raw);
        }
    }
}

thread_local! {
    /// Set on native threads this module attached; empty on threads the JVM made.
    static DAEMON_ATTACHMENT: RefCell<Option<DaemonAttachment>> = const { RefCell::new(None) };
}

/// Makes sure the calling thread is attached to `vm`: a JVM thread already is; a native worker
/// thread is attached once, as a daemon, for the rest of its life (see the module docs).
/// Returns whether the thread is attached.
fn attach_as_daemon(vm: &JavaVM) -> bool {
    if DAEMON_ATTACHMENT.with(|attachment| attachment.borrow().is_some()) {
        return true;
    }
    match vm.is_thread_attached() {
        Ok(true) => return true,
        Ok(false) => {}
        Err(_) => return false,
    }
    // The JVM names the thread after the native one, so thread dumps show `pixbridge-<n>`.
    let name = CString::new(std::thread::current().name().unwrap_or("pixbridge-native")).ok();
    let mut args = sys::JavaVMAttachArgs {
        version: sys::JNI_VERSION_1_4,
        name: name.as_ref().map_or(ptr::null_mut(), |name| name.as_ptr().cast_mut()),
        group: ptr::null_mut(),
    };
    let mut env: *mut c_void = ptr::null_mut();
    let raw = vm.get_raw();
    // SAFETY: `raw` is a live JavaVM (it gave us the listener); `args` and `name` outlive the
    // call, which copies the name.
    let status =
        unsafe { ((*(*raw)).v1_4.AttachCurrentThreadAsDaemon)(raw, &mut env, (&raw mut args).cast::<c_void>()) };
    if status != sys::JNI_OK {
        return false;
    }
    DAEMON_ATTACHMENT.with(|attachment| *attachment.borrow_mut() = Some(DaemonAttachment { vm: vm.clone() }));
    true
}

/// The Java listener of one control.
struct JavaProgress {
    vm: JavaVM,
    listener: Global<JObject<'static>>,
}

impl JavaProgress {
    /// Calls `listener.onProgress(fraction)` on the calling thread; never unwinds and never
    /// leaves a Java exception pending.
    fn report(&self, fraction: f32) {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            if !attach_as_daemon(&self.vm) {
                return;
            }
            // A new local frame for the call; an exception the listener throws is caught
            // (cleared) on the way out and returned as an error, which is dropped.
            let _ = self.vm.attach_current_thread(|env| -> jni::errors::Result<()> {
                env.call_method(&self.listener, jni_str!("onProgress"), jni_sig!("(F)V"), &[JValue::Float(fraction)])?;
                Ok(())
            });
        }));
    }
}

impl Drop for JavaProgress {
    fn drop(&mut self) {
        // Deleting the global reference needs an attached thread. The last reference normally
        // goes on a Java thread; should it go on a native worker, attach that one as a daemon
        // first (the `jni` crate would attach it as a non-daemon thread for good).
        let _ = catch_unwind(AssertUnwindSafe(|| attach_as_daemon(&self.vm)));
    }
}

/// `NativeImage.controlCreate(ProgressListener listener)`: a new control whose callback calls
/// `listener.onProgress(float)` (no callback when `listener` is null).
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn control_create<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    listener: JObject<'caller>,
) -> jlong {
    run(&mut env, |env| {
        let callback = if listener.is_null() {
            None
        } else {
            let progress = JavaProgress { vm: env.get_java_vm()?, listener: env.new_global_ref(&listener)? };
            Some(Arc::new(move |fraction: f32| progress.report(fraction)) as Arc<control::ProgressCallback>)
        };
        Ok(to_java(control::create(callback)))
    })
}

/// `NativeImage.controlCancel(long control)`: cancels every call using `control`, now and later.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn control_cancel<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, control: jlong) {
    run_without_pool(&mut env, || control::cancel(handle(control)))
}

/// `NativeImage.controlDestroy(long control)`: destroys `control`; calls using it go on.
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn control_destroy<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>, control: jlong) {
    run_without_pool(&mut env, || control::destroy(handle(control)))
}

/// `NativeImage.liveControls()`: live control handles (leak tests compare it with a baseline).
#[jni_mangle("io.pixbridge.NativeImage")]
pub fn live_controls<'caller>(mut env: EnvUnowned<'caller>, _class: JClass<'caller>) -> jlong {
    run_without_pool(&mut env, || Ok(control::live_count() as jlong))
}
