//! Animated GIF and WebP: the frame count, delays and loop count ([`animation_info`]) and any
//! frame as a full-canvas image ([`Image::decode_frame`]).
//!
//! Plain decoding ([`Image::decode`]) gives an animation's first frame; this module is for
//! callers who want more. A still image (PNG, JPEG, a one-frame GIF, a WebP without animation,
//! every other decodable format) is an animation of one frame with delay 0, shown once.
//! Animated PNG (APNG) is [`Error::UnsupportedFormat`].
//!
//! # Costs and bounds
//!
//! - [`animation_info`] reads the file's structure without decompressing a frame: the GIF
//!   blocks (LZW data skipped) or the WebP chunks. Its time is proportional to the file's size,
//!   its memory to the frame count (4 bytes per frame for the delays).
//! - [`Image::decode_frame`] with index `n` composites frames `0..=n` (each frame is drawn over
//!   the previous ones, as the format's disposal and blending say), holding at most three
//!   canvas-sized buffers at a time (the decoder's canvas, the frame being read, the composited
//!   result), never the earlier frames: its time grows with `n` times the canvas size.
//! - Bounds: the canvas and every frame rectangle are checked against the [`DecodeLimits`]
//!   before anything is allocated; more than [`MAX_ANIMATION_FRAMES`] frames is
//!   [`Error::LimitExceeded`] (a hostile GIF of millions of 1-pixel frames is refused after
//!   counting that many, not decoded); and the canvases one decode composites, `(n + 1) *
//!   width * height * 4` bytes, may not exceed [`ANIMATION_WORK_FACTOR`] times
//!   `max_decoded_bytes` (32 GiB of compositing with the default limits).
//! - Under a [`Job`](crate::control::Job) the decode reports progress and stops between
//!   frames when cancelled.

#![forbid(unsafe_code)]

use std::io::Cursor;

use image::{AnimationDecoder, ImageDecoder};

use crate::control::{self, Progress};
use crate::decode::{Source, check_limits};
use crate::error::{Error, Result, Stage, image_error};
use crate::model::Image;
use crate::ops::discard;
use crate::types::{ColorType, DecodeLimits};

/// Most frames an animation may have: more is [`Error::LimitExceeded`], found while counting
/// (the frames are not decoded for it).
pub const MAX_ANIMATION_FRAMES: u32 = 10_000;

/// Bound on the work of one [`Image::decode_frame`]: the canvases it composites, `(index + 1)
/// * width * height * 4` bytes, may be at most this many times `max_decoded_bytes`.
pub const ANIMATION_WORK_FACTOR: u64 = 64;

/// What [`animation_info`] finds out about an image's frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnimationInfo {
    /// Number of frames, 1 to [`MAX_ANIMATION_FRAMES`] (1 for a still image).
    pub frame_count: u32,
    /// Width of the canvas every frame is composited onto (the size of a decoded frame).
    pub width: u32,
    /// Height of the canvas.
    pub height: u32,
    /// How many times the animation plays, as the file states it: 0 means forever. A GIF
    /// without a NETSCAPE looping block, and a still image, play once (1). GIF stores the
    /// number of repetitions after the first showing; it is returned unchanged.
    pub loop_count: u32,
    /// How long each frame is shown, in milliseconds, one per frame (0 for a still image).
    /// GIF stores hundredths of a second, so its delays are multiples of 10.
    pub delays_ms: Vec<u32>,
}

/// The animated formats and the rest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Gif,
    AnimatedWebP,
    Still,
}

/// Reads the frame count, canvas size, loop count and per-frame delays of the image in `bytes`
/// without decoding its frames (see the module docs for the costs and bounds).
///
/// Errors: [`Error::UnsupportedFormat`] for unrecognised content and for animated PNG,
/// [`Error::LimitExceeded`] for a canvas or frame over `limits` or more than
/// [`MAX_ANIMATION_FRAMES`] frames, [`Error::Decode`] for malformed or truncated structure.
/// Damage inside a frame's compressed data is found only by decoding that frame.
pub fn animation_info(bytes: &[u8], limits: &DecodeLimits) -> Result<AnimationInfo> {
    let subject = Source::Memory(bytes.len()).subject();
    Ok(read_info(bytes, limits, &subject)?.1)
}

/// The format's path and its [`AnimationInfo`]. A third-party parser that panics on malformed
/// data fails with `Decode`, as a decode does.
fn read_info(bytes: &[u8], limits: &DecodeLimits, subject: &str) -> Result<(Kind, AnimationInfo)> {
    std::panic::catch_unwind(|| {
        let kind = kind(bytes, subject)?;
        let info = match kind {
            Kind::Gif => gif_info(bytes, limits, subject)?,
            Kind::AnimatedWebP => webp_info(bytes, limits, subject)?,
            Kind::Still => still_info(bytes, limits, subject)?,
        };
        Ok((kind, info))
    })
    .unwrap_or_else(|panic| {
        let detail = crate::error::panic_message(panic.as_ref());
        Err(Error::Decode(format!("{subject}: the decoder failed on malformed data ({detail})")))
    })
}

impl Image {
    /// Decodes frame `index` (from 0) of the animated GIF or WebP in `bytes`: the full canvas
    /// as the animation shows it at that frame (RGBA8, earlier frames composited beneath as
    /// the format says), not the frame's own rectangle. Index 0 of a still image is
    /// [`Image::decode_with_limits`]'s result.
    ///
    /// Frames `0..=index` are decoded one after another, each dropped once the next is made:
    /// see the module docs for the costs and the bounds.
    ///
    /// Errors: [`Error::InvalidArgument`] naming the frame count when `index` is not below it;
    /// otherwise as [`animation_info`], and [`Error::Decode`] for damaged frame data.
    pub fn decode_frame(bytes: &[u8], index: u32, limits: &DecodeLimits) -> Result<Image> {
        let subject = Source::Memory(bytes.len()).subject();
        let (kind, info) = read_info(bytes, limits, &subject)?;
        if index >= info.frame_count {
            let frames =
                if info.frame_count == 1 { "1 frame".to_owned() } else { format!("{} frames", info.frame_count) };
            return Err(Error::InvalidArgument(format!(
                "frame index {index} is out of range: the image has {frames} (valid indices 0 to {})",
                info.frame_count - 1
            )));
        }
        if kind == Kind::Still {
            return Image::decode_with_limits(bytes, limits);
        }
        let canvas = u64::from(info.width) * u64::from(info.height) * 4;
        let work = (u64::from(index) + 1).saturating_mul(canvas);
        let budget = limits.max_decoded_bytes.saturating_mul(ANIMATION_WORK_FACTOR);
        if work > budget {
            return Err(Error::LimitExceeded(format!(
                "{subject}: decoding frame {index} composites {} canvases of {} x {} ({work} bytes), more than \
                 {ANIMATION_WORK_FACTOR} x the limit max_decoded_bytes = {} allows",
                u64::from(index) + 1,
                info.width,
                info.height,
                limits.max_decoded_bytes
            )));
        }
        composite(bytes, kind, index, &info, limits, &subject)
    }
}

/// Which path `bytes` takes; unrecognised content is `UnsupportedFormat` as for a decode.
fn kind(bytes: &[u8], subject: &str) -> Result<Kind> {
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Gif) => Ok(Kind::Gif),
        Ok(image::ImageFormat::WebP) => {
            // The VP8X header's animation flag (bit 1 of the byte after the chunk header).
            let animated = bytes.len() > 20 && &bytes[12..16] == b"VP8X" && bytes[20] & 0x02 != 0;
            Ok(if animated { Kind::AnimatedWebP } else { Kind::Still })
        }
        Ok(image::ImageFormat::Png) => {
            let decoder = image::codecs::png::PngDecoder::new(Cursor::new(bytes))
                .map_err(|e| image_error(subject, Stage::Decoding, e))?;
            if decoder.is_apng().map_err(|e| image_error(subject, Stage::Decoding, e))? {
                return Err(Error::UnsupportedFormat(format!(
                    "{subject}: animated PNG (APNG) frames are not supported; decoding gives the default image"
                )));
            }
            Ok(Kind::Still)
        }
        // Everything else (including content no format recognises) goes to the plain decoder,
        // which reports unknown content as `UnsupportedFormat`.
        _ => Ok(Kind::Still),
    }
}

/// The frame-count limit's error.
fn too_many_frames(subject: &str) -> Error {
    Error::LimitExceeded(format!(
        "{subject}: the animation has more than {MAX_ANIMATION_FRAMES} frames (the most Pixbridge reads)"
    ))
}

/// Checks one frame rectangle against the limits (as its decode will allocate it).
fn check_frame(width: u32, height: u32, limits: &DecodeLimits, subject: &str, index: u32) -> Result<()> {
    check_limits(width, height, ColorType::Rgba8, limits, &format!("{subject}: frame {index}"))
}

/// A still image: its upright size from the header, one frame.
fn still_info(bytes: &[u8], limits: &DecodeLimits, subject: &str) -> Result<AnimationInfo> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::Decode(format!("{subject}: {e}")))?;
    let (width, height) = if reader.format().is_some() {
        let mut header_limits = image::Limits::no_limits();
        header_limits.max_alloc = Some(limits.max_decoded_bytes.min(32 << 20));
        let mut reader = reader;
        reader.limits(header_limits);
        let mut decoder = reader.into_decoder().map_err(|e| image_error(subject, Stage::Decoding, e))?;
        let (width, height) = decoder.dimensions();
        check_limits(width, height, ColorType::from_image(decoder.color_type()), limits, subject)?;
        let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
        use image::metadata::Orientation as O;
        match orientation {
            O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH => (height, width),
            _ => (width, height),
        }
    } else {
        // No magic bytes (TGA) or not an image: the decoder decides, as `decode` does.
        let image = Image::decode_with_limits(bytes, limits)?;
        let size = (image.width(), image.height());
        discard(image.into_pixels());
        size
    };
    if width == 0 || height == 0 {
        return Err(Error::Decode(format!("{subject}: the header declares an empty image ({width} x {height})")));
    }
    Ok(AnimationInfo { frame_count: 1, width, height, loop_count: 1, delays_ms: vec![0] })
}

/// GIF: the logical screen, then every frame's descriptor and delay, the LZW data skipped.
fn gif_info(bytes: &[u8], limits: &DecodeLimits, subject: &str) -> Result<AnimationInfo> {
    let gif_error = |e: gif::DecodingError| Error::Decode(format!("{subject}: {e}"));
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(gif_error)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    check_limits(width, height, ColorType::Rgba8, limits, subject)?;
    if width == 0 || height == 0 {
        return Err(Error::Decode(format!("{subject}: the header declares an empty image ({width} x {height})")));
    }
    let mut delays_ms = Vec::new();
    while let Some(frame) = decoder.next_frame_info().map_err(gif_error)? {
        if delays_ms.len() as u32 == MAX_ANIMATION_FRAMES {
            return Err(too_many_frames(subject));
        }
        check_frame(u32::from(frame.width), u32::from(frame.height), limits, subject, delays_ms.len() as u32)?;
        // GIF delays are in hundredths of a second.
        delays_ms.push(u32::from(frame.delay) * 10);
        control::check()?;
    }
    if delays_ms.is_empty() {
        return Err(Error::Decode(format!("{subject}: the GIF has no frames")));
    }
    let loop_count = match decoder.repeat() {
        gif::Repeat::Infinite => 0,
        // `Finite(0)` is what the decoder reports when there is no NETSCAPE block: shown once.
        gif::Repeat::Finite(0) => 1,
        gif::Repeat::Finite(n) => u32::from(n),
    };
    Ok(AnimationInfo { frame_count: delays_ms.len() as u32, width, height, loop_count, delays_ms })
}

/// Reads a little-endian number of `N` bytes at `at` of `bytes`.
fn le<const N: usize>(bytes: &[u8], at: usize) -> Option<u32> {
    let field = bytes.get(at..at.checked_add(N)?)?;
    Some(field.iter().rev().fold(0u32, |value, &byte| (value << 8) | u32::from(byte)))
}

/// Animated WebP: the decoder checks the container; then the VP8X canvas, the ANIM loop count
/// and each ANMF frame's rectangle and duration, walking the RIFF chunks.
fn webp_info(bytes: &[u8], limits: &DecodeLimits, subject: &str) -> Result<AnimationInfo> {
    let malformed = |what: &str| Error::Decode(format!("{subject}: malformed animated WebP ({what})"));
    // The canvas from VP8X (24-bit width - 1 and height - 1 at payload offsets 4 and 7),
    // checked before the decoder reads further.
    let width = le::<3>(bytes, 24).ok_or_else(|| malformed("short VP8X chunk"))? + 1;
    let height = le::<3>(bytes, 27).ok_or_else(|| malformed("short VP8X chunk"))? + 1;
    check_limits(width, height, ColorType::Rgba8, limits, subject)?;
    // The same structural checks as a decode (chunk sizes, the ANIM and ANMF chunks present).
    image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).map_err(|e| image_error(subject, Stage::Decoding, e))?;
    let riff_end = le::<4>(bytes, 4).map_or(bytes.len(), |size| (size as usize).saturating_add(8).min(bytes.len()));
    let (mut at, mut loop_count, mut delays_ms) = (12usize, 1u32, Vec::new());
    while at.checked_add(8).is_some_and(|header_end| header_end <= riff_end) {
        let fourcc = &bytes[at..at + 4];
        let size = le::<4>(bytes, at + 4).expect("8 bytes are there") as usize;
        let payload = at + 8;
        match fourcc {
            b"ANIM" => loop_count = le::<2>(bytes, payload + 4).ok_or_else(|| malformed("short ANIM chunk"))?,
            b"ANMF" => {
                if delays_ms.len() as u32 == MAX_ANIMATION_FRAMES {
                    return Err(too_many_frames(subject));
                }
                let field = |offset| le::<3>(bytes, payload + offset).ok_or_else(|| malformed("short ANMF chunk"));
                let index = delays_ms.len() as u32;
                check_frame(field(6)? + 1, field(9)? + 1, limits, subject, index)?;
                delays_ms.push(field(12)?);
                control::check()?;
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        at = payload.saturating_add(size).saturating_add(size & 1);
    }
    if delays_ms.is_empty() {
        return Err(malformed("no ANMF frame"));
    }
    Ok(AnimationInfo { frame_count: delays_ms.len() as u32, width, height, loop_count, delays_ms })
}

/// Decodes frames `0..=index` with the `image` crate's animation decoder and returns the last,
/// checking for cancellation and reporting progress between frames. A decoder that panics on
/// malformed data fails the decode with `Decode`, as [`Image::decode`] does.
fn composite(
    bytes: &[u8],
    kind: Kind,
    index: u32,
    info: &AnimationInfo,
    limits: &DecodeLimits,
    subject: &str,
) -> Result<Image> {
    let progress = Progress::new(u64::from(index) + 1);
    let decoding_error = |e| image_error(subject, Stage::Decoding, e);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    // The GIF decoder holds the canvas kept for disposal, the frame's rectangle and the
    // composited canvas at once; each was checked against `max_decoded_bytes` already.
    image_limits.max_alloc = Some(limits.max_decoded_bytes.saturating_mul(3));
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<(Vec<u8>, ColorType)> {
        let (frames, color) = match kind {
            Kind::Gif => {
                let mut decoder = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(decoding_error)?;
                decoder.set_limits(image_limits).map_err(decoding_error)?;
                (decoder.into_frames(), ColorType::Rgba8)
            }
            _ => {
                let decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).map_err(decoding_error)?;
                let color = ColorType::from_image(decoder.color_type());
                (decoder.into_frames(), color)
            }
        };
        let mut frames = frames.take(index as usize + 1);
        let mut last = None;
        for position in 0..=index {
            let Some(frame) = frames.next() else {
                return Err(Error::Decode(format!(
                    "{subject}: the data ends at frame {position} of {}",
                    info.frame_count
                )));
            };
            // The previous frame is dropped here: never more than the decoder's canvas, the
            // frame being read and one composited frame are held.
            last = Some(frame.map_err(decoding_error)?);
            progress.step(1)?;
        }
        let buffer = last.expect("index + 1 frames were decoded").into_buffer();
        if buffer.dimensions() != (info.width, info.height) {
            return Err(Error::Decode(format!(
                "{subject}: frame {index} is {} x {}, not the canvas size {} x {}",
                buffer.width(),
                buffer.height(),
                info.width,
                info.height
            )));
        }
        Ok((buffer.into_raw(), color))
    }));
    let (pixels, color) = match decoded {
        Ok(result) => result.map_err(|error| crate::decode::unless_cancelled(&progress, error))?,
        Err(panic) => {
            let detail = crate::error::panic_message(panic.as_ref());
            return Err(Error::Decode(format!("{subject}: the decoder failed on malformed data ({detail})")));
        }
    };
    Ok(Image::from_parts(info.width, info.height, pixels, color))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame, RgbaImage};

    use super::*;

    const RED: [u8; 4] = [255, 0, 0, 255];
    const GREEN: [u8; 4] = [0, 255, 0, 255];
    const BLUE: [u8; 4] = [0, 0, 255, 255];

    /// A test frame: colour, delay in ms, rectangle `(left, top, width, height)`.
    type TestFrame = ([u8; 4], u32, (u32, u32, u32, u32));

    /// A GIF of `frames` (colour, delay in ms, rectangle `(left, top, width, height)`) on a
    /// `width` x `height` canvas, written by the `image` crate's GIF encoder.
    fn gif(width: u32, height: u32, repeat: Option<Repeat>, frames: &[TestFrame]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut out);
            if let Some(repeat) = repeat {
                encoder.set_repeat(repeat).unwrap();
            }
            for &(colour, delay, (left, top, w, h)) in frames {
                let buffer = RgbaImage::from_pixel(w, h, image::Rgba(colour));
                let delay = Delay::from_saturating_duration(Duration::from_millis(u64::from(delay)));
                encoder.encode_frame(Frame::from_parts(buffer, left, top, delay)).unwrap();
            }
        }
        // The encoder writes the logical screen as the first frame's size and every frame at
        // (0, 0) (with disposal "restore to background"): set the canvas and the offsets.
        out[6..8].copy_from_slice(&(width as u16).to_le_bytes());
        out[8..10].copy_from_slice(&(height as u16).to_le_bytes());
        let mut at = 13 + if out[10] & 0x80 != 0 { 3 << ((out[10] & 7) + 1) } else { 0 };
        let mut frame = 0;
        while out[at] != 0x3B {
            match out[at] {
                0x21 => at += 2,
                _ => {
                    let (left, top, ..) = frames[frame].2;
                    out[at + 1..at + 3].copy_from_slice(&(left as u16).to_le_bytes());
                    out[at + 3..at + 5].copy_from_slice(&(top as u16).to_le_bytes());
                    let flags = out[at + 9];
                    at += 10 + if flags & 0x80 != 0 { 3 << ((flags & 7) + 1) } else { 0 } + 1;
                    frame += 1;
                }
            }
            // Skip the sub-blocks.
            while out[at] != 0 {
                at += usize::from(out[at]) + 1;
            }
            at += 1;
        }
        out
    }

    fn three_frames() -> Vec<u8> {
        gif(
            6,
            4,
            Some(Repeat::Infinite),
            &[(RED, 100, (0, 0, 6, 4)), (GREEN, 200, (0, 0, 6, 4)), (BLUE, 300, (2, 1, 2, 2))],
        )
    }

    fn pixel(image: &Image, x: u32, y: u32) -> [u8; 4] {
        let at = ((y * image.width() + x) * 4) as usize;
        image.pixels()[at..at + 4].try_into().unwrap()
    }

    #[test]
    fn gif_info_counts_frames_and_reads_delays_and_loops() {
        let info = animation_info(&three_frames(), &DecodeLimits::default()).unwrap();
        assert_eq!(
            info,
            AnimationInfo { frame_count: 3, width: 6, height: 4, loop_count: 0, delays_ms: vec![100, 200, 300] }
        );
        let once = gif(2, 2, None, &[(RED, 50, (0, 0, 2, 2)), (GREEN, 70, (0, 0, 2, 2))]);
        assert_eq!(animation_info(&once, &DecodeLimits::default()).unwrap().loop_count, 1);
        let thrice = gif(2, 2, Some(Repeat::Finite(3)), &[(RED, 50, (0, 0, 2, 2))]);
        let info = animation_info(&thrice, &DecodeLimits::default()).unwrap();
        assert_eq!((info.frame_count, info.loop_count, info.delays_ms), (1, 3, vec![50]));
    }

    #[test]
    fn gif_frames_are_composited_full_canvas() {
        let bytes = three_frames();
        let limits = DecodeLimits::default();
        let first = Image::decode_frame(&bytes, 0, &limits).unwrap();
        assert!(first.pixels().chunks_exact(4).all(|p| p == RED));
        let second = Image::decode_frame(&bytes, 1, &limits).unwrap();
        assert!(second.pixels().chunks_exact(4).all(|p| p == GREEN));
        // Frame 2 covers (2, 1)-(3, 2) only; frame 1 was disposed to the background
        // (transparent) around it.
        let third = Image::decode_frame(&bytes, 2, &limits).unwrap();
        assert_eq!((third.width(), third.height()), (6, 4));
        for y in 0..4 {
            for x in 0..6 {
                let inside = (2..4).contains(&x) && (1..3).contains(&y);
                assert_eq!(pixel(&third, x, y), if inside { BLUE } else { [0; 4] }, "({x}, {y})");
            }
        }
    }

    #[test]
    fn plain_decoding_gives_the_first_frame() {
        let bytes = three_frames();
        let decoded = Image::decode(&bytes).unwrap();
        assert_eq!(decoded.pixels(), Image::decode_frame(&bytes, 0, &DecodeLimits::default()).unwrap().pixels());
        assert!(decoded.pixels().chunks_exact(4).all(|p| p == RED));
    }

    #[test]
    fn an_index_out_of_range_names_the_count() {
        let error = Image::decode_frame(&three_frames(), 3, &DecodeLimits::default()).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument(_)), "{error}");
        assert!(error.message().contains("3 frames") && error.message().contains("0 to 2"), "{error}");
        let still = Image::from_rgba8(3, 2, vec![9; 24]).unwrap().encode(crate::ImageFormat::Png, None).unwrap();
        let error = Image::decode_frame(&still, 1, &DecodeLimits::default()).unwrap_err();
        assert!(error.message().contains("1 frame"), "{error}");
    }

    #[test]
    fn a_still_image_is_one_frame_of_delay_zero() {
        let source = Image::from_rgba8(3, 2, (0..24).collect()).unwrap();
        for format in
            [crate::ImageFormat::Png, crate::ImageFormat::Jpeg, crate::ImageFormat::Gif, crate::ImageFormat::Bmp]
        {
            let bytes = source.encode(format, None).unwrap();
            let info = animation_info(&bytes, &DecodeLimits::default()).unwrap();
            let expected = AnimationInfo { frame_count: 1, width: 3, height: 2, loop_count: 1, delays_ms: vec![0] };
            assert_eq!(info, expected, "{format:?}");
            let frame = Image::decode_frame(&bytes, 0, &DecodeLimits::default()).unwrap();
            assert_eq!(frame.pixels(), Image::decode(&bytes).unwrap().pixels(), "{format:?}");
        }
        let error = animation_info(b"not an image at all", &DecodeLimits::default()).unwrap_err();
        assert!(matches!(error, Error::UnsupportedFormat(_)), "{error}");
    }

    #[test]
    fn limits_are_checked_before_decoding() {
        let bytes = three_frames();
        let small = DecodeLimits { max_width: 5, max_height: 100, max_decoded_bytes: 1 << 20 };
        for error in [animation_info(&bytes, &small).unwrap_err(), Image::decode_frame(&bytes, 0, &small).unwrap_err()]
        {
            assert!(matches!(error, Error::LimitExceeded(_)) && error.message().contains("max_width = 5"), "{error}");
        }
        // The compositing budget: 3 canvases of 96 bytes are more than 64 x 4 bytes.
        let tight = DecodeLimits { max_width: 100, max_height: 100, max_decoded_bytes: 96 };
        assert!(Image::decode_frame(&bytes, 1, &tight).is_ok());
        let error = Image::decode_frame(&bytes, 2, &DecodeLimits { max_decoded_bytes: 4, ..tight }).unwrap_err();
        assert!(matches!(error, Error::LimitExceeded(_)), "{error}");
    }

    /// A GIF of `count` 1 x 1 frames, written block by block: a global table of black and
    /// white, and each frame the LZW codes clear (4), 1, end (5) at 3 bits, LSB first: bytes
    /// 0x4C 0x01, one white pixel.
    fn many_frames(count: usize) -> Vec<u8> {
        let mut out = b"GIF89a".to_vec();
        out.extend_from_slice(&[1, 0, 1, 0, 0x80, 0, 0]); // 1 x 1, global table of 2 colours
        out.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
        let frame = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0];
        for _ in 0..count {
            out.extend_from_slice(&frame);
        }
        out.push(0x3B);
        out
    }

    #[test]
    fn frame_counting_stops_at_the_maximum() {
        let limits = DecodeLimits::default();
        let at_max = many_frames(MAX_ANIMATION_FRAMES as usize);
        assert_eq!(animation_info(&at_max, &limits).unwrap().frame_count, MAX_ANIMATION_FRAMES);
        let over = many_frames(MAX_ANIMATION_FRAMES as usize + 1);
        let error = animation_info(&over, &limits).unwrap_err();
        assert!(matches!(error, Error::LimitExceeded(_)) && error.message().contains("10000"), "{error}");
        // A million frames: refused after counting 10 001 of them, quickly.
        let start = std::time::Instant::now();
        let error = Image::decode_frame(&many_frames(1_000_000), 0, &limits).unwrap_err();
        assert!(matches!(error, Error::LimitExceeded(_)), "{error}");
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        // The last of 10 000 one-pixel frames decodes: palette entry 1, white.
        let last = Image::decode_frame(&at_max, MAX_ANIMATION_FRAMES - 1, &limits).unwrap();
        assert_eq!(last.pixels(), &[255, 255, 255, 255]);
    }

    #[test]
    fn truncated_and_damaged_gifs_fail_cleanly() {
        let bytes = three_frames();
        for cut in [7, 13, 20, bytes.len() / 2, bytes.len() - 3] {
            let short = &bytes[..cut];
            if let Ok(info) = animation_info(short, &DecodeLimits::default()) {
                for index in 0..info.frame_count {
                    let _ = Image::decode_frame(short, index, &DecodeLimits::default());
                }
            }
            let error = Image::decode_frame(short, 2, &DecodeLimits::default()).unwrap_err();
            assert!(matches!(error, Error::Decode(_) | Error::InvalidArgument(_)), "cut {cut}: {error}");
        }
    }

    #[test]
    fn a_cancelled_job_stops_the_decode() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        let job = crate::control::Job::new(Arc::new(AtomicBool::new(true)), None);
        let error = job.run(|| Image::decode_frame(&three_frames(), 2, &DecodeLimits::default())).unwrap_err();
        assert!(matches!(error, Error::Cancelled(_)), "{error}");
    }

    #[test]
    fn animated_webp_frames_and_delays() {
        // Written by libwebp's img2webp (lossless; testdata/animation/make.sh): 12 x 8, red,
        // lime and blue for 100, 200 and 300 ms, looping forever.
        let bytes = include_bytes!("../../testdata/animation/rgb-3frames.webp");
        let info = animation_info(bytes, &DecodeLimits::default()).unwrap();
        assert_eq!(
            info,
            AnimationInfo { frame_count: 3, width: 12, height: 8, loop_count: 0, delays_ms: vec![100, 200, 300] }
        );
        for (index, colour) in [RED, GREEN, BLUE].into_iter().enumerate() {
            let frame = Image::decode_frame(bytes, index as u32, &DecodeLimits::default()).unwrap();
            assert_eq!((frame.width(), frame.height()), (12, 8));
            // image-webp blends a frame with blending on (frames 1 and 2 here) in 8-bit
            // arithmetic that can give 254 for an opaque 255 over an opaque canvas: within 1.
            let close = |p: &[u8]| p.iter().zip(colour).all(|(&a, b)| a.abs_diff(b) <= 1);
            assert!(frame.pixels().chunks_exact(4).all(close), "frame {index}: {:?}", &frame.pixels()[..4]);
        }
        // Plain decoding gives the first frame.
        let decoded = Image::decode(bytes).unwrap();
        assert!(decoded.pixels().chunks_exact(4).all(|p| p == RED));
        let error = Image::decode_frame(bytes, 3, &DecodeLimits::default()).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument(_)) && error.message().contains("3 frames"), "{error}");
        for cut in [10, 24, 30, 40, bytes.len() / 2, bytes.len() - 5] {
            let _ = animation_info(&bytes[..cut], &DecodeLimits::default());
            let _ = Image::decode_frame(&bytes[..cut], 2, &DecodeLimits::default());
        }
    }
}
