//! `exp`, `sin` and `cos` in plain `f64` arithmetic, for the kernel weights and filter
//! coefficients.
//!
//! The standard library calls the platform's libm, whose results may differ in the last bit
//! between operating systems, libm versions and even CPUs (glibc picks FMA variants at run
//! time). Such a difference can flip the `f32` rounding of a weight and so change output
//! pixels. These versions use only `+ - * /` and exact rounding to integers, which IEEE 754
//! defines to the bit, so every platform computes the same weights. Accuracy (a few units in
//! the last place of `f64`) is far below the `f32` the weights are rounded to.

use std::f64::consts::{LOG2_E, TAU};

/// `ln 2` split Cody-Waite style: `LN2_HI` has trailing zero bits, so `k * LN2_HI` is exact.
const LN2_HI: f64 = f64::from_bits(0x3fe62e42fee00000);
/// `ln 2 - LN2_HI`.
const LN2_LO: f64 = f64::from_bits(0x3dea39ef35793c76);
/// `2 pi - TAU` (the rounding error of `TAU`).
const TAU_LO: f64 = 2.449_293_598_294_706_4e-16;

/// `e^x`; 0 below -700 (the result would be subnormal or 0; no caller gets near that).
pub(super) fn exp(x: f64) -> f64 {
    if x < -700.0 {
        return 0.0;
    }
    debug_assert!(x <= 700.0, "exp argument {x} out of range");
    // x = k ln 2 + r with |r| <= ln 2 / 2, e^x = 2^k e^r.
    let k = (x * LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series of e^r in Horner form; the 18th term is below 1e-20.
    let mut series = 1.0;
    for n in (1..=18).rev() {
        series = 1.0 + r * series / f64::from(n);
    }
    series * f64::from_bits(((1023 + k as i64) as u64) << 52)
}

/// `(sin x, cos x)` for finite `x`.
pub(super) fn sin_cos(x: f64) -> (f64, f64) {
    // Reduce to |r| <= pi; the callers' arguments are at most about 4, so this is exact enough.
    let k = (x / TAU).round();
    let r = (x - k * TAU) - k * TAU_LO;
    let r2 = r * r;
    // Taylor series in Horner form, 15 terms each; pi^31 / 31! < 1e-18.
    let (mut sin, mut cos) = (1.0, 1.0);
    for n in (1..=15).rev() {
        let n = f64::from(n);
        sin = 1.0 - r2 / ((2.0 * n) * (2.0 * n + 1.0)) * sin;
        cos = 1.0 - r2 / ((2.0 * n - 1.0) * (2.0 * n)) * cos;
    }
    (r * sin, cos)
}

#[cfg(test)]
mod tests {
    #[test]
    fn exp_matches_the_standard_library() {
        for i in -4000..=100 {
            let x = f64::from(i) * 0.01 + 0.003;
            let (ours, std) = (super::exp(x), x.exp());
            assert!((ours - std).abs() <= 4.0 * f64::EPSILON * std, "exp({x}): {ours} vs {std}");
        }
        assert_eq!(super::exp(0.0), 1.0);
        assert_eq!(super::exp(-800.0), 0.0);
    }

    #[test]
    fn sin_cos_match_the_standard_library() {
        for i in -2000..=2000 {
            let x = f64::from(i) * 0.005 + 0.0007;
            let (sin, cos) = super::sin_cos(x);
            assert!((sin - x.sin()).abs() <= 2e-15, "sin({x}): {sin} vs {}", x.sin());
            assert!((cos - x.cos()).abs() <= 2e-15, "cos({x}): {cos} vs {}", x.cos());
        }
    }
}
