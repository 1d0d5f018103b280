//! The bad-input corpus: writes `testdata/bad/*` and `testdata/bad/manifest.json`.
//!
//! Every expected outcome here is derived from the file's construction and the documented
//! rules (`docs/design.md`: default limits 32768 x 32768 and 512 MiB, parameter ranges), not
//! from running Pixbridge.

use std::path::Path;
use std::process::Command;

use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{Value, json};

use super::bytes::*;

/// Deterministic bytes (xorshift64*) so that regenerating gives the same files.
fn pseudo_random(seed: u64, count: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..count)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

fn encode_png(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image, image.width(), image.height(), image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn encode_jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(image, image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn encode_gif(frames: usize, width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        for i in 0..frames {
            let frame = RgbaImage::from_pixel(width, height, Rgba([(i % 251) as u8, (i / 251) as u8, 7, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    out
}

fn encode_bmp(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::bmp::BmpEncoder::new(&mut out)
        .write_image(image, image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A `width` x `height` RGBA f32 OpenEXR file (the `image` crate's encoder: uncompressed scan lines).
fn encode_exr(width: u32, height: u32) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| [(i % width) as f32 / width as f32, (i / width) as f32 / height as f32, 0.5, 1.0])
        .flat_map(f32::to_le_bytes)
        .collect();
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::openexr::OpenExrEncoder::new(&mut out)
        .write_image(&pixels, width, height, image::ExtendedColorType::Rgba32F)
        .unwrap();
    out.into_inner()
}

/// A DDS file (`DDS ` and the 124-byte `DDS_HEADER`) of a DXT1-compressed `width` x `height`
/// texture without mipmaps, followed by `blocks` (8 bytes per 4 x 4 block when complete).
fn dds_dxt1(width: u32, height: u32, blocks: &[u8]) -> Vec<u8> {
    let mut header = Vec::with_capacity(128);
    let mut put = |value: u32| header.extend_from_slice(&value.to_le_bytes());
    // dwSize, dwFlags (CAPS | HEIGHT | WIDTH | PIXELFORMAT | LINEARSIZE), dwHeight, dwWidth,
    // dwPitchOrLinearSize, dwDepth, dwMipMapCount, dwReserved1[11].
    let linear_size = (u64::from(width.div_ceil(4)) * u64::from(height.div_ceil(4)) * 8).min(u64::from(u32::MAX));
    for value in [124, 0x0008_1007, height, width, linear_size as u32, 0, 0] {
        put(value);
    }
    (0..11).for_each(|_| put(0));
    // DDS_PIXELFORMAT: dwSize, dwFlags (FOURCC), dwFourCC "DXT1", bit count and four masks.
    for value in [32, 0x4, u32::from_le_bytes(*b"DXT1"), 0, 0, 0, 0, 0] {
        put(value);
    }
    // dwCaps (TEXTURE), dwCaps2..4, dwReserved2.
    for value in [0x1000, 0, 0, 0, 0] {
        put(value);
    }
    let mut file = b"DDS ".to_vec();
    file.extend_from_slice(&header);
    assert_eq!(file.len(), 128);
    file.extend_from_slice(blocks);
    file
}

/// Runs ImageMagick's `convert`; the exotic JPEG/GIF variants need it (Debian `imagemagick`).
fn convert(dir: &Path, input: &str, args: &[&str], output: &str) {
    let status = Command::new("convert")
        .current_dir(dir)
        .arg(input)
        .args(args)
        .arg(output)
        .status()
        .expect("ImageMagick `convert` is needed to regenerate the corpus (apt-get install imagemagick)");
    assert!(status.success(), "convert {input} {args:?} {output}");
}

/// Collects the files and cases, then writes them.
struct Corpus {
    cases: Vec<Value>,
    dir: std::path::PathBuf,
}

impl Corpus {
    fn file(&mut self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.dir.join(name), bytes).unwrap();
        format!("bad/{name}")
    }

    fn case(&mut self, name: &str, why: &str, mut case: Value, expect: Value) {
        // Every case goes to the native checks in every SDK, so C, C# and Java report the same
        // code and message (issue 15); only `crop-overflowing` (marked where it is made) holds a
        // value C# and Java cannot pass at all.
        case["name"] = json!(name);
        case["why"] = json!(why);
        case["expect"] = expect;
        self.cases.push(case);
    }

    /// Decodes the file's bytes; expects an error code name.
    fn decode(&mut self, name: &str, file: &str, bytes: &[u8], error: &str, why: &str) {
        let input = self.file(file, bytes);
        self.case(name, why, json!({ "call": "decode", "input": input }), json!({ "error": error }));
    }

    /// Like [`Corpus::decode_ok`] for a file that tests the decoder's time and memory bounds;
    /// the suites print its peak memory and time.
    fn bounded_ok(&mut self, name: &str, file: &str, bytes: &[u8], size: (u32, u32), why: &str) {
        self.decode_ok(name, file, bytes, size, why);
        self.cases.last_mut().unwrap()["bounded"] = json!(true);
    }

    /// Like [`Corpus::decode`] for a file that tests the decoder's time and memory bounds.
    fn bounded_error(&mut self, name: &str, file: &str, bytes: &[u8], error: &str, why: &str) {
        self.decode(name, file, bytes, error, why);
        self.cases.last_mut().unwrap()["bounded"] = json!(true);
    }

    /// Decodes the file's bytes; expects success with this size.
    fn decode_ok(&mut self, name: &str, file: &str, bytes: &[u8], size: (u32, u32), why: &str) {
        let input = self.file(file, bytes);
        self.case(name, why, json!({ "call": "decode", "input": input }), json!({ "width": size.0, "height": size.1 }));
    }
}

fn err(code: &str) -> Value {
    json!({ "error": code })
}

/// Writes the corpus into `testdata/bad/`.
pub fn write_corpus(testdata: &Path) {
    let dir = testdata.join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = Corpus { cases: Vec::new(), dir: dir.clone() };
    let unsupported = "UnsupportedFormat";

    // --- bytes: nothing recognisable ---
    c.decode("empty", "empty.bin", b"", unsupported, "no bytes at all");
    for n in 1..=7 {
        // Random bytes that happen to start with a known signature would not be "unrecognised".
        let bytes = pseudo_random(n as u64 * 7919, n);
        c.decode(
            &format!("random-{n}-bytes"),
            &format!("random-{n}.bin"),
            &bytes,
            unsupported,
            "too short for any signature",
        );
    }
    c.decode("text", "text.png", b"This is a text file with a .png name.\n", unsupported, "wrong magic: text");
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    zip.extend(pseudo_random(11, 120));
    c.decode("zip", "archive.zip", &zip, unsupported, "wrong magic: ZIP local file header");
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    c.decode("pdf", "document.pdf", pdf, unsupported, "wrong magic: PDF");

    // --- AVIF: written by `image`'s encoder (rav1e), which this build cannot decode (issue 16) ---
    let mut avif = Vec::new();
    image::codecs::avif::AvifEncoder::new_with_speed_quality(&mut avif, 10, 60)
        .write_image(&[200u8; 8 * 8 * 3], 8, 8, image::ExtendedColorType::Rgb8)
        .unwrap();
    c.decode("avif", "still-8x8.avif", &avif, unsupported, "AVIF: no AV1 decoder in this build");
    // The same file with `mif1` as its major brand and `avif` among the compatible ones.
    assert_eq!((&avif[8..12], &avif[16..24]), (&b"avif"[..], &b"mif1miaf"[..]), "ravif's ftyp box changed");
    avif[8..12].copy_from_slice(b"mif1");
    avif[20..24].copy_from_slice(b"avif");
    c.decode("avif-mif1", "still-8x8-mif1.avif", &avif, unsupported, "AVIF with brand mif1: no AV1 decoder");

    // --- valid signature followed by garbage ---
    let garbage = pseudo_random(99, 512);
    for (name, signature) in [
        ("png", &b"\x89PNG\r\n\x1a\n"[..]),
        ("jpeg", &b"\xff\xd8\xff\xe0"[..]),
        // GIF and BMP: a plausible size field first, or the random bytes would be read as a
        // huge logical screen (LimitExceeded) or an unknown BMP header size (UnsupportedFormat).
        ("gif", &b"GIF89a\x10\x00\x10\x00\x00\x00\x00"[..]),
        (
            "bmp",
            &b"BM\x00\x02\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00\x10\x00\x00\x00\x10\x00\x00\x00"[..],
        ),
        ("tiff", &b"II*\0"[..]),
        ("webp", &b"RIFF\x00\x02\x00\x00WEBPVP8 "[..]),
        ("qoi", &b"qoif"[..]),
    ] {
        let mut bytes = signature.to_vec();
        bytes.extend_from_slice(&garbage);
        c.decode(
            &format!("{name}-signature-then-garbage"),
            &format!("garbage.{name}"),
            &bytes,
            "Decode",
            "a valid signature followed by random bytes",
        );
    }
    let gradient_png = std::fs::read(testdata.join("gradient-64x48.png")).unwrap();
    let mut png_as_jpeg = b"\xff\xd8\xff".to_vec();
    png_as_jpeg.extend_from_slice(&gradient_png);
    c.decode("png-forced-as-jpeg", "png-as-jpeg.jpg", &png_as_jpeg, "Decode", "a JPEG signature prepended to PNG data");

    // --- zero sizes and 1x1 ---
    let one_row = zlib_stored(&[0, 0]);
    c.decode(
        "png-zero-width",
        "zero-width.png",
        &png(&ihdr(0, 16, 8, 0), &[], &one_row),
        "Decode",
        "IHDR width 0 (PNG forbids it)",
    );
    c.decode(
        "png-zero-height",
        "zero-height.png",
        &png(&ihdr(16, 0, 8, 0), &[], &one_row),
        "Decode",
        "IHDR height 0 (PNG forbids it)",
    );
    let gif_1x1 = encode_gif(1, 1, 1);
    let mut gif_zero = gif_1x1.clone();
    gif_zero[6..10].copy_from_slice(&[0, 0, 0, 0]); // logical screen 0 x 0
    // The frame still says 1x1 at (0,0): a zero-size canvas cannot hold it.
    c.decode("gif-zero-screen", "zero-screen.gif", &gif_zero, "Decode", "GIF logical screen 0 x 0");
    let pixel = RgbaImage::from_pixel(1, 1, Rgba([10, 20, 30, 128]));
    c.decode_ok("png-1x1", "one.png", &encode_png(&pixel), (1, 1), "smallest valid PNG");
    c.decode_ok("gif-1x1", "one.gif", &gif_1x1, (1, 1), "smallest valid GIF");
    c.decode_ok(
        "jpeg-1x1",
        "one.jpg",
        &encode_jpeg(&RgbImage::from_pixel(1, 1, Rgb([200, 100, 50]))),
        (1, 1),
        "smallest valid JPEG",
    );
    c.decode_ok(
        "bmp-1x1",
        "one.bmp",
        &encode_bmp(&RgbImage::from_pixel(1, 1, Rgb([1, 2, 3]))),
        (1, 1),
        "smallest valid BMP",
    );

    // --- decompression bombs and huge headers: LimitExceeded before allocating ---
    let limit = "LimitExceeded";
    // 1,000,001 x 1 grey 1-bit: one row of 125,001 bytes + the filter byte, all zero.
    c.decode(
        "png-1000001x1",
        "wide-1000001x1.png",
        &png(&ihdr(1_000_001, 1, 1, 0), &[], &zlib_zeros(125_002)),
        limit,
        "width over max_width 32768",
    );
    // 20000 x 20000 grey 1-bit: 50 MB of zero scanlines in ~50 KB, 1.6 GB as RGBA8.
    let rows = 20_000u64 * (2_500 + 1);
    c.decode(
        "png-bomb-20000x20000",
        "bomb-20000x20000.png",
        &png(&ihdr(20_000, 20_000, 1, 0), &[], &zlib_zeros(rows)),
        limit,
        "1.6 GB of RGBA8 > 512 MiB",
    );
    // 32768 x 32768 RGBA: 2^32 bytes as RGBA8 (overflows u32), within max_width/max_height.
    // The IDAT is a token: the header alone must be refused.
    c.decode(
        "png-32768x32768-u32-overflow",
        "overflow-32768x32768.png",
        &png(&ihdr(32_768, 32_768, 8, 6), &[], &zlib_zeros(1)),
        limit,
        "w*h*4 = 2^32 overflows 32 bits; > 512 MiB",
    );
    c.decode(
        "png-30000x30000-rgba16",
        "rgba16-30000x30000.png",
        &png(&ihdr(30_000, 30_000, 16, 6), &[], &zlib_zeros(1)),
        limit,
        "w*h*8 = 7.2 GB > 512 MiB",
    );
    let small_jpeg = encode_jpeg(&RgbImage::from_fn(8, 4, |x, y| Rgb([(x * 30) as u8, (y * 60) as u8, 90])));
    c.decode(
        "jpeg-65500x65500",
        "huge-65500x65500.jpg",
        &jpeg_with_size(&small_jpeg, 65_500, 65_500),
        limit,
        "SOF declares 65500 x 65500",
    );
    c.decode("pnm-absurd", "absurd.ppm", b"P6\n100000 100000\n255\n\x00\x00\x00", limit, "PNM 100000 x 100000");
    c.decode(
        "pnm-4000000000",
        "absurd-4e9.ppm",
        b"P6\n4000000000 4000000000\n255\n\x00\x00\x00",
        limit,
        "PNM 4e9 x 4e9: the size overflows before any header check of ours",
    );
    c.decode(
        "pnm-30000x30000",
        "big-30000x30000.pgm",
        b"P5\n30000 30000\n255\n\x00\x00\x00",
        limit,
        "PNM 30000 x 30000 (3.6 GB as RGBA8)",
    );
    let mut gif_huge = gif_1x1.clone();
    gif_huge[6..10].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    c.decode("gif-huge-screen", "huge-screen.gif", &gif_huge, limit, "GIF logical screen 65535 x 65535");
    let hdr = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 100000 +X 100000\n\x02\x02\x00\x00";
    c.decode("hdr-huge", "huge.hdr", hdr, limit, "Radiance HDR 100000 x 100000");
    let hdr_budget = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 20000 +X 20000\n\x02\x02\x00\x00";
    c.decode(
        "hdr-20000x20000",
        "big-20000x20000.hdr",
        hdr_budget,
        limit,
        "Radiance HDR 20000 x 20000 as 32-bit float: 4.8 GB",
    );

    // --- OpenEXR and DDS (through the `image` crate's decoders) ---
    let exr = encode_exr(16, 16);
    c.decode_ok("exr-16x16", "small.exr", &exr, (16, 16), "a valid 16 x 16 RGBA f32 OpenEXR file (the control)");
    c.decode(
        "exr-truncated",
        "truncated.exr",
        &exr[..exr.len() / 2],
        "Decode",
        "the valid 16 x 16 OpenEXR file cut in half, inside its pixel data",
    );
    // No `exr-huge`: the OpenEXR reader reads the whole offset table and checks it against the
    // tiles before it reports the size, so a small file cannot claim a huge window consistently;
    // an inconsistent one fails as `Decode` without allocating (tried: +68 KiB peak).
    let mut exr_garbage = exr[..8].to_vec();
    exr_garbage.extend_from_slice(&garbage);
    c.decode(
        "exr-signature-then-garbage",
        "garbage.exr",
        &exr_garbage,
        "Decode",
        "the OpenEXR magic and version, then random bytes",
    );
    let dds = dds_dxt1(64, 64, &pseudo_random(61, 64 * 64 / 2));
    c.decode_ok("dds-64x64", "small.dds", &dds, (64, 64), "a valid 64 x 64 DXT1 DDS file (the control)");
    c.decode(
        "dds-truncated",
        "truncated.dds",
        &dds[..128 + 1000],
        "Decode",
        "the valid 64 x 64 DXT1 file cut after 1000 of its 2048 bytes of blocks",
    );
    c.decode("dds-huge", "huge.dds", &dds_dxt1(100_000, 100_000, &[0; 8]), limit, "DDS (DXT1) 100000 x 100000");
    let mut dds_garbage = b"DDS ".to_vec();
    dds_garbage.extend_from_slice(&garbage);
    c.decode("dds-signature-then-garbage", "garbage.dds", &dds_garbage, "Decode", "the DDS magic, then random bytes");

    // --- many frames, many chunks ---
    c.bounded_ok(
        "gif-1000-frames",
        "frames-1000.gif",
        &encode_gif(1000, 16, 16),
        (16, 16),
        "only the first frame is decoded",
    );
    let text_chunks: Vec<(&[u8; 4], Vec<u8>)> = (0..3000).map(|i| (b"tEXt", format!("k\0{i}").into_bytes())).collect();
    let grey_row = zlib_stored(&[0, 0x80, 0x80, 0x80, 0x80]);
    c.decode_ok(
        "png-3000-text-chunks",
        "text-chunks-3000.png",
        &png(&ihdr(4, 1, 8, 0), &text_chunks, &grey_row),
        (4, 1),
        "3000 tEXt chunks before IDAT",
    );

    let rgb_rows: Vec<u8> = (0..16).flat_map(|_| std::iter::once(0).chain([10, 20, 30].repeat(16))).collect();
    let rgb_idat = zlib_stored(&rgb_rows);
    c.bounded_ok(
        "apng-1000-frames",
        "frames-1000.apng.png",
        &apng(16, 16, 1000, &rgb_idat),
        (16, 16),
        "animated PNG: only the default image is decoded",
    );
    let frames = dir.join("webp-frames");
    std::fs::create_dir_all(&frames).unwrap();
    let mut frame_files = Vec::new();
    for i in 0..500u32 {
        let frame = RgbImage::from_pixel(16, 16, Rgb([(i % 251) as u8, (i * 7 % 251) as u8, 9]));
        let file = frames.join(format!("{i:03}.png"));
        frame.save(&file).unwrap();
        frame_files.push(file);
    }
    let status = Command::new("img2webp")
        .args(["-loop", "0", "-lossless", "-d", "40"])
        .args(&frame_files)
        .arg("-o")
        .arg(dir.join("frames-500.webp"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("img2webp is needed to regenerate the corpus (apt-get install webp)");
    assert!(status.success(), "img2webp");
    std::fs::remove_dir_all(&frames).unwrap();
    let webp = std::fs::read(dir.join("frames-500.webp")).unwrap();
    assert!(webp.windows(4).filter(|w| w == b"ANMF").count() == 500, "img2webp wrote 500 frames");
    c.bounded_ok(
        "webp-500-frames",
        "frames-500.webp",
        &webp,
        (16, 16),
        "animated WebP: only the first frame is decoded",
    );
    let grey_idat = zlib_stored(&(0..16).flat_map(|_| std::iter::once(0).chain([0x80; 16 * 3])).collect::<Vec<u8>>());
    c.bounded_ok(
        "png-iccp-16mib",
        "iccp-16mib.png",
        &png(&ihdr(16, 16, 8, 2), &[(b"iCCP", iccp(&zlib_zeros(16 << 20)))], &grey_idat),
        (16, 16),
        "a 16 MiB ICC profile (within the 32 MiB header budget; not applied)",
    );
    c.bounded_ok(
        "png-iccp-bomb-256mib",
        "iccp-bomb-256mib.png",
        &png(&ihdr(16, 16, 8, 2), &[(b"iCCP", iccp(&zlib_zeros(256 << 20)))], &grey_idat),
        (16, 16),
        "an ICC profile inflating to 256 MiB from 260 KB: over the 32 MiB header budget, dropped",
    );

    // --- metadata (issue 16): damaged or hostile blocks never stop the pixels from loading ---
    let ztxt: Vec<u8> = [&b"Comment\0\0"[..], &zlib_zeros(16 << 20)].concat();
    let ztxt_chunks: Vec<(&[u8; 4], Vec<u8>)> = (0..16).map(|_| (b"zTXt", ztxt.clone())).collect();
    c.bounded_ok(
        "png-ztxt-bombs",
        "ztxt-bombs-16x16mib.png",
        &png(&ihdr(16, 16, 8, 2), &ztxt_chunks, &grey_idat),
        (16, 16),
        "16 zTXt chunks inflating to 16 MiB each: past the 1 MiB text budget, dropped",
    );
    let app2 = |jpeg: &[u8], payload: &[u8]| {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe2]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    };
    let icc_segment = |number: u8, count: u8, data: &[u8]| [&b"ICC_PROFILE\0"[..], &[number, count], data].concat();
    c.decode_ok(
        "jpeg-icc-incomplete",
        "icc-1-of-3.jpg",
        &app2(&small_jpeg, &icc_segment(1, 3, &pseudo_random(5, 300))),
        (8, 4),
        "one ICC segment of three: the profile is dropped, the pixels load unconverted",
    );
    c.decode_ok(
        "jpeg-icc-garbage",
        "icc-garbage.jpg",
        &app2(&small_jpeg, &icc_segment(1, 1, &pseudo_random(6, 600))),
        (8, 4),
        "a complete ICC profile of random bytes: unusable, the pixels load unconverted",
    );
    // IFD0 whose next-IFD offset points back at itself.
    let mut exif_loop = exif_orientation(1);
    let next = exif_loop.len() - 4;
    exif_loop[next..].copy_from_slice(&8u32.to_le_bytes());
    c.decode_ok(
        "jpeg-exif-ifd-loop",
        "exif-ifd-loop.jpg",
        &jpeg_with_app1(&small_jpeg, &exif_loop),
        (8, 4),
        "EXIF whose IFD chain loops: read once, no hang",
    );

    // --- progressive JPEG with many scans (cjpeg caps its own scan scripts at 100) ---
    let scan_script: String = ["0,1,2: 0 0 0 1;".to_string(), "0,1,2: 0 0 1 0;".to_string()]
        .into_iter()
        .chain((0..3).flat_map(|c| (1..64).step_by(2).map(move |k| format!("{c}: {k} {} 0 0;", (k + 1).min(63)))))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("scans.txt"), scan_script + "\n").unwrap();
    let mut source = RgbImage::new(256, 256);
    for (x, y, px) in source.enumerate_pixels_mut() {
        *px = Rgb([(x ^ y) as u8, (x * 3) as u8, (y * 5) as u8]);
    }
    let bmp = dir.join("source-256.bmp");
    source.save(&bmp).unwrap();
    let status = Command::new("cjpeg")
        .args(["-quality", "90", "-scans", "scans.txt", "-outfile", "scans-98.jpg", "source-256.bmp"])
        .current_dir(&dir)
        .status()
        .expect("cjpeg is needed to regenerate the corpus (apt-get install libjpeg-turbo-progs)");
    assert!(status.success(), "cjpeg");
    std::fs::remove_file(dir.join("scans.txt")).unwrap();
    std::fs::remove_file(&bmp).unwrap();
    let progressive = std::fs::read(dir.join("scans-98.jpg")).unwrap();
    assert_eq!(jpeg_scan_count(&progressive), 98);
    c.bounded_ok(
        "jpeg-98-scans",
        "scans-98.jpg",
        &progressive,
        (256, 256),
        "progressive, one scan per component and pair of coefficients: valid",
    );
    let many = jpeg_repeat_scans(&progressive, 2, 6);
    assert_eq!(jpeg_scan_count(&many), 2 + 96 * 6);
    c.bounded_error(
        "jpeg-578-scans",
        "scans-578.jpg",
        &many,
        "Decode",
        "the AC scans repeated 6 times: more than the decoder's 100-scan limit, refused",
    );

    // --- exotic but valid (ImageMagick makes what the image crate cannot encode) ---
    std::fs::copy(testdata.join("gradient-40x30.bmp"), dir.join("source-40x30.bmp")).unwrap();
    convert(&dir, "source-40x30.bmp", &["-colorspace", "CMYK", "-quality", "85"], "cmyk-40x30.jpg");
    convert(&dir, "source-40x30.bmp", &["-interlace", "Plane", "-quality", "85"], "progressive-40x30.jpg");
    convert(&dir, "source-40x30.bmp", &["-colors", "32", "-interlace", "GIF"], "interlaced-40x30.gif");
    std::fs::remove_file(dir.join("source-40x30.bmp")).unwrap();
    for (name, file) in [
        ("jpeg-cmyk", "cmyk-40x30.jpg"),
        ("jpeg-progressive", "progressive-40x30.jpg"),
        ("gif-interlaced", "interlaced-40x30.gif"),
    ] {
        c.case(
            name,
            "exotic but valid (made by ImageMagick)",
            json!({ "call": "decode", "input": format!("bad/{file}") }),
            json!({ "width": 40, "height": 30 }),
        );
    }
    for (name, file, size) in [
        ("png-rgb16", "rgb16-32x24.png", (32, 24)),
        ("png-gray16", "gray16-32x24.png", (32, 24)),
        ("png-gray-alpha", "gray-alpha-32x24.png", (32, 24)),
        ("png-interlaced", "interlaced-33x21.png", (33, 21)),
        ("png-palette", "palette-23x16.png", (23, 16)),
    ] {
        c.case(
            name,
            "exotic but valid (golden test image)",
            json!({ "call": "open", "input": file }),
            json!({ "width": size.0, "height": size.1 }),
        );
    }
    // EXIF orientation on an 8 x 4 JPEG: 1-4 keep 8 x 4, 5-8 transpose to 4 x 8 (EXIF 2.32, 4.6.4 A).
    for orientation in 1..=8u16 {
        let size = if orientation >= 5 { (4, 8) } else { (8, 4) };
        let bytes = jpeg_with_app1(&small_jpeg, &exif_orientation(orientation));
        c.decode_ok(
            &format!("jpeg-exif-orientation-{orientation}"),
            &format!("exif-orientation-{orientation}.jpg"),
            &bytes,
            size,
            "auto-oriented on decode",
        );
    }
    let mut bad_exif = b"Exif\0\0II*\0".to_vec();
    bad_exif.extend_from_slice(&0xffff_0000u32.to_le_bytes()); // IFD0 offset far past the end
    c.decode_ok(
        "jpeg-exif-bad-offset",
        "exif-bad-offset.jpg",
        &jpeg_with_app1(&small_jpeg, &bad_exif),
        (8, 4),
        "malformed EXIF is ignored",
    );
    let mut junk_exif = b"Exif\0\0".to_vec();
    junk_exif.extend(pseudo_random(5, 40));
    c.decode_ok(
        "jpeg-exif-garbage",
        "exif-garbage.jpg",
        &jpeg_with_app1(&small_jpeg, &junk_exif),
        (8, 4),
        "malformed EXIF is ignored",
    );
    c.decode_ok(
        "jpeg-exif-orientation-9",
        "exif-orientation-9.jpg",
        &jpeg_with_app1(&small_jpeg, &exif_orientation(9)),
        (8, 4),
        "an undefined orientation value is ignored",
    );

    // --- parameters on a small valid image ---
    let ops = |ops: Value| json!({ "call": "ops", "input": "gradient-64x48.png", "ops": ops });
    let invalid = || err("InvalidArgument");
    for (name, sigma) in [
        ("nan", json!("NaN")),
        ("inf", json!("Infinity")),
        ("neg-inf", json!("-Infinity")),
        ("negative", json!(-1.0)),
        ("huge", json!(1.0e30)),
    ] {
        c.case(
            &format!("blur-sigma-{name}"),
            "sigma must be finite, > 0 and bounded",
            ops(json!([{ "op": "blur", "sigma": sigma }])),
            invalid(),
        );
    }
    c.case(
        "unsharpen-sigma-nan",
        "sigma must be finite",
        ops(json!([{ "op": "unsharpen", "sigma": "NaN", "amount": 1.0, "threshold": 0 }])),
        invalid(),
    );
    c.case(
        "crop-outside",
        "x beyond the width",
        ops(json!([{ "op": "crop", "x": 64, "y": 0, "width": 1, "height": 1 }])),
        invalid(),
    );
    c.case(
        "crop-past-edge",
        "x + width beyond the width",
        ops(json!([{ "op": "crop", "x": 60, "y": 0, "width": 10, "height": 10 }])),
        invalid(),
    );
    let mut overflow = ops(json!([{ "op": "crop", "x": 4_294_967_295u32, "y": 0, "width": 2, "height": 1 }]));
    overflow["argument_error"] = json!(true);
    c.case("crop-overflowing", "x + width overflows 32 bits (negative in Java/C# int)", overflow, invalid());
    c.case(
        "crop-zero",
        "zero-size crop",
        ops(json!([{ "op": "crop", "x": 0, "y": 0, "width": 0, "height": 5 }])),
        invalid(),
    );
    c.case(
        "resize-zero",
        "zero target size",
        ops(json!([{ "op": "resize", "width": 0, "height": 10, "filter": "Bilinear" }])),
        invalid(),
    );
    c.case(
        "resize-over-limits",
        "40000 > max_width",
        ops(json!([{ "op": "resize", "width": 40_000, "height": 10, "filter": "Nearest" }])),
        invalid(),
    );
    c.case(
        "resize-over-bytes",
        "30000 x 30000 x 4 > 512 MiB",
        ops(json!([{ "op": "resize", "width": 30_000, "height": 30_000, "filter": "Nearest" }])),
        invalid(),
    );
    c.case(
        "contrast-nan",
        "contrast must be finite",
        ops(json!([{ "op": "adjust_contrast", "contrast": "NaN" }])),
        invalid(),
    );
    c.case(
        "contrast-below-minus-100",
        "contrast >= -100",
        ops(json!([{ "op": "adjust_contrast", "contrast": -101.0 }])),
        invalid(),
    );
    c.case(
        "brightness-256",
        "delta in -255..=255",
        ops(json!([{ "op": "adjust_brightness", "delta": 256 }])),
        invalid(),
    );
    c.case(
        "from-pixels-short",
        "63 bytes for 4 x 4 RGBA (64 needed)",
        json!({ "call": "from_pixels", "width": 4, "height": 4, "length": 63 }),
        invalid(),
    );
    c.case(
        "from-pixels-overflow",
        "65536 x 65536 x 4 overflows 32 bits",
        json!({ "call": "from_pixels", "width": 65_536, "height": 65_536, "length": 16 }),
        invalid(),
    );
    c.case(
        "from-pixels-over-limits",
        "40000 x 1 with the right length: wider than the default limits' 32768, which a decode of the saved file would refuse",
        json!({ "call": "from_pixels", "width": 40_000, "height": 1, "length": 160_000 }),
        invalid(),
    );
    c.case(
        "from-pixels-zero",
        "0 x 0",
        json!({ "call": "from_pixels", "width": 0, "height": 0, "length": 0 }),
        invalid(),
    );
    let encode = |format: &str, quality: u32| json!({ "call": "encode", "input": "gradient-64x48.png", "format": format, "quality": quality });
    c.case("encode-jpeg-quality-101", "quality 1..=100", encode("jpeg", 101), invalid());
    c.case("encode-jpeg-quality-1000", "quality 1..=100", encode("jpeg", 1000), invalid());
    c.case("encode-png-quality", "only JPEG takes a quality", encode("png", 50), invalid());
    c.case("encode-webp-quality-101", "quality 1..=100 (lossy WebP)", encode("webp", 101), invalid());
    c.case("encode-avif-quality-101", "quality 1..=100", encode("avif", 101), invalid());

    // --- paths ({tmp} is a fresh empty directory per case) ---
    c.case(
        "open-missing",
        "no such file",
        json!({ "call": "open", "input": "bad/does-not-exist.png" }),
        err("NotFound"),
    );
    c.case("open-directory", "a directory is not a file", json!({ "call": "open", "input": "bad" }), err("Io"));
    let save = |path: &str| json!({ "call": "save", "input": "gradient-64x48.png", "path": path });
    c.case("save-unknown-extension", "no format for .xyz", save("{tmp}/out.xyz"), err(unsupported));
    c.case("save-no-extension", "no extension at all", save("{tmp}/out"), err(unsupported));
    c.case("save-missing-folder", "the output folder does not exist", save("{tmp}/missing/out.png"), err("NotFound"));

    // --- fuzz regressions: inputs found by `ci/fuzz.sh`, kept as found (not generated) ---
    let palette_panic =
        std::fs::read(dir.join("png-palette-panic.png")).expect("the fuzz regression file is committed");
    c.decode(
        "png-palette-panic",
        "png-palette-panic.png",
        &palette_panic,
        "Decode",
        "fuzz-found PNG whose palette expansion panicked inside the png crate: a Decode error, not a panic",
    );

    let manifest = json!({
        "version": 1,
        "about": "Bad-input corpus (issue 6): run by ffi/tests/bad_inputs.rs, the Java and C# suites. See docs/reliability.md.",
        "cases": c.cases,
    });
    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&manifest).unwrap() + "\n").unwrap();
}
