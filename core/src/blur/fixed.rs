//! Fixed-point direct separable convolution for opaque images at small sigma.
//!
//! Same structure as [`super::fir`] (bands of output rows per rayon task, column tiles, a ring
//! of `2 * radius + 1` horizontally filtered tile rows summed vertically straight into the
//! output), but in 16-bit integers, sixteen lanes per AVX2 vector:
//!
//! * samples are `i16` with [`FRACTION_BITS`] fractional bits ("Q6": level `v` is `64 v`, at
//!   most `16320`), so two of them (mirrored taps, which share a weight) add up within `i16`;
//! * weights are `i16` in Q15, rounded from the `f64` kernel, the centre absorbing the rounding
//!   so that they sum to exactly `2^15` (capped at `i16::MAX` for sigma far below 0.5);
//! * each term is `round(weight * (left + right) / 2^15)` (`_mm256_mulhrs_epi16`), exact
//!   but for that rounding (at most half a Q6 unit, 1/128 of a level, per term), and the terms
//!   add up without overflow in `i16`;
//! * the horizontal pass reads a tile row widened to Q6, the vertical pass reads the ring rows
//!   (Q6) and rounds to 8 bits.
//!
//! Integer operations have one defined result, so every instruction-set level computes the
//! same bits by construction. Images with translucent pixels need premultiplied colour with
//! more precision than 8 bits and use [`super::fir`] / [`super::iir`] instead.

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::simd::{Level, Portable, dispatch};
use crate::Result;
use crate::control::Progress;
use crate::ops::discard;

/// Fractional bits of the samples between and inside the passes.
pub(super) const FRACTION_BITS: u32 = 6;

/// Lanes per pixel: opaque images are filtered as packed RGB (alpha is 255 anyway).
const CHANNELS: usize = 3;

/// `i16` lanes computed together: four AVX2 vectors, so that each weight is
/// broadcast and each ring row located once per four vectors.
const BLOCK: usize = 64;

/// `i16` lanes of the horizontal pass between two prefetches of the next source row (about
/// 11 cache lines of source at a time; 2 and 32 blocks measured no better).
const PREFETCH_CHUNK: usize = 8 * BLOCK;

/// `i16` lanes of one AVX2 vector.
#[cfg(target_arch = "x86_64")]
const VECTOR: usize = 16;

/// The quantised kernel.
pub(super) struct Weights {
    /// `taps[m]`: Q15 weight of the samples `m` pixels from the centre, `m` in `0..=radius`.
    taps: Vec<i16>,
}

impl Weights {
    /// Sampled Gaussian `exp(-x^2 / (2 sigma^2))` for `|x| <= radius`, normalised in `f64`
    /// (platform-independent `exp`, so the same integers everywhere) and rounded to Q15. The
    /// centre absorbs the rounding so that the weights sum to exactly `2^15`, except that it
    /// is capped at `i16::MAX` (sigma below about 0.2: a blur by less than 1/255).
    pub(super) fn new(sigma: f32, radius: usize) -> Weights {
        let sigma = f64::from(sigma);
        let raw: Vec<f64> = (0..=radius).map(|m| super::math::exp(-((m * m) as f64) / (2.0 * sigma * sigma))).collect();
        let sum = raw[0] + 2.0 * raw[1..].iter().sum::<f64>();
        let mut taps: Vec<i32> = raw.iter().map(|&v| (v / sum * 32768.0).round() as i32).collect();
        taps[0] = (32768 - 2 * taps[1..].iter().sum::<i32>()).min(i32::from(i16::MAX));
        let taps = taps.into_iter().map(|t| i16::try_from(t).expect("Q15 weights below 1 fit i16")).collect();
        Weights { taps }
    }

    /// Kernel radius in pixels.
    pub(super) fn radius(&self) -> usize {
        self.taps.len() - 1
    }

    /// The Q15 weights, centre first (`taps[m]` for `m` in `0..=radius`).
    #[cfg(test)]
    pub(super) fn taps(&self) -> &[i16] {
        &self.taps
    }
}

/// `round(a * b / 2^15)` (ties upwards), exactly as `_mm256_mulhrs_epi16` computes it.
#[inline(always)]
fn mulhrs(a: i16, b: i16) -> i16 {
    ((i32::from(a) * i32::from(b) + (1 << 14)) >> 15) as i16
}

/// Largest worst-case error, in 8-bit levels, that [`radius`] accepts for the two passes
/// together. Below 1, a rounded output level is within 1 of the rounded reference; the rest of
/// the level is margin.
const ERROR_BUDGET: f64 = 0.7;

/// Kernel radius for `sigma`: the smallest (at most [`super::fir::radius`], `ceil(3.5 sigma)`)
/// whose worst-case error ([`error_bound`]) fits [`ERROR_BUDGET`]. Shorter than the float
/// kernel's where the budget allows (radius 3 instead of 4 at sigma 1, 6 instead of 7 at
/// sigma 2), because every tap costs time.
pub(super) fn radius(sigma: f32) -> usize {
    let longest = super::fir::radius(sigma);
    (1..longest).find(|&r| error_bound(sigma, &Weights::new(sigma, r)) <= ERROR_BUDGET).unwrap_or(longest)
}

/// Worst-case difference, in 8-bit levels, between the two fixed-point passes with `weights`
/// and the exact (untruncated, normalised) sampled Gaussian, before the final rounding. Per
/// pass: the weights' error on samples in `0..=255` (half their L1 distance from the exact
/// kernel, since both sum to 1) plus half a Q6 unit of rounding per term (`radius + 1` terms).
fn error_bound(sigma: f32, weights: &Weights) -> f64 {
    let sigma = f64::from(sigma);
    let radius = weights.radius();
    // Far enough out that the rest of the Gaussian is below 1e-30.
    let reach = (12.0 * sigma).ceil() as usize + 2;
    let exact: Vec<f64> = (0..=reach).map(|m| super::math::exp(-((m * m) as f64) / (2.0 * sigma * sigma))).collect();
    let total = exact[0] + 2.0 * exact[1..].iter().sum::<f64>();
    let distance: f64 = exact
        .iter()
        .enumerate()
        .map(|(m, &g)| {
            let ours = weights.taps.get(m).map_or(0.0, |&w| f64::from(w) / 32768.0);
            let mirrored = if m == 0 { 1.0 } else { 2.0 };
            mirrored * (ours - g / total).abs()
        })
        .sum();
    let per_pass = 255.0 * distance / 2.0 + (radius + 1) as f64 / f64::from(2u32 << FRACTION_BITS);
    2.0 * per_pass
}

/// Per-task buffers, reused across the bands a task processes.
struct Scratch {
    /// Horizontally filtered tile rows; source row `y` lives in slot `y % taps`.
    ring: Vec<i16>,
    /// One source tile row in Q6, with `radius` clamped pixels on each side.
    padded: Vec<i16>,
    /// For each output row of the band, the ring offsets of its `taps` source rows (the same
    /// for every tile of the band, so computed once per band).
    rows: Vec<usize>,
    /// One output tile row, packed RGB (whole blocks).
    out: Vec<u8>,
}

/// Output pixels between two cancellation checks: a tenth of a millisecond or so.
const PIXELS_PER_CHECK: usize = 1 << 16;

/// Images from this size up are written with streaming (non-temporal) stores when their tiles
/// are wide ([`STREAM_MIN_TILE`]): an output this large does not stay in the cache anyway, and
/// ordinary stores would first read every line of it from memory. On 4K (32 MB) at sigma 2
/// this measured 8-10% faster on one and on two threads. Smaller images keep ordinary stores,
/// so that the next operation finds the result in the cache.
const STREAM_MIN_BYTES: usize = 16 << 20;

/// Narrowest tile, in pixels, written with streaming stores. The narrow tiles of long kernels
/// (sigma 3 and up, see [`tile_width`]) write short runs per row, and streaming them measured
/// up to twice as slow on one thread at sigma 5.
const STREAM_MIN_TILE: usize = 1024;

/// Tile width in pixels for a kernel of `taps` taps, a multiple of 64 pixels so that a tile
/// row is whole [`BLOCK`]s. Short kernels get tiles as wide as the ring (`taps * tile * 6`
/// bytes) allows within about 256 KiB of L2 cache (the whole 4K width at sigma 1): less per-row
/// overhead, and the widened row is written long before the taps read it back, so no
/// store-forwarding stalls. Long kernels (21 taps and more, sigma above about 2.7) keep the
/// ring within about 24 KiB of L1 instead, which measured 1.6x faster at sigma 3 and 10-25%
/// faster at sigma 5 on 4K (but 15% slower at sigma 1, and no different at sigma 2).
fn tile_width(taps: usize) -> usize {
    let ring_budget = if taps >= 21 { 24 * 1024 } else { 256 * 1024 };
    (ring_budget / (taps * 6)).max(64) / 64 * 64
}

/// Blurs the opaque RGBA8 image `src` (`w * h` pixels, every alpha 255) with the fixed-point
/// kernel of `radius` pixels.
///
/// The opacity is checked on the way, as the rows are read (one pass over the image instead of
/// two): at the first alpha below 255 every task stops and the result is `Ok(None)`.
/// Cancellation is checked every [`PIXELS_PER_CHECK`] output pixels or so.
pub(super) fn blur(level: Level, src: &[u8], w: usize, h: usize, sigma: f32, radius: usize) -> Result<Option<Vec<u8>>> {
    let tile = tile_width(2 * radius + 1);
    blur_in_tiles(level, src, w, h, sigma, radius, tile, src.len() >= STREAM_MIN_BYTES && tile >= STREAM_MIN_TILE)
}

/// [`blur`] with column tiles of `tile` pixels (a multiple of 64; tests use narrow tiles to
/// cover tile borders on small images), writing the output with streaming stores if `stream`
/// (tests force it on small images; the output bits are the same).
#[allow(clippy::too_many_arguments)] // the image, the kernel and two tuning knobs for tests
pub(super) fn blur_in_tiles(
    level: Level,
    src: &[u8],
    w: usize,
    h: usize,
    sigma: f32,
    radius: usize,
    tile: usize,
    stream: bool,
) -> Result<Option<Vec<u8>>> {
    assert!(tile > 0 && tile.is_multiple_of(64), "tiles are whole blocks");
    let weights = Weights::new(sigma, radius);
    let taps = 2 * radius + 1;
    let row_len = w * 4;
    // Left uninitialised: every byte is written below (bands cover all rows, tiles all columns,
    // `expand` all four bytes of every pixel), and zeroing 4K output first costs about 8%.
    let mut out: Vec<u8> = Vec::with_capacity(src.len());
    // Set by the first task that reads an alpha below 255.
    let translucent = AtomicBool::new(false);
    // Several bands per thread balance the load; each band re-filters `2 * radius` rows of
    // context, so bands are kept well above that.
    let threads = rayon::current_num_threads().max(1);
    let band_rows = h.div_ceil(threads * 4).max(8 * radius).min(h);
    let progress = Progress::new((w * h) as u64);
    let outcome =
        out.spare_capacity_mut()[..src.len()].par_chunks_mut(band_rows * row_len).enumerate().try_for_each_init(
            || Scratch {
                ring: vec![0; taps * tile * CHANNELS],
                // Room for the widening's last overlapping store (see `FixedTaps::widen`).
                padded: vec![0; (tile + 2 * radius) * CHANNELS + BLOCK],
                rows: Vec::with_capacity(band_rows * taps),
                out: vec![0; tile * CHANNELS],
            },
            |scratch, (band, out_band)| {
                if translucent.load(Ordering::Relaxed) {
                    return Ok(());
                }
                let Scratch { ring, padded, rows, out } = scratch;
                let y0 = band * band_rows;
                rows.clear();
                for y in y0..y0 + out_band.len() / row_len {
                    rows.extend((0..taps).map(|k| (y + k).saturating_sub(radius).min(h - 1) % taps * tile * CHANNELS));
                }
                let outcome = (0..w).step_by(tile).try_for_each(|x0| {
                    let tile = Tile { x0, y0, width: tile.min(w - x0), ring_row: tile * CHANNELS, stream };
                    blur_tile(
                        level,
                        src,
                        w,
                        h,
                        tile,
                        out_band,
                        &weights,
                        ring,
                        padded,
                        rows,
                        out,
                        &translucent,
                        &progress,
                    )
                });
                if stream {
                    // Streaming stores are weakly ordered: drain them before the task completes
                    // (also a cancelled one: its buffer is freed and may be reused at once).
                    super::simd::store_fence();
                }
                outcome
            },
        );
    if let Err(error) = outcome {
        discard(out);
        return Err(error);
    }
    if translucent.into_inner() {
        return Ok(None);
    }
    // SAFETY: the capacity is `src.len()` and every byte of it was written above (see the
    // comment on `out`; no task stopped early, or `translucent` would be set or `outcome` be a
    // cancellation); a panic before this point leaves the length 0.
    unsafe { out.set_len(src.len()) };
    Ok(Some(out))
}

/// Where a tile lies in the image.
#[derive(Clone, Copy)]
struct Tile {
    /// First column.
    x0: usize,
    /// First output row (of the band).
    y0: usize,
    /// Columns (the full tile width except at the right edge).
    width: usize,
    /// `i16` lanes per ring row (four per pixel of the full tile width).
    ring_row: usize,
    /// Whether the output rows are written with streaming stores.
    stream: bool,
}

dispatch!(
    /// Computes the output columns of `tile` for the output rows `tile.y0..` (as many as
    /// `out_band` holds), counting them on `progress` every [`PIXELS_PER_CHECK`] pixels or so
    /// (a wide tile of a tall band is too much work to check only once). Returns early, with
    /// `Ok`, when some task found a translucent pixel (it sets `translucent`), and with
    /// [`Error::Cancelled`](crate::Error::Cancelled) when the job is cancelled.
    fn blur_tile<S: FixedTaps>(
        simd: S,
        src: &[u8],
        w: usize,
        h: usize,
        tile: Tile,
        out_band: &mut [MaybeUninit<u8>],
        weights: &Weights,
        ring: &mut [i16],
        padded: &mut [i16],
        rows: &[usize],
        tile_out: &mut [u8],
        translucent: &AtomicBool,
        progress: &Progress,
    ) -> Result<()> {
        if translucent.load(Ordering::Relaxed) {
            return Ok(());
        }
        let Tile { x0, y0, width: tile_w, ring_row, stream } = tile;
        let radius = weights.radius();
        let taps = 2 * radius + 1;
        let row_len = w * 4;
        let lanes = tile_w * CHANNELS;
        let block_lanes = lanes.next_multiple_of(BLOCK);
        // Source pixels the tile's horizontal taps read, before and after clamping to the image.
        let first = x0 as isize - radius as isize;
        let load_start = first.max(0) as usize;
        let load_end = (x0 + tile_w + radius).min(w);
        let left_pad = (load_start as isize - first) as usize;
        let right_pad = x0 + tile_w + radius - load_end;
        // Next source row to filter horizontally, and its ring slot. The rows of the current
        // window are consecutive (after clamping) and at most `taps` many, so their slots never
        // collide.
        let mut next = y0.saturating_sub(radius);
        let mut slot = next % taps;
        let rows_per_check = (PIXELS_PER_CHECK / tile_w).max(1);
        for ((out_row, dy), window) in out_band.chunks_exact_mut(row_len).zip(0..).zip(rows.chunks_exact(taps)) {
            if dy > 0 && dy % rows_per_check == 0 {
                progress.step((rows_per_check * tile_w) as u64)?;
            }
            let last = (y0 + dy + radius).min(h - 1);
            while next <= last {
                let row = &src[next * row_len..][load_start * 4..load_end * 4];
                // Lanes after the tile's pixels hold stale samples: they are filtered along in whole
                // blocks and never stored.
                let pixels = load_end - load_start;
                if simd.widen(row, &mut padded[left_pad * CHANNELS..]) != 255 {
                    translucent.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                let (left, rest) = padded.split_at_mut(left_pad * CHANNELS);
                let (middle, rest) = rest.split_at_mut(pixels * CHANNELS);
                let right = &mut rest[..right_pad * CHANNELS];
                let first_px: [i16; CHANNELS] = middle[..CHANNELS].try_into().expect("a pixel");
                let last_px: [i16; CHANNELS] = middle[middle.len() - CHANNELS..].try_into().expect("a pixel");
                for px in left.chunks_exact_mut(CHANNELS) {
                    px.copy_from_slice(&first_px);
                }
                for px in right.chunks_exact_mut(CHANNELS) {
                    px.copy_from_slice(&last_px);
                }
                // The next source row is prefetched a slice per chunk of the horizontal pass, so
                // that its reads overlap the arithmetic instead of stalling the next `widen` (the
                // hardware prefetcher alone runs only a little ahead of it). 13-18% faster at sigma
                // 1-5 on 4K; prefetching the whole row at once, or two rows ahead, was slower.
                let ahead = &src[(next + 1).min(h - 1) * row_len..][load_start * 4..load_end * 4];
                let ring_out = &mut ring[slot * ring_row..][..block_lanes];
                let chunks = block_lanes.div_ceil(PREFETCH_CHUNK);
                for (chunk, dst) in ring_out.chunks_mut(PREFETCH_CHUNK).enumerate() {
                    let from = chunk * ahead.len() / chunks;
                    let to = (chunk + 1) * ahead.len() / chunks;
                    super::simd::prefetch_read(&ahead[from..to]);
                    simd.horizontal(&padded[chunk * PREFETCH_CHUNK..], weights, dst);
                }
                next += 1;
                slot = if slot + 1 == taps { 0 } else { slot + 1 };
            }
            simd.vertical(ring, window, weights, &mut tile_out[..block_lanes]);
            simd.expand(&tile_out[..lanes], &mut out_row[x0 * 4..][..tile_w * 4], stream);
        }
        let rows = out_band.len() / row_len;
        progress.step(((rows - 1) % rows_per_check + 1) as u64 * tile_w as u64)
    }
);

/// The two passes for one instruction-set level. Every implementation computes exactly the
/// integers of the scalar definitions in [`Portable`]'s implementation.
pub(super) trait FixedTaps: Copy {
    /// Packed RGB Q6 samples of the opaque RGBA8 pixels `src`: `dst[3i + c] = src[4i + c] << 6`.
    /// May also overwrite the [`BLOCK`] samples after them (`dst` must have that room).
    /// Returns the bitwise AND of the alpha bytes (255 if and only if all are 255).
    fn widen(self, src: &[u8], dst: &mut [i16]) -> u8;
    /// Opaque RGBA8 pixels from packed RGB levels: `dst[4i + c] = src[3i + c]`, alpha 255.
    /// With `stream`, the stores may bypass the cache (see [`STREAM_MIN_BYTES`]); the task
    /// must end with [`super::simd::store_fence`].
    fn expand(self, src: &[u8], dst: &mut [MaybeUninit<u8>], stream: bool);
    /// `dst[j] = sum_m mulhrs(taps[m], src[c + j - 3m] + src[c + j + 3m])` (the centre term
    /// `mulhrs(taps[0], src[c + j])`), `c = 3 * radius`, for `j` in `0..dst.len()` (a multiple
    /// of [`BLOCK`]; `src` (packed RGB, Q6) holds at least `dst.len() + 6 * radius` samples).
    fn horizontal(self, src: &[i16], weights: &Weights, dst: &mut [i16]);
    /// The same sum over the ring rows `row(r - m)[j]` and `row(r + m)[j]`, `row(k)` starting
    /// at `ring[rows[k]]`, rounded from Q6 to 8 bits, for `j` in `0..dst.len()` (a multiple of
    /// [`BLOCK`]; each ring row holds at least that many lanes).
    fn vertical(self, ring: &[i16], rows: &[usize], weights: &Weights, dst: &mut [u8]);
}

/// Rounds a Q6 sample to an 8-bit level (ties upwards), saturating like `_mm256_packus_epi16`.
#[inline(always)]
fn q6_to_u8(value: i16) -> u8 {
    ((i32::from(value) + (1 << (FRACTION_BITS - 1))) >> FRACTION_BITS).clamp(0, 255) as u8
}

impl FixedTaps for Portable {
    #[inline(always)]
    fn widen(self, src: &[u8], dst: &mut [i16]) -> u8 {
        let mut alpha = 255;
        for (d, s) in dst.chunks_exact_mut(CHANNELS).zip(src.chunks_exact(4)) {
            for (d, &s) in d.iter_mut().zip(s) {
                *d = i16::from(s) << FRACTION_BITS;
            }
            alpha &= s[3];
        }
        alpha
    }

    #[inline(always)]
    fn expand(self, src: &[u8], dst: &mut [MaybeUninit<u8>], _stream: bool) {
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(CHANNELS)) {
            d.copy_from_slice(&[s[0], s[1], s[2], 255].map(MaybeUninit::new));
        }
    }

    #[inline(always)]
    fn horizontal(self, src: &[i16], weights: &Weights, dst: &mut [i16]) {
        let radius = weights.radius();
        let centre = CHANNELS * radius;
        for (block, out) in dst.chunks_exact_mut(BLOCK).enumerate() {
            let src = &src[block * BLOCK..][..BLOCK + 2 * centre];
            let mut acc = [0i16; BLOCK];
            for (m, &weight) in weights.taps.iter().enumerate() {
                let (left, right) = (&src[centre - CHANNELS * m..][..BLOCK], &src[centre + CHANNELS * m..][..BLOCK]);
                for ((acc, &l), &r) in acc.iter_mut().zip(left).zip(right) {
                    *acc += mulhrs(weight, if m == 0 { l } else { l + r });
                }
            }
            out.copy_from_slice(&acc);
        }
    }

    #[inline(always)]
    fn vertical(self, ring: &[i16], rows: &[usize], weights: &Weights, dst: &mut [u8]) {
        let radius = weights.radius();
        for (block, out) in dst.chunks_exact_mut(BLOCK).enumerate() {
            let j = block * BLOCK;
            let row = |k: usize| &ring[rows[k] + j..][..BLOCK];
            let mut acc = [0i16; BLOCK];
            for (m, &weight) in weights.taps.iter().enumerate() {
                let (above, below) = (row(radius - m), row(radius + m));
                for ((acc, &a), &b) in acc.iter_mut().zip(above).zip(below) {
                    *acc += mulhrs(weight, if m == 0 { a } else { a + b });
                }
            }
            for (out, acc) in out.iter_mut().zip(acc) {
                *out = q6_to_u8(acc);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm_and_si128, _mm_loadu_si128, _mm_or_si128, _mm_set1_epi8, _mm_set1_epi32, _mm_setr_epi8,
        _mm_shuffle_epi8, _mm_storeu_si128, _mm_stream_si128, _mm256_add_epi16, _mm256_cvtepu8_epi16,
        _mm256_loadu_si256, _mm256_mulhrs_epi16, _mm256_packus_epi16, _mm256_permute4x64_epi64, _mm256_set1_epi16,
        _mm256_setzero_si256, _mm256_slli_epi16, _mm256_srai_epi16, _mm256_storeu_si256,
    };

    use std::mem::MaybeUninit;

    use super::{BLOCK, CHANNELS, FRACTION_BITS, FixedTaps, VECTOR, Weights};
    use crate::blur::simd::{Avx2, Portable};

    /// `sum_m mulhrs(taps[m], term(m, v))` for the four vectors `v` of a block.
    ///
    /// # Safety
    ///
    /// AVX2 must be available; `term` must be safe to call for `0..=radius` and `0..4`.
    #[inline(always)]
    unsafe fn accumulate(weights: &Weights, term: impl Fn(usize, usize) -> __m256i) -> [__m256i; 4] {
        unsafe {
            // Plain loops over the four vectors: `array::map` with intrinsics in the closure is
            // not inlined into the AVX2 function.
            let weight = _mm256_set1_epi16(weights.taps[0]);
            let mut acc = [_mm256_setzero_si256(); 4];
            for (v, acc) in acc.iter_mut().enumerate() {
                *acc = _mm256_mulhrs_epi16(term(0, v), weight);
            }
            for (m, &weight) in weights.taps.iter().enumerate().skip(1) {
                let weight = _mm256_set1_epi16(weight);
                for (v, acc) in acc.iter_mut().enumerate() {
                    *acc = _mm256_add_epi16(*acc, _mm256_mulhrs_epi16(term(m, v), weight));
                }
            }
            acc
        }
    }

    // SAFETY (every `unsafe` block below): an `Avx2` value exists only if the CPU has AVX2, and
    // every pointer is derived from a slice whose length was checked once for all the loads.
    impl FixedTaps for Avx2 {
        #[inline(always)]
        fn widen(self, src: &[u8], dst: &mut [i16]) -> u8 {
            // Four pixels per step: drop the alpha bytes (shuffle), widen the 12 colour bytes
            // to `i16` (the four lanes after them become 0 and are overwritten by the next
            // step, or are the permitted overrun after the last one).
            let steps = src.len() / 16;
            assert!(dst.len() >= steps * 12 + 4);
            let mut all = [255u8; 16];
            unsafe {
                let drop_alpha = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
                let mut and = _mm_set1_epi8(-1);
                for step in 0..steps {
                    let rgba = _mm_loadu_si128(src.as_ptr().add(step * 16).cast());
                    and = _mm_and_si128(and, rgba);
                    let rgb = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(rgba, drop_alpha));
                    let q6 = _mm256_slli_epi16::<{ FRACTION_BITS as i32 }>(rgb);
                    _mm256_storeu_si256(dst.as_mut_ptr().add(step * 12).cast(), q6);
                }
                _mm_storeu_si128(all.as_mut_ptr().cast(), and);
            }
            let alpha = all[3] & all[7] & all[11] & all[15];
            alpha & Portable.widen(&src[steps * 16..], &mut dst[steps * 12..])
        }

        #[inline(always)]
        fn expand(self, src: &[u8], dst: &mut [MaybeUninit<u8>], stream: bool) {
            // Four pixels per step: 12 colour bytes (a 16-byte load, so it stops a step early
            // unless 4 spare bytes follow) spread to 16 with alpha 255.
            let steps = (src.len().saturating_sub(4) / 12).min(dst.len() / 16);
            unsafe {
                let spread = _mm_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
                let alpha = _mm_set1_epi32(0xff00_0000_u32 as i32);
                // Streaming stores need 16-byte alignment: tiles start at multiples of 64 pixels,
                // so a row qualifies when the buffer and the row length are multiples of 16.
                let streaming = stream && (dst.as_ptr() as usize).is_multiple_of(16);
                for step in 0..steps {
                    let rgb = _mm_loadu_si128(src.as_ptr().add(step * 12).cast());
                    let rgba = _mm_or_si128(_mm_shuffle_epi8(rgb, spread), alpha);
                    let at = dst.as_mut_ptr().add(step * 16).cast();
                    // Loop-invariant: the compiler splits the loop in two.
                    if streaming { _mm_stream_si128(at, rgba) } else { _mm_storeu_si128(at, rgba) }
                }
            }
            Portable.expand(&src[steps * 12..], &mut dst[steps * 16..], false);
        }

        #[inline(always)]
        fn horizontal(self, src: &[i16], weights: &Weights, dst: &mut [i16]) {
            let radius = weights.radius();
            let centre = CHANNELS * radius;
            for (block, out) in dst.chunks_exact_mut(BLOCK).enumerate() {
                let src = &src[block * BLOCK..][..BLOCK + 2 * centre];
                let load = |at: usize| unsafe { _mm256_loadu_si256(src.as_ptr().add(at).cast()) };
                let term = |m: usize, v: usize| {
                    let at = centre + v * VECTOR;
                    if m == 0 {
                        load(at)
                    } else {
                        unsafe { _mm256_add_epi16(load(at - CHANNELS * m), load(at + CHANNELS * m)) }
                    }
                };
                unsafe {
                    let sums = accumulate(weights, term);
                    for (v, sum) in sums.into_iter().enumerate() {
                        let out: &mut [i16; VECTOR] = (&mut out[v * VECTOR..][..VECTOR]).try_into().expect("a vector");
                        _mm256_storeu_si256(out.as_mut_ptr().cast(), sum);
                    }
                }
            }
        }

        #[inline(always)]
        fn vertical(self, ring: &[i16], rows: &[usize], weights: &Weights, dst: &mut [u8]) {
            let radius = weights.radius();
            let rows: &[usize] = &rows[..2 * radius + 1];
            assert!(rows.iter().all(|&start| start + dst.len() <= ring.len()));
            for (block, out) in dst.chunks_exact_mut(BLOCK).enumerate() {
                let j = block * BLOCK;
                let load = |k: usize, v: usize| unsafe {
                    _mm256_loadu_si256(ring.as_ptr().add(rows[k] + j + v * VECTOR).cast())
                };
                let term = |m: usize, v: usize| {
                    if m == 0 {
                        load(radius, v)
                    } else {
                        unsafe { _mm256_add_epi16(load(radius - m, v), load(radius + m, v)) }
                    }
                };
                unsafe {
                    let mut levels = accumulate(weights, term);
                    let half = _mm256_set1_epi16(1 << (FRACTION_BITS - 1));
                    for level in &mut levels {
                        *level = _mm256_srai_epi16::<{ FRACTION_BITS as i32 }>(_mm256_add_epi16(*level, half));
                    }
                    for (pair, out) in levels.chunks_exact(2).zip(out.chunks_exact_mut(2 * VECTOR)) {
                        // packus interleaves the two vectors by 128-bit halves; the permutation
                        // restores the lane order.
                        let bytes = _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_packus_epi16(pair[0], pair[1]));
                        let out: &mut [u8; 2 * VECTOR] = out.try_into().expect("two vectors");
                        _mm256_storeu_si256(out.as_mut_ptr().cast(), bytes);
                    }
                }
            }
        }
    }
}
