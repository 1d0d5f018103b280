//! The accuracy yardstick for the blur: a Gaussian in `f64` by direct convolution, written
//! independently of the fast paths it checks (it shares no code with `fir`, `fixed`, `iir` or
//! `simd`), with the rules of `docs/blur.md`: colour premultiplied by alpha, clamp-to-edge
//! borders, the sampled kernel `exp(-x^2 / (2 sigma^2))` truncated at `ceil(6 sigma) + 1` (the
//! mass beyond is < 2e-9) and normalised, rows then columns.
//!
//! It is the one copy that the core's unit tests, `pixbridge-bench` and the bindings' golden
//! tests compare against. It is compiled only for the core's own tests and with the
//! `reference` feature, so the shipped library does not carry it.

use rayon::prelude::*;

/// Gaussian blur of a tightly packed straight-alpha RGBA8 image in `f64`. Returns the unrounded
/// straight-alpha values, four per pixel; a pixel whose alpha would round to 0 gets colour 0
/// (its colour is undefined, and arbitrarily sensitive, there).
///
/// # Panics
///
/// If `pixels.len() != width * height * 4` or `sigma` is not positive.
pub fn gaussian_blur(pixels: &[u8], width: usize, height: usize, sigma: f64) -> Vec<f64> {
    assert_eq!(pixels.len(), width * height * 4, "pixel buffer length for {width} x {height}");
    assert!(sigma > 0.0, "sigma {sigma} must be positive");
    let weights = kernel(sigma);
    let premultiplied: Vec<[f64; 4]> = pixels
        .chunks_exact(4)
        .map(|p| {
            let alpha = f64::from(p[3]);
            let scale = alpha / 255.0;
            [f64::from(p[0]) * scale, f64::from(p[1]) * scale, f64::from(p[2]) * scale, alpha]
        })
        .collect();
    let rows_done = convolve(&premultiplied, &weights, width, height, 1, width);
    let both_done = convolve(&rows_done, &weights, height, width, width, 1);
    both_done
        .into_iter()
        .flat_map(|[r, g, b, a]| {
            // 0.5 is where the alpha rounds to 0, the fast paths' threshold too.
            if a >= 0.5 { [r * 255.0 / a, g * 255.0 / a, b * 255.0 / a, a] } else { [0.0, 0.0, 0.0, a] }
        })
        .collect()
}

/// [`gaussian_blur`]'s values rounded to the nearest 8-bit level, clamped to `0..=255`.
pub fn to_rgba8(values: &[f64]) -> Vec<u8> {
    values.iter().map(|v| v.round().clamp(0.0, 255.0) as u8).collect()
}

/// The sampled, normalised Gaussian from `-radius` to `radius`.
fn kernel(sigma: f64) -> Vec<f64> {
    let radius = (6.0 * sigma).ceil() as i64 + 1;
    let weights: Vec<f64> = (-radius..=radius).map(|x| (-((x * x) as f64) / (2.0 * sigma * sigma)).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.into_iter().map(|w| w / total).collect()
}

/// One separable pass over `lines` lines of `length` pixels, `step` pixels apart along a line
/// and `line_step` pixels apart between lines, clamping positions to the line. Lines run in
/// parallel: the reference of a large image is otherwise slow enough to dominate the tests and
/// the benchmark's accuracy section.
fn convolve(
    src: &[[f64; 4]],
    weights: &[f64],
    length: usize,
    lines: usize,
    step: usize,
    line_step: usize,
) -> Vec<[f64; 4]> {
    let taps = clamped_taps(weights, length);
    let filtered: Vec<Vec<[f64; 4]>> = (0..lines)
        .into_par_iter()
        .map(|line| {
            taps.iter()
                .map(|sources| {
                    let mut acc = [0.0; 4];
                    for &(pos, w) in sources {
                        let px = &src[line * line_step + pos * step];
                        for c in 0..4 {
                            acc[c] += w * px[c];
                        }
                    }
                    acc
                })
                .collect()
        })
        .collect();
    let mut out = vec![[0.0; 4]; src.len()];
    for (line, values) in filtered.into_iter().enumerate() {
        for (i, px) in values.into_iter().enumerate() {
            out[line * line_step + i * step] = px;
        }
    }
    out
}

/// For each position along a line of `length` pixels, the positions its taps read after
/// clamping to the line, with the weights of the taps that land on the same position summed.
/// At large sigma on a short line most taps clamp to the two ends, so this keeps the reference
/// at `length` (not `weights.len()`) multiply-adds per pixel.
fn clamped_taps(weights: &[f64], length: usize) -> Vec<Vec<(usize, f64)>> {
    let radius = (weights.len() / 2) as i64;
    (0..length as i64)
        .map(|i| {
            let mut sources: Vec<(usize, f64)> = Vec::new();
            for (k, &w) in weights.iter().enumerate() {
                let pos = (i + k as i64 - radius).clamp(0, length as i64 - 1) as usize;
                // Consecutive taps read non-decreasing positions: only the last one can repeat.
                match sources.last_mut() {
                    Some((last, sum)) if *last == pos => *sum += w,
                    _ => sources.push((pos, w)),
                }
            }
            sources
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_image_stays_constant() {
        let pixels: Vec<u8> = [10, 200, 30, 255].repeat(7 * 5);
        assert_eq!(to_rgba8(&gaussian_blur(&pixels, 7, 5, 3.0)), pixels);
    }

    #[test]
    fn single_bright_pixel_spreads_as_a_gaussian() {
        // A lone 255 dot in a 41-pixel row: the centre keeps the kernel's peak weight
        // 1 / (sigma * sqrt(2 pi)) of the total, its neighbour exp(-1/8) of that (sigma 2).
        let width = 41;
        let mut pixels = [0, 0, 0, 255].repeat(width);
        pixels[20 * 4] = 255;
        let out = gaussian_blur(&pixels, width, 1, 2.0);
        let peak = 255.0 / (2.0 * (2.0 * std::f64::consts::PI).sqrt());
        assert!((out[20 * 4] - peak).abs() < 1e-6, "{} vs {peak}", out[20 * 4]);
        assert!((out[21 * 4] - peak * (-1.0f64 / 8.0).exp()).abs() < 1e-6);
        assert_eq!(out[20 * 4 + 1], 0.0);
    }

    #[test]
    fn transparent_colour_does_not_bleed() {
        let pixels = [[255, 0, 0, 255], [0, 255, 0, 0]].concat();
        let out = to_rgba8(&gaussian_blur(&pixels, 2, 1, 1.0));
        assert_eq!(out[1], 0, "green leaked into the opaque red pixel");
        assert_eq!(out[5], 0, "green leaked into the half-transparent result");
        assert_eq!(out[4], 255);
    }

    #[test]
    fn columns_are_blurred_like_rows() {
        // A transposed image must give the transposed result: catches a wrong step or
        // line_step in the second pass.
        let (w, h) = (5, 3);
        let pixels: Vec<u8> = (0..w * h).flat_map(|i| [(i * 17) as u8, (i * 5) as u8, 255 - i as u8, 255]).collect();
        let transposed: Vec<u8> =
            (0..w * h).flat_map(|i| (0..4).map(move |c| (i % h * w + i / h) * 4 + c)).map(|j| pixels[j]).collect();
        let a = gaussian_blur(&pixels, w, h, 1.5);
        let b = gaussian_blur(&transposed, h, w, 1.5);
        for y in 0..h {
            for x in 0..w {
                for c in 0..4 {
                    let (u, v) = (a[(y * w + x) * 4 + c], b[(x * h + y) * 4 + c]);
                    assert!((u - v).abs() < 1e-9, "({x}, {y}) channel {c}: {u} vs {v}");
                }
            }
        }
    }
}
