//! Convolution resampling of RGBA8 buffers on `fast_image_resize` (SIMD, rows spread over
//! rayon's threads), with premultiplied alpha.
//!
//! Alpha: colours are multiplied by alpha before filtering and divided after, so a fully
//! transparent pixel's (invisible) colour never bleeds into its visible neighbours. That pass
//! needs a premultiplied copy of the source, so it is skipped when every pixel is opaque
//! (every decoded JPEG), where it would change nothing.

#![forbid(unsafe_code)]

use fast_image_resize::images::{Image as FirImage, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use rayon::prelude::*;

use crate::error::{Error, Result};

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

/// Whether any pixel of an RGBA8 buffer is not fully opaque. Stops at the first one, so
/// images with transparency pay almost nothing.
pub(crate) fn has_transparency(pixels: &[u8]) -> bool {
    pixels.as_chunks::<4>().0.iter().any(|p| p[3] != 255)
}

/// Bytes of `fast_image_resize`'s intermediate image per band of [`resample`]: its vertical
/// pass (first, for 8-bit pixels) fills an image as wide as the source region and as tall as
/// the destination, which for a 24 MP photograph shrunk to 90 % is 79 MB, as much as the result.
/// Bands of destination rows bound it to about this size; bands much smaller start to cost
/// time (each recomputes its filter weights and splits over the threads again).
const BAND_TEMP_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Resamples whose whole intermediate would be at most this large run as one band: the
/// saving would be small, and small images keep exactly the single-resample result.
const BANDED_ABOVE_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// Fewest destination rows per band.
const MIN_BAND_ROWS: u32 = 32;

/// Resamples `region` of an RGBA8 image of `src_width` x `src_height` to `size` (width and
/// height non-zero) with `filter`. `premultiply` says whether to filter with premultiplied alpha
/// (pass [`has_transparency`] of the source, or `false` for an opaque source).
///
/// Opaque sources are resampled in bands of destination rows, each band the same resample of
/// its share of `region` (whose filters read the source rows around it, as for any region),
/// so that the intermediate image stays small; the result equals one resample of the whole
/// region except that `fast_image_resize` picks its fixed-point precision from each band's
/// weights, so a few values differ by a level or two (bounded by the tests). Small resamples
/// (intermediate up to 16 MiB) run as one band. So do premultiplied ones (`fast_image_resize`
/// premultiplies a copy of the whole source per call) and box filters, whose weights jump
/// from 0 to 1 where a band's fractional offset can round either way.
pub(crate) fn resample(
    pixels: &[u8],
    src_width: u32,
    src_height: u32,
    region: Region,
    (width, height): (u32, u32),
    filter: Filter,
    premultiply: bool,
) -> Result<Vec<u8>> {
    let temp_bytes = region.width.ceil() * 4.0 * f64::from(height);
    let band_rows = if premultiply || filter == Filter::Box || temp_bytes <= BANDED_ABOVE_BYTES {
        height
    } else {
        ((BAND_TEMP_BYTES / (region.width.ceil().max(1.0) * 4.0)) as u32).max(MIN_BAND_ROWS)
    };
    resample_in_bands(pixels, (src_width, src_height), region, (width, height), filter, premultiply, band_rows)
}

fn resample_in_bands(
    pixels: &[u8],
    (src_width, src_height): (u32, u32),
    region: Region,
    (width, height): (u32, u32),
    filter: Filter,
    premultiply: bool,
    band_rows: u32,
) -> Result<Vec<u8>> {
    let source = ImageRef::new(src_width, src_height, pixels, PixelType::U8x4).map_err(internal)?;
    let row_bytes = width as usize * 4;
    let mut out = vec![0u8; row_bytes * height as usize];
    let rows_per_source_row = region.height / f64::from(height);
    // Bands run in parallel, each with its own resizer (and intermediate image).
    out.par_chunks_mut(row_bytes * band_rows as usize).enumerate().try_for_each_init(
        Resizer::new,
        |resizer, (band, rows)| {
            let first = band as u32 * band_rows;
            let band_height = (rows.len() / row_bytes) as u32;
            let top = region.top + f64::from(first) * rows_per_source_row;
            // The last band ends exactly where the region does, whatever the rounding above.
            let source_height = if first + band_height == height {
                region.top + region.height - top
            } else {
                f64::from(band_height) * rows_per_source_row
            };
            let mut target = FirImage::from_slice_u8(width, band_height, rows, PixelType::U8x4).map_err(internal)?;
            let options = ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(filter.fir()))
                .crop(region.left, top, region.width, source_height)
                .use_alpha(premultiply);
            resizer.resize(&source, &mut target, &options).map_err(internal)
        },
    )?;
    Ok(out)
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
    fn bands_match_one_resample_of_the_whole_region() {
        let (w, h) = (613, 701);
        let pixels = pattern(w, h);
        let regions = [Region::whole(w, h), Region { left: 17.0, top: 31.5, width: 500.25, height: 600.0 }];
        for region in regions {
            for size in [(551, 631), (200, 97), (613, 1400), (64, 700)] {
                for filter in [Filter::Lanczos3, Filter::CatmullRom, Filter::Triangle] {
                    let whole = resample_in_bands(&pixels, (w, h), region, size, filter, false, size.1).unwrap();
                    for band_rows in [1, 7, 32, 100] {
                        let banded =
                            resample_in_bands(&pixels, (w, h), region, size, filter, false, band_rows).unwrap();
                        let worst = whole.iter().zip(&banded).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
                        let differing = whole.iter().zip(&banded).filter(|(a, b)| a != b).count();
                        assert!(
                            worst <= 2 && differing * 50 <= whole.len(),
                            "{region:?} -> {size:?} {filter:?} in bands of {band_rows}: \
                             {differing} bytes differ, by up to {worst}"
                        );
                    }
                }
            }
        }
    }
}
