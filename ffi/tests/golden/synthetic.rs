//! The synthetic test images: pixel formulas, the files made from them, and the RGBA8 pixels
//! a correct decoder must produce for each file.
//!
//! Shared by `make_testdata.rs` (writes the files into `testdata/`) and `golden.rs` (regenerates
//! the pixels in memory to check decoding independently of the code under test).
//!
//! Most files are written with the `image` crate's encoders. The palette and interlaced PNGs
//! are written by the small PNG writer at the end of this file, so that those decoder paths are
//! checked against bytes that the `image` crate did not produce.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer, ImageFormat, Luma, LumaA, Rgb, Rgba};

/// One synthetic test file.
pub struct SyntheticImage {
    /// File name under `testdata/`.
    pub file: &'static str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels the file was made from, as RGBA8 (what a decoder must return exactly when
    /// `lossless` is true; for a JPEG, the source of the lossy encoding).
    pub rgba: Vec<u8>,
    /// Whether decoding the file must reproduce `rgba` exactly.
    pub lossless: bool,
    /// The encoded file contents.
    pub bytes: Vec<u8>,
}

/// A deterministic byte "noise" value for a position and channel, so that any pixel moved to
/// the wrong place is detected by exact comparisons.
pub fn noise(x: u32, y: u32, channel: u32) -> u8 {
    let mut h = x
        .wrapping_mul(0x9E37_79B1)
        .wrapping_add(y.wrapping_mul(0x85EB_CA77))
        .wrapping_add(channel.wrapping_mul(0xC2B2_AE3D));
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    (h >> 8) as u8
}

/// `value * 255 / (extent - 1)`, or 0 for an extent of 1: a ramp from 0 to 255 across a side.
fn ramp(value: u32, extent: u32) -> u8 {
    if extent <= 1 { 0 } else { (value * 255 / (extent - 1)) as u8 }
}

/// Smooth RGB gradient: red rises left to right, green top to bottom, blue falls diagonally.
pub fn gradient_rgb_pixel(x: u32, y: u32, width: u32, height: u32) -> [u8; 3] {
    let r = ramp(x, width);
    let g = ramp(y, height);
    let b = 255 - ((u32::from(r) + u32::from(g)) / 2) as u8;
    [r, g, b]
}

/// Smooth RGBA gradient: the RGB gradient with alpha rising from 0 (top left) to 255.
pub fn gradient_rgba_pixel(x: u32, y: u32, width: u32, height: u32) -> [u8; 4] {
    let [r, g, b] = gradient_rgb_pixel(x, y, width, height);
    let span = 3 * width.saturating_sub(1) + 5 * height.saturating_sub(1);
    // A 1x1 image has no span: fully opaque.
    let a = ((3 * x + 5 * y) * 255).checked_div(span).map_or(255, |v| v as u8);
    [r, g, b, a]
}

/// RGBA pixels of a whole image from a per-pixel function.
pub fn rgba_from_fn(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            out.extend_from_slice(&pixel(x, y));
        }
    }
    out
}

/// Encodes a `DynamicImage` with the `image` crate in the given format.
fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut cursor = Cursor::new(Vec::new());
    image.write_to(&mut cursor, format).expect("encoding a synthetic image");
    cursor.into_inner()
}

/// `round(value / 257)`: the exact 16-to-8-bit conversion (257 is odd, so there are no ties).
pub fn u16_to_u8(value: u16) -> u8 {
    ((u32::from(value) * 2 + 257) / 514) as u8
}

/// Builds a synthetic image from RGB pixels, encoded in `format`.
fn rgb_file(
    file: &'static str,
    (width, height): (u32, u32),
    format: ImageFormat,
    pixel: impl Fn(u32, u32) -> [u8; 3],
) -> SyntheticImage {
    let buffer = ImageBuffer::from_fn(width, height, |x, y| Rgb(pixel(x, y)));
    let rgba = rgba_from_fn(width, height, |x, y| {
        let [r, g, b] = pixel(x, y);
        [r, g, b, 255]
    });
    SyntheticImage {
        file,
        width,
        height,
        rgba,
        lossless: true,
        bytes: encode(&DynamicImage::ImageRgb8(buffer), format),
    }
}

/// Builds a synthetic image from RGBA pixels, encoded in `format`.
fn rgba_file(
    file: &'static str,
    (width, height): (u32, u32),
    format: ImageFormat,
    pixel: impl Fn(u32, u32) -> [u8; 4],
) -> SyntheticImage {
    let buffer = ImageBuffer::from_fn(width, height, |x, y| Rgba(pixel(x, y)));
    SyntheticImage {
        file,
        width,
        height,
        rgba: rgba_from_fn(width, height, pixel),
        lossless: true,
        bytes: encode(&DynamicImage::ImageRgba8(buffer), format),
    }
}

/// Pixel of `transparent-40x30.png`: an opaque disc, a half-transparent band, and a fully
/// transparent background whose colour channels hold noise (a premultiplied-alpha blur must
/// not let that hidden colour bleed into the visible pixels).
pub fn transparent_pixel(x: u32, y: u32) -> [u8; 4] {
    let (dx, dy) = (x as i32 - 20, y as i32 - 15);
    if dx * dx + dy * dy <= 81 {
        [230, 40, 30, 255]
    } else if (3..7).contains(&y) {
        [20, 60, 220, 128]
    } else {
        [noise(x, y, 0), noise(x, y, 1), noise(x, y, 2), 0]
    }
}

/// Colour levels of the GIF gradient: few enough colours (8 x 6) for an exact palette.
pub fn gif_pixel(x: u32, y: u32) -> [u8; 3] {
    [((x / 5) * 36) as u8, ((y / 5) * 51) as u8, 128]
}

/// The 16-entry palette of `palette-23x16.png` (RGB) and its alpha (tRNS) values.
pub fn palette_entry(index: u8) -> [u8; 4] {
    let i = u32::from(index);
    let alpha = match index {
        0 => 0,
        1 => 128,
        _ => 255,
    };
    [(i * 17) as u8, (255 - i * 13) as u8, ((i * 71) % 256) as u8, alpha]
}

/// Palette index of a pixel of `palette-23x16.png`.
pub fn palette_index(x: u32, y: u32) -> u8 {
    ((x / 3 + (y / 2) * 5) % 16) as u8
}

/// Every synthetic test file, in a fixed order.
pub fn all() -> Vec<SyntheticImage> {
    let mut images = vec![
        rgb_file("gradient-64x48.png", (64, 48), ImageFormat::Png, |x, y| gradient_rgb_pixel(x, y, 64, 48)),
        rgba_file("gradient-rgba-64x48.png", (64, 48), ImageFormat::Png, |x, y| gradient_rgba_pixel(x, y, 64, 48)),
        rgba_file("pixel-1x1.png", (1, 1), ImageFormat::Png, |_, _| [200, 100, 50, 128]),
        rgba_file("noise-13x7.png", (13, 7), ImageFormat::Png, |x, y| {
            [noise(x, y, 0), noise(x, y, 1), noise(x, y, 2), noise(x, y, 3)]
        }),
        rgb_file("column-1x17.png", (1, 17), ImageFormat::Png, |x, y| gradient_rgb_pixel(x, y, 1, 17)),
        rgb_file("row-17x1.png", (17, 1), ImageFormat::Png, |x, y| [noise(x, y, 0), noise(x, y, 1), noise(x, y, 2)]),
        rgba_file("transparent-40x30.png", (40, 30), ImageFormat::Png, transparent_pixel),
        rgb_file("gradient-40x30.bmp", (40, 30), ImageFormat::Bmp, |x, y| gradient_rgb_pixel(x, y, 40, 30)),
        rgba_file("gradient-40x30.tiff", (40, 30), ImageFormat::Tiff, |x, y| gradient_rgba_pixel(x, y, 40, 30)),
        rgba_file("gradient-40x30.webp", (40, 30), ImageFormat::WebP, |x, y| gradient_rgba_pixel(x, y, 40, 30)),
        rgba_file("gradient-40x30.qoi", (40, 30), ImageFormat::Qoi, |x, y| gradient_rgba_pixel(x, y, 40, 30)),
        rgb_file("gradient-40x30.tga", (40, 30), ImageFormat::Tga, |x, y| gradient_rgb_pixel(x, y, 40, 30)),
        rgb_file("levels-40x30.gif", (40, 30), ImageFormat::Gif, gif_pixel),
    ];
    images.extend([grey_l8(), grey_la8(), rgb16(), grey16(), palette_png(), interlaced_png(), jpeg()]);
    images
}

/// `gray-32x24.png`: 8-bit greyscale ramp.
fn grey_l8() -> SyntheticImage {
    let level = |x: u32, y: u32| (x * 6 + y * 3) as u8;
    let buffer = ImageBuffer::from_fn(32, 24, |x, y| Luma([level(x, y)]));
    SyntheticImage {
        file: "gray-32x24.png",
        width: 32,
        height: 24,
        rgba: rgba_from_fn(32, 24, |x, y| {
            let l = level(x, y);
            [l, l, l, 255]
        }),
        lossless: true,
        bytes: encode(&DynamicImage::ImageLuma8(buffer), ImageFormat::Png),
    }
}

/// `gray-alpha-32x24.png`: 8-bit greyscale with alpha.
fn grey_la8() -> SyntheticImage {
    let pixel = |x: u32, y: u32| [(255 - x * 7) as u8, (y * 11) as u8];
    let buffer = ImageBuffer::from_fn(32, 24, |x, y| LumaA(pixel(x, y)));
    SyntheticImage {
        file: "gray-alpha-32x24.png",
        width: 32,
        height: 24,
        rgba: rgba_from_fn(32, 24, |x, y| {
            let [l, a] = pixel(x, y);
            [l, l, l, a]
        }),
        lossless: true,
        bytes: encode(&DynamicImage::ImageLumaA8(buffer), ImageFormat::Png),
    }
}

/// `rgb16-32x24.png`: 16-bit RGB whose values use the full 16-bit range, so that the 8-bit
/// conversion's rounding is checked.
fn rgb16() -> SyntheticImage {
    let pixel =
        |x: u32, y: u32| [(x * 2047 + y * 13) as u16, (65535 - y * 2800) as u16, ((x * y * 977) % 65536) as u16];
    let buffer = ImageBuffer::from_fn(32, 24, |x, y| Rgb(pixel(x, y)));
    SyntheticImage {
        file: "rgb16-32x24.png",
        width: 32,
        height: 24,
        rgba: rgba_from_fn(32, 24, |x, y| {
            let [r, g, b] = pixel(x, y);
            [u16_to_u8(r), u16_to_u8(g), u16_to_u8(b), 255]
        }),
        lossless: true,
        bytes: encode(&DynamicImage::ImageRgb16(buffer), ImageFormat::Png),
    }
}

/// `gray16-32x24.png`: 16-bit greyscale.
fn grey16() -> SyntheticImage {
    let level = |x: u32, y: u32| (x * 1999 + y * 151) as u16;
    let buffer = ImageBuffer::from_fn(32, 24, |x, y| Luma([level(x, y)]));
    SyntheticImage {
        file: "gray16-32x24.png",
        width: 32,
        height: 24,
        rgba: rgba_from_fn(32, 24, |x, y| {
            let l = u16_to_u8(level(x, y));
            [l, l, l, 255]
        }),
        lossless: true,
        bytes: encode(&DynamicImage::ImageLuma16(buffer), ImageFormat::Png),
    }
}

/// `palette-23x16.png`: 4-bit palette PNG with transparency (tRNS); the odd width leaves
/// padding bits at the end of every row.
fn palette_png() -> SyntheticImage {
    let (width, height) = (23u32, 16u32);
    let stride = width.div_ceil(2) as usize;
    let mut rows = Vec::new();
    for y in 0..height {
        let mut row = vec![0u8; stride];
        for x in 0..width {
            let index = palette_index(x, y);
            let shift = if x % 2 == 0 { 4 } else { 0 };
            row[(x / 2) as usize] |= index << shift;
        }
        rows.push(row);
    }
    let palette: Vec<[u8; 4]> = (0..16).map(palette_entry).collect();
    let plte: Vec<u8> = palette.iter().flat_map(|e| [e[0], e[1], e[2]]).collect();
    let trns: Vec<u8> = palette.iter().map(|e| e[3]).collect();
    let bytes = png_file(
        PngHeader { width, height, bit_depth: 4, colour_type: 3, interlaced: false },
        &[(*b"PLTE", plte), (*b"tRNS", trns)],
        &filtered_rows(&rows),
    );
    SyntheticImage {
        file: "palette-23x16.png",
        width,
        height,
        rgba: rgba_from_fn(width, height, |x, y| palette_entry(palette_index(x, y))),
        lossless: true,
        bytes,
    }
}

/// `interlaced-33x21.png`: Adam7-interlaced 8-bit RGBA; the odd size leaves partial passes.
fn interlaced_png() -> SyntheticImage {
    let (width, height) = (33u32, 21u32);
    let pixel = |x: u32, y: u32| {
        let [r, g, b, _] = gradient_rgba_pixel(x, y, width, height);
        [r, g, b, 255 - noise(x, y, 3) / 2]
    };
    // Adam7 passes: (x start, y start, x step, y step).
    const PASSES: [(u32, u32, u32, u32); 7] =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
    let mut data = Vec::new();
    for (x0, y0, dx, dy) in PASSES {
        if x0 >= width || y0 >= height {
            continue; // an empty pass has no rows at all
        }
        let rows: Vec<Vec<u8>> = (y0..height)
            .step_by(dy as usize)
            .map(|y| (x0..width).step_by(dx as usize).flat_map(|x| pixel(x, y)).collect())
            .collect();
        data.extend(filtered_rows(&rows));
    }
    let bytes = png_file(PngHeader { width, height, bit_depth: 8, colour_type: 6, interlaced: true }, &[], &data);
    SyntheticImage {
        file: "interlaced-33x21.png",
        width,
        height,
        rgba: rgba_from_fn(width, height, pixel),
        lossless: true,
        bytes,
    }
}

/// `gradient-64x48.jpg`: the RGB gradient as a quality-90 JPEG (lossy).
fn jpeg() -> SyntheticImage {
    let (width, height) = (64, 48);
    let buffer = ImageBuffer::from_fn(width, height, |x, y| Rgb(gradient_rgb_pixel(x, y, width, height)));
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&buffer)
        .expect("encoding the synthetic JPEG");
    SyntheticImage {
        file: "gradient-64x48.jpg",
        width,
        height,
        rgba: rgba_from_fn(width, height, |x, y| {
            let [r, g, b] = gradient_rgb_pixel(x, y, width, height);
            [r, g, b, 255]
        }),
        lossless: false,
        bytes,
    }
}

/// The fields of a PNG IHDR chunk that vary between our files.
struct PngHeader {
    width: u32,
    height: u32,
    bit_depth: u8,
    colour_type: u8,
    interlaced: bool,
}

/// Prefixes every row with filter type 0 (None).
fn filtered_rows(rows: &[Vec<u8>]) -> Vec<u8> {
    rows.iter().flat_map(|row| std::iter::once(0u8).chain(row.iter().copied())).collect()
}

/// A complete PNG file: signature, IHDR, the extra chunks, IDAT (zlib with stored blocks), IEND.
fn png_file(header: PngHeader, extra_chunks: &[([u8; 4], Vec<u8>)], image_data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&header.width.to_be_bytes());
    ihdr.extend_from_slice(&header.height.to_be_bytes());
    ihdr.extend_from_slice(&[header.bit_depth, header.colour_type, 0, 0, u8::from(header.interlaced)]);
    png_chunk(&mut out, *b"IHDR", &ihdr);
    for (kind, data) in extra_chunks {
        png_chunk(&mut out, *kind, data);
    }
    png_chunk(&mut out, *b"IDAT", &zlib_stored(image_data));
    png_chunk(&mut out, *b"IEND", &[]);
    out
}

/// Appends one PNG chunk (length, type, data, CRC-32 of type and data).
fn png_chunk(out: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: slow but obviously right for a few KiB.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zlib stream of uncompressed ("stored") deflate blocks, with its Adler-32 checksum.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        let len = block.len() as u16;
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// A test file that must fail to open, and the error code name it must fail with.
pub struct BrokenFile {
    /// File name under `testdata/`.
    pub file: &'static str,
    /// The file contents.
    pub bytes: Vec<u8>,
    /// Expected error code name.
    pub error: &'static str,
}

/// The files that must fail to open: a PNG cut off inside its image data (`Decode`), and text
/// with a `.png` name (`UnsupportedFormat`: no image format recognises the content).
pub fn broken() -> Vec<BrokenFile> {
    let gradient =
        all().into_iter().find(|image| image.file == "gradient-64x48.png").expect("the gradient PNG is synthetic");
    vec![
        BrokenFile {
            file: "truncated-64x48.png",
            bytes: gradient.bytes[..gradient.bytes.len() / 2].to_vec(),
            error: "Decode",
        },
        BrokenFile {
            file: "not-an-image.png",
            bytes: b"This is a text file, not an image.\n".to_vec(),
            error: "UnsupportedFormat",
        },
    ]
}
