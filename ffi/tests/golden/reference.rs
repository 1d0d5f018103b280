//! Reference implementations of every Pixbridge operation on plain RGBA8 buffers.
//!
//! They are written for obviousness, not speed, and share no code with `pixbridge-core`:
//! geometry is index arithmetic, filters are direct f64 sums. Each returns an [`Expected`]
//! describing which outputs it accepts, because filters may round differently from the
//! reference by a documented amount while geometry must match exactly.

/// An RGBA8 image: tightly packed, row-major, straight alpha.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgba {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub pixels: Vec<u8>,
}

impl Rgba {
    /// Wraps a buffer, checking its length.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Rgba {
        assert_eq!(pixels.len(), width as usize * height as usize * 4, "pixel buffer length for {width} x {height}");
        Rgba { width, height, pixels }
    }

    /// The four channels of pixel (x, y).
    pub fn at(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2], self.pixels[i + 3]]
    }

    /// A new image whose pixel (x, y) is `pixel(x, y)`.
    pub fn from_fn(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Rgba {
        let mut pixels = Vec::with_capacity(width as usize * height as usize * 4);
        for y in 0..height {
            for x in 0..width {
                pixels.extend_from_slice(&pixel(x, y));
            }
        }
        Rgba::new(width, height, pixels)
    }
}

/// What a reference accepts as the output of one operation.
#[derive(Debug)]
pub enum Expected {
    /// Every channel must lie in `lo[i]..=hi[i]` (equal bounds: exact).
    Within {
        /// Expected size.
        width: u32,
        /// Expected size.
        height: u32,
        /// Lowest accepted value per channel.
        lo: Vec<u8>,
        /// Highest accepted value per channel.
        hi: Vec<u8>,
    },
    /// Filters whose exact weights and rounding are implementation choices (bilinear,
    /// Lanczos, JPEG): the mean absolute channel difference from the reference is bounded,
    /// and so is the largest single difference.
    Close {
        /// The reference result.
        reference: Rgba,
        /// Largest accepted mean absolute difference over all channels.
        max_mean: f64,
        /// Largest accepted difference of any single channel.
        max_abs: u8,
    },
}

impl Expected {
    /// Exactly these pixels.
    pub fn exact(image: Rgba) -> Expected {
        Expected::Within { width: image.width, height: image.height, lo: image.pixels.clone(), hi: image.pixels }
    }

    /// Every channel within `tolerance` of the f64 reference values (rounded).
    pub fn around(width: u32, height: u32, values: &[f64], tolerance: f64) -> Expected {
        let bound = |v: f64| v.round().clamp(0.0, 255.0) as u8;
        Expected::Within {
            width,
            height,
            lo: values.iter().map(|&v| bound(v - tolerance)).collect(),
            hi: values.iter().map(|&v| bound(v + tolerance)).collect(),
        }
    }

    /// Checks an actual output; `Err` describes the first disagreement.
    pub fn check(&self, actual: &Rgba) -> Result<String, String> {
        let (width, height) = match self {
            Expected::Within { width, height, .. } => (*width, *height),
            Expected::Close { reference, .. } => (reference.width, reference.height),
        };
        if (actual.width, actual.height) != (width, height) {
            return Err(format!("size {} x {}, reference says {width} x {height}", actual.width, actual.height));
        }
        match self {
            Expected::Within { lo, hi, .. } => {
                let mut worst = 0u8;
                for (i, &v) in actual.pixels.iter().enumerate() {
                    if v < lo[i] || v > hi[i] {
                        let pixel = i / 4;
                        return Err(format!(
                            "pixel ({}, {}) channel {}: {} not in {}..={} (pixel {:?})",
                            pixel % width as usize,
                            pixel / width as usize,
                            i % 4,
                            v,
                            lo[i],
                            hi[i],
                            &actual.pixels[pixel * 4..pixel * 4 + 4]
                        ));
                    }
                    worst = worst.max(hi[i] - lo[i]);
                }
                Ok(if worst == 0 { "exact".to_string() } else { format!("within reference bounds (widest {worst})") })
            }
            Expected::Close { reference, max_mean, max_abs } => {
                let (mean, max, at) = difference(&reference.pixels, &actual.pixels);
                if mean > *max_mean || max > *max_abs {
                    let pixel = at / 4;
                    return Err(format!(
                        "mean abs diff {mean:.3} (limit {max_mean}), max {max} (limit {max_abs}) at pixel ({}, {}) channel {}",
                        pixel % width as usize,
                        pixel / width as usize,
                        at % 4
                    ));
                }
                Ok(format!("mean abs diff {mean:.3}, max {max}"))
            }
        }
    }
}

/// Mean absolute difference, largest difference and where it is (channel index).
pub fn difference(a: &[u8], b: &[u8]) -> (f64, u8, usize) {
    assert_eq!(a.len(), b.len());
    let mut sum = 0u64;
    let (mut max, mut at) = (0u8, 0usize);
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        let d = x.abs_diff(y);
        sum += u64::from(d);
        if d > max {
            max = d;
            at = i;
        }
    }
    (sum as f64 / a.len().max(1) as f64, max, at)
}

/// Flips left to right: output (x, y) is input (w-1-x, y).
pub fn mirror(src: &Rgba) -> Rgba {
    Rgba::from_fn(src.width, src.height, |x, y| src.at(src.width - 1 - x, y))
}

/// Flips top to bottom: output (x, y) is input (x, h-1-y).
pub fn flip_vertical(src: &Rgba) -> Rgba {
    Rgba::from_fn(src.width, src.height, |x, y| src.at(x, src.height - 1 - y))
}

/// Half turn: output (x, y) is input (w-1-x, h-1-y).
pub fn rotate180(src: &Rgba) -> Rgba {
    Rgba::from_fn(src.width, src.height, |x, y| src.at(src.width - 1 - x, src.height - 1 - y))
}

/// Quarter turn clockwise: the output is h x w and its (x, y) is input (y, h-1-x), so the
/// input's top-left corner ends up top-right.
pub fn rotate90(src: &Rgba) -> Rgba {
    Rgba::from_fn(src.height, src.width, |x, y| src.at(y, src.height - 1 - x))
}

/// Quarter turn counter-clockwise: output (x, y) is input (w-1-y, x), so the input's
/// top-left corner ends up bottom-left.
pub fn rotate270(src: &Rgba) -> Rgba {
    Rgba::from_fn(src.height, src.width, |x, y| src.at(src.width - 1 - y, x))
}

/// The rectangle at (x, y) of the given size; `None` if it is empty or leaves the image.
pub fn crop(src: &Rgba, x: u32, y: u32, width: u32, height: u32) -> Option<Rgba> {
    let inside = u64::from(x) + u64::from(width) <= u64::from(src.width)
        && u64::from(y) + u64::from(height) <= u64::from(src.height);
    if width == 0 || height == 0 || !inside {
        return None;
    }
    Some(Rgba::from_fn(width, height, |i, j| src.at(x + i, y + j)))
}

/// Nearest-neighbour resize with pixel-centre sampling: output column `x` takes input column
/// `floor((x + 0.5) * src_width / width)`, computed in integers as
/// `((2x + 1) * src_width) / (2 * width)`; rows likewise.
pub fn resize_nearest(src: &Rgba, width: u32, height: u32) -> Rgba {
    let pick =
        |i: u32, src_len: u32, len: u32| ((2 * u64::from(i) + 1) * u64::from(src_len) / (2 * u64::from(len))) as u32;
    Rgba::from_fn(width, height, |x, y| src.at(pick(x, src.width, width), pick(y, src.height, height)))
}

/// The two separable resampling kernels, as functions of the distance in source pixels.
#[derive(Clone, Copy, Debug)]
pub enum Kernel {
    /// Triangle, support 1.
    Triangle,
    /// Lanczos with three lobes, support 3.
    Lanczos3,
}

impl Kernel {
    fn support(self) -> f64 {
        match self {
            Kernel::Triangle => 1.0,
            Kernel::Lanczos3 => 3.0,
        }
    }

    fn weight(self, t: f64) -> f64 {
        let t = t.abs();
        match self {
            Kernel::Triangle => (1.0 - t).max(0.0),
            Kernel::Lanczos3 => {
                if t >= 3.0 {
                    0.0
                } else if t < 1e-12 {
                    1.0
                } else {
                    let pt = std::f64::consts::PI * t;
                    3.0 * pt.sin() * (pt / 3.0).sin() / (pt * pt)
                }
            }
        }
    }
}

/// One-dimensional resampling of `len` samples (4 channels each) to `new_len` samples: output
/// `i` is centred on source position `(i + 0.5) * len / new_len - 0.5`, the kernel is widened
/// by the scale factor when shrinking, and taps outside the image are left out (the weights of
/// the remaining taps are renormalised), as `image::imageops::resize` documents.
fn resample_line(line: &dyn Fn(usize) -> [f64; 4], len: usize, new_len: usize, kernel: Kernel) -> Vec<[f64; 4]> {
    let scale = len as f64 / new_len as f64;
    let widen = scale.max(1.0);
    let support = kernel.support() * widen;
    (0..new_len)
        .map(|i| {
            let centre = (i as f64 + 0.5) * scale - 0.5;
            let first = (centre - support).floor() as i64;
            let last = (centre + support).ceil() as i64;
            let mut acc = [0f64; 4];
            let mut total = 0f64;
            for j in first..=last {
                let w = kernel.weight((j as f64 - centre) / widen);
                if w == 0.0 || j < 0 || j >= len as i64 {
                    continue;
                }
                let sample = line(j as usize);
                for c in 0..4 {
                    acc[c] += w * sample[c];
                }
                total += w;
            }
            acc.map(|v| v / total)
        })
        .collect()
}

/// Separable resize with a triangle or Lanczos3 kernel, every channel (alpha too) resampled
/// independently on straight-alpha values in f64, horizontal pass first. Returns the
/// unrounded channel values, clamped to 0..=255.
pub fn resize_filtered_values(src: &Rgba, width: u32, height: u32, kernel: Kernel) -> Vec<f64> {
    let (sw, sh) = (src.width as usize, src.height as usize);
    let (w, h) = (width as usize, height as usize);
    let mut rows = vec![[0f64; 4]; w * sh];
    for y in 0..sh {
        let line = |x: usize| src.at(x as u32, y as u32).map(f64::from);
        for (x, v) in resample_line(&line, sw, w, kernel).into_iter().enumerate() {
            rows[y * w + x] = v;
        }
    }
    let mut out = vec![0f64; w * h * 4];
    for x in 0..w {
        let line = |y: usize| rows[y * w + x];
        for (y, v) in resample_line(&line, sh, h, kernel).into_iter().enumerate() {
            for c in 0..4 {
                out[(y * w + x) * 4 + c] = v[c].clamp(0.0, 255.0);
            }
        }
    }
    out
}

/// Bilinear (triangle) or Lanczos3 resize: each channel within 1 of the f64 reference
/// (the real implementation works in f32 and in the other pass order).
pub fn resize_filtered(src: &Rgba, width: u32, height: u32, kernel: Kernel) -> Expected {
    let values = resize_filtered_values(src, width, height, kernel);
    Expected::around(width, height, &values, 1.0)
}

/// Gaussian blur in f64: kernel `exp(-d^2 / (2 sigma^2))` for `|d| <= ceil(4 sigma)` (at
/// least 1), normalised; separable; clamp-to-edge borders; colour weighted by alpha
/// (premultiplied) and divided by the blurred alpha afterwards (0 where that is 0).
/// Returns unrounded straight-alpha channel values.
pub fn blur_values(src: &Rgba, sigma: f64) -> Vec<f64> {
    let (w, h) = (src.width as usize, src.height as usize);
    let radius = (4.0 * sigma).ceil().max(1.0) as i64;
    let raw: Vec<f64> = (-radius..=radius).map(|d| (-(d * d) as f64 / (2.0 * sigma * sigma)).exp()).collect();
    let sum: f64 = raw.iter().sum();
    let kernel: Vec<f64> = raw.iter().map(|k| k / sum).collect();

    // Premultiplied channels, flat: index (y * w + x) * 4 + c.
    let premultiplied: Vec<f64> = src
        .pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let a = f64::from(p[3]);
            [f64::from(p[0]) * a / 255.0, f64::from(p[1]) * a / 255.0, f64::from(p[2]) * a / 255.0, a]
        })
        .collect();
    // For each position along an axis of length `len`, the clamped source index of every tap.
    let taps = |len: usize| -> Vec<Vec<usize>> {
        (0..len as i64)
            .map(|i| (-radius..=radius).map(|d| (i + d).clamp(0, len as i64 - 1) as usize).collect())
            .collect()
    };
    let (row_taps, column_taps) = (taps(w), taps(h));

    let mut rows = vec![0f64; w * h * 4];
    for y in 0..h {
        for (x, sources) in row_taps.iter().enumerate() {
            let mut acc = [0f64; 4];
            for (&weight, &sx) in kernel.iter().zip(sources) {
                let sample = &premultiplied[(y * w + sx) * 4..][..4];
                for c in 0..4 {
                    acc[c] += weight * sample[c];
                }
            }
            rows[(y * w + x) * 4..][..4].copy_from_slice(&acc);
        }
    }
    let mut out = vec![0f64; w * h * 4];
    for (y, sources) in column_taps.iter().enumerate() {
        for x in 0..w {
            let mut acc = [0f64; 4];
            for (&weight, &sy) in kernel.iter().zip(sources) {
                let sample = &rows[(sy * w + x) * 4..][..4];
                for c in 0..4 {
                    acc[c] += weight * sample[c];
                }
            }
            let [r, g, b, a] = acc;
            let straight = if a > 0.0 { [r * 255.0 / a, g * 255.0 / a, b * 255.0 / a, a] } else { [0.0, 0.0, 0.0, a] };
            out[(y * w + x) * 4..][..4].copy_from_slice(&straight);
        }
    }
    out
}

/// How far a blurred colour channel may be from the f64 reference, given the reference alpha.
///
/// Colour is blurred premultiplied, so an implementation's error in premultiplied units is
/// multiplied by `255 / alpha` when it un-premultiplies. Opaque pixels get 1 level; others a
/// quarter of a premultiplied level on top (`64 / alpha`, e.g. 1.5 at alpha 128, 17 at alpha
/// 4); where the alpha may round to 0 the colour is invisible and anything is accepted.
pub fn blurred_colour_tolerance(alpha: f64) -> f64 {
    if alpha >= 254.5 {
        1.0
    } else if alpha >= 1.5 {
        1.0 + 64.0 / alpha
    } else {
        255.0
    }
}

/// Blur: the f64 reference; alpha within 1 of it, colour within
/// [`blurred_colour_tolerance`].
pub fn blur(src: &Rgba, sigma: f64) -> Expected {
    let values = blur_values(src, sigma);
    let bound = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    let mut lo = Vec::with_capacity(values.len());
    let mut hi = Vec::with_capacity(values.len());
    for pixel in values.chunks_exact(4) {
        let colour_tolerance = blurred_colour_tolerance(pixel[3]);
        for (c, &v) in pixel.iter().enumerate() {
            let tolerance = if c == 3 { 1.0 } else { colour_tolerance };
            lo.push(bound(v - tolerance));
            hi.push(bound(v + tolerance));
        }
    }
    Expected::Within { width: src.width, height: src.height, lo, hi }
}

/// Values within this distance of a rounding boundary accept either neighbour: the
/// reference's f64 arithmetic may land a hair either side of a tie that the real
/// implementation resolves differently.
const TIE: f64 = 1e-6;

/// Rec. 709 luma of an 8-bit RGB triple, `0.2126 R + 0.7152 G + 0.0722 B`, unrounded.
pub fn luma(r: u8, g: u8, b: u8) -> f64 {
    0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)
}

/// Grayscale: R = G = B = the luma rounded to nearest; alpha unchanged.
pub fn grayscale(src: &Rgba) -> Expected {
    let values: Vec<f64> = src
        .pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let l = luma(p[0], p[1], p[2]);
            [l, l, l, f64::from(p[3])]
        })
        .collect();
    Expected::around(src.width, src.height, &values, TIE)
}

/// Brightness: `delta` added to R, G and B, clamped to 0..=255; alpha unchanged. Exact.
pub fn adjust_brightness(src: &Rgba, delta: i32) -> Rgba {
    let mut out = src.clone();
    for p in out.pixels.chunks_exact_mut(4) {
        for c in &mut p[..3] {
            *c = (i32::from(*c) + delta).clamp(0, 255) as u8;
        }
    }
    out
}

/// Contrast by `contrast` percent: each of R, G, B becomes
/// `(v / 255 - 0.5) * ((100 + contrast) / 100)^2 + 0.5`, times 255, rounded and clamped;
/// alpha unchanged.
pub fn adjust_contrast(src: &Rgba, contrast: f64) -> Expected {
    let factor = ((100.0 + contrast) / 100.0).powi(2);
    let values: Vec<f64> = src
        .pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let f = |v: u8| ((f64::from(v) / 255.0 - 0.5) * factor + 0.5) * 255.0;
            [f(p[0]), f(p[1]), f(p[2]), f64::from(p[3])]
        })
        .collect();
    Expected::around(src.width, src.height, &values, TIE)
}

/// Unsharp mask: per R, G, B channel, with `b` the blurred value rounded to an integer,
/// `d = v - b`; where `|d| >= threshold` the value becomes `v + amount * d` (rounded,
/// clamped), elsewhere it stays `v`. Alpha is unchanged. Because the blur may round either
/// way (within [`blurred_colour_tolerance`] of [`blur_values`]), every integer `b` in that
/// range is tried and all their outcomes are accepted.
pub fn unsharpen(src: &Rgba, sigma: f64, amount: f64, threshold: u32) -> Expected {
    let blurred = blur_values(src, sigma);
    let mut lo = Vec::with_capacity(src.pixels.len());
    let mut hi = Vec::with_capacity(src.pixels.len());
    for (i, &v) in src.pixels.iter().enumerate() {
        if i % 4 == 3 {
            lo.push(v);
            hi.push(v);
            continue;
        }
        let tolerance = blurred_colour_tolerance(blurred[i - i % 4 + 3]);
        let lowest = (blurred[i] - tolerance).round().max(0.0) as i32;
        let highest = (blurred[i] + tolerance).round().min(255.0) as i32;
        let outcomes = (lowest..=highest).map(|b| {
            let d = i32::from(v) - b;
            if d.unsigned_abs() >= threshold {
                (f64::from(v) + amount * f64::from(d)).round().clamp(0.0, 255.0) as u8
            } else {
                v
            }
        });
        let (low, high) = outcomes.fold((u8::MAX, u8::MIN), |(l, h), o| (l.min(o), h.max(o)));
        lo.push(low);
        hi.push(high);
    }
    Expected::Within { width: src.width, height: src.height, lo, hi }
}
