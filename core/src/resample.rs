//! Convolution resampling of RGBA8 buffers on `fast_image_resize` (SIMD, rows spread over
//! rayon's threads), with premultiplied alpha.
//!
//! Alpha: colours are multiplied by alpha before filtering and divided after, so a fully
//! transparent pixel's (invisible) colour never bleeds into its visible neighbours. That pass
//! needs a premultiplied copy of the source, so it is skipped when every pixel is opaque
//! (every decoded JPEG), where it would change nothing.
//!
//! Cancellation: large resamples run in tiles of the destination small enough that each takes
//! a few milliseconds, checked between tiles (see [`resample`]).

#![forbid(unsafe_code)]

use fast_image_resize::images::{Image as FirImage, ImageRef};
use fast_image_resize::{FilterType, MulDiv, PixelType, ResizeAlg, ResizeOptions, Resizer};
use rayon::prelude::*;

use crate::control::{self, Progress};
use crate::error::{Error, Result};
use crate::ops::{discard, keep, rows_per_check};

/// A convolution filter of [`resample`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    /// Area average (box filter widened to the reduction factor).
    Box,
    /// Triangle, support 1, widened when shrinking.
    Triangle,
    /// Lanczos with three lobes, support 3, widened when shrinking.
    Lanczos3,
    /// Catmull-Rom cubic (bicubic with a = -0.5), support 2, widened when shrinking.
    CatmullRom,
}

impl Filter {
    fn fir(self) -> FilterType {
        match self {
            Filter::Box => FilterType::Box,
            Filter::Triangle => FilterType::Bilinear,
            Filter::Lanczos3 => FilterType::Lanczos3,
            Filter::CatmullRom => FilterType::CatmullRom,
        }
    }

    /// Half the width of the kernel, in source pixels at a scale of 1.
    fn support(self) -> f64 {
        match self {
            Filter::Box => 0.5,
            Filter::Triangle => 1.0,
            Filter::Lanczos3 => 3.0,
            Filter::CatmullRom => 2.0,
        }
    }
}

/// A rectangle of the source in (fractional) source pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Region {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Region {
    /// The whole of a `width` x `height` image.
    pub fn whole(width: u32, height: u32) -> Region {
        Region { left: 0.0, top: 0.0, width: f64::from(width), height: f64::from(height) }
    }
}

/// Resamples whose whole intermediate would be at most this large, and whose work at most
/// [`TILE_WORK`], run as one call: small images keep exactly the single-resample result.
/// (`fast_image_resize`'s vertical pass, first for 8-bit pixels, fills an intermediate image as
/// wide as the source region and as tall as the destination: for a 24 MP photograph shrunk to
/// 90 % that is 79 MB, as much as the result. Tiles bound it, see [`TILE_TEMP_BYTES`].)
const UNTILED_UP_TO_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// Bytes of the intermediate image of one tile at most, unless a single destination row
/// needs more.
const TILE_TEMP_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// The cost of one tile at most, in multiply-adds of a pixel (the unit of [`Cost`]): about
/// 12 ms of one thread on the 2-core machine it was tuned on, the longest a cancel waits for
/// the tiles under way, and enough work that the weights each tile recomputes cost little.
const TILE_WORK: f64 = 32.0e6;

/// Estimates what a tile of [`resample`] costs, in multiply-adds of a pixel (all four
/// channels): `fast_image_resize` computes the weights of the tile's columns and rows (one
/// filter evaluation per tap, worth [`Filter::evaluation_cost`] multiply-adds), filters the
/// source columns under the tile's columns vertically, then the result horizontally (each pass
/// only where the size or a fractional offset needs it), and a tile narrower than the
/// destination is copied into place. Calibrated on `fast_image_resize` 6.1 with AVX2 on the
/// 2-core machine the tiles were tuned on: 0.2 to 0.4 ns per multiply-add, 50 ns per
/// evaluation of Lanczos3.
struct Cost {
    /// Source pixels per destination pixel, horizontally and vertically.
    scale: (f64, f64),
    /// Source pixels a destination pixel reads, horizontally and vertically; 0 for an axis
    /// that needs no pass.
    taps: (f64, f64),
    /// The source region's width.
    region_width: f64,
    /// Multiply-adds per evaluation of the filter.
    evaluation: f64,
    /// The destination's width (narrower tiles are copied into place).
    width: u32,
}

/// What each tile costs besides its pixels (a call of `fast_image_resize`, its buffers), in
/// multiply-adds.
const TILE_SETUP: f64 = 50_000.0;

impl Filter {
    /// Multiply-adds that one evaluation of the filter costs as much time as (Lanczos computes
    /// two sines).
    fn evaluation_cost(self) -> f64 {
        match self {
            Filter::Lanczos3 => 130.0,
            Filter::Box | Filter::Triangle | Filter::CatmullRom => 60.0,
        }
    }
}

impl Cost {
    fn new(region: Region, (width, height): (u32, u32), filter: Filter) -> Cost {
        let scale = (region.width / f64::from(width), region.height / f64::from(height));
        // `fast_image_resize` skips the pass of an axis whose size and offset stay whole.
        let needed = |from: f64, to: u32, offset: f64| from != f64::from(to) || offset.fract() != 0.0;
        // The kernel widens when shrinking.
        let taps = |scale: f64, needed: bool| {
            if needed { (2.0 * filter.support() * scale.max(1.0)).ceil() + 1.0 } else { 0.0 }
        };
        Cost {
            scale,
            taps: (
                taps(scale.0, needed(region.width, width, region.left)),
                taps(scale.1, needed(region.height, height, region.top)),
            ),
            region_width: region.width.ceil().max(1.0),
            evaluation: filter.evaluation_cost(),
            width,
        }
    }

    /// Source columns the vertical pass of a tile `columns` wide filters.
    fn source_columns(&self, columns: u32) -> f64 {
        (f64::from(columns) * self.scale.0).min(self.region_width) + self.taps.0
    }

    /// The cost of a tile of `rows` x `columns` destination pixels.
    fn of(&self, Tiling { rows, columns }: Tiling) -> f64 {
        let (rows_f, width) = (f64::from(rows), f64::from(columns));
        let weights = self.evaluation * (width * self.taps.0 + rows_f * self.taps.1);
        let filtering = rows_f * (self.source_columns(columns) * self.taps.1 + width * self.taps.0);
        let copy = if columns < self.width { rows_f * width } else { 0.0 };
        TILE_SETUP + weights + filtering + copy
    }

    /// Bytes of the intermediate image of a tile (there is one only when both passes run).
    fn temp_bytes(&self, Tiling { rows, columns }: Tiling) -> f64 {
        let both = self.taps.0 > 0.0 && self.taps.1 > 0.0;
        if both { self.source_columns(columns) * 4.0 * f64::from(rows) } else { 0.0 }
    }
}

/// How [`resample`] divides the destination: tiles of `rows` x `columns` pixels (fewer at the
/// right and bottom edges).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tiling {
    rows: u32,
    columns: u32,
}

/// The tiling of the least estimated total cost among those whose tiles cost at most
/// [`TILE_WORK`] and need at most [`TILE_TEMP_BYTES`] (or, if none does, the one of the
/// cheapest tiles); one tile for small resamples. Tiles are a power-of-two fraction of the
/// destination's width and height: tall tiles recompute the column weights less often, narrow
/// ones keep each tile short.
fn tiling(region: Region, (width, height): (u32, u32), filter: Filter) -> Tiling {
    let cost = Cost::new(region, (width, height), filter);
    let whole = Tiling { rows: height, columns: width };
    if let Ok(v) = std::env::var("PB_TILING") {
        let v: Vec<u32> = v.split(',').map(|x| x.parse().unwrap()).collect();
        return Tiling { rows: v[0].min(height), columns: v[1].min(width) };
    }
    if std::env::var("PB_SHOW").is_ok() {
        eprintln!("tiling for {region:?} -> {width}x{height}");
    }
    // TEMPORARY calibration hook
    let tile_work = std::env::var("PB_TILE_WORK").ok().and_then(|v| v.parse().ok()).unwrap_or(TILE_WORK);
    if cost.temp_bytes(whole) <= UNTILED_UP_TO_BYTES && cost.of(whole) <= tile_work {
        return whole;
    }
    let halvings = |size: u32| (0..=size.ilog2()).map(move |k| size.div_ceil(1 << k));
    let candidates = halvings(height).flat_map(|rows| halvings(width).map(move |columns| Tiling { rows, columns }));
    let total = |t: Tiling| f64::from(height.div_ceil(t.rows)) * f64::from(width.div_ceil(t.columns)) * cost.of(t);
    let fits = |t: &Tiling| cost.of(*t) <= tile_work && cost.temp_bytes(*t) <= TILE_TEMP_BYTES;
    let t = candidates
        .clone()
        .filter(fits)
        .min_by(|a, b| total(*a).total_cmp(&total(*b)))
        .or_else(|| candidates.min_by(|a, b| cost.of(*a).total_cmp(&cost.of(*b))))
        .unwrap_or(whole);
    if std::env::var("PB_SHOW").is_ok() {
        eprintln!("  -> {t:?} cost {:.1}M total {:.0}M", cost.of(t) / 1e6, total(t) / 1e6);
    }
    t
}

/// The share of [`resample`]'s progress that premultiplying a copy of the source takes.
const PREMULTIPLY_SHARE: f32 = 0.2;

/// Resamples `region` of an RGBA8 image of `src_width` x `src_height` to `size` (width and
/// height non-zero) with `filter`. `alpha` says whether the source's colour type has alpha:
/// then, if some pixel is translucent, the colours are filtered premultiplied by alpha.
///
/// Large resamples run in tiles of the destination (see [`tiling`]), each the same resample of
/// its share of `region` (whose filters read the source pixels around it, as for any region),
/// so that the intermediate image stays small and a cancel is seen between tiles, a few
/// milliseconds apart. The result equals one resample of the whole region except that
/// `fast_image_resize` picks its fixed-point precision from each tile's weights, so a few values
/// differ by a level or two (bounded by the tests), and a box filter's weight jumps from 0 to 1
/// where a tile's fractional offset rounds the other way. Small resamples (intermediate up to
/// 16 MiB, at most [`TILE_WORK`]) run as one tile, one call of `fast_image_resize`.
pub(crate) fn resample(
    pixels: &[u8],
    src_width: u32,
    src_height: u32,
    region: Region,
    size: (u32, u32),
    filter: Filter,
    alpha: bool,
) -> Result<Vec<u8>> {
    let sources = (src_width, src_height);
    let tiling = tiling(region, size, filter);
    // `fast_image_resize` copies a region of the destination's size at whole-pixel offsets,
    // and premultiplying would change such a copy (the colour under alpha 0).
    let copy = region.width == f64::from(size.0)
        && region.height == f64::from(size.1)
        && region.left.fract() == 0.0
        && region.top.fract() == 0.0;
    if !alpha || copy || crate::blur::is_opaque(pixels)? {
        return resample_in_tiles(pixels, sources, region, size, filter, false, tiling);
    }
    // Premultiplied once here rather than by `fast_image_resize`, which would premultiply a
    // copy of the whole source for every tile.
    let premultiplied = control::stage(0.0, PREMULTIPLY_SHARE, || premultiply(pixels, src_width))?;
    let resampled = control::stage(PREMULTIPLY_SHARE, 1.0, || {
        resample_in_tiles(&premultiplied, sources, region, size, filter, true, tiling)
    });
    if resampled.is_err() {
        discard(premultiplied);
    }
    resampled
}

/// A copy of the RGBA8 `pixels` (rows of `width`) with colour premultiplied by alpha, made by
/// `fast_image_resize` as it would make it (the same bits), in pieces that check for
/// cancellation.
fn premultiply(pixels: &[u8], width: u32) -> Result<Vec<u8>> {
    let row_bytes = width as usize * 4;
    let piece = rows_per_check(row_bytes) * row_bytes;
    let mut out = vec![0u8; pixels.len()];
    let progress = Progress::new(pixels.len() as u64);
    let mul_div = MulDiv::new();
    let outcome = out.par_chunks_mut(piece).zip(pixels.par_chunks(piece)).try_for_each(|(out, pixels)| {
        let rows = (pixels.len() / row_bytes) as u32;
        let source = ImageRef::new(width, rows, pixels, PixelType::U8x4).map_err(internal)?;
        let mut target = FirImage::from_slice_u8(width, rows, out, PixelType::U8x4).map_err(internal)?;
        mul_div.multiply_alpha(&source, &mut target).map_err(internal)?;
        progress.step(pixels.len() as u64)
    });
    keep(outcome, out)
}

/// Where one tile of [`resample_in_tiles`] writes its pixels.
enum Target<'a> {
    /// Whole rows of the output (the tile is as wide as the destination).
    Rows(&'a mut [u8]),
    /// The tile's part of each of its rows: it is resampled into a scratch buffer first.
    Pieces(Vec<&'a mut [u8]>),
}

/// One tile of [`resample_in_tiles`]: its first destination row and column, and its pixels.
struct Tile<'a> {
    row: u32,
    column: u32,
    target: Target<'a>,
}

/// [`resample`] in tiles, of `pixels` premultiplied by alpha if `premultiplied` (the tiles'
/// results are then divided by it). Each tile is the same resample of its share of `region`.
fn resample_in_tiles(
    pixels: &[u8],
    (src_width, src_height): (u32, u32),
    region: Region,
    (width, height): (u32, u32),
    filter: Filter,
    premultiplied: bool,
    tiling: Tiling,
) -> Result<Vec<u8>> {
    let source = ImageRef::new(src_width, src_height, pixels, PixelType::U8x4).map_err(internal)?;
    let row_bytes = width as usize * 4;
    let mut out = vec![0u8; row_bytes * height as usize];
    let mut tiles = Vec::new();
    for (band, rows) in out.chunks_mut(row_bytes * tiling.rows as usize).enumerate() {
        let row = band as u32 * tiling.rows;
        if tiling.columns == width {
            tiles.push(Tile { row, column: 0, target: Target::Rows(rows) });
            continue;
        }
        let strips = width.div_ceil(tiling.columns) as usize;
        let mut pieces: Vec<Vec<&mut [u8]>> = (0..strips).map(|_| Vec::new()).collect();
        for output_row in rows.chunks_exact_mut(row_bytes) {
            for (strip, piece) in pieces.iter_mut().zip(output_row.chunks_mut(tiling.columns as usize * 4)) {
                strip.push(piece);
            }
        }
        tiles.extend(pieces.into_iter().zip(0..).map(|(pieces, strip)| Tile {
            row,
            column: strip * tiling.columns,
            target: Target::Pieces(pieces),
        }));
    }
    // Where a tile starts and how far it reaches in the source, along one axis: the last tile
    // ends exactly where the region does, whatever the rounding.
    let span = |start: f64, length: f64, first: u32, count: u32, total: u32| {
        let per_pixel = length / f64::from(total);
        let from = start + f64::from(first) * per_pixel;
        let to = if first + count == total { start + length - from } else { f64::from(count) * per_pixel };
        (from, to)
    };
    let progress = Progress::new(u64::from(width) * u64::from(height));
    let outcome = tiles.into_par_iter().try_for_each_init(
        || (Resizer::new(), MulDiv::new(), Vec::new()),
        |(resizer, mul_div, scratch), Tile { row, column, mut target }| {
            let t0 = std::time::Instant::now();
            struct Show(std::time::Instant, u32, u32);
            impl Drop for Show {
                fn drop(&mut self) {
                    if std::env::var("PB_SHOW").is_ok() {
                        eprintln!("tile {} {}: {:.1} ms", self.1, self.2, self.0.elapsed().as_secs_f64() * 1e3);
                    }
                }
            }
            let _show = Show(t0, row, column);
            let rows = match &target {
                Target::Rows(rows) => (rows.len() / row_bytes) as u32,
                Target::Pieces(pieces) => pieces.len() as u32,
            };
            let columns = tiling.columns.min(width - column);
            let (top, source_height) = span(region.top, region.height, row, rows, height);
            // A tile as wide as the destination takes the region's columns as they are (rows
            // always went through `span`): a single tile is the one call it always was.
            let (left, source_width) = if columns == width {
                (region.left, region.width)
            } else {
                span(region.left, region.width, column, columns, width)
            };
            let options = ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(filter.fir()))
                .crop(left, top, source_width, source_height)
                .use_alpha(false);
            let pixels: &mut [u8] = match &mut target {
                Target::Rows(rows) => rows,
                Target::Pieces(_) => {
                    scratch.resize(columns as usize * rows as usize * 4, 0);
                    scratch
                }
            };
            let mut image = FirImage::from_slice_u8(columns, rows, pixels, PixelType::U8x4).map_err(internal)?;
            resizer.resize(&source, &mut image, &options).map_err(internal)?;
            if premultiplied {
                mul_div.divide_alpha_inplace(&mut image).map_err(internal)?;
            }
            if let Target::Pieces(pieces) = target {
                for (piece, resampled) in pieces.into_iter().zip(scratch.chunks_exact(columns as usize * 4)) {
                    piece.copy_from_slice(resampled);
                }
            }
            progress.step(u64::from(rows) * u64::from(columns))
        },
    );
    keep(outcome, out)
}

/// `fast_image_resize` only fails on inconsistent arguments, which the callers rule out.
fn internal(err: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("resize: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photograph-like test pattern: smooth gradients with sharp edges and noise.
    fn pattern(width: u32, height: u32) -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let edge = if (x / 37 + y / 23) % 2 == 0 { 60 } else { 0 };
                let noise = state % 24;
                [((x * 3 + edge + noise) % 256) as u8, ((y * 5 + noise) % 256) as u8, ((x + y + edge) % 256) as u8, 255]
            })
            .collect()
    }

    #[test]
    fn tiles_match_one_resample_of_the_whole_region() {
        let (w, h) = (613, 701);
        let pixels = pattern(w, h);
        let regions = [Region::whole(w, h), Region { left: 17.0, top: 31.5, width: 500.25, height: 600.0 }];
        for region in regions {
            for size in [(551, 631), (200, 97), (613, 1400), (64, 700)] {
                for filter in [Filter::Lanczos3, Filter::CatmullRom, Filter::Triangle] {
                    let one = Tiling { rows: size.1, columns: size.0 };
                    let whole = resample_in_tiles(&pixels, (w, h), region, size, filter, false, one).unwrap();
                    for (rows, columns) in
                        [(1, size.0), (7, size.0), (32, size.0), (100, size.0), (size.1, 64), (33, 100)]
                    {
                        let tiling = Tiling { rows, columns };
                        let tiled = resample_in_tiles(&pixels, (w, h), region, size, filter, false, tiling).unwrap();
                        let worst = whole.iter().zip(&tiled).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
                        let differing = whole.iter().zip(&tiled).filter(|(a, b)| a != b).count();
                        assert!(
                            worst <= 2 && differing * 50 <= whole.len(),
                            "{region:?} -> {size:?} {filter:?} in tiles of {tiling:?}: \
                             {differing} bytes differ, by up to {worst}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn tiles_check_for_cancellation_and_report_progress() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};

        use crate::control::Job;

        let (w, h) = (613, 701);
        let pixels = pattern(w, h);
        let (region, size, tiling) = (Region::whole(w, h), (400, 500), Tiling { rows: 64, columns: 150 });
        let resampled = || resample_in_tiles(&pixels, (w, h), region, size, Filter::Lanczos3, false, tiling);
        let plain = resampled().unwrap();
        for cancel_at in [None, Some(0.3)] {
            let flag = Arc::new(AtomicBool::new(false));
            let seen = Arc::new(Mutex::new(Vec::new()));
            let (sink, cancel) = (Arc::clone(&seen), Arc::clone(&flag));
            let job = Job::new(
                flag,
                Some(Arc::new(move |fraction| {
                    sink.lock().unwrap().push(fraction);
                    if cancel_at.is_some_and(|at| fraction >= at) {
                        cancel.store(true, Ordering::Relaxed);
                    }
                })),
            );
            let result = job.run(resampled);
            let seen = seen.lock().unwrap();
            assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{seen:?}");
            match cancel_at {
                None => assert!(result.unwrap() == plain && seen.len() > 10 && *seen.last().unwrap() == 1.0),
                Some(at) => {
                    assert!(matches!(result, Err(Error::Cancelled(_))), "{result:?}");
                    assert!(seen.last().is_some_and(|&last| last >= at && last < 0.5), "{seen:?}");
                }
            }
        }
    }

    #[test]
    fn premultiplying_first_gives_what_fast_image_resize_gives() {
        // `resample` premultiplies the source itself, once, and has `fast_image_resize` filter
        // the premultiplied copy: the bits must be those of its own premultiplied resample.
        let (w, h) = (173, 91);
        let mut pixels = pattern(w, h);
        for (i, px) in pixels.chunks_exact_mut(4).enumerate() {
            px[3] = (i * 37 % 256) as u8;
        }
        let region = Region { left: 3.5, top: 2.0, width: 150.0, height: 80.25 };
        for size in [(60, 40), (300, 170)] {
            let ours = resample(&pixels, w, h, region, size, Filter::Lanczos3, true).unwrap();
            let source = ImageRef::new(w, h, &pixels, PixelType::U8x4).unwrap();
            let mut theirs = FirImage::new(size.0, size.1, PixelType::U8x4);
            let options = ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
                .crop(region.left, region.top, region.width, region.height)
                .use_alpha(true);
            Resizer::new().resize(&source, &mut theirs, &options).unwrap();
            assert!(ours == theirs.buffer(), "{size:?}");
        }
    }

    #[test]
    fn tiles_are_cheap_and_few_and_small_resamples_are_one_call() {
        let whole = |w, h| Region::whole(w, h);
        assert_eq!(tiling(whole(640, 427), (150, 100), Filter::Lanczos3), Tiling { rows: 100, columns: 150 });
        for (source, size, filter) in [
            ((16384, 16384), (8192, 8192), Filter::Lanczos3),
            ((16384, 16384), (1024, 1024), Filter::Lanczos3),
            ((16384, 16384), (64, 64), Filter::Triangle),
            ((4000, 3000), (12000, 9000), Filter::CatmullRom),
        ] {
            let region = whole(source.0, source.1);
            let cost = Cost::new(region, size, filter);
            let tiles = tiling(region, size, filter);
            assert!(cost.of(tiles) <= TILE_WORK, "{source:?} -> {size:?}: {tiles:?} costs {}", cost.of(tiles));
            // The weights recomputed per tile add at most a fifth to the work.
            let count = f64::from(size.0.div_ceil(tiles.columns) * size.1.div_ceil(tiles.rows));
            let alone = cost.of(Tiling { rows: size.1, columns: size.0 });
            assert!(count * cost.of(tiles) <= 1.2 * alone, "{source:?} -> {size:?}: {tiles:?}");
        }
    }
}
