//! Independent checks of thumbnail cases (`"thumbnail"` in the manifest, format in
//! `docs/design.md`): the fit rules written out from the documentation of `Image::thumbnail`,
//! an f64 area-average reduction to measure the quality against, PSNR, and the generator of
//! the EXIF-rotated test file.

pub use pixbridge::ThumbnailFit as Fit;

use crate::reference::Rgba;

/// The `"thumbnail"` object of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thumbnail {
    /// Box width.
    pub width: u32,
    /// Box height.
    pub height: u32,
    /// How the image is fitted to the box.
    pub fit: Fit,
    /// Whether a source smaller than the box may be enlarged.
    pub allow_upscale: bool,
}

/// The expected thumbnail of a `source` (upright, full-size) image: its size and the part of
/// the source it shows, as `(left, top, width, height)` in source pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitted {
    /// Output size.
    pub size: (u32, u32),
    /// The source rectangle shown (the whole source except for `Cover`).
    pub region: (f64, f64, f64, f64),
}

/// `round(value)`, half up, at least 1.
fn round_at_least_1(value: f64) -> u32 {
    (value + 0.5).floor().max(1.0) as u32
}

/// The fit rules as `Image::thumbnail` documents them. `Contain`: the largest size with the
/// source's aspect ratio inside the box (the limiting side equals the box's, the other rounded
/// to nearest, at least 1); `Cover`: the smallest such size covering the box, then the box cut
/// from its centre; `Fill`: the box. Without `allow_upscale` nothing is enlarged: `Contain`
/// keeps a source that fits the box, `Fill` keeps the source's side where it is smaller than
/// the box's, and `Cover` crops the box from the source at its own scale when covering would
/// enlarge it.
pub fn fit(source: (u32, u32), thumbnail: &Thumbnail) -> Fitted {
    let (sw, sh) = (f64::from(source.0), f64::from(source.1));
    let (bw, bh) = (thumbnail.width, thumbnail.height);
    let whole = (0.0, 0.0, sw, sh);
    // Scales compared in exact integer products: bw / sw <= bh / sh.
    let width_limits = u64::from(bw) * u64::from(source.1) <= u64::from(bh) * u64::from(source.0);
    match thumbnail.fit {
        Fit::Contain => {
            let size = if !thumbnail.allow_upscale && source.0 <= bw && source.1 <= bh {
                source
            } else if width_limits {
                (bw, round_at_least_1(sh * f64::from(bw) / sw))
            } else {
                (round_at_least_1(sw * f64::from(bh) / sh), bh)
            };
            Fitted { size, region: whole }
        }
        Fit::Fill => {
            let size = if thumbnail.allow_upscale { (bw, bh) } else { (bw.min(source.0), bh.min(source.1)) };
            Fitted { size, region: whole }
        }
        Fit::Cover => {
            // Covering scales the source so that its other side is the box's.
            let covering = if width_limits {
                (round_at_least_1(sw * f64::from(bh) / sh), bh)
            } else {
                (bw, round_at_least_1(sh * f64::from(bw) / sw))
            };
            let enlarges = covering.0 > source.0 || covering.1 > source.1;
            let scaled = if enlarges && !thumbnail.allow_upscale { source } else { covering };
            let size = (bw.min(scaled.0), bh.min(scaled.1));
            // The shown part of each axis, centred.
            let width = sw * f64::from(size.0) / f64::from(scaled.0);
            let height = sh * f64::from(size.1) / f64::from(scaled.1);
            Fitted { size, region: ((sw - width) / 2.0, (sh - height) / 2.0, width, height) }
        }
    }
}

/// For one axis: the source pixels each output pixel covers, with the covered fraction of
/// each as its weight (normalised to sum 1). Output pixel `i` covers source positions
/// `[start + i * step, start + (i + 1) * step)` with `step = length / count`.
fn coverage(start: f64, length: f64, count: u32, source_len: u32) -> Vec<Vec<(usize, f64)>> {
    let step = length / f64::from(count);
    (0..count)
        .map(|i| {
            let (from, to) = (start + f64::from(i) * step, start + f64::from(i + 1) * step);
            let first = from.floor().max(0.0) as usize;
            let last = (to.ceil() as usize).min(source_len as usize);
            let taps: Vec<(usize, f64)> = (first..last)
                .map(|j| (j, (to.min(j as f64 + 1.0) - from.max(j as f64)).max(0.0)))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            let total: f64 = taps.iter().map(|(_, w)| w).sum();
            taps.into_iter().map(|(j, w)| (j, w / total)).collect()
        })
        .collect()
}

/// The area average (box filter with fractional coverage) of `region` of `src` at `size`, in
/// f64 with premultiplied alpha: premultiplied RGBA per output pixel.
pub fn area_average(src: &Rgba, region: (f64, f64, f64, f64), size: (u32, u32)) -> Vec<[f64; 4]> {
    let columns = coverage(region.0, region.2, size.0, src.width);
    let rows = coverage(region.1, region.3, size.1, src.height);
    let mut out = Vec::with_capacity(size.0 as usize * size.1 as usize);
    for row in &rows {
        for column in &columns {
            let mut acc = [0f64; 4];
            for &(y, wy) in row {
                for &(x, wx) in column {
                    let p = src.at(x as u32, y as u32);
                    let a = f64::from(p[3]);
                    let w = wx * wy;
                    for c in 0..3 {
                        acc[c] += w * f64::from(p[c]) * a / 255.0;
                    }
                    acc[3] += w * a;
                }
            }
            out.push(acc);
        }
    }
    out
}

/// PSNR in dB of an image against a premultiplied reference: `(colour, alpha)`, colour over
/// the premultiplied R, G and B (for an opaque image, plain RGB), alpha over the alpha channel
/// (infinite when it matches exactly).
pub fn psnr(actual: &Rgba, reference: &[[f64; 4]]) -> (f64, f64) {
    assert_eq!(actual.pixels.len(), reference.len() * 4);
    let (mut colour, mut alpha) = (0f64, 0f64);
    for (p, r) in actual.pixels.chunks_exact(4).zip(reference) {
        let a = f64::from(p[3]);
        for c in 0..3 {
            colour += (f64::from(p[c]) * a / 255.0 - r[c]).powi(2);
        }
        alpha += (a - r[3]).powi(2);
    }
    // Below 1e-9 the error is the reference's f64 rounding (an opaque alpha summing to 255):
    // exact.
    let db = |sum: f64, count: usize| {
        let mse = sum / count as f64;
        if mse < 1e-9 { f64::INFINITY } else { 10.0 * (255f64.powi(2) / mse).log10() }
    };
    (db(colour, reference.len() * 3), db(alpha, reference.len()))
}
