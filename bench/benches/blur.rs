//! Gaussian blur benchmarks (criterion): Pixbridge's blur against every Rust peer of
//! `pixbridge-bench` (libblur's exact Gaussian with its own kernel size and with the longer one
//! that reaches Pixbridge's accuracy, libblur's fixed-point Gaussian, `image::imageops::fast_blur`,
//! an approximation shown for scale, and `image::imageops::blur`), at 1080p and 4K, on one
//! thread and on all threads. The blurs and which of them run where are the harness's own
//! ([`Method::runs`]: the `image` crate's blurs have no threads and run only in the one-thread
//! groups, `imageops::blur` only where one iteration takes well under a second, libblur's
//! fixed-point Gaussian not at 4K sigma 100).
//!
//! Run with `cargo bench -p pixbridge-bench --bench blur` (about 8 minutes on 2 cores); add a
//! filter such as `-- "4K/1 thread/sigma 10"` for a subset, or `-- --quick` for a rough pass.
//! Timing follows the project's one rule (`bench/timing-rule.properties`, profile `full`) as far
//! as criterion lets it: the rule's time budget per case, its minimum run count (criterion wants
//! at least 10 samples) and criterion's own flat sampling. `make bench` uses the harness binary
//! instead (same methods and rule, plus the peers in other languages).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use image::RgbaImage;
use pixbridge_bench::methods::{Method, Source, blur_for_timing};
use pixbridge_bench::timing::Budget;
use pixbridge_core::Image;

const SIGMAS: [f32; 8] = [1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 40.0, 100.0];

/// An opaque photograph-like test image: smooth gradients, edges and some noise.
fn test_image(width: u32, height: u32) -> Source {
    let mut state = 0x9e37_79b9_u32;
    let pixels = RgbaImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let edge = if (x / 97 + y / 61) % 2 == 0 { 200 } else { 40 };
        image::Rgba([((x * 255) / width) as u8, edge + (state & 15) as u8, ((y * 255) / height) as u8, 255])
    });
    Source::new(Image::from_rgba8(width, height, pixels.into_raw()).expect("width * height * 4 bytes"))
}

fn bench_blur(c: &mut Criterion) {
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool");
    let all_threads = rayon::current_num_threads();
    let rule = Budget::from_rule("full");
    for (label, width, height) in [("1080p", 1920, 1080), ("4K", 3840, 2160)] {
        let source = test_image(width, height);
        for one_thread in [true, false] {
            let threads = if one_thread { "1 thread".to_string() } else { format!("{all_threads} threads") };
            for sigma in SIGMAS {
                let mut group = c.benchmark_group(format!("{label}/{threads}/sigma {sigma}"));
                group
                    .sample_size(rule.min_iterations.max(10))
                    // Criterion warms up for a time, not a count: as long as one slow run.
                    .warm_up_time(rule.slow_run)
                    .measurement_time(rule.time)
                    .sampling_mode(SamplingMode::Flat);
                for method in Method::ALL.into_iter().filter(|method| method.runs(width, sigma, one_thread, false)) {
                    group.bench_function(BenchmarkId::new(method.name(), sigma), |b| {
                        b.iter(|| {
                            let blur = || blur_for_timing(method, black_box(&source), sigma, one_thread);
                            if one_thread { single.install(blur) } else { blur() }
                        })
                    });
                }
                group.finish();
            }
        }
    }
}

criterion_group!(benches, bench_blur);
criterion_main!(benches);
