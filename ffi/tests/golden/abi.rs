//! The golden runner's view of the library under test, through the C ABI exactly as a C
//! caller uses it: `pixbridge_*` functions, `u64` handles, error codes and the thread's
//! last-error message.

use std::path::Path;
use std::ptr;

use pixbridge::{ColorType, DecodeLimits, ErrorCode, ImageInfo, ThumbnailOptions};

use crate::manifest::Op;
use crate::operations;
use crate::reference::Rgba;
use crate::thumbnail::Thumbnail;

/// A failed call: the error code name and the last-error message.
pub struct Failure {
    /// Error code name (`InvalidArgument`, ...).
    pub code: String,
    /// The last-error message.
    pub message: String,
}

/// Turns a returned code into `Ok` or a [`Failure`] carrying the thread's last error.
fn check(code: ErrorCode) -> Result<(), Failure> {
    if code == ErrorCode::Ok {
        return Ok(());
    }
    let last = pixbridge::pixbridge_last_error_code();
    let message = crate::common_abi::last_message();
    if last != code {
        return Err(Failure { code: format!("{} (but last_error_code says {})", code.name(), last.name()), message });
    }
    Err(Failure { code: code.name().to_string(), message })
}

/// An image handle, destroyed on drop.
pub struct Image(u64);

impl Drop for Image {
    fn drop(&mut self) {
        let code = pixbridge::pixbridge_image_destroy(self.0);
        // Not asserting inside drop while unwinding keeps a failure's original message.
        if !std::thread::panicking() {
            assert_eq!(code, ErrorCode::Ok, "destroying image handle {}", self.0);
        }
    }
}

impl Image {
    /// Opens and decodes a file with the default limits (null limits pointer).
    pub fn open(path: &Path) -> Result<Image, Failure> {
        let path = path.to_str().expect("test paths are UTF-8").as_bytes();
        let mut handle = 0u64;
        // SAFETY: `path` holds `path.len()` bytes, null limits are allowed, `handle` is writable.
        check(unsafe { pixbridge::pixbridge_image_open(path.as_ptr(), path.len(), ptr::null(), &mut handle) })?;
        Ok(Image(handle))
    }

    /// Makes a thumbnail of a file with `pixbridge_image_thumbnail_file`: null options (the
    /// defaults) unless `allow_upscale`, which passes options with the default limits spelt out.
    pub fn thumbnail_file(path: &Path, thumbnail: &Thumbnail) -> Result<Image, Failure> {
        let path = path.to_str().expect("test paths are UTF-8").as_bytes();
        let options = ThumbnailOptions {
            limits: DecodeLimits { max_width: 32768, max_height: 32768, max_decoded_bytes: 512 << 20 },
            allow_upscale: 1,
            keep_metadata: 0,
        };
        let options: *const ThumbnailOptions = if thumbnail.allow_upscale { &options } else { ptr::null() };
        let (width, height, fit) = (thumbnail.width, thumbnail.height, thumbnail.fit.as_u32());
        let mut handle = 0u64;
        // SAFETY: `path` holds `path.len()` bytes, `options` is null or points to a live
        // struct, `handle` is writable.
        check(unsafe {
            pixbridge::pixbridge_image_thumbnail_file(
                path.as_ptr(),
                path.len(),
                width,
                height,
                fit,
                options,
                &mut handle,
            )
        })?;
        Ok(Image(handle))
    }

    /// Decodes encoded bytes with the default limits.
    fn decode(bytes: &[u8]) -> Result<Image, Failure> {
        let mut handle = 0u64;
        // SAFETY: as for `open`.
        check(unsafe { pixbridge::pixbridge_image_decode(bytes.as_ptr(), bytes.len(), ptr::null(), &mut handle) })?;
        Ok(Image(handle))
    }

    /// A copy of the current pixels, read with `copy_pixels`; the zero-copy view from
    /// `pixbridge_image_pixels` must hold the same bytes.
    pub fn rgba(&self) -> Rgba {
        let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::Rgba8 };
        // SAFETY: `info` is writable.
        check(unsafe { pixbridge::pixbridge_image_info(self.0, &mut info) })
            .unwrap_or_else(|f| panic!("info: {} {}", f.code, f.message));
        let mut pixels = vec![0u8; info.width as usize * info.height as usize * 4];
        // SAFETY: `pixels` holds `pixels.len()` writable bytes.
        check(unsafe { pixbridge::pixbridge_image_copy_pixels(self.0, pixels.as_mut_ptr(), pixels.len()) })
            .unwrap_or_else(|f| panic!("copy_pixels: {} {}", f.code, f.message));
        let (mut data, mut len) = (ptr::null::<u8>(), 0usize);
        // SAFETY: both out-parameters are writable.
        check(unsafe { pixbridge::pixbridge_image_pixels(self.0, &mut data, &mut len) })
            .unwrap_or_else(|f| panic!("pixels: {} {}", f.code, f.message));
        assert_eq!(len, pixels.len(), "pixels length");
        // SAFETY: the library guarantees `len` readable bytes at `data` while the handle lives.
        let view = unsafe { std::slice::from_raw_parts(data, len) };
        assert!(view == pixels.as_slice(), "zero-copy pixels differ from copy_pixels");
        Rgba::new(info.width, info.height, pixels)
    }

    /// The zero-copy pixel view's address and length.
    fn pixels_view(&self) -> (*const u8, usize) {
        let (mut data, mut len) = (ptr::null::<u8>(), 0usize);
        // SAFETY: both out-parameters are writable.
        check(unsafe { pixbridge::pixbridge_image_pixels(self.0, &mut data, &mut len) })
            .unwrap_or_else(|f| panic!("pixels: {} {}", f.code, f.message));
        (data, len)
    }

    /// Applies one manifest step; a fresh-kind result replaces (and releases) the image.
    ///
    /// Table operations go through the dispatcher generated from the operation table
    /// (`common/operations.rs`). Also checks the operation rule the bindings rely on: a
    /// new-image operation leaves its source unchanged, and an in-place operation keeps the
    /// pixel buffer where it is.
    pub fn apply(&mut self, op: &Op) -> Result<(), Failure> {
        let call = match op {
            Op::EncodeDecode { format, quality } => {
                *self = self.encode_decode(*format as u32, quality.unwrap_or(0))?;
                return Ok(());
            }
            Op::Table(call) => call,
        };
        let name = call.spec.name;
        let source = self.rgba();
        let view_before = self.pixels_view();
        let returned = operations::call(call.spec, self.0, &call.args).unwrap_or_else(|e| panic!("{e}"));
        check(returned.code)?;
        match returned.out {
            Some(out) => {
                assert_ne!(out, 0, "{name}: success must return a handle");
                assert!(self.rgba() == source, "{name}: a new-image operation changed its source");
                *self = Image(out);
            }
            None => assert_eq!(
                self.pixels_view(),
                view_before,
                "{name}: an in-place operation moved or resized the pixel buffer"
            ),
        }
        Ok(())
    }

    /// Encodes into a buffer handle and decodes its bytes into a new image.
    fn encode_decode(&self, format: u32, quality: u32) -> Result<Image, Failure> {
        let mut buffer = 0u64;
        // SAFETY: `buffer` is writable.
        check(unsafe { pixbridge::pixbridge_image_encode(self.0, format, quality, &mut buffer) })?;
        let (mut data, mut len) = (ptr::null::<u8>(), 0usize);
        // SAFETY: both out-parameters are writable.
        let result = check(unsafe { pixbridge::pixbridge_buffer_data(buffer, &mut data, &mut len) })
            // SAFETY: the library guarantees `len` readable bytes while the buffer lives.
            .and_then(|()| Image::decode(unsafe { std::slice::from_raw_parts(data, len) }));
        let destroyed = pixbridge::pixbridge_buffer_destroy(buffer);
        assert_eq!(destroyed, ErrorCode::Ok, "destroying buffer {buffer}");
        result
    }
}

/// Number of live image plus buffer handles (for leak checks).
pub fn live_handles() -> u64 {
    let (images, buffers) = crate::common_abi::live();
    images + buffers
}

/// The names of all operations in the library's single operation table.
pub fn operation_names() -> Vec<&'static str> {
    pixbridge_runtime::OPERATIONS.iter().map(|op| op.name).collect()
}

/// The library's name for an error code number.
pub fn error_name(code: u32) -> &'static str {
    ErrorCode::ALL.into_iter().find(|c| c.as_u32() == code).map_or("<unknown>", ErrorCode::name)
}
