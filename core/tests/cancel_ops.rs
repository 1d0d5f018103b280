//! Cancellation and progress of the image operations run under a `control::Job`: a job
//! cancelled before the operation stops it at once, a cancel midway returns `Cancelled` (and
//! leaves an in-place operation's image exactly as it was, in the same buffer), and an
//! uncancelled job gives the same pixels as the plain call with progress rising to 1.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pixbridge_core::control::{Job, Progress, stage};
use pixbridge_core::{ColorType, Error, Image, ResizeFilter};

/// How an operation is called.
#[derive(Clone, Copy)]
enum Call {
    Fresh(fn(&Image) -> Result<Image, Error>),
    InPlace(fn(&mut Image) -> Result<(), Error>),
    Owned(fn(Image) -> Result<Image, Error>),
}

/// One operation under test: its name, its source (size, with translucent alpha or not), how
/// to call it, and a fraction of its progress that is reported before its last check.
struct Case {
    name: &'static str,
    size: (u32, u32),
    alpha: bool,
    call: Call,
    midway: f32,
}

/// Every operation of the table and the owned variants, on sources large enough for several
/// cancellation checks yet quick in a debug build, at parameters that cover each algorithm
/// (fixed-point, direct and recursive blur; premultiplied, copying and nearest resize). Tiled
/// resizes need more work than these; `resample`'s own tests cancel them.
fn cases() -> Vec<Case> {
    use Call::{Fresh, InPlace, Owned};
    use ResizeFilter::{Bilinear, Lanczos3, Nearest};
    let case = |name, size, alpha, call| Case { name, size, alpha, call, midway: 0.3 };
    // Premultiplying, the first fifth of a translucent resize, is what checks there.
    let premultiplied = |name, call| Case { name, size: (512, 512), alpha: true, call, midway: 0.1 };
    let (small, big) = ((256, 256), (512, 512));
    vec![
        case("blur 2 opaque", small, false, Fresh(|i| i.blur(2.0))),
        case("blur 1.5 alpha", small, true, Fresh(|i| i.blur(1.5))),
        case("blur 30", small, true, Fresh(|i| i.blur(30.0))),
        case("into_blurred 30", small, false, Owned(|i| i.into_blurred(30.0))),
        case("into_blurred 2", small, false, Owned(|i| i.into_blurred(2.0))),
        case("unsharpen", small, false, Fresh(|i| i.unsharpen(1.0, 0.8, 2))),
        premultiplied("resize bilinear alpha", Fresh(|i| i.resize(150, 100, Bilinear))),
        premultiplied("crop_resize lanczos3 alpha", Fresh(|i| i.crop_resize((3, 5, 500, 490), (120, 100), Lanczos3))),
        case("resize same size", big, false, Fresh(|i| i.resize(512, 512, Bilinear))),
        case("resize nearest", big, false, Fresh(|i| i.resize(450, 750, Nearest))),
        case("crop", big, false, Fresh(|i| i.crop(3, 5, 500, 490))),
        case("into_cropped", big, false, Owned(|i| i.into_cropped(3, 5, 500, 490))),
        case("crop_resize nearest", big, false, Fresh(|i| i.crop_resize((3, 5, 500, 490), (400, 700), Nearest))),
        case("rotate90", big, false, Fresh(|i| i.rotate90())),
        case("rotate270", big, false, Fresh(|i| i.rotate270())),
        case("mirror", big, false, InPlace(|i| i.mirror())),
        case("flip_vertical", (512, 511), false, InPlace(|i| i.flip_vertical())),
        case("rotate180", (511, 511), false, InPlace(|i| i.rotate180())),
        case("grayscale", big, true, InPlace(|i| i.grayscale())),
        case("adjust_brightness", big, false, InPlace(|i| i.adjust_brightness(-40))),
        case("adjust_contrast", big, false, InPlace(|i| i.adjust_contrast(30.0))),
        case("gamma", big, false, InPlace(|i| i.gamma(2.2))),
    ]
}

/// Deterministic noise, opaque or with every alpha value.
fn source(case: &Case) -> Image {
    let (w, h) = case.size;
    let mut state = 0x9e37_79b9_u32 ^ w ^ (h << 16);
    let pixels = (0..w * h * 4)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if i % 4 == 3 && !case.alpha { 255 } else { state as u8 }
        })
        .collect();
    Image::from_rgba8(w, h, pixels).unwrap()
}

/// The result of running `case` on `image` (the image itself for in-place operations).
fn run(case: &Case, image: &mut Image) -> Result<Image, Error> {
    match case.call {
        Call::Fresh(op) => op(image),
        Call::InPlace(op) => op(image).map(|()| image.clone()),
        Call::Owned(op) => op(image.clone()),
    }
}

/// A job whose callback records every fraction and sets the cancel flag once a fraction
/// reaches `cancel_at`.
fn recording_job(cancel_at: Option<f32>) -> (Arc<AtomicBool>, Arc<Job>, Arc<Mutex<Vec<f32>>>) {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (sink, cancel) = (Arc::clone(&seen), Arc::clone(&flag));
    let callback = move |fraction: f32| {
        sink.lock().unwrap().push(fraction);
        if cancel_at.is_some_and(|at| fraction >= at) {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    (Arc::clone(&flag), Job::new(flag, Some(Arc::new(callback))), seen)
}

fn assert_cancelled<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    assert!(matches!(result, Err(Error::Cancelled(_))), "{what}: expected Cancelled, got {result:?}");
}

/// Asserts that `image` is exactly `before`, in the buffer at `pointer`.
fn assert_untouched(image: &Image, before: &Image, pointer: *const u8, what: &str) {
    assert_eq!(image.pixels().as_ptr(), pointer, "{what}: the buffer moved");
    assert!(image.pixels() == before.pixels(), "{what}: the pixels changed");
    assert_eq!(
        (image.width(), image.height(), image.color_type()),
        (before.width(), before.height(), before.color_type())
    );
}

#[test]
fn a_job_cancelled_before_the_operation_stops_it_at_once() {
    for case in cases() {
        let mut image = source(&case);
        let before = image.clone();
        let pointer = image.pixels().as_ptr();
        // Cancelled before the job starts: the work does not run at all.
        let (flag, job, seen) = recording_job(None);
        flag.store(true, Ordering::Relaxed);
        let mut ran = false;
        assert_cancelled(
            job.run(|| {
                ran = true;
                run(&case, &mut image)
            }),
            case.name,
        );
        assert!(!ran, "{}", case.name);
        // Cancelled inside the job, just before the operation: it stops at its first check,
        // reports nothing and changes nothing.
        let (flag, job, seen_inside) = recording_job(None);
        assert_cancelled(
            job.run(|| {
                flag.store(true, Ordering::Relaxed);
                run(&case, &mut image)
            }),
            case.name,
        );
        assert!(seen.lock().unwrap().is_empty() && seen_inside.lock().unwrap().is_empty(), "{}", case.name);
        assert_untouched(&image, &before, pointer, case.name);
    }
}

#[test]
fn a_cancel_midway_returns_cancelled_and_in_place_operations_restore_the_image() {
    for case in cases() {
        // In-place operations are also cancelled after their backup, while they change pixels.
        let points: &[f32] = if matches!(case.call, Call::InPlace(_)) { &[case.midway, 0.75] } else { &[case.midway] };
        for &at in points {
            let what = format!("{} cancelled at {at}", case.name);
            let mut image = source(&case);
            let before = image.clone();
            let pointer = image.pixels().as_ptr();
            let (_, job, seen) = recording_job(Some(at));
            assert_cancelled(job.run(|| run(&case, &mut image)), &what);
            let seen = seen.lock().unwrap();
            // The cancel really came midway: progress had reached `at` but not the end.
            assert!(seen.last().is_some_and(|&last| last >= at && last < 1.0), "{what}: progress {seen:?}");
            assert_untouched(&image, &before, pointer, &what);
        }
    }
}

#[test]
fn an_uncancelled_job_gives_the_plain_result_and_progress_rising_to_one() {
    for case in cases() {
        let mut plain_image = source(&case);
        let plain = run(&case, &mut plain_image).unwrap();
        let mut image = source(&case);
        let pointer = image.pixels().as_ptr();
        let (_, job, seen) = recording_job(None);
        let watched = job.run(|| run(&case, &mut image)).unwrap();
        assert!(watched == plain, "{}: differs from the plain call", case.name);
        if matches!(case.call, Call::InPlace(_)) {
            assert_eq!(image.pixels().as_ptr(), pointer, "{}: the buffer moved", case.name);
        }
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 3, "{}: only {seen:?}", case.name);
        assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{}: {seen:?}", case.name);
        assert!(seen[0] > 0.0 && *seen.last().unwrap() == 1.0, "{}: {seen:?}", case.name);
    }
}

#[test]
fn stages_of_a_composite_step_share_one_rising_progress() {
    // Two operations as halves of one job, as a pipeline runs them.
    let case = &cases()[0];
    let (_, job, seen) = recording_job(None);
    let mut image = source(case);
    job.run(|| {
        stage(0.0, 0.5, || image.blur(2.0).map(drop))?;
        stage(0.5, 1.0, || image.mirror())
    })
    .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{seen:?}");
    assert!(seen.iter().any(|&f| f > 0.1 && f < 0.5) && seen.iter().any(|&f| f > 0.5 && f < 1.0), "{seen:?}");
    assert_eq!(*seen.last().unwrap(), 1.0);
}

#[test]
fn grayscale_changes_the_colour_type_only_when_it_completes() {
    let case = cases().into_iter().find(|case| case.name == "grayscale").unwrap();
    let mut image = source(&case);
    let (_, job, _) = recording_job(Some(0.75));
    assert_cancelled(job.run(|| image.grayscale()), "grayscale");
    assert_eq!(image.color_type(), ColorType::Rgba8);
    let (_, job, _) = recording_job(None);
    job.run(|| image.grayscale()).unwrap();
    assert_eq!(image.color_type(), ColorType::La8);
}

#[test]
fn progress_without_a_job_is_a_no_op() {
    let progress = Progress::new(10);
    assert!(!progress.advance(10) && progress.finish().is_ok());
}
