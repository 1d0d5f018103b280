//! Gaussian blur of RGBA8 images with straight alpha.
//!
//! Colour is blurred premultiplied by alpha and un-premultiplied afterwards, so fully transparent
//! pixels never bleed their (invisible) colour into their neighbours. Borders are clamp-to-edge:
//! the edge pixels are repeated outwards.

/// Largest accepted sigma. Blurs far wider than any image this crate decodes are pointless, and
/// 1000 keeps every kernel and filter coefficient well conditioned in `f32`.
pub const MAX_SIGMA: f32 = 1000.0;

/// Gaussian blur of a tightly packed RGBA8 image with straight alpha.
///
/// `sigma` must already be validated by the caller (finite, `0 < sigma <= MAX_SIGMA`).
/// Returns a new buffer of the same size (`width * height * 4` bytes).
pub fn gaussian_blur_rgba8(pixels: &[u8], width: u32, height: u32, sigma: f32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    assert_eq!(pixels.len(), w * h * 4, "pixel buffer does not match width * height * 4");
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let radius = (4.0 * sigma).ceil().max(1.0) as usize;
    let kernel = gaussian_kernel(sigma, radius);

    // Premultiplied copy in f32.
    let mut premul = vec![0f32; w * h * 4];
    for (dst, src) in premul.chunks_exact_mut(4).zip(pixels.chunks_exact(4)) {
        let a = src[3] as f32;
        for c in 0..3 {
            dst[c] = src[c] as f32 * a / 255.0;
        }
        dst[3] = a;
    }

    // Horizontal pass.
    let mut tmp = vec![0f32; w * h * 4];
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0f32; 4];
            for (k, &wk) in kernel.iter().enumerate() {
                let sx = (x as isize + k as isize - radius as isize).clamp(0, w as isize - 1);
                let src = (y * w + sx as usize) * 4;
                for c in 0..4 {
                    acc[c] += wk * premul[src + c];
                }
            }
            tmp[(y * w + x) * 4..][..4].copy_from_slice(&acc);
        }
    }

    // Vertical pass, un-premultiply and round.
    let mut out = vec![0u8; w * h * 4];
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0f32; 4];
            for (k, &wk) in kernel.iter().enumerate() {
                let sy = (y as isize + k as isize - radius as isize).clamp(0, h as isize - 1);
                let src = (sy as usize * w + x) * 4;
                for c in 0..4 {
                    acc[c] += wk * tmp[src + c];
                }
            }
            let dst = &mut out[(y * w + x) * 4..][..4];
            let alpha = acc[3];
            for c in 0..3 {
                let straight = if alpha > 0.0 { acc[c] * 255.0 / alpha } else { 0.0 };
                dst[c] = straight.round().clamp(0.0, 255.0) as u8;
            }
            dst[3] = alpha.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Sampled Gaussian `exp(-x^2 / (2 sigma^2))` for `x` in `-radius..=radius`, normalised to sum 1.
fn gaussian_kernel(sigma: f32, radius: usize) -> Vec<f32> {
    let sigma = f64::from(sigma);
    let raw: Vec<f64> = (0..=2 * radius)
        .map(|i| {
            let x = i as f64 - radius as f64;
            (-x * x / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|v| (v / sum) as f32).collect()
}
