//! Arbitrary bytes through the decoder: every outcome must be an image or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pixbridge_core::{DecodeLimits, DecodeOptions, Image};

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
});

fn check(image: &Image, limits: &DecodeLimits) {
    assert_eq!(image.pixels().len(), image.width() as usize * image.height() as usize * 4);
    assert!(image.width() <= limits.max_width && image.height() <= limits.max_height);
}
