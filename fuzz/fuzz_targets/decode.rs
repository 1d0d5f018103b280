//! Arbitrary bytes through the decoder, colour management, metadata and the animation frame API:
//! every outcome must be an image (or a frame description) or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pixbridge_core::{
    ColorProfile, DecodeLimits, DecodeOptions, Image, ImageFormat, MAX_ANIMATION_FRAMES, animation_info,
};

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys aborts on every panic, even one the decoder catches: core turns a panic of a
    // third-party decoder into a `Decode` error, so only panics that escape count here (the
    // harness aborts on those itself).
    static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();
    DEFAULT_HOOK.call_once(|| drop(std::panic::take_hook()));
    // Tighter than the defaults so a run's memory stays bounded; the check is the same code.
    let limits = DecodeLimits { max_width: 4096, max_height: 4096, max_decoded_bytes: 64 << 20 };
    let strict = Image::decode_with_limits(data, &limits);
    if let Ok(image) = &strict {
        check(image, &limits);
        assert_eq!(image.decode_warning(), None);
        // Metadata (issue 16): EXIF parses to fields or to none; whatever was kept is written
        // back into the formats that carry it, and what is written decodes again.
        let _ = image.metadata().exif_fields();
        if u64::from(image.width()) * u64::from(image.height()) <= 1 << 16 {
            for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
                let bytes = image.encode(format, None).expect("a decoded image encodes");
                let again = Image::decode_with_limits(&bytes, &limits).expect("what Pixbridge wrote decodes");
                assert_eq!((again.width(), again.height()), (image.width(), image.height()));
            }
        }
    }
    // Keeping the profile never changes the pixels of a file without a usable one, and never
    // fails where converting succeeds.
    let kept = Image::decode_with(data, &DecodeOptions { limits, keep_profile: true, ..DecodeOptions::default() });
    if let Ok(image) = &strict {
        let kept = kept.expect("keeping the profile decodes what converting decodes");
        if image.color_profile() == ColorProfile::None {
            assert_eq!(kept.pixels(), image.pixels());
        }
    }
    // Lenient decoding keeps what a damaged file holds; it succeeds whenever strict decoding
    // does, with the same pixels.
    let lenient = Image::decode_with(data, &DecodeOptions { limits, lenient: true, ..DecodeOptions::default() });
    if let Ok(image) = &lenient {
        check(image, &limits);
    }
    if let Ok(image) = strict {
        assert_eq!(lenient.ok(), Some(image));
    }
    // The animation frame API (issue 16): counting reads the structure only; a frame is
    // canvas-sized; an index past the count is refused. Smaller limits than above: decoding the
    // last frame composites every frame (up to 64 x max_decoded_bytes).
    let frame_limits = DecodeLimits { max_width: 1024, max_height: 1024, max_decoded_bytes: 4 << 20 };
    if let Ok(info) = animation_info(data, &frame_limits) {
        assert!((1..=MAX_ANIMATION_FRAMES).contains(&info.frame_count));
        assert_eq!(info.delays_ms.len(), info.frame_count as usize);
        for index in [0, info.frame_count - 1] {
            if let Ok(frame) = Image::decode_frame(data, index, &frame_limits) {
                check(&frame, &frame_limits);
                if info.frame_count > 1 {
                    assert_eq!((frame.width(), frame.height()), (info.width, info.height));
                }
            }
        }
        assert!(Image::decode_frame(data, info.frame_count, &frame_limits).is_err());
    }
});

fn check(image: &Image, limits: &DecodeLimits) {
    assert_eq!(image.pixels().len(), image.width() as usize * image.height() as usize * 4);
    assert!(image.width() <= limits.max_width && image.height() <= limits.max_height);
}
