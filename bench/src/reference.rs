//! The accuracy yardstick: a Gaussian blur in `f64`, written independently of every method
//! measured, with the rules of docs/blur.md (premultiplied alpha, clamp-to-edge borders, sampled
//! kernel truncated at `ceil(6 sigma) + 1` and normalised, rounding to the nearest level).

use rayon::prelude::*;

/// The sampled, normalised Gaussian from `-radius` to `radius`.
fn kernel(sigma: f64) -> Vec<f64> {
    let radius = (6.0 * sigma).ceil() as i64 + 1;
    let weights: Vec<f64> = (-radius..=radius).map(|x| (-((x * x) as f64) / (2.0 * sigma * sigma)).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.into_iter().map(|w| w / total).collect()
}

/// One separable pass over `lines` lines of `length` pixels, `step` pixels apart along a line
/// and `line_step` pixels apart between lines, clamping positions to the line.
fn convolve(
    src: &[[f64; 4]],
    weights: &[f64],
    length: usize,
    lines: usize,
    step: usize,
    line_step: usize,
) -> Vec<[f64; 4]> {
    let radius = (weights.len() / 2) as i64;
    let mut out = vec![[0.0; 4]; src.len()];
    let rows: Vec<(usize, Vec<[f64; 4]>)> = (0..lines)
        .into_par_iter()
        .map(|line| {
            let filtered = (0..length as i64)
                .map(|i| {
                    let mut acc = [0.0; 4];
                    for (k, w) in weights.iter().enumerate() {
                        let pos = (i + k as i64 - radius).clamp(0, length as i64 - 1) as usize;
                        let px = &src[line * line_step + pos * step];
                        for c in 0..4 {
                            acc[c] += w * px[c];
                        }
                    }
                    acc
                })
                .collect();
            (line, filtered)
        })
        .collect();
    for (line, filtered) in rows {
        for (i, px) in filtered.into_iter().enumerate() {
            out[line * line_step + i * step] = px;
        }
    }
    out
}

/// The reference blur of a tightly packed RGBA8 image.
pub fn gaussian_blur_reference(pixels: &[u8], width: usize, height: usize, sigma: f64) -> Vec<u8> {
    let weights = kernel(sigma);
    let premultiplied: Vec<[f64; 4]> = pixels
        .chunks_exact(4)
        .map(|p| {
            let alpha = f64::from(p[3]) / 255.0;
            [f64::from(p[0]) * alpha, f64::from(p[1]) * alpha, f64::from(p[2]) * alpha, f64::from(p[3])]
        })
        .collect();
    let rows_done = convolve(&premultiplied, &weights, width, height, 1, width);
    let both_done = convolve(&rows_done, &weights, height, width, width, 1);
    let mut out = Vec::with_capacity(pixels.len());
    for px in both_done {
        let alpha = px[3].round().clamp(0.0, 255.0);
        if alpha == 0.0 {
            out.extend_from_slice(&[0, 0, 0, 0]);
            continue;
        }
        for value in &px[..3] {
            out.push((value * 255.0 / px[3]).round().clamp(0.0, 255.0) as u8);
        }
        out.push(alpha as u8);
    }
    out
}

/// Largest absolute difference between two equally long 8-bit buffers.
pub fn max_abs_error(a: &[u8], b: &[u8]) -> u8 {
    a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_image_stays_constant() {
        let pixels: Vec<u8> = [10, 200, 30, 255].repeat(7 * 5);
        assert_eq!(gaussian_blur_reference(&pixels, 7, 5, 3.0), pixels);
    }

    #[test]
    fn single_bright_pixel_spreads_as_a_gaussian() {
        // A lone 255 dot in a 41-pixel row: the centre keeps the kernel's peak weight
        // 1 / (sigma * sqrt(2 pi)) of the total, its neighbour exp(-1/2) of that.
        let width = 41;
        let mut pixels = [0, 0, 0, 255].repeat(width);
        pixels[20 * 4] = 255;
        let out = gaussian_blur_reference(&pixels, width, 1, 2.0);
        let peak = 255.0 / (2.0 * (2.0 * std::f64::consts::PI).sqrt());
        assert_eq!(f64::from(out[20 * 4]), peak.round());
        assert_eq!(f64::from(out[21 * 4]), (peak * (-1.0f64 / 8.0).exp()).round());
        assert_eq!(out[20 * 4 + 1], 0);
    }

    #[test]
    fn transparent_colour_does_not_bleed() {
        let pixels = [[255, 0, 0, 255], [0, 255, 0, 0]].concat();
        let out = gaussian_blur_reference(&pixels, 2, 1, 1.0);
        assert_eq!(out[1], 0, "green leaked into the opaque red pixel");
        assert_eq!(out[5], 0, "green leaked into the half-transparent result");
        assert_eq!(out[4], 255);
    }
}
