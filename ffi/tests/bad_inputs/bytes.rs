//! Hand-written encoders for the corpus: PNG chunks, zlib (stored blocks, and a dynamic-Huffman
//! stream of zeros for the bombs), JPEG/GIF header patching and EXIF segments. Written by hand
//! because the bad files need header fields no encoder will produce.

/// CRC-32 (ISO-HDLC, as PNG uses it).
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for part in parts {
        for &byte in *part {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
    }
    !crc
}

/// Adler-32 of `count` zero bytes (what the zlib trailer of an all-zero stream holds).
fn adler32_of_zeros(count: u64) -> u32 {
    let b = (count % 65521) as u32;
    (b << 16) | 1
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// Appends one PNG chunk (length, type, data, CRC).
pub fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

pub const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// IHDR payload: width, height, bit depth, colour type, deflate, filter 0, interlace.
pub fn ihdr(width: u32, height: u32, bit_depth: u8, color_type: u8) -> Vec<u8> {
    let mut data = Vec::with_capacity(13);
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
    data
}

/// A PNG with the given IHDR and one IDAT holding `idat` (already zlib-compressed).
pub fn png(ihdr_data: &[u8], extra_chunks: &[(&[u8; 4], Vec<u8>)], idat: &[u8]) -> Vec<u8> {
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", ihdr_data);
    for (kind, data) in extra_chunks {
        png_chunk(&mut out, kind, data);
    }
    png_chunk(&mut out, b"IDAT", idat);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// zlib stream of `data` in stored (uncompressed) blocks.
pub fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(65535).collect() };
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// Writes bits least-significant first, as deflate packs them.
struct BitWriter {
    out: Vec<u8>,
    bit: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u32, count: u32) {
        for i in 0..count {
            if self.bit == 0 {
                self.out.push(0);
            }
            *self.out.last_mut().unwrap() |= (((value >> i) & 1) as u8) << self.bit;
            self.bit = (self.bit + 1) % 8;
        }
    }

    /// A Huffman code is sent most-significant bit first.
    fn code(&mut self, code: u32, length: u32) {
        for i in (0..length).rev() {
            self.bits((code >> i) & 1, 1);
        }
    }
}

/// zlib stream of `count` zero bytes at close to deflate's best ratio (~1000:1): one dynamic
/// Huffman block whose only symbols are literal 0 (code 10), end of block (11), length 258
/// (code 0) and distance 1 (code 0), so each 258 zeros cost 2 bits. This is what makes a
/// 20000 x 20000 bomb fit in ~50 KB.
pub fn zlib_zeros(count: u64) -> Vec<u8> {
    let mut w = BitWriter { out: vec![0x78, 0x01], bit: 0 };
    w.bits(1, 1); // BFINAL
    w.bits(2, 2); // BTYPE = dynamic
    w.bits(286 - 257, 5); // HLIT
    w.bits(2 - 1, 5); // HDIST
    w.bits(18 - 4, 4); // HCLEN: code-length code lengths up to symbol 1 in the fixed order
    // Fixed order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1: symbol 18 -> 1 bit, 2 and 1 -> 2 bits.
    for length in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] {
        w.bits(length, 3);
    }
    // Canonical code-length codes: 18 -> "0", 1 -> "10", 2 -> "11".
    let cl_one = |w: &mut BitWriter| w.code(0b10, 2);
    let cl_two = |w: &mut BitWriter| w.code(0b11, 2);
    let zeros = |w: &mut BitWriter, run: u32| {
        w.code(0, 1);
        w.bits(run - 11, 7);
    };
    // Literal/length lengths: 0 -> 2, 1..=255 -> 0, 256 -> 2, 257..=284 -> 0, 285 -> 1.
    cl_two(&mut w);
    zeros(&mut w, 138);
    zeros(&mut w, 117);
    cl_two(&mut w);
    zeros(&mut w, 28);
    cl_one(&mut w);
    // Distance lengths: codes 0 and 1 -> 1 bit each.
    cl_one(&mut w);
    cl_one(&mut w);
    // Canonical literal codes: 285 -> "0", 0 -> "10", 256 -> "11"; distance 0 -> "0".
    assert!(count >= 1);
    w.code(0b10, 2);
    let rest = count - 1;
    for _ in 0..rest / 258 {
        w.code(0, 1);
        w.code(0, 1);
    }
    for _ in 0..rest % 258 {
        w.code(0b10, 2);
    }
    w.code(0b11, 2);
    let mut out = w.out;
    out.extend_from_slice(&adler32_of_zeros(count).to_be_bytes());
    out
}

/// Replaces the width and height of the first SOFn marker of a JPEG.
pub fn jpeg_with_size(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let mut i = 2;
    while i + 9 < out.len() {
        assert_eq!(out[i], 0xff, "marker expected at {i}");
        let marker = out[i + 1];
        let length = usize::from(u16::from_be_bytes([out[i + 2], out[i + 3]]));
        if matches!(marker, 0xc0..=0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf) {
            out[i + 5..i + 7].copy_from_slice(&height.to_be_bytes());
            out[i + 7..i + 9].copy_from_slice(&width.to_be_bytes());
            return out;
        }
        i += 2 + length;
    }
    panic!("no SOF marker");
}

/// Inserts an APP1 segment right after SOI.
pub fn jpeg_with_app1(jpeg: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// An EXIF APP1 payload (little-endian TIFF) whose IFD0 holds only the orientation tag.
pub fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut out = b"Exif\0\0II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes()); // IFD0 offset
    out.extend_from_slice(&1u16.to_le_bytes()); // one entry
    out.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    out.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    out.extend_from_slice(&1u32.to_le_bytes()); // count
    out.extend_from_slice(&orientation.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    out
}

/// An animated PNG (APNG) of `frames` frames of `width` x `height` 8-bit RGB, every frame the
/// same `idat` stream: the default image is frame 0 (fcTL before IDAT), the others are
/// fcTL + fdAT pairs with consecutive sequence numbers, as the APNG specification orders them.
pub fn apng(width: u32, height: u32, frames: u32, idat: &[u8]) -> Vec<u8> {
    let frame_control = |sequence: u32| {
        let mut data = Vec::with_capacity(26);
        for field in [sequence, width, height, 0, 0] {
            data.extend_from_slice(&field.to_be_bytes());
        }
        data.extend_from_slice(&1u16.to_be_bytes()); // delay numerator
        data.extend_from_slice(&25u16.to_be_bytes()); // delay denominator: 40 ms
        data.extend_from_slice(&[0, 0]); // dispose none, blend source
        data
    };
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr(width, height, 8, 2));
    let mut animation_control = frames.to_be_bytes().to_vec();
    animation_control.extend_from_slice(&0u32.to_be_bytes()); // loop forever
    png_chunk(&mut out, b"acTL", &animation_control);
    let mut sequence = 0;
    png_chunk(&mut out, b"fcTL", &frame_control(sequence));
    sequence += 1;
    png_chunk(&mut out, b"IDAT", idat);
    for _ in 1..frames {
        png_chunk(&mut out, b"fcTL", &frame_control(sequence));
        sequence += 1;
        let mut frame_data = sequence.to_be_bytes().to_vec();
        frame_data.extend_from_slice(idat);
        png_chunk(&mut out, b"fdAT", &frame_data);
        sequence += 1;
    }
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// An iCCP chunk payload: profile name, compression method 0, then the zlib stream.
pub fn iccp(zlib_profile: &[u8]) -> Vec<u8> {
    let mut data = b"huge profile\0\0".to_vec();
    data.extend_from_slice(zlib_profile);
    data
}

/// Splits a JPEG into its segments (marker + payload; a scan includes its entropy-coded data).
fn jpeg_segments(jpeg: &[u8]) -> Vec<&[u8]> {
    assert_eq!(&jpeg[..2], &[0xff, 0xd8], "SOI expected");
    let mut segments = vec![&jpeg[..2]];
    let mut i = 2;
    while i < jpeg.len() {
        assert_eq!(jpeg[i], 0xff, "marker expected at {i}");
        let marker = jpeg[i + 1];
        if marker == 0xd9 {
            segments.push(&jpeg[i..i + 2]);
            break;
        }
        let mut end = i + 2 + usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if marker == 0xda {
            // Entropy-coded data runs to the next marker that is neither a stuffed 0xff00
            // nor a restart marker.
            while !(jpeg[end] == 0xff && jpeg[end + 1] != 0 && !(0xd0..=0xd7).contains(&jpeg[end + 1])) {
                end += 1;
            }
        }
        segments.push(&jpeg[i..end]);
        i = end;
    }
    segments
}

/// Number of scans (SOS segments) of a JPEG.
pub fn jpeg_scan_count(jpeg: &[u8]) -> usize {
    jpeg_segments(jpeg).iter().filter(|s| s[1] == 0xda).count()
}

/// Repeats everything after the `keep`-th scan (the later scans with their Huffman tables)
/// `times` times: a progressive JPEG whose scan count grows without bound, the shape of the
/// many-scans denial of service (each scan is a pass over the coefficient buffer).
pub fn jpeg_repeat_scans(jpeg: &[u8], keep: usize, times: usize) -> Vec<u8> {
    let segments = jpeg_segments(jpeg);
    let split = segments.iter().enumerate().filter(|(_, s)| s[1] == 0xda).nth(keep - 1).expect("enough scans").0 + 1;
    let (head, tail) = segments.split_at(split);
    let (tail, eoi) = tail.split_at(tail.len() - 1);
    let mut out: Vec<u8> = head.concat();
    for _ in 0..times {
        out.extend(tail.concat());
    }
    out.extend(eoi.concat());
    out
}
