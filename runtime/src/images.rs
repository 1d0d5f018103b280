//! Images and encoded buffers behind handles.
//!
//! Every function validates its handle through the generation-checked table, takes the image's
//! lock only for the duration of the work, and never hands out a reference that could outlive it.
//! Readers (encoding, fresh-image operations) share the lock; in-place operations take it
//! exclusively, so concurrent use of one image from several threads is serialised, not racy.

use std::path::Path;
use std::sync::Arc;

use parking_lot::RwLock;
use pixbridge_core::{DecodeLimits, DecodeOptions, EncodeOptions, Image, ThumbnailOptions};

use crate::codes::{self, ImageInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::handles::HandleTable;

/// An opaque `u64` naming an image or buffer; 0 is never valid.
pub type Handle = u64;

type ImageCell = RwLock<Image>;

static IMAGES: HandleTable<ImageCell> = HandleTable::new(0x1, "image");
static BUFFERS: HandleTable<Vec<u8>> = HandleTable::new(0x2, "buffer");

fn insert(image: Image) -> Handle {
    IMAGES.insert(Arc::new(RwLock::new(image)))
}

/// Opens the image file at `path` (format from content), within `limits`.
pub fn open(path: &Path, limits: &DecodeLimits) -> Result<Handle> {
    Ok(insert(Image::open_with_limits(path, limits)?))
}

/// Decodes an encoded image (format from content), within `limits`.
pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<Handle> {
    Ok(insert(Image::decode_with_limits(bytes, limits)?))
}

/// Opens the image file at `path` with decode options (limits and the smallest size needed:
/// a JPEG may then be decoded at 1/2, 1/4 or 1/8 scale).
pub fn open_with(path: &Path, options: &DecodeOptions) -> Result<Handle> {
    Ok(insert(Image::open_with(path, options)?))
}

/// Decodes an encoded image with decode options (see [`open_with`]).
pub fn decode_with(bytes: &[u8], options: &DecodeOptions) -> Result<Handle> {
    Ok(insert(Image::decode_with(bytes, options)?))
}

/// A thumbnail of the encoded image in `bytes`: fitted into `width` x `height` by `fit` (a
/// `codes::ThumbnailFit` number), with shrink-on-load for JPEG.
pub fn thumbnail(bytes: &[u8], width: u32, height: u32, fit: u32, options: &ThumbnailOptions) -> Result<Handle> {
    let fit = codes::thumbnail_fit(fit)?;
    Ok(insert(Image::thumbnail(bytes, width, height, fit, options)?))
}

/// [`thumbnail`] of the image file at `path`.
pub fn thumbnail_file(path: &Path, width: u32, height: u32, fit: u32, options: &ThumbnailOptions) -> Result<Handle> {
    let fit = codes::thumbnail_fit(fit)?;
    Ok(insert(Image::thumbnail_file(path, width, height, fit, options)?))
}

/// Creates an image from tightly packed RGBA8 pixels (`width * height * 4` bytes).
pub fn from_pixels(width: u32, height: u32, rgba: &[u8]) -> Result<Handle> {
    Ok(insert(Image::from_rgba8_slice(width, height, rgba)?))
}

/// Destroys a handle. The image is freed when no other handle or running call uses it.
pub fn destroy(image: Handle) -> Result<()> {
    IMAGES.remove(image).map(drop)
}

/// Returns a second handle to the same image (reference counted; in-place changes are shared).
///
/// Bindings use it to keep pixel memory alive for a zero-copy view that may outlive the
/// user's own handle (e.g. a Java `ByteBuffer` released by a `Cleaner`).
pub fn share(image: Handle) -> Result<Handle> {
    Ok(IMAGES.insert(IMAGES.get(image)?))
}

/// Width, height and colour type.
pub fn info(image: Handle) -> Result<ImageInfo> {
    let cell = IMAGES.get(image)?;
    let image = cell.read();
    Ok(ImageInfo { width: image.width(), height: image.height(), color_type: image.color_type().into() })
}

/// Address and length of the RGBA8 pixels, without copying.
///
/// The memory stays valid while any handle to the image lives: in-place operations never
/// change an image's size or reallocate its buffer (they do change its contents).
pub fn pixels_ptr(image: Handle) -> Result<(*const u8, usize)> {
    let cell = IMAGES.get(image)?;
    let image = cell.read();
    let pixels = image.pixels();
    Ok((pixels.as_ptr(), pixels.len()))
}

/// Copies the RGBA8 pixels into `dst`, which must hold at least `width * height * 4` bytes.
pub fn copy_pixels(image: Handle, dst: &mut [u8]) -> Result<()> {
    let cell = IMAGES.get(image)?;
    let image = cell.read();
    let pixels = image.pixels();
    let available = dst.len();
    let target = dst.get_mut(..pixels.len()).ok_or_else(|| {
        Error::new(
            ErrorCode::BufferTooSmall,
            format!("destination holds {available} bytes but the pixels need {}", pixels.len()),
        )
    })?;
    target.copy_from_slice(pixels);
    Ok(())
}

/// Saves to `path`, format from the extension; the write is atomic.
pub fn save(image: Handle, path: &Path) -> Result<()> {
    let cell = IMAGES.get(image)?;
    Ok(cell.read().save(path)?)
}

/// Saves to `path` in an explicit format (`codes::ImageFormat` number); quality 0 = default.
pub fn save_as(image: Handle, path: &Path, format: u32, quality: u32) -> Result<()> {
    let (format, quality) = (codes::image_format(format)?, codes::quality(quality)?);
    let cell = IMAGES.get(image)?;
    Ok(cell.read().save_as(path, format, quality)?)
}

/// Encodes to bytes in a format (`codes::ImageFormat` number); quality 0 = default.
pub fn encode(image: Handle, format: u32, quality: u32) -> Result<Vec<u8>> {
    let (format, quality) = (codes::image_format(format)?, codes::quality(quality)?);
    let cell = IMAGES.get(image)?;
    Ok(cell.read().encode(format, quality)?)
}

/// Encodes in a format (`codes::ImageFormat` number) with explicit options.
pub fn encode_with(image: Handle, format: u32, options: &EncodeOptions) -> Result<Vec<u8>> {
    let format = codes::image_format(format)?;
    let cell = IMAGES.get(image)?;
    Ok(cell.read().encode_with(format, options)?)
}

/// Saves to `path` with explicit options; `format` is a `codes::ImageFormat` number, or `None`
/// to take the format from the extension. Atomic.
pub fn save_with(image: Handle, path: &Path, format: Option<u32>, options: &EncodeOptions) -> Result<()> {
    let format = format.map(codes::image_format).transpose()?;
    let cell = IMAGES.get(image)?;
    Ok(cell.read().save_with(path, format, options)?)
}

/// Runs a new-image operation: reads `image` under a shared lock and stores the result.
pub fn apply_fresh(image: Handle, operation: impl FnOnce(&Image) -> Result<Image>) -> Result<Handle> {
    let cell = IMAGES.get(image)?;
    let result = operation(&cell.read())?;
    Ok(insert(result))
}

/// Runs `reader` on the image under a shared lock and returns what it returns.
pub fn read<R>(image: Handle, reader: impl FnOnce(&Image) -> R) -> Result<R> {
    let cell = IMAGES.get(image)?;
    Ok(reader(&cell.read()))
}

/// Runs an in-place operation under the image's exclusive lock.
pub fn apply_in_place(image: Handle, operation: impl FnOnce(&mut Image) -> Result<()>) -> Result<()> {
    let cell = IMAGES.get(image)?;
    operation(&mut cell.write())
}

/// Number of live image handles (diagnostics: leak tests compare it with a baseline).
pub fn live_count() -> u64 {
    IMAGES.live()
}

/// Encoded bytes behind a handle (the C ABI's way to return variable-size output safely).
pub mod buffers {
    use super::*;

    /// Stores `bytes` and returns a buffer handle.
    pub fn insert(bytes: Vec<u8>) -> Handle {
        BUFFERS.insert(Arc::new(bytes))
    }

    /// Address and length of the bytes; valid until the handle is destroyed.
    pub fn data(buffer: Handle) -> Result<(*const u8, usize)> {
        let bytes = BUFFERS.get(buffer)?;
        Ok((bytes.as_ptr(), bytes.len()))
    }

    /// Destroys a buffer handle.
    pub fn destroy(buffer: Handle) -> Result<()> {
        BUFFERS.remove(buffer).map(drop)
    }

    /// Number of live buffer handles.
    pub fn live_count() -> u64 {
        BUFFERS.live()
    }
}
