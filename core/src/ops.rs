//! Image operations.
//!
//! Operations that keep the size and map each pixel to one pixel work in place on the existing
//! buffer (`&mut self`, never reallocating); operations that change the size or mix
//! neighbouring pixels return a new image and leave the source untouched (`&self`).
//!
//! Every operation runs under the calling thread's [`Job`](crate::control::Job), if any: its
//! loops check for cancellation at least every few milliseconds of work (bands of rows, tiles)
//! and report their progress. Cancelled, an operation returns [`Error::Cancelled`] and gives up
//! what it allocated; an in-place operation also leaves the image exactly as it was (see
//! `Image::transform`). Without a job the checks are a branch each.

#![forbid(unsafe_code)]

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::blur;
use crate::control::{self, Progress};
use crate::error::{Error, Result};
use crate::model::Image;
use crate::resample;
use crate::types::{ColorType, DecodeLimits, ResizeFilter};

/// Largest accepted unsharpen `amount`.
pub const MAX_UNSHARPEN_AMOUNT: f32 = 10.0;

/// Largest accepted unsharpen `threshold`.
pub const MAX_UNSHARPEN_THRESHOLD: u32 = 255;

/// Largest accepted magnitude of the brightness delta.
pub const MAX_BRIGHTNESS_DELTA: i32 = 255;

/// Smallest accepted contrast (percent): -100 flattens every channel to mid grey.
pub const MIN_CONTRAST: f32 = -100.0;

/// The range of `gamma` accepted by [`Image::gamma`].
pub const GAMMA_RANGE: std::ops::RangeInclusive<f32> = 0.01..=100.0;

/// Bytes of pixels a loop works through between two cancellation checks: well under a
/// millisecond of the simplest work (a copy), so that a cancel takes effect at once, and far
/// more than a check costs.
const CHECK_BYTES: usize = 256 << 10;

/// Whole rows of `row_bytes` bytes between two cancellation checks (at least one).
pub(crate) fn rows_per_check(row_bytes: usize) -> usize {
    (CHECK_BYTES / row_bytes.max(1)).max(1)
}

/// Runs `work` on consecutive ranges of rows covering `0..rows` (rows of `row_bytes` bytes), on
/// this thread, counting them on a [`Progress`] and stopping with
/// [`Error::Cancelled`] between two ranges when the job is cancelled.
fn in_row_bands(rows: usize, row_bytes: usize, mut work: impl FnMut(Range<usize>)) -> Result<()> {
    let progress = Progress::new(rows as u64);
    let band = rows_per_check(row_bytes);
    for start in (0..rows).step_by(band) {
        let end = (start + band).min(rows);
        work(start..end);
        progress.step((end - start) as u64)?;
    }
    Ok(())
}

/// A new buffer of `rows` rows of `row_bytes` bytes, row `y` filled by `fill(y, row)` on this
/// thread, in bands that check for cancellation as [`in_row_bands`] does.
fn fill_rows(rows: usize, row_bytes: usize, mut fill: impl FnMut(usize, &mut [u8])) -> Result<Vec<u8>> {
    let mut out = vec![0u8; rows * row_bytes];
    let outcome = in_row_bands(rows, row_bytes, |band| {
        let band_rows = out[band.start * row_bytes..band.end * row_bytes].chunks_exact_mut(row_bytes);
        for (row, y) in band_rows.zip(band) {
            fill(y, row);
        }
    });
    keep(outcome, out)
}

/// Buffers at least this large that cancelled work gives up are freed on a thread of their own.
const DISCARD_ON_A_THREAD_FROM: usize = 16 << 20;

/// Frees a buffer that cancelled work gives up. Returning a large buffer's pages to the system
/// takes a while (75 ms for 1 GiB measured on a 2-core VM), which a caller waiting for its
/// cancel to take effect should not wait for, so large buffers are dropped on a short-lived
/// thread.
pub(crate) fn discard(buffer: Vec<u8>) {
    if buffer.capacity() >= DISCARD_ON_A_THREAD_FROM {
        // If no thread can be started, `spawn` drops the closure, and the buffer with it, here.
        let _ = std::thread::Builder::new().name("pixbridge-discard".into()).spawn(move || drop(buffer));
    }
}

/// `buffer` if `outcome` is `Ok`, otherwise the error, after [`discard`]ing `buffer`.
pub(crate) fn keep(outcome: Result<()>, buffer: Vec<u8>) -> Result<Vec<u8>> {
    match outcome {
        Ok(()) => Ok(buffer),
        Err(error) => {
            discard(buffer);
            Err(error)
        }
    }
}

/// A copy of `pixels`, made in parallel pieces that check for cancellation (most of the time of
/// a large copy goes into faulting in the fresh pages: 0.75 s per GiB on a 2-core VM).
pub(crate) fn copy_pixels(pixels: &[u8]) -> Result<Vec<u8>> {
    let mut copy = vec![0u8; pixels.len()];
    let progress = Progress::new(pixels.len() as u64);
    let outcome =
        copy.par_chunks_mut(CHECK_BYTES).zip(pixels.par_chunks(CHECK_BYTES)).try_for_each(|(copy, pixels)| {
            copy.copy_from_slice(pixels);
            progress.step(pixels.len() as u64)
        });
    keep(outcome, copy)
}

/// The share of [`Image::unsharpen`]'s progress that its blur takes (the rest is one pass
/// through a table).
const UNSHARPEN_BLUR_SHARE: f32 = 0.85;

/// The share of an in-place operation's progress that making its backup takes (a copy into
/// fresh pages, which costs about as much as the operation itself or more).
const BACKUP_SHARE: f32 = 0.5;

/// Splits the pixels of an image of `height` rows of `row_bytes` bytes into the top half, the
/// middle row (empty for an even height) and the bottom half.
fn halves(pixels: &mut [u8], row_bytes: usize, height: usize) -> (&mut [u8], &mut [u8], &mut [u8]) {
    let half = height / 2 * row_bytes;
    let (top, rest) = pixels.split_at_mut(half);
    let (middle, bottom) = rest.split_at_mut(rest.len() - half);
    (top, middle, bottom)
}

/// Rec. 709 luma of an 8-bit RGB triple, rounded half up:
/// `(2126 * r + 7152 * g + 722 * b + 5000) / 10000` in integer arithmetic.
///
/// The weights sum to 10000, so a grey input (r = g = b = v) gives exactly v.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    let weighted = 2126 * u32::from(r) + 7152 * u32::from(g) + 722 * u32::from(b);
    // At most (10000 * 255 + 5000) / 10000 = 255, so the narrowing cannot truncate.
    ((weighted + 5000) / 10000) as u8
}

/// Validates a Gaussian sigma: finite and `0 < sigma <= blur::MAX_SIGMA`.
pub(crate) fn check_unsharpen(sigma: f32, amount: f32, threshold: u32) -> Result<()> {
    check_sigma("unsharpen", sigma)?;
    if !(amount.is_finite() && (0.0..=MAX_UNSHARPEN_AMOUNT).contains(&amount)) {
        return Err(Error::InvalidArgument(format!(
            "unsharpen: amount {amount} is invalid: it must be a finite number with 0 <= amount <= {MAX_UNSHARPEN_AMOUNT}"
        )));
    }
    if threshold > MAX_UNSHARPEN_THRESHOLD {
        return Err(Error::InvalidArgument(format!(
            "unsharpen: threshold {threshold} is out of range 0..={MAX_UNSHARPEN_THRESHOLD}"
        )));
    }
    Ok(())
}

pub(crate) fn check_sigma(operation: &str, sigma: f32) -> Result<()> {
    if sigma.is_finite() && sigma > 0.0 && sigma <= blur::MAX_SIGMA {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{operation}: sigma {sigma} is invalid: it must be a finite number with 0 < sigma <= {}",
            blur::MAX_SIGMA
        )))
    }
}

impl Image {
    /// Gaussian blur with standard deviation `sigma` pixels; returns a new image of the same
    /// size and colour type.
    ///
    /// `sigma` must be finite and `0 < sigma <= MAX_SIGMA` (the blur module's
    /// `MAX_SIGMA`, 1000), otherwise [`Error::InvalidArgument`].
    pub fn blur(&self, sigma: f32) -> Result<Image> {
        check_sigma("blur", sigma)?;
        let blurred = blur::gaussian_blur_rgba8(&self.pixels, self.width, self.height, sigma)?;
        Ok(Image::from_parts(self.width, self.height, blurred, self.color_type))
    }

    /// [`Image::blur`] of an image the caller no longer needs: the same result, computed in this
    /// image's own buffer where the filter allows it (sigma above 10), so no second full-size
    /// buffer is held. Errors as for [`Image::blur`].
    pub fn into_blurred(self, sigma: f32) -> Result<Image> {
        check_sigma("blur", sigma)?;
        let Image { pixels, width, height, color_type, .. } = self;
        let blurred = blur::gaussian_blur_rgba8_owned(pixels, width, height, sigma)?;
        Ok(Image::from_parts(width, height, blurred, color_type))
    }

    /// Unsharp mask; returns a new image of the same size and colour type.
    ///
    /// With `blurred` = [`Image::blur`]`(sigma)`, for each of R, G, B:
    /// `diff = src - blurred` (integers); if `|diff| >= threshold` the output is
    /// `src + amount * diff` computed in `f64`, rounded half away from zero and clamped to
    /// 0..=255, otherwise `src`. Alpha is copied from the source.
    ///
    /// `sigma` as for [`Image::blur`]; `amount` finite and `0 <= amount <= 10`;
    /// `threshold` `0..=255`. Anything else is [`Error::InvalidArgument`].
    pub fn unsharpen(&self, sigma: f32, amount: f32, threshold: u32) -> Result<Image> {
        check_unsharpen(sigma, amount, threshold)?;
        let amount = f64::from(amount);
        let mut out = control::stage(0.0, UNSHARPEN_BLUR_SHARE, || {
            blur::gaussian_blur_rgba8(&self.pixels, self.width, self.height, sigma)
        })?;
        // The result depends only on the (source, blurred) pair of 8-bit values: computing the
        // rule above once per pair (65 536 entries, 64 KiB) and looking it up is exact and
        // several times faster than the f64 arithmetic per channel of a 24 MP image.
        let mut sharpened = vec![0u8; 256 * 256];
        for (index, entry) in sharpened.iter_mut().enumerate() {
            let (src, blurred) = ((index >> 8) as u8, index as u8);
            let diff = i32::from(src) - i32::from(blurred);
            *entry = if diff.unsigned_abs() >= threshold {
                // Clamped to 0..=255 first, so the cast is exact.
                (f64::from(src) + amount * f64::from(diff)).round().clamp(0.0, 255.0) as u8
            } else {
                src
            };
        }
        let lookup = |src: u8, blurred: u8| sharpened[usize::from(src) << 8 | usize::from(blurred)];
        // Rows of about 1 MB per task: large enough that spreading them over threads pays.
        let rows_per_task = (1 << 20) / (self.width as usize * 4).max(1) + 1;
        let row_bytes = self.width as usize * 4;
        let outcome = control::stage(UNSHARPEN_BLUR_SHARE, 1.0, || {
            let progress = Progress::new(self.pixels.len() as u64);
            out.par_chunks_mut(row_bytes * rows_per_task)
                .zip(self.pixels.par_chunks(row_bytes * rows_per_task))
                .try_for_each(|(out, source)| {
                    for (dst, src) in out.as_chunks_mut::<4>().0.iter_mut().zip(source.as_chunks::<4>().0) {
                        *dst = [lookup(src[0], dst[0]), lookup(src[1], dst[1]), lookup(src[2], dst[2]), src[3]];
                    }
                    progress.step(source.len() as u64)
                })
        });
        Ok(Image::from_parts(self.width, self.height, keep(outcome, out)?, self.color_type))
    }

    /// Resizes to exactly `width` x `height`; returns a new image with the same colour type.
    ///
    /// - [`ResizeFilter::Nearest`]: pixel-centre sampling with exact integer arithmetic:
    ///   output `(x, y)` copies source `(floor((2x + 1) * src_w / (2 * width)),
    ///   floor((2y + 1) * src_h / (2 * height)))`. Every channel is copied as is.
    /// - [`ResizeFilter::Bilinear`] and [`ResizeFilter::Lanczos3`]: separable convolution
    ///   (`fast_image_resize`: SIMD, rows spread over threads). Per axis with
    ///   `ratio = src / dst` and `scale = max(ratio, 1)`, output index `o` is centred at source
    ///   position `(o + 0.5) * ratio`; source pixel `i` (centre `i + 0.5`) gets weight
    ///   `kernel((i + 0.5 - centre) / scale)`, weights normalised to sum 1, for source pixels
    ///   within `support * scale` of the centre (clamped to the image). Kernels: triangle
    ///   `max(0, 1 - |t|)` with support 1; Lanczos3 `sinc(t) * sinc(t / 3)` for `|t| < 3` with
    ///   support 3. The vertical pass runs first into an 8-bit intermediate (rounded, clamped
    ///   to 0..=255, which cuts Lanczos overshoot between the passes), then the horizontal
    ///   pass. Weights are applied in fixed point, so results are within a level or two of
    ///   that filter computed exactly. Colours are filtered premultiplied by alpha (then divided back), so
    ///   a transparent pixel's hidden colour never bleeds into visible neighbours; a fully
    ///   transparent result pixel has colour 0. Images without transparency skip that step.
    ///
    /// The same size as the source gives an exact copy. `width` or `height` of 0, or a
    /// result larger than the default decode limits (32768 x 32768, 512 MiB of RGBA8), is
    /// [`Error::InvalidArgument`].
    pub fn resize(&self, width: u32, height: u32, filter: ResizeFilter) -> Result<Image> {
        check_new_size("resize", width, height)?;
        let convolve = |filter| {
            let whole = resample::Region::whole(self.width, self.height);
            let alpha = self.color_type.has_alpha();
            resample::resample(&self.pixels, self.width, self.height, whole, (width, height), filter, alpha)
        };
        let pixels = match filter {
            // Kept on our own exact integer rule: `fast_image_resize` positions nearest samples
            // in floating point, which can pick the neighbouring pixel at exact half positions.
            ResizeFilter::Nearest => self.resize_nearest(width, height)?,
            _ if (width, height) == (self.width, self.height) => copy_pixels(&self.pixels)?,
            ResizeFilter::Bilinear => convolve(resample::Filter::Triangle)?,
            ResizeFilter::Lanczos3 => convolve(resample::Filter::Lanczos3)?,
        };
        Ok(Image::from_parts(width, height, pixels, self.color_type))
    }

    fn resize_nearest(&self, width: u32, height: u32) -> Result<Vec<u8>> {
        // floor((2i + 1) * src / (2 * dst)) < src always, since 2i + 1 < 2 * dst.
        let source_index = |i: usize, src: u32, dst: u32| -> usize {
            ((2 * i as u64 + 1) * u64::from(src) / (2 * u64::from(dst))) as usize
        };
        let columns: Vec<usize> = (0..width as usize).map(|x| source_index(x, self.width, width)).collect();
        let source = self.pixels.as_chunks::<4>().0;
        let src_width = self.width as usize;
        fill_rows(height as usize, width as usize * 4, |y, out| {
            let row = &source[source_index(y, self.height, height) * src_width..][..src_width];
            for (out, &sx) in out.as_chunks_mut::<4>().0.iter_mut().zip(&columns) {
                *out = row[sx];
            }
        })
    }

    /// Copies the rectangle at (`x`, `y`) of size `width` x `height` into a new image with the
    /// same colour type.
    ///
    /// The rectangle must be non-empty and lie entirely inside the image, otherwise
    /// [`Error::InvalidArgument`].
    pub fn crop(&self, x: u32, y: u32, width: u32, height: u32) -> Result<Image> {
        self.check_crop(x, y, width, height)?;
        let row_bytes = self.width as usize * 4;
        let (left, crop_row_bytes) = (x as usize * 4, width as usize * 4);
        let out = fill_rows(height as usize, crop_row_bytes, |row, out| {
            out.copy_from_slice(&self.pixels[(y as usize + row) * row_bytes + left..][..crop_row_bytes]);
        })?;
        Ok(Image::from_parts(width, height, out, self.color_type))
    }

    /// [`Image::crop`] of an image the caller no longer needs: the rows are moved to the front
    /// of this image's own buffer instead of being copied into a new one (the buffer keeps its
    /// capacity). Errors as for [`Image::crop`].
    pub fn into_cropped(self, x: u32, y: u32, width: u32, height: u32) -> Result<Image> {
        self.check_crop(x, y, width, height)?;
        let row_bytes = self.width as usize * 4;
        let (left, crop_row_bytes) = (x as usize * 4, width as usize * 4);
        let Image { mut pixels, color_type, .. } = self;
        // Row `i` of the crop lands at or before where it starts in the source, so moving the
        // rows in order never overwrites a row still to be moved.
        let outcome = in_row_bands(height as usize, crop_row_bytes, |rows| {
            for row in rows {
                let from = (y as usize + row) * row_bytes + left;
                pixels.copy_within(from..from + crop_row_bytes, row * crop_row_bytes);
            }
        });
        let mut pixels = keep(outcome, pixels)?;
        pixels.truncate(crop_row_bytes * height as usize);
        Ok(Image::from_parts(width, height, pixels, color_type))
    }

    /// Crops the rectangle `(x, y, width, height)` and resizes it to `size` in one pass: the
    /// same result as [`Image::crop`] followed by [`Image::resize`], except that the
    /// convolution filters read the source pixels just outside the rectangle (as a resize of
    /// the whole image followed by a crop would), and without copying the cropped region
    /// first. Rules and errors as for those two.
    pub fn crop_resize(
        &self,
        (x, y, width, height): (u32, u32, u32, u32),
        size: (u32, u32),
        filter: ResizeFilter,
    ) -> Result<Image> {
        self.check_crop(x, y, width, height)?;
        check_new_size("crop_resize", size.0, size.1)?;
        let convolve = |filter| {
            let region = resample::Region {
                left: f64::from(x),
                top: f64::from(y),
                width: f64::from(width),
                height: f64::from(height),
            };
            resample::resample(&self.pixels, self.width, self.height, region, size, filter, self.color_type.has_alpha())
        };
        let pixels = match filter {
            ResizeFilter::Nearest => {
                let cropped = control::stage(0.0, 0.5, || self.crop(x, y, width, height))?;
                return control::stage(0.5, 1.0, || cropped.resize(size.0, size.1, filter)).inspect_err(|_| {
                    discard(cropped.into_pixels());
                });
            }
            ResizeFilter::Bilinear => convolve(resample::Filter::Triangle)?,
            ResizeFilter::Lanczos3 => convolve(resample::Filter::Lanczos3)?,
        };
        Ok(Image::from_parts(size.0, size.1, pixels, self.color_type))
    }

    fn check_crop(&self, x: u32, y: u32, width: u32, height: u32) -> Result<()> {
        crate::plan::crop((self.width, self.height), x, y, width, height).map(drop)
    }

    /// Rotates 90 degrees clockwise into a new image (width and height swap): output
    /// `(x, y)` is source `(y, src_h - 1 - x)`.
    pub fn rotate90(&self) -> Result<Image> {
        let (w, h) = (self.width as usize, self.height as usize);
        self.rotated(|x, y| (h - 1 - x) * w + y)
    }

    /// Rotates 270 degrees clockwise (90 counter-clockwise) into a new image (width and height
    /// swap): output `(x, y)` is source `(src_w - 1 - y, x)`.
    pub fn rotate270(&self) -> Result<Image> {
        let w = self.width as usize;
        self.rotated(|x, y| x * w + (w - 1 - y))
    }

    /// Builds the transposed-size image whose output pixel `(x, y)` is source pixel
    /// `source_of(x, y)` (a pixel index into the source).
    fn rotated(&self, source_of: impl Fn(usize, usize) -> usize) -> Result<Image> {
        let (out_w, out_h) = (self.height, self.width);
        let source = self.pixels.as_chunks::<4>().0;
        let out = fill_rows(out_h as usize, out_w as usize * 4, |y, out| {
            for (x, out) in out.as_chunks_mut::<4>().0.iter_mut().enumerate() {
                *out = source[source_of(x, y)];
            }
        })?;
        Ok(Image::from_parts(out_w, out_h, out, self.color_type))
    }

    /// Mirrors left-right in place: pixel `(x, y)` becomes `(w - 1 - x, y)`.
    pub fn mirror(&mut self) -> Result<()> {
        let row_bytes = self.width as usize * 4;
        self.transform_rows(|rows| {
            for row in rows.chunks_exact_mut(row_bytes) {
                row.as_chunks_mut::<4>().0.reverse();
            }
        })
    }

    /// Flips top-bottom in place: pixel `(x, y)` becomes `(x, h - 1 - y)`.
    pub fn flip_vertical(&mut self) -> Result<()> {
        let row_bytes = self.width as usize * 4;
        self.transform(
            |top, bottom| {
                for (upper, lower) in top.chunks_exact_mut(row_bytes).zip(bottom.chunks_exact_mut(row_bytes).rev()) {
                    upper.swap_with_slice(lower);
                }
            },
            |_| {},
        )
    }

    /// Rotates 180 degrees in place: pixel `(x, y)` becomes `(w - 1 - x, h - 1 - y)`.
    pub fn rotate180(&mut self) -> Result<()> {
        self.transform(
            |top, bottom| {
                // Pixel `i` of the band swaps with the pixel as far from the end of its mirror
                // band: the loop of `slice::reverse`, which vectorises as well.
                let bottom = bottom.as_chunks_mut::<4>().0;
                for (upper, lower) in top.as_chunks_mut::<4>().0.iter_mut().zip(bottom.iter_mut().rev()) {
                    std::mem::swap(upper, lower);
                }
            },
            |row| row.as_chunks_mut::<4>().0.reverse(),
        )
    }

    /// Converts to grey in place: R, G and B all become the Rec. 709 luma
    /// `(2126 * R + 7152 * G + 722 * B + 5000) / 10000` (integer division, i.e. rounded half
    /// up); alpha is unchanged. The colour type becomes `La8` if it had alpha, else `L8`.
    pub fn grayscale(&mut self) -> Result<()> {
        self.transform_rows(|rows| {
            for px in rows.as_chunks_mut::<4>().0 {
                let y = luma(px[0], px[1], px[2]);
                px[..3].fill(y);
            }
        })?;
        self.color_type = if self.color_type.has_alpha() { ColorType::La8 } else { ColorType::L8 };
        Ok(())
    }

    /// Adds `delta` to R, G and B in place, saturating at 0 and 255; alpha is unchanged.
    ///
    /// `delta` must be in `-255..=255`, otherwise [`Error::InvalidArgument`].
    pub fn adjust_brightness(&mut self, delta: i32) -> Result<()> {
        if !(-MAX_BRIGHTNESS_DELTA..=MAX_BRIGHTNESS_DELTA).contains(&delta) {
            return Err(Error::InvalidArgument(format!(
                "adjust_brightness: delta {delta} is out of range -{MAX_BRIGHTNESS_DELTA}..={MAX_BRIGHTNESS_DELTA}"
            )));
        }
        let table: [u8; 256] = std::array::from_fn(|v| (v as i32 + delta).clamp(0, 255) as u8);
        self.map_colour_channels(&table)
    }

    /// Changes the contrast in place by `contrast` percent (`image`'s contrast semantics,
    /// rounded): with `factor = ((100 + contrast) / 100)^2`, each of R, G, B becomes
    /// `(v - 127.5) * factor + 127.5` computed in `f64`, rounded half away from zero and
    /// clamped to 0..=255. Alpha is unchanged. 0 leaves the image unchanged; -100 makes every
    /// colour channel 128.
    ///
    /// `contrast` must be finite and `>= -100`, otherwise [`Error::InvalidArgument`].
    pub fn adjust_contrast(&mut self, contrast: f32) -> Result<()> {
        if !(contrast.is_finite() && contrast >= MIN_CONTRAST) {
            return Err(Error::InvalidArgument(format!(
                "adjust_contrast: contrast {contrast} is invalid: it must be a finite number >= {MIN_CONTRAST}"
            )));
        }
        let factor = ((100.0 + f64::from(contrast)) / 100.0).powi(2);
        let table: [u8; 256] =
            std::array::from_fn(|v| ((v as f64 - 127.5) * factor + 127.5).round().clamp(0.0, 255.0) as u8);
        self.map_colour_channels(&table)
    }

    /// Gamma correction in place: each of R, G, B becomes `255 * (v / 255)^(1 / gamma)`, computed
    /// in `f64`, rounded half away from zero. `gamma > 1` brightens the mid-tones, `gamma < 1`
    /// darkens them, 1 leaves the image unchanged; 0 and 255 never move. Alpha is unchanged.
    ///
    /// `gamma` must be finite and in [`GAMMA_RANGE`] (0.01 to 100), otherwise
    /// [`Error::InvalidArgument`].
    pub fn gamma(&mut self, gamma: f32) -> Result<()> {
        if !GAMMA_RANGE.contains(&gamma) {
            return Err(Error::InvalidArgument(format!(
                "gamma: {gamma} is invalid: it must be a finite number from {} to {}",
                GAMMA_RANGE.start(),
                GAMMA_RANGE.end()
            )));
        }
        let exponent = 1.0 / f64::from(gamma);
        let table: [u8; 256] = std::array::from_fn(|v| (255.0 * (v as f64 / 255.0).powf(exponent)).round() as u8);
        self.map_colour_channels(&table)
    }

    /// Replaces R, G and B of every pixel through `table`, in place; alpha is untouched.
    fn map_colour_channels(&mut self, table: &[u8; 256]) -> Result<()> {
        self.transform_rows(|rows| {
            for px in rows.as_chunks_mut::<4>().0 {
                for channel in &mut px[..3] {
                    *channel = table[usize::from(*channel)];
                }
            }
        })
    }

    /// [`Image::transform`] of an operation that changes each row on its own: `change` gets
    /// runs of whole rows.
    fn transform_rows(&mut self, change: impl Fn(&mut [u8]) + Sync) -> Result<()> {
        self.transform(
            |top, bottom| {
                change(top);
                change(bottom);
            },
            &change,
        )
    }

    /// Runs an in-place operation, given in pieces that can run independently: `pair(top,
    /// bottom)` changes a band of whole rows of the top half together with the band of the rows
    /// mirrored to them about the middle (row `y` goes with row `h - 1 - y`; `bottom` holds as
    /// many rows as `top`, in image order, so its last row mirrors the first of `top`), and
    /// `middle` changes the middle row of an odd height. Pairing the rows lets the flips, which
    /// swap such rows, run in pieces like the operations that change each row on its own.
    ///
    /// Without a job the operation runs as one piece over the whole image, as fast as it can.
    /// Under a job it is a transaction: the pixels are first copied to a backup (cancellable),
    /// then changed in bands that check for cancellation; a cancelled operation copies back the
    /// bands it had changed, so the image is exactly as before, and returns
    /// [`Error::Cancelled`]. Either way the buffer is never reallocated.
    fn transform(
        &mut self,
        pair: impl Fn(&mut [u8], &mut [u8]) + Sync,
        middle: impl Fn(&mut [u8]) + Sync,
    ) -> Result<()> {
        let (row_bytes, height) = (self.width as usize * 4, self.height as usize);
        if control::current().is_none() {
            let (top, middle_row, bottom) = halves(&mut self.pixels, row_bytes, height);
            pair(top, bottom);
            if !middle_row.is_empty() {
                middle(middle_row);
            }
            return Ok(());
        }
        let mut backup = control::stage(0.0, BACKUP_SHARE, || copy_pixels(&self.pixels))?;
        // One flag per band pair, plus one for the middle row: which pieces to copy back.
        let band = rows_per_check(2 * row_bytes) * row_bytes;
        let pieces = (height / 2 * row_bytes).div_ceil(band);
        let changed: Vec<AtomicBool> = (0..=pieces).map(|_| AtomicBool::new(false)).collect();
        let mut finished = false;
        let outcome = control::stage(BACKUP_SHARE, 1.0, || {
            let progress = Progress::new(self.pixels.len() as u64);
            let (top, middle_row, bottom) = halves(&mut self.pixels, row_bytes, height);
            top.par_chunks_mut(band).zip(bottom.par_rchunks_mut(band)).zip(&changed[..pieces]).try_for_each(
                |((top, bottom), changed)| {
                    // Checked before as well as after: every piece changed must be copied back.
                    if progress.is_cancelled() {
                        return Err(control::cancelled());
                    }
                    changed.store(true, Ordering::Relaxed);
                    pair(top, bottom);
                    progress.step(2 * top.len() as u64)
                },
            )?;
            if !middle_row.is_empty() {
                changed[pieces].store(true, Ordering::Relaxed);
                middle(middle_row);
            }
            finished = true;
            Ok(())
        });
        // A cancel that comes after the last piece changes nothing: the operation is done.
        if let Err(error) = outcome
            && !finished
        {
            // The one step that cannot be cancelled; it copies only what was changed, in parallel.
            let (top, middle_row, bottom) = halves(&mut self.pixels, row_bytes, height);
            let (saved_top, saved_middle, saved_bottom) = halves(&mut backup, row_bytes, height);
            top.par_chunks_mut(band)
                .zip(bottom.par_rchunks_mut(band))
                .zip(saved_top.par_chunks(band).zip(saved_bottom.par_rchunks(band)))
                .zip(&changed[..pieces])
                .filter(|(_, changed)| changed.load(Ordering::Relaxed))
                .for_each(|(((top, bottom), (saved_top, saved_bottom)), _)| {
                    top.copy_from_slice(saved_top);
                    bottom.copy_from_slice(saved_bottom);
                });
            if changed[pieces].load(Ordering::Relaxed) {
                middle_row.copy_from_slice(saved_middle);
            }
            discard(backup);
            return Err(error);
        }
        Ok(())
    }
}

/// Validates the size of an image an operation is about to create: non-zero and within the
/// default decode limits.
pub(crate) fn check_new_size(operation: &str, width: u32, height: u32) -> Result<()> {
    let limits = DecodeLimits::default();
    if width == 0 || height == 0 {
        return Err(Error::InvalidArgument(format!(
            "{operation}: target size {width} x {height} is empty: width and height must be at least 1"
        )));
    }
    // Both factors are below 2^32, so the product fits in u64; the * 4 might not.
    let bytes = (u64::from(width) * u64::from(height)).checked_mul(4);
    let too_many_bytes = bytes.is_none_or(|b| b > limits.max_decoded_bytes);
    if width > limits.max_width || height > limits.max_height || too_many_bytes {
        return Err(Error::InvalidArgument(format!(
            "{operation}: target size {width} x {height} exceeds the \
             default limits of {} x {} pixels and {} bytes",
            limits.max_width, limits.max_height, limits.max_decoded_bytes
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_is_exact_on_grey_and_rounds_half_up() {
        for v in 0..=255u8 {
            assert_eq!(luma(v, v, v), v);
        }
        assert_eq!(luma(255, 0, 0), 54); // 54.213
        assert_eq!(luma(0, 255, 0), 182); // 182.376
        assert_eq!(luma(0, 0, 255), 18); // 18.411
        assert_eq!(luma(0, 0, 7), 1); // 0.5054 rounds up
        assert_eq!(luma(0, 0, 6), 0); // 0.4332 rounds down
    }

    #[test]
    fn new_size_limits() {
        assert!(check_new_size("t", 1, 1).is_ok());
        assert!(check_new_size("t", 32768, 4096).is_ok()); // exactly 512 MiB
        for (w, h) in [(0, 1), (1, 0), (32769, 1), (1, 32769), (32768, 4097), (u32::MAX, u32::MAX)] {
            assert!(matches!(check_new_size("t", w, h), Err(Error::InvalidArgument(_))), "{w}x{h}");
        }
    }

    fn patterned(width: u32, height: u32) -> Image {
        let pixels = (0..width * height * 4).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        Image::from_rgba8(width, height, pixels).unwrap()
    }

    #[test]
    fn owned_crop_and_blur_equal_the_borrowing_ones() {
        let image = patterned(23, 17);
        for (x, y, w, h) in [(0, 0, 23, 17), (0, 0, 1, 1), (22, 16, 1, 1), (3, 2, 20, 15), (5, 0, 7, 17), (0, 4, 23, 3)]
        {
            let expected = image.crop(x, y, w, h).unwrap();
            let owned = image.clone().into_cropped(x, y, w, h).unwrap();
            assert_eq!((owned.width(), owned.height()), (w, h));
            assert_eq!(owned.pixels(), expected.pixels(), "{x},{y} {w}x{h}");
        }
        for (x, y, w, h) in [(0, 0, 24, 1), (23, 0, 1, 1), (0, 0, 0, 3), (u32::MAX, 0, 2, 2)] {
            assert!(matches!(image.clone().into_cropped(x, y, w, h), Err(Error::InvalidArgument(_))));
        }
        for sigma in [0.8, 4.0, 12.0, 40.0] {
            let owned = image.clone().into_blurred(sigma).unwrap();
            assert_eq!(owned.pixels(), image.blur(sigma).unwrap().pixels(), "sigma {sigma}");
        }
        assert!(matches!(image.clone().into_blurred(-1.0), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn sigma_rules() {
        assert!(check_sigma("t", 0.001).is_ok());
        assert!(check_sigma("t", blur::MAX_SIGMA).is_ok());
        for bad in [0.0, -0.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, blur::MAX_SIGMA * 1.01] {
            let err = check_sigma("blur", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{bad}");
            assert!(err.message().starts_with("blur: sigma"), "{err}");
        }
    }
}
