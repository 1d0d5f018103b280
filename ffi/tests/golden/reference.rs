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
    /// A JPEG round trip with 4:2:0 chroma: the mean absolute channel difference from the
    /// reference is bounded, and so is the largest difference of a pixel's luma (JPEG's
    /// `Y = 0.299 R + 0.587 G + 0.114 B`), which JPEG keeps at full resolution; single RGB
    /// channels are not bounded one by one (see `encode_decode_reference`).
    Lossy {
        /// The reference result.
        reference: Rgba,
        /// Largest accepted mean absolute difference over all channels.
        max_mean: f64,
        /// Largest accepted luma difference of any pixel.
        max_luma: f64,
    },
    /// Filters with premultiplied alpha: per pixel, the alpha within `max_alpha` of the
    /// reference's, each colour times `alpha / 255` (the actual alpha) within `max_colour` of
    /// the reference's premultiplied colour, and colour 0 where the alpha is 0.
    Premultiplied {
        /// Expected size.
        width: u32,
        /// Expected size.
        height: u32,
        /// Unrounded premultiplied RGBA per pixel.
        reference: Vec<[f64; 4]>,
        /// Largest accepted alpha difference.
        max_alpha: f64,
        /// Largest accepted premultiplied colour difference.
        max_colour: f64,
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
            Expected::Within { width, height, .. } | Expected::Premultiplied { width, height, .. } => (*width, *height),
            Expected::Close { reference, .. } | Expected::Lossy { reference, .. } => {
                (reference.width, reference.height)
            }
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
            Expected::Lossy { reference, max_mean, max_luma } => {
                let (mean, max, _) = difference(&reference.pixels, &actual.pixels);
                let (mut worst, mut at) = (0f64, 0usize);
                for (i, (r, a)) in reference.pixels.chunks_exact(4).zip(actual.pixels.chunks_exact(4)).enumerate() {
                    let d = (jpeg_luma(r) - jpeg_luma(a)).abs();
                    if d > worst {
                        (worst, at) = (d, i);
                    }
                }
                if mean > *max_mean || worst > *max_luma {
                    return Err(format!(
                        "mean abs diff {mean:.3} (limit {max_mean}), max luma diff {worst:.1} (limit {max_luma}) \
                         at pixel ({}, {})",
                        at % width as usize,
                        at / width as usize
                    ));
                }
                Ok(format!("mean abs diff {mean:.3}, max luma diff {worst:.1}, max channel diff {max}"))
            }
            Expected::Premultiplied { reference, max_alpha, max_colour, .. } => {
                let (mut worst_alpha, mut worst_colour) = (0f64, 0f64);
                for (i, (p, r)) in actual.pixels.chunks_exact(4).zip(reference).enumerate() {
                    let a = f64::from(p[3]);
                    let alpha_error = (a - r[3]).abs();
                    let colour_error = (0..3).map(|c| (f64::from(p[c]) * a / 255.0 - r[c]).abs()).fold(0.0, f64::max);
                    worst_alpha = worst_alpha.max(alpha_error);
                    worst_colour = worst_colour.max(colour_error);
                    let hidden_colour = p[3] == 0 && p[..3] != [0, 0, 0];
                    // 1e-9: the reference's f64 sums land a hair off exact values (255 for opaque).
                    if alpha_error > max_alpha + 1e-9 || colour_error > max_colour + 1e-9 || hidden_colour {
                        return Err(format!(
                            "pixel ({}, {}): {p:?}, reference premultiplied {:.2?}: alpha off by {alpha_error:.2} \
                             (limit {max_alpha}), premultiplied colour by {colour_error:.2} (limit {max_colour}){}",
                            i % width as usize,
                            i / width as usize,
                            r,
                            if hidden_colour { ", colour not 0 at alpha 0" } else { "" }
                        ));
                    }
                }
                Ok(format!("premultiplied: alpha off by {worst_alpha:.2}, colour by {worst_colour:.2}"))
            }
        }
    }
}

/// JPEG's (JFIF) luma of an RGBA pixel, unrounded.
pub fn jpeg_luma(p: &[u8]) -> f64 {
    0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
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

/// One-dimensional resampling of `len` samples (4 channels each) to `new_len` samples, as
/// `Image::resize` documents it: with `ratio = len / new_len` and `scale = max(ratio, 1)`,
/// output `i` is centred on source position `(i + 0.5) * ratio`, and source sample `j`
/// (centre `j + 0.5`) gets weight `kernel((j + 0.5 - centre) / scale)`; taps outside the image
/// are left out and the remaining weights renormalised to sum 1.
fn resample_line(line: &dyn Fn(usize) -> [f64; 4], len: usize, new_len: usize, kernel: Kernel) -> Vec<[f64; 4]> {
    let ratio = len as f64 / new_len as f64;
    let scale = ratio.max(1.0);
    let support = kernel.support() * scale;
    (0..new_len)
        .map(|i| {
            let centre = (i as f64 + 0.5) * ratio;
            let first = (centre - support).floor() as i64 - 1;
            let last = (centre + support).ceil() as i64 + 1;
            let mut acc = [0f64; 4];
            let mut total = 0f64;
            for j in first.max(0)..=last.min(len as i64 - 1) {
                let w = kernel.weight((j as f64 + 0.5 - centre) / scale);
                if w == 0.0 {
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

/// Separable resize with a triangle or Lanczos3 kernel and premultiplied alpha, in f64, as
/// `Image::resize` documents it: colours multiplied by `alpha / 255`, all four channels
/// filtered, the vertical pass first and its result clamped to 0..=255 (the documented 8-bit
/// intermediate cuts Lanczos overshoot there; the rounding to 8 bits is left to the
/// tolerance), then the horizontal pass. Returns unrounded premultiplied RGBA per pixel, alpha
/// clamped to 0..=255 and colour to 0..=alpha (what an 8-bit straight-alpha result can express).
pub fn resize_filtered_values(src: &Rgba, width: u32, height: u32, kernel: Kernel) -> Vec<[f64; 4]> {
    let (sw, sh) = (src.width as usize, src.height as usize);
    let (w, h) = (width as usize, height as usize);
    let premultiplied: Vec<[f64; 4]> = src
        .pixels
        .chunks_exact(4)
        .map(|p| {
            let a = f64::from(p[3]);
            [f64::from(p[0]) * a / 255.0, f64::from(p[1]) * a / 255.0, f64::from(p[2]) * a / 255.0, a]
        })
        .collect();
    // Vertical pass: sw x h.
    let mut columns = vec![[0f64; 4]; sw * h];
    for x in 0..sw {
        let line = |y: usize| premultiplied[y * sw + x];
        for (y, v) in resample_line(&line, sh, h, kernel).into_iter().enumerate() {
            columns[y * sw + x] = v.map(|c| c.clamp(0.0, 255.0));
        }
    }
    let mut out = vec![[0f64; 4]; w * h];
    for y in 0..h {
        let line = |x: usize| columns[y * sw + x];
        for (x, [r, g, b, a]) in resample_line(&line, sw, w, kernel).into_iter().enumerate() {
            let a = a.clamp(0.0, 255.0);
            out[y * w + x] = [r.clamp(0.0, a), g.clamp(0.0, a), b.clamp(0.0, a), a];
        }
    }
    out
}

/// Bilinear (triangle) or Lanczos3 resize, checked against [`resize_filtered_values`].
///
/// The bounds follow from what `Image::resize` documents: fixed-point weights and the 8-bit
/// intermediate between the passes. The intermediate rounds to within 0.5 of the exact value
/// (a hair more with fixed-point weights), and the second pass multiplies that by at most the
/// sum of its |weights| (1 for the triangle, about 1.3 for Lanczos3): about 0.7; the final
/// rounding adds 0.5. So every channel of an opaque source (no premultiplication: alpha stays
/// exactly 255) is within 2 levels of the reference, as the core's own test of the filter
/// allows. With transparency, alpha is within 2 levels; colour, compared premultiplied
/// (`colour * alpha / 255`), also carries the rounding of the 8-bit premultiplied source (0.5,
/// times up to 1.3 through the weights) and of the division by alpha (0.5): within 3 levels,
/// again the core's own bound. A fully transparent result pixel must have colour 0. (Straight-
/// alpha filtering or a wrong kernel miss these by tens of levels.) The same size is an exact
/// copy.
pub fn resize_filtered(src: &Rgba, width: u32, height: u32, kernel: Kernel) -> Expected {
    if (width, height) == (src.width, src.height) {
        return Expected::exact(src.clone());
    }
    let opaque = src.pixels.chunks_exact(4).all(|p| p[3] == 255);
    let (max_alpha, max_colour) = if opaque { (0.0, 2.0) } else { (2.0, 3.0) };
    Expected::Premultiplied {
        width,
        height,
        reference: resize_filtered_values(src, width, height, kernel),
        max_alpha,
        max_colour,
    }
}

/// Gaussian blur in f64: the shared reference of the core (`pixbridge_core::blur::reference`,
/// enabled by its `reference` feature; rules in `docs/blur.md`: premultiplied colour,
/// clamp-to-edge borders, kernel truncated at `ceil(6 sigma) + 1`). Returns unrounded
/// straight-alpha channel values; colour 0 where the alpha would round to 0.
pub fn blur_values(src: &Rgba, sigma: f64) -> Vec<f64> {
    pixbridge_core::blur::reference::gaussian_blur(&src.pixels, src.width as usize, src.height as usize, sigma)
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

/// Gamma correction: R, G, B become `255 * (v / 255)^(1 / gamma)`; alpha unchanged.
pub fn gamma(src: &Rgba, gamma: f64) -> Expected {
    let values: Vec<f64> = src
        .pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let f = |v: u8| 255.0 * (f64::from(v) / 255.0).powf(1.0 / gamma);
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
