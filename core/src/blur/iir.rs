//! Deriche's 4th-order recursive Gaussian, used for every sigma above the direct kernel's range.
//! Its cost per pixel does not depend on sigma.
//!
//! Deriche fits the Gaussian `exp(-x^2 / 2)` for `x >= 0` with two damped complex exponentials,
//! `h(x) = sum_j Re(A_j exp((-b_j + i w_j) x))`, so the sampled kernel `h(|n| / sigma)` is
//! `sum_j Re(A_j p_j^|n|)` with complex poles `p_j = exp((-b_j + i w_j) / sigma)`. Each term is
//! a complex first-order recursion, run forwards for `n >= 0` (the causal half, centre tap
//! included) and backwards for `n >= 1` (the anticausal half); the output is the sum of both.
//! Keeping the poles as first-order complex recursions (instead of expanding them into one
//! 4th-order real polynomial) keeps `f32` accurate for large sigma, where the poles approach 1.
//!
//! Borders are clamp-to-edge, that is, the signal is constant beyond each end, so both halves
//! start exactly in their steady state for that constant: no boundary approximation is needed.
//!
//! Fit error: the normalised kernel differs from the normalised sampled Gaussian by at most
//! 0.07 of an 8-bit level (half its L1 distance times 255) for any sigma >= 0.5, per pass.
//!
//! Vertical pass first: column strips of 16 pixels (64 lanes, one cache line per row) are read
//! from the source, filtered, and stored as a 12-bit intermediate: the top 8 bits in the output
//! buffer and the low 4 bits in a half-size nibble buffer. The horizontal pass then filters
//! groups of 4 rows (16 lanes) and overwrites the output rows with the final pixels. Extra
//! memory is therefore half the image plus a few small per-task buffers.

use rayon::prelude::*;

use super::math;
use super::simd::{
    Level, Simd, clamp_level, dispatch, load_premultiplied, prefetch_read, round_to_bits, store_straight,
};
use crate::Result;
use crate::control::{self, Progress};
use crate::ops::keep;

/// Deriche's coefficients `(a, a', b, w)` for `Re((a - i a') exp((-b + i w) x))`.
const DERICHE: [(f64, f64, f64, f64); 2] = [(1.680, 3.735, 1.783, 0.6318), (-0.6803, -0.2598, 1.723, 1.997)];

/// Lanes of the vertical pass: 16 RGBA pixels.
const COLUMN_LANES: usize = 64;
/// How many rows ahead the vertical pass prefetches the source.
const PREFETCH_ROWS: usize = 8;
/// Rows filtered together by the horizontal pass (`filter_rows` names the four rows).
const ROW_GROUP: usize = 4;
/// Lanes of the horizontal pass: one RGBA pixel of each row of a group.
const ROW_LANES: usize = 4 * ROW_GROUP;

/// Recursion coefficients for one sigma, as `f32` real and imaginary parts per term `j`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Coefficients {
    pole_re: [f32; 2],
    pole_im: [f32; 2],
    /// Input weight `A_j`, divided by the kernel sum so the filter has unit gain.
    gain_re: [f32; 2],
    gain_im: [f32; 2],
    /// Causal state before the first sample for a constant input of 1: `A / (1 - p)`.
    causal_start_re: [f32; 2],
    causal_start_im: [f32; 2],
    /// Anticausal state at the last sample for a constant input of 1: `A p / (1 - p)`.
    anticausal_start_re: [f32; 2],
    anticausal_start_im: [f32; 2],
}

/// Minimal complex arithmetic in `f64` for computing the coefficients.
#[derive(Clone, Copy)]
struct Complex {
    re: f64,
    im: f64,
}

impl Complex {
    fn mul(self, o: Complex) -> Complex {
        Complex { re: self.re * o.re - self.im * o.im, im: self.re * o.im + self.im * o.re }
    }
    fn div(self, o: Complex) -> Complex {
        let d = o.re * o.re + o.im * o.im;
        Complex { re: (self.re * o.re + self.im * o.im) / d, im: (self.im * o.re - self.re * o.im) / d }
    }
    fn scale(self, s: f64) -> Complex {
        Complex { re: self.re * s, im: self.im * s }
    }
    /// Rounds both parts to `f32` (and back), so later `f64` maths matches what `f32` runs.
    fn rounded(self) -> Complex {
        Complex { re: f64::from(self.re as f32), im: f64::from(self.im as f32) }
    }
}

impl Coefficients {
    /// Coefficients for `sigma` (in pixels, > 0).
    pub(super) fn new(sigma: f32) -> Coefficients {
        let sigma = f64::from(sigma);
        let one = Complex { re: 1.0, im: 0.0 };
        let poles = DERICHE.map(|(_, _, b, w)| {
            // Platform-independent `exp` / `sin` / `cos`, so the poles are the same bits everywhere.
            let r = math::exp(-b / sigma);
            let (sin, cos) = math::sin_cos(w / sigma);
            Complex { re: r * cos, im: r * sin }.rounded()
        });
        let weights = DERICHE.map(|(a, a2, _, _)| Complex { re: a, im: -a2 });
        // Sum over all n of h(|n|) = 2 * sum_{n >= 0} A p^n - A, per term.
        let kernel_sum: f64 = weights
            .iter()
            .zip(&poles)
            .map(|(&a, &p)| {
                let series = a.div(Complex { re: 1.0 - p.re, im: -p.im });
                2.0 * series.re - a.re
            })
            .sum();
        let gains = weights.map(|a| a.scale(1.0 / kernel_sum).rounded());
        let mut c = Coefficients {
            pole_re: [0.0; 2],
            pole_im: [0.0; 2],
            gain_re: [0.0; 2],
            gain_im: [0.0; 2],
            causal_start_re: [0.0; 2],
            causal_start_im: [0.0; 2],
            anticausal_start_re: [0.0; 2],
            anticausal_start_im: [0.0; 2],
        };
        for j in 0..2 {
            let (p, a) = (poles[j], gains[j]);
            let one_minus_p = Complex { re: one.re - p.re, im: -p.im };
            let causal = a.div(one_minus_p);
            let anticausal = a.mul(p).div(one_minus_p);
            c.pole_re[j] = p.re as f32;
            c.pole_im[j] = p.im as f32;
            c.gain_re[j] = a.re as f32;
            c.gain_im[j] = a.im as f32;
            c.causal_start_re[j] = causal.re as f32;
            c.causal_start_im[j] = causal.im as f32;
            c.anticausal_start_re[j] = anticausal.re as f32;
            c.anticausal_start_im[j] = anticausal.im as f32;
        }
        c
    }
}

/// Filters `input` (samples of `lanes` independent lanes each, laid out `[n][lanes]`, with
/// `lanes` a multiple of `2 * S::LANES`) and writes the result to `output` (same layout).
#[inline(always)]
fn filter<S: Simd>(simd: S, c: &Coefficients, lanes: usize, input: &[f32], output: &mut [f32]) {
    let n = input.len() / lanes;
    debug_assert!(n > 0 && output.len() == input.len() && lanes.is_multiple_of(2 * S::LANES));
    let splat2 = |v: [f32; 2]| [simd.splat(v[0]), simd.splat(v[1])];
    let (pole_re, pole_im) = (splat2(c.pole_re), splat2(c.pole_im));
    let neg_pole_im = splat2([-c.pole_im[0], -c.pole_im[1]]);
    let (gain_re, gain_im) = (splat2(c.gain_re), splat2(c.gain_im));
    // Two vectors at a time: with two terms that is four independent recursions per step,
    // enough to hide the latency of the multiply-adds.
    for chunk in (0..lanes).step_by(2 * S::LANES) {
        let at = |row: usize, v: usize| row * lanes + chunk + v * S::LANES;
        // Causal half: s[n] = A x[n] + p s[n-1], from the steady state for a constant x[0].
        let mut s_re = [[simd.splat(0.0); 2]; 2];
        let mut s_im = [[simd.splat(0.0); 2]; 2];
        for v in 0..2 {
            let x = simd.load_at(input, at(0, v));
            for j in 0..2 {
                s_re[j][v] = simd.mul(simd.splat(c.causal_start_re[j]), x);
                s_im[j][v] = simd.mul(simd.splat(c.causal_start_im[j]), x);
            }
        }
        // Each row's pair of vectors is sliced once, so the loads below need no bounds checks.
        let width = 2 * S::LANES;
        for (x_row, y_row) in input.chunks_exact(lanes).zip(output.chunks_exact_mut(lanes)) {
            let (x_pair, y_pair) = (&x_row[chunk..chunk + width], &mut y_row[chunk..chunk + width]);
            for v in 0..2 {
                let x = simd.load_at(x_pair, v * S::LANES);
                for j in 0..2 {
                    let (r, i) = (s_re[j][v], s_im[j][v]);
                    let ax_re = simd.mul(gain_re[j], x);
                    let ax_im = simd.mul(gain_im[j], x);
                    s_re[j][v] = simd.mul_add(pole_re[j], r, simd.mul_add(neg_pole_im[j], i, ax_re));
                    s_im[j][v] = simd.mul_add(pole_re[j], i, simd.mul_add(pole_im[j], r, ax_im));
                }
                simd.store(simd.add(s_re[0][v], s_re[1][v]), &mut y_pair[v * S::LANES..]);
            }
        }
        // Anticausal half: t[n] = p (A x[n+1] + t[n+1]), from the steady state for x[n-1].
        for v in 0..2 {
            let x = simd.load_at(input, at(n - 1, v));
            for j in 0..2 {
                s_re[j][v] = simd.mul(simd.splat(c.anticausal_start_re[j]), x);
                s_im[j][v] = simd.mul(simd.splat(c.anticausal_start_im[j]), x);
            }
        }
        for (x_row, y_row) in input.chunks_exact(lanes).zip(output.chunks_exact_mut(lanes)).rev() {
            let (x_pair, y_pair) = (&x_row[chunk..chunk + width], &mut y_row[chunk..chunk + width]);
            for v in 0..2 {
                let x = simd.load_at(x_pair, v * S::LANES);
                let y = simd.load_at(y_pair, v * S::LANES);
                let y = simd.add(y, simd.add(s_re[0][v], s_re[1][v]));
                simd.store(y, &mut y_pair[v * S::LANES..]);
                for j in 0..2 {
                    let u_re = simd.mul_add(gain_re[j], x, s_re[j][v]);
                    let u_im = simd.mul_add(gain_im[j], x, s_im[j][v]);
                    s_re[j][v] = simd.mul_add(pole_re[j], u_re, simd.mul(neg_pole_im[j], u_im));
                    s_im[j][v] = simd.mul_add(pole_re[j], u_im, simd.mul(pole_im[j], u_re));
                }
            }
        }
    }
}

/// Quantises one premultiplied pixel to 12 bits per channel: the top 8 bits go to `hi`
/// (4 bytes), the low 4 bits of the four channels to `lo` (2 bytes).
#[inline(always)]
fn encode_pixel(px: &[f32], hi: &mut [u8], lo: &mut [u8]) {
    let q = |v: f32| round_to_bits(clamp_level(v) * 16.0);
    let (r, g, b, a) = (q(px[0]), q(px[1]), q(px[2]), q(px[3]));
    hi[0] = (r >> 4) as u8;
    hi[1] = (g >> 4) as u8;
    hi[2] = (b >> 4) as u8;
    hi[3] = (a >> 4) as u8;
    lo[0] = ((r & 15) | ((g & 15) << 4)) as u8;
    lo[1] = ((b & 15) | ((a & 15) << 4)) as u8;
}

/// Inverse of [`encode_pixel`].
#[inline(always)]
fn decode_pixel(hi: &[u8], lo: &[u8], px: &mut [f32]) {
    let join = |h: u8, l: u8| f32::from(u16::from(h) << 4 | u16::from(l)) * (1.0 / 16.0);
    px[0] = join(hi[0], lo[0] & 15);
    px[1] = join(hi[1], lo[0] >> 4);
    px[2] = join(hi[2], lo[1] & 15);
    px[3] = join(hi[3], lo[1] >> 4);
}

/// [`encode_pixel`] for a run of pixels, in blocks of 4 pixels (16 samples) whose low nibbles
/// are paired as sample `k` and `k + 8` (`k < 8`), so that the compiler vectorises both halves.
/// Pixels after the last whole block use the per-pixel layout. A run must be decoded with the
/// same block boundaries: runs start at multiples of 4 pixels.
#[inline(always)]
fn encode_run(samples: &[f32], hi: &mut [u8], lo: &mut [u8]) {
    let blocks = samples.len() / 16;
    for ((px, hi), lo) in samples.chunks_exact(16).zip(hi.chunks_exact_mut(16)).zip(lo.chunks_exact_mut(8)) {
        let mut q = [0u32; 16];
        for (q, &v) in q.iter_mut().zip(px) {
            *q = round_to_bits(clamp_level(v) * 16.0);
        }
        for (h, &q) in hi.iter_mut().zip(&q) {
            *h = (q >> 4) as u8;
        }
        for (l, (&first, &second)) in lo.iter_mut().zip(q[..8].iter().zip(&q[8..])) {
            *l = ((first & 15) | ((second & 15) << 4)) as u8;
        }
    }
    for ((px, hi), lo) in samples[blocks * 16..]
        .chunks_exact(4)
        .zip(hi[blocks * 16..].chunks_exact_mut(4))
        .zip(lo[blocks * 8..].chunks_exact_mut(2))
    {
        encode_pixel(px, hi, lo);
    }
}

/// Inverse of [`encode_run`].
#[inline(always)]
fn decode_run(hi: &[u8], lo: &[u8], samples: &mut [f32]) {
    let blocks = samples.len() / 16;
    let join = |h: u8, l: u8| f32::from(u16::from(h) << 4 | u16::from(l)) * (1.0 / 16.0);
    for ((px, hi), lo) in samples.chunks_exact_mut(16).zip(hi.chunks_exact(16)).zip(lo.chunks_exact(8)) {
        let (first, second) = px.split_at_mut(8);
        for (i, &l) in lo.iter().enumerate() {
            first[i] = join(hi[i], l & 15);
            second[i] = join(hi[i + 8], l >> 4);
        }
    }
    for ((px, hi), lo) in samples[blocks * 16..]
        .chunks_exact_mut(4)
        .zip(hi[blocks * 16..].chunks_exact(4))
        .zip(lo[blocks * 8..].chunks_exact(2))
    {
        decode_pixel(hi, lo, px);
    }
}

/// Blurs `src` (RGBA8, `w * h` pixels, straight alpha) with the recursive filter.
pub(super) fn blur(level: Level, src: &[u8], w: usize, h: usize, sigma: f32, opaque: bool) -> Result<Vec<u8>> {
    let mut out = vec![0u8; src.len()];
    let outcome = both_passes(level, Some(src), w, h, sigma, opaque, &mut out);
    keep(outcome, out)
}

/// [`blur`] that overwrites `pixels` with the result: the same values, without a second
/// full-size buffer (each column strip is read whole before its intermediate is written back).
/// Cancelled, `pixels` is left half done.
pub(super) fn blur_in_place(
    level: Level,
    pixels: &mut [u8],
    w: usize,
    h: usize,
    sigma: f32,
    opaque: bool,
) -> Result<()> {
    both_passes(level, None, w, h, sigma, opaque, pixels)
}

/// The vertical pass from `src` (or, when `None`, from `out` itself) into `out` and a nibble
/// buffer, then the horizontal pass, as two stages of the job's progress (they cost about
/// the same).
fn both_passes(
    level: Level,
    src: Option<&[u8]>,
    w: usize,
    h: usize,
    sigma: f32,
    opaque: bool,
    out: &mut [u8],
) -> Result<()> {
    let coefficients = Coefficients::new(sigma);
    let mut low_bits = vec![0u8; w * h * 2];
    let outcome =
        control::stage(0.0, 0.5, || vertical_pass(level, src, w, h, &coefficients, opaque, out, &mut low_bits))
            .and_then(|()| {
                control::stage(0.5, 1.0, || horizontal_pass(level, w, &coefficients, opaque, out, &low_bits))
            });
    keep(outcome, low_bits).map(drop)
}

/// Filters columns of `src` (or, when `None`, of `hi` itself) into the 12-bit intermediate
/// (`hi` and `lo`), checking for cancellation after each group of 16 columns.
#[allow(clippy::too_many_arguments)]
fn vertical_pass(
    level: Level,
    src: Option<&[u8]>,
    w: usize,
    h: usize,
    coefficients: &Coefficients,
    opaque: bool,
    hi: &mut [u8],
    lo: &mut [u8],
) -> Result<()> {
    // Each task owns a strip of columns; several strips per thread balance the load. The
    // strips are handed out as per-row slices so every task writes only its own bytes.
    let threads = rayon::current_num_threads().max(1);
    let strip_px = w.div_ceil(threads * 4).next_multiple_of(COLUMN_LANES / 4).min(w);
    let strips = w.div_ceil(strip_px);
    let mut hi_strips: Vec<Vec<&mut [u8]>> = (0..strips).map(|_| Vec::with_capacity(h)).collect();
    let mut lo_strips: Vec<Vec<&mut [u8]>> = (0..strips).map(|_| Vec::with_capacity(h)).collect();
    for row in hi.chunks_exact_mut(w * 4) {
        for (strip, piece) in hi_strips.iter_mut().zip(row.chunks_mut(strip_px * 4)) {
            strip.push(piece);
        }
    }
    for row in lo.chunks_exact_mut(w * 2) {
        for (strip, piece) in lo_strips.iter_mut().zip(row.chunks_mut(strip_px * 2)) {
            strip.push(piece);
        }
    }
    let progress = Progress::new((w * h) as u64);
    hi_strips.into_par_iter().zip(lo_strips).enumerate().try_for_each_init(
        || (vec![0f32; h * COLUMN_LANES], vec![0f32; h * COLUMN_LANES]),
        |(input, output), (strip, (mut hi_rows, mut lo_rows))| {
            let strip_width = hi_rows[0].len() / 4;
            for sub in (0..strip_width).step_by(COLUMN_LANES / 4) {
                let pixels = (strip_width - sub).min(COLUMN_LANES / 4);
                filter_columns(
                    level,
                    src,
                    w,
                    strip * strip_px + sub,
                    pixels,
                    sub,
                    coefficients,
                    opaque,
                    input,
                    output,
                    &mut hi_rows,
                    &mut lo_rows,
                );
                progress.step((pixels * h) as u64)?;
            }
            Ok(())
        },
    )
}

dispatch!(
    /// Filters `pixels` (<= 16) columns starting at source column `x`, writing them at column
    /// `strip_x` of the strip slices `hi_rows` / `lo_rows`. With `src` `None` the columns are
    /// read from `hi_rows`, all of them before any is written.
    fn filter_columns<S: Simd>(
        simd: S,
        src: Option<&[u8]>,
        w: usize,
        x: usize,
        pixels: usize,
        strip_x: usize,
        coefficients: &Coefficients,
        opaque: bool,
        input: &mut [f32],
        output: &mut [f32],
        hi_rows: &mut [&mut [u8]],
        lo_rows: &mut [&mut [u8]],
    ) {
        let lanes = pixels * 4;
        let h = input.len() / COLUMN_LANES;
        for (y, row) in input.chunks_exact_mut(COLUMN_LANES).enumerate() {
            let source_row = |y: usize| match src {
                Some(src) => &src[(y * w + x) * 4..][..lanes],
                None => &hi_rows[y][strip_x * 4..][..lanes],
            };
            // On wide images rows are a page or more apart, out of reach of the hardware prefetcher.
            if y + PREFETCH_ROWS < h {
                prefetch_read(source_row(y + PREFETCH_ROWS));
            }
            load_premultiplied(source_row(y), &mut row[..lanes], opaque);
            row[lanes..].fill(0.0);
        }
        filter(simd, coefficients, COLUMN_LANES, input, output);
        for ((row, hi), lo) in output.chunks_exact(COLUMN_LANES).zip(hi_rows.iter_mut()).zip(lo_rows.iter_mut()) {
            let hi = &mut hi[strip_x * 4..][..lanes];
            let lo = &mut lo[strip_x * 2..][..pixels * 2];
            encode_run(&row[..lanes], hi, lo);
        }
    }
);

/// Filters the rows of the 12-bit intermediate and overwrites `hi` with the final pixels,
/// checking for cancellation after each group of rows.
fn horizontal_pass(
    level: Level,
    w: usize,
    coefficients: &Coefficients,
    opaque: bool,
    hi: &mut [u8],
    lo: &[u8],
) -> Result<()> {
    let progress = Progress::new((hi.len() / 4) as u64);
    hi.par_chunks_mut(ROW_GROUP * w * 4).zip(lo.par_chunks(ROW_GROUP * w * 2)).try_for_each_init(
        || (vec![0f32; w * ROW_LANES], vec![0f32; w * ROW_LANES], vec![0f32; w * ROW_LANES]),
        |(input, output, row_buffer), (hi_rows, lo_rows)| {
            filter_rows(level, w, coefficients, opaque, input, output, row_buffer, hi_rows, lo_rows);
            progress.step((hi_rows.len() / 4) as u64)
        },
    )
}

dispatch!(
    /// Filters up to `ROW_GROUP` rows together, one lane per channel and row.
    fn filter_rows<S: Simd>(
        simd: S,
        w: usize,
        coefficients: &Coefficients,
        opaque: bool,
        input: &mut [f32],
        output: &mut [f32],
        row_buffer: &mut [f32],
        hi_rows: &mut [u8],
        lo_rows: &[u8],
    ) {
        let row_len = w * 4;
        let rows = hi_rows.len() / row_len;
        // Rows are decoded contiguously (vectorised), then interleaved pixel by pixel; missing rows
        // of a short last group are zeros.
        for (row, (hi, lo)) in hi_rows.chunks_exact(row_len).zip(lo_rows.chunks_exact(w * 2)).enumerate() {
            decode_run(hi, lo, &mut row_buffer[row * row_len..][..row_len]);
        }
        row_buffer[rows * row_len..].fill(0.0);
        let (r0, rest) = row_buffer.split_at_mut(row_len);
        let (r1, rest) = rest.split_at_mut(row_len);
        let (r2, r3) = rest.split_at_mut(row_len);
        for ((((lanes, p0), p1), p2), p3) in input
            .chunks_exact_mut(ROW_LANES)
            .zip(r0.chunks_exact(4))
            .zip(r1.chunks_exact(4))
            .zip(r2.chunks_exact(4))
            .zip(r3.chunks_exact(4))
        {
            lanes[0..4].copy_from_slice(p0);
            lanes[4..8].copy_from_slice(p1);
            lanes[8..12].copy_from_slice(p2);
            lanes[12..16].copy_from_slice(p3);
        }
        filter(simd, coefficients, ROW_LANES, input, output);
        for ((((lanes, p0), p1), p2), p3) in output
            .chunks_exact(ROW_LANES)
            .zip(r0.chunks_exact_mut(4))
            .zip(r1.chunks_exact_mut(4))
            .zip(r2.chunks_exact_mut(4))
            .zip(r3.chunks_exact_mut(4))
        {
            p0.copy_from_slice(&lanes[0..4]);
            p1.copy_from_slice(&lanes[4..8]);
            p2.copy_from_slice(&lanes[8..12]);
            p3.copy_from_slice(&lanes[12..16]);
        }
        for (hi, filtered) in hi_rows.chunks_exact_mut(row_len).zip([&*r0, &*r1, &*r2, &*r3]) {
            store_straight(filtered, hi, opaque);
        }
    }
);
