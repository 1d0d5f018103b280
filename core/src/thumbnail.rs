//! One-call thumbnails: shrink-on-load decode, then one high-quality resize of just the part of
//! the image that is kept.

#![forbid(unsafe_code)]

use std::path::Path;

use crate::control;
use crate::decode::{READ_SHARE, Source, decode_sized, read_file};
use crate::error::Result;
use crate::model::Image;
use crate::ops::{check_new_size, discard};
use crate::resample::{self, Filter, Region};
use crate::types::{ThumbnailFit, ThumbnailOptions};

/// How much larger than the thumbnail (before any crop) the shrink-on-load decode must stay,
/// as a fraction (numerator, denominator).
///
/// DCT scaling keeps each 8x8 (4x4, 2x2) block's mean, which is exactly an area average of the
/// block, but leaves blocky detail that the final resize must smooth. With no margin (1), a
/// 4K -> 400 px thumbnail decodes at 1/8 (480 px) and the resize has a factor of 1.2 left:
/// 29.37 dB PSNR against an exact area reduction, 0.21 dB below NetVips. With 3/2 it decodes
/// at 1/4 (960 px; both scales are exact and two-threaded in [`crate::fastjpeg`]) and reaches
/// 29.76 dB; a 24 MP -> 400 px thumbnail still decodes at 1/8 (750 px, a factor of 1.9 left).
/// libvips' `vips_thumbnail` leaves a factor of 2, which would send the 24 MP case to 1/4 too,
/// for 2.3x the decoding work and no measured gain.
const SHRINK_ON_LOAD_MARGIN: (u32, u32) = (3, 2);

/// Above this remaining reduction factor on either axis, an area (box) average first brings
/// the image to [`PRE_REDUCE_TARGET`] times the output size: a cubic over a large factor reads
/// `4 * factor` source pixels per output pixel and axis, the box average about `factor`, and the
/// final pass over a factor of 2 keeps the quality.
const PRE_REDUCE_ABOVE: f64 = 4.0;

/// The filter of the resize that finishes a thumbnail. Catmull-Rom rather than Lanczos3: its
/// single negative lobe rings less, which measured 0.18 dB closer to an exact area reduction on
/// the benchmark's 4K mosaic (after a 1/4 decode, JPEG q80) and 0.07 dB at 24 MP, with 3 %
/// smaller JPEGs; Pillow's `thumbnail` and ImageSharp's `Resize` default to the same cubic.
const FINAL_FILTER: Filter = Filter::CatmullRom;

/// See [`PRE_REDUCE_ABOVE`].
const PRE_REDUCE_TARGET: u32 = 2;

/// The share of a thumbnail's progress that decoding takes; the rest is the resize.
const DECODE_SHARE: f32 = 0.7;

/// The share of the resize that the area average before the final resize takes, when there is
/// one (it reads the whole decoded image; the final resize only its small result).
const PRE_REDUCE_SHARE: f32 = 0.8;

/// The sizes and the source rectangle of a thumbnail, in upright full-size source pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plan {
    /// The thumbnail's size.
    output: (u32, u32),
    /// The size the whole source would have at the thumbnail's scale (equal to `output`
    /// except for `Cover`, whose excess is cropped).
    scaled_whole: (u32, u32),
    /// The part of the source that ends up in the thumbnail.
    region: Region,
}

/// `round(a * b / c)` in integers (half up), at least 1; all factors below 2^32.
fn scale_round(a: u32, b: u32, c: u32) -> u32 {
    let (a, b, c) = (u64::from(a), u64::from(b), u64::from(c));
    let rounded = (2 * a * b + c) / (2 * c);
    // Callers scale by a factor whose result is bounded by a u32 box; saturate all the same.
    u32::try_from(rounded).unwrap_or(u32::MAX).max(1)
}

fn plan(source: (u32, u32), target: (u32, u32), fit: ThumbnailFit, allow_upscale: bool) -> Plan {
    let (sw, sh) = source;
    let (bw, bh) = target;
    let whole = Region::whole(sw, sh);
    // Whether the width decides the scale (bw / sw <= bh / sh), compared exactly.
    let width_limits = u64::from(bw) * u64::from(sh) <= u64::from(bh) * u64::from(sw);
    match fit {
        ThumbnailFit::Contain => {
            let output = if !allow_upscale && sw <= bw && sh <= bh {
                source
            } else if width_limits {
                (bw, scale_round(sh, bw, sw))
            } else {
                (scale_round(sw, bh, sh), bh)
            };
            Plan { output, scaled_whole: output, region: whole }
        }
        ThumbnailFit::Fill => {
            let output = if allow_upscale { target } else { (bw.min(sw), bh.min(sh)) };
            Plan { output, scaled_whole: output, region: whole }
        }
        ThumbnailFit::Cover => {
            // The larger of the two scales covers the box.
            let mut scaled_whole =
                if width_limits { (scale_round(sw, bh, sh), bh) } else { (bw, scale_round(sh, bw, sw)) };
            if !allow_upscale && (scaled_whole.0 > sw || scaled_whole.1 > sh) {
                scaled_whole = source;
            }
            let output = (bw.min(scaled_whole.0), bh.min(scaled_whole.1));
            // The kept fraction of each axis, centred.
            let width = f64::from(sw) * f64::from(output.0) / f64::from(scaled_whole.0);
            let height = f64::from(sh) * f64::from(output.1) / f64::from(scaled_whole.1);
            let region =
                Region { left: (f64::from(sw) - width) / 2.0, top: (f64::from(sh) - height) / 2.0, width, height };
            Plan { output, scaled_whole, region }
        }
    }
}

impl Image {
    /// Makes a thumbnail of the encoded image in `bytes`, fitted to a `width` x `height` box.
    ///
    /// The EXIF orientation is applied first, so the box is fitted to the upright image.
    /// [`ThumbnailFit`] says how: `Contain` keeps the whole image inside the box (one side equals
    /// the box's), `Cover` fills the box and crops the excess equally on both sides, `Fill`
    /// stretches to the box. Sizes are rounded to the nearest pixel (at least 1). Unless
    /// [`ThumbnailOptions::allow_upscale`] is set, nothing is enlarged: a source smaller than
    /// the box keeps its size (`Contain`), keeps its size on the axes where it is smaller than
    /// the box (`Fill`), or is cropped to the box at its own scale (`Cover`).
    ///
    /// JPEG sources are decoded with shrink-on-load ([`crate::DecodeOptions::min_size`]) at the
    /// smallest DCT scale that still leaves at least 1.5 times the thumbnail's size, so a large
    /// photograph is never held at full size; the rest is a Catmull-Rom (bicubic) resize of just
    /// the kept region (after an area average when the remaining factor exceeds 4). Other
    /// formats are decoded at full size first. Transparent sources are resized with
    /// premultiplied alpha. The result is an ordinary image with the source's colour type.
    ///
    /// Errors: a zero or over-limit box is [`crate::Error::InvalidArgument`]; decoding errors as
    /// for [`Image::decode_with_limits`] with [`ThumbnailOptions::limits`] (which apply to the
    /// source's full size).
    pub fn thumbnail(
        bytes: &[u8],
        width: u32,
        height: u32,
        fit: ThumbnailFit,
        options: &ThumbnailOptions,
    ) -> Result<Image> {
        thumbnail_from(bytes, &Source::Memory(bytes.len()), (width, height), fit, options)
    }

    /// [`Image::thumbnail`] of the image file at `path` (read into memory whole); file errors as
    /// for [`Image::open_with_limits`].
    pub fn thumbnail_file(
        path: &Path,
        width: u32,
        height: u32,
        fit: ThumbnailFit,
        options: &ThumbnailOptions,
    ) -> Result<Image> {
        check_new_size("thumbnail", width, height)?;
        let bytes = control::stage(0.0, READ_SHARE, || read_file(path))?;
        let thumbnail = control::stage(READ_SHARE, 1.0, || {
            thumbnail_from(&bytes, &Source::File(path), (width, height), fit, options)
        });
        // Freeing a large buffer takes a while: not on this thread (see `discard`).
        discard(bytes);
        thumbnail
    }
}

fn thumbnail_from(
    bytes: &[u8],
    source: &Source<'_>,
    target: (u32, u32),
    fit: ThumbnailFit,
    options: &ThumbnailOptions,
) -> Result<Image> {
    check_new_size("thumbnail", target.0, target.1)?;
    let mut planned = None;
    let (image, upright) = control::stage(0.0, DECODE_SHARE, || {
        decode_sized(bytes, &options.limits, false, false, source, |upright| {
            let p = plan(upright, target, fit, options.allow_upscale);
            planned = Some(p);
            let (numerator, denominator) = SHRINK_ON_LOAD_MARGIN;
            let margin = |v: u32| {
                (u64::from(v) * u64::from(numerator)).div_ceil(u64::from(denominator)).min(u64::from(u32::MAX)) as u32
            };
            Some((margin(p.scaled_whole.0), margin(p.scaled_whole.1)))
        })
    })?;
    // Formats other than JPEG never ask for a minimum size: plan from the decoded size.
    let plan = planned.unwrap_or_else(|| plan(upright, target, fit, options.allow_upscale));
    let (profile, metadata) = (image.profile, if options.keep_metadata { image.metadata.clone() } else { None });
    let mut thumbnail = control::stage(DECODE_SHARE, 1.0, || fit_decoded(image, upright, &plan))?;
    (thumbnail.profile, thumbnail.metadata) = (profile, metadata);
    Ok(thumbnail)
}

/// Resizes the plan's region of `image` (the source decoded at full size or scaled down from
/// `upright`) to the plan's output size.
fn fit_decoded(image: Image, upright: (u32, u32), plan: &Plan) -> Result<Image> {
    let sx = f64::from(image.width) / f64::from(upright.0);
    let sy = f64::from(image.height) / f64::from(upright.1);
    let (left, top) = (plan.region.left * sx, plan.region.top * sy);
    // Scaling can put the far edge a rounding error past the decoded image (213 rows decoded at
    // 1/2 are 107: 213 * (107 / 213) is 107.00000000000001), which the resampler refuses.
    let region = Region {
        left,
        top,
        width: (plan.region.width * sx).min(f64::from(image.width) - left),
        height: (plan.region.height * sy).min(f64::from(image.height) - top),
    };
    let whole = Region::whole(image.width, image.height);
    if plan.output == (image.width, image.height) && region == whole {
        return Ok(image);
    }
    let alpha = image.color_type.has_alpha();
    let (out_w, out_h) = plan.output;
    let factor = (region.width / f64::from(out_w)).max(region.height / f64::from(out_h));
    let (pixels, width, height, region, final_from) = if factor > PRE_REDUCE_ABOVE {
        let size = (out_w.saturating_mul(PRE_REDUCE_TARGET), out_h.saturating_mul(PRE_REDUCE_TARGET));
        let reduced = control::stage(0.0, PRE_REDUCE_SHARE, || {
            resample::resample(&image.pixels, image.width, image.height, region, size, Filter::Box, alpha)
        });
        // Freeing a large decoded image takes a while: not on this thread (see `discard`).
        discard(image.pixels);
        (reduced?, size.0, size.1, Region::whole(size.0, size.1), PRE_REDUCE_SHARE)
    } else {
        (image.pixels, image.width, image.height, region, 0.0)
    };
    let resampled = control::stage(final_from, 1.0, || {
        resample::resample(&pixels, width, height, region, plan.output, FINAL_FILTER, alpha)
    });
    discard(pixels);
    Ok(Image::from_parts(out_w, out_h, resampled?, image.color_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_decode_whose_size_rounds_up_stays_inside_the_region() {
        // 320 x 213 decoded at 1/2 is 160 x 107; the scaled region used to end past row 107.
        let image = Image::from_rgba8(160, 107, [7, 7, 7, 255].repeat(160 * 107)).unwrap();
        let p = plan((320, 213), (80, 80), ThumbnailFit::Contain, false);
        let thumbnail = fit_decoded(image, (320, 213), &p).unwrap();
        assert_eq!((thumbnail.width, thumbnail.height), (80, 53));
        assert!(thumbnail.pixels.chunks(4).all(|px| px == [7, 7, 7, 255]));
    }

    #[test]
    fn contain_keeps_the_aspect_and_touches_the_box() {
        let p = plan((6000, 4000), (400, 400), ThumbnailFit::Contain, false);
        assert_eq!(p.output, (400, 267)); // 4000 * 400 / 6000 = 266.67
        assert_eq!(plan((4000, 6000), (400, 400), ThumbnailFit::Contain, false).output, (267, 400));
        assert_eq!(plan((100, 50), (400, 400), ThumbnailFit::Contain, false).output, (100, 50));
        assert_eq!(plan((100, 50), (400, 400), ThumbnailFit::Contain, true).output, (400, 200));
        assert_eq!(plan((10000, 1), (100, 100), ThumbnailFit::Contain, false).output, (100, 1));
    }

    #[test]
    fn cover_crops_the_centre() {
        let p = plan((6000, 4000), (400, 400), ThumbnailFit::Cover, false);
        assert_eq!(p.output, (400, 400));
        assert_eq!(p.scaled_whole, (600, 400));
        assert_eq!(p.region, Region { left: 1000.0, top: 0.0, width: 4000.0, height: 4000.0 });
        // Smaller than the box without upscaling: cropped at its own scale.
        let p = plan((300, 100), (200, 200), ThumbnailFit::Cover, false);
        assert_eq!((p.output, p.scaled_whole), ((200, 100), (300, 100)));
        assert_eq!(p.region, Region { left: 50.0, top: 0.0, width: 200.0, height: 100.0 });
    }

    #[test]
    fn fill_stretches_but_does_not_upscale_unless_asked() {
        assert_eq!(plan((6000, 4000), (300, 300), ThumbnailFit::Fill, false).output, (300, 300));
        assert_eq!(plan((100, 4000), (300, 300), ThumbnailFit::Fill, false).output, (100, 300));
        assert_eq!(plan((100, 4000), (300, 300), ThumbnailFit::Fill, true).output, (300, 300));
    }
}
