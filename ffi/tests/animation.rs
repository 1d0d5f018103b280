//! The animation exports (`pixbridge_animation_info`, `pixbridge_animation_frame_delays`,
//! `pixbridge_image_decode_frame[_controlled]`) through the C ABI exactly as C calls them, on the
//! fixtures of testdata/animation (made by ImageMagick and libwebp's img2webp, `make.sh` there:
//! a 12 x 8 canvas showing red, lime and blue for 100, 200 and 300 ms, looping forever), and
//! the bad inputs: truncated, huge canvas, too many frames, bad pointers.

use std::path::Path;
use std::ptr;

use pixbridge::*;

#[path = "common/abi.rs"]
mod common_abi;

use common_abi::{destroy, last_message};

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)).unwrap()
}

fn info(data: &[u8], limits: Option<&DecodeLimits>) -> Result<AnimationInfo, ErrorCode> {
    let mut info = AnimationInfo::default();
    let limits = limits.map_or(ptr::null(), |l| l as *const DecodeLimits);
    // SAFETY: valid byte range, limits null or readable, valid out-parameter.
    match unsafe { pixbridge_animation_info(data.as_ptr(), data.len(), limits, &mut info) } {
        ErrorCode::Ok => Ok(info),
        code => Err(code),
    }
}

fn delays(data: &[u8]) -> Result<Vec<u32>, ErrorCode> {
    // The length-query protocol: a null buffer and 0 give BufferTooSmall with the count.
    let mut count = 0usize;
    // SAFETY: valid byte range and out-parameter; a null buffer of length 0.
    let code = unsafe {
        pixbridge_animation_frame_delays(data.as_ptr(), data.len(), ptr::null(), ptr::null_mut(), 0, &mut count)
    };
    if code != ErrorCode::BufferTooSmall {
        return Err(code);
    }
    let mut delays = vec![u32::MAX; count + 1];
    let mut written = 0usize;
    // SAFETY: `delays` holds `delays.len()` writable values.
    let code = unsafe {
        pixbridge_animation_frame_delays(
            data.as_ptr(),
            data.len(),
            ptr::null(),
            delays.as_mut_ptr(),
            delays.len(),
            &mut written,
        )
    };
    assert_eq!(code, ErrorCode::Ok, "{}", last_message());
    assert_eq!(written, count);
    assert_eq!(delays[count], u32::MAX, "nothing written past the count");
    delays.truncate(count);
    Ok(delays)
}

fn decode_frame(data: &[u8], index: u32) -> Result<(u32, u32, Vec<u8>), ErrorCode> {
    let mut image = 0;
    // SAFETY: valid byte range and out-parameter, default limits.
    let code = unsafe { pixbridge_image_decode_frame(data.as_ptr(), data.len(), index, ptr::null(), &mut image) };
    if code != ErrorCode::Ok {
        assert_eq!(image, 0, "nothing written on failure");
        assert!(!last_message().is_empty());
        return Err(code);
    }
    let mut image_info = ImageInfo { width: 0, height: 0, color_type: ColorType::Rgba8 };
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_info(image, &mut image_info) }, ErrorCode::Ok);
    let mut pixels = vec![0u8; image_info.width as usize * image_info.height as usize * 4];
    // SAFETY: `pixels` holds its length in writable bytes.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(image, pixels.as_mut_ptr(), pixels.len()) }, ErrorCode::Ok);
    assert_eq!(destroy(image), ErrorCode::Ok);
    Ok((image_info.width, image_info.height, pixels))
}

const COLOURS: [[u8; 4]; 3] = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]];

#[test]
fn gif_and_webp_frames_counts_and_delays() {
    for name in ["animation/rgb-3frames.gif", "animation/rgb-3frames.webp"] {
        let data = testdata(name);
        let info = info(&data, None).unwrap();
        assert_eq!(info, AnimationInfo { frame_count: 3, width: 12, height: 8, loop_count: 0 }, "{name}");
        assert_eq!(delays(&data).unwrap(), [100, 200, 300], "{name}");
        for (index, colour) in COLOURS.iter().enumerate() {
            let (width, height, pixels) = decode_frame(&data, index as u32).unwrap();
            assert_eq!((width, height), (12, 8));
            // image-webp's blending of an opaque frame over an opaque canvas can be 1 level off.
            let close =
                |p: &[u8]| p.iter().zip(colour).all(|(&a, &b)| a.abs_diff(b) <= u8::from(name.ends_with("webp")));
            assert!(pixels.chunks_exact(4).all(close), "{name} frame {index}: {:?}", &pixels[..4]);
        }
        assert_eq!(decode_frame(&data, 3).unwrap_err(), ErrorCode::InvalidArgument);
        assert!(last_message().contains("3 frames"), "{}", last_message());
    }
}

#[test]
fn still_images_are_one_frame() {
    let data = testdata("animation/still.png");
    assert_eq!(info(&data, None).unwrap(), AnimationInfo { frame_count: 1, width: 5, height: 3, loop_count: 1 });
    assert_eq!(delays(&data).unwrap(), [0]);
    let (width, height, pixels) = decode_frame(&data, 0).unwrap();
    assert_eq!((width, height), (5, 3));
    assert!(pixels.iter().all(|&v| v == 255));
    assert_eq!(decode_frame(&data, 1).unwrap_err(), ErrorCode::InvalidArgument);
}

#[test]
fn bad_inputs_fail_with_codes() {
    // Truncated in frame 2: the structure cannot be read to the end.
    let truncated = testdata("animation/truncated-3frames.gif");
    assert_eq!(info(&truncated, None).unwrap_err(), ErrorCode::Decode);
    assert_eq!(decode_frame(&truncated, 0).unwrap_err(), ErrorCode::Decode);
    // A 65535 x 65535 canvas: over the default limits, refused before any allocation.
    let huge = testdata("animation/huge-canvas.gif");
    assert_eq!(info(&huge, None).unwrap_err(), ErrorCode::LimitExceeded);
    assert_eq!(decode_frame(&huge, 0).unwrap_err(), ErrorCode::LimitExceeded);
    // 10001 frames of 1 x 1 (written by hand: a black and white table, each frame the LZW codes
    // clear, 1, end): over the frame limit, found by counting.
    let mut many = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff".to_vec();
    for _ in 0..10_001 {
        many.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]);
    }
    many.push(0x3B);
    assert_eq!(info(&many, None).unwrap_err(), ErrorCode::LimitExceeded);
    assert!(last_message().contains("10000"), "{}", last_message());
    assert_eq!(decode_frame(&many, 0).unwrap_err(), ErrorCode::LimitExceeded);
    // The 1000-frame GIF of the bad-input corpus is counted, not decoded.
    let thousand = testdata("bad/frames-1000.gif");
    assert_eq!(info(&thousand, None).unwrap().frame_count, 1000);
    // Limits given: a canvas over max_width.
    let gif = testdata("animation/rgb-3frames.gif");
    let limits = DecodeLimits { max_width: 11, max_height: 100, max_decoded_bytes: 1 << 20 };
    assert_eq!(info(&gif, Some(&limits)).unwrap_err(), ErrorCode::LimitExceeded);
    assert_eq!(info(b"not an image", None).unwrap_err(), ErrorCode::UnsupportedFormat);
}

#[test]
fn pointers_and_buffers_are_validated() {
    let gif = testdata("animation/rgb-3frames.gif");
    // SAFETY (all calls): the pointers are null or valid as passed.
    unsafe {
        let mut info = AnimationInfo::default();
        assert_eq!(pixbridge_animation_info(ptr::null(), 5, ptr::null(), &mut info), ErrorCode::NullArgument);
        assert_eq!(
            pixbridge_animation_info(gif.as_ptr(), gif.len(), ptr::null(), ptr::null_mut()),
            ErrorCode::NullArgument
        );
        let mut count = 0usize;
        let mut two = [0u32; 2];
        assert_eq!(
            pixbridge_animation_frame_delays(gif.as_ptr(), gif.len(), ptr::null(), two.as_mut_ptr(), 2, &mut count),
            ErrorCode::BufferTooSmall
        );
        assert_eq!((count, two), (3, [0, 0]), "the count, and nothing copied");
        assert_eq!(
            pixbridge_animation_frame_delays(gif.as_ptr(), gif.len(), ptr::null(), ptr::null_mut(), 3, &mut count),
            ErrorCode::NullArgument
        );
        assert_eq!(
            pixbridge_animation_frame_delays(
                gif.as_ptr(),
                gif.len(),
                ptr::null(),
                two.as_mut_ptr(),
                2,
                ptr::null_mut()
            ),
            ErrorCode::NullArgument
        );
        assert_eq!(
            pixbridge_image_decode_frame(gif.as_ptr(), gif.len(), 0, ptr::null(), ptr::null_mut()),
            ErrorCode::NullArgument
        );
        // A cancelled control stops the decode before it starts.
        let mut control = 0;
        assert_eq!(pixbridge_control_create(None, ptr::null_mut(), &mut control), ErrorCode::Ok);
        assert_eq!(pixbridge_control_cancel(control), ErrorCode::Ok);
        let mut image = 0;
        assert_eq!(
            pixbridge_image_decode_frame_controlled(gif.as_ptr(), gif.len(), 2, ptr::null(), control, &mut image),
            ErrorCode::Cancelled
        );
        assert_eq!(image, 0);
        assert_eq!(pixbridge_control_destroy(control), ErrorCode::Ok);
        // Through the function table too.
        let table = pixbridge_functions();
        assert_eq!((table.animation_info)(gif.as_ptr(), gif.len(), ptr::null(), &mut info), ErrorCode::Ok);
        assert_eq!(info.frame_count, 3);
    }
}
