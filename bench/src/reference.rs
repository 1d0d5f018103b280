//! The accuracy yardstick: the core's `f64` reference Gaussian (`pixbridge_core::blur::reference`,
//! the one copy the core's tests use too), rounded to 8 bits like every method measured.

use pixbridge_core::blur::reference;

/// The reference blur of a tightly packed RGBA8 image, rounded to the nearest level.
pub fn gaussian_blur_reference(pixels: &[u8], width: usize, height: usize, sigma: f64) -> Vec<u8> {
    reference::to_rgba8(&reference::gaussian_blur(pixels, width, height, sigma))
}

/// Largest absolute difference between two equally long 8-bit buffers.
pub fn max_abs_error(a: &[u8], b: &[u8]) -> u8 {
    a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_abs_error_is_the_largest_difference() {
        assert_eq!(max_abs_error(&[0, 10, 200], &[3, 2, 201]), 8);
        assert_eq!(max_abs_error(&[], &[]), 0);
    }
}
