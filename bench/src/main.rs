//! `pixbridge-bench`: times Pixbridge's blur against the Rust peers (libblur exact with its own
//! kernel size and with a longer one that reaches Pixbridge's accuracy, libblur fixed-point, `image::imageops::fast_blur` and `blur`) on one thread and on all threads, at 4K
//! and 1080p; measures each method's accuracy against an `f64` reference Gaussian on a photo
//! crop, the peak extra memory of a blur, JPEG decode / PNG encode and the
//! open -> blur -> mirror -> save pipeline. Results are JSON lines (stdout, or `--out FILE`);
//! progress goes to stderr. `--export DIR` also writes the test images and the reference blurs as
//! PNG files, for the peer scripts (OpenCV, libvips) and the Java and C# harnesses.

mod alloc;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pixbridge_core::{Image, ImageFormat, ResizeFilter};
use serde_json::{Value, json};

use crate::alloc::CountingAllocator;
use pixbridge_bench::methods::{self, Method, Source};
use pixbridge_bench::reference;
use pixbridge_bench::timing::{Budget, Stats, measure};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const USAGE: &str = "usage: pixbridge-bench [--quick] [--out FILE] [--export DIR] [--testdata DIR]
                       [--sections blur,accuracy,memory,codec,pipeline] [--sigmas 1,2,5,10,40,100]
                       [--sizes 4k,1080p]";

/// Sigmas of the speed target.
const SIGMAS: [f32; 6] = [1.0, 2.0, 5.0, 10.0, 40.0, 100.0];

/// Size of the accuracy crop (the reference is slow at large sigma).
const CROP: (u32, u32) = (256, 192);

/// The sigma used by the pipeline benchmark.
const PIPELINE_SIGMA: f32 = 4.0;

/// Parsed command line.
struct Options {
    quick: bool,
    out: Option<PathBuf>,
    export: Option<PathBuf>,
    testdata: PathBuf,
    sections: Vec<String>,
    sigmas: Vec<f32>,
    sizes: Vec<String>,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let mut options = Options {
            quick: false,
            out: None,
            export: None,
            testdata: Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata"),
            sections: ["blur", "accuracy", "memory", "codec", "pipeline"].map(String::from).to_vec(),
            sigmas: SIGMAS.to_vec(),
            sizes: vec!["4k".into(), "1080p".into()],
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--out" => options.out = Some(value()?.into()),
                "--export" => options.export = Some(value()?.into()),
                "--testdata" => options.testdata = value()?.into(),
                "--sections" => options.sections = value()?.split(',').map(String::from).collect(),
                "--sizes" => options.sizes = value()?.split(',').map(str::to_lowercase).collect(),
                "--sigmas" => {
                    options.sigmas = value()?
                        .split(',')
                        .map(|s| s.parse::<f32>().ok().filter(|v| v.is_finite() && *v > 0.0 && *v <= 1000.0))
                        .collect::<Option<_>>()
                        .ok_or("--sigmas takes numbers in (0, 1000] separated by commas")?;
                }
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        for size in &options.sizes {
            if size_dimensions(size).is_none() {
                return Err(format!("unknown size {size:?} (4k or 1080p)"));
            }
        }
        Ok(options)
    }

    fn section(&self, name: &str) -> bool {
        self.sections.iter().any(|s| s == name)
    }

    /// Timing budget for one case: the `quick` or `full` profile of the timing rule.
    fn budget(&self) -> Budget {
        Budget::from_rule(if self.quick { "quick" } else { "full" })
    }
}

fn size_dimensions(name: &str) -> Option<(u32, u32)> {
    match name {
        "4k" => Some((3840, 2160)),
        "1080p" => Some((1920, 1080)),
        _ => None,
    }
}

/// JSON lines sink.
struct Output {
    sink: Box<dyn Write>,
}

impl Output {
    fn emit(&mut self, record: Value) -> std::io::Result<()> {
        writeln!(self.sink, "{record}")?;
        self.sink.flush()
    }
}

fn stats_json(stats: &Stats) -> Value {
    json!({
        "iterations": stats.iterations,
        "median_ms": stats.median, "min_ms": stats.min, "p25_ms": stats.p25,
        "p75_ms": stats.p75, "max_ms": stats.max,
    })
}

fn merge(mut record: Value, extra: Value) -> Value {
    if let (Some(target), Value::Object(fields)) = (record.as_object_mut(), extra) {
        target.extend(fields);
    }
    record
}

fn load(path: &Path) -> Result<Image, String> {
    Image::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The photo-like test image of the given size: `rocket.jpg` resized with Lanczos3 (deterministic).
fn test_image(testdata: &Path, width: u32, height: u32) -> Result<Image, String> {
    let photo = load(&testdata.join("rocket.jpg"))?;
    photo.resize(width, height, ResizeFilter::Lanczos3).map_err(|e| e.to_string())
}

/// The accuracy crop: the centre of the Hubble deep field at native resolution (point-like
/// stars on black are the hardest case for a short or approximate kernel).
fn accuracy_crop(testdata: &Path) -> Result<Image, String> {
    let photo = load(&testdata.join("hubble_deep_field.jpg"))?;
    let (x, y) = ((photo.width() - CROP.0) / 2, (photo.height() - CROP.1) / 2);
    photo.crop(x, y, CROP.0, CROP.1).map_err(|e| e.to_string())
}

fn save_png(image: &Image, path: &Path) -> Result<(), String> {
    image.save_as(path, ImageFormat::Png, None).map_err(|e| format!("{}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let options = Options::parse()?;
    let sink: Box<dyn Write> = match &options.out {
        Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?)),
        None => Box::new(std::io::stdout()),
    };
    let mut out = Output { sink };
    let io = |e: std::io::Error| e.to_string();
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().map_err(|e| e.to_string())?;
    let all_threads = rayon::current_num_threads();
    out.emit(json!({"kind": "meta", "threads": all_threads, "quick": options.quick,
        "test_image": "testdata/rocket.jpg resized (Lanczos3)",
        "accuracy_crop": format!("testdata/hubble_deep_field.jpg centre {}x{}", CROP.0, CROP.1),
        "libblur_equal_quality_radius_sigmas": methods::EQUAL_QUALITY_RADIUS_SIGMAS}))
        .map_err(io)?;

    let crop = accuracy_crop(&options.testdata)?;
    if let Some(dir) = &options.export {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        save_png(&crop, &dir.join("crop.png"))?;
        for size in &options.sizes {
            let (width, height) = size_dimensions(size).expect("sizes were validated");
            save_png(&test_image(&options.testdata, width, height)?, &dir.join(format!("{size}.png")))?;
        }
    }

    if options.section("accuracy") || options.export.is_some() {
        let crop_source = Source::new(crop.clone());
        for &sigma in &options.sigmas {
            eprintln!("accuracy: sigma {sigma}");
            let (w, h) = (crop.width() as usize, crop.height() as usize);
            let expected = reference::gaussian_blur_reference(crop.pixels(), w, h, f64::from(sigma));
            if let Some(dir) = &options.export {
                let reference_image =
                    Image::from_rgba8(crop.width(), crop.height(), expected.clone()).map_err(|e| e.to_string())?;
                save_png(&reference_image, &dir.join(format!("crop-reference-sigma{sigma}.png")))?;
            }
            if !options.section("accuracy") {
                continue;
            }
            for method in Method::ALL {
                let actual = methods::blur(method, &crop_source, sigma, false);
                out.emit(json!({"kind": "accuracy", "method": method.name(), "sigma": sigma,
                    "max_abs_error": reference::max_abs_error(&actual, &expected),
                    "crop": [crop.width(), crop.height()]}))
                    .map_err(io)?;
            }
        }
    }

    if options.section("blur") {
        for size in &options.sizes {
            let (width, height) = size_dimensions(size).expect("sizes were validated");
            let source = Source::new(test_image(&options.testdata, width, height)?);
            for single_thread in [true, false] {
                let threads = if single_thread { 1 } else { all_threads };
                for &sigma in &options.sigmas {
                    for method in Method::ALL {
                        if !method.runs(width, sigma, single_thread, options.quick) {
                            continue;
                        }
                        let time = || {
                            measure(options.budget(), || {
                                methods::blur_for_timing(method, &source, sigma, single_thread)
                            })
                        };
                        let stats = if single_thread { single.install(time) } else { time() };
                        eprintln!("blur {size} {threads}t sigma {sigma} {}: {:.1} ms", method.name(), stats.median);
                        out.emit(merge(
                            json!({"kind": "blur", "size": size, "width": width, "height": height,
                                "threads": threads, "sigma": sigma, "method": method.name()}),
                            stats_json(&stats),
                        ))
                        .map_err(io)?;
                    }
                }
            }
        }
    }

    if options.section("memory") {
        let (width, height) = (3840, 2160);
        let source = Source::new(test_image(&options.testdata, width, height)?);
        let image_bytes = width as usize * height as usize * 4;
        for single_thread in [true, false] {
            let threads = if single_thread { 1 } else { all_threads };
            for &sigma in &options.sigmas {
                for method in [Method::Pixbridge, Method::LibblurExact] {
                    if sigma > 10.0 && method != Method::Pixbridge {
                        continue;
                    }
                    let measure_once = || {
                        ALLOCATOR.reset_peak();
                        let before = ALLOCATOR.live();
                        let result = methods::blur_for_timing(method, &source, sigma, single_thread);
                        let extra = ALLOCATOR.peak() - before - image_bytes;
                        drop(result);
                        extra
                    };
                    let extra = if single_thread { single.install(measure_once) } else { measure_once() };
                    eprintln!("memory 4k {threads}t sigma {sigma} {}: {extra} B", method.name());
                    out.emit(json!({"kind": "memory", "method": method.name(), "sigma": sigma, "threads": threads,
                        "width": width, "height": height, "image_bytes": image_bytes,
                        "peak_extra_bytes": extra, "ratio": extra as f64 / image_bytes as f64}))
                        .map_err(io)?;
                }
            }
        }
    }

    if options.section("codec") {
        let big = test_image(&options.testdata, 3840, 2160)?;
        let big_jpeg = big.encode(ImageFormat::Jpeg, Some(90)).map_err(|e| e.to_string())?;
        let mut jpegs = vec![("4k (rocket resized, quality 90)".to_string(), big_jpeg)];
        for name in ["rocket.jpg", "hubble_deep_field.jpg"] {
            let path = options.testdata.join(name);
            jpegs.push((name.to_string(), std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?));
        }
        for (name, bytes) in &jpegs {
            let stats = measure(options.budget(), || Image::decode(bytes).expect("the test JPEG decodes"));
            eprintln!("jpeg decode {name}: {:.1} ms", stats.median);
            out.emit(merge(json!({"kind": "jpeg_decode", "file": name, "bytes": bytes.len()}), stats_json(&stats)))
                .map_err(io)?;
        }
        let mut pngs = vec![("4k (rocket resized)".to_string(), big)];
        for name in ["astronaut.png", "chelsea.png", "coffee.png"] {
            pngs.push((name.to_string(), load(&options.testdata.join(name))?));
        }
        for (name, image) in &pngs {
            let stats = measure(options.budget(), || image.encode(ImageFormat::Png, None).expect("PNG encodes"));
            eprintln!("png encode {name}: {:.1} ms", stats.median);
            out.emit(merge(
                json!({"kind": "png_encode", "file": name, "width": image.width(), "height": image.height()}),
                stats_json(&stats),
            ))
            .map_err(io)?;
        }
    }

    if options.section("pipeline") {
        let dir = std::env::temp_dir().join(format!("pixbridge-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let big_path = dir.join("4k.jpg");
        test_image(&options.testdata, 3840, 2160)?
            .save_as(&big_path, ImageFormat::Jpeg, Some(90))
            .map_err(|e| e.to_string())?;
        let cases = [
            ("rocket.jpg", options.testdata.join("rocket.jpg"), dir.join("rocket-out.png")),
            ("astronaut.png", options.testdata.join("astronaut.png"), dir.join("astronaut-out.png")),
            ("4k.jpg", big_path, dir.join("4k-out.jpg")),
        ];
        for (name, input, output) in &cases {
            let stats = measure(options.budget(), || {
                let image = Image::open(input).expect("the input opens");
                let mut blurred = image.blur(PIPELINE_SIGMA).expect("sigma is in range");
                blurred.mirror().expect("mirror works");
                blurred.save(output).expect("the output saves");
                blurred
            });
            eprintln!("pipeline {name}: {:.1} ms", stats.median);
            out.emit(merge(
                json!({"kind": "pipeline", "file": name, "steps": format!("open -> blur {PIPELINE_SIGMA} -> mirror -> save {}",
                    output.extension().and_then(|e| e.to_str()).unwrap_or("?"))}),
                stats_json(&stats),
            ))
            .map_err(io)?;
        }
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(())
}

fn main() {
    if let Err(message) = run() {
        if message.is_empty() {
            println!("{USAGE}");
            return;
        }
        eprintln!("pixbridge-bench: {message}\n{USAGE}");
        std::process::exit(2);
    }
}
