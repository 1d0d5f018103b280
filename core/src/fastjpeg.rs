//! A decoder for 1/8- and 1/4-scale JPEG thumbnails whose output is byte-identical to
//! libjpeg-turbo's scaled decode (TurboJPEG with default flags), with the Huffman decoding of
//! the scan split across two threads.
//!
//! Why: at 1/8 and 1/4 scale almost all of libjpeg-turbo's time goes into the serial Huffman
//! decoding of the entropy-coded segment (see `/work/shared/measurements.md`); every
//! thumbnailer sits on that floor. This decoder only keeps what a scaled decode needs (at 1/8
//! each block's DC, plus the 25 coefficients the 2x2 chroma IDCT of 4:2:0 files reads; at 1/4
//! what the reduced 2x2 and 4x4 IDCTs read), skips the AC coefficients it does not need with a
//! combined code-plus-magnitude lookup table, and decodes the two halves of the scan on two
//! threads:
//!
//! * with restart markers, the second thread starts at the first restart marker after the
//!   middle of the file and the first thread stops when it reaches that marker;
//! * without them, the second thread starts at the middle byte *speculatively* (as if an MCU
//!   started there), records where its first MCUs start, and the first thread stops at the
//!   first MCU start it shares with the second thread (Klein and Wiseman, 2003). From there on
//!   the two decodes are the same except for the DC predictors, which are fixed up with one
//!   addition per component.
//!
//! What libjpeg-turbo does at these scales, and what is reproduced here (see `jdmaster.c`,
//! `jdsample.c`, `jidctred.c`, `jdcolor.c` in the vendored libjpeg-turbo): every component whose
//! sampling factors are the largest is decoded with the reduced IDCT of the scale (1/8:
//! `jpeg_idct_1x1`, `range_limit[(DC * q0 + 4) >> 3 & 1023]`; 1/4: `jpeg_idct_2x2`); the chroma
//! of 4:2:0 files is scaled "up" with the next larger IDCT (1/8: `jpeg_idct_2x2`, 1/4:
//! `jpeg_idct_4x4`) instead of being upsampled; at 1/8, 4:2:2 and 4:4:0 chroma is decoded 1x1
//! and replicated (fancy upsampling is off when the minimum DCT size is 1), while at 1/4 it
//! would be fancy-upsampled, which this decoder does not do (those files go to libjpeg-turbo);
//! colour conversion is `ycc_rgb_convert`'s fixed-point tables.
//!
//! Anything this decoder does not handle (progressive, arithmetic coding, 12-bit, CMYK, several
//! scans, RGB JPEGs, unusual sampling) and anything irregular in the stream (a corrupt code,
//! a stream that ends early, extra bytes before a marker, wrong restart markers, values that
//! libjpeg-turbo would truncate) gives `None`: the caller then decodes with libjpeg-turbo,
//! which produces the image or the error it always did. So this module never decides an error
//! on its own, and a file is only ever decoded here when the result is libjpeg-turbo's.
//! The work is bounded: each byte of the scan is decoded at most twice (once by each thread).
//!
//! Cancellation: the decode of a job that is cancelled stops within an MCU row (every thread
//! checks) and gives `None`, like a file it declines; the caller then checks the job. This is
//! apart from the internal `cancel` flags, which stop a second thread whose part is not needed.

#![forbid(unsafe_code)]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::control::{self, Progress};

/// How the entropy-coded segment was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// By one thread, start to end.
    Serial,
    /// By two threads, the second one starting at a restart marker near the middle.
    Restart,
    /// By two threads, the second one starting speculatively at the middle byte; the first
    /// thread met it `resync_bits` bits after that byte.
    Speculative {
        /// How far past the split point the two threads' MCU boundaries first agreed.
        resync_bits: u64,
    },
}

/// A JPEG decoded at 1/8 or 1/4 scale.
#[derive(Debug)]
pub struct Scaled {
    /// `ceil(width / denominator)` of the file's stored (not EXIF-rotated) width.
    pub width: u32,
    /// `ceil(height / denominator)`.
    pub height: u32,
    /// Whether the file is greyscale (one component); otherwise YCbCr.
    pub grey: bool,
    /// Tightly packed RGBA8 pixels, alpha 255.
    pub rgba: Vec<u8>,
    /// How the scan was decoded.
    pub split: Split,
}

/// Decodes a baseline JPEG at `1 / denominator` scale (8 or 4) exactly as libjpeg-turbo would,
/// using two threads when the rayon pool has them and the scan is large enough. `None` when the
/// file (or the scale) is not one this decoder handles, anything in it is irregular, or (at
/// 1/4) the pool has one thread: decode it with libjpeg-turbo then.
pub fn decode_scaled(bytes: &[u8], denominator: u32) -> Option<Scaled> {
    let parallel = rayon::current_num_threads() >= 2;
    // At 1/4 every coefficient is read and two scalar IDCTs run per block: one thread is slower
    // than libjpeg-turbo's SIMD (4K: 28 ms against 20), two are faster (16 ms).
    if denominator == 4 && !parallel {
        return None;
    }
    decode_scaled_with(bytes, denominator, parallel)
}

/// [`decode_scaled`], choosing whether to try splitting the scan across two threads.
pub fn decode_scaled_with(bytes: &[u8], denominator: u32, parallel: bool) -> Option<Scaled> {
    let frame = parse(bytes)?;
    let layout = Layout::new(&frame, denominator)?;
    let ctx = Ctx::new(bytes, &frame, &layout)?;
    let (parts, split) = staged(0.0, ENTROPY_SHARE, || {
        let progress = Progress::new(layout.total as u64);
        if parallel && bytes.len() - frame.scan_start >= MIN_PARALLEL_SCAN {
            if layout.restart > 0 { ctx.decode_restart_split(&progress) } else { ctx.decode_speculative(&progress) }
        } else {
            Some((ctx.decode_serial(&progress)?, Split::Serial))
        }
    })?;
    let rgba = staged(ENTROPY_SHARE, 1.0, || ctx.pixels(&parts))?;
    Some(Scaled { width: layout.out_w as u32, height: layout.out_h as u32, grey: layout.grey, rgba, split })
}

/// The share of the decode's progress that the entropy decoding takes (the rest is the IDCT
/// and colour conversion).
const ENTROPY_SHARE: f32 = 0.8;

/// [`control::stage`] for the steps here, which give `None` for a file they decline and for a
/// cancelled job alike.
fn staged<T>(from: f32, to: f32, step: impl FnOnce() -> Option<T>) -> Option<T> {
    control::stage(from, to, || Ok(step())).ok().flatten()
}

/// Counts the MCUs one thread decodes and reports them on the progress once per MCU row
/// (`mcus_per_row`), so the hot loop pays one decrement per MCU.
struct Ticker<'p> {
    progress: &'p Progress,
    per_row: usize,
    left: usize,
}

impl<'p> Ticker<'p> {
    fn new(progress: &'p Progress, layout: &Layout) -> Self {
        Ticker { progress, per_row: layout.mcu_cols, left: layout.mcu_cols }
    }

    /// Counts one MCU; `true` when the job was cancelled.
    #[inline(always)]
    fn tick(&mut self) -> bool {
        self.left -= 1;
        if self.left > 0 {
            return false;
        }
        self.left = self.per_row;
        self.progress.advance(self.per_row as u64)
    }
}

/// Scans smaller than this are decoded by one thread: splitting costs more than it saves.
const MIN_PARALLEL_SCAN: usize = 64 << 10;

/// How far past the split point (in bits) the second thread publishes its MCU starts. The
/// measured resynchronisation distance on photographs is about 1000 bits (median) and at most
/// about 8000; past this window the first thread gives up and decodes on alone.
const SYNC_WINDOW_BITS: u64 = 1 << 16;

/// The largest dimension libjpeg-turbo accepts.
const MAX_DIMENSION: usize = 65500;

// ---------------------------------------------------------------------------------------------
// Markers

/// One frame component as the decoder needs it.
#[derive(Clone, Copy, Debug)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant: usize,
    dc: usize,
    ac: usize,
}

/// What the markers before the scan say.
struct Frame {
    width: usize,
    height: usize,
    components: Vec<Component>,
    /// Quantisation tables in natural (row-major) order.
    quant: [Option<[i32; 64]>; 4],
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    restart: usize,
    /// Offset of the first byte of the entropy-coded segment.
    scan_start: usize,
}

/// Reads the markers up to the first scan. `None` for anything not supported (see the module
/// documentation) or malformed.
fn parse(data: &[u8]) -> Option<Frame> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    let mut frame: Option<(usize, usize, Vec<Component>)> = None;
    let mut quant = [None; 4];
    let mut dc: [Option<Huffman>; 4] = Default::default();
    let mut ac: [Option<Huffman>; 4] = Default::default();
    let mut restart = 0;
    let mut jfif = false;
    let mut adobe_transform = None;
    loop {
        // Exactly 0xFF then the marker code (fill bytes allowed): libjpeg-turbo warns about
        // any other byte between segments, which TurboJPEG turns into an error.
        if *data.get(at)? != 0xFF {
            return None;
        }
        while *data.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *data.get(at)?;
        at += 1;
        let length = usize::from(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]));
        if length < 2 {
            return None;
        }
        let body = data.get(at + 2..at + length)?;
        at += length;
        match marker {
            0xE0 => {
                if body.len() >= 14 && body.starts_with(b"JFIF\0") {
                    jfif = true;
                    // libjpeg-turbo warns about other major versions.
                    if body[5] != 1 {
                        return None;
                    }
                }
            }
            0xEE => {
                if body.len() >= 12 && body.starts_with(b"Adobe") {
                    adobe_transform = Some(body[11]);
                }
            }
            0xE1..=0xED | 0xEF | 0xFE => {}
            0xDB => {
                let mut rest = body;
                while let Some((&pq_tq, tail)) = rest.split_first() {
                    // 16-bit tables are not for 8-bit files.
                    if pq_tq >> 4 != 0 || usize::from(pq_tq & 15) >= 4 {
                        return None;
                    }
                    let values = tail.get(..64)?;
                    let mut table = [0i32; 64];
                    for (k, &q) in values.iter().enumerate() {
                        table[ZIGZAG[k]] = i32::from(q);
                    }
                    quant[usize::from(pq_tq & 15)] = Some(table);
                    rest = &tail[64..];
                }
            }
            0xC4 => {
                let mut rest = body;
                while let Some((&tc_th, tail)) = rest.split_first() {
                    let (class, index) = (tc_th >> 4, usize::from(tc_th & 15));
                    if class > 1 || index >= 4 {
                        return None;
                    }
                    let counts = tail.get(..16)?;
                    let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
                    let values = tail.get(16..16 + total)?;
                    let table = Huffman::new(counts, values, class == 0)?;
                    if class == 0 {
                        dc[index] = Some(table);
                    } else {
                        ac[index] = Some(table);
                    }
                    rest = &tail[16 + total..];
                }
            }
            0xDD => {
                if body.len() != 2 {
                    return None;
                }
                restart = usize::from(u16::from_be_bytes([body[0], body[1]]));
            }
            0xC0 | 0xC1 => {
                if frame.is_some() || body.len() < 6 || body[0] != 8 {
                    return None;
                }
                let height = usize::from(u16::from_be_bytes([body[1], body[2]]));
                let width = usize::from(u16::from_be_bytes([body[3], body[4]]));
                let count = usize::from(body[5]);
                if !(count == 1 || count == 3) || body.len() != 6 + 3 * count {
                    return None;
                }
                if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
                    return None;
                }
                let mut components = Vec::with_capacity(count);
                for c in body[6..].chunks_exact(3) {
                    let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
                    if !(1..=4).contains(&h) || !(1..=4).contains(&v) || c[2] >= 4 {
                        return None;
                    }
                    components.push(Component { id: c[0], h, v, quant: usize::from(c[2]), dc: 0, ac: 0 });
                }
                frame = Some((width, height, components));
            }
            0xDA => {
                let (width, height, mut components) = frame?;
                let count = usize::from(*body.first()?);
                // All components, in frame order, in one sequential scan (Ss=0, Se=63, Ah=Al=0).
                if count != components.len() || body.len() != 1 + 2 * count + 3 {
                    return None;
                }
                for (i, component) in components.iter_mut().enumerate() {
                    let (id, tables) = (body[1 + 2 * i], body[2 + 2 * i]);
                    if id != component.id {
                        return None;
                    }
                    component.dc = usize::from(tables >> 4);
                    component.ac = usize::from(tables & 15);
                    if component.dc >= 4 || component.ac >= 4 {
                        return None;
                    }
                }
                if body[1 + 2 * count..] != [0, 63, 0] {
                    return None;
                }
                if count == 3 {
                    // libjpeg-turbo's colour space guess (jdapimin.c): only YCbCr here.
                    let ids = (components[0].id, components[1].id, components[2].id);
                    let ycbcr = if jfif {
                        true
                    } else if let Some(transform) = adobe_transform {
                        transform == 1
                    } else {
                        ids != (82, 71, 66)
                    };
                    if !ycbcr {
                        return None;
                    }
                }
                return Some(Frame { width, height, components, quant, dc, ac, restart, scan_start: at });
            }
            // SOF2 and up (progressive, lossless, arithmetic), DAC, DNL, a second SOI, ...
            _ => return None,
        }
    }
}

/// Zigzag index to natural (row-major) index, with libjpeg's 16 extra entries of 63 so that a
/// corrupt run past the end of a block lands where libjpeg-turbo puts it.
const ZIGZAG: [usize; 80] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
];

// ---------------------------------------------------------------------------------------------
// Huffman tables

/// Bits looked at by the table lookups.
const PEEK: u32 = 10;

/// Bits looked at by the two-coefficient skip table.
const SKIP_PEEK: u32 = 12;

/// A Huffman table with lookup tables for codes of up to [`PEEK`] bits.
#[derive(Clone)]
struct Huffman {
    /// `(length << 8) | symbol` for every [`PEEK`]-bit prefix that starts with a code of at
    /// most [`PEEK`] bits; 0 otherwise.
    fast: [u16; 1 << PEEK],
    /// For skipping AC coefficients two at a time, indexed by the next [`SKIP_PEEK`] bits:
    /// `bits1 | advance1 << 5 | bits2 << 12 | advance2 << 19`, where `bits` is the code length
    /// plus the magnitude bits and `advance` how far the coefficient index moves (64 for EOB);
    /// `bits2 = 0` when only one coefficient fits, 0 when none does. Two per lookup halves
    /// the chain of dependent loads and shifts that bounds the decoding speed (the
    /// multi-codeword tables of JParEnt).
    skip: Box<[u32; 1 << SKIP_PEEK]>,
    /// For reading AC coefficients, indexed by the next [`SKIP_PEEK`] bits: one coefficient as
    /// `bits | run << 5 | AC_END * end | AC_VALUE * has_value | value << 16` (`bits` as for
    /// `skip`, `value` the extended magnitude as i16); 0 when it does not fit.
    read: Box<[u32; 1 << SKIP_PEEK]>,
    /// The largest code of each length (index 1 to 16), -1 if there is none.
    maxcode: [i32; 17],
    /// `values` index of a code of length l is `code + valoffset[l]`.
    valoffset: [i32; 17],
    values: [u8; 256],
}

impl Huffman {
    /// Builds the tables as `jpeg_make_d_derived_tbl` does, with the same validation (a code
    /// space that overflows, DC symbols above 15): `None` where libjpeg-turbo would fail.
    fn new(counts: &[u8], symbols: &[u8], dc: bool) -> Option<Huffman> {
        if symbols.len() > 256 || (dc && symbols.iter().any(|&s| s > 15)) {
            return None;
        }
        let mut table = Huffman {
            fast: [0; 1 << PEEK],
            skip: Box::new([0; 1 << SKIP_PEEK]),
            read: Box::new([0; 1 << SKIP_PEEK]),
            maxcode: [-1; 17],
            valoffset: [0; 17],
            values: [0; 256],
        };
        table.values[..symbols.len()].copy_from_slice(symbols);
        let mut code: i32 = 0;
        let mut p: usize = 0;
        for length in 1..=16usize {
            let n = usize::from(counts[length - 1]);
            if n > 0 {
                table.valoffset[length] = p as i32 - code;
                for _ in 0..n {
                    // No code may be all ones (libjpeg-turbo checks the same).
                    if code >= 1 << length {
                        return None;
                    }
                    if length as u32 <= PEEK {
                        let symbol = symbols[p];
                        let shift = PEEK - length as u32;
                        let first = (code as usize) << shift;
                        for prefix in first..first + (1 << shift) {
                            table.fast[prefix] = ((length as u16) << 8) | u16::from(symbol);
                        }
                    }
                    p += 1;
                    code += 1;
                }
                table.maxcode[length] = code - 1;
            }
            // No code may be all ones (libjpeg-turbo checks the same).
            if code >= 1 << length {
                return None;
            }
            code <<= 1;
        }
        for prefix in 0..1usize << SKIP_PEEK {
            let Some((bits1, advance1)) = table.skip_step(prefix, SKIP_PEEK) else { continue };
            let mut entry = bits1 | advance1 << 5;
            if advance1 < 64
                && let Some((bits2, advance2)) =
                    table.skip_step((prefix << bits1) & ((1 << SKIP_PEEK) - 1), SKIP_PEEK - bits1)
            {
                entry |= bits2 << 12 | advance2 << 19;
            }
            table.skip[prefix] = entry;
            table.read[prefix] = table.read_step(prefix);
        }
        Some(table)
    }

    /// The `read` entry of `prefix` (see [`Huffman::read`]).
    fn read_step(&self, prefix: usize) -> u32 {
        let entry = self.fast[prefix >> (SKIP_PEEK - PEEK)];
        let length = u32::from(entry >> 8);
        let (run, size) = (u32::from((entry as u8) >> 4), u32::from(entry & 15));
        let bits = length + size;
        if entry == 0 || bits > SKIP_PEEK {
            return 0;
        }
        if size == 0 {
            // EOB, or ZRL (run 15: sixteen zeros).
            return bits | run << 5 | if run == 15 { 0 } else { AC_END };
        }
        let magnitude = ((prefix >> (SKIP_PEEK - bits)) & ((1 << size) - 1)) as i32;
        let value = if magnitude < 1 << (size - 1) { magnitude - (1 << size) + 1 } else { magnitude };
        bits | run << 5 | AC_VALUE | u32::from(value as i16 as u16) << 16
    }

    /// The AC coefficient that starts `prefix` (`SKIP_PEEK` bits, of which the top `valid`
    /// are real): its code plus magnitude length and how far it moves the coefficient index,
    /// if it fits in `valid` bits.
    fn skip_step(&self, prefix: usize, valid: u32) -> Option<(u32, u32)> {
        let entry = self.fast[prefix >> (SKIP_PEEK - PEEK)];
        let length = u32::from(entry >> 8);
        let (run, size) = (u32::from((entry as u8) >> 4), u32::from(entry & 15));
        let bits = length + size;
        if entry == 0 || bits > valid {
            return None;
        }
        let advance = if size != 0 {
            run + 1
        } else if run == 15 {
            16
        } else {
            64
        };
        Some((bits, advance))
    }

    /// Decodes one symbol; at least 16 bits must be buffered.
    #[inline(always)]
    fn symbol(&self, bits: &mut Bits<'_>) -> Result<u8, Bad> {
        let entry = self.fast[bits.peek(PEEK)];
        if entry != 0 {
            bits.consume(u32::from(entry >> 8));
            return Ok(entry as u8);
        }
        self.symbol_slow(bits)
    }

    /// Codes longer than [`PEEK`] bits, the canonical way (`jpeg_huff_decode`).
    #[cold]
    fn symbol_slow(&self, bits: &mut Bits<'_>) -> Result<u8, Bad> {
        let prefix = bits.peek(16) as i32;
        for length in PEEK as usize + 1..=16 {
            let code = prefix >> (16 - length);
            if code <= self.maxcode[length] {
                bits.consume(length as u32);
                return self.values.get((code + self.valoffset[length]) as usize).copied().ok_or(Bad);
            }
        }
        Err(Bad)
    }

    /// Skips the AC coefficients of one block.
    ///
    /// The bit buffer is kept in locals here, the hottest loop of the decoder: through
    /// `&mut Bits` the compiler stores and reloads it every coefficient.
    #[inline(always)]
    fn skip_ac(&self, bits: &mut Bits<'_>) -> Result<(), Bad> {
        let mut k = 1;
        let (mut buf, mut n) = (bits.buf, bits.n);
        while k < 64 {
            if n < 32 {
                (bits.buf, bits.n) = (buf, n);
                bits.refill();
                (buf, n) = (bits.buf, bits.n);
            }
            let entry = self.skip[(buf >> (64 - SKIP_PEEK)) as usize];
            if entry != 0 {
                // At most SKIP_PEEK bits, and at least 32 are buffered.
                let (bits1, advance1) = (entry & 31, (entry >> 5) & 127);
                let (bits2, advance2) = ((entry >> 12) & 31, entry >> 19);
                // The second coefficient only if the block goes on after the first.
                let (used, advance) =
                    if k + advance1 < 64 { (bits1 + bits2, advance1 + advance2) } else { (bits1, advance1) };
                buf <<= used;
                n -= used;
                k += advance;
                continue;
            }
            (bits.buf, bits.n) = (buf, n);
            let rs = self.symbol(bits)?;
            let (run, size) = (u32::from(rs >> 4), u32::from(rs & 15));
            if size != 0 {
                bits.consume(size);
                k += run + 1;
            } else if run == 15 {
                k += 16;
            } else {
                return Ok(());
            }
            (buf, n) = (bits.buf, bits.n);
        }
        (bits.buf, bits.n) = (buf, n);
        Ok(())
    }

    /// Decodes the AC coefficients of one block into `block` (natural order), exactly where
    /// libjpeg-turbo's `decode_mcu` puts them. Like [`Huffman::skip_ac`], with the bit buffer
    /// in locals and one table lookup per coefficient whose code and magnitude fit in
    /// [`SKIP_PEEK`] bits.
    #[inline(always)]
    fn read_ac(&self, bits: &mut Bits<'_>, block: &mut [i16; 64]) -> Result<(), Bad> {
        let mut k = 1;
        let (mut buf, mut n) = (bits.buf, bits.n);
        while k < 64 {
            if n < 32 {
                (bits.buf, bits.n) = (buf, n);
                bits.refill();
                (buf, n) = (bits.buf, bits.n);
            }
            let entry = self.read[(buf >> (64 - SKIP_PEEK)) as usize];
            if entry != 0 {
                // At most SKIP_PEEK bits, and at least 32 are buffered.
                let used = entry & 31;
                buf <<= used;
                n -= used;
                if entry & AC_END != 0 {
                    break;
                }
                k += ((entry >> 5) & 15) as usize;
                if entry & AC_VALUE != 0 {
                    block[ZIGZAG[k]] = (entry >> 16) as u16 as i16;
                }
                k += 1;
                continue;
            }
            (bits.buf, bits.n) = (buf, n);
            bits.ensure();
            let rs = self.symbol(bits)?;
            let (run, size) = (usize::from(rs >> 4), u32::from(rs & 15));
            if size != 0 {
                k += run;
                block[ZIGZAG[k]] = bits.extend(size) as i16;
                k += 1;
            } else if run == 15 {
                k += 16;
            } else {
                return Ok(());
            }
            (buf, n) = (bits.buf, bits.n);
        }
        (bits.buf, bits.n) = (buf, n);
        Ok(())
    }
}

/// Flags of a [`Huffman::read`] entry: the block ends (EOB); a coefficient value follows.
const AC_END: u32 = 1 << 12;
const AC_VALUE: u32 = 1 << 13;

/// A corrupt or unsupported code: the caller falls back to libjpeg-turbo.
#[derive(Debug)]
struct Bad;

// ---------------------------------------------------------------------------------------------
// Bit reader

/// Reads the entropy-coded segment MSB first, removing byte stuffing (0xFF 0x00). At a marker
/// it stops loading and supplies zero bits, counting them in `pad` so that a decode that
/// used them (a stream that ends early) can be detected, as libjpeg-turbo warns then.
#[derive(Clone)]
struct Bits<'a> {
    data: &'a [u8],
    /// Next byte to load.
    pos: usize,
    /// Buffered bits, left-aligned; the bits below the top `n` are zero.
    buf: u64,
    n: u32,
    /// Zero bits supplied after a marker or the end of the data (part of `n` until consumed).
    pad: u64,
    /// Offset of the 0xFF that starts the marker that stopped loading.
    marker: Option<usize>,
}

/// A reader's position after an MCU, kept to check the end of the scan afterwards.
#[derive(Clone, Copy, Default)]
struct State {
    pos: usize,
    n: u32,
    pad: u64,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Bits { data, pos, buf: 0, n: 0, pad: 0, marker: None }
    }

    /// Makes sure at least 32 bits are buffered (real or padding).
    #[inline(always)]
    fn ensure(&mut self) {
        if self.n < 32 {
            self.refill();
        }
    }

    #[inline(always)]
    fn refill(&mut self) {
        if self.marker.is_none()
            && let Some(chunk) = self.data.get(self.pos..self.pos + 8)
        {
            let word = u64::from_be_bytes(chunk.try_into().unwrap_or([0xFF; 8]));
            // No 0xFF byte among the 8: load as many whole bytes as fit.
            let inverted = !word;
            if (inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080) == 0 {
                let bytes = (64 - self.n) / 8;
                let bits = bytes * 8;
                let take = if bits == 64 { word } else { word & !(u64::MAX >> bits) };
                self.buf |= take >> self.n;
                self.n += bits;
                self.pos += bytes as usize;
                return;
            }
        }
        self.refill_slow();
    }

    /// Byte by byte, handling stuffing, markers and the end of the data.
    #[cold]
    fn refill_slow(&mut self) {
        while self.n <= 56 {
            let byte = if self.marker.is_some() {
                self.pad += 8;
                0
            } else {
                match self.data.get(self.pos) {
                    None => {
                        self.marker = Some(self.data.len());
                        continue;
                    }
                    Some(&0xFF) => {
                        if self.data.get(self.pos + 1) == Some(&0) {
                            self.pos += 2;
                            0xFF
                        } else {
                            // A marker (fill bytes included). Fill bytes before a stuffed
                            // 0x00 are legal but never written; the end check rejects them.
                            self.marker = Some(self.pos);
                            continue;
                        }
                    }
                    Some(&byte) => {
                        self.pos += 1;
                        byte
                    }
                }
            };
            self.buf |= u64::from(byte) << (56 - self.n);
            self.n += 8;
        }
    }

    /// The next `count` bits (1 to 16) as an index.
    #[inline(always)]
    fn peek(&self, count: u32) -> usize {
        (self.buf >> (64 - count)) as usize
    }

    #[inline(always)]
    fn consume(&mut self, count: u32) {
        // count <= 31 < 64 and count <= n after `ensure`; a corrupt table cannot break this
        // because codes are at most 16 bits and magnitudes at most 15.
        self.buf <<= count;
        self.n = self.n.saturating_sub(count);
    }

    /// Reads `size` (1 to 15) magnitude bits and extends them to a signed value (HUFF_EXTEND).
    #[inline(always)]
    fn extend(&mut self, size: u32) -> i32 {
        let value = (self.buf >> (64 - size)) as i32;
        self.consume(size);
        if value < 1 << (size - 1) { value - (1 << size) + 1 } else { value }
    }

    /// Whether more bits were consumed than the data held (the stream ended early).
    #[inline(always)]
    fn overrun(&self) -> bool {
        u64::from(self.n) < self.pad
    }

    fn state(&self) -> State {
        State { pos: self.pos, n: self.n, pad: self.pad }
    }

    /// The file offset, in bits, of the next unread bit: the same in every thread for the
    /// same place in the stream. `None` after an overrun.
    fn position(&self) -> Option<u64> {
        let real = u64::from(self.n).checked_sub(self.pad)?;
        let mut at = self.pos;
        for _ in 0..real.div_ceil(8) {
            at = at.checked_sub(1)?;
            // A data byte 0xFF is stored as 0xFF 0x00.
            if self.data[at] == 0 && at > 0 && self.data[at - 1] == 0xFF {
                at -= 1;
            }
        }
        let used = (8 - real % 8) % 8;
        Some(at as u64 * 8 + used)
    }

    /// At the end of a restart interval or of the scan: checks that at most the padding bits of
    /// the last byte are left (libjpeg-turbo warns about any extra byte before a marker) and
    /// returns the marker's code and the offset after it.
    fn segment_end(&mut self) -> Option<(u8, usize)> {
        self.refill_slow();
        let marker = self.marker?;
        if !ends_at_marker(self.state(), marker) {
            return None;
        }
        marker_code(self.data, marker)
    }
}

/// Whether a reader in `state` has only padding bits left before the marker at `marker`.
fn ends_at_marker(state: State, marker: usize) -> bool {
    state.pos == marker && u64::from(state.n) >= state.pad && u64::from(state.n) - state.pad < 8
}

/// The code of the marker whose first 0xFF is at `at`, and the offset after it.
fn marker_code(data: &[u8], mut at: usize) -> Option<(u8, usize)> {
    while *data.get(at)? == 0xFF {
        at += 1;
    }
    Some((data[at], at + 1))
}

const EOI: u8 = 0xD9;
const RST0: u8 = 0xD0;

// ---------------------------------------------------------------------------------------------
// Layout and entropy decoding

/// Which reduced IDCT turns a block into output pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Idct {
    /// `jpeg_idct_1x1`: one pixel, from the DC alone.
    OneByOne,
    /// `jpeg_idct_2x2`.
    TwoByTwo,
    /// `jpeg_idct_4x4`.
    FourByFour,
}

impl Idct {
    /// The IDCT whose output is `size` pixels on a side.
    fn of_size(size: usize) -> Option<Idct> {
        match size {
            1 => Some(Idct::OneByOne),
            2 => Some(Idct::TwoByTwo),
            4 => Some(Idct::FourByFour),
            _ => None,
        }
    }

    /// Output pixels on a side.
    fn size(self) -> usize {
        match self {
            Idct::OneByOne => 1,
            Idct::TwoByTwo => 2,
            Idct::FourByFour => 4,
        }
    }

    /// i32 values recorded per block: the DC, then the DC-independent terms (see
    /// [`idct2_terms`] and [`idct4_terms`]).
    fn record_len(self) -> usize {
        match self {
            Idct::OneByOne => 1,
            Idct::TwoByTwo => 5,
            Idct::FourByFour => 17,
        }
    }

    /// Writes the block's `size() x size()` pixels to `out` (rows `stride` apart); `false`
    /// where libjpeg-turbo's C and SIMD IDCTs may disagree or a DC is outside i16 (the caller
    /// falls back).
    #[inline(always)]
    fn block(self, record: &[i32], q0: i32, out: &mut [u8], stride: usize) -> bool {
        match self {
            Idct::OneByOne => dc_pixel(record[0], q0).map(|value| out[0] = value).is_some(),
            Idct::TwoByTwo => idct2_block(record, q0, out, stride),
            Idct::FourByFour => idct4_block(record, q0, out, stride),
        }
    }
}

/// How each MCU maps to blocks, records and output pixels.
struct Layout {
    grey: bool,
    /// The IDCT of the luma (or grey) blocks and of the chroma blocks.
    luma: Idct,
    chroma: Idct,
    /// Output pixels per luma block side: 8 / denominator.
    block_px: usize,
    /// Luma sampling factors (1 or 2 each).
    hy: usize,
    vy: usize,
    /// MCUs per row and in total (for grey, blocks).
    mcu_cols: usize,
    total: usize,
    restart: usize,
    out_w: usize,
    out_h: usize,
    /// i32 values recorded per MCU.
    stride: usize,
}

impl Layout {
    fn new(frame: &Frame, denominator: u32) -> Option<Layout> {
        let denominator = match denominator {
            4 | 8 => denominator as usize,
            _ => return None,
        };
        let block_px = 8 / denominator;
        let luma = Idct::of_size(block_px)?;
        let out_w = frame.width.div_ceil(denominator);
        let out_h = frame.height.div_ceil(denominator);
        let c = &frame.components;
        if c.len() == 1 {
            // A single-component scan is not interleaved: one block per MCU, whatever the
            // sampling factors say.
            let mcu_cols = frame.width.div_ceil(8);
            return Some(Layout {
                grey: true,
                luma,
                chroma: luma,
                block_px,
                hy: 1,
                vy: 1,
                mcu_cols,
                total: mcu_cols * frame.height.div_ceil(8),
                restart: frame.restart,
                out_w,
                out_h,
                stride: luma.record_len(),
            });
        }
        let (hy, vy) = (c[0].h, c[0].v);
        if hy > 2 || vy > 2 || c[1..].iter().any(|c| c.h != 1 || c.v != 1) {
            return None;
        }
        let chroma = match (hy, vy) {
            // 4:2:0: chroma IDCT-scaled to the luma's resolution; 4:4:4: same size already.
            (2, 2) => Idct::of_size(2 * block_px)?,
            (1, 1) => luma,
            // 4:2:2 and 4:4:0: replicated at 1/8; fancy-upsampled (not done here) at 1/4.
            _ if block_px == 1 => Idct::OneByOne,
            _ => return None,
        };
        let mcu_cols = frame.width.div_ceil(8 * hy);
        let mcu_rows = frame.height.div_ceil(8 * vy);
        let stride = hy * vy * luma.record_len() + 2 * chroma.record_len();
        Some(Layout {
            grey: false,
            luma,
            chroma,
            block_px,
            hy,
            vy,
            mcu_cols,
            total: mcu_cols * mcu_rows,
            restart: frame.restart,
            out_w,
            out_h,
            stride,
        })
    }
}

/// One block of an MCU.
struct BlockSpec<'t> {
    component: usize,
    /// What the block is turned into (and so which coefficients are kept).
    idct: Idct,
    dc: &'t Huffman,
    ac: &'t Huffman,
    quant: &'t [i32; 64],
}

/// Everything the decoding threads share (read-only).
struct Ctx<'a> {
    data: &'a [u8],
    layout: &'a Layout,
    blocks: Vec<BlockSpec<'a>>,
    scan_start: usize,
    /// DC quantisation value per component.
    q0: [i32; 3],
    /// Record slot of each component's DC in an MCU's record, for the DC fix-up.
    dc_slots: Vec<(usize, usize)>,
}

/// The entropy decoder's output: per MCU, `stride` values; the first `head_mcus` MCUs come
/// from `head`, the rest from `tail` starting at MCU `tail_from` of it.
struct Parts {
    head: Records,
    head_mcus: usize,
    tail: Records,
    tail_from: usize,
}

/// The values the entropy decoder records per MCU. At 1/4 scale they take hundreds of bytes an
/// MCU (400 MB for a 16384 x 16384 photograph), and returning that much memory to the system
/// takes a while: large records are freed on a thread of their own (as `ops::discard` does for
/// pixel buffers), so that a decode returns, done, declined or cancelled, without waiting.
#[derive(Default)]
struct Records(Vec<i32>);

/// Records of at least this many values are freed on a thread of their own.
const FREE_ON_A_THREAD_FROM: usize = 4 << 20;

impl Records {
    fn with_capacity(values: usize) -> Self {
        Records(Vec::with_capacity(values))
    }
}

impl std::ops::Deref for Records {
    type Target = Vec<i32>;

    fn deref(&self) -> &Vec<i32> {
        &self.0
    }
}

impl std::ops::DerefMut for Records {
    fn deref_mut(&mut self) -> &mut Vec<i32> {
        &mut self.0
    }
}

impl Drop for Records {
    fn drop(&mut self) {
        let values = std::mem::take(&mut self.0);
        if values.len() >= FREE_ON_A_THREAD_FROM {
            // If no thread can be started, `spawn` drops the closure, and the values with it.
            let _ = std::thread::Builder::new().name("pixbridge-discard".into()).spawn(move || drop(values));
        }
    }
}

/// What the second thread of a split decode produced.
struct Tail {
    records: Records,
    /// Complete MCUs decoded.
    count: usize,
    /// Reader states after the last MCUs (index `k % RING`), to check the end of the scan.
    ring: [State; RING],
    /// Where the last reader stopped loading.
    marker: Option<usize>,
    /// The MCU index at which the speculative thread last restarted after a corrupt code.
    last_restart: usize,
}

const RING: usize = 16;

/// MCU starts published by the speculative thread: bit positions and the DC predictors at each.
struct Published {
    positions: Vec<u64>,
    predictors: Vec<[i32; 3]>,
}

/// How the first thread stopped.
enum Stopped {
    /// At the end of the scan (it decoded everything).
    End,
    /// At the restart marker where the second thread started.
    Marker,
    /// At an MCU start the second thread also had: its MCU `index`.
    Synced { index: usize },
}

struct Head {
    records: Records,
    mcus: usize,
    predictors: [i32; 3],
    stopped: Stopped,
}

/// When the first thread should stop early.
#[derive(Clone, Copy)]
enum Stop<'s> {
    Never,
    /// At the end of the restart interval that ends at the marker at this offset.
    AtMarker(usize),
    /// At the first MCU start at or after `split_bit` that the speculative thread published.
    Sync {
        split_bit: u64,
        published: &'s OnceLock<Published>,
        cancel: &'s AtomicBool,
    },
}

impl<'a> Ctx<'a> {
    fn new(data: &'a [u8], frame: &'a Frame, layout: &'a Layout) -> Option<Ctx<'a>> {
        let mut blocks = Vec::new();
        let mut q0 = [0; 3];
        let mut dc_slots = Vec::new();
        let mut slot = 0;
        for (ci, c) in frame.components.iter().enumerate() {
            let dc = frame.dc[c.dc].as_ref()?;
            let ac = frame.ac[c.ac].as_ref()?;
            let quant = frame.quant[c.quant].as_ref()?;
            q0[ci] = quant[0];
            let count = if layout.grey { 1 } else { c.h * c.v };
            let idct = if ci == 0 { layout.luma } else { layout.chroma };
            for _ in 0..count {
                blocks.push(BlockSpec { component: ci, idct, dc, ac, quant });
                dc_slots.push((slot, ci));
                slot += idct.record_len();
            }
        }
        debug_assert_eq!(slot, layout.stride);
        Some(Ctx { data, layout, blocks, scan_start: frame.scan_start, q0, dc_slots })
    }

    /// Decodes one MCU, appending its record to `out`.
    #[inline(always)]
    fn decode_mcu(&self, bits: &mut Bits<'_>, predictors: &mut [i32; 3], out: &mut Vec<i32>) -> Result<(), Bad> {
        for block in &self.blocks {
            bits.ensure();
            let size = block.dc.symbol(bits)?;
            let diff = if size == 0 { 0 } else { bits.extend(u32::from(size)) };
            // libjpeg-turbo adds in `int` and keeps the (JCOEF) truncation for later; values
            // outside i16 make the pixel pass fall back.
            let dc = predictors[block.component].wrapping_add(diff);
            predictors[block.component] = dc;
            match block.idct {
                Idct::OneByOne => {
                    block.ac.skip_ac(bits)?;
                    out.push(dc);
                }
                Idct::TwoByTwo => {
                    let mut coefficients = [0i16; 64];
                    block.ac.read_ac(bits, &mut coefficients)?;
                    let terms = idct2_terms(&coefficients, block.quant).ok_or(Bad)?;
                    out.extend_from_slice(&[dc, terms[0], terms[1], terms[2], terms[3]]);
                }
                Idct::FourByFour => {
                    let mut coefficients = [0i16; 64];
                    block.ac.read_ac(bits, &mut coefficients)?;
                    let terms = idct4_terms(&coefficients, block.quant).ok_or(Bad)?;
                    out.push(dc);
                    out.extend_from_slice(&terms);
                }
            }
        }
        Ok(())
    }

    /// Decodes from the start of the scan until the end or `stop`.
    fn decode_head(&self, stop: Stop<'_>, expected_mcus: usize, progress: &Progress) -> Option<Head> {
        let layout = self.layout;
        let mut ticker = Ticker::new(progress, layout);
        let mut records = Records::with_capacity(expected_mcus.min(layout.total) * layout.stride);
        let mut bits = Bits::new(self.data, self.scan_start);
        let mut predictors = [0; 3];
        let mut next_restart = 0u8;
        let mut watching = !matches!(stop, Stop::Never);
        let mut cursor = 0;
        for mcu in 0..layout.total {
            if layout.restart > 0 && mcu > 0 && mcu % layout.restart == 0 {
                let (code, after) = bits.segment_end()?;
                let marker = bits.marker;
                if code != RST0 + next_restart {
                    return None;
                }
                if let Stop::AtMarker(at) = stop
                    && watching
                    && marker.is_some_and(|m| m >= at)
                {
                    if marker == Some(at) {
                        return Some(Head { records, mcus: mcu, predictors, stopped: Stopped::Marker });
                    }
                    watching = false;
                }
                next_restart = (next_restart + 1) & 7;
                bits = Bits::new(self.data, after);
                predictors = [0; 3];
            }
            if let Stop::Sync { split_bit, published, cancel } = stop
                && watching
                && bits.pos as u64 * 8 >= split_bit
                && let Some(position) = bits.position()
                && position >= split_bit
            {
                match published.get() {
                    None => {
                        // The second thread has not got there yet (or is not running): go on
                        // alone rather than wait, which could deadlock a busy rayon pool.
                        watching = false;
                        cancel.store(true, Ordering::Relaxed);
                    }
                    Some(list) => {
                        while cursor < list.positions.len() && list.positions[cursor] < position {
                            cursor += 1;
                        }
                        if cursor == list.positions.len() {
                            watching = false;
                            cancel.store(true, Ordering::Relaxed);
                        } else if list.positions[cursor] == position {
                            return Some(Head {
                                records,
                                mcus: mcu,
                                predictors,
                                stopped: Stopped::Synced { index: cursor },
                            });
                        }
                    }
                }
            }
            self.decode_mcu(&mut bits, &mut predictors, &mut records).ok()?;
            if bits.overrun() || ticker.tick() {
                return None;
            }
        }
        if let Stop::Sync { cancel, .. } = stop {
            cancel.store(true, Ordering::Relaxed);
        }
        let (code, _) = bits.segment_end()?;
        (code == EOI).then_some(Head { records, mcus: layout.total, predictors, stopped: Stopped::End })
    }

    fn decode_serial(&self, progress: &Progress) -> Option<Parts> {
        let head = self.decode_head(Stop::Never, self.layout.total, progress)?;
        Some(Parts { head: head.records, head_mcus: head.mcus, tail: Records::default(), tail_from: 0 })
    }

    /// Restart markers: the second thread starts after the first RST marker past the middle of
    /// the data; the first stops at that marker.
    fn decode_restart_split(&self, progress: &Progress) -> Option<(Parts, Split)> {
        let data = self.data;
        let middle = self.scan_start + (data.len() - self.scan_start) / 2;
        let found = (middle..data.len().saturating_sub(1))
            .find(|&i| data[i] == 0xFF && (RST0..RST0 + 8).contains(&data[i + 1]));
        let Some(mut marker) = found else { return self.decode_serial(progress).map(|p| (p, Split::Serial)) };
        while marker > self.scan_start && data[marker - 1] == 0xFF {
            marker -= 1;
        }
        let cancel = AtomicBool::new(false);
        let half = self.layout.total / 2 + self.layout.restart;
        let (head, tail) = rayon::join(
            || {
                let head = self.decode_head(Stop::AtMarker(marker), half, progress);
                // Unless the second thread's part is needed, stop it.
                if !matches!(head, Some(Head { stopped: Stopped::Marker, .. })) {
                    cancel.store(true, Ordering::Relaxed);
                }
                head
            },
            || self.decode_tail_restart(marker, half, &cancel, progress),
        );
        let head = head?;
        match head.stopped {
            Stopped::End => Some((
                Parts { head: head.records, head_mcus: head.mcus, tail: Records::default(), tail_from: 0 },
                Split::Serial,
            )),
            Stopped::Marker => {
                let tail = tail?;
                self.check_tail_end(&tail, 0, self.layout.total - head.mcus)?;
                let parts = Parts { head: head.records, head_mcus: head.mcus, tail: tail.records, tail_from: 0 };
                Some((parts, Split::Restart))
            }
            Stopped::Synced { .. } => None,
        }
    }

    /// The second thread with restart markers: whole intervals from the marker at `marker`
    /// until the end of the data.
    fn decode_tail_restart(
        &self,
        marker: usize,
        expected_mcus: usize,
        cancel: &AtomicBool,
        progress: &Progress,
    ) -> Option<Tail> {
        let layout = self.layout;
        let mut ticker = Ticker::new(progress, layout);
        let (code, mut after) = marker_code(self.data, marker)?;
        let mut next_restart = (code.wrapping_sub(RST0) + 1) & 7;
        let mut records = Records::with_capacity(expected_mcus * layout.stride);
        let mut ring = [State::default(); RING];
        let mut count = 0;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut bits = Bits::new(self.data, after);
            let mut predictors = [0; 3];
            for _ in 0..layout.restart {
                let before = records.len();
                if self.decode_mcu(&mut bits, &mut predictors, &mut records).is_err() || bits.overrun() {
                    // The last, shorter interval (or a corrupt one: the end check decides).
                    records.truncate(before);
                    bits.refill_slow();
                    return Some(Tail { records, count, ring, marker: bits.marker, last_restart: 0 });
                }
                ring[count % RING] = bits.state();
                count += 1;
                if ticker.tick() {
                    return None;
                }
            }
            let (code, next) = bits.segment_end()?;
            if code == EOI {
                return Some(Tail { records, count, ring, marker: bits.marker, last_restart: 0 });
            }
            if code != RST0 + next_restart {
                return None;
            }
            next_restart = (next_restart + 1) & 7;
            after = next;
        }
    }

    /// Checks that MCU `from + needed - 1` of the tail exists and ends the scan exactly (only
    /// padding bits, then EOI).
    fn check_tail_end(&self, tail: &Tail, from: usize, needed: usize) -> Option<()> {
        let last = from + needed;
        if needed == 0 || tail.count < last || tail.count - last >= RING {
            return None;
        }
        let marker = tail.marker?;
        let state = tail.ring[(last - 1) % RING];
        if !ends_at_marker(state, marker) {
            return None;
        }
        let (code, _) = marker_code(self.data, marker)?;
        (code == EOI).then_some(())
    }

    /// No restart markers: speculative split at the middle byte.
    fn decode_speculative(&self, progress: &Progress) -> Option<(Parts, Split)> {
        let data = self.data;
        let mut split = self.scan_start + (data.len() - self.scan_start) / 2;
        // Start on a data byte, not on the 0x00 of a stuffed 0xFF.
        while split < data.len() && data[split - 1] == 0xFF {
            split += 1;
        }
        let split_bit = split as u64 * 8;
        let published = OnceLock::new();
        let cancel = AtomicBool::new(false);
        let half = self.layout.total / 2 + self.layout.total / 16;
        let (head, tail) = rayon::join(
            || self.decode_head(Stop::Sync { split_bit, published: &published, cancel: &cancel }, half, progress),
            || self.decode_tail_speculative(split, half, &published, &cancel, progress),
        );
        let head = head?;
        match head.stopped {
            Stopped::End => Some((
                Parts { head: head.records, head_mcus: head.mcus, tail: Records::default(), tail_from: 0 },
                Split::Serial,
            )),
            Stopped::Synced { index } => {
                let mut tail = tail?;
                // A restart after the meeting point means a corrupt code in real data.
                if index < tail.last_restart {
                    return None;
                }
                let needed = self.layout.total - head.mcus;
                self.check_tail_end(&tail, index, needed)?;
                let list = published.get()?;
                let resync_bits = list.positions[index] - split_bit;
                let theirs = list.predictors[index];
                let mut delta = [0i32; 3];
                for c in 0..3 {
                    delta[c] = head.predictors[c].wrapping_sub(theirs[c]);
                }
                let stride = self.layout.stride;
                let range = index * stride..(index + needed) * stride;
                for record in tail.records[range].chunks_exact_mut(stride) {
                    for &(slot, component) in &self.dc_slots {
                        record[slot] = record[slot].wrapping_add(delta[component]);
                    }
                }
                let parts = Parts { head: head.records, head_mcus: head.mcus, tail: tail.records, tail_from: index };
                Some((parts, Split::Speculative { resync_bits }))
            }
            Stopped::Marker => None,
        }
    }

    /// The speculative second thread: decodes from byte `split` as if an MCU started there,
    /// publishing the bit positions of its MCU starts over the first [`SYNC_WINDOW_BITS`].
    fn decode_tail_speculative(
        &self,
        split: usize,
        expected_mcus: usize,
        published: &OnceLock<Published>,
        cancel: &AtomicBool,
        progress: &Progress,
    ) -> Option<Tail> {
        let layout = self.layout;
        let mut ticker = Ticker::new(progress, layout);
        let window_end = split as u64 * 8 + SYNC_WINDOW_BITS;
        let mut bits = Bits::new(self.data, split);
        let mut predictors = [0; 3];
        let mut records = Records::with_capacity(expected_mcus * layout.stride);
        let mut ring = [State::default(); RING];
        let mut positions = Vec::new();
        let mut starts = Vec::new();
        let mut publishing = true;
        let mut last_restart = 0;
        let mut count = 0;
        loop {
            if count % 256 == 0 && cancel.load(Ordering::Relaxed) {
                return None;
            }
            if publishing {
                match bits.position() {
                    Some(p) if p < window_end => {
                        positions.push(p);
                        starts.push(predictors);
                    }
                    _ => {
                        publishing = false;
                        let list = Published {
                            positions: std::mem::take(&mut positions),
                            predictors: std::mem::take(&mut starts),
                        };
                        let _ = published.set(list);
                    }
                }
            }
            let before = records.len();
            match self.decode_mcu(&mut bits, &mut predictors, &mut records) {
                Ok(()) if !bits.overrun() => {
                    ring[count % RING] = bits.state();
                    count += 1;
                    if ticker.tick() {
                        return None;
                    }
                }
                Err(Bad) if publishing && !bits.overrun() => {
                    // Not in step with the real MCUs yet: start again one byte further on.
                    records.truncate(before);
                    let mut next = bits.position()? as usize / 8 + 1;
                    while next < self.data.len() && self.data[next - 1] == 0xFF {
                        next += 1;
                    }
                    // The MCU that failed still has a published start: give it an empty
                    // record so record and position indices stay equal.
                    records.resize(before + layout.stride, 0);
                    count += 1;
                    last_restart = count;
                    bits = Bits::new(self.data, next);
                    predictors = [0; 3];
                }
                _ => {
                    records.truncate(before);
                    if publishing {
                        let list = Published {
                            positions: std::mem::take(&mut positions),
                            predictors: std::mem::take(&mut starts),
                        };
                        let _ = published.set(list);
                    }
                    bits.refill_slow();
                    return Some(Tail { records, count, ring, marker: bits.marker, last_restart });
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Pixels

    /// Turns the records into RGBA rows (two threads over bands of MCU rows).
    fn pixels(&self, parts: &Parts) -> Option<Vec<u8>> {
        let layout = self.layout;
        let row_bytes = layout.out_w * 4;
        let band_bytes = row_bytes * layout.block_px * layout.vy;
        let mut rgba = vec![0u8; row_bytes * layout.out_h];
        let bands = rgba.len().div_ceil(band_bytes);
        let bands_per_chunk = bands.div_ceil(4).max(1);
        let progress = Progress::new(bands as u64);
        let ok = rgba.par_chunks_mut(band_bytes * bands_per_chunk).enumerate().all(|(chunk, rows)| {
            rows.chunks_mut(band_bytes)
                .enumerate()
                .all(|(i, band)| self.pixel_band(parts, chunk * bands_per_chunk + i, band) && !progress.advance(1))
        });
        if ok {
            Some(rgba)
        } else {
            crate::ops::discard(rgba);
            None
        }
    }

    fn record<'p>(&self, parts: &'p Parts, mcu: usize) -> &'p [i32] {
        let stride = self.layout.stride;
        if mcu < parts.head_mcus {
            &parts.head[mcu * stride..(mcu + 1) * stride]
        } else {
            let at = mcu - parts.head_mcus + parts.tail_from;
            &parts.tail[at * stride..(at + 1) * stride]
        }
    }

    /// The output rows of MCU row `band` (the last band may have fewer rows); `false` if a value
    /// is outside the range where this decoder is sure to agree with libjpeg-turbo.
    fn pixel_band(&self, parts: &Parts, band: usize, out: &mut [u8]) -> bool {
        let layout = self.layout;
        let colour = colour_tables();
        let (luma_idct, chroma_idct) = (layout.luma, layout.chroma);
        let (luma_len, chroma_len) = (luma_idct.record_len(), chroma_idct.record_len());
        let px = layout.block_px;
        // Output pixels per MCU; every size here is a power of two (at most 4 x 4), so shifts
        // map an MCU pixel to its chroma sample.
        let (mcu_w, mcu_h) = (px * layout.hy, px * layout.vy);
        let n = chroma_idct.size();
        let (w_shift, h_shift, n_shift) = (mcu_w.trailing_zeros(), mcu_h.trailing_zeros(), n.trailing_zeros());
        let chroma_base = layout.hy * layout.vy * luma_len;
        let row_bytes = layout.out_w * 4;
        let rows = out.len() / row_bytes;
        let (mut luma, mut cb, mut cr) = ([0u8; 16], [0u8; 16], [0u8; 16]);
        for mcu_x in 0..layout.mcu_cols {
            let record = self.record(parts, band * layout.mcu_cols + mcu_x);
            for by in 0..layout.vy {
                for bx in 0..layout.hy {
                    let at = (by * layout.hy + bx) * luma_len;
                    let tile = &mut luma[by * px * mcu_w + bx * px..];
                    if !luma_idct.block(&record[at..at + luma_len], self.q0[0], tile, mcu_w) {
                        return false;
                    }
                }
            }
            if !layout.grey {
                let cb_record = &record[chroma_base..chroma_base + chroma_len];
                let cr_record = &record[chroma_base + chroma_len..chroma_base + 2 * chroma_len];
                if !chroma_idct.block(cb_record, self.q0[1], &mut cb, n)
                    || !chroma_idct.block(cr_record, self.q0[2], &mut cr, n)
                {
                    return false;
                }
            }
            let x0 = mcu_x * mcu_w;
            let columns = mcu_w.min(layout.out_w.saturating_sub(x0));
            for r in 0..rows {
                let line = &mut out[r * row_bytes + x0 * 4..][..columns * 4];
                let chroma_row = ((r << n_shift) >> h_shift) * n;
                for (c, pixel) in line.chunks_exact_mut(4).enumerate() {
                    let y = luma[r * mcu_w + c];
                    if layout.grey {
                        pixel.copy_from_slice(&[y, y, y, 255]);
                        continue;
                    }
                    let at = chroma_row + ((c << n_shift) >> w_shift);
                    let (b, red_c) = (usize::from(cb[at]), usize::from(cr[at]));
                    let y = i32::from(y);
                    let red = y + colour.cr_r[red_c];
                    let green = y + ((colour.cb_g[b] + colour.cr_g[red_c]) >> 16);
                    let blue = y + colour.cb_b[b];
                    pixel.copy_from_slice(&[clamp(red), clamp(green), clamp(blue), 255]);
                }
            }
        }
        true
    }
}

/// `range_limit` of libjpeg-turbo's IDCTs, indexed by `value & 1023`: the value plus 128,
/// clamped, with the wrap-around of its 1024-entry table for absurd values.
fn idct_range_limit(index: i32) -> u8 {
    match index & 1023 {
        i @ 0..128 => (i + 128) as u8,
        128..512 => 255,
        512..896 => 0,
        i => (i - 896) as u8,
    }
}

fn clamp(value: i32) -> u8 {
    value.clamp(0, 255) as u8
}

/// `jpeg_idct_1x1`; `None` for a DC outside i16 (libjpeg-turbo truncates it; we fall back).
#[inline(always)]
fn dc_pixel(dc: i32, q0: i32) -> Option<u8> {
    let dc = i16::try_from(dc).ok()?;
    Some(idct_range_limit((i32::from(dc) * q0 + 4) >> 3))
}

/// The DC-independent parts of `jpeg_idct_2x2` for one block: the odd part of column 0 after
/// pass 1 for rows 0 and 1, and the odd part of pass 2 for rows 0 and 1. With those, the
/// output only needs the (fixed-up) DC, so the speculative thread can record blocks before it
/// knows its DC predictors.
///
/// libjpeg-turbo runs this IDCT as C (`jidctred.c`, `int`/`long` arithmetic, wrapping output
/// table) or as SIMD (`jsimd_idct_2x2_sse2`: 16-bit dequantisation, 16-bit saturated pass-1
/// values, 32-bit pass 2, saturating output), which agree only while the values stay small.
/// Real photographs stay far inside these bounds (dequantised coefficients below about 1100);
/// outside them (corrupt data) `None` sends the file to libjpeg-turbo, whatever it runs.
fn idct2_terms(block: &[i16; 64], quant: &[i32; 64]) -> Option<[i32; 4]> {
    const DQ_LIMIT: i64 = 1 << 14;
    let mut dq = [0i64; 64];
    for r in [0, 1, 3, 5, 7] {
        for c in [0, 1, 3, 5, 7] {
            let i = r * 8 + c;
            dq[i] = i64::from(block[i]) * i64::from(quant[i]);
            if dq[i].abs() >= DQ_LIMIT {
                return None;
            }
        }
    }
    let mut ws = [[0i64; 8]; 2];
    for c in [0, 1, 3, 5, 7] {
        // Column 0's even part is the DC, added later.
        let even = if c == 0 { 0 } else { dq[c] << 15 };
        let odd = dq[56 + c] * -5906 + dq[40 + c] * 6967 + dq[24 + c] * -10426 + dq[8 + c] * 29692;
        for (r, sign) in [(0, 1), (1, -1)] {
            ws[r][c] = (even + sign * odd + (1 << 12)) >> 13;
            if ws[r][c].abs() > i64::from(i16::MAX) {
                return None;
            }
        }
    }
    let mut terms = [0i32; 4];
    for r in 0..2 {
        terms[r] = ws[r][0] as i32;
        let odd = ws[r][7] * -5906 + ws[r][5] * 6967 + ws[r][3] * -10426 + ws[r][1] * 29692;
        if odd.abs() > 1 << 29 {
            return None;
        }
        terms[2 + r] = odd as i32;
    }
    Some(terms)
}

/// Pass 2 of `jpeg_idct_2x2` for a block recorded as `[dc, column-0 odd row 0, row 1, pass-2
/// odd row 0, row 1]`, written to `out` (rows `stride` apart); `false` outside the bounds where
/// libjpeg-turbo's C and SIMD versions agree (see [`idct2_terms`]).
#[inline(always)]
fn idct2_block(record: &[i32], q0: i32, out: &mut [u8], stride: usize) -> bool {
    let Ok(dc) = i16::try_from(record[0]) else { return false };
    let dc = i64::from(dc) * i64::from(q0);
    if dc.abs() >= 1 << 14 {
        return false;
    }
    for r in 0..2 {
        let ws0 = (dc << 2) + i64::from(record[1 + r]);
        if ws0.abs() >= 1 << 15 {
            return false;
        }
        let odd = i64::from(record[3 + r]);
        for (c, sum) in [(ws0 << 15) + odd, (ws0 << 15) - odd].into_iter().enumerate() {
            let value = (sum + (1 << 19)) >> 20;
            if !(-512..512).contains(&value) {
                return false;
            }
            out[r * stride + c] = idct_range_limit(value as i32);
        }
    }
    true
}

/// The DC-independent parts of `jpeg_idct_4x4` for one block: for each of the four output rows
/// `r`, column 0 of pass 1 without the DC's share (the DC only enters there, as `dq0 << 2`
/// exactly, since pass 1 descales by 12 bits and the DC is shifted left by 14), then pass 2's
/// even part and its two odd parts. `[r0 col0, r0 even, r0 odd0, r0 odd2, r1 col0, ...]`.
///
/// As for [`idct2_terms`], libjpeg-turbo runs this IDCT as C (`int`/`long` arithmetic,
/// wrapping output table) or as SIMD (`jsimd_idct_4x4_sse2`: 16-bit dequantisation, 16-bit
/// saturated pass-1 values including a 16-bit shift for all-zero columns, 32-bit pass 2,
/// saturating output), which agree while every dequantised coefficient stays below 2^14 and
/// every pass-1 value fits i16 (column 0 is checked with its DC in [`idct4_pixel`]).
fn idct4_terms(block: &[i16; 64], quant: &[i32; 64]) -> Option<[i32; 16]> {
    const DQ_LIMIT: i64 = 1 << 14;
    let mut dq = [0i64; 64];
    // Row 4 is never read; column 4 is read by the SIMD version only, whose pass 2 ignores it.
    for r in [0, 1, 2, 3, 5, 6, 7] {
        for c in 0..8 {
            let i = r * 8 + c;
            dq[i] = i64::from(block[i]) * i64::from(quant[i]);
            if dq[i].abs() >= DQ_LIMIT {
                return None;
            }
        }
    }
    let mut ws = [[0i64; 8]; 4];
    for c in [0, 1, 2, 3, 5, 6, 7] {
        // Most columns of a photograph's block have no AC terms: pass 1 is then `dq << 2`
        // (libjpeg-turbo's shortcut, which the general formula equals), and 0 for column 0
        // without its DC.
        if [8, 16, 24, 40, 48, 56].iter().all(|&row| dq[row + c] == 0) {
            if c != 0 {
                let value = dq[c] << 2;
                if value.abs() > i64::from(i16::MAX) {
                    return None;
                }
                for ws in &mut ws {
                    ws[c] = value;
                }
            }
            continue;
        }
        // Column 0's DC share is added per pixel, once the DC is known.
        let dc = if c == 0 { 0 } else { dq[c] << 14 };
        let even = dq[16 + c] * 15137 + dq[48 + c] * -6270;
        let (z1, z2, z3, z4) = (dq[56 + c], dq[40 + c], dq[24 + c], dq[8 + c]);
        let odd0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
        let odd2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
        let descale = |x: i64| (x + (1 << 11)) >> 12;
        ws[0][c] = descale(dc + even + odd2);
        ws[3][c] = descale(dc + even - odd2);
        ws[1][c] = descale(dc - even + odd0);
        ws[2][c] = descale(dc - even - odd0);
        if c != 0 && (0..4).any(|r| ws[r][c].abs() > i64::from(i16::MAX)) {
            return None;
        }
    }
    let mut terms = [0i32; 16];
    for (r, ws) in ws.iter().enumerate() {
        if ws[1..].iter().all(|&v| v == 0) {
            terms[4 * r] = ws[0] as i32;
            continue;
        }
        let even = ws[2] * 15137 + ws[6] * -6270;
        let odd0 = ws[7] * -1730 + ws[5] * 11893 + ws[3] * -17799 + ws[1] * 8697;
        let odd2 = ws[7] * -4176 + ws[5] * -4926 + ws[3] * 7373 + ws[1] * 20995;
        // Column 0 without the DC is bounded by the checks above only loosely: check it here.
        if ws[0].abs() > 1 << 17 {
            return None;
        }
        // With every pass-1 value within i16 these fit i32 (at most 40119 * 32767 each).
        terms[4 * r..4 * r + 4].copy_from_slice(&[ws[0] as i32, even as i32, odd0 as i32, odd2 as i32]);
    }
    Some(terms)
}

/// Pass 2 of `jpeg_idct_4x4` for a block recorded as the DC followed by [`idct4_terms`],
/// written to `out` (rows `stride` apart); `false` outside the bounds where libjpeg-turbo's C
/// and SIMD versions agree.
#[inline(always)]
fn idct4_block(record: &[i32], q0: i32, out: &mut [u8], stride: usize) -> bool {
    let Ok(dc) = i16::try_from(record[0]) else { return false };
    let dc = i64::from(dc) * i64::from(q0);
    if dc.abs() >= 1 << 14 {
        return false;
    }
    for r in 0..4 {
        let row = &record[1 + 4 * r..5 + 4 * r];
        let ws0 = (dc << 2) + i64::from(row[0]);
        if ws0.abs() > i64::from(i16::MAX) {
            return false;
        }
        let (even, odd0, odd2) = (i64::from(row[1]), i64::from(row[2]), i64::from(row[3]));
        let base = (ws0 << 14) + (1 << 18);
        for (c, sum) in [even + odd2, -even + odd0, -even - odd0, even - odd2].into_iter().enumerate() {
            let value = (base + sum) >> 19;
            if !(-512..512).contains(&value) {
                return false;
            }
            out[r * stride + c] = idct_range_limit(value as i32);
        }
    }
    true
}

/// `jdcolor.c`'s YCbCr to RGB tables (SCALEBITS = 16).
struct ColourTables {
    cr_r: [i32; 256],
    cb_b: [i32; 256],
    cr_g: [i32; 256],
    cb_g: [i32; 256],
}

fn colour_tables() -> &'static ColourTables {
    static TABLES: OnceLock<ColourTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let fix = |x: f64| (x * 65536.0 + 0.5) as i64;
        let half = 1i64 << 15;
        let mut t = ColourTables { cr_r: [0; 256], cb_b: [0; 256], cr_g: [0; 256], cb_g: [0; 256] };
        for i in 0..256 {
            let x = i as i64 - 128;
            t.cr_r[i] = ((fix(1.40200) * x + half) >> 16) as i32;
            t.cb_b[i] = ((fix(1.77200) * x + half) >> 16) as i32;
            t.cr_g[i] = (-fix(0.71414) * x) as i32;
            t.cb_g[i] = (-fix(0.34414) * x + half) as i32;
        }
        t
    })
}
