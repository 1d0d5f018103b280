//! The blurs being compared, each behind the same signature: RGBA8 in, a fresh RGBA8 buffer out.

use image::RgbaImage;
use libblur::{
    BlurImage, BlurImageMut, BufferStore, ConvolutionMode, EdgeMode, EdgeMode2D, FastBlurChannels, GaussianBlurParams,
    ThreadingPolicy,
};
use pixbridge_core::Image;

/// A blur implementation under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `pixbridge_core::Image::blur`.
    Pixbridge,
    /// libblur's `gaussian_blur`, `ConvolutionMode::Exact`, clamp edges, libblur's own kernel size
    /// for the sigma (`GaussianBlurParams::new_from_sigma`).
    LibblurExact,
    /// As [`Method::LibblurExact`] with the longer kernel of [`equal_quality_kernel_size`]: libblur's
    /// own size truncates the Gaussian too early at small sigma to stay within 1 level.
    LibblurExactEqualQuality,
    /// libblur's `gaussian_blur`, `ConvolutionMode::FixedPoint`, clamp edges.
    LibblurFixedPoint,
    /// `image::imageops::fast_blur` (three box passes: an approximation, shown for scale).
    ImageFastBlur,
    /// `image::imageops::blur` (direct Gaussian, single-threaded).
    ImageBlur,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 6] = [
        Method::Pixbridge,
        Method::LibblurExact,
        Method::LibblurExactEqualQuality,
        Method::LibblurFixedPoint,
        Method::ImageFastBlur,
        Method::ImageBlur,
    ];

    /// Name used in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Method::Pixbridge => "pixbridge",
            Method::LibblurExact => "libblur exact",
            Method::LibblurExactEqualQuality => "libblur exact equal quality",
            Method::LibblurFixedPoint => "libblur fixed-point",
            Method::ImageFastBlur => "image fast_blur",
            Method::ImageBlur => "image blur",
        }
    }

    /// Whether this method is run at this image width and sigma: the slow ones only where one
    /// iteration fits the time budget (`image::imageops::blur` grows linearly with sigma and has
    /// no threads; libblur's fixed-point Gaussian takes about 5 s at 4K sigma 100). `quick`
    /// narrows it further for a rough pass.
    pub fn runs(self, width: u32, sigma: f32, single_thread: bool, quick: bool) -> bool {
        let big = width > 1920;
        match self {
            Method::Pixbridge | Method::LibblurExact | Method::LibblurExactEqualQuality => true,
            Method::LibblurFixedPoint => !(big && sigma >= 100.0),
            Method::ImageFastBlur => single_thread,
            Method::ImageBlur => {
                single_thread && if big { sigma <= if quick { 2.0 } else { 5.0 } } else { sigma <= 10.0 }
            }
        }
    }
}

/// One source image in the forms the methods take, built once outside the timed region.
pub struct Source {
    /// As a Pixbridge image.
    pub image: Image,
    /// The same pixels as an `image` crate buffer.
    pub buffer: RgbaImage,
}

impl Source {
    /// Wraps a Pixbridge image.
    pub fn new(image: Image) -> Source {
        let buffer = RgbaImage::from_raw(image.width(), image.height(), image.pixels().to_vec())
            .expect("a Pixbridge image holds width * height * 4 bytes");
        Source { image, buffer }
    }

    /// Width and height in pixels.
    pub fn dimensions(&self) -> (u32, u32) {
        (self.image.width(), self.image.height())
    }
}

/// Blurs `source` with `method`; `single_thread` selects libblur's single-thread policy (the
/// caller also runs the call inside a one-thread rayon pool for the others).
pub fn blur(method: Method, source: &Source, sigma: f32, single_thread: bool) -> Vec<u8> {
    match method {
        Method::Pixbridge => source.image.blur(sigma).expect("sigma is in range").pixels().to_vec(),
        Method::LibblurExact => {
            let params = GaussianBlurParams::new_from_sigma(f64::from(sigma));
            libblur_gaussian(source, params, ConvolutionMode::Exact, single_thread)
        }
        Method::LibblurExactEqualQuality => {
            let params = GaussianBlurParams::new(equal_quality_kernel_size(sigma), f64::from(sigma));
            libblur_gaussian(source, params, ConvolutionMode::Exact, single_thread)
        }
        Method::LibblurFixedPoint => {
            let params = GaussianBlurParams::new_from_sigma(f64::from(sigma));
            libblur_gaussian(source, params, ConvolutionMode::FixedPoint, single_thread)
        }
        Method::ImageFastBlur => image::imageops::fast_blur(&source.buffer, sigma).into_raw(),
        Method::ImageBlur => image::imageops::blur(&source.buffer, sigma).into_raw(),
    }
}

/// Like [`blur`] but without the copy out of the Pixbridge image, for timing: every method then
/// allocates exactly one output buffer.
pub fn blur_for_timing(method: Method, source: &Source, sigma: f32, single_thread: bool) -> Box<dyn Send> {
    match method {
        Method::Pixbridge => Box::new(source.image.blur(sigma).expect("sigma is in range")),
        _ => Box::new(blur(method, source, sigma, single_thread)),
    }
}

/// Kernel radius of [`Method::LibblurExactEqualQuality`] in sigmas.
/// Three sigmas (the usual rule) is enough for err <= 1 on the accuracy crop at every sigma of the
/// report; libblur's own size is shorter below sigma 5 (radius 2 at sigma 1, err 3).
pub const EQUAL_QUALITY_RADIUS_SIGMAS: f32 = 3.0;

/// Kernel size (odd) of [`Method::LibblurExactEqualQuality`]: `2 * ceil(R * sigma) + 1` with
/// R = [`EQUAL_QUALITY_RADIUS_SIGMAS`].
pub fn equal_quality_kernel_size(sigma: f32) -> u32 {
    2 * (EQUAL_QUALITY_RADIUS_SIGMAS * sigma).ceil() as u32 + 1
}

fn libblur_gaussian(
    source: &Source,
    params: GaussianBlurParams,
    mode: ConvolutionMode,
    single_thread: bool,
) -> Vec<u8> {
    let (width, height) = source.dimensions();
    let src = BlurImage::borrow(source.buffer.as_raw(), width, height, FastBlurChannels::Channels4);
    let mut dst = BlurImageMut::alloc(width, height, FastBlurChannels::Channels4);
    let threading = if single_thread { ThreadingPolicy::Single } else { ThreadingPolicy::Adaptive };
    libblur::gaussian_blur(&src, &mut dst, params, EdgeMode2D::new(EdgeMode::Clamp), threading, mode)
        .expect("libblur accepts the parameters");
    match dst.data {
        BufferStore::Owned(pixels) => pixels,
        BufferStore::Borrowed(pixels) => pixels.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{gaussian_blur_reference, max_abs_error};

    #[test]
    fn equal_quality_kernel_is_three_sigmas_each_side() {
        // 2 * ceil(3 sigma) + 1, worked by hand.
        assert_eq!(equal_quality_kernel_size(1.0), 7);
        assert_eq!(equal_quality_kernel_size(2.0), 13);
        assert_eq!(equal_quality_kernel_size(0.5), 5);
        assert_eq!(equal_quality_kernel_size(100.0), 601);
    }

    #[test]
    fn equal_quality_libblur_stays_within_one_level_of_the_reference() {
        // The accuracy crop of the report (stars on black: the case a short kernel gets wrong).
        let testdata = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata");
        let photo = Image::open(&testdata.join("hubble_deep_field.jpg")).expect("the test photo opens");
        let (width, height) = (256, 192);
        let crop = photo
            .crop((photo.width() - width) / 2, (photo.height() - height) / 2, width, height)
            .expect("the crop fits");
        let pixels = crop.pixels().to_vec();
        let source = Source::new(crop);
        let expected = gaussian_blur_reference(&pixels, width as usize, height as usize, 1.0);
        let equal = blur(Method::LibblurExactEqualQuality, &source, 1.0, true);
        assert!(max_abs_error(&equal, &expected) <= 1, "err {}", max_abs_error(&equal, &expected));
        // libblur's own kernel at sigma 1 is visibly further off: the test can tell the two apart.
        let default = blur(Method::LibblurExact, &source, 1.0, true);
        assert!(max_abs_error(&default, &expected) > 1, "err {}", max_abs_error(&default, &expected));
    }
}
