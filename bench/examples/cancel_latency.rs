//! Cancellation latency (issue 17): for every operation of the table and for decode, encode,
//! save and thumbnail, on a 16384 x 16384 image, the time from `control::cancel` to the call's
//! return, through the runtime that every SDK calls (handles, controls, the worker pool).
//!
//! Each call is first timed uncancelled; then it is started again and cancelled from another
//! thread at 10 %, 50 % and 90 % of that time. The row prints the uncancelled time and the worst
//! and median latency of the cancels; the target is at most 50 ms. A cancel that lands after the
//! call has finished counts as 0 (there was nothing left to stop).
//!
//! `cargo run --release -p pixbridge-bench --example cancel_latency [-- --quick] [-- --out FILE]`
//! (`--quick`: 8192 x 8192).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pixbridge_runtime::alloc::RecyclingAllocator;
use pixbridge_runtime::codes::ImageFormat;
use pixbridge_runtime::operations::OperationKind;
use pixbridge_runtime::{Handle, OPERATIONS, Result, control, images};

#[global_allocator]
static ALLOCATOR: RecyclingAllocator = RecyclingAllocator::new();

/// Target latency from a cancel request to the call's return.
const TARGET_MS: f64 = 50.0;

/// Peak resident memory of this process in MiB (`VmHWM`).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .expect("VmHWM in /proc/self/status");
    kib / 1024.0
}

/// A deterministic photo-like image: smooth gradients plus fine texture (so codecs and filters
/// do realistic work: not a flat image, not pure noise).
fn source_pixels(size: u32) -> Vec<u8> {
    let mut pixels = vec![0u8; size as usize * size as usize * 4];
    for (index, pixel) in pixels.chunks_exact_mut(4).enumerate() {
        let (x, y) = ((index as u32) % size, (index as u32) / size);
        let texture = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 28;
        pixel.copy_from_slice(&[
            ((x * 255 / size) as u8).wrapping_add(texture as u8),
            ((y * 255 / size) as u8).wrapping_add(texture as u8),
            (((x + y) * 127 / size) as u8) ^ (texture as u8),
            255,
        ]);
    }
    pixels
}

/// Arguments for the benchmark's call of each table operation, by parameter name (the
/// operation table's parameters are named for what they mean).
fn argument(operation: &str, param: &str, size: u32) -> f64 {
    match (operation, param) {
        ("blur", "sigma") => 4.0,
        ("unsharpen", "sigma") => 2.0,
        ("unsharpen", "amount") => 1.0,
        ("unsharpen", "threshold") => 2.0,
        ("resize", "width") | ("resize", "height") => f64::from(size / 2 + 1),
        ("resize", "filter") => 2.0, // Lanczos3
        ("crop", "x") | ("crop", "y") => 8.0,
        ("crop", "width") | ("crop", "height") => f64::from(size - 16),
        ("adjust_brightness", "delta") => 20.0,
        ("adjust_contrast", "contrast") => 25.0,
        ("gamma", "gamma") => 2.2,
        _ => panic!("cancel_latency: no argument for {operation}.{param}; add one to `argument`"),
    }
}

type Call<'a> = Box<dyn Fn(Handle) -> Result<()> + Sync + 'a>;

/// Calls every operation of the table by name on an image, with [`argument`]s; the new image of a
/// fresh operation is destroyed at once.
macro_rules! table_calls {
    ({ $size:expr } $(
        $kind:ident $name:ident [$($doc:literal)*]
            ($($param:ident : $ty:ty = $param_type:expr => $pdoc:literal),*) |$image:ident| $body:expr, $deferred:expr, $deferral:expr;
    )*) => {
        vec![$(
            (stringify!($name), Box::new(move |image: Handle| -> Result<()> {
                $( let $param = argument(stringify!($name), stringify!($param), $size) as $ty; )*
                table_calls!(@run $kind $name image ($($param),*))
            }) as Call<'static>),
        )*]
    };
    (@run fresh $name:ident $image:ident ($($param:ident),*)) => {
        images::destroy(pixbridge_runtime::ops::$name($image $(, $param)*)?)
    };
    (@run in_place $name:ident $image:ident ($($param:ident),*)) => {
        pixbridge_runtime::ops::$name($image $(, $param)*)
    };
}

/// One measured call: uncancelled time and the latencies of cancels at 10, 50 and 90 %.
struct Row {
    name: String,
    seconds: f64,
    latencies_ms: Vec<f64>,
}

/// Times `call` under a fresh control, cancelled `after` (or never); returns the call's duration
/// and the latency from the cancel to the return (0 when the call had already returned).
fn timed(call: &(dyn Fn() -> Result<()> + Sync), after: Option<Duration>) -> (f64, f64) {
    let control = control::create(None);
    let cancelled_at = Mutex::new(None::<Instant>);
    let done = AtomicBool::new(false);
    let began = Instant::now();
    let (result, returned) = std::thread::scope(|scope| {
        if let Some(after) = after {
            let (cancelled_at, done) = (&cancelled_at, &done);
            scope.spawn(move || {
                // Sleep in short steps so a call that returns early ends the wait early.
                while began.elapsed() < after && !done.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_micros(200));
                }
                if !done.load(Ordering::Acquire) {
                    *cancelled_at.lock().unwrap() = Some(Instant::now());
                    control::cancel(control).expect("cancel");
                }
            });
        }
        let result = control::run(control, call);
        let returned = Instant::now();
        done.store(true, Ordering::Release);
        (result, returned)
    });
    control::destroy(control).expect("destroy control");
    let latency =
        cancelled_at.into_inner().unwrap().map_or(0.0, |at| returned.saturating_duration_since(at).as_secs_f64());
    match (&result, after) {
        (Ok(()), _) => {}
        (Err(error), Some(_)) if error.code == pixbridge_runtime::ErrorCode::Cancelled => {}
        (Err(error), _) => panic!("cancel_latency: the call failed: {error}"),
    }
    (returned.duration_since(began).as_secs_f64(), latency * 1000.0)
}

fn measure(name: &str, call: &(dyn Fn() -> Result<()> + Sync)) -> Row {
    let (seconds, _) = timed(call, None);
    let latencies_ms =
        [0.1, 0.5, 0.9].iter().map(|share| timed(call, Some(Duration::from_secs_f64(seconds * share))).1).collect();
    let row = Row { name: name.to_string(), seconds, latencies_ms };
    print_row(&row);
    row
}

fn worst(row: &Row) -> f64 {
    row.latencies_ms.iter().copied().fold(0.0, f64::max)
}

fn median(row: &Row) -> f64 {
    let mut sorted = row.latencies_ms.clone();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn print_row(row: &Row) {
    let verdict = if worst(row) <= TARGET_MS { "ok" } else { "MISS" };
    println!("{:<22} {:>10.3} {:>12.1} {:>12.1}   {verdict}", row.name, row.seconds, worst(row), median(row));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|arg| arg == "--quick");
    let out = args.iter().position(|arg| arg == "--out").map(|position| args[position + 1].clone());
    let size: u32 = if quick { 8192 } else { 16384 };
    let dir = std::env::temp_dir().join(format!("pixbridge-cancel-latency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");

    println!(
        "Cancellation latency: {size}x{size} RGBA8 ({} MiB), cancel at 10/50/90 % of the uncancelled time",
        (size as u64 * size as u64 * 4) >> 20
    );
    println!("{:<22} {:>10} {:>12} {:>12}   target <= {TARGET_MS} ms", "call", "seconds", "worst ms", "median ms");
    let source = images::from_pixels_owned(size, size, source_pixels(size)).expect("the source image");
    let mut rows = Vec::new();

    for (name, call) in pixbridge_runtime::with_operations!(table_calls { size }) {
        let spec = OPERATIONS.iter().find(|op| op.name == name).expect("a table operation");
        // In-place calls change the source; every run starts from the same pixels either way
        // for the fresh ones, and the in-place ones are measured on a copy made per row.
        let image = match spec.kind {
            OperationKind::Fresh => source,
            OperationKind::InPlace => images::from_pixels_owned(size, size, source_pixels(size)).expect("a copy"),
        };
        rows.push(measure(name, &|| call(image)));
        if image != source {
            images::destroy(image).expect("destroy");
        }
    }

    let formats = [("jpeg", "photo.jpg", ImageFormat::Jpeg), ("png", "photo.png", ImageFormat::Png)];
    for (format, file, code) in formats {
        let path: PathBuf = dir.join(file);
        images::save(source, &path).expect("the encoded input");
        let bytes = std::fs::read(&path).expect("read back");
        rows.push(measure(&format!("encode {format}"), &|| images::encode(source, code as u32, 0).map(drop)));
        rows.push(measure(&format!("save {format}"), &|| images::save(source, &dir.join(format!("out.{format}")))));
        rows.push(measure(&format!("decode {format}"), &|| {
            images::destroy(images::decode(&bytes, &Default::default())?)
        }));
        rows.push(measure(&format!("thumbnail {format}"), &|| {
            images::destroy(images::thumbnail(&bytes, 256, 256, 0, &Default::default())?)
        }));
    }
    images::destroy(source).expect("destroy");
    std::fs::remove_dir_all(&dir).ok();

    let misses: Vec<_> = rows.iter().filter(|row| worst(row) > TARGET_MS).map(|row| row.name.as_str()).collect();
    println!(
        "peak RSS {:.0} MiB; over {TARGET_MS} ms: {}",
        peak_rss_mib(),
        if misses.is_empty() { "none".to_string() } else { misses.join(", ") }
    );
    if let Some(out) = out {
        let mut file = std::fs::File::create(&out).expect("the output file");
        for row in &rows {
            writeln!(
                file,
                "{{\"call\":\"{}\",\"size\":{size},\"seconds\":{:.4},\"worst_ms\":{:.2},\"median_ms\":{:.2},\"latencies_ms\":{:?}}}",
                row.name,
                row.seconds,
                worst(row),
                median(row),
                row.latencies_ms
            )
            .expect("write");
        }
    }
}
