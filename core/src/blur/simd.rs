//! Small SIMD layer and the per-pixel helpers the hot loops share.
//!
//! The hot loops are written once, generic over [`Simd`] (a vector of `f32` lanes). They are
//! instantiated with [`Portable`] (four-lane arrays that the compiler maps to SSE2 on x86-64
//! and NEON on aarch64) and, on x86-64, with [`Avx2`] (eight lanes) inside a function compiled
//! with `target_feature(enable = "avx2")`; [`dispatch!`] picks one at run time. A NEON- or
//! AVX-512-specific version only needs another `Simd` implementation and `Level`. (On the Zen 4
//! this was tuned on, AVX-512 runs at the same width as AVX2.)
//!
//! Determinism: every level computes exactly the same IEEE `f32` operations in the same order
//! per lane, so the output is bit-identical on every CPU. The trait's `mul_add` is therefore
//! never fused (an FMA rounds once where `mul` then `add` rounds twice, and not every CPU has
//! one); Rust never contracts a separate `mul` and `add` into an FMA by itself, and lanes never
//! interact, so the vector width does not change any result.

/// Instruction-set level a dispatched function runs at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    /// Whatever the compilation target guarantees (SSE2 on x86-64, NEON on aarch64).
    Portable,
    /// x86-64 with AVX2 (eight lanes; the same arithmetic as `Portable`, wider).
    Avx2,
}

impl Level {
    /// Best level the running CPU supports.
    pub(super) fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                return Level::Avx2;
            }
        }
        Level::Portable
    }

    /// Every level the running CPU supports, lowest first (tests run each of them).
    #[cfg(test)]
    pub(super) fn all_supported() -> Vec<Level> {
        let best = Level::detect();
        [Level::Portable, Level::Avx2].into_iter().filter(|&level| level <= best).collect()
    }
}

/// A vector of `f32` lanes. Implementations are zero-sized tokens; a token for an optional
/// instruction set can only be obtained on a CPU that has it.
pub(super) trait Simd: Copy {
    /// The vector type.
    type V: Copy;
    /// Number of `f32` lanes in [`Simd::V`] (a multiple of 4, so vectors hold whole pixels).
    const LANES: usize;
    /// Every lane set to `x`.
    fn splat(self, x: f32) -> Self::V;
    /// The first `LANES` values of `src` (panics if it is shorter).
    fn load(self, src: &[f32]) -> Self::V;
    /// `src[at..at + LANES]` (panics if out of range; one bounds check).
    #[inline(always)]
    fn load_at(self, src: &[f32], at: usize) -> Self::V {
        self.load(&src[at..at + Self::LANES])
    }
    /// Writes the lanes to the first `LANES` values of `dst` (panics if it is shorter).
    fn store(self, v: Self::V, dst: &mut [f32]);
    /// Lane-wise `a + b`.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise `a * b`.
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise `a * b + c`, rounded after the multiply and after the add (never fused, so
    /// that every level gives the same bits).
    #[inline(always)]
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        self.add(self.mul(a, b), c)
    }
}

/// Four lanes in a plain array: the compiler vectorises it for the baseline of the target.
#[derive(Clone, Copy, Debug)]
pub(super) struct Portable;

impl Simd for Portable {
    type V = [f32; 4];
    const LANES: usize = 4;
    #[inline(always)]
    fn splat(self, x: f32) -> [f32; 4] {
        [x; 4]
    }
    #[inline(always)]
    fn load(self, src: &[f32]) -> [f32; 4] {
        src[..4].try_into().expect("four lanes")
    }
    #[inline(always)]
    fn store(self, v: [f32; 4], dst: &mut [f32]) {
        dst[..4].copy_from_slice(&v);
    }
    #[inline(always)]
    fn add(self, a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
        [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
    }
    #[inline(always)]
    fn mul(self, a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
        [a[0] * b[0], a[1] * b[1], a[2] * b[2], a[3] * b[3]]
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) use avx2::Avx2;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{__m256, _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_storeu_ps};

    /// Eight lanes with AVX2. Only [`Avx2::new`] makes one, after checking the CPU.
    #[derive(Clone, Copy, Debug)]
    pub(in crate::blur) struct Avx2 {
        _checked: (),
    }

    impl Avx2 {
        /// The token, if the running CPU has AVX2.
        #[inline(always)]
        pub(in crate::blur) fn new() -> Option<Avx2> {
            std::arch::is_x86_feature_detected!("avx2").then_some(Avx2 { _checked: () })
        }
    }

    // SAFETY (every `unsafe` block below): an `Avx2` value exists only if `Avx2::new` found
    // AVX2 on this CPU, and the pointers come from slices checked to hold 8 values.
    impl super::Simd for Avx2 {
        type V = __m256;
        const LANES: usize = 8;
        #[inline(always)]
        fn splat(self, x: f32) -> __m256 {
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        fn load(self, src: &[f32]) -> __m256 {
            let src = &src[..8];
            unsafe { _mm256_loadu_ps(src.as_ptr()) }
        }
        #[inline(always)]
        fn store(self, v: __m256, dst: &mut [f32]) {
            let dst = &mut dst[..8];
            unsafe { _mm256_storeu_ps(dst.as_mut_ptr(), v) }
        }
        #[inline(always)]
        fn add(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_add_ps(a, b) }
        }
        #[inline(always)]
        fn mul(self, a: __m256, b: __m256) -> __m256 {
            unsafe { _mm256_mul_ps(a, b) }
        }
    }
}

/// Wraps one SIMD kernel, written once as an ordinary generic function
/// `fn $name<S: Bound>(simd: S, args...) [-> R] { body }`, into
/// `fn $name(level: Level, args...) [-> R]`, which
/// runs the body with the [`Simd`] implementation for `level`, compiled with that level's target
/// features.
///
/// The parameter list is spelled once, in the kernel: the macro derives from it both the AVX2
/// instance (a `#[target_feature]` function fixed to the [`Avx2`] token) and the dispatching
/// wrapper. The kernel is `#[inline(always)]` so that its body is compiled
/// inside each instance with that instance's features. Invoke it with parentheses,
/// `dispatch!(fn ...);`, so that rustfmt still formats the kernel.
macro_rules! dispatch {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident<$simd_type:ident: $bound:path>(
            $simd:ident: $simd_param_type:ident,
            $($arg:ident: $ty:ty),* $(,)?
        ) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$meta])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name(level: $crate::blur::simd::Level, $($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            // Named so as not to collide with a kernel's parameter (`fir` has one called `kernel`):
            // items in a macro are not hygienic, and a parameter would shadow them.
            fn dispatched_kernel<$simd_type: $bound>($simd: $simd_param_type, $($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            if level == $crate::blur::simd::Level::Avx2 {
                // No "fma": the arithmetic must be the same as on every other level.
                #[target_feature(enable = "avx2")]
                #[allow(clippy::too_many_arguments)]
                fn dispatched_avx2(simd: $crate::blur::simd::Avx2, $($arg: $ty),*) $(-> $ret)? {
                    dispatched_kernel(simd, $($arg),*)
                }
                if let Some(simd) = $crate::blur::simd::Avx2::new() {
                    // SAFETY: `Avx2::new` just confirmed that the CPU has AVX2.
                    return unsafe { dispatched_avx2(simd, $($arg),*) };
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = level;
            dispatched_kernel($crate::blur::simd::Portable, $($arg),*)
        }
    };
}
pub(super) use dispatch;

/// Orders this thread's earlier streaming (non-temporal) stores before its later stores, so
/// that whoever synchronises with this thread afterwards sees them (does nothing elsewhere).
#[inline(always)]
pub(super) fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SFENCE is part of SSE, which every x86-64 CPU has.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

/// Asks the CPU to start loading `bytes` into the cache (a hint; does nothing elsewhere).
#[inline(always)]
pub(super) fn prefetch_read(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for line in bytes.chunks(64) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is only a hint and never faults; SSE is part of x86-64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

/// Rounds a sample to the nearest 8-bit level, saturating at 0 and 255 (NaN gives 0).
#[inline(always)]
pub(super) fn to_u8(value: f32) -> u8 {
    round_to_bits(clamp_level(value)) as u8
}

/// Limits a sample to `0.0..=255.0`. Unlike `f32::clamp`, NaN becomes 0 (`max` returns the
/// non-NaN operand), so no later step can see a NaN.
#[inline(always)]
#[allow(clippy::manual_clamp)]
pub(super) fn clamp_level(value: f32) -> f32 {
    value.max(0.0).min(255.0)
}

/// Rounds `value` (in `0.0..=4095.0`) to the nearest integer, ties to even. Adding 2^23 leaves
/// the rounded integer in the low mantissa bits; unlike `as i32` this vectorises, because it
/// needs no saturation or NaN handling.
#[inline(always)]
pub(super) fn round_to_bits(value: f32) -> u32 {
    (value + 8_388_608.0).to_bits() & 0xfff
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
/// rounds to 0 becomes transparent black. `opaque` skips the division: every alpha sample is
/// then 255 within `f32` rounding (a normalised blur of a constant), so it rounds to 255.
#[inline(always)]
pub(super) fn store_straight(src: &[f32], dst: &mut [u8], opaque: bool) {
    if opaque {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = to_u8(s);
        }
        return;
    }
    // Eight pixels at a time in fixed-size arrays, so that the compiler vectorises the lanes.
    const LANES: usize = 32;
    let full = src.len() / LANES * LANES;
    for (s, d) in src[..full].chunks_exact(LANES).zip(dst[..full].chunks_exact_mut(LANES)) {
        let s: &[f32; LANES] = s.try_into().expect("LANES samples");
        let d: &mut [u8; LANES] = d.try_into().expect("LANES samples");
        let mut scale = [1f32; LANES];
        for (px, scale) in s.chunks_exact(4).zip(scale.chunks_exact_mut(4)) {
            let alpha = px[3];
            let k = if alpha >= 0.5 { 255.0 / alpha } else { 0.0 };
            scale[..3].fill(k);
        }
        for ((d, &s), &k) in d.iter_mut().zip(s).zip(&scale) {
            *d = to_u8(s * k);
        }
    }
    for (d, s) in dst[full..].chunks_exact_mut(4).zip(src[full..].chunks_exact(4)) {
        let alpha = s[3];
        let k = if alpha >= 0.5 { 255.0 / alpha } else { 0.0 };
        d[0] = to_u8(s[0] * k);
        d[1] = to_u8(s[1] * k);
        d[2] = to_u8(s[2] * k);
        d[3] = to_u8(alpha);
    }
}
