//! Stress run through the C ABI (issue 6): 4 x cores threads mix good pipelines and bad inputs
//! for a bounded time. Every good pipeline must give the pixels the single-threaded run gave,
//! every bad input its single-threaded error code (and this thread's own message), and the
//! live-handle counters must return to their baseline. RSS at start and end is printed; the
//! C# and Java suites run the same design (`StressTests.cs`, `StressTest.java`).
//!
//! `PIXBRIDGE_STRESS_SECONDS` overrides the duration (default 8 s).

use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pixbridge::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

#[path = "common/abi.rs"]
mod common_abi;
#[path = "common/memory.rs"]
mod memory;

use common_abi::{check, last_message, live};

fn decode(bytes: &[u8]) -> Result<u64, ErrorCode> {
    common_abi::decode(bytes, None)
}

fn destroy(handle: u64) {
    assert_eq!(common_abi::destroy(handle), ErrorCode::Ok);
}

const GOOD_INPUTS: [&str; 5] = ["gradient-64x48.png", "chelsea.png", "coffee.png", "rocket.jpg", "palette-23x16.png"];

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// Resident memory of this process (VmRSS) in KiB.
fn rss_kib() -> u64 {
    memory::status_kib("VmRSS")
}

/// Destroys the image when dropped, so that an early `?` return does not leak it.
struct Owned(u64);

impl Drop for Owned {
    fn drop(&mut self) {
        destroy(self.0);
    }
}

/// Decode, blur 2, mirror, encode as PNG, decode that PNG again: the SHA-256 of its pixels.
fn pipeline(encoded: &[u8]) -> Result<[u8; 32], ErrorCode> {
    let image = Owned(decode(encoded)?);
    let mut blurred = 0;
    // SAFETY: plain handles and a valid out-parameter.
    check(unsafe { pixbridge_image_blur(image.0, 2.0, &mut blurred) })?;
    let blurred = Owned(blurred);
    check(pixbridge_image_mirror(blurred.0))?;
    let mut buffer = 0;
    // SAFETY: plain handle, a format code, a valid out-parameter.
    check(unsafe { pixbridge_image_encode(blurred.0, ImageFormat::Png as u32, 0, &mut buffer) })?;
    let (mut data, mut length) = (ptr::null(), 0);
    // SAFETY: valid out-parameters; the bytes stay valid until the buffer is destroyed.
    let png = unsafe {
        check(pixbridge_buffer_data(buffer, &mut data, &mut length))?;
        let png = std::slice::from_raw_parts(data, length).to_vec();
        assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
        png
    };
    let decoded = Owned(decode(&png)?);
    let (mut pixels, mut length) = (ptr::null(), 0);
    // SAFETY: valid out-parameters; the pixels stay valid while the image lives.
    unsafe {
        check(pixbridge_image_pixels(decoded.0, &mut pixels, &mut length))?;
        Ok(Sha256::digest(std::slice::from_raw_parts(pixels, length)).into())
    }
}

/// The manifest's decode cases that must fail: (input, bytes).
fn bad_inputs() -> Vec<(String, Vec<u8>)> {
    let manifest: Value = serde_json::from_slice(&std::fs::read(testdata("bad/manifest.json")).unwrap()).unwrap();
    manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|case| case["call"] == "decode" && case["expect"]["error"].is_string())
        .map(|case| {
            let input = case["input"].as_str().unwrap().to_string();
            let bytes = std::fs::read(testdata(&input)).unwrap();
            (input, bytes)
        })
        .collect()
}

#[test]
fn many_threads_mixing_good_and_bad_inputs_agree_with_one_thread() {
    let duration = std::env::var("PIXBRIDGE_STRESS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(8), Duration::from_secs_f64);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = 4 * cores;

    let good: Vec<(&str, Vec<u8>)> =
        GOOD_INPUTS.iter().map(|name| (*name, std::fs::read(testdata(name)).unwrap())).collect();
    let bad = bad_inputs();
    assert!(bad.len() >= 20, "the bad-input manifest has {} failing decode cases", bad.len());

    // Single-threaded expectations (this also warms the allocator before RSS is sampled).
    let baseline = live();
    let expected_hashes: Vec<[u8; 32]> =
        good.iter().map(|(name, bytes)| pipeline(bytes).unwrap_or_else(|code| panic!("{name}: {code:?}"))).collect();
    let expected_codes: Vec<ErrorCode> =
        bad.iter().map(|(name, bytes)| decode(bytes).map(destroy).expect_err(name)).collect();
    let rss_before = rss_kib();
    // RSS is sampled again once every thread has warmed up (a quarter of the way in): from
    // there to the end it must stay flat.
    let rss_warm = AtomicU64::new(0);

    let pipelines = AtomicU64::new(0);
    let rejections = AtomicU64::new(0);
    let deadline = Instant::now() + duration;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(duration / 4);
            rss_warm.store(rss_kib(), Ordering::Relaxed);
        });
        for thread in 0..threads {
            let (good, bad, expected_hashes, expected_codes) = (&good, &bad, &expected_hashes, &expected_codes);
            let (pipelines, rejections) = (&pipelines, &rejections);
            scope.spawn(move || {
                // Each thread starts at a different input so that all of them are in flight.
                let mut turn = thread;
                while Instant::now() < deadline {
                    let (name, bytes) = &good[turn % good.len()];
                    let hash = pipeline(bytes).unwrap_or_else(|code| panic!("thread {thread}, {name}: {code:?}"));
                    assert_eq!(hash, expected_hashes[turn % good.len()], "thread {thread}, {name}: different pixels");
                    pipelines.fetch_add(1, Ordering::Relaxed);

                    for step in 0..3 {
                        let index = (turn * 3 + step) % bad.len();
                        let (name, bytes) = &bad[index];
                        let code = decode(bytes).map(destroy).expect_err(name);
                        assert_eq!(code, expected_codes[index], "thread {thread}, {name}");
                        // The message is this thread's own: it names this input's failure.
                        assert_eq!(pixbridge_last_error_code(), code, "thread {thread}, {name}");
                        let message = last_message();
                        let subject = format!("({} bytes)", bytes.len());
                        assert!(message.contains(&subject), "thread {thread}, {name}: message {message:?}");
                        rejections.fetch_add(1, Ordering::Relaxed);
                    }
                    turn += 1;
                }
            });
        }
    });

    let rss_end = rss_kib();
    println!(
        "stress: {threads} threads for {duration:?}: {} pipelines and {} rejected inputs, all as single-threaded; \
         RSS {rss_before} KiB before, {} KiB warmed up, {rss_end} KiB at the end",
        pipelines.load(Ordering::Relaxed),
        rejections.load(Ordering::Relaxed),
        rss_warm.load(Ordering::Relaxed),
    );
    assert!(pipelines.load(Ordering::Relaxed) >= threads as u64, "every thread finished at least one pipeline");
    assert_eq!(live(), baseline, "handles leaked by the stress run");
}
