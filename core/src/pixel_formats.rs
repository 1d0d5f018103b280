//! Pixels in the layouts other libraries hold ([`PixelFormat`]): [`Image::from_pixel_data`] and
//! [`Image::copy_pixel_data`].
//!
//! Each conversion runs once, row by row, from the source straight into the destination (no
//! intermediate full-size copy), in parallel bands of rows for large images. The row loops are
//! chosen once per call (one function per format, monomorphised from the channel positions), so
//! the inner loops have no branch on the format and work on whole pixels (`[u8; 4]`, `[u8; 3]`)
//! that the compiler vectorises.
//!
//! # Exact alpha arithmetic
//!
//! - premultiplying: `c' = round(c * a / 255)`, computed as `(t + (t >> 8)) >> 8` with
//!   `t = c * a + 128`, which equals `(c * a + 127) / 255` for every `c, a` in `0..=255` (`c * a`
//!   is never an odd multiple of 127.5, so there is no half to round);
//! - unpremultiplying: `c = min(255, round(c' * 255 / a))`, halves rounded up, and `a = 0` gives
//!   `0, 0, 0, 0`. It is computed in `f32`, which is exact here: the quotient is below 2^16 / 1,
//!   is an exact half only when the division is exact (then `f32` represents it exactly), and is
//!   otherwise at least `1 / (2 a)` >= 1/510 away from a half, far more than `f32`'s error.
//!
//! Premultiplying then unpremultiplying gives back the straight colour exactly when
//! `a = 255`, and within `255 / (2 a) + 1/2` otherwise (the first rounding's half step, scaled
//! back by `255 / a`, plus the second rounding's): a premultiplied byte cannot hold more. Going
//! the other way, premultiplied bytes survive a trip through straight alpha unchanged.

#![forbid(unsafe_code)]

use rayon::prelude::*;

use crate::control::Progress;
use crate::error::{Error, Result};
use crate::model::Image;
use crate::ops::{check_new_size, keep, luma, rows_per_check};
use crate::types::{ColorType, PixelFormat};

impl PixelFormat {
    /// Bytes per pixel: 4, 3 (`Rgb8`, `Bgr8`) or 1 (`Gray8`).
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgb8 | PixelFormat::Bgr8 => 3,
            PixelFormat::Gray8 => 1,
            _ => 4,
        }
    }

    /// Whether the layout has a real alpha channel (not the ignored `X` byte).
    pub fn has_alpha(self) -> bool {
        self.alpha().is_some()
    }

    /// Whether the colour channels are premultiplied by alpha.
    pub fn is_premultiplied(self) -> bool {
        self.alpha() == Some(true)
    }

    /// `None` without alpha, `Some(premultiplied)` with it.
    fn alpha(self) -> Option<bool> {
        use PixelFormat::*;
        match self {
            Rgba8 | Bgra8 | Argb8 | Abgr8 => Some(false),
            Rgba8Premultiplied | Bgra8Premultiplied | Argb8Premultiplied | Abgr8Premultiplied => Some(true),
            Rgb8 | Bgr8 | Gray8 | Rgbx8 | Bgrx8 => None,
        }
    }

    /// The colour type of an image made from pixels in this layout: `L8` for `Gray8`, `Rgba8`
    /// for every layout with alpha (even if all of it is opaque, as [`Image::from_rgba8`] does,
    /// so that the layout alone decides what encoders write), `Rgb8` for the others.
    pub fn color_type(self) -> ColorType {
        match self {
            PixelFormat::Gray8 => ColorType::L8,
            format if format.has_alpha() => ColorType::Rgba8,
            _ => ColorType::Rgb8,
        }
    }

    /// The format's name as written in Rust (`"Bgra8Premultiplied"`).
    pub fn name(self) -> &'static str {
        self.variant_name()
    }

    /// The format with the given name (exactly as [`PixelFormat::name`] spells it).
    pub fn from_name(name: &str) -> Option<PixelFormat> {
        Self::ALL.into_iter().find(|format| format.name() == name)
    }
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `round(c * a / 255)` for `c, a` in `0..=255` (see the module docs).
#[inline(always)]
fn premultiply(c: u8, a: u8) -> u8 {
    let t = u32::from(c) * u32::from(a) + 128;
    ((t + (t >> 8)) >> 8) as u8
}

/// `min(255, round(c * 255 / a))`, halves up, for `a` in `1..=255` (see the module docs); the
/// caller handles `a = 0`.
#[inline(always)]
fn unpremultiply(c: u8, a: f32) -> u8 {
    // `as u8` saturates, which is the `min(255, ..)`.
    (f32::from(c) * 255.0 / a + 0.5) as u8
}

/// A straight RGBA pixel from a premultiplied one.
#[inline(always)]
fn unpremultiply_pixel(r: u8, g: u8, b: u8, a: u8) -> [u8; 4] {
    // Branch-free: a = 0 divides by 1 and then masks everything to 0.
    let mask = if a == 0 { 0 } else { 0xff };
    let divisor = f32::from(a.max(1));
    [unpremultiply(r, divisor) & mask, unpremultiply(g, divisor) & mask, unpremultiply(b, divisor) & mask, a]
}

/// One row of a layout into straight RGBA8. `N` bytes per pixel, the colour channels at byte
/// `R`, `G`, `B`; the fourth byte at `A` (`A == N` for 3-byte layouts), real alpha if `ALPHA`
/// (else an ignored `X` byte), premultiplied if `PREMUL`.
fn import_row<
    const N: usize,
    const R: usize,
    const G: usize,
    const B: usize,
    const A: usize,
    const ALPHA: bool,
    const PREMUL: bool,
>(
    src: &[u8],
    dst: &mut [u8],
) {
    let (src, _) = src.as_chunks::<N>();
    let (dst, _) = dst.as_chunks_mut::<4>();
    for (s, d) in src.iter().zip(dst) {
        // `A.min(N - 1)` keeps the index in bounds for layouts without a fourth byte (unused).
        let a = if ALPHA { s[A.min(N - 1)] } else { 255 };
        *d = if PREMUL { unpremultiply_pixel(s[R], s[G], s[B], a) } else { [s[R], s[G], s[B], a] };
    }
}

/// One row of grey into RGBA8.
fn import_grey_row(src: &[u8], dst: &mut [u8]) {
    let (dst, _) = dst.as_chunks_mut::<4>();
    for (&v, d) in src.iter().zip(dst) {
        *d = [v, v, v, 255];
    }
}

/// One row of straight RGBA8 into a layout (parameters as [`import_row`]; an `X` byte is
/// written as 255).
fn export_row<
    const N: usize,
    const R: usize,
    const G: usize,
    const B: usize,
    const A: usize,
    const ALPHA: bool,
    const PREMUL: bool,
>(
    src: &[u8],
    dst: &mut [u8],
) {
    let (src, _) = src.as_chunks::<4>();
    let (dst, _) = dst.as_chunks_mut::<N>();
    for (&[r, g, b, a], d) in src.iter().zip(dst) {
        let (r, g, b) = if PREMUL { (premultiply(r, a), premultiply(g, a), premultiply(b, a)) } else { (r, g, b) };
        d[R] = r;
        d[G] = g;
        d[B] = b;
        if A < N {
            d[A.min(N - 1)] = if ALPHA { a } else { 255 };
        }
    }
}

/// One row of RGBA8 into grey: the Rec. 709 luma of the encoders; alpha is dropped.
fn export_grey_row(src: &[u8], dst: &mut [u8]) {
    let (src, _) = src.as_chunks::<4>();
    for (&[r, g, b, _], d) in src.iter().zip(dst) {
        *d = luma(r, g, b);
    }
}

type RowFn = fn(&[u8], &mut [u8]);

/// The row loop reading `format` into RGBA8.
fn importer(format: PixelFormat) -> RowFn {
    use PixelFormat::*;
    match format {
        Rgba8 => import_row::<4, 0, 1, 2, 3, true, false>,
        Bgra8 => import_row::<4, 2, 1, 0, 3, true, false>,
        Rgb8 => import_row::<3, 0, 1, 2, 3, false, false>,
        Bgr8 => import_row::<3, 2, 1, 0, 3, false, false>,
        Gray8 => import_grey_row,
        Rgba8Premultiplied => import_row::<4, 0, 1, 2, 3, true, true>,
        Bgra8Premultiplied => import_row::<4, 2, 1, 0, 3, true, true>,
        Argb8 => import_row::<4, 1, 2, 3, 0, true, false>,
        Abgr8 => import_row::<4, 3, 2, 1, 0, true, false>,
        Rgbx8 => import_row::<4, 0, 1, 2, 3, false, false>,
        Bgrx8 => import_row::<4, 2, 1, 0, 3, false, false>,
        Argb8Premultiplied => import_row::<4, 1, 2, 3, 0, true, true>,
        Abgr8Premultiplied => import_row::<4, 3, 2, 1, 0, true, true>,
    }
}

/// The row loop writing RGBA8 as `format`.
fn exporter(format: PixelFormat) -> RowFn {
    use PixelFormat::*;
    match format {
        Rgba8 => export_row::<4, 0, 1, 2, 3, true, false>,
        Bgra8 => export_row::<4, 2, 1, 0, 3, true, false>,
        Rgb8 => export_row::<3, 0, 1, 2, 3, false, false>,
        Bgr8 => export_row::<3, 2, 1, 0, 3, false, false>,
        Gray8 => export_grey_row,
        Rgba8Premultiplied => export_row::<4, 0, 1, 2, 3, true, true>,
        Bgra8Premultiplied => export_row::<4, 2, 1, 0, 3, true, true>,
        Argb8 => export_row::<4, 1, 2, 3, 0, true, false>,
        Abgr8 => export_row::<4, 3, 2, 1, 0, true, false>,
        Rgbx8 => export_row::<4, 0, 1, 2, 3, false, false>,
        Bgrx8 => export_row::<4, 2, 1, 0, 3, false, false>,
        Argb8Premultiplied => export_row::<4, 1, 2, 3, 0, true, true>,
        Abgr8Premultiplied => export_row::<4, 3, 2, 1, 0, true, true>,
    }
}

/// The geometry of a caller's buffer: bytes of pixels per row, the distance between rows, and
/// the bytes the buffer must hold (`stride * (height - 1) + row`).
#[derive(Clone, Copy, Debug)]
struct Geometry {
    row: usize,
    stride: usize,
    needed: usize,
}

/// Validates a caller's buffer of `len` bytes holding `width` x `height` pixels of `format`
/// with `stride` bytes between rows (0 = `width * bytes per pixel`). `role` names the buffer in
/// messages.
fn geometry(
    operation: &str,
    role: &str,
    width: u32,
    height: u32,
    format: PixelFormat,
    stride: usize,
    len: usize,
) -> Result<Geometry> {
    let bpp = format.bytes_per_pixel();
    let too_large = || {
        Error::InvalidArgument(format!(
            "{operation}: a {width} x {height} {format} image is too large for this platform's address space"
        ))
    };
    let row = (width as usize).checked_mul(bpp).ok_or_else(too_large)?;
    let stride = if stride == 0 { row } else { stride };
    if stride < row {
        return Err(Error::InvalidArgument(format!(
            "{operation}: stride {stride} is less than a row of {width} {format} pixels ({width} x {bpp} = {row} bytes)"
        )));
    }
    let needed =
        stride.checked_mul(height as usize - 1).and_then(|rows| rows.checked_add(row)).ok_or_else(too_large)?;
    if len < needed {
        return Err(Error::InvalidArgument(format!(
            "{operation}: {role} has {len} bytes but {width} x {height} {format} pixels with stride {stride} need at \
             least {needed} ({stride} x {} + {row})",
            height - 1
        )));
    }
    Ok(Geometry { row, stride, needed })
}

/// Runs `convert` on every row: `height` rows from `src` (geometry `from`) to `dst` (geometry
/// `to`), in bands of rows (in parallel when there is more than one), checking for cancellation
/// between bands. Bytes of `dst` between rows are not touched.
fn convert_rows(src: &[u8], from: Geometry, dst: &mut [u8], to: Geometry, height: usize, convert: RowFn) -> Result<()> {
    let (src, dst) = (&src[..from.needed], &mut dst[..to.needed]);
    let band = rows_per_check(from.row.max(to.row));
    let progress = Progress::new(height as u64);
    let run_band = |(src, dst): (&[u8], &mut [u8])| {
        let rows = src.chunks(from.stride).zip(dst.chunks_mut(to.stride));
        let mut count = 0;
        for (s, d) in rows {
            convert(&s[..from.row], &mut d[..to.row]);
            count += 1;
        }
        progress.step(count)
    };
    if height <= band {
        run_band((src, dst))
    } else {
        src.par_chunks(from.stride * band).zip(dst.par_chunks_mut(to.stride * band)).try_for_each(run_band)
    }
}

impl Image {
    /// Makes an image from pixels in another library's layout ([`PixelFormat`]), converted once
    /// into the image's RGBA8.
    ///
    /// `stride` is the distance in bytes between the starts of two rows (0 = tightly packed,
    /// `width * format.bytes_per_pixel()`); `data` must hold at least
    /// `stride * (height - 1) + width * bytes_per_pixel` bytes (the last row needs no padding).
    /// Premultiplied layouts are unpremultiplied exactly (see [`PixelFormat`]); `X` bytes are
    /// ignored. The colour type is [`PixelFormat::color_type`]: `L8` for grey, `Rgba8` for
    /// layouts with alpha, `Rgb8` for the others.
    ///
    /// Errors with [`Error::InvalidArgument`] for an empty size, a size beyond the default
    /// decode limits (as [`Image::from_rgba8`]), a stride smaller than a row, or too little
    /// data, with the numbers in the message. Cancellable through the current job.
    pub fn from_pixel_data(data: &[u8], width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<Image> {
        const OPERATION: &str = "from_pixel_data";
        check_new_size(OPERATION, width, height)?;
        let from = geometry(OPERATION, "the pixel data", width, height, format, stride, data.len())?;
        let row = width as usize * 4;
        let to = Geometry { row, stride: row, needed: row * height as usize };
        let mut pixels = vec![0u8; to.needed];
        let outcome = convert_rows(data, from, &mut pixels, to, height as usize, importer(format));
        let pixels = keep(outcome, pixels)?;
        Ok(Image::from_parts(width, height, pixels, format.color_type()))
    }

    /// Copies the pixels into `out` in another library's layout ([`PixelFormat`]), converted
    /// once.
    ///
    /// `stride` as in [`Image::from_pixel_data`] (0 = tightly packed); `out` must hold at least
    /// `stride * (height - 1) + width * bytes_per_pixel` bytes. Bytes between rows (the padding
    /// of a larger stride) and after the last row are left untouched. Premultiplied layouts are
    /// premultiplied exactly, `X` bytes are written as 255, and `Gray8` is the Rec. 709 luma that
    /// the encoders write for grey (alpha is dropped).
    ///
    /// Errors with [`Error::InvalidArgument`] for a stride smaller than a row or an `out` too
    /// small, with the numbers in the message. Cancellable through the current job (`out` then
    /// holds some converted rows).
    pub fn copy_pixel_data(&self, out: &mut [u8], format: PixelFormat, stride: usize) -> Result<()> {
        let to = geometry("copy_pixel_data", "the destination", self.width, self.height, format, stride, out.len())?;
        let row = self.width as usize * 4;
        let from = Geometry { row, stride: row, needed: self.pixels.len() };
        convert_rows(&self.pixels, from, out, to, self.height as usize, exporter(format))
    }

    /// The bytes [`Image::copy_pixel_data`] needs for this image in `format` with `stride`
    /// (0 = tightly packed), or `InvalidArgument` if the stride is smaller than a row.
    pub fn pixel_data_len(&self, format: PixelFormat, stride: usize) -> Result<usize> {
        Ok(geometry("pixel_data_len", "", self.width, self.height, format, stride, usize::MAX)?.needed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use PixelFormat::*;

    /// Two pixels: an opaque orange and a half-transparent blue-green, straight.
    const STRAIGHT: [u8; 8] = [255, 128, 0, 255, 0, 100, 200, 128];

    fn image() -> Image {
        Image::from_rgba8(2, 1, STRAIGHT.to_vec()).unwrap()
    }

    /// `round(c * a / 255)` worked by hand for the second pixel (a = 128):
    /// 0 -> 0, 100 * 128 / 255 = 50.196 -> 50, 200 * 128 / 255 = 100.39 -> 100.
    const PREMUL_SECOND: [u8; 3] = [0, 50, 100];

    /// Every format's bytes for [`STRAIGHT`], written out by hand.
    fn expected(format: PixelFormat) -> Vec<u8> {
        let [r2, g2, b2] = PREMUL_SECOND;
        match format {
            Rgba8 => vec![255, 128, 0, 255, 0, 100, 200, 128],
            Bgra8 => vec![0, 128, 255, 255, 200, 100, 0, 128],
            Rgb8 => vec![255, 128, 0, 0, 100, 200],
            Bgr8 => vec![0, 128, 255, 200, 100, 0],
            // 0.2126 * 255 + 0.7152 * 128 = 145.76 -> 146; 0.7152 * 100 + 0.0722 * 200 = 85.96 -> 86.
            Gray8 => vec![146, 86],
            Rgba8Premultiplied => vec![255, 128, 0, 255, r2, g2, b2, 128],
            Bgra8Premultiplied => vec![0, 128, 255, 255, b2, g2, r2, 128],
            Argb8 => vec![255, 255, 128, 0, 128, 0, 100, 200],
            Abgr8 => vec![255, 0, 128, 255, 128, 200, 100, 0],
            Rgbx8 => vec![255, 128, 0, 255, 0, 100, 200, 255],
            Bgrx8 => vec![0, 128, 255, 255, 200, 100, 0, 255],
            Argb8Premultiplied => vec![255, 255, 128, 0, 128, r2, g2, b2],
            Abgr8Premultiplied => vec![255, 0, 128, 255, 128, b2, g2, r2],
        }
    }

    /// What reading [`expected`] back gives, by hand: unpremultiplying 50 and 100 at a = 128
    /// gives round(50 * 255 / 128) = round(99.6) = 100 and round(199.2) = 199; layouts without
    /// alpha are opaque; grey is copied to R, G and B.
    fn read_back(format: PixelFormat) -> Vec<u8> {
        match format {
            Rgba8 | Bgra8 | Argb8 | Abgr8 => STRAIGHT.to_vec(),
            Rgb8 | Bgr8 | Rgbx8 | Bgrx8 => vec![255, 128, 0, 255, 0, 100, 200, 255],
            Gray8 => vec![146, 146, 146, 255, 86, 86, 86, 255],
            _ => vec![255, 128, 0, 255, 0, 100, 199, 128],
        }
    }

    #[test]
    fn every_format_is_written_as_worked_out_by_hand() {
        for format in PixelFormat::ALL {
            let want = expected(format);
            let mut out = vec![7u8; want.len()];
            image().copy_pixel_data(&mut out, format, 0).unwrap();
            assert_eq!(out, want, "{format}");
            assert_eq!(image().pixel_data_len(format, 0).unwrap(), want.len(), "{format}");
        }
    }

    #[test]
    fn every_format_is_read_as_worked_out_by_hand() {
        for format in PixelFormat::ALL {
            let read = Image::from_pixel_data(&expected(format), 2, 1, format, 0).unwrap();
            assert_eq!(read.pixels(), read_back(format).as_slice(), "{format}");
            assert_eq!((read.width(), read.height()), (2, 1));
            assert_eq!(read.color_type(), format.color_type());
        }
        assert_eq!(Gray8.color_type(), ColorType::L8);
        assert_eq!(Bgrx8.color_type(), ColorType::Rgb8);
        assert_eq!(Bgr8.color_type(), ColorType::Rgb8);
        assert_eq!(Abgr8Premultiplied.color_type(), ColorType::Rgba8);
    }

    #[test]
    fn x_bytes_are_ignored_on_input() {
        let read = Image::from_pixel_data(&[1, 2, 3, 0, 4, 5, 6, 77], 2, 1, Bgrx8, 0).unwrap();
        assert_eq!(read.pixels(), &[3, 2, 1, 255, 6, 5, 4, 255]);
        let read = Image::from_pixel_data(&[1, 2, 3, 0], 1, 1, Rgbx8, 0).unwrap();
        assert_eq!(read.pixels(), &[1, 2, 3, 255]);
    }

    #[test]
    fn strided_rows_are_read_and_padding_is_left_untouched() {
        // 2 x 3 BGR with stride 8: 6 bytes of pixels and 2 of padding per row; the last row
        // has no padding.
        let data = [
            1, 2, 3, 4, 5, 6, 99, 99, //
            7, 8, 9, 10, 11, 12, 99, 99, //
            13, 14, 15, 16, 17, 18,
        ];
        let image = Image::from_pixel_data(&data, 2, 3, Bgr8, 8).unwrap();
        #[rustfmt::skip]
        let rgba = [
            3, 2, 1, 255, 6, 5, 4, 255,
            9, 8, 7, 255, 12, 11, 10, 255,
            15, 14, 13, 255, 18, 17, 16, 255,
        ];
        assert_eq!(image.pixels(), &rgba);

        let mut out = vec![0xAAu8; 8 * 3 + 5];
        image.copy_pixel_data(&mut out, Bgr8, 8).unwrap();
        let mut want = data.to_vec();
        for y in 0..2 {
            want[y * 8 + 6..y * 8 + 8].copy_from_slice(&[0xAA, 0xAA]);
        }
        want.extend_from_slice(&[0xAA; 7]);
        assert_eq!(out, want, "padding and the tail must stay 0xAA");
    }

    #[test]
    fn premultiplying_matches_the_formula_for_every_pair() {
        for c in 0..=255u32 {
            for a in 0..=255u32 {
                // round(c * a / 255) with no halves possible: (c * a + 127) / 255.
                let want = ((c * a + 127) / 255) as u8;
                assert_eq!(premultiply(c as u8, a as u8), want, "c {c} a {a}");
                let exact = f64::from(c * a) / 255.0;
                assert!((f64::from(want) - exact).abs() <= 0.5, "c {c} a {a}");
            }
        }
    }

    #[test]
    fn unpremultiplying_matches_the_formula_for_every_pair() {
        for c in 0..=255u32 {
            for a in 1..=255u32 {
                // round(c * 255 / a), halves up, in integers: (2 * 255 * c + a) / (2 * a).
                let want = ((510 * c + a) / (2 * a)).min(255) as u8;
                let got = unpremultiply_pixel(c as u8, c as u8, c as u8, a as u8);
                assert_eq!(got, [want, want, want, a as u8], "c {c} a {a}");
            }
            assert_eq!(unpremultiply_pixel(c as u8, 1, 255, 0), [0, 0, 0, 0], "a = 0");
        }
    }

    #[test]
    fn premultiplied_edge_cases_by_hand() {
        // Straight colour 200, 100, 1 at a = 0, 1, 254, 255.
        let straight = [200, 100, 1, 0, 200, 100, 1, 1, 200, 100, 1, 254, 200, 100, 1, 255];
        let image = Image::from_rgba8(4, 1, straight.to_vec()).unwrap();
        let mut out = [0u8; 16];
        image.copy_pixel_data(&mut out, Rgba8Premultiplied, 0).unwrap();
        // a = 1: 200/255 = 0.78 -> 1, 100/255 = 0.39 -> 0, 1/255 -> 0.
        // a = 254: 200 * 254 / 255 = 199.2 -> 199, 99.6 -> 100, 0.996 -> 1.
        let premultiplied = [0, 0, 0, 0, 1, 0, 0, 1, 199, 100, 1, 254, 200, 100, 1, 255];
        assert_eq!(out, premultiplied);

        let back = Image::from_pixel_data(&premultiplied, 4, 1, Rgba8Premultiplied, 0).unwrap();
        // a = 0: all zero. a = 1: 1 * 255 = 255, 0, 0. a = 254: 199 * 255 / 254 = 199.78 -> 200,
        // 100.39 -> 100, 1.004 -> 1. a = 255: unchanged.
        assert_eq!(back.pixels(), &[0, 0, 0, 0, 255, 0, 0, 1, 200, 100, 1, 254, 200, 100, 1, 255]);

        // Invalid premultiplied data (colour above alpha) saturates at 255; a = 0 clears colour.
        let back = Image::from_pixel_data(&[200, 2, 0, 1, 9, 9, 9, 0], 2, 1, Rgba8Premultiplied, 0).unwrap();
        assert_eq!(back.pixels(), &[255, 255, 0, 1, 0, 0, 0, 0]);
        // A half rounds up: 1 * 255 / 2 = 127.5 -> 128.
        let back = Image::from_pixel_data(&[1, 0, 0, 2], 1, 1, Rgba8Premultiplied, 0).unwrap();
        assert_eq!(back.pixels(), &[128, 0, 0, 2]);
    }

    /// A deterministic image with every alpha value and varied colours.
    fn varied(width: u32, height: u32) -> Image {
        let mut state = 0x2545_f491_u32;
        let pixels = (0..width * height * 4)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        Image::from_rgba8(width, height, pixels).unwrap()
    }

    #[test]
    fn round_trips() {
        // Large enough for several parallel bands.
        let (width, height) = (300, 700);
        let source = varied(width, height);
        for format in PixelFormat::ALL {
            let stride = width as usize * format.bytes_per_pixel() + 5;
            let mut out = vec![0u8; source.pixel_data_len(format, stride).unwrap()];
            source.copy_pixel_data(&mut out, format, stride).unwrap();
            let back = Image::from_pixel_data(&out, width, height, format, stride).unwrap();
            let pairs = source.pixels().as_chunks::<4>().0.iter().zip(back.pixels().as_chunks::<4>().0);
            for (&[r, g, b, a], &got) in pairs {
                let want = match format {
                    Rgba8 | Bgra8 | Argb8 | Abgr8 => [r, g, b, a],
                    Rgb8 | Bgr8 | Rgbx8 | Bgrx8 => [r, g, b, 255],
                    Gray8 => {
                        let v = luma(r, g, b);
                        [v, v, v, 255]
                    }
                    _ => {
                        // Exact at a = 255, within 255 / (2a) + 1/2 otherwise, all zero at a = 0.
                        if a == 0 {
                            assert_eq!(got, [0, 0, 0, 0]);
                            continue;
                        }
                        let bound = if a == 255 { 0.0 } else { 255.0 / (2.0 * f64::from(a)) + 0.5 };
                        for (want, got) in [r, g, b].into_iter().zip(got) {
                            assert!((f64::from(want) - f64::from(got)).abs() <= bound, "{format} a {a}");
                        }
                        assert_eq!(got[3], a);
                        continue;
                    }
                };
                assert_eq!(got, want, "{format}");
            }
        }
    }

    #[test]
    fn premultiplied_round_trip_is_exact_when_opaque_and_stable_after_one_pass() {
        let source = varied(64, 64);
        let len = source.pixel_data_len(Bgra8Premultiplied, 0).unwrap();
        let (mut first, mut second) = (vec![0u8; len], vec![0u8; len]);
        source.copy_pixel_data(&mut first, Bgra8Premultiplied, 0).unwrap();
        let back = Image::from_pixel_data(&first, 64, 64, Bgra8Premultiplied, 0).unwrap();
        back.copy_pixel_data(&mut second, Bgra8Premultiplied, 0).unwrap();
        // Premultiplied bytes survive a trip through straight alpha unchanged.
        assert_eq!(first, second);
    }

    #[test]
    fn bad_arguments_name_the_numbers() {
        let message = |error: Error| match error {
            Error::InvalidArgument(message) => message,
            other => panic!("expected InvalidArgument, got {other:?}"),
        };
        let short = message(Image::from_pixel_data(&[0; 11], 2, 2, Rgb8, 0).unwrap_err());
        assert!(short.contains("11 bytes") && short.contains("at least 12"), "{short}");
        let stride = message(Image::from_pixel_data(&[0; 64], 2, 2, Bgra8, 7).unwrap_err());
        assert!(stride.contains("stride 7") && stride.contains("8 bytes"), "{stride}");
        // Stride 10: 10 + 8 = 18 bytes needed.
        let strided = message(Image::from_pixel_data(&[0; 17], 2, 2, Rgba8, 10).unwrap_err());
        assert!(strided.contains("at least 18"), "{strided}");
        assert!(Image::from_pixel_data(&[0; 18], 2, 2, Rgba8, 10).is_ok());
        let empty = message(Image::from_pixel_data(&[], 0, 1, Gray8, 0).unwrap_err());
        assert!(empty.contains("empty"), "{empty}");
        let huge = message(Image::from_pixel_data(&[0; 4], 40_000, 1, Gray8, 0).unwrap_err());
        assert!(huge.contains("limits"), "{huge}");
        let out = message(image().copy_pixel_data(&mut [0; 7], Bgra8, 0).unwrap_err());
        assert!(out.contains("7 bytes") && out.contains("at least 8"), "{out}");
        let out = message(image().copy_pixel_data(&mut [0; 64], Rgb8, 5).unwrap_err());
        assert!(out.contains("stride 5"), "{out}");
        let tall = Image::from_rgba8(1, 2, vec![0; 8]).unwrap();
        let overflow = message(tall.copy_pixel_data(&mut [0; 64], Rgb8, usize::MAX).unwrap_err());
        assert!(overflow.contains("too large"), "{overflow}");
    }

    #[test]
    fn names_round_trip() {
        for format in PixelFormat::ALL {
            assert_eq!(PixelFormat::from_name(format.name()), Some(format));
        }
        assert_eq!(PixelFormat::ALL.map(|f| f as u32), std::array::from_fn(|i| i as u32));
    }
}
