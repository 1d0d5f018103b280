//! Codec and pipeline benchmarks: JPEG decode and PNG encode of the test photographs, and the
//! whole open -> blur -> mirror -> save pipeline (PNG out), as a user of the core runs it.
//!
//! Run with `cargo bench -p pixbridge-core --bench pipeline` (under a minute); the same cases
//! also run in `pixbridge-bench` (`make bench`), which adds a 4K image.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pixbridge_core::{Image, ImageFormat};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

fn configure<'a>(c: &'a mut Criterion, name: &str) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    group
}

fn bench_codecs(c: &mut Criterion) {
    let mut group = configure(c, "jpeg decode");
    for name in ["rocket.jpg", "hubble_deep_field.jpg"] {
        let bytes = std::fs::read(testdata(name)).expect("test photo is readable");
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| Image::decode(black_box(&bytes)).expect("test photo decodes"))
        });
    }
    group.finish();

    let mut group = configure(c, "png encode");
    for name in ["astronaut.png", "chelsea.png", "coffee.png"] {
        let image = Image::open(&testdata(name)).expect("test photo opens");
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| black_box(&image).encode(ImageFormat::Png, None).expect("PNG encodes"))
        });
    }
    group.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut group = configure(c, "open blur4 mirror save");
    for name in ["rocket.jpg", "astronaut.png"] {
        let input = testdata(name);
        let output = dir.path().join(format!("{name}.out.png"));
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let image = Image::open(&input).expect("test photo opens");
                let mut blurred = image.blur(4.0).expect("sigma 4 is valid");
                blurred.mirror().expect("mirror works");
                blurred.save(&output).expect("the output saves");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_codecs, bench_pipeline);
criterion_main!(benches);
