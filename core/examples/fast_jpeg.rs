//! Times the 1/8 and 1/4 JPEG decoder against libjpeg-turbo's scaled decodes, and a whole
//! thumbnail (`Image::thumbnail` to 400 px wide, then JPEG q80), on photographic mosaics of the
//! test photos (4:2:0, q90, no restart markers) at 3840x2160 and 6000x4000.
//!
//! `cargo run -p pixbridge-core --release --offline --example fast_jpeg [runs]`
//! Prints best and median of `runs` (default 7) warm runs per cell. With a second argument
//! `serial`, `threads` or `turbo` (and a third, the scale denominator: 8, the default, or 4),
//! only decodes the 24 MP file `runs` times that way (for `perf stat` and profiles).

use std::path::PathBuf;
use std::time::Instant;

use pixbridge_core::fastjpeg::{Split, decode_scaled_with};
use pixbridge_core::{ChromaSubsampling, Image, JpegOptions, ThumbnailFit, ThumbnailOptions};
use turbojpeg::{Compressor, Decompressor, PixelFormat, ScalingFactor, Subsamp};

fn mosaic(width: usize, height: usize) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    let photos: Vec<(usize, usize, Vec<u8>)> =
        ["rocket.jpg", "hubble_deep_field.jpg", "coffee.png", "chelsea.png", "astronaut.png"]
            .iter()
            .map(|name| {
                let rgb = image::open(dir.join(name)).expect("test photo").into_rgb8();
                let (w, h) = rgb.dimensions();
                (w as usize, h as usize, rgb.into_raw())
            })
            .collect();
    let mut rgb = vec![0u8; width * height * 3];
    for y in 0..height {
        for x in 0..width {
            let tile = (x / 512 + 3 * (y / 512)) % photos.len();
            let (pw, ph, pixels) = &photos[tile];
            let from = (((y + 11 * tile) % ph) * pw + (x + 37 * tile) % pw) * 3;
            rgb[(y * width + x) * 3..][..3].copy_from_slice(&pixels[from..from + 3]);
        }
    }
    rgb
}

/// Best and median of `runs` timings of `f` in milliseconds (after one warm-up run).
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2])
}

/// 4:2:0 q90, no restart markers.
fn compress(rgb: &[u8], width: usize, height: usize) -> Vec<u8> {
    let mut compressor = Compressor::new().unwrap();
    compressor.set_quality(90).unwrap();
    compressor.set_subsamp(Subsamp::Sub2x2).unwrap();
    let image = turbojpeg::Image { pixels: rgb, width, pitch: width * 3, height, format: PixelFormat::RGB };
    compressor.compress_to_vec(image).unwrap()
}

fn turbo_scaled(jpeg: &[u8], denominator: usize) -> Vec<u8> {
    let mut decompressor = Decompressor::new().unwrap();
    let header = decompressor.read_header(jpeg).unwrap();
    decompressor.set_scaling_factor(ScalingFactor::new(1, denominator)).unwrap();
    let (w, h) = (header.width.div_ceil(denominator), header.height.div_ceil(denominator));
    let mut pixels = vec![0u8; w * h * 4];
    let image = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: w,
        pitch: w * 4,
        height: h,
        format: PixelFormat::RGBA,
    };
    decompressor.decompress(jpeg, image).unwrap();
    pixels
}

fn main() {
    let runs = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(7);
    if let Some(only) = std::env::args().nth(2) {
        let (width, height) = (6000, 4000);
        let rgb = mosaic(width, height);
        let jpeg = compress(&rgb, width, height);
        let denominator = std::env::args().nth(3).and_then(|a| a.parse().ok()).unwrap_or(8);
        for _ in 0..runs {
            match only.as_str() {
                "serial" => drop(decode_scaled_with(&jpeg, denominator, false)),
                "threads" => drop(decode_scaled_with(&jpeg, denominator, true)),
                _ => drop(turbo_scaled(&jpeg, denominator as usize)),
            }
        }
        return;
    }
    println!("rayon threads: {}, runs: {runs} (best / median, ms)", rayon::current_num_threads());
    for (width, height) in [(3840, 2160), (6000, 4000)] {
        let rgb = mosaic(width, height);
        let mut compressor = Compressor::new().unwrap();
        compressor.set_quality(90).unwrap();
        compressor.set_subsamp(Subsamp::Sub2x2).unwrap();
        let jpeg = compressor
            .compress_to_vec(turbojpeg::Image {
                pixels: rgb.as_slice(),
                width,
                pitch: width * 3,
                height,
                format: PixelFormat::RGB,
            })
            .unwrap();
        drop(rgb);
        let split = decode_scaled_with(&jpeg, 8, true).expect("fast path").split;
        println!("{width}x{height} 4:2:0 q90, {} bytes, two-thread split: {split:?}", jpeg.len());
        for denominator in [8, 4] {
            let fast = decode_scaled_with(&jpeg, denominator, true).expect("fast path").rgba;
            assert!(fast == turbo_scaled(&jpeg, denominator as usize), "outputs differ at 1/{denominator}");
            let (b, m) = time(runs, || drop(turbo_scaled(&jpeg, denominator as usize)));
            println!("  libjpeg-turbo 1/{denominator}            {b:7.2} {m:7.2}");
            let (b, m) = time(runs, || drop(decode_scaled_with(&jpeg, denominator, false)));
            println!("  fastjpeg 1/{denominator}, one thread     {b:7.2} {m:7.2}");
            let (b, m) = time(runs, || drop(decode_scaled_with(&jpeg, denominator, true)));
            println!("  fastjpeg 1/{denominator}, two threads    {b:7.2} {m:7.2}");
        }
        let options = ThumbnailOptions::default();
        let jpeg_options =
            JpegOptions { quality: 80, subsampling: ChromaSubsampling::Yuv420, ..JpegOptions::default() };
        let (b, m) = time(runs, || {
            let thumb = Image::thumbnail(&jpeg, 400, 400, ThumbnailFit::Contain, &options).unwrap();
            drop(thumb.encode_jpeg(&jpeg_options).unwrap());
        });
        println!("  thumbnail 400 wide + q80     {b:7.2} {m:7.2}");
        if let Split::Speculative { resync_bits } = split {
            println!("  resynchronised {resync_bits} bits after the middle byte");
        }
    }
}
