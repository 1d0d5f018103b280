//! Separable convolution resampling (bilinear and Lanczos3) of RGBA8 buffers.
//!
//! This reproduces `image::imageops::resize` (image 0.25) bit for bit: the same weights, the
//! same `f32` arithmetic in the same summation order, the vertical pass first. It exists because
//! that function reads and writes one pixel at a time through bounds-checked accessors; this
//! version works on whole rows and spreads rows over rayon's threads, which does not change any
//! per-pixel sum. `tests/ops.rs` compares the two on many sizes.

#![forbid(unsafe_code)]

use std::f32::consts::PI;

use rayon::prelude::*;

/// A 1-D filter: its kernel and its support radius in source pixels (before widening).
#[derive(Clone, Copy)]
pub(crate) struct Filter {
    kernel: fn(f32) -> f32,
    support: f32,
}

/// Triangle (tent) kernel, `max(0, 1 - |t|)`, support 1: bilinear interpolation.
pub(crate) const TRIANGLE: Filter = Filter { kernel: triangle, support: 1.0 };

/// Lanczos kernel with three lobes, `sinc(t) * sinc(t / 3)` for `|t| < 3`, support 3.
pub(crate) const LANCZOS3: Filter = Filter { kernel: lanczos3, support: 3.0 };

fn triangle(t: f32) -> f32 {
    if t.abs() < 1.0 { 1.0 - t.abs() } else { 0.0 }
}

fn sinc(t: f32) -> f32 {
    let a = t * PI;
    if t == 0.0 { 1.0 } else { a.sin() / a }
}

fn lanczos3(t: f32) -> f32 {
    if t.abs() < 3.0 { sinc(t) * sinc(t / 3.0) } else { 0.0 }
}

/// The source window and normalised weights of one output index along one axis.
struct Tap {
    first: usize,
    weights: Vec<f32>,
}

/// Taps for every output index of an axis resampled from `src` to `dst` samples.
fn taps(src: u32, dst: u32, filter: Filter) -> Vec<Tap> {
    let ratio = src as f32 / dst as f32;
    // Shrinking widens the kernel so that every source sample contributes.
    let scale = if ratio < 1.0 { 1.0 } else { ratio };
    let reach = filter.support * scale;
    (0..dst)
        .map(|o| {
            let centre = (o as f32 + 0.5) * ratio;
            let left = ((centre - reach).floor() as i64).clamp(0, i64::from(src) - 1);
            let right = ((centre + reach).ceil() as i64).clamp(left + 1, i64::from(src));
            // Kernel coordinates treat a pixel's centre as 0.
            let centre = centre - 0.5;
            let mut weights: Vec<f32> = (left..right).map(|i| (filter.kernel)((i as f32 - centre) / scale)).collect();
            let sum: f32 = weights.iter().fold(0.0, |acc, w| acc + w);
            for w in &mut weights {
                *w /= sum;
            }
            Tap { first: left as usize, weights }
        })
        .collect()
}

/// Resamples an RGBA8 image of `src_width` x `src_height` to `width` x `height` (all non-zero,
/// sizes differing from the source).
pub(crate) fn resample(
    pixels: &[u8],
    src_width: u32,
    src_height: u32,
    width: u32,
    height: u32,
    filter: Filter,
) -> Vec<u8> {
    let src_row = src_width as usize * 4;

    // Vertical pass into f32, unrounded: src_width x height.
    let vertical_taps = taps(src_height, height, filter);
    let mut vertical = vec![0f32; src_row * height as usize];
    vertical.par_chunks_mut(src_row).zip(vertical_taps.par_iter()).for_each(|(row, tap)| {
        for (k, &w) in tap.weights.iter().enumerate() {
            let source = &pixels[(tap.first + k) * src_row..][..src_row];
            for (acc, &sample) in row.iter_mut().zip(source) {
                *acc += f32::from(sample) * w;
            }
        }
    });

    // Horizontal pass, clamped and rounded: width x height.
    let horizontal_taps = taps(src_width, width, filter);
    let out_row = width as usize * 4;
    let mut out = vec![0u8; out_row * height as usize];
    out.par_chunks_mut(out_row).zip(vertical.par_chunks(src_row)).for_each(|(row, source)| {
        for (dst, tap) in row.as_chunks_mut::<4>().0.iter_mut().zip(&horizontal_taps) {
            let mut acc = [0f32; 4];
            for (k, &w) in tap.weights.iter().enumerate() {
                let px = &source[(tap.first + k) * 4..][..4];
                for c in 0..4 {
                    acc[c] += px[c] * w;
                }
            }
            for c in 0..4 {
                // Clamped to 0..=255 first, so the cast is exact.
                dst[c] = acc[c].clamp(0.0, 255.0).round() as u8;
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_normalised_and_windows_stay_inside() {
        for (src, dst) in [(1, 5), (5, 1), (7, 3), (3, 7), (100, 9)] {
            for filter in [TRIANGLE, LANCZOS3] {
                for tap in taps(src, dst, filter) {
                    let sum: f32 = tap.weights.iter().sum();
                    assert!((sum - 1.0).abs() < 1e-5, "{src}->{dst}: {sum}");
                    assert!(tap.first + tap.weights.len() <= src as usize);
                    assert!(!tap.weights.is_empty());
                }
            }
        }
    }

    #[test]
    fn kernels_at_known_points() {
        assert_eq!(triangle(0.0), 1.0);
        assert_eq!(triangle(0.25), 0.75);
        assert_eq!(triangle(-1.0), 0.0);
        assert_eq!(lanczos3(0.0), 1.0);
        assert!(lanczos3(1.0).abs() < 1e-6 && lanczos3(2.0).abs() < 1e-6);
        assert_eq!(lanczos3(3.0), 0.0);
        // sinc(0.5) * sinc(1/6) = (2/pi) * (3/pi) = 6 / pi^2.
        assert!((lanczos3(0.5) - 6.0 / (PI * PI)).abs() < 1e-6);
    }
}
