//! Runtime selection of the instruction set the hot loops are compiled for, and the small
//! per-pixel helpers those loops share.
//!
//! The hot loops are written once as `#[inline(always)]` generic functions over plain `f32`
//! arrays of a fixed lane count, which LLVM vectorises. [`dispatch!`] compiles each of them
//! several times with different `target_feature`s and picks the best one for the running CPU.
//! A new architecture (e.g. NEON, which is baseline on aarch64 and so already used by the
//! portable version there) only needs another arm in `Level` and in the macro.

/// Instruction-set level a dispatched function runs at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    /// Whatever the compilation target guarantees (SSE2 on x86-64, NEON on aarch64).
    Portable,
    /// x86-64 with SSE4.1.
    Sse41,
    /// x86-64 with AVX2 and FMA.
    Avx2,
    /// x86-64 with AVX-512 (F, BW, VL) plus AVX2 and FMA.
    Avx512,
}

impl Level {
    /// Best level the running CPU supports.
    pub(super) fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f")
                && has!("avx512bw")
                && has!("avx512vl")
                && has!("avx2")
                && has!("fma")
            {
                return Level::Avx512;
            }
            if has!("avx2") && has!("fma") {
                return Level::Avx2;
            }
            if has!("sse4.1") {
                return Level::Sse41;
            }
        }
        Level::Portable
    }

    /// Every level the running CPU supports, lowest first (tests run each of them).
    #[cfg(test)]
    pub(super) fn all_supported() -> Vec<Level> {
        let best = Level::detect();
        [Level::Portable, Level::Sse41, Level::Avx2, Level::Avx512]
            .into_iter()
            .filter(|&level| level <= best)
            .collect()
    }
}

/// Whether the portable build can use fused multiply-add instructions (always on aarch64,
/// never guaranteed on x86-64 where `mul_add` would otherwise become a slow library call).
pub(super) const PORTABLE_FMA: bool = cfg!(target_arch = "aarch64");

/// Defines `fn $name(level: Level, args...)` that runs `$imp::<FMA>(args...)` compiled for
/// `level`. The caller must only pass a level that `Level::detect` returned or exceeds.
macro_rules! dispatch {
    ($(#[$meta:meta])* $vis:vis fn $name:ident => $imp:ident($($arg:ident: $ty:ty),* $(,)?)) => {
        $(#[$meta])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name(level: $crate::blur::simd::Level, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                use $crate::blur::simd::Level;
                #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx512($($arg: $ty),*) {
                    $imp::<true>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx2($($arg: $ty),*) {
                    $imp::<true>($($arg),*)
                }
                #[target_feature(enable = "sse4.1")]
                #[allow(clippy::too_many_arguments)]
                fn sse41($($arg: $ty),*) {
                    $imp::<false>($($arg),*)
                }
                match level {
                    // SAFETY: levels above Portable are only produced by `Level::detect` (or by
                    // tests from `Level::all_supported`) after checking these CPU features.
                    Level::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    Level::Avx2 => return unsafe { avx2($($arg),*) },
                    // SAFETY: as above.
                    Level::Sse41 => return unsafe { sse41($($arg),*) },
                    Level::Portable => {}
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = level;
            $imp::<{ $crate::blur::simd::PORTABLE_FMA }>($($arg),*)
        }
    };
}
pub(super) use dispatch;

/// `a * b + c`, as one fused instruction when the caller was compiled with FMA.
#[inline(always)]
pub(super) fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Rounds a sample to the nearest 8-bit level, saturating at 0 and 255.
#[inline(always)]
pub(super) fn to_u8(value: f32) -> u8 {
    (value.clamp(0.0, 255.0) + 0.5) as i32 as u8
}

/// Converts straight-alpha RGBA8 pixels to `f32` samples with colour premultiplied by alpha
/// (so `0..=255` on every channel). `opaque` skips the multiplication when every alpha is 255.
#[inline(always)]
pub(super) fn load_premultiplied(src: &[u8], dst: &mut [f32], opaque: bool) {
    if opaque {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = f32::from(s);
        }
    } else {
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            let alpha = f32::from(s[3]);
            let scale = alpha * (1.0 / 255.0);
            d[0] = f32::from(s[0]) * scale;
            d[1] = f32::from(s[1]) * scale;
            d[2] = f32::from(s[2]) * scale;
            d[3] = alpha;
        }
    }
}

/// Converts premultiplied `f32` RGBA samples back to straight-alpha RGBA8. A pixel whose alpha
/// rounds to 0 becomes transparent black. `opaque` writes alpha 255 and skips the division.
#[inline(always)]
pub(super) fn store_straight(src: &[f32], dst: &mut [u8], opaque: bool) {
    if opaque {
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            d[0] = to_u8(s[0]);
            d[1] = to_u8(s[1]);
            d[2] = to_u8(s[2]);
            d[3] = 255;
        }
    } else {
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            let alpha = s[3];
            let scale = if alpha >= 0.5 { 255.0 / alpha } else { 0.0 };
            d[0] = to_u8(s[0] * scale);
            d[1] = to_u8(s[1] * scale);
            d[2] = to_u8(s[2] * scale);
            d[3] = to_u8(alpha);
        }
    }
}
