//! Thread scaling (issue 17, "Concurrency"): the same job on independent images from 1, 2 and 4
//! caller threads, through the runtime that every SDK calls (handles, the image lock, rayon's
//! pool started with the worker thread setting), each row in a fresh process so that its peak
//! RSS (`VmHWM`) is its own. Prints one table row per configuration, and one JSON object per row
//! to `--out FILE` when given.
//!
//! Job: Gaussian blur, sigma 4, of a 24 MP (6000 x 4000) RGBA8 image; each caller thread blurs
//! its own image `ROUNDS` times. Rows: 1, 2, 4 callers with the default worker pool (one thread
//! per logical CPU: each blur is itself parallel), then with `PIXBRIDGE_WORKER_THREADS=1` (each
//! blur runs on one worker at a time, the pool shared by all callers).
//!
//! `cargo run --release -p pixbridge-bench --example thread_scaling [-- --quick] [-- --out FILE]`

use std::io::Write;
use std::process::Command;
use std::sync::Barrier;
use std::time::Instant;

use pixbridge_runtime::alloc::RecyclingAllocator;
use pixbridge_runtime::{images, ops, process_pool};

#[global_allocator]
static ALLOCATOR: RecyclingAllocator = RecyclingAllocator::new();

const WIDTH: u32 = 6000;
const HEIGHT: u32 = 4000;
const SIGMA: f32 = 4.0;

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

/// A deterministic, non-uniform 24 MP image (so the blur does real work on every pixel).
fn source_pixels(seed: u32) -> Vec<u8> {
    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 4];
    for (index, pixel) in pixels.chunks_exact_mut(4).enumerate() {
        let (x, y) = ((index as u32) % WIDTH, (index as u32) / WIDTH);
        pixel.copy_from_slice(&[(x ^ y ^ seed) as u8, (x / 8 + y) as u8, (y / 8 + seed) as u8, 255]);
    }
    pixels
}

/// One row, in this process: `callers` threads each blur their own image `rounds` times after a
/// warm-up blur. Prints the row's JSON on stdout.
fn row(callers: usize, rounds: usize) {
    let workers = process_pool::start();
    let handles: Vec<u64> = (0..callers)
        .map(|caller| images::from_pixels_owned(WIDTH, HEIGHT, source_pixels(caller as u32)).expect("an image"))
        .collect();
    let start = Barrier::new(callers + 1);
    let seconds = std::thread::scope(|scope| {
        for &image in &handles {
            let start = &start;
            scope.spawn(move || {
                images::destroy(ops::blur(image, SIGMA).expect("warm-up blur")).expect("destroy");
                start.wait();
                for _ in 0..rounds {
                    images::destroy(ops::blur(image, SIGMA).expect("blur")).expect("destroy");
                }
                start.wait();
            });
        }
        start.wait();
        let began = Instant::now();
        start.wait();
        began.elapsed().as_secs_f64()
    });
    for image in handles {
        images::destroy(image).expect("destroy");
    }
    let blurs = callers * rounds;
    println!(
        "{{\"job\":\"blur sigma {SIGMA} {WIDTH}x{HEIGHT}\",\"callers\":{callers},\"workers\":{workers},\"images\":{blurs},\"seconds\":{seconds:.4},\"images_per_second\":{:.3},\"peak_rss_mib\":{:.0}}}",
        blurs as f64 / seconds,
        peak_rss_mib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(position) = args.iter().position(|arg| arg == "--row") {
        let callers = args[position + 1].parse().expect("callers");
        let rounds = args[position + 2].parse().expect("rounds");
        row(callers, rounds);
        return;
    }
    let quick = args.iter().any(|arg| arg == "--quick");
    let out = args.iter().position(|arg| arg == "--out").map(|position| args[position + 1].clone());
    // Blurs per caller thread and row: the total work grows with the callers, so every row runs
    // long enough to measure (a 24 MP blur takes about 0.1-0.3 s).
    let rounds = if quick { 2 } else { 6 };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Thread scaling: blur sigma {SIGMA} of {WIDTH}x{HEIGHT} RGBA8, independent images, {cores} logical CPUs");
    println!(
        "{:>7} {:>8} {:>7} {:>9} {:>10} {:>14}",
        "callers", "workers", "images", "seconds", "images/s", "peak RSS MiB"
    );
    let mut json = Vec::new();
    for workers in [None, Some("1")] {
        for callers in [1usize, 2, 4] {
            let mut command = Command::new(std::env::current_exe().expect("this program"));
            command.args(["--row", &callers.to_string(), &rounds.to_string()]);
            command.env_remove(process_pool::THREADS_ENV).env_remove("RAYON_NUM_THREADS");
            if let Some(workers) = workers {
                command.env(process_pool::THREADS_ENV, workers);
            }
            let output = command.output().expect("a row runs");
            assert!(output.status.success(), "row failed: {}", String::from_utf8_lossy(&output.stderr));
            let line = String::from_utf8(output.stdout).expect("UTF-8").trim().to_owned();
            let value: serde_json::Value = serde_json::from_str(&line).expect("a JSON row");
            println!(
                "{:>7} {:>8} {:>7} {:>9.2} {:>10.2} {:>14.0}",
                value["callers"].as_u64().unwrap(),
                value["workers"].as_u64().unwrap(),
                value["images"].as_u64().unwrap(),
                value["seconds"].as_f64().unwrap(),
                value["images_per_second"].as_f64().unwrap(),
                value["peak_rss_mib"].as_f64().unwrap()
            );
            json.push(line);
        }
    }
    if let Some(out) = out {
        let mut file = std::fs::File::create(&out).expect("the output file");
        for line in json {
            writeln!(file, "{line}").expect("write");
        }
    }
}
