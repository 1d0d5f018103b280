//! Gaussian blur benchmarks: Pixbridge's blur against `image::imageops::blur`,
//! `image::imageops::fast_blur` (an approximation, for scale) and libblur's exact and
//! fixed-point Gaussian, at 1080p and 4K, on one thread and on all threads.
//!
//! Run with `cargo bench -p pixbridge-core --bench blur` (about 6 minutes on 2 cores); add a
//! filter such as `-- "4K/1 thread/sigma 10"` for a subset, or `-- --quick` for a rough pass.
//! Sample counts and times are kept small so the default run stays short. The slow peers are
//! restricted: the `image` crate's blurs have no threads, so they run only in the one-thread
//! groups, and `imageops::blur` only where one iteration takes well under a second (1080p up to
//! sigma 10, 4K up to sigma 5); libblur's fixed-point Gaussian is skipped at 4K sigma 100 (about
//! 5 s per iteration there, slower than its exact one). libblur's exact Gaussian (linear in
//! sigma) runs everywhere and takes most of the time at sigma 40 and 100.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use image::RgbaImage;
use libblur::{
    BlurImage, BlurImageMut, ConvolutionMode, EdgeMode, EdgeMode2D, FastBlurChannels, GaussianBlurParams,
    ThreadingPolicy,
};
use pixbridge_core::blur::gaussian_blur_rgba8;

const SIGMAS: [f32; 8] = [1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 40.0, 100.0];

/// An opaque photograph-like test image: smooth gradients, edges and some noise.
fn test_image(width: u32, height: u32) -> RgbaImage {
    let mut state = 0x9e37_79b9_u32;
    RgbaImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let edge = if (x / 97 + y / 61) % 2 == 0 { 200 } else { 40 };
        image::Rgba([((x * 255) / width) as u8, edge + (state & 15) as u8, ((y * 255) / height) as u8, 255])
    })
}

/// Whether `image::imageops::blur` is cheap enough to include at this size and sigma.
fn imageops_blur_fits(width: u32, sigma: f32) -> bool {
    if width <= 1920 { sigma <= 10.0 } else { sigma <= 5.0 }
}

/// libblur's Gaussian into a fresh buffer (the allocation is part of every contender's cost).
fn libblur_gaussian(img: &RgbaImage, sigma: f32, mode: ConvolutionMode, single: bool) {
    let (width, height) = img.dimensions();
    let src = BlurImage::borrow(img.as_raw(), width, height, FastBlurChannels::Channels4);
    let mut dst = BlurImageMut::alloc(width, height, FastBlurChannels::Channels4);
    let threading = if single { ThreadingPolicy::Single } else { ThreadingPolicy::Adaptive };
    libblur::gaussian_blur(
        &src,
        &mut dst,
        GaussianBlurParams::new_from_sigma(f64::from(sigma)),
        EdgeMode2D::new(EdgeMode::Clamp),
        threading,
        mode,
    )
    .expect("libblur accepts the parameters");
    black_box(&dst);
}

fn bench_blur(c: &mut Criterion) {
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool");
    let all_threads = rayon::current_num_threads();
    for (label, width, height) in [("1080p", 1920, 1080), ("4K", 3840, 2160)] {
        let img = test_image(width, height);
        for one_thread in [true, false] {
            let threads = if one_thread { "1 thread".to_string() } else { format!("{all_threads} threads") };
            for sigma in SIGMAS {
                let mut group = c.benchmark_group(format!("{label}/{threads}/sigma {sigma}"));
                group
                    .sample_size(10)
                    .warm_up_time(Duration::from_millis(300))
                    .measurement_time(Duration::from_secs(1))
                    .sampling_mode(SamplingMode::Flat);
                let run = |f: &mut (dyn FnMut() -> Vec<u8> + Send)| {
                    if one_thread { single.install(f) } else { f() }
                };
                group.bench_function(BenchmarkId::new("pixbridge", sigma), |b| {
                    b.iter(|| run(&mut || gaussian_blur_rgba8(black_box(img.as_raw()), width, height, sigma)))
                });
                group.bench_function(BenchmarkId::new("libblur exact", sigma), |b| {
                    b.iter(|| libblur_gaussian(black_box(&img), sigma, ConvolutionMode::Exact, one_thread))
                });
                if width <= 1920 || sigma < 100.0 {
                    group.bench_function(BenchmarkId::new("libblur fixed-point", sigma), |b| {
                        b.iter(|| libblur_gaussian(black_box(&img), sigma, ConvolutionMode::FixedPoint, one_thread))
                    });
                }
                if one_thread {
                    group.bench_function(BenchmarkId::new("imageops fast_blur", sigma), |b| {
                        b.iter(|| image::imageops::fast_blur(black_box(&img), sigma).into_raw())
                    });
                }
                if one_thread && imageops_blur_fits(width, sigma) {
                    group.bench_function(BenchmarkId::new("imageops blur", sigma), |b| {
                        b.iter(|| image::imageops::blur(black_box(&img), sigma).into_raw())
                    });
                }
                group.finish();
            }
        }
    }
}

criterion_group!(benches, bench_blur);
criterion_main!(benches);
