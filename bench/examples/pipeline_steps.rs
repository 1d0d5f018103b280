//! Where the time of the `crop-shrink-sharpen` pipeline job goes, step by step, inside the core
//! (no FFI): decode, crop, Lanczos3 shrink to 90 %, unsharpen (sigma 1, amount 1), JPEG q75;
//! and `crop_resize`, the fused crop + shrink. Each step is sampled by the project's timing rule
//! (`bench/timing-rule.properties`, profile `quick`, or `full` with `--full`); then the whole
//! chain as the SDKs run it. It uses the SDKs' native allocator (`pixbridge_runtime::alloc`,
//! `PIXBRIDGE_MEMORY_CACHE_MB=0` for the system allocator alone).
//!
//! `cargo run --release -p pixbridge-bench --example pipeline_steps -- INPUT.jpg [--full]`

use pixbridge_bench::timing::{Budget, measure};
use pixbridge_core::{EncodeOptions, Image, ImageFormat, JpegOptions, ResizeFilter};
use pixbridge_runtime::alloc::RecyclingAllocator;

#[global_allocator]
static ALLOCATOR: RecyclingAllocator = RecyclingAllocator::new();

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = args.first().ok_or("usage: pipeline_steps INPUT.jpg [--full]")?;
    let budget = Budget::from_rule(if args.iter().any(|a| a == "--full") { "full" } else { "quick" });
    let bytes = std::fs::read(input)?;
    let full = Image::decode(&bytes)?;
    let margin = 100;
    let (w, h) = (full.width() - 2 * margin, full.height() - 2 * margin);
    let shrunk_size = |n: u32| ((f64::from(n) * 0.9).round() as u32).max(1);
    let cropped = full.crop(margin, margin, w, h)?;
    let shrunk = cropped.resize(shrunk_size(w), shrunk_size(h), ResizeFilter::Lanczos3)?;
    let sharpened = shrunk.unsharpen(1.0, 1.0, 0)?;
    let jpeg =
        EncodeOptions { jpeg: JpegOptions { quality: 75, ..JpegOptions::default() }, ..EncodeOptions::default() };
    let chain = || -> usize {
        let full = Image::decode(&bytes).expect("decodes");
        let cropped = full.crop(margin, margin, w, h).expect("crops");
        let shrunk = cropped.resize(shrunk_size(w), shrunk_size(h), ResizeFilter::Lanczos3).expect("resizes");
        let sharpened = shrunk.unsharpen(1.0, 1.0, 0).expect("sharpens");
        sharpened.encode_with(ImageFormat::Jpeg, &jpeg).expect("encodes").len()
    };
    let steps: [(&str, &dyn Fn() -> usize); 7] = [
        ("decode", &|| Image::decode(&bytes).map(|i| i.width() as usize).unwrap_or(0)),
        ("crop", &|| full.crop(margin, margin, w, h).map(|i| i.width() as usize).unwrap_or(0)),
        ("resize 90% lanczos3", &|| {
            cropped
                .resize(shrunk_size(w), shrunk_size(h), ResizeFilter::Lanczos3)
                .map(|i| i.width() as usize)
                .unwrap_or(0)
        }),
        ("crop_resize (fused)", &|| {
            full.crop_resize((margin, margin, w, h), (shrunk_size(w), shrunk_size(h)), ResizeFilter::Lanczos3)
                .map(|i| i.width() as usize)
                .unwrap_or(0)
        }),
        ("unsharpen 1/1/0", &|| shrunk.unsharpen(1.0, 1.0, 0).map(|i| i.width() as usize).unwrap_or(0)),
        ("encode jpeg q75", &|| sharpened.encode_with(ImageFormat::Jpeg, &jpeg).map(|b| b.len()).unwrap_or(0)),
        ("whole chain", &chain),
    ];
    println!("{input}: {}x{}, {} threads", full.width(), full.height(), rayon::current_num_threads());
    for (name, step) in steps {
        let stats = measure(budget, step);
        println!(
            "{name:>22}: median {:8.1} ms [{:.1}-{:.1}], {} runs; {} MB of freed blocks kept",
            stats.median,
            stats.p25,
            stats.p75,
            stats.iterations,
            ALLOCATOR.cached_bytes() / 1_000_000
        );
    }
    Ok(())
}
