//! Controls through the C exports: every `_controlled` variant gives the plain call's result and
//! reports progress up to 1; a control cancelled before, during or after a call does what
//! `pixbridge_control_cancel` promises (no result, no change to the source, no file, no leak).

use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use pixbridge::*;

#[path = "common/abi.rs"]
mod common_abi;
#[path = "common/memory.rs"]
mod memory;
#[path = "common/operations.rs"]
mod operations;

use common_abi::check;
use operations::{Arg, Returned, call, call_controlled};

/// The tests count live handles, which every test of this process changes: they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// Valid arguments of every operation for a `width` x `height` source; a new operation without
/// an entry here fails [`every_operation_has_sample_arguments`].
fn sample_args(name: &str, width: u32, height: u32) -> Vec<Arg> {
    match name {
        "blur" => vec![Arg::F32(6.0)],
        "unsharpen" => vec![Arg::F32(3.0), Arg::F32(1.0), Arg::U32(2)],
        "resize" => {
            vec![Arg::U32(width * 3 / 4), Arg::U32(height * 2 / 3), Arg::ResizeFilter(ResizeFilter::Lanczos3 as u32)]
        }
        "crop" => vec![Arg::U32(3), Arg::U32(2), Arg::U32(width - 5), Arg::U32(height - 4)],
        "adjust_brightness" => vec![Arg::I32(-30)],
        "adjust_contrast" => vec![Arg::F32(40.0)],
        "gamma" => vec![Arg::F32(2.2)],
        _ => vec![],
    }
}

/// A deterministic, busy RGBA image (no two neighbouring pixels alike, alpha varies).
fn synthetic(width: u32, height: u32) -> u64 {
    let mut rgba = Vec::with_capacity(width as usize * height as usize * 4);
    for y in 0..height {
        for x in 0..width {
            let (x, y) = (x as u64, y as u64);
            rgba.extend_from_slice(&[
                (x * 7 + y * 3) as u8,
                (x * y % 251) as u8,
                (x ^ y.wrapping_mul(5)) as u8,
                (128 + (x + y) % 128) as u8,
            ]);
        }
    }
    let mut image = 0;
    // SAFETY: `rgba` holds width * height * 4 readable bytes; valid out-parameter.
    check(unsafe { pixbridge_image_from_pixels(width, height, rgba.as_ptr(), rgba.len(), &mut image) })
        .expect("from_pixels");
    image
}

fn pixels(image: u64) -> Vec<u8> {
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::Rgba8 };
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_info(image, &mut info) }).expect("info");
    let mut out = vec![0u8; info.width as usize * info.height as usize * 4];
    // SAFETY: `out` holds `out.len()` writable bytes.
    check(unsafe { pixbridge_image_copy_pixels(image, out.as_mut_ptr(), out.len()) }).expect("copy_pixels");
    out
}

fn info(image: u64) -> ImageInfo {
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::Rgba8 };
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_info(image, &mut info) }).expect("info");
    info
}

fn live_controls() -> u64 {
    let mut controls = 0;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_live_controls(&mut controls) }).expect("live_controls");
    controls
}

/// What a control's callback saw, and when it should cancel its own control.
struct Watcher {
    fractions: Mutex<Vec<f32>>,
    /// Cancel the control once a fraction reaches this (above 1: never).
    cancel_at: f32,
    control: AtomicU64,
}

extern "C" fn watch(fraction: f32, user_data: *mut c_void) {
    // SAFETY: `user_data` is the `Watcher` the control was created with; it outlives the control.
    let watcher = unsafe { &*(user_data as *const Watcher) };
    watcher.fractions.lock().unwrap().push(fraction);
    if fraction >= watcher.cancel_at {
        assert_eq!(pixbridge_control_cancel(watcher.control.load(Ordering::SeqCst)), ErrorCode::Ok);
    }
}

impl Watcher {
    /// A watcher and its control; destroy the control with [`Watcher::finish`].
    fn new(cancel_at: f32) -> Box<Self> {
        let watcher = Box::new(Watcher { fractions: Mutex::new(Vec::new()), cancel_at, control: AtomicU64::new(0) });
        let mut control = 0;
        // SAFETY: the callback may run on any thread and `watcher` (boxed, so it does not move)
        // outlives the control, which `finish` destroys first.
        check(unsafe {
            pixbridge_control_create(Some(watch), &*watcher as *const Watcher as *mut c_void, &mut control)
        })
        .expect("control_create");
        watcher.control.store(control, Ordering::SeqCst);
        watcher
    }

    fn control(&self) -> u64 {
        self.control.load(Ordering::SeqCst)
    }

    /// Destroys the control and returns the fractions seen.
    #[allow(clippy::boxed_local)] // the control's callback holds the box's address until here
    fn finish(self: Box<Self>) -> Vec<f32> {
        assert_eq!(pixbridge_control_destroy(self.control()), ErrorCode::Ok);
        self.fractions.into_inner().unwrap()
    }
}

fn assert_complete_progress(what: &str, fractions: &[f32]) {
    assert!(!fractions.is_empty(), "{what}: no progress reported");
    assert!(fractions.windows(2).all(|pair| pair[0] < pair[1]), "{what}: not strictly increasing: {fractions:?}");
    assert!(fractions.iter().all(|f| *f > 0.0 && *f <= 1.0), "{what}: outside (0, 1]: {fractions:?}");
    assert_eq!(fractions.last(), Some(&1.0), "{what}: does not end at 1");
    assert!(fractions.len() <= 102, "{what}: {} calls, more than one per hundredth", fractions.len());
}

#[test]
fn every_operation_has_sample_arguments() {
    let _serial = serial();
    for op in pixbridge_runtime::OPERATIONS {
        operations::check_args(op, &sample_args(op.name, 64, 48)).unwrap_or_else(|e| panic!("add {e} to sample_args"));
    }
}

#[test]
fn every_controlled_operation_gives_the_plain_result_and_progress_up_to_one() {
    let _serial = serial();
    let (width, height) = (160, 120);
    for op in pixbridge_runtime::OPERATIONS {
        let args = sample_args(op.name, width, height);
        let plain_source = synthetic(width, height);
        let controlled_source = synthetic(width, height);
        let plain = call(op, plain_source, &args).unwrap();
        let watcher = Watcher::new(2.0);
        let controlled = call_controlled(op, controlled_source, &args, watcher.control()).unwrap();
        assert_eq!((plain.code, controlled.code), (ErrorCode::Ok, ErrorCode::Ok), "{}", op.name);
        let (plain_result, controlled_result) = match (plain.out, controlled.out) {
            (Some(a), Some(b)) => (a, b),
            _ => (plain_source, controlled_source),
        };
        assert_eq!(pixels(plain_result), pixels(controlled_result), "{}: results differ", op.name);
        assert_eq!(info(plain_result).color_type as u32, info(controlled_result).color_type as u32, "{}", op.name);
        assert_complete_progress(op.name, &watcher.finish());
        for image in [plain.out, controlled.out].into_iter().flatten().chain([plain_source, controlled_source]) {
            assert_eq!(pixbridge_image_destroy(image), ErrorCode::Ok);
        }
    }
}

#[test]
fn a_control_cancelled_before_the_call_stops_it_before_it_starts() {
    let _serial = serial();
    let source = synthetic(64, 48);
    let before = pixels(source);
    let watcher = Watcher::new(2.0);
    assert_eq!(pixbridge_control_cancel(watcher.control()), ErrorCode::Ok);
    let mut cancelled = false;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_control_is_cancelled(watcher.control(), &mut cancelled) }).unwrap();
    assert!(cancelled);
    let images_before = common_abi::live().0;
    for op in pixbridge_runtime::OPERATIONS {
        let returned = call_controlled(op, source, &sample_args(op.name, 64, 48), watcher.control()).unwrap();
        assert_eq!(returned.code, ErrorCode::Cancelled, "{}", op.name);
        assert_eq!(returned.out.unwrap_or(0), 0, "{}: wrote an out_image", op.name);
        assert!(common_abi::last_message().contains("cancelled"), "{}", op.name);
    }
    assert_eq!(pixels(source), before);
    assert_eq!(common_abi::live().0, images_before);
    assert!(watcher.finish().is_empty(), "a call that never started reported progress");
    assert_eq!(pixbridge_image_destroy(source), ErrorCode::Ok);
}

#[test]
fn every_operation_cancelled_midway_produces_nothing_and_leaves_its_source_as_it_was() {
    let _serial = serial();
    let (width, height) = (640, 480);
    for op in pixbridge_runtime::OPERATIONS {
        let source = synthetic(width, height);
        let before = (pixels(source), info(source).color_type as u32);
        let images_before = common_abi::live().0;
        // The callback cancels at its first report, well before the work ends.
        let watcher = Watcher::new(0.0);
        let returned = call_controlled(op, source, &sample_args(op.name, width, height), watcher.control()).unwrap();
        let fractions = watcher.finish();
        assert_eq!(returned.code, ErrorCode::Cancelled, "{}: progress {fractions:?}", op.name);
        assert!(fractions.first().is_some_and(|first| *first < 0.5), "{}: progress {fractions:?}", op.name);
        assert!(fractions.last().is_some_and(|last| *last < 1.0), "{}: progress {fractions:?}", op.name);
        assert_eq!(returned.out.unwrap_or(0), 0, "{}", op.name);
        assert_eq!(common_abi::live().0, images_before, "{}: an image was left behind", op.name);
        assert!(before == (pixels(source), info(source).color_type as u32), "{}: the source changed", op.name);
        assert_eq!(pixbridge_image_destroy(source), ErrorCode::Ok);
    }
}

#[test]
fn a_cancel_after_the_call_finished_changes_nothing() {
    let _serial = serial();
    let source = synthetic(96, 64);
    let watcher = Watcher::new(2.0);
    let mut blurred = 0;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_blur_controlled(source, 2.0, watcher.control(), &mut blurred) }).unwrap();
    let result = pixels(blurred);
    assert_eq!(pixbridge_control_cancel(watcher.control()), ErrorCode::Ok);
    assert_eq!(pixels(blurred), result);
    let mut plain = 0;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_image_blur(source, 2.0, &mut plain) }).unwrap();
    assert_eq!(pixels(plain), result);
    assert_complete_progress("blur", &watcher.finish());
    for image in [source, blurred, plain] {
        assert_eq!(pixbridge_image_destroy(image), ErrorCode::Ok);
    }
}

#[test]
fn another_thread_cancels_a_running_call() {
    let _serial = serial();
    let source = synthetic(1200, 900);
    let watcher = Watcher::new(2.0);
    let control = watcher.control();
    let mut blurred = 0;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // Cancel once the work is under way (its first progress report).
            while watcher.fractions.lock().unwrap().is_empty() {
                std::thread::yield_now();
            }
            assert_eq!(pixbridge_control_cancel(control), ErrorCode::Ok);
        });
        // SAFETY: a valid out-parameter.
        let code = unsafe { pixbridge_image_blur_controlled(source, 40.0, control, &mut blurred) };
        assert_eq!(code, ErrorCode::Cancelled);
    });
    assert_eq!(blurred, 0);
    let fractions = watcher.finish();
    assert!(fractions.last().is_some_and(|last| *last < 1.0), "{fractions:?}");
    assert_eq!(pixbridge_image_destroy(source), ErrorCode::Ok);
}

#[test]
fn one_control_shared_by_several_calls_cancels_them_all() {
    let _serial = serial();
    let watcher = Watcher::new(2.0);
    let control = watcher.control();
    let sources: Vec<u64> = (0..4).map(|_| synthetic(900, 700)).collect();
    std::thread::scope(|scope| {
        let calls: Vec<_> = sources
            .iter()
            .map(|&source| {
                scope.spawn(move || {
                    let mut out = 0;
                    // SAFETY: a valid out-parameter.
                    let code = unsafe { pixbridge_image_blur_controlled(source, 40.0, control, &mut out) };
                    (code, out)
                })
            })
            .collect();
        while watcher.fractions.lock().unwrap().is_empty() {
            std::thread::yield_now();
        }
        assert_eq!(pixbridge_control_cancel(control), ErrorCode::Ok);
        for call in calls {
            // A call that had not started yet is refused at once; none may finish.
            assert_eq!(call.join().unwrap(), (ErrorCode::Cancelled, 0));
        }
    });
    watcher.finish();
    for source in sources {
        assert_eq!(pixbridge_image_destroy(source), ErrorCode::Ok);
    }
}

#[test]
fn destroying_a_control_during_a_call_lets_the_call_finish() {
    let _serial = serial();
    let source = synthetic(800, 600);
    let watcher = Watcher::new(2.0);
    let control = watcher.control();
    let mut blurred = 0;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while watcher.fractions.lock().unwrap().is_empty() {
                std::thread::yield_now();
            }
            assert_eq!(pixbridge_control_destroy(control), ErrorCode::Ok);
        });
        // SAFETY: a valid out-parameter.
        check(unsafe { pixbridge_image_blur_controlled(source, 20.0, control, &mut blurred) }).unwrap();
    });
    let fractions = watcher.fractions.lock().unwrap().clone();
    assert_complete_progress("blur", &fractions);
    assert_eq!(pixbridge_control_cancel(control), ErrorCode::InvalidHandle);
    for image in [source, blurred] {
        assert_eq!(pixbridge_image_destroy(image), ErrorCode::Ok);
    }
}

#[test]
fn controls_are_checked_handles() {
    let _serial = serial();
    let mut out = 0;
    // SAFETY: a valid out-parameter.
    check(unsafe { pixbridge_control_create(None, ptr::null_mut(), &mut out) }).unwrap();
    // SAFETY: a null out-parameter is refused before anything is written.
    assert_eq!(unsafe { pixbridge_control_create(None, ptr::null_mut(), ptr::null_mut()) }, ErrorCode::NullArgument);
    let source = synthetic(32, 32);
    let mut blurred = 0;
    for bad in [out ^ 1, 0x1234, u64::MAX, source] {
        assert_eq!(pixbridge_control_cancel(bad), ErrorCode::InvalidHandle, "{bad:#x}");
        // SAFETY: a valid out-parameter.
        let code = unsafe { pixbridge_image_blur_controlled(source, 1.0, bad, &mut blurred) };
        assert_eq!((code, blurred), (ErrorCode::InvalidHandle, 0), "{bad:#x}");
    }
    // A control without a callback still cancels.
    assert_eq!(pixbridge_control_cancel(out), ErrorCode::Ok);
    // SAFETY: a valid out-parameter.
    let code = unsafe { pixbridge_image_blur_controlled(source, 1.0, out, &mut blurred) };
    assert_eq!(code, ErrorCode::Cancelled);
    assert_eq!(pixbridge_control_destroy(out), ErrorCode::Ok);
    assert_eq!(pixbridge_control_destroy(out), ErrorCode::InvalidHandle);
    assert_eq!(pixbridge_image_destroy(source), ErrorCode::Ok);
}

#[test]
fn codec_calls_under_a_control_complete_or_cancel_cleanly() {
    let _serial = serial();
    let jpeg = std::fs::read(testdata("rocket.jpg")).expect("rocket.jpg");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.png");
    std::fs::write(&target, b"previous content").unwrap();
    let target_str = target.to_str().unwrap();

    // Decode, thumbnail, encode and save: complete progress when left alone.
    let watcher = Watcher::new(2.0);
    let mut image = 0;
    // SAFETY: valid byte range, null options, valid out-parameter.
    check(unsafe {
        pixbridge_image_decode_controlled(jpeg.as_ptr(), jpeg.len(), ptr::null(), watcher.control(), &mut image)
    })
    .unwrap();
    assert_complete_progress("decode", &watcher.finish());
    let plain = common_abi::decode(&jpeg, None).unwrap();
    assert_eq!(pixels(image), pixels(plain));
    assert_eq!(pixbridge_image_destroy(plain), ErrorCode::Ok);

    // Each call takes a control and returns its code and the handle it made (0 for none).
    type Call<'a> = &'a dyn Fn(u64) -> (ErrorCode, u64);
    let calls: [(&str, Call); 4] = [
        ("thumbnail", &|control| {
            let mut out = 0;
            // SAFETY: valid byte range, null options, valid out-parameter.
            let code = unsafe {
                pixbridge_image_thumbnail_controlled(
                    jpeg.as_ptr(),
                    jpeg.len(),
                    200,
                    200,
                    0,
                    ptr::null(),
                    control,
                    &mut out,
                )
            };
            (code, out)
        }),
        ("encode", &|control| {
            let mut out = 0;
            // SAFETY: null options, valid out-parameter.
            let code = unsafe {
                pixbridge_image_encode_controlled(image, ImageFormat::Png as u32, ptr::null(), control, &mut out)
            };
            (code, out)
        }),
        ("save", &|control| {
            // SAFETY: valid path bytes, null options.
            let code = unsafe {
                pixbridge_image_save_controlled(
                    image,
                    target_str.as_ptr(),
                    target_str.len(),
                    u32::MAX,
                    ptr::null(),
                    control,
                )
            };
            (code, 0)
        }),
        ("open", &|control| {
            let path = testdata("rocket.jpg");
            let path = path.to_str().unwrap();
            let mut out = 0;
            // SAFETY: valid path bytes, null options, valid out-parameter.
            let code =
                unsafe { pixbridge_image_open_controlled(path.as_ptr(), path.len(), ptr::null(), control, &mut out) };
            (code, out)
        }),
    ];
    for (name, run) in &calls {
        let (images, buffers) = common_abi::live();
        let watcher = Watcher::new(0.0);
        let (code, out) = run(watcher.control());
        let fractions = watcher.finish();
        assert_eq!((code, out), (ErrorCode::Cancelled, 0), "{name}: progress {fractions:?}");
        assert_eq!(common_abi::live(), (images, buffers), "{name}: left a handle behind");
        assert_eq!(std::fs::read(&target).unwrap(), b"previous content", "{name}: touched the target");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["out.png"], "{name}: left a temporary file");

        let watcher = Watcher::new(2.0);
        let (code, out) = run(watcher.control());
        assert_eq!(code, ErrorCode::Ok, "{name}");
        assert_complete_progress(name, &watcher.finish());
        match *name {
            "encode" => assert_eq!(pixbridge_buffer_destroy(out), ErrorCode::Ok),
            "save" => {
                let saved = common_abi::open(&target).unwrap();
                assert_eq!(pixels(saved), pixels(image), "PNG is lossless");
                assert_eq!(pixbridge_image_destroy(saved), ErrorCode::Ok);
                std::fs::write(&target, b"previous content").unwrap();
            }
            _ => assert_eq!(pixbridge_image_destroy(out), ErrorCode::Ok),
        }
    }
    assert_eq!(pixbridge_image_destroy(image), ErrorCode::Ok);
}

#[test]
fn thousands_of_cancelled_calls_leak_nothing() {
    let _serial = serial();
    let source = synthetic(256, 192);
    let blur = operations::spec("blur").unwrap();
    let mirror = operations::spec("mirror").unwrap();
    let run_batch = |rounds: usize| {
        for round in 0..rounds {
            let watcher = Watcher::new(0.0);
            let op = if round % 2 == 0 { blur } else { mirror };
            let Returned { code, .. } =
                call_controlled(op, source, &sample_args(op.name, 256, 192), watcher.control()).unwrap();
            assert_eq!(code, ErrorCode::Cancelled);
            watcher.finish();
        }
    };
    run_batch(200); // warm-up: allocator caches and thread pool reach their steady size
    let (live_before, controls_before) = (common_abi::live(), live_controls());
    let rss_before = memory::status_kib("VmRSS");
    run_batch(3000);
    assert_eq!((common_abi::live(), live_controls()), (live_before, controls_before));
    let grown = memory::status_kib("VmRSS").saturating_sub(rss_before);
    assert!(grown < 32 * 1024, "RSS grew by {grown} KiB over 3000 cancelled calls");
    assert_eq!(pixbridge_image_destroy(source), ErrorCode::Ok);
}
