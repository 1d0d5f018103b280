//! Pipeline jobs of issue 13, timed in-process (median of 7 warm runs) with the peak RSS of a
//! fresh process per job.
//!
//! ```text
//! cargo run --release -p pixbridge-core --example pipeline_jobs            # everything
//! cargo run --release -p pixbridge-core --example pipeline_jobs -- prepare DIR
//! cargo run --release -p pixbridge-core --example pipeline_jobs -- run JOB INPUT OUTPUT
//! cargo run --release -p pixbridge-core --example pipeline_jobs -- psnr INPUT THUMBNAIL
//! ```
//!
//! Inputs are made here from the test photographs (a mosaic of `testdata/` pictures enlarged
//! to 3840x2160 and 6000x4000, JPEG q90 4:2:0). Jobs: `thumbnail` (400 px wide, JPEG q80) and
//! `crop-resize-sharpen` (crop 100 px off each edge, 90 % Lanczos3, unsharpen sigma 0.75
//! amount 1, JPEG q75). `psnr` compares a thumbnail with a reference made from the full-size
//! decode (the `image` crate's decoder) by an exact area average in f64, written here
//! independently of the code under test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use pixbridge_core::{DecodeOptions, Image, ImageFormat, JpegOptions, ResizeFilter, ThumbnailFit, ThumbnailOptions};

const RUNS: usize = 7;
const PHOTOS: [&str; 5] = ["rocket.jpg", "hubble_deep_field.jpg", "astronaut.png", "coffee.png", "chelsea.png"];

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["prepare", dir] => prepare(Path::new(dir)),
        ["run", job, input, output] => run(job, Path::new(input), Path::new(output)),
        ["psnr", input, thumbnail] => {
            println!("psnr_db={:.2}", psnr_against_area_reference(Path::new(input), Path::new(thumbnail))?);
            Ok(())
        }
        [] => everything(),
        _ => Err("usage: pipeline_jobs [prepare DIR | run JOB INPUT OUTPUT | psnr INPUT THUMBNAIL]".into()),
    }
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// Writes `4k.jpg` (3840x2160) and `24mp.jpg` (6000x4000) into `dir`: a 3 x 2 mosaic of the
/// test photographs, each enlarged (Lanczos3, centre-cropped) to its tile.
fn prepare(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, width, height) in [("4k.jpg", 3840u32, 2160u32), ("24mp.jpg", 6000, 4000)] {
        let (tile_w, tile_h) = (width / 3, height / 2);
        let mut pixels = vec![0u8; (width * height * 4) as usize];
        for tile in 0..6u32 {
            let bytes = std::fs::read(testdata(PHOTOS[tile as usize % PHOTOS.len()]))?;
            let options = ThumbnailOptions { allow_upscale: true, ..ThumbnailOptions::default() };
            let photo = Image::thumbnail(&bytes, tile_w, tile_h, ThumbnailFit::Cover, &options)?;
            let (x0, y0) = ((tile % 3) * tile_w, (tile / 3) * tile_h);
            for row in 0..tile_h {
                let from = &photo.pixels()[(row * tile_w * 4) as usize..][..(tile_w * 4) as usize];
                let at = (((y0 + row) * width + x0) * 4) as usize;
                pixels[at..at + from.len()].copy_from_slice(from);
            }
        }
        let image = Image::from_rgba8(width, height, pixels)?;
        let jpeg = image.encode_jpeg(&JpegOptions { quality: 90, ..JpegOptions::default() })?;
        std::fs::write(dir.join(name), &jpeg)?;
        println!("wrote {} ({width}x{height}, {} bytes)", dir.join(name).display(), jpeg.len());
    }
    Ok(())
}

/// One job, from the file on disk to the encoded bytes in memory (written once at the end).
fn job(name: &str, input: &Path) -> Result<Vec<u8>> {
    match name {
        "thumbnail" => {
            // 400 px wide: the box's height never limits.
            let thumb = Image::thumbnail_file(input, 400, 32768, ThumbnailFit::Contain, &ThumbnailOptions::default())?;
            Ok(thumb.encode_jpeg(&JpegOptions { quality: 80, ..JpegOptions::default() })?)
        }
        "crop-resize-sharpen" => {
            let image = Image::open_with(input, &DecodeOptions::default())?;
            let (w, h) = (image.width() - 200, image.height() - 200);
            let size = ((f64::from(w) * 0.9).round() as u32, (f64::from(h) * 0.9).round() as u32);
            let resized = image.crop_resize((100, 100, w, h), size, ResizeFilter::Lanczos3)?;
            drop(image);
            let sharpened = resized.unsharpen(0.75, 1.0, 0)?;
            drop(resized);
            Ok(sharpened.encode_jpeg(&JpegOptions { quality: 75, ..JpegOptions::default() })?)
        }
        _ => Err(format!("unknown job '{name}' (thumbnail, crop-resize-sharpen)").into()),
    }
}

/// Peak resident set size of this process in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn run(name: &str, input: &Path, output: &Path) -> Result<()> {
    let mut bytes = job(name, input)?; // warm-up
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        bytes = job(name, input)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    std::fs::write(output, &bytes)?;
    println!(
        "median_ms={:.1} min_ms={:.1} max_ms={:.1} peak_rss_mib={:.1} bytes={}",
        times[RUNS / 2],
        times[0],
        times[RUNS - 1],
        peak_rss_kib() as f64 / 1024.0,
        bytes.len()
    );
    Ok(())
}

/// PSNR (RGB, dB) of `thumbnail` against the full-size decode of `input` reduced to the
/// thumbnail's size by an exact area average: each output pixel is the mean of the source
/// area it covers, fractional pixels weighted by their overlap, in f64.
fn psnr_against_area_reference(input: &Path, thumbnail: &Path) -> Result<f64> {
    let full = image::open(input)?.into_rgb8();
    let thumb = image::open(thumbnail)?.into_rgb8();
    let (sw, sh) = full.dimensions();
    let (tw, th) = thumb.dimensions();
    let weights = |src: u32, dst: u32| -> Vec<Vec<(usize, f64)>> {
        let scale = f64::from(src) / f64::from(dst);
        (0..dst)
            .map(|o| {
                let (start, end) = (f64::from(o) * scale, f64::from(o + 1) * scale);
                let first = start.floor() as usize;
                let last = (end.ceil() as usize).min(src as usize);
                (first..last)
                    .map(|i| {
                        let overlap = (end.min(i as f64 + 1.0) - start.max(i as f64)).max(0.0);
                        (i, overlap / scale)
                    })
                    .collect()
            })
            .collect()
    };
    let (wx, wy) = (weights(sw, tw), weights(sh, th));
    let src = full.as_raw();
    // Horizontal pass: tw x sh.
    let mut horizontal = vec![0f64; tw as usize * sh as usize * 3];
    for y in 0..sh as usize {
        let row = &src[y * sw as usize * 3..][..sw as usize * 3];
        for (x, taps) in wx.iter().enumerate() {
            for c in 0..3 {
                horizontal[(y * tw as usize + x) * 3 + c] =
                    taps.iter().map(|&(i, w)| w * f64::from(row[i * 3 + c])).sum();
            }
        }
    }
    let mut squared_error = 0f64;
    for (y, taps) in wy.iter().enumerate() {
        for x in 0..tw as usize {
            for c in 0..3 {
                let reference: f64 = taps.iter().map(|&(i, w)| w * horizontal[(i * tw as usize + x) * 3 + c]).sum();
                let ours = f64::from(thumb.as_raw()[(y * tw as usize + x) * 3 + c]);
                squared_error += (reference.clamp(0.0, 255.0) - ours).powi(2);
            }
        }
    }
    let mse = squared_error / f64::from(tw * th * 3);
    Ok(10.0 * (255.0f64 * 255.0 / mse).log10())
}

/// Prepares the inputs and runs every job in its own process, then the thumbnails' PSNR.
fn everything() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/pipeline_jobs");
    prepare(&dir)?;
    let exe = std::env::current_exe()?;
    for input in ["4k.jpg", "24mp.jpg"] {
        for name in ["thumbnail", "crop-resize-sharpen"] {
            let output = dir.join(format!("{}-{name}.jpg", input.trim_end_matches(".jpg")));
            let out = Command::new(&exe).arg("run").arg(name).arg(dir.join(input)).arg(&output).output()?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
            }
            let mut line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if name == "thumbnail" {
                let psnr = psnr_against_area_reference(&dir.join(input), &output)?;
                line.push_str(&format!(" psnr_db={psnr:.2}"));
            }
            println!("{input:9} {name:20} {line}");
        }
    }
    // Keep the encoders' default outputs in view for the PNG comparison with libvips.
    let image = Image::open_with(&dir.join("4k.jpg"), &DecodeOptions::default())?;
    let start = Instant::now();
    let png = image.encode(ImageFormat::Png, None)?;
    println!("4k.jpg    png default          ms={:.1} bytes={}", start.elapsed().as_secs_f64() * 1000.0, png.len());
    Ok(())
}
