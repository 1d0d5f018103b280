//! Helpers shared by the integration tests: synthetic images and pixel access by index.

#![allow(dead_code)] // Each test binary uses a different subset.

use pixbridge_core::Image;

/// A deterministic pseudo-random byte stream (xorshift32), so tests need no RNG crate.
pub struct Bytes(u32);

impl Bytes {
    pub fn new(seed: u32) -> Self {
        Bytes(seed.max(1))
    }

    pub fn next_byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 24) as u8
    }

    pub fn take(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_byte()).collect()
    }
}

/// RGBA8 bytes where every channel encodes its position: R = x * 10 + 1, G = y * 10 + 2,
/// B = x + y, A = 200 + x. Keeps small images (up to 25 x 25) easy to read in failures.
pub fn indexed_pixels(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for y in 0..height {
        for x in 0..width {
            out.extend_from_slice(&[(x * 10 + 1) as u8, (y * 10 + 2) as u8, (x + y) as u8, (200 + x) as u8]);
        }
    }
    out
}

/// An Rgba8 image made by [`indexed_pixels`].
pub fn indexed_image(width: u32, height: u32) -> Image {
    Image::from_rgba8(width, height, indexed_pixels(width, height)).unwrap()
}

/// An Rgba8 image of pseudo-random bytes (all channels, including alpha).
pub fn noise_image(width: u32, height: u32, seed: u32) -> Image {
    let len = (width * height * 4) as usize;
    Image::from_rgba8(width, height, Bytes::new(seed).take(len)).unwrap()
}

/// The RGBA8 pixel at (x, y) of a tightly packed buffer of the given width.
pub fn pixel_of(pixels: &[u8], width: u32, x: u32, y: u32) -> [u8; 4] {
    let at = ((y * width + x) * 4) as usize;
    pixels[at..at + 4].try_into().unwrap()
}

/// The RGBA8 pixel at (x, y) of an image.
pub fn pixel(image: &Image, x: u32, y: u32) -> [u8; 4] {
    pixel_of(image.pixels(), image.width(), x, y)
}

/// The largest absolute difference between two equally long byte slices.
pub fn max_abs_diff(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0)
}

/// CRC-32 (IEEE, as used by PNG), bit by bit: slow but obviously right.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Encodes raw samples with the `image` crate's PNG encoder, independently of the code under
/// test.
pub fn png_with(samples: &[u8], width: u32, height: u32, color: image::ExtendedColorType) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(samples, width, height, color).unwrap();
    out
}
