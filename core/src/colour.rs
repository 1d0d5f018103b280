//! Colour management: converting pixels decoded with an embedded ICC profile to sRGB.
//!
//! Decoders hand back the file's stored pixels; a photo from a current phone or camera stores
//! them in Display P3 or Adobe RGB and says so in its ICC profile. Shown or resized as if they
//! were sRGB they come out dull or shifted, so by default a decode converts them to sRGB here
//! (with `moxcms`, in floating point: its fixed-point path is a level off in places), and keeps
//! what the profile was in [`ColorProfile`].

#![forbid(unsafe_code)]

use std::sync::Arc;

use moxcms::{ColorProfile as IccProfile, DataColorSpace, Layout, ToneReprCurve, TransformOptions};
use rayon::prelude::*;

use crate::control::Progress;
use crate::error::Result;
use crate::model::Image;
pub use crate::types::ColorProfile;

/// Rows converted between two progress counts (and per rayon task).
const ROWS_PER_TASK: usize = 16;

/// How far (in linear 0-1 units) a profile's curves may be from sRGB's and still be sRGB: half
/// of an 8-bit level at its steepest, so that "sRGB" profiles written with different curve
/// tables are recognised and left alone, and anything that would change a pixel is not.
const SRGB_CURVE_TOLERANCE: f64 = 0.5 / 255.0 / 12.92;

/// How far a colorant may be from sRGB's (D50-adapted) and still be sRGB: profiles round the
/// values to s15.16 and adapt them with slightly different matrices.
const SRGB_COLORANT_TOLERANCE: f64 = 0.002;

/// What [`to_srgb`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conversion {
    /// The profile is sRGB (or near enough that no pixel would change): left alone.
    AlreadySrgb,
    /// The pixels were converted to sRGB.
    Converted,
    /// The profile cannot be used (unreadable, or a colour space other than RGB or grey):
    /// the pixels are left as they are.
    Unusable,
}

/// Converts `image`'s RGBA8 pixels from the colour space of the ICC profile `icc` to sRGB, in
/// place (alpha untouched).
pub(crate) fn to_srgb(image: &mut Image, icc: &[u8]) -> Result<Conversion> {
    let Ok(source) = IccProfile::new_from_slice(icc) else { return Ok(Conversion::Unusable) };
    let srgb = IccProfile::new_srgb();
    let options = TransformOptions { prefer_fixed_point: false, ..TransformOptions::default() };
    let (from, channels) = match source.color_space {
        DataColorSpace::Rgb if is_srgb(&source, &srgb) => return Ok(Conversion::AlreadySrgb),
        DataColorSpace::Rgb => (Layout::Rgba, 4),
        DataColorSpace::Gray => (Layout::Gray, 1),
        _ => return Ok(Conversion::Unusable),
    };
    let to = if channels == 4 { Layout::Rgba } else { Layout::Rgb };
    let Ok(transform) = source.create_transform_8bit(from, &srgb, to, options) else {
        return Ok(Conversion::Unusable);
    };
    let transform: Arc<moxcms::Transform8BitExecutor> = transform;
    let row_bytes = image.width as usize * 4;
    let progress = Progress::new(image.height.into());
    let band_rows = crate::ops::rows_per_check(row_bytes).max(ROWS_PER_TASK);
    for band in image.pixels.chunks_mut(band_rows * row_bytes) {
        band.par_chunks_mut(ROWS_PER_TASK * row_bytes).try_for_each_init(
            || (Vec::new(), Vec::new()),
            |(input, output): &mut (Vec<u8>, Vec<u8>), rows| {
                let pixels = rows.len() / 4;
                if channels == 4 {
                    input.clear();
                    input.extend_from_slice(rows);
                    output.resize(rows.len(), 0);
                    transform.transform(input, output).map_err(|e| cms_error(&e))?;
                    rows.copy_from_slice(output);
                } else {
                    // A grey image's pixels are R = G = B: convert the grey value, keep alpha.
                    input.clear();
                    input.extend(rows.as_chunks::<4>().0.iter().map(|px| px[0]));
                    output.resize(pixels * 3, 0);
                    transform.transform(input, output).map_err(|e| cms_error(&e))?;
                    for (px, rgb) in rows.as_chunks_mut::<4>().0.iter_mut().zip(output.as_chunks::<3>().0) {
                        px[..3].copy_from_slice(rgb);
                    }
                }
                Ok::<(), crate::Error>(())
            },
        )?;
        progress.step((band.len() / row_bytes) as u64)?;
    }
    Ok(Conversion::Converted)
}

fn cms_error(error: &moxcms::CmsError) -> crate::Error {
    crate::Error::Decode(format!("the colour conversion to sRGB failed: {error}"))
}

/// Whether an RGB profile is sRGB as far as 8-bit pixels can tell: its colorants and curves are
/// sRGB's within [`SRGB_COLORANT_TOLERANCE`] and [`SRGB_CURVE_TOLERANCE`].
fn is_srgb(profile: &IccProfile, srgb: &IccProfile) -> bool {
    let colorants_match = [
        (profile.red_colorant, srgb.red_colorant),
        (profile.green_colorant, srgb.green_colorant),
        (profile.blue_colorant, srgb.blue_colorant),
    ]
    .iter()
    .all(|(a, b)| {
        (a.x - b.x).abs() <= SRGB_COLORANT_TOLERANCE
            && (a.y - b.y).abs() <= SRGB_COLORANT_TOLERANCE
            && (a.z - b.z).abs() <= SRGB_COLORANT_TOLERANCE
    });
    let curves = [&profile.red_trc, &profile.green_trc, &profile.blue_trc];
    colorants_match
        && curves.iter().all(|curve| match curve {
            Some(curve) => (0..=32).all(|step| {
                let v = f64::from(step) / 32.0;
                evaluate(curve).is_some_and(|f| (f(v) - srgb_to_linear(v)).abs() <= SRGB_CURVE_TOLERANCE)
            }),
            None => false,
        })
}

/// The sRGB decoding curve (IEC 61966-2-1).
fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
}

/// A tone curve as a function on 0-1, or `None` for a form this check does not know.
fn evaluate(curve: &ToneReprCurve) -> Option<Box<dyn Fn(f64) -> f64 + '_>> {
    match curve {
        ToneReprCurve::Lut(table) if table.is_empty() => Some(Box::new(|v| v)),
        ToneReprCurve::Lut(table) if table.len() == 1 => {
            let gamma = f64::from(table[0]) / 256.0;
            Some(Box::new(move |v| v.powf(gamma)))
        }
        ToneReprCurve::Lut(table) => Some(Box::new(move |v| {
            let position = v * (table.len() - 1) as f64;
            let below = position.floor() as usize;
            let above = (below + 1).min(table.len() - 1);
            let t = position - below as f64;
            (f64::from(table[below]) * (1.0 - t) + f64::from(table[above]) * t) / 65535.0
        })),
        ToneReprCurve::Parametric(p) => {
            let p: Vec<f64> = p.iter().map(|&x| f64::from(x)).collect();
            // ICC.1 parametricCurveType functions 0-4.
            Some(Box::new(move |x| match p.len() {
                1 => x.powf(p[0]),
                3 => {
                    if x >= -p[2] / p[1] {
                        (p[1] * x + p[2]).max(0.0).powf(p[0])
                    } else {
                        0.0
                    }
                }
                4 => {
                    if x >= -p[2] / p[1] {
                        (p[1] * x + p[2]).max(0.0).powf(p[0]) + p[3]
                    } else {
                        p[3]
                    }
                }
                5 => {
                    if x >= p[4] {
                        (p[1] * x + p[2]).max(0.0).powf(p[0])
                    } else {
                        p[3] * x
                    }
                }
                7 => {
                    if x >= p[4] {
                        (p[1] * x + p[2]).max(0.0).powf(p[0]) + p[5]
                    } else {
                        p[3] * x + p[6]
                    }
                }
                _ => f64::NAN,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(rgba: [u8; 4]) -> Image {
        Image::from_rgba8(4, 3, rgba.repeat(12)).unwrap()
    }

    #[test]
    fn an_srgb_profile_is_recognised_and_leaves_pixels_alone() {
        let srgb = IccProfile::new_srgb().encode().unwrap();
        let mut image = solid([10, 128, 250, 77]);
        let before = image.clone();
        assert_eq!(to_srgb(&mut image, &srgb).unwrap(), Conversion::AlreadySrgb);
        assert_eq!(image, before);
    }

    #[test]
    fn display_p3_primaries_become_out_of_gamut_srgb_primaries() {
        // P3's pure red is more saturated than sRGB's: in sRGB it clips to red 255 with green
        // and blue 0 (its linear sRGB value is (1.2249, -0.0421, -0.0196)); alpha is untouched.
        let p3 = IccProfile::new_display_p3().encode().unwrap();
        let mut image = solid([255, 0, 0, 200]);
        assert_eq!(to_srgb(&mut image, &p3).unwrap(), Conversion::Converted);
        assert_eq!(&image.pixels()[..4], &[255, 0, 0, 200]);
        // P3 mid grey stays grey (same white point and curve).
        let mut image = solid([128, 128, 128, 255]);
        to_srgb(&mut image, &p3).unwrap();
        assert!(image.pixels()[..3].iter().all(|&v| v.abs_diff(128) <= 1), "{:?}", &image.pixels()[..4]);
        // A P3 colour inside the sRGB gamut: (200, 100, 50) in P3 is (215, 93, 31) in sRGB as
        // lcms2 2.14 converts it (Pillow's ImageCms, relative colorimetric, with the P3 profile
        // of testdata/colour/make_fixtures.py).
        let mut image = solid([200, 100, 50, 255]);
        to_srgb(&mut image, &p3).unwrap();
        let px = &image.pixels()[..3];
        for (got, want) in px.iter().zip([215u8, 93, 31]) {
            assert!(got.abs_diff(want) <= 1, "{px:?}");
        }
    }

    #[test]
    fn garbage_profiles_are_unusable_and_change_nothing() {
        let mut image = solid([1, 2, 3, 4]);
        let before = image.clone();
        for icc in [&b""[..], b"not a profile", &[0u8; 200]] {
            assert_eq!(to_srgb(&mut image, icc).unwrap(), Conversion::Unusable);
        }
        assert_eq!(image, before);
    }
}
