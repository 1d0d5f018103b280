//! The 1/8 and 1/4 JPEG decoder against libjpeg-turbo's own scaled decodes (the `turbojpeg`
//! crate): byte-identical RGBA on photographic mosaics at several sizes and samplings, with and
//! without restart markers, serial and split across two threads; hostile input never panics
//! and never yields an image where libjpeg-turbo would not yield the same one.

use std::path::PathBuf;
use std::sync::OnceLock;

use pixbridge_core::fastjpeg::{Split, decode_scaled_with};
use pixbridge_core::{DecodeOptions, Image};
use turbojpeg::{Compressor, Decompressor, PixelFormat, ScalingFactor, Subsamp};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// The test photographs as RGB8 (width, height, pixels).
fn photos() -> &'static Vec<(usize, usize, Vec<u8>)> {
    static PHOTOS: OnceLock<Vec<(usize, usize, Vec<u8>)>> = OnceLock::new();
    PHOTOS.get_or_init(|| {
        ["rocket.jpg", "hubble_deep_field.jpg", "coffee.png", "chelsea.png", "astronaut.png"]
            .iter()
            .map(|name| {
                let rgb = image::open(testdata(name)).expect("test photo").into_rgb8();
                let (w, h) = rgb.dimensions();
                (w as usize, h as usize, rgb.into_raw())
            })
            .collect()
    })
}

/// A photographic RGB mosaic: 512-pixel tiles taken from the test photos.
fn mosaic(width: usize, height: usize) -> Vec<u8> {
    let photos = photos();
    let mut rgb = vec![0u8; width * height * 3];
    for y in 0..height {
        for x in 0..width {
            let tile = (x / 512 + 3 * (y / 512)) % photos.len();
            let (pw, ph, pixels) = &photos[tile];
            let (sx, sy) = ((x + 37 * tile) % pw, (y + 11 * tile) % ph);
            let from = (sy * pw + sx) * 3;
            rgb[(y * width + x) * 3..][..3].copy_from_slice(&pixels[from..from + 3]);
        }
    }
    rgb
}

fn compress(rgb: &[u8], width: usize, height: usize, subsamp: Subsamp, quality: i32) -> Vec<u8> {
    let mut compressor = Compressor::new().unwrap();
    compressor.set_quality(quality).unwrap();
    compressor.set_subsamp(subsamp).unwrap();
    let image = turbojpeg::Image { pixels: rgb, width, pitch: width * 3, height, format: PixelFormat::RGB };
    compressor.compress_to_vec(image).unwrap()
}

/// The scales the fast decoder offers.
const DENOMINATORS: [u32; 2] = [8, 4];

/// libjpeg-turbo's `1 / denominator` decode to RGBA.
fn reference(jpeg: &[u8], denominator: u32) -> Option<(u32, u32, Vec<u8>)> {
    let mut decompressor = Decompressor::new().unwrap();
    let header = decompressor.read_header(jpeg).ok()?;
    decompressor.set_scaling_factor(ScalingFactor::new(1, denominator as usize)).ok()?;
    let d = denominator as usize;
    let (w, h) = (header.width.div_ceil(d), header.height.div_ceil(d));
    let mut pixels = vec![0u8; w * h * 4];
    let image = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: w,
        pitch: w * 4,
        height: h,
        format: PixelFormat::RGBA,
    };
    decompressor.decompress(jpeg, image).ok()?;
    Some((w as u32, h as u32, pixels))
}

/// Compares the fast decoder (serial and two threads) at `1 / denominator` with libjpeg-turbo and
/// returns how the two-thread decode split the scan.
fn assert_identical(jpeg: &[u8], denominator: u32, what: &str) -> Split {
    let what = format!("{what} at 1/{denominator}");
    let (w, h, expected) = reference(jpeg, denominator).unwrap_or_else(|| panic!("{what}: libjpeg-turbo failed"));
    let serial =
        decode_scaled_with(jpeg, denominator, false).unwrap_or_else(|| panic!("{what}: fast decoder fell back"));
    assert_eq!((serial.width, serial.height), (w, h), "{what}");
    assert_eq!(serial.split, Split::Serial);
    let mismatch = first_mismatch(&serial.rgba, &expected);
    assert!(mismatch.is_none(), "{what}: serial output differs at {mismatch:?}");
    let parallel =
        decode_scaled_with(jpeg, denominator, true).unwrap_or_else(|| panic!("{what}: two-thread decode fell back"));
    let mismatch = first_mismatch(&parallel.rgba, &expected);
    assert!(mismatch.is_none(), "{what}: two-thread output differs at {mismatch:?} ({:?})", parallel.split);
    parallel.split
}

fn first_mismatch(a: &[u8], b: &[u8]) -> Option<(usize, u8, u8)> {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).enumerate().find(|(_, (x, y))| x != y).map(|(i, (x, y))| (i, *x, *y))
}

// ---------------------------------------------------------------------------------------------
// Restart markers: TurboJPEG's Rust binding cannot ask for them, so the test transcodes a
// baseline JPEG's scan into one with a restart marker every `interval` MCUs (same Huffman
// codes; the first DC of each interval is re-coded against a zero predictor).

struct Table {
    /// (code, length) per symbol for encoding; canonical decoding data.
    codes: Vec<(u32, u32, u8)>,
}

impl Table {
    fn new(counts: &[u8], symbols: &[u8]) -> Table {
        let mut codes = Vec::new();
        let (mut code, mut p) = (0u32, 0);
        for length in 1..=16u32 {
            for _ in 0..counts[length as usize - 1] {
                codes.push((code, length, symbols[p]));
                code += 1;
                p += 1;
            }
            code <<= 1;
        }
        Table { codes }
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> u8 {
        let (mut code, mut length) = (0u32, 0u32);
        loop {
            code = (code << 1) | reader.bit();
            length += 1;
            if let Some(&(_, _, symbol)) = self.codes.iter().find(|&&(c, l, _)| c == code && l == length) {
                return symbol;
            }
            assert!(length < 16, "bad code in test JPEG");
        }
    }

    fn encode(&self, writer: &mut BitWriter, symbol: u8) {
        let &(code, length, _) = self.codes.iter().find(|&&(_, _, s)| s == symbol).expect("symbol in table");
        writer.put(code, length);
    }
}

struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    bit: u32,
}

impl BitReader<'_> {
    fn bit(&mut self) -> u32 {
        let value = u32::from(self.data[self.pos] >> (7 - self.bit)) & 1;
        self.bit += 1;
        if self.bit == 8 {
            self.bit = 0;
            self.pos += if self.data[self.pos] == 0xFF { 2 } else { 1 };
        }
        value
    }

    fn bits(&mut self, count: u32) -> u32 {
        (0..count).fold(0, |v, _| (v << 1) | self.bit())
    }
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    count: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, length: u32) {
        for i in (0..length).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.count += 1;
            if self.count == 8 {
                self.out.push(self.acc as u8);
                if self.acc == 0xFF {
                    self.out.push(0);
                }
                (self.acc, self.count) = (0, 0);
            }
        }
    }

    fn flush(&mut self) {
        while self.count != 0 {
            self.put(1, 1);
        }
    }
}

fn magnitude(value: i32) -> (u32, u32) {
    let size = 32 - value.unsigned_abs().leading_zeros();
    let bits = if value < 0 { (value - 1) as u32 & ((1 << size) - 1) } else { value as u32 };
    (size, bits)
}

fn with_restarts(jpeg: &[u8], interval: usize) -> Vec<u8> {
    let mut at = 2;
    let (mut dc, mut ac): (Vec<Option<Table>>, Vec<Option<Table>>) =
        ((0..4).map(|_| None).collect(), (0..4).map(|_| None).collect());
    let mut sampling = Vec::new();
    let (mut width, mut height) = (0, 0);
    loop {
        assert_eq!(jpeg[at], 0xFF);
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        let body = &jpeg[at + 4..at + 2 + length];
        match marker {
            0xC4 => {
                let mut rest = body;
                while !rest.is_empty() {
                    let total: usize = rest[1..17].iter().map(|&c| usize::from(c)).sum();
                    let table = Table::new(&rest[1..17], &rest[17..17 + total]);
                    let slot = usize::from(rest[0] & 15);
                    if rest[0] >> 4 == 0 {
                        dc[slot] = Some(table)
                    } else {
                        ac[slot] = Some(table)
                    }
                    rest = &rest[17 + total..];
                }
            }
            0xC0 => {
                height = usize::from(u16::from_be_bytes([body[1], body[2]]));
                width = usize::from(u16::from_be_bytes([body[3], body[4]]));
                sampling = body[6..].chunks(3).map(|c| (usize::from(c[1] >> 4), usize::from(c[1] & 15))).collect();
            }
            0xDA => break,
            _ => {}
        }
        at += 2 + length;
    }
    let sos_length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    let sos = &jpeg[at..at + 2 + sos_length];
    let tables: Vec<(usize, usize)> = (0..sampling.len())
        .map(|i| (usize::from(sos[5 + 2 * i + 1] >> 4), usize::from(sos[5 + 2 * i + 1] & 15)))
        .collect();
    let (hmax, vmax) = (sampling.iter().map(|s| s.0).max().unwrap(), sampling.iter().map(|s| s.1).max().unwrap());
    let (mcus, blocks): (usize, Vec<usize>) = if sampling.len() == 1 {
        (width.div_ceil(8) * height.div_ceil(8), vec![0])
    } else {
        let per: Vec<usize> =
            sampling.iter().enumerate().flat_map(|(c, &(h, v))| std::iter::repeat_n(c, h * v)).collect();
        (width.div_ceil(8 * hmax) * height.div_ceil(8 * vmax), per)
    };
    let mut reader = BitReader { data: jpeg, pos: at + 2 + sos_length, bit: 0 };
    let mut writer = BitWriter::default();
    let mut old_pred = vec![0i32; sampling.len()];
    let mut new_pred = vec![0i32; sampling.len()];
    for mcu in 0..mcus {
        if mcu > 0 && mcu % interval == 0 {
            writer.flush();
            writer.out.extend_from_slice(&[0xFF, 0xD0 + ((mcu / interval - 1) % 8) as u8]);
            new_pred.iter_mut().for_each(|p| *p = 0);
        }
        for &c in &blocks {
            let (dct, act) = (dc[tables[c].0].as_ref().unwrap(), ac[tables[c].1].as_ref().unwrap());
            let size = u32::from(dct.decode(&mut reader));
            let raw = reader.bits(size) as i32;
            let diff = if size == 0 {
                0
            } else if raw < 1 << (size - 1) {
                raw - (1 << size) + 1
            } else {
                raw
            };
            old_pred[c] += diff;
            let (new_size, bits) = magnitude(old_pred[c] - new_pred[c]);
            new_pred[c] = old_pred[c];
            dct.encode(&mut writer, new_size as u8);
            writer.put(bits, new_size);
            let mut k = 1;
            while k < 64 {
                let rs = act.decode(&mut reader);
                act.encode(&mut writer, rs);
                let (run, size) = (u32::from(rs >> 4), u32::from(rs & 15));
                if size == 0 && run != 15 {
                    break;
                }
                writer.put(reader.bits(size), size);
                k += run + 1;
            }
        }
    }
    writer.flush();
    let mut out = jpeg[..at].to_vec();
    out.extend_from_slice(&[0xFF, 0xDD, 0, 4]);
    out.extend_from_slice(&(interval as u16).to_be_bytes());
    out.extend_from_slice(sos);
    out.extend_from_slice(&writer.out);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

// ---------------------------------------------------------------------------------------------

#[test]
fn test_photos_decode_identically() {
    for name in ["rocket.jpg", "hubble_deep_field.jpg", "gradient-64x48.jpg"] {
        let jpeg = std::fs::read(testdata(name)).unwrap();
        for denominator in DENOMINATORS {
            assert_identical(&jpeg, denominator, name);
        }
    }
}

#[test]
fn samplings_and_sizes_decode_identically() {
    for (width, height) in [(333, 197), (1000, 750), (1, 1), (17, 9)] {
        let rgb = mosaic(width, height);
        for subsamp in [Subsamp::Sub2x2, Subsamp::None, Subsamp::Sub2x1, Subsamp::Sub1x2, Subsamp::Gray] {
            for quality in [75, 90, 100] {
                let jpeg = compress(&rgb, width, height, subsamp, quality);
                let what = format!("{width}x{height} {subsamp:?} q{quality}");
                assert_identical(&jpeg, 8, &what);
                // At 1/4, libjpeg-turbo fancy-upsamples 4:2:2 and 4:4:0 chroma: not done here.
                if matches!(subsamp, Subsamp::Sub2x1 | Subsamp::Sub1x2) {
                    assert!(decode_scaled_with(&jpeg, 4, false).is_none(), "{what}: 1/4 should fall back");
                } else {
                    assert_identical(&jpeg, 4, &what);
                }
            }
        }
    }
}

#[test]
fn restart_markers_decode_identically() {
    let (width, height) = (1000, 750);
    let rgb = mosaic(width, height);
    for subsamp in [Subsamp::Sub2x2, Subsamp::None, Subsamp::Gray] {
        let jpeg = compress(&rgb, width, height, subsamp, 90);
        for interval in [1, 7, 64, 10_000] {
            let restarted = with_restarts(&jpeg, interval);
            for denominator in DENOMINATORS {
                let split = assert_identical(&restarted, denominator, &format!("{subsamp:?} restart {interval}"));
                if interval < 1000 {
                    assert_eq!(split, Split::Restart, "{subsamp:?} restart {interval}");
                }
            }
        }
    }
}

#[test]
fn large_mosaics_decode_identically_and_split() {
    for (width, height) in [(3840, 2160), (6000, 4000)] {
        let rgb = mosaic(width, height);
        for subsamp in [Subsamp::Sub2x2, Subsamp::None] {
            let jpeg = compress(&rgb, width, height, subsamp, 90);
            let what = format!("{width}x{height} {subsamp:?}");
            let restarted = with_restarts(&jpeg, width.div_ceil(16));
            for denominator in DENOMINATORS {
                let split = assert_identical(&jpeg, denominator, &what);
                assert!(matches!(split, Split::Speculative { .. }), "{what}: {split:?}");
                assert_eq!(assert_identical(&restarted, denominator, &format!("{what} restarts")), Split::Restart);
            }
        }
    }
}

#[test]
fn public_shrink_on_load_matches_libjpeg_turbo() {
    let (width, height) = (1600, 1200);
    let jpeg = compress(&mosaic(width, height), width, height, Subsamp::Sub2x2, 90);
    for (min_size, denominator) in [((200, 150), 8), ((400, 300), 4), ((201, 150), 4)] {
        let options = DecodeOptions { min_size: Some(min_size), ..DecodeOptions::default() };
        let image = Image::decode_with(&jpeg, &options).unwrap();
        let (w, h, expected) = reference(&jpeg, denominator).unwrap();
        assert_eq!((image.width(), image.height()), (w, h), "{min_size:?}");
        assert!(image.pixels() == expected.as_slice(), "{min_size:?}");
    }
}

/// A tiny deterministic generator (xorshift) so the corruptions are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Runs the fast decoder on a damaged file: it must not panic, and whenever it produces an
/// image, libjpeg-turbo must produce the same one.
fn check_damaged(jpeg: &[u8], what: &str) {
    for (denominator, parallel) in [(8, false), (8, true), (4, false), (4, true)] {
        if let Some(fast) = decode_scaled_with(jpeg, denominator, parallel) {
            let (w, h, expected) = reference(jpeg, denominator)
                .unwrap_or_else(|| panic!("{what}: decoded at 1/{denominator} what libjpeg-turbo rejects"));
            assert_eq!((fast.width, fast.height), (w, h), "{what}");
            if fast.rgba != expected {
                std::fs::write("/tmp/fastjpeg-mismatch.jpg", jpeg).unwrap();
                let m = first_mismatch(&fast.rgba, &expected);
                panic!(
                    "{what}: decoded differently from libjpeg-turbo at 1/{denominator} ({parallel}) at {m:?} of {w}x{h}"
                );
            }
        }
    }
}

#[test]
fn hostile_input_never_panics_or_differs() {
    let (width, height) = (1000, 750);
    let rgb = mosaic(width, height);
    let plain = compress(&rgb, width, height, Subsamp::Sub2x2, 90);
    let restarted = with_restarts(&plain, 50);
    let grey = compress(&rgb, width, height, Subsamp::Gray, 75);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (name, jpeg) in [("plain", &plain), ("restarts", &restarted), ("grey", &grey)] {
        // Truncations everywhere in the headers and spread over the scan.
        for cut in (0..700.min(jpeg.len())).chain((0..100).map(|i| i * jpeg.len() / 100)) {
            check_damaged(&jpeg[..cut], &format!("{name} cut at {cut}"));
        }
        // Byte changes anywhere, a few at a time.
        for round in 0..300 {
            let mut damaged = jpeg.clone();
            for _ in 0..1 + round % 4 {
                let at = if round % 3 == 0 { rng.below(700) } else { rng.below(damaged.len()) };
                damaged[at] = match rng.below(4) {
                    0 => 0xFF,
                    1 => 0,
                    _ => rng.next() as u8,
                };
            }
            check_damaged(&damaged, &format!("{name} round {round}"));
        }
    }
    // Garbage that looks like a start.
    for len in 0..64 {
        let mut junk = vec![0xFF, 0xD8];
        junk.extend((0..len).map(|_| rng.next() as u8));
        check_damaged(&junk, "junk");
    }
}
