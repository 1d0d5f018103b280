//! `rust_blur_timing IMAGE SIGMA ITERATIONS`: times `pixbridge_core::Image::blur` on IMAGE and
//! prints one JSON line (`{"threads":..,"median_ms":..,"min_ms":..,"max_ms":..,"cpu_median_ms":..}`;
//! `cpu_median_ms` is the median CPU time of one blur summed over all threads of the process).
//!
//! The Rust half of the C#-vs-Rust blur comparison in `bindings-csharp/benchmarks/run.sh`: the
//! C# benchmark program's `--blur-timing` mode times `Image.Blur` through the SDK with the same
//! protocol (two untimed runs, then ITERATIONS timed runs, each result dropped outside the timed
//! region), on the same image, at the same sigma, in the same rayon pool size (`RAYON_NUM_THREADS`).

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: rust_blur_timing IMAGE SIGMA ITERATIONS";
const WARM_UP: usize = 2;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("rust_blur_timing: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let [path, sigma, iterations] = args.as_slice() else {
        return Err("expected three arguments".into());
    };
    let sigma: f32 = sigma.parse().map_err(|_| format!("SIGMA {sigma:?} is not a number"))?;
    let iterations: usize = iterations.parse().map_err(|_| format!("ITERATIONS {iterations:?} is not a count"))?;
    if iterations == 0 {
        return Err("ITERATIONS must be at least 1".into());
    }
    let image = pixbridge_core::Image::open(Path::new(path)).map_err(|e| format!("{path}: {e}"))?;
    for _ in 0..WARM_UP {
        drop(black_box(image.blur(sigma).map_err(|e| e.to_string())?));
    }
    let mut samples = Vec::with_capacity(iterations);
    let mut cpu_samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let cpu_start = process_cpu_ns();
        let start = Instant::now();
        let blurred = black_box(image.blur(sigma).map_err(|e| e.to_string())?);
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        let cpu_end = process_cpu_ns();
        cpu_samples.push(cpu_end.saturating_sub(cpu_start) as f64 / 1e6);
        drop(blurred);
    }
    samples.sort_by(f64::total_cmp);
    Ok(format!(
        "{{\"threads\":{},\"width\":{},\"height\":{},\"sigma\":{sigma},\"iterations\":{iterations},\"median_ms\":{:.3},\"min_ms\":{:.3},\"max_ms\":{:.3},\"cpu_median_ms\":{:.3}}}",
        rayon::current_num_threads(),
        image.width(),
        image.height(),
        median(&samples),
        samples[0],
        samples[samples.len() - 1],
        median(&cpu_samples),
    ))
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[middle] } else { (sorted[middle - 1] + sorted[middle]) / 2.0 }
}

/// CPU time used so far by all threads of this process, in nanoseconds: the sum of the first
/// field of `/proc/self/task/*/schedstat` (0 where that is unavailable). Unlike wall time, it
/// hardly changes when other processes compete for the cores, which is the normal state of the
/// shared benchmark machine.
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}
