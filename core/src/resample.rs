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
}

impl Filter {
    fn fir(self) -> FilterType {
        match self {
            Filter::Box => FilterType::Box,
            Filter::Triangle => FilterType::Bilinear,
            Filter::Lanczos3 => FilterType::Lanczos3,
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

/// Resamples `region` of an RGBA8 image of `src_width` x `src_height` to `size` (width and
/// height non-zero) with `filter`. `premultiply` says whether to filter with premultiplied alpha
/// (pass [`has_transparency`] of the source, or `false` for an opaque source).
pub(crate) fn resample(
    pixels: &[u8],
    src_width: u32,
    src_height: u32,
    region: Region,
    (width, height): (u32, u32),
    filter: Filter,
    premultiply: bool,
) -> Result<Vec<u8>> {
    let source = ImageRef::new(src_width, src_height, pixels, PixelType::U8x4).map_err(internal)?;
    let mut target = FirImage::new(width, height, PixelType::U8x4);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(filter.fir()))
        .crop(region.left, region.top, region.width, region.height)
        .use_alpha(premultiply);
    Resizer::new().resize(&source, &mut target, &options).map_err(internal)?;
    Ok(target.into_vec())
}

/// `fast_image_resize` only fails on inconsistent arguments, which the callers rule out.
fn internal(err: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("resize: {err}"))
}
