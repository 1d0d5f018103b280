//! Gaussian blur of RGBA8 images with straight alpha.
//!
//! * Accuracy: every output level is within 1 of an `f64` reference Gaussian (`reference`,
//!   checked in `tests`).
//! * Alpha: colour is blurred premultiplied by alpha and un-premultiplied afterwards, so fully
//!   transparent pixels never bleed their (invisible) colour into their neighbours. Images whose
//!   alpha is 255 everywhere skip the premultiplication.
//! * Borders: clamp-to-edge, the edge pixels are repeated outwards.
//! * Speed: small sigma uses a direct separable kernel, in 16-bit fixed point for opaque images
//!   ([`fixed`], up to sigma 10) and in `f32` on premultiplied colour otherwise ([`fir`], up to
//!   sigma 2); larger sigma uses Deriche's recursive filter ([`iir`]), whose cost does not grow
//!   with sigma. All are vectorised for the best instruction set of the running CPU ([`simd`])
//!   and parallel on rayon's current pool.
//! * Cancellation: every loop checks the calling thread's [`Job`](crate::control::Job) at least
//!   every few hundred thousand pixels (tiles, column strips or row groups) and reports its
//!   progress; the recursive filter's two passes are two stages of it.
//!
//! See `docs/blur.md` for the design and measurements.

mod fir;
mod fixed;
mod iir;
mod math;
// The f64 yardstick the tests and benchmarks measure the blur against; not part of the product.
#[cfg(any(test, feature = "reference"))]
#[doc(hidden)]
pub mod reference;
mod simd;
#[cfg(test)]
mod tests;

use simd::Level;

use crate::control::Progress;

/// Largest accepted sigma. The recursive filter costs the same for every sigma, and at 1000
/// its poles are still far enough from 1 for `f32`; wider blurs of images up to the decode
/// limit are indistinguishable from a flat average anyway.
pub const MAX_SIGMA: f32 = 1000.0;

/// Largest sigma at which translucent images are blurred with the `f32` direct kernel; above it
/// the recursive filter. On 4K images the two cost about the same between sigma 2 and 3.5
/// (see `docs/blur.md`). Moving the switch
/// changes the output bits for the sigmas in between (both stay within 1 level of a Gaussian),
/// so golden hashes at such sigmas must be re-pinned.
const FIR_MAX_SIGMA: f32 = 2.0;

/// Largest sigma blurred with the fixed-point direct kernel ([`fixed`]) when the image is
/// opaque; above it the recursive filter. With the prefetching direct kernel the measured
/// crossover is about sigma 11-12 (see `docs/blur.md`); at 10 the worst-case error bound is
/// 0.86 level, still below 1. Moving the switch changes output bits (golden hashes must be
/// re-pinned).
const FIXED_MAX_SIGMA: f32 = 10.0;

/// Gaussian blur of a tightly packed RGBA8 image with straight alpha.
///
/// `sigma` must already be validated by the caller (finite, `0 < sigma <= MAX_SIGMA`); values
/// outside that range are clamped to it (a non-positive or NaN sigma returns a copy) rather
/// than trusted. Returns a new buffer of the same size (`width * height * 4` bytes).
///
/// Runs under the calling thread's [`Job`](crate::control::Job), if any: the only error is
/// [`Error::Cancelled`](crate::Error::Cancelled).
///
/// # Panics
///
/// If `pixels.len() != width * height * 4`.
pub fn gaussian_blur_rgba8(pixels: &[u8], width: u32, height: u32, sigma: f32) -> crate::Result<Vec<u8>> {
    blur_at_level(Level::detect(), pixels, width, height, sigma)
}

/// [`gaussian_blur_rgba8`] of an image the caller gives up: the same pixels, computed in
/// `pixels`' own buffer where the filter allows it (the recursive filter, every sigma above the
/// direct kernel's range), so the blur needs no second full-size buffer. Otherwise the result
/// is computed into a new buffer and `pixels` is freed. Cancelled, `pixels` is freed too.
///
/// # Panics
///
/// If `pixels.len() != width * height * 4`.
pub fn gaussian_blur_rgba8_owned(mut pixels: Vec<u8>, width: u32, height: u32, sigma: f32) -> crate::Result<Vec<u8>> {
    let (w, h) = (width as usize, height as usize);
    if sigma > FIXED_MAX_SIGMA
        && !pixels.is_empty()
        && w.checked_mul(h).and_then(|n| n.checked_mul(4)) == Some(pixels.len())
    {
        let outcome = is_opaque(&pixels)
            .and_then(|opaque| iir::blur_in_place(Level::detect(), &mut pixels, w, h, sigma.min(MAX_SIGMA), opaque));
        return crate::ops::keep(outcome, pixels);
    }
    let blurred = gaussian_blur_rgba8(&pixels, width, height, sigma);
    if blurred.is_err() {
        crate::ops::discard(pixels);
    }
    blurred
}

/// Whether every alpha byte of the RGBA8 `pixels` is 255, or [`Error::Cancelled`](crate::Error::Cancelled)
/// if the calling thread's job is cancelled on the way (a 1 GiB image takes tens of milliseconds).
/// Blocks of two pixels as `u64` words, each block of 4 KiB folded without early exit so that
/// the check vectorises.
pub(crate) fn is_opaque(pixels: &[u8]) -> crate::Result<bool> {
    const ALPHA: u64 = u64::from_le_bytes([0, 0, 0, 255, 0, 0, 0, 255]);
    /// Bytes between two cancellation checks: a few hundredths of a millisecond.
    const CHECKED_BYTES: usize = 1 << 20;
    let words = pixels.chunks_exact(8);
    if !words.remainder().chunks_exact(4).all(|px| px[3] == 255) {
        return Ok(false);
    }
    // Only checked, not counted: the scan is a small prelude to the work that reports.
    let progress = Progress::new(1);
    for piece in pixels[..pixels.len() / 8 * 8].chunks(CHECKED_BYTES) {
        if progress.is_cancelled() {
            return Err(crate::control::cancelled());
        }
        let opaque = piece.chunks(4096).all(|block| {
            block.chunks_exact(8).fold(ALPHA, |all, word| all & u64::from_le_bytes(word.try_into().expect("8 bytes")))
                == ALPHA
        });
        if !opaque {
            return Ok(false);
        }
    }
    Ok(true)
}

/// [`gaussian_blur_rgba8`] with the instruction-set level chosen by the caller.
fn blur_at_level(level: Level, pixels: &[u8], width: u32, height: u32, sigma: f32) -> crate::Result<Vec<u8>> {
    let (w, h) = (width as usize, height as usize);
    assert_eq!(
        Some(pixels.len()),
        w.checked_mul(h).and_then(|n| n.checked_mul(4)),
        "pixel buffer length does not match width * height * 4"
    );
    if pixels.is_empty() || sigma.is_nan() || sigma <= 0.0 {
        return Ok(pixels.to_vec());
    }
    let sigma = sigma.min(MAX_SIGMA);
    if sigma <= FIXED_MAX_SIGMA {
        // The fixed-point kernel checks the opacity itself as it reads the rows, and gives up
        // at the first translucent pixel. Its progress then stands where it stopped (mostly
        // near 0) until the fallback below passes it: progress only ever grows.
        if let Some(blurred) = fixed::blur(level, pixels, w, h, sigma, fixed::radius(sigma))? {
            return Ok(blurred);
        }
        return if sigma <= FIR_MAX_SIGMA {
            fir::blur(level, pixels, w, h, sigma, false)
        } else {
            iir::blur(level, pixels, w, h, sigma, false)
        };
    }
    iir::blur(level, pixels, w, h, sigma, is_opaque(pixels)?)
}
