//! Direct separable convolution with a sampled Gaussian kernel, used for small sigma where the
//! kernel is short enough to beat the recursive filter.
//!
//! Each rayon task owns a band of output rows. It filters source rows horizontally into a ring
//! of `2 * radius + 1` rows (a few hundred KiB, so it stays in cache) and sums the ring
//! vertically straight into the 8-bit output, so no full-size intermediate image exists.

use rayon::prelude::*;

use super::simd::{Level, dispatch, load_premultiplied, madd, store_straight};

/// Kernel radius for `sigma`: a Gaussian holds 6.3e-5 of its mass beyond 4 sigma, which moves
/// an 8-bit result by at most 0.02 of a level.
pub(super) fn radius(sigma: f32) -> usize {
    (4.0 * sigma).ceil().max(1.0) as usize
}

/// Sampled Gaussian `exp(-x^2 / (2 sigma^2))` for `x` in `-radius..=radius`, normalised to sum 1
/// (computed in `f64`, so the `f32` weights sum to 1 within rounding).
pub(super) fn kernel(sigma: f32, radius: usize) -> Vec<f32> {
    let sigma = f64::from(sigma);
    let raw: Vec<f64> = (0..=2 * radius)
        .map(|i| {
            let x = i as f64 - radius as f64;
            (-x * x / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|v| (v / sum) as f32).collect()
}

/// Per-task buffers, reused across the bands a task processes.
struct Scratch {
    /// Horizontally filtered rows; source row `y` lives in slot `y % (2 * radius + 1)`.
    ring: Vec<f32>,
    /// One premultiplied source row with `radius` repeated edge pixels on each side.
    padded: Vec<f32>,
    /// Ring slot of each kernel tap for the current output row.
    slots: Vec<usize>,
}

/// Blurs `src` (RGBA8, `w * h` pixels, straight alpha) with the direct separable kernel.
pub(super) fn blur(
    level: Level,
    src: &[u8],
    w: usize,
    h: usize,
    sigma: f32,
    opaque: bool,
) -> Vec<u8> {
    let radius = radius(sigma);
    let kernel = kernel(sigma, radius);
    let taps = kernel.len();
    let row_len = w * 4;
    let mut out = vec![0u8; src.len()];
    // Several bands per thread balance the load; each band re-filters `2 * radius` rows of
    // context, so bands are kept well above that.
    let threads = rayon::current_num_threads().max(1);
    let band_rows = h.div_ceil(threads * 4).max(8 * radius).min(h);
    out.par_chunks_mut(band_rows * row_len)
        .enumerate()
        .for_each_init(
            || Scratch {
                ring: vec![0.0; taps * row_len],
                padded: vec![0.0; (w + 2 * radius) * 4],
                slots: vec![0; taps],
            },
            |scratch, (band, out_band)| {
                let Scratch {
                    ring,
                    padded,
                    slots,
                } = scratch;
                blur_band(
                    level,
                    src,
                    w,
                    h,
                    band * band_rows,
                    out_band,
                    &kernel,
                    opaque,
                    ring,
                    padded,
                    slots,
                );
            },
        );
    out
}

dispatch! {
    /// Computes output rows `y0..` (as many as `out_band` holds).
    fn blur_band => blur_band_impl(
        src: &[u8],
        w: usize,
        h: usize,
        y0: usize,
        out_band: &mut [u8],
        kernel: &[f32],
        opaque: bool,
        ring: &mut [f32],
        padded: &mut [f32],
        slots: &mut [usize],
    )
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blur_band_impl<const FMA: bool>(
    src: &[u8],
    w: usize,
    h: usize,
    y0: usize,
    out_band: &mut [u8],
    kernel: &[f32],
    opaque: bool,
    ring: &mut [f32],
    padded: &mut [f32],
    slots: &mut [usize],
) {
    let taps = kernel.len();
    let radius = taps / 2;
    let row_len = w * 4;
    // Next source row to filter horizontally. The rows of the current window are consecutive
    // (after clamping) and at most `taps` many, so their ring slots never collide.
    let mut next = y0.saturating_sub(radius);
    for (dy, out_row) in out_band.chunks_exact_mut(row_len).enumerate() {
        let y = y0 + dy;
        let last = (y + radius).min(h - 1);
        while next <= last {
            let slot = next % taps;
            horizontal_row::<FMA>(
                &src[next * row_len..][..row_len],
                &mut ring[slot * row_len..][..row_len],
                padded,
                kernel,
                opaque,
            );
            next += 1;
        }
        for (k, slot) in slots.iter_mut().enumerate() {
            *slot = (y + k).saturating_sub(radius).min(h - 1) % taps;
        }
        vertical_row::<FMA>(ring, row_len, slots, kernel, out_row, opaque);
    }
}

/// Lanes (`f32` samples) accumulated together; a multiple of 4 so blocks hold whole pixels.
const BLOCK: usize = 32;

/// Filters one source row horizontally into `dst` (premultiplied `f32` samples).
#[inline(always)]
fn horizontal_row<const FMA: bool>(
    src: &[u8],
    dst: &mut [f32],
    padded: &mut [f32],
    kernel: &[f32],
    opaque: bool,
) {
    let radius = kernel.len() / 2;
    let w = src.len() / 4;
    let (left, rest) = padded.split_at_mut(radius * 4);
    let (middle, right) = rest.split_at_mut(w * 4);
    load_premultiplied(src, middle, opaque);
    let first: [f32; 4] = middle[..4].try_into().expect("row has a pixel");
    let last: [f32; 4] = middle[w * 4 - 4..].try_into().expect("row has a pixel");
    for px in left.chunks_exact_mut(4) {
        px.copy_from_slice(&first);
    }
    for px in right.chunks_exact_mut(4) {
        px.copy_from_slice(&last);
    }

    // dst[j] = sum_k kernel[k] * padded[j + 4k]: each tap is a shifted, contiguous slice.
    let full = dst.len() / BLOCK * BLOCK;
    let (body, tail) = dst.split_at_mut(full);
    for (block, out) in body.chunks_exact_mut(BLOCK).enumerate() {
        let j = block * BLOCK;
        let mut acc = [0f32; BLOCK];
        for (k, &weight) in kernel.iter().enumerate() {
            let input: &[f32; BLOCK] = padded[j + 4 * k..][..BLOCK].try_into().expect("in range");
            for (a, &x) in acc.iter_mut().zip(input) {
                *a = madd::<FMA>(weight, x, *a);
            }
        }
        out.copy_from_slice(&acc);
    }
    for (i, out) in tail.iter_mut().enumerate() {
        let j = full + i;
        *out = kernel.iter().enumerate().fold(0.0, |a, (k, &weight)| {
            madd::<FMA>(weight, padded[j + 4 * k], a)
        });
    }
}

/// Sums the ring rows selected by `slots` with the kernel weights and writes 8-bit pixels.
#[inline(always)]
fn vertical_row<const FMA: bool>(
    ring: &[f32],
    row_len: usize,
    slots: &[usize],
    kernel: &[f32],
    out: &mut [u8],
    opaque: bool,
) {
    let mut j = 0;
    while j < row_len {
        let lanes = BLOCK.min(row_len - j);
        let mut acc = [0f32; BLOCK];
        if lanes == BLOCK {
            for (&slot, &weight) in slots.iter().zip(kernel) {
                let input: &[f32; BLOCK] = ring[slot * row_len + j..][..BLOCK]
                    .try_into()
                    .expect("in range");
                for (a, &x) in acc.iter_mut().zip(input) {
                    *a = madd::<FMA>(weight, x, *a);
                }
            }
        } else {
            for (&slot, &weight) in slots.iter().zip(kernel) {
                let input = &ring[slot * row_len + j..][..lanes];
                for (a, &x) in acc.iter_mut().zip(input) {
                    *a = madd::<FMA>(weight, x, *a);
                }
            }
        }
        store_straight(&acc[..lanes], &mut out[j..j + lanes], opaque);
        j += lanes;
    }
}
