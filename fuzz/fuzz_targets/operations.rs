//! Arbitrary chains of operations with arbitrary parameters on small images.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pixbridge_core::{ImageFormat, Image, ResizeFilter};

#[derive(Arbitrary, Debug)]
enum Operation {
    Blur(f32),
    Unsharpen(f32, f32, u32),
    Resize(u16, u16, u8),
    Crop(u32, u32, u32, u32),
    Rotate90,
    Rotate180,
    Rotate270,
    Mirror,
    FlipVertical,
    Grayscale,
    Brightness(i32),
    Contrast(f32),
    RoundTrip(u8, u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    width: u8,
    height: u8,
    seed: Vec<u8>,
    operations: Vec<Operation>,
}

fuzz_target!(|input: Input| {
    let (width, height) = (u32::from(input.width % 64) + 1, u32::from(input.height % 64) + 1);
    let mut pixels = vec![0u8; (width * height * 4) as usize];
    for (i, byte) in pixels.iter_mut().enumerate() {
        *byte = input.seed.get(i % input.seed.len().max(1)).copied().unwrap_or(0).wrapping_add(i as u8);
    }
    let mut image = Image::from_rgba8(width, height, pixels).expect("valid raw pixels");
    for operation in input.operations.into_iter().take(8) {
        let result = match operation {
            // Large sigmas are legal but slow; the accuracy/speed of big sigmas is not what this target hunts.
            Operation::Blur(sigma) => image.blur(sigma.clamp(-1.0, 50.0)).map(Some),
            Operation::Unsharpen(sigma, amount, threshold) => {
                image.unsharpen(sigma.clamp(-1.0, 50.0), amount, threshold).map(Some)
            }
            Operation::Resize(w, h, filter) => {
                let filter = ResizeFilter::ALL[filter as usize % ResizeFilter::ALL.len()];
                image.resize(u32::from(w % 256), u32::from(h % 256), filter).map(Some)
            }
            Operation::Crop(x, y, w, h) => image.crop(x, y, w, h).map(Some),
            Operation::Rotate90 => image.rotate90().map(Some),
            Operation::Rotate270 => image.rotate270().map(Some),
            Operation::Rotate180 => image.rotate180().map(|()| None),
            Operation::Mirror => image.mirror().map(|()| None),
            Operation::FlipVertical => image.flip_vertical().map(|()| None),
            Operation::Grayscale => image.grayscale().map(|()| None),
            Operation::Brightness(delta) => image.adjust_brightness(delta).map(|()| None),
            Operation::Contrast(contrast) => image.adjust_contrast(contrast).map(|()| None),
            Operation::RoundTrip(format, quality) => {
                let format = ImageFormat::ALL[format as usize % ImageFormat::ALL.len()];
                let quality = (quality != 0).then_some(quality);
                match image.encode(format, quality) {
                    Ok(bytes) => Image::decode(&bytes).map(Some),
                    Err(error) => Err(error),
                }
            }
        };
        match result {
            Ok(Some(next)) => image = next,
            Ok(None) | Err(_) => {}
        }
        assert_eq!(image.pixels().len(), image.width() as usize * image.height() as usize * 4);
    }
});
