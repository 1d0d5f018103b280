//! Accuracy and behaviour tests against an independent `f64` reference.

use super::simd::Level;
use super::{MAX_SIGMA, blur_at_level, fir, fixed, iir};
use proptest::prelude::*;

/// The shared `f64` reference ([`super::reference`]), unrounded straight RGBA.
fn reference(src: &[u8], w: usize, h: usize, sigma: f32) -> Vec<f64> {
    super::reference::gaussian_blur(src, w, h, f64::from(sigma))
}

/// Largest difference between `ours` and the rounded reference, over alpha and over the colour
/// of pixels whose reference alpha is at least `min_alpha` (colour is meaningless, and
/// arbitrarily sensitive, where alpha is near 0).
fn max_error(ours: &[u8], reference: &[f64], min_alpha: f64) -> u8 {
    let mut worst = 0;
    for (o, r) in ours.chunks_exact(4).zip(reference.chunks_exact(4)) {
        let channels = if r[3] >= min_alpha { 0..4 } else { 3..4 };
        for c in channels {
            let expected = r[c].clamp(0.0, 255.0).round() as u8;
            worst = worst.max(o[c].abs_diff(expected));
        }
    }
    worst
}

/// Deterministic test image: smooth gradients, hard edges and noise (xorshift).
fn test_image(w: usize, h: usize, seed: u32, with_alpha: bool) -> Vec<u8> {
    let mut state = seed.max(1);
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let mut img = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let n = noise();
            let edge = if (x / 5 + y / 7) % 2 == 0 { 255 } else { 0 };
            img.push(edge);
            img.push(((x * 255) / w.max(1)) as u8);
            img.push((n & 0xff) as u8);
            img.push(if with_alpha {
                match (x + 3 * y) % 5 {
                    0 => 0,
                    1 => 255,
                    _ => (n >> 8) as u8,
                }
            } else {
                255
            });
        }
    }
    img
}

const SIGMAS: [f32; 9] = [0.5, 1.0, 2.0, 2.5, 7.0, super::FIXED_MAX_SIGMA, 30.0, 200.0, MAX_SIGMA];

/// Both algorithms at every supported instruction-set level.
fn all_variants(src: &[u8], w: usize, h: usize, sigma: f32) -> Vec<(String, Vec<u8>)> {
    let opaque = src.chunks_exact(4).all(|p| p[3] == 255);
    let mut results = Vec::new();
    for level in Level::all_supported() {
        results.push((format!("iir {level:?}"), iir::blur(level, src, w, h, sigma, opaque).unwrap()));
        if fir::radius(sigma) <= 64 {
            results.push((format!("fir {level:?}"), fir::blur(level, src, w, h, sigma, opaque).unwrap()));
        }
        if opaque && fir::radius(sigma) <= 64 {
            let radius = fixed::radius(sigma);
            let blurred = fixed::blur(level, src, w, h, sigma, radius).unwrap().expect("an opaque image");
            results.push((format!("fixed {level:?}"), blurred));
        }
    }
    results.push(("public".to_string(), blur_at_level(Level::detect(), src, w as u32, h as u32, sigma).unwrap()));
    results
}

#[test]
fn opaque_image_is_within_one_level_of_reference() {
    let (w, h) = (67, 41);
    let src = test_image(w, h, 7, false);
    for sigma in SIGMAS {
        let expected = reference(&src, w, h, sigma);
        for (name, ours) in all_variants(&src, w, h, sigma) {
            let err = max_error(&ours, &expected, 0.0);
            assert!(err <= 1, "{name}, sigma {sigma}: max error {err}");
        }
    }
}

#[test]
fn translucent_image_is_within_one_level_of_reference() {
    // The 12-bit intermediate of the recursive filter carries 1/32 of a premultiplied level,
    // which un-premultiplying scales by 255 / alpha: colour is checked where alpha >= 32.
    let (w, h) = (53, 37);
    let src = test_image(w, h, 99, true);
    for sigma in SIGMAS {
        let expected = reference(&src, w, h, sigma);
        for (name, ours) in all_variants(&src, w, h, sigma) {
            let err = max_error(&ours, &expected, 32.0);
            assert!(err <= 1, "{name}, sigma {sigma}: max error {err}");
        }
    }
}

#[test]
fn constant_image_stays_constant() {
    for pixel in [[12u8, 200, 99, 255], [10, 200, 30, 128], [255, 0, 255, 40]] {
        let (w, h) = (23, 19);
        let src: Vec<u8> = pixel.iter().copied().cycle().take(w * h * 4).collect();
        for sigma in SIGMAS {
            for (name, ours) in all_variants(&src, w, h, sigma) {
                assert!(ours.chunks_exact(4).all(|p| p == pixel), "{name}, sigma {sigma}, pixel {pixel:?}");
            }
        }
    }
}

#[test]
fn transparent_colour_does_not_bleed() {
    // Left half opaque red, right half fully transparent green.
    let (w, h) = (40, 9);
    let mut src = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            src.extend_from_slice(if x < w / 2 { &[255, 0, 0, 255] } else { &[0, 255, 0, 0] });
        }
    }
    for sigma in SIGMAS {
        for (name, ours) in all_variants(&src, w, h, sigma) {
            for px in ours.chunks_exact(4) {
                assert_eq!(px[1], 0, "{name}, sigma {sigma}: green leaked into {px:?}");
                assert_eq!(px[2], 0, "{name}, sigma {sigma}: blue appeared in {px:?}");
                if px[3] > 0 {
                    assert_eq!(px[0], 255, "{name}, sigma {sigma}: red faded in {px:?}");
                }
            }
            // The blur does spread alpha across the boundary.
            let row = &ours[..w * 4];
            assert!(row[(w / 2) * 4 + 3] > 0 && row[(w / 2 - 1) * 4 + 3] < 255);
        }
    }
}

#[test]
fn odd_and_tiny_sizes_match_reference() {
    for (w, h) in [(1, 1), (1, 9), (9, 1), (2, 3), (17, 1), (1, 33), (5, 70)] {
        let src = test_image(w, h, (w * 31 + h) as u32, false);
        for sigma in SIGMAS {
            let expected = reference(&src, w, h, sigma);
            for (name, ours) in all_variants(&src, w, h, sigma) {
                assert_eq!(ours.len(), src.len());
                let err = max_error(&ours, &expected, 0.0);
                assert!(err <= 1, "{name}, {w}x{h}, sigma {sigma}: max error {err}");
            }
        }
    }
}

#[test]
fn single_pixel_is_unchanged() {
    let src = [1u8, 2, 3, 200];
    for sigma in SIGMAS {
        assert_eq!(blur_at_level(Level::detect(), &src, 1, 1, sigma).unwrap(), src);
    }
}

#[test]
fn out_of_contract_sigma_does_not_panic() {
    let src = test_image(5, 4, 3, true);
    for sigma in [0.0, -1.0, f32::NAN] {
        assert_eq!(blur_at_level(Level::detect(), &src, 5, 4, sigma).unwrap(), src);
    }
    let huge = blur_at_level(Level::detect(), &src, 5, 4, f32::INFINITY).unwrap();
    let capped = blur_at_level(Level::detect(), &src, 5, 4, MAX_SIGMA).unwrap();
    assert_eq!(huge, capped);
    assert!(blur_at_level(Level::detect(), &[], 0, 7, 3.0).unwrap().is_empty());
}

/// Test images for the determinism tests: opaque and translucent, with widths that leave
/// partial vectors, tiles and strips at every level.
fn determinism_images() -> Vec<(usize, usize, Vec<u8>)> {
    [(67, 41, false), (53, 37, true), (130, 9, true), (3, 29, false), (200, 150, true), (200, 150, false)]
        .into_iter()
        .enumerate()
        .map(|(i, (w, h, alpha))| (w, h, test_image(w, h, 1000 + i as u32, alpha)))
        .collect()
}

/// Sigmas for the determinism tests: both algorithms, both sides of the switch.
const DETERMINISM_SIGMAS: [f32; 11] = [0.5, 0.8, 1.0, 1.7, 2.0, 2.5, 3.0, 5.0, 30.0, 200.0, MAX_SIGMA];

/// `fir::blur` or `iir::blur`.
type Algorithm = fn(Level, &[u8], usize, usize, f32, bool) -> crate::Result<Vec<u8>>;

/// `fixed::blur` with the direct kernel's radius, as an [`Algorithm`] (opaque images only).
fn fixed_blur(level: Level, src: &[u8], w: usize, h: usize, sigma: f32, _opaque: bool) -> crate::Result<Vec<u8>> {
    Ok(fixed::blur(level, src, w, h, sigma, fixed::radius(sigma))?.expect("an opaque image"))
}

#[test]
fn every_level_gives_identical_bytes() {
    // "Same pixels everywhere": the SIMD levels must not differ in a single bit (no fused
    // multiply-add on one level only, no lane-order effects), for both algorithms.
    let levels = Level::all_supported();
    for (w, h, src) in determinism_images() {
        let opaque = src.chunks_exact(4).all(|p| p[3] == 255);
        for sigma in DETERMINISM_SIGMAS {
            let mut algorithms: Vec<(&str, Algorithm)> = vec![("iir", iir::blur)];
            if fir::radius(sigma) <= 64 {
                algorithms.push(("fir", fir::blur));
                if opaque {
                    algorithms.push(("fixed", fixed_blur));
                }
            }
            for (name, blur) in algorithms {
                let first = blur(levels[0], &src, w, h, sigma, opaque).unwrap();
                for &level in &levels[1..] {
                    let other = blur(level, &src, w, h, sigma, opaque).unwrap();
                    let differing = first.iter().zip(&other).filter(|(a, b)| a != b).count();
                    assert_eq!(
                        differing, 0,
                        "{name}, {w}x{h}, sigma {sigma}: {level:?} differs from {:?} in {differing} bytes",
                        levels[0]
                    );
                }
            }
            let public: Vec<Vec<u8>> =
                levels.iter().map(|&level| blur_at_level(level, &src, w as u32, h as u32, sigma).unwrap()).collect();
            assert!(public.windows(2).all(|pair| pair[0] == pair[1]), "public, {w}x{h}, sigma {sigma}");
        }
    }
}

#[test]
fn thread_count_does_not_change_the_output() {
    // Bands, strips and row groups depend on the thread count; no lane may depend on them.
    let pool = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let (one, three) = (pool(1), pool(3));
    for (w, h, src) in determinism_images() {
        for sigma in [1.0, 2.0, 3.0, 30.0] {
            let blur = || blur_at_level(Level::detect(), &src, w as u32, h as u32, sigma).unwrap();
            assert!(one.install(blur) == three.install(blur), "{w}x{h}, sigma {sigma}");
        }
    }
}

#[test]
fn sha256_of_blurs_is_identical_at_every_level() {
    // Prints the hashes (`--nocapture`) so that runs on different CPUs (or under
    // `qemu-x86_64 -cpu qemu64 / Nehalem / Haswell`) can be compared; see docs/blur.md.
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    for (w, h, src) in determinism_images().into_iter().skip(4) {
        for sigma in [1.0, 2.0, 3.0, 5.0, 40.0] {
            let hashes: Vec<String> = Level::all_supported()
                .into_iter()
                .map(|level| hex(&blur_at_level(level, &src, w as u32, h as u32, sigma).unwrap()))
                .collect();
            let opaque = if src.chunks_exact(4).all(|p| p[3] == 255) { "opaque" } else { "translucent" };
            println!("blur sha256 {w}x{h} {opaque} sigma {sigma}: {} ({:?})", hashes[0], Level::all_supported());
            assert!(hashes.windows(2).all(|pair| pair[0] == pair[1]), "{w}x{h} sigma {sigma}: {hashes:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_images_are_within_one_level_of_reference(
        w in 1usize..24,
        h in 1usize..24,
        sigma in 0.5f32..60.0,
        seed in 1u32..u32::MAX,
        with_alpha: bool,
    ) {
        let src = test_image(w, h, seed, with_alpha);
        let expected = reference(&src, w, h, sigma);
        let ours = blur_at_level(Level::detect(), &src, w as u32, h as u32, sigma).unwrap();
        prop_assert!(max_error(&ours, &expected, 32.0) <= 1);
    }
}

#[test]
fn fixed_point_error_bound_is_below_one_level() {
    // Worst case of the fixed-point kernel against the untruncated sampled Gaussian, per pass:
    // the weights' error (half their L1 distance, since both sum to 1, times 255 levels) plus
    // half a Q6 unit (1/128 level) of rounding per term. Two passes must stay below 1 level,
    // so that rounding gives at most 1 level of difference from the reference.
    let mut sigma = 0.5f32;
    while sigma <= super::FIXED_MAX_SIGMA {
        let radius = fixed::radius(sigma);
        assert!(radius <= fir::radius(sigma));
        let weights = fixed::Weights::new(sigma, radius);
        assert_eq!(weights.radius(), radius);
        let s = f64::from(sigma);
        let reach = (12.0 * s) as i64 + 2;
        let exact: Vec<f64> = (-reach..=reach).map(|k| (-((k * k) as f64) / (2.0 * s * s)).exp()).collect();
        let total: f64 = exact.iter().sum();
        let distance: f64 = (-reach..=reach)
            .zip(&exact)
            .map(|(k, g)| {
                let m = k.unsigned_abs() as usize;
                let ours = if m <= radius { f64::from(weights.taps()[m]) / 32768.0 } else { 0.0 };
                (ours - g / total).abs()
            })
            .sum();
        let per_pass = 255.0 * distance / 2.0 + (radius + 1) as f64 / 128.0;
        assert!(2.0 * per_pass < 0.95, "sigma {sigma}: error bound {} levels", 2.0 * per_pass);
        sigma += 0.05;
    }
    // The radii docs/blur.md quotes (shorter than ceil(3.5 sigma) = 4, 7, 18).
    assert_eq!([1.0, 2.0, 5.0].map(fixed::radius), [3, 6, 17]);
}

#[test]
fn fixed_point_matches_reference_across_column_tiles() {
    // Narrow tiles put several tile borders (and blocks running past a partial last tile) into
    // a small image; the output must not depend on the tile width, nor on streaming stores
    // (which large images use; forced here, on rows that are not all 16-byte aligned).
    let (w, h) = (150, 23);
    let src = test_image(w, h, 77, false);
    for sigma in [0.5, 1.0, 2.0, 3.3, 5.0, super::FIXED_MAX_SIGMA] {
        let radius = fixed::radius(sigma);
        let expected = reference(&src, w, h, sigma);
        let whole = fixed::blur(Level::Portable, &src, w, h, sigma, radius).unwrap().expect("an opaque image");
        assert!(max_error(&whole, &expected, 0.0) <= 1, "sigma {sigma}");
        for level in Level::all_supported() {
            for tile in [64, 128] {
                for stream in [false, true] {
                    let ours = fixed::blur_in_tiles(level, &src, w, h, sigma, radius, tile, stream)
                        .unwrap()
                        .expect("an opaque image");
                    assert!(ours == whole, "{level:?}, sigma {sigma}, tiles of {tile}, stream {stream}: differs");
                }
            }
        }
    }
}

#[test]
fn opacity_check_finds_any_translucent_pixel() {
    for w in [1usize, 2, 3, 7, 1030] {
        let h = 3;
        let mut src = test_image(w, h, 5, false);
        assert!(super::is_opaque(&src).unwrap());
        for px in [0, w * h / 2, w * h - 1] {
            let saved = src[px * 4 + 3];
            src[px * 4 + 3] = 254;
            assert!(!super::is_opaque(&src).unwrap(), "{w}x{h}, pixel {px}");
            src[px * 4 + 3] = saved;
        }
    }
}

#[test]
fn fixed_point_kernel_gives_up_on_any_translucent_pixel() {
    // The kernel checks the opacity as it reads rows; a single translucent pixel anywhere (in
    // the widening's vector part or its scalar tail, in any tile or band) must be found, and
    // the public entry point then falls back to the premultiplied paths.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a thread pool");
    let (w, h) = (150, 40);
    for px in [0, 37, w * h / 2 + 71, w * h - 1] {
        let mut src = test_image(w, h, 11, false);
        src[px * 4 + 3] = 254;
        for sigma in [1.0, 4.0] {
            let radius = fixed::radius(sigma);
            for level in Level::all_supported() {
                for (tile, stream) in [(64, false), (128, true)] {
                    let result =
                        pool.install(|| fixed::blur_in_tiles(level, &src, w, h, sigma, radius, tile, stream)).unwrap();
                    assert!(result.is_none(), "{level:?}, pixel {px}, sigma {sigma}, tiles of {tile}");
                }
            }
            let expected = reference(&src, w, h, sigma);
            let ours = blur_at_level(Level::detect(), &src, w as u32, h as u32, sigma).unwrap();
            assert!(max_error(&ours, &expected, 32.0) <= 1, "pixel {px}, sigma {sigma}");
        }
    }
}

#[test]
fn in_place_recursive_blur_matches_the_copying_one_bit_for_bit() {
    // Widths that leave partial 16-pixel column groups and uneven strips per thread.
    for (w, h, seed) in [(1, 1, 1), (17, 5, 2), (131, 37, 3), (300, 9, 4)] {
        for with_alpha in [false, true] {
            let src = test_image(w, h, seed, with_alpha);
            let opaque = !with_alpha;
            for sigma in [3.0, 30.0, MAX_SIGMA] {
                for level in Level::all_supported() {
                    let copied = iir::blur(level, &src, w, h, sigma, opaque).unwrap();
                    let mut in_place = src.clone();
                    iir::blur_in_place(level, &mut in_place, w, h, sigma, opaque).unwrap();
                    assert!(in_place == copied, "{w}x{h} alpha {with_alpha} sigma {sigma} {level:?}");
                }
                let owned = super::gaussian_blur_rgba8_owned(src.clone(), w as u32, h as u32, sigma).unwrap();
                let public = blur_at_level(Level::detect(), &src, w as u32, h as u32, sigma).unwrap();
                assert!(owned == public, "owned {w}x{h} alpha {with_alpha} sigma {sigma}");
            }
        }
    }
}
