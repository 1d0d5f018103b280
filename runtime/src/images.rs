//! Images and encoded buffers behind handles.
//!
//! Every function validates its handle through the generation-checked table, takes the image's
//! lock only for the duration of the work, and never hands out a reference that could outlive it.
//! Readers (encoding, fresh-image operations) share the lock; in-place operations take it
//! exclusively, so concurrent use of one image from several threads is serialised, not racy.
//!
//! A handle opened with [`OpenOptions::deferred`] may hold a JPEG that is not decoded yet, and a
//! fresh operation on such an image whose table entry has a `plan` is itself deferred: its
//! handle holds a [`Recipe`] (the JPEG and the operations on it), answers its size from the
//! plans, and rejects bad parameters at once. Reading a deferred image (an operation without a
//! plan, encoding, copying the pixels) runs its recipe for that use only, so each full-size
//! intermediate lives only until the next step has used it, and steps with an `owned` body reuse
//! it (a crop moves rows within the decode's buffer, a large blur runs in place). Uses that need
//! the pixels to stay (the zero-copy pointer, in-place operations) run it once and keep the result.

use std::path::Path;
use std::sync::Arc;

use parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use pixbridge_core::{
    ColorType, DecodeLimits, DecodeOptions, EncodeOptions, Image, Opened, PendingJpeg, ThumbnailOptions,
};

use crate::codes::{self, ImageInfo};
use crate::error::{Error, ErrorCode, Result};
use crate::handles::HandleTable;

/// An opaque `u64` naming an image or buffer; 0 is never valid.
pub type Handle = u64;

/// What an image handle holds.
enum Stored {
    Decoded(Image),
    /// Not computed yet (see the module docs).
    Deferred(Arc<Recipe>),
}

/// Most operations a recipe chains; the next one runs at once (on the recipe's result), which
/// bounds the recursion of dropping a chain and the work a single read repeats.
const MAX_DEFERRED_STEPS: usize = 32;

/// How to compute a deferred image. Immutable, and shared by the recipes made from it, so that
/// a later in-place change to the image a recipe came from cannot change the recipe's result.
enum Recipe {
    Jpeg(PendingJpeg),
    Step {
        input: Arc<Recipe>,
        width: u32,
        height: u32,
        color_type: ColorType,
        steps: usize,
        run: Box<dyn Fn(Image) -> Result<Image> + Send + Sync>,
    },
}

impl Recipe {
    fn info(&self) -> (u32, u32, ColorType) {
        match self {
            Recipe::Jpeg(jpeg) => (jpeg.width(), jpeg.height(), jpeg.color_type()),
            Recipe::Step { width, height, color_type, .. } => (*width, *height, *color_type),
        }
    }

    fn steps(&self) -> usize {
        match self {
            Recipe::Jpeg(_) => 0,
            Recipe::Step { steps, .. } => *steps,
        }
    }

    /// Decodes and runs every step in order, each taking the previous result by value.
    fn compute(&self) -> Result<Image> {
        let mut runs = Vec::with_capacity(self.steps());
        let mut recipe = self;
        let jpeg = loop {
            match recipe {
                Recipe::Jpeg(jpeg) => break jpeg,
                Recipe::Step { input, run, .. } => {
                    runs.push(run);
                    recipe = input;
                }
            }
        };
        let mut image = jpeg.decode()?;
        for run in runs.into_iter().rev() {
            image = run(image)?;
        }
        Ok(image)
    }
}

type ImageCell = RwLock<Stored>;

static IMAGES: HandleTable<ImageCell> = HandleTable::new(0x1, "image");
static BUFFERS: HandleTable<Vec<u8>> = HandleTable::new(0x2, "buffer");

pub(crate) fn insert(image: Image) -> Handle {
    IMAGES.insert(Arc::new(RwLock::new(Stored::Decoded(image))))
}

fn insert_recipe(recipe: Recipe) -> Handle {
    IMAGES.insert(Arc::new(RwLock::new(Stored::Deferred(Arc::new(recipe)))))
}

fn insert_opened(opened: Opened) -> Handle {
    match opened {
        Opened::Decoded(image) => insert(image),
        Opened::Pending(jpeg) => insert_recipe(Recipe::Jpeg(jpeg)),
    }
}

/// Runs `reader` on the image: the stored pixels, or a result computed for this call only.
fn with_image<R>(cell: &ImageCell, reader: impl FnOnce(&Image) -> Result<R>) -> Result<R> {
    match &*cell.read() {
        Stored::Decoded(image) => reader(image),
        Stored::Deferred(recipe) => reader(&recipe.compute()?),
    }
}

/// Computes a deferred image for good (the pixels must then stay where they are).
fn decode_for_good(stored: &mut Stored) -> Result<&mut Image> {
    if let Stored::Deferred(recipe) = stored {
        *stored = Stored::Decoded(recipe.compute()?);
    }
    match stored {
        Stored::Decoded(image) => Ok(image),
        Stored::Deferred(_) => Err(not_computed()),
    }
}

/// What `decode_for_good`'s callers return if the image is still deferred after it (it never is;
/// the types cannot say so).
fn not_computed() -> Error {
    Error::new(ErrorCode::Panic, "internal error: a deferred image was not computed")
}

/// The stored pixels under a shared lock, computing a deferred image for good first.
fn decoded(cell: &ImageCell) -> Result<MappedRwLockReadGuard<'_, Image>> {
    let guard = cell.read();
    let guard = if matches!(&*guard, Stored::Deferred(_)) {
        drop(guard);
        let mut exclusive = cell.write();
        decode_for_good(&mut exclusive)?;
        RwLockWriteGuard::downgrade(exclusive)
    } else {
        guard
    };
    RwLockReadGuard::try_map(guard, |stored| match stored {
        Stored::Decoded(image) => Some(image),
        Stored::Deferred(_) => None,
    })
    .map_err(|_| not_computed())
}

/// How to open an image: core's decode options, and whether a JPEG's decoding is deferred.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenOptions {
    /// Limits and shrink-on-load.
    pub decode: DecodeOptions,
    /// Keep a JPEG encoded (header read, limits checked) until it is used; each use that only
    /// reads it decodes it for that use (see the module docs).
    pub deferred: bool,
}

/// Opens the image file at `path` (format from content), within `limits`.
pub fn open(path: &Path, limits: &DecodeLimits) -> Result<Handle> {
    Ok(insert(Image::open_with_limits(path, limits)?))
}

/// Decodes an encoded image (format from content), within `limits`.
pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<Handle> {
    Ok(insert(Image::decode_with_limits(bytes, limits)?))
}

/// Opens the image file at `path` with options (limits, the smallest size needed, so that a
/// JPEG may be decoded at 1/2, 1/4 or 1/8 scale, and deferred decoding).
pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Handle> {
    if options.deferred {
        return Ok(insert_opened(Image::open_deferred(path, &options.decode)?));
    }
    Ok(insert(Image::open_with(path, &options.decode)?))
}

/// Decodes an encoded image with options (see [`open_with`]); a deferred JPEG keeps a copy of
/// `bytes`.
pub fn decode_with(bytes: &[u8], options: &OpenOptions) -> Result<Handle> {
    if options.deferred {
        return Ok(insert_opened(Image::decode_deferred(bytes, &options.decode)?));
    }
    Ok(insert(Image::decode_with(bytes, &options.decode)?))
}

/// Whether the image is deferred, not yet computed for good (diagnostics and tests).
pub fn is_pending(image: Handle) -> Result<bool> {
    Ok(matches!(&*IMAGES.get(image)?.read(), Stored::Deferred(_)))
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

/// [`from_pixels`] from a buffer the caller gives up, which becomes the image's (no copy): for a
/// binding that has to copy the pixels out of its own memory anyway.
pub fn from_pixels_owned(width: u32, height: u32, rgba: Vec<u8>) -> Result<Handle> {
    Ok(insert(Image::from_rgba8(width, height, rgba)?))
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
    Ok(cell_info(&*IMAGES.get(image)?))
}

/// The warning of an image a lenient decode returned partial (see
/// [`Image::decode_warning`]); `None` for a complete one. A deferred image is never lenient,
/// so it is not computed here.
pub fn decode_warning(image: Handle) -> Result<Option<String>> {
    Ok(match &*IMAGES.get(image)?.read() {
        Stored::Decoded(image) => image.decode_warning().map(str::to_owned),
        Stored::Deferred(_) => None,
    })
}

/// Width, height and colour type, from the header of a deferred image (never computed here).
fn cell_info(cell: &ImageCell) -> ImageInfo {
    let (width, height, color_type) = match &*cell.read() {
        Stored::Decoded(image) => (image.width(), image.height(), image.color_type()),
        Stored::Deferred(recipe) => recipe.info(),
    };
    ImageInfo { width, height, color_type: color_type.into() }
}

/// Address and length of the RGBA8 pixels, without copying.
///
/// The memory stays valid while any handle to the image lives: in-place operations never
/// change an image's size or reallocate its buffer (they do change its contents). A deferred
/// image is decoded for good first.
pub fn pixels_ptr(image: Handle) -> Result<(*const u8, usize)> {
    let cell = IMAGES.get(image)?;
    let image = decoded(&cell)?;
    let pixels = image.pixels();
    Ok((pixels.as_ptr(), pixels.len()))
}

/// Copies the RGBA8 pixels into `dst`, which must hold at least `width * height * 4` bytes.
pub fn copy_pixels(image: Handle, dst: &mut [u8]) -> Result<()> {
    let cell = IMAGES.get(image)?;
    let info = cell_info(&cell);
    let needed = info.width as usize * info.height as usize * 4;
    let available = dst.len();
    // Checked before a deferred image is decoded for nothing.
    let target = dst.get_mut(..needed).ok_or_else(|| {
        Error::new(
            ErrorCode::BufferTooSmall,
            format!("destination holds {available} bytes but the pixels need {needed}"),
        )
    })?;
    with_image(&cell, |image| {
        target.copy_from_slice(image.pixels());
        Ok(())
    })
}

/// Saves to `path`, format from the extension; the write is atomic.
pub fn save(image: Handle, path: &Path) -> Result<()> {
    with_image(&*IMAGES.get(image)?, |image| Ok(image.save(path)?))
}

/// Saves to `path` in an explicit format (`codes::ImageFormat` number); quality 0 = default.
pub fn save_as(image: Handle, path: &Path, format: u32, quality: u32) -> Result<()> {
    let (format, quality) = (codes::image_format(format)?, codes::quality(quality)?);
    with_image(&*IMAGES.get(image)?, |image| Ok(image.save_as(path, format, quality)?))
}

/// Encodes to bytes in a format (`codes::ImageFormat` number); quality 0 = default.
pub fn encode(image: Handle, format: u32, quality: u32) -> Result<Vec<u8>> {
    let (format, quality) = (codes::image_format(format)?, codes::quality(quality)?);
    with_image(&*IMAGES.get(image)?, |image| Ok(image.encode(format, quality)?))
}

/// Encodes in a format (`codes::ImageFormat` number) with explicit options.
pub fn encode_with(image: Handle, format: u32, options: &EncodeOptions) -> Result<Vec<u8>> {
    let format = codes::image_format(format)?;
    with_image(&*IMAGES.get(image)?, |image| Ok(image.encode_with(format, options)?))
}

/// Saves to `path` with explicit options; `format` is a `codes::ImageFormat` number, or `None`
/// to take the format from the extension. Atomic.
pub fn save_with(image: Handle, path: &Path, format: Option<u32>, options: &EncodeOptions) -> Result<()> {
    let format = format.map(codes::image_format).transpose()?;
    with_image(&*IMAGES.get(image)?, |image| Ok(image.save_with(path, format, options)?))
}

/// Runs a new-image operation: reads `image` under a shared lock and stores the result.
///
/// On a deferred image, `deferral` is the table entry's `(run, plan)`: with a plan the result is
/// deferred too (a step appended to the recipe, after the plan has checked the parameters),
/// otherwise `run` gets the recipe's result, computed for this call.
pub fn apply_fresh<Run, Plan>(
    image: Handle,
    operation: impl FnOnce(&Image) -> Result<Image>,
    (run, plan): (Run, Plan),
) -> Result<Handle>
where
    Run: Fn(Image) -> Result<Image> + Send + Sync + 'static,
    Plan: FnOnce((u32, u32)) -> Option<Result<(u32, u32)>>,
{
    let cell = IMAGES.get(image)?;
    let stored = cell.read();
    let recipe = match &*stored {
        Stored::Decoded(image) => {
            // What an operation makes keeps the source's metadata and colour profile.
            let mut made = operation(image)?;
            made.inherit_metadata(image);
            return Ok(insert(made));
        }
        Stored::Deferred(recipe) => recipe,
    };
    let run = move |image: Image| {
        let provenance = image.provenance();
        let mut made = run(image)?;
        made.set_provenance(provenance);
        Ok(made)
    };
    let (width, height, color_type) = recipe.info();
    match plan((width, height)) {
        Some(planned) if recipe.steps() < MAX_DEFERRED_STEPS => {
            let (width, height) = planned?;
            let input = Arc::clone(recipe);
            let steps = input.steps() + 1;
            Ok(insert_recipe(Recipe::Step { input, width, height, color_type, steps, run: Box::new(run) }))
        }
        Some(Err(error)) => Err(error),
        _ => Ok(insert(run(recipe.compute()?)?)),
    }
}

/// Runs `reader` on the image under a shared lock and returns what it returns (a deferred image
/// is decoded for this call).
pub fn read<R>(image: Handle, reader: impl FnOnce(&Image) -> R) -> Result<R> {
    with_image(&*IMAGES.get(image)?, |image| Ok(reader(image)))
}

/// Runs an in-place operation under the image's exclusive lock (a deferred image is decoded for
/// good first).
pub fn apply_in_place(image: Handle, operation: impl FnOnce(&mut Image) -> Result<()>) -> Result<()> {
    let cell = IMAGES.get(image)?;
    operation(decode_for_good(&mut cell.write())?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops;

    fn testdata(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
    }

    fn pixels(image: Handle) -> Vec<u8> {
        let info = info(image).unwrap();
        let mut out = vec![0; info.width as usize * info.height as usize * 4];
        copy_pixels(image, &mut out).unwrap();
        out
    }

    fn deferring() -> OpenOptions {
        OpenOptions { deferred: true, ..OpenOptions::default() }
    }

    #[test]
    fn a_deferred_jpeg_gives_the_eager_results_and_decodes_for_good_only_when_it_must() {
        // EXIF orientation 6: the header's size is swapped, as the decode's is.
        for name in ["rocket-exif6.jpg", "hubble_deep_field.jpg"] {
            let path = testdata(name);
            let eager = open_with(&path, &OpenOptions::default()).unwrap();
            let deferred = open_with(&path, &deferring()).unwrap();
            assert!(is_pending(deferred).unwrap() && !is_pending(eager).unwrap());
            assert_eq!(info(deferred).unwrap(), info(eager).unwrap(), "{name}");

            let (w, h) = (info(eager).unwrap().width, info(eager).unwrap().height);
            let crops =
                [ops::crop(eager, 3, 5, w - 10, h - 7).unwrap(), ops::crop(deferred, 3, 5, w - 10, h - 7).unwrap()];
            assert_eq!(pixels(crops[0]), pixels(crops[1]), "{name}: crop");
            let blurs = [ops::blur(eager, 12.0).unwrap(), ops::blur(deferred, 12.0).unwrap()];
            assert_eq!(pixels(blurs[0]), pixels(blurs[1]), "{name}: blur");
            let sharpened =
                [ops::unsharpen(eager, 1.5, 1.0, 0).unwrap(), ops::unsharpen(deferred, 1.5, 1.0, 0).unwrap()];
            assert_eq!(pixels(sharpened[0]), pixels(sharpened[1]), "{name}: unsharpen");
            let png = codes::ImageFormat::Png as u32;
            assert_eq!(encode(deferred, png, 0).unwrap(), encode(eager, png, 0).unwrap(), "{name}: encode");
            assert_eq!(pixels(deferred), pixels(eager));
            assert!(is_pending(deferred).unwrap(), "reads decode for the call only");

            let (address, len) = pixels_ptr(deferred).unwrap();
            assert!(!is_pending(deferred).unwrap(), "the pointer needs the pixels kept");
            assert_eq!(pixels_ptr(deferred).unwrap(), (address, len), "decoded once");
            let flipped = open_with(&path, &deferring()).unwrap();
            ops::mirror(flipped).unwrap();
            ops::mirror(eager).unwrap();
            assert!(!is_pending(flipped).unwrap());
            assert_eq!(pixels(flipped), pixels(eager), "{name}: mirror");

            for handle in crops.into_iter().chain(blurs).chain(sharpened).chain([eager, deferred, flipped]) {
                destroy(handle).unwrap();
            }
        }
    }

    #[test]
    fn operations_on_a_deferred_image_are_deferred_checked_at_once_and_unaffected_by_later_changes() {
        let path = testdata("hubble_deep_field.jpg");
        let eager = open_with(&path, &OpenOptions::default()).unwrap();
        let source = open_with(&path, &deferring()).unwrap();
        let (w, h) = (info(eager).unwrap().width, info(eager).unwrap().height);

        let chain = |start: Handle| {
            let cropped = ops::crop(start, 9, 4, w - 20, h - 11).unwrap();
            let rotated = ops::rotate90(cropped).unwrap();
            let shrunk = ops::resize(rotated, (h - 11) * 2 / 3, (w - 20) * 2 / 3, 2).unwrap();
            let sharpened = ops::unsharpen(shrunk, 1.0, 0.8, 2).unwrap();
            let blurred = ops::blur(sharpened, 14.0).unwrap();
            [cropped, rotated, shrunk, sharpened, blurred]
        };
        let expected = chain(eager);
        let deferred = chain(source);
        for (e, d) in expected.iter().zip(&deferred) {
            assert!(is_pending(*d).unwrap(), "a planned operation on a deferred image is deferred");
            assert_eq!(info(*d).unwrap(), info(*e).unwrap(), "the planned size is the computed one");
        }
        assert_eq!(pixels(deferred[4]), pixels(expected[4]));
        assert_eq!(pixels(deferred[2]), pixels(expected[2]));

        // Bad parameters fail at the call, as on a decoded image, with the same message.
        let bad = [
            ops::crop(source, w, 0, 1, 1),
            ops::blur(source, -1.0),
            ops::resize(source, 0, 5, 2),
            ops::resize(source, 5, 5, 99),
        ];
        let bad_eager = [
            ops::crop(eager, w, 0, 1, 1),
            ops::blur(eager, -1.0),
            ops::resize(eager, 0, 5, 2),
            ops::resize(eager, 5, 5, 99),
        ];
        for (d, e) in bad.into_iter().zip(bad_eager) {
            assert_eq!(d.unwrap_err().message, e.unwrap_err().message);
        }

        // The source changed in place afterwards: results derived earlier do not see it.
        ops::mirror(source).unwrap();
        assert!(!is_pending(source).unwrap());
        assert_eq!(pixels(deferred[0]), pixels(expected[0]));

        // Longer chains than a recipe holds: the rest runs at once, with the same result.
        let mut long = open_with(&path, &deferring()).unwrap();
        let mut long_eager = eager;
        let mut made = Vec::new();
        for _ in 0..(MAX_DEFERRED_STEPS + 3) {
            long = ops::rotate90(long).unwrap();
            long_eager = ops::rotate90(long_eager).unwrap();
            made.extend([long, long_eager]);
        }
        assert!(!is_pending(long).unwrap());
        assert_eq!(pixels(long), pixels(long_eager));

        for handle in expected.into_iter().chain(deferred).chain(made).chain([eager, source]) {
            destroy(handle).unwrap();
        }
    }

    #[test]
    fn threads_reading_and_keeping_one_deferred_image_agree() {
        let path = testdata("rocket.jpg");
        let eager = open_with(&path, &OpenOptions::default()).unwrap();
        let deferred = open_with(&path, &deferring()).unwrap();
        let blurred = ops::blur(deferred, 11.0).unwrap();
        let expected = [pixels(eager), {
            let eager_blur = ops::blur(eager, 11.0).unwrap();
            let p = pixels(eager_blur);
            destroy(eager_blur).unwrap();
            p
        }];
        // Some threads compute the recipes for a copy, others decode them for good, at once.
        std::thread::scope(|scope| {
            for thread in 0..6 {
                let expected = &expected;
                scope.spawn(move || {
                    for round in 0..4 {
                        if (thread + round) % 3 == 0 {
                            let (_, len) = pixels_ptr(deferred).unwrap();
                            assert_eq!(len, expected[0].len());
                        }
                        assert!(pixels(deferred) == expected[0]);
                        assert!(pixels(blurred) == expected[1]);
                    }
                });
            }
        });
        assert!(!is_pending(deferred).unwrap());
        for handle in [eager, deferred, blurred] {
            destroy(handle).unwrap();
        }
    }

    #[test]
    fn a_truncated_deferred_jpeg_fails_in_the_call_that_decodes_it() {
        let bytes = std::fs::read(testdata("rocket.jpg")).unwrap();
        let truncated = &bytes[..bytes.len() / 2];
        assert_eq!(decode_with(truncated, &OpenOptions::default()).unwrap_err().code, ErrorCode::Decode);
        let deferred = decode_with(truncated, &deferring()).unwrap();
        let cropped = ops::crop(deferred, 0, 0, 1, 1).unwrap();
        assert_eq!(encode(cropped, codes::ImageFormat::Png as u32, 0).unwrap_err().code, ErrorCode::Decode);
        assert_eq!(ops::adjust_brightness(cropped, 3).unwrap_err().code, ErrorCode::Decode);
        destroy(cropped).unwrap();
        assert_eq!(encode(deferred, codes::ImageFormat::Png as u32, 0).unwrap_err().code, ErrorCode::Decode);
        assert_eq!(pixels_ptr(deferred).unwrap_err().code, ErrorCode::Decode);
        assert!(is_pending(deferred).unwrap(), "a failed decode leaves the image as it was");
        destroy(deferred).unwrap();
    }

    #[test]
    fn limits_are_checked_at_open_and_other_formats_decode_at_once() {
        let limits = DecodeLimits { max_width: 16, ..DecodeLimits::default() };
        let tight = OpenOptions { decode: DecodeOptions { limits, ..DecodeOptions::default() }, deferred: true };
        assert_eq!(open_with(&testdata("rocket.jpg"), &tight).unwrap_err().code, ErrorCode::LimitExceeded);
        let png = open_with(&testdata("gradient-64x48.png"), &deferring()).unwrap();
        assert!(!is_pending(png).unwrap());
        destroy(png).unwrap();
    }

    /// A valid argument of each parameter type for any image of 2 x 2 pixels or more: 1 (sigma
    /// 1, a 1 x 1 crop at (1, 1) or resize, brightness +1, filter code 1).
    trait SampleArg {
        fn sample() -> Self;
    }
    impl SampleArg for f32 {
        fn sample() -> Self {
            1.0
        }
    }
    impl SampleArg for u32 {
        fn sample() -> Self {
            1
        }
    }
    impl SampleArg for i32 {
        fn sample() -> Self {
            1
        }
    }

    /// Calls every operation of the table on a deferred JPEG and checks that exactly the ones
    /// whose spec says `deferred` leave a pending image (the generated docs say so from the spec).
    macro_rules! check_every_deferral {
        ({} $(
            $kind:ident $name:ident [$($doc:literal)*]
                ($($param:ident : $ty:ty = $param_type:expr => $pdoc:literal),*) |$image:ident| $body:expr, $deferred:expr, $deferral:expr;
        )*) => {
            #[test]
            fn every_operation_is_deferred_exactly_when_its_spec_says_so() {
                let mut checked = 0;
                $({
                    let spec = crate::OPERATIONS.iter().find(|spec| spec.name == stringify!($name)).unwrap();
                    let source = open_with(&testdata("rocket.jpg"), &deferring()).unwrap();
                    let result = check_every_deferral!(@call $kind $name source ($($ty),*));
                    assert_eq!(is_pending(result).unwrap(), spec.deferred, "{}", spec.name);
                    assert!(!spec.deferred || spec.kind == crate::operations::OperationKind::Fresh, "{}", spec.name);
                    destroy(source).unwrap();
                    if result != source {
                        destroy(result).unwrap();
                    }
                    checked += 1;
                })*
                assert_eq!(checked, crate::OPERATIONS.len());
                assert!(crate::OPERATIONS.iter().any(|spec| spec.deferred));
            }
        };
        (@call fresh $name:ident $source:ident ($($ty:ty),*)) => {
            ops::$name($source, $(<$ty as SampleArg>::sample()),*).unwrap()
        };
        (@call in_place $name:ident $source:ident ($($ty:ty),*)) => {{
            ops::$name($source, $(<$ty as SampleArg>::sample()),*).unwrap();
            $source
        }};
    }

    crate::with_operations!(check_every_deferral);
}
