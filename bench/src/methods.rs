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
    /// libblur's `gaussian_blur`, `ConvolutionMode::Exact`, clamp edges.
    LibblurExact,
    /// libblur's `gaussian_blur`, `ConvolutionMode::FixedPoint`, clamp edges.
    LibblurFixedPoint,
    /// `image::imageops::fast_blur` (three box passes: an approximation, shown for scale).
    ImageFastBlur,
    /// `image::imageops::blur` (direct Gaussian, single-threaded).
    ImageBlur,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 5] =
        [Method::Pixbridge, Method::LibblurExact, Method::LibblurFixedPoint, Method::ImageFastBlur, Method::ImageBlur];

    /// Name used in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Method::Pixbridge => "pixbridge",
            Method::LibblurExact => "libblur exact",
            Method::LibblurFixedPoint => "libblur fixed-point",
            Method::ImageFastBlur => "image fast_blur",
            Method::ImageBlur => "image blur",
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
        Method::LibblurExact => libblur_gaussian(source, sigma, ConvolutionMode::Exact, single_thread),
        Method::LibblurFixedPoint => libblur_gaussian(source, sigma, ConvolutionMode::FixedPoint, single_thread),
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

fn libblur_gaussian(source: &Source, sigma: f32, mode: ConvolutionMode, single_thread: bool) -> Vec<u8> {
    let (width, height) = source.dimensions();
    let src = BlurImage::borrow(source.buffer.as_raw(), width, height, FastBlurChannels::Channels4);
    let mut dst = BlurImageMut::alloc(width, height, FastBlurChannels::Channels4);
    let threading = if single_thread { ThreadingPolicy::Single } else { ThreadingPolicy::Adaptive };
    libblur::gaussian_blur(
        &src,
        &mut dst,
        GaussianBlurParams::new_from_sigma(f64::from(sigma)),
        EdgeMode2D::new(EdgeMode::Clamp),
        threading,
        mode,
    )
    .expect("libblur accepts the parameters");
    match dst.data {
        BufferStore::Owned(pixels) => pixels,
        BufferStore::Borrowed(pixels) => pixels.to_vec(),
    }
}
