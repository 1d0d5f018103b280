//! Direct separable convolution with a sampled Gaussian kernel, used for small sigma where the
//! kernel is short enough to beat the recursive filter.
//!
//! Each rayon task owns a band of output rows and walks it in tiles of 64 columns. For a tile
//! it filters source rows horizontally into a ring of `2 * radius + 1` tile rows (1 KiB each,
//! so the ring stays in the L1/L2 cache) and sums the ring vertically straight into the 8-bit
//! output. No full-size intermediate image exists; scratch is a few KiB per task.
//!
//! Opaque images are filtered as packed RGB (three lanes per pixel, alpha written as 255), a
//! quarter less work; each colour lane goes through exactly the same operations as in the RGBA
//! layout, so the output bits do not depend on the layout.

use rayon::prelude::*;

use super::simd::{Level, Simd, dispatch, load_premultiplied, prefetch_read, store_straight, to_u8};
use crate::Result;
use crate::control::Progress;
use crate::ops::keep;

/// Kernel radius for `sigma`: a Gaussian holds 4.7e-4 of its mass beyond 3.5 sigma, so the
/// truncated, renormalised kernel moves an 8-bit result by at most 0.12 of a level per pass.
pub(super) fn radius(sigma: f32) -> usize {
    (3.5 * sigma).ceil().max(1.0) as usize
}

/// Sampled Gaussian `exp(-x^2 / (2 sigma^2))` for `x` in `-radius..=radius`, normalised to sum 1
/// (computed in `f64`, so the `f32` weights sum to 1 within rounding, with the platform-independent
/// `exp` of [`super::math`], so the weights are the same bits everywhere).
pub(super) fn kernel(sigma: f32, radius: usize) -> Vec<f32> {
    let sigma = f64::from(sigma);
    let raw: Vec<f64> = (0..=2 * radius)
        .map(|i| {
            let x = i as f64 - radius as f64;
            super::math::exp(-x * x / (2.0 * sigma * sigma))
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|v| (v / sum) as f32).collect()
}

/// Width in pixels of the column tiles a band is processed in: the ring of filtered rows for
/// one tile (`taps * TILE * 16` bytes) then stays in the L1/L2 cache.
const TILE: usize = 64;

/// How many rows ahead the source is prefetched.
const PREFETCH_ROWS: usize = 6;

/// `f32` lanes of one ring row (a whole RGBA tile, a multiple of [`BLOCK`]; an RGB tile uses
/// the first `TILE * 3` lanes, also a multiple of [`BLOCK`]).
const RING_ROW: usize = TILE * 4;

/// Per-task buffers, reused across the bands a task processes.
struct Scratch {
    /// Horizontally filtered tile rows; source row `y` lives in slot `y % taps`.
    ring: Vec<f32>,
    /// One premultiplied source tile row with `radius` clamped pixels on each side.
    padded: Vec<f32>,
    /// Ring slot of each kernel tap for the current output row.
    slots: Vec<usize>,
    /// Vertically filtered samples of one output tile row, before conversion to 8 bits.
    sums: Vec<f32>,
}

/// Blurs `src` (RGBA8, `w * h` pixels, straight alpha) with the direct separable kernel,
/// checking for cancellation after each tile (at most 64 columns of a band).
pub(super) fn blur(level: Level, src: &[u8], w: usize, h: usize, sigma: f32, opaque: bool) -> Result<Vec<u8>> {
    let radius = radius(sigma);
    let kernel = kernel(sigma, radius);
    let taps = kernel.len();
    let row_len = w * 4;
    let mut out = vec![0u8; src.len()];
    // Several bands per thread balance the load; each band re-filters `2 * radius` rows of
    // context, so bands are kept well above that.
    let threads = rayon::current_num_threads().max(1);
    let band_rows = h.div_ceil(threads * 4).max(8 * radius).min(h);
    let progress = Progress::new((w * h) as u64);
    let outcome = out.par_chunks_mut(band_rows * row_len).enumerate().try_for_each_init(
        || Scratch {
            ring: vec![0.0; taps * RING_ROW],
            padded: vec![0.0; (TILE + 2 * radius) * 4],
            slots: vec![0; taps],
            sums: vec![0.0; RING_ROW],
        },
        |scratch, (band, out_band)| {
            let Scratch { ring, padded, slots, sums } = scratch;
            for x0 in (0..w).step_by(TILE) {
                blur_tile(level, src, w, h, x0, band * band_rows, out_band, &kernel, opaque, ring, padded, slots, sums);
                progress.step((TILE.min(w - x0) * out_band.len() / row_len) as u64)?;
            }
            Ok(())
        },
    );
    keep(outcome, out)
}

dispatch!(
    /// Computes the tile of output columns `x0..x0 + TILE` (clipped to the image) of the output
    /// rows `y0..` (as many as `out_band` holds).
    fn blur_tile<S: Simd>(
        simd: S,
        src: &[u8],
        w: usize,
        h: usize,
        x0: usize,
        y0: usize,
        out_band: &mut [u8],
        kernel: &[f32],
        opaque: bool,
        ring: &mut [f32],
        padded: &mut [f32],
        slots: &mut [usize],
        sums: &mut [f32],
    ) {
        let taps = kernel.len();
        let radius = taps / 2;
        let row_len = w * 4;
        let tile_w = TILE.min(w - x0);
        // Opaque images skip the alpha lane.
        let channels = if opaque { 3 } else { 4 };
        let lanes = tile_w * channels;
        // Source pixels the tile's horizontal taps read, before and after clamping to the image.
        let first = x0 as isize - radius as isize;
        let load_start = first.max(0) as usize;
        let load_end = (x0 + tile_w + radius).min(w);
        let left_pad = (load_start as isize - first) as usize;
        let right_pad = x0 + tile_w + radius - load_end;
        // Only the tile's pixels are loaded; the lanes after them hold stale values that are
        // filtered along (whole blocks are cheaper) but never stored.
        let padded = &mut padded[..(TILE + 2 * radius) * channels];
        // Next source row to filter horizontally. The rows of the current window are consecutive
        // (after clamping) and at most `taps` many, so their ring slots never collide.
        let mut next = y0.saturating_sub(radius);
        for (dy, out_row) in out_band.chunks_exact_mut(row_len).enumerate() {
            let y = y0 + dy;
            let last = (y + radius).min(h - 1);
            while next <= last {
                // Rows are a page or more apart, out of reach of the hardware prefetcher.
                if next + PREFETCH_ROWS < h {
                    prefetch_read(&src[(next + PREFETCH_ROWS) * row_len..][load_start * 4..load_end * 4]);
                }
                let row = &src[next * row_len..][..row_len];
                let (left, rest) = padded.split_at_mut(left_pad * channels);
                let (middle, rest) = rest.split_at_mut((load_end - load_start) * channels);
                let right = &mut rest[..right_pad * channels];
                if opaque {
                    load_rgb(&row[load_start * 4..load_end * 4], middle);
                } else {
                    load_premultiplied(&row[load_start * 4..load_end * 4], middle, false);
                }
                let mut first_px = [0f32; 4];
                let mut last_px = [0f32; 4];
                first_px[..channels].copy_from_slice(&middle[..channels]);
                last_px[..channels].copy_from_slice(&middle[middle.len() - channels..]);
                for px in left.chunks_exact_mut(channels) {
                    px.copy_from_slice(&first_px[..channels]);
                }
                for px in right.chunks_exact_mut(channels) {
                    px.copy_from_slice(&last_px[..channels]);
                }
                let slot = next % taps;
                horizontal(simd, padded, kernel, channels, &mut ring[slot * RING_ROW..][..TILE * channels]);
                next += 1;
            }
            for (k, slot) in slots.iter_mut().enumerate() {
                *slot = (y + k).saturating_sub(radius).min(h - 1) % taps;
            }
            let sums = &mut sums[..lanes.next_multiple_of(BLOCK)];
            vertical(simd, ring, slots, kernel, sums);
            let out = &mut out_row[x0 * 4..][..tile_w * 4];
            if opaque {
                store_rgb(&sums[..lanes], out);
            } else {
                store_straight(&sums[..lanes], out, false);
            }
        }
    }
);

/// Converts opaque RGBA8 pixels to packed `f32` RGB samples (alpha dropped).
#[inline(always)]
fn load_rgb(src: &[u8], dst: &mut [f32]) {
    for (d, s) in dst.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
        d[0] = f32::from(s[0]);
        d[1] = f32::from(s[1]);
        d[2] = f32::from(s[2]);
    }
}

/// Converts packed `f32` RGB samples to opaque RGBA8 pixels.
#[inline(always)]
fn store_rgb(src: &[f32], dst: &mut [u8]) {
    for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
        d[0] = to_u8(s[0]);
        d[1] = to_u8(s[1]);
        d[2] = to_u8(s[2]);
        d[3] = 255;
    }
}

/// Lanes (`f32` samples) accumulated together; a multiple of 4 so blocks hold whole pixels.
const BLOCK: usize = 32;

/// Vectors of `S` in a block (at most 8, for four-lane vectors).
const fn vectors<S: Simd>() -> usize {
    BLOCK / S::LANES
}

/// `dst[j] = sum_k kernel[k] * padded[j + channels * k]` for `j` in `0..dst.len()` (a multiple
/// of [`BLOCK`]): each tap is a shifted, contiguous slice. The kernel is symmetric, so mirrored
/// taps are added first and multiplied once.
#[inline(always)]
fn horizontal<S: Simd>(simd: S, padded: &[f32], kernel: &[f32], channels: usize, dst: &mut [f32]) {
    let radius = kernel.len() / 2;
    for (block, out) in dst.chunks_exact_mut(BLOCK).enumerate() {
        let j = block * BLOCK;
        let mut acc = [simd.splat(0.0); 8];
        let centre = simd.splat(kernel[radius]);
        // Each tap's input is sliced once per block, so the loads below need no bounds checks.
        let tap = |k: usize| -> &[f32; BLOCK] { padded[j + channels * k..][..BLOCK].try_into().expect("BLOCK lanes") };
        let middle = tap(radius);
        for (v, acc) in acc.iter_mut().take(vectors::<S>()).enumerate() {
            *acc = simd.mul(centre, simd.load_at(middle, v * S::LANES));
        }
        for m in 1..=radius {
            let weight = simd.splat(kernel[radius + m]);
            let (left, right) = (tap(radius - m), tap(radius + m));
            for (v, acc) in acc.iter_mut().take(vectors::<S>()).enumerate() {
                let pair = simd.add(simd.load_at(left, v * S::LANES), simd.load_at(right, v * S::LANES));
                *acc = simd.mul_add(weight, pair, *acc);
            }
        }
        for (v, acc) in acc.iter().take(vectors::<S>()).enumerate() {
            simd.store(*acc, &mut out[v * S::LANES..]);
        }
    }
}

/// Sums the ring rows selected by `slots` with the kernel weights into `out` (a multiple of
/// [`BLOCK`], at most [`RING_ROW`] lanes).
#[inline(always)]
fn vertical<S: Simd>(simd: S, ring: &[f32], slots: &[usize], kernel: &[f32], out: &mut [f32]) {
    let radius = kernel.len() / 2;
    for (block, out) in out.chunks_exact_mut(BLOCK).enumerate() {
        let j = block * BLOCK;
        let mut acc = [simd.splat(0.0); 8];
        let centre = simd.splat(kernel[radius]);
        // Each ring row's block is sliced once, so the loads below need no bounds checks.
        let row =
            |slot: usize| -> &[f32; BLOCK] { ring[slot * RING_ROW + j..][..BLOCK].try_into().expect("BLOCK lanes") };
        let middle = row(slots[radius]);
        for (v, acc) in acc.iter_mut().take(vectors::<S>()).enumerate() {
            *acc = simd.mul(centre, simd.load_at(middle, v * S::LANES));
        }
        for m in 1..=radius {
            let weight = simd.splat(kernel[radius + m]);
            let (above, below) = (row(slots[radius - m]), row(slots[radius + m]));
            for (v, acc) in acc.iter_mut().take(vectors::<S>()).enumerate() {
                let pair = simd.add(simd.load_at(above, v * S::LANES), simd.load_at(below, v * S::LANES));
                *acc = simd.mul_add(weight, pair, *acc);
            }
        }
        for (v, acc) in acc.iter().take(vectors::<S>()).enumerate() {
            simd.store(*acc, &mut out[v * S::LANES..]);
        }
    }
}
