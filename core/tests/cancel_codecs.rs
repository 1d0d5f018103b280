//! Cancellation and progress of decoding, encoding, saving and thumbnails, through the public
//! API: every operation is checked cancelled before it starts, cancelled part-way (from its
//! own progress callback, so the point is deterministic) and uncancelled under a job, where it
//! must give exactly the plain call's result with progress that rises to 1.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pixbridge_core::control::Job;
use pixbridge_core::{
    ColorType, DecodeOptions, Error, Image, ImageFormat, JpegOptions, Opened, PngOptions, Result, ThumbnailFit,
    ThumbnailOptions,
};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(testdata(name)).unwrap()
}

/// An image's size, colour type and pixels, to compare results byte for byte.
fn image_bytes(image: Image) -> Vec<u8> {
    let mut bytes = format!("{} x {} {:?}:", image.width(), image.height(), image.color_type()).into_bytes();
    bytes.extend_from_slice(image.pixels());
    bytes
}

/// A job whose callback records the fractions it is given and, from `cancel_at` on, cancels
/// the job.
fn recording_job(cancel_at: Option<f32>) -> (Arc<Job>, Arc<AtomicBool>, Arc<Mutex<Vec<f32>>>) {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (sink, cancel) = (Arc::clone(&seen), Arc::clone(&flag));
    let job = Job::new(
        Arc::clone(&flag),
        Some(Arc::new(move |fraction| {
            sink.lock().unwrap().push(fraction);
            if cancel_at.is_some_and(|at| fraction >= at) {
                cancel.store(true, Ordering::Relaxed);
            }
        })),
    );
    (job, flag, seen)
}

/// Checks `op` cancelled before it starts, cancelled by its progress callback once the progress
/// reaches `cancel_at` (which must happen before the end), and uncancelled under a job: the
/// plain call's result, with progress strictly increasing to 1.
fn check_cancellation(name: &str, cancel_at: f32, op: impl Fn() -> Result<Vec<u8>>) {
    let (job, flag, seen) = recording_job(None);
    flag.store(true, Ordering::Relaxed);
    assert!(matches!(job.run(&op), Err(Error::Cancelled(_))), "{name}: cancelled before the start");
    assert!(seen.lock().unwrap().is_empty(), "{name}");

    let (job, flag, seen) = recording_job(Some(cancel_at));
    let result = job.run(&op);
    let seen = seen.lock().unwrap().clone();
    assert!(flag.load(Ordering::Relaxed), "{name}: the progress never reached {cancel_at}: {seen:?}");
    match result {
        Err(Error::Cancelled(message)) => assert!(message.contains("cancelled"), "{name}: {message}"),
        other => panic!("{name}: cancelled at {seen:?}, the result is {:?}", other.map(|bytes| bytes.len())),
    }

    let plain = op().unwrap();
    let (job, _, seen) = recording_job(None);
    let watched = job.run(&op).unwrap();
    assert!(watched == plain, "{name}: the result under a job differs from the plain call's");
    let seen = seen.lock().unwrap();
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "{name}: {seen:?}");
    assert_eq!(seen.last(), Some(&1.0), "{name}: {seen:?}");
}

/// `jpeg` with an EXIF segment (inserted after SOI) that gives `orientation`.
fn with_exif_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let tiff: Vec<u8> = [
        &b"MM\0\x2A\0\0\0\x08"[..],                            // big-endian, first IFD at 8
        &[0, 1],                                               // one entry
        &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0], // orientation, SHORT, 1 value
        &[0, 0, 0, 0],                                         // no next IFD
    ]
    .concat();
    let length = u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes();
    [&jpeg[..2], &[0xFF, 0xE1, length[0], length[1]], b"Exif\0\0", &tiff, &jpeg[2..]].concat()
}

/// A photograph large enough for several progress steps, as RGB.
fn photo() -> Image {
    Image::decode(&read("hubble_deep_field.jpg")).unwrap()
}

#[test]
fn jpeg_decoding_stops_in_every_decoder() {
    for name in ["rocket.jpg", "hubble_deep_field.jpg"] {
        let bytes = read(name);
        // 1/8 and 1/4 scale: the two-thread decoder of our own, checked every MCU row.
        for min_size in [(60, 40), (150, 100)] {
            let options = DecodeOptions { min_size: Some(min_size), ..DecodeOptions::default() };
            check_cancellation(&format!("{name} at {min_size:?}"), 0.3, || {
                Image::decode_with(&bytes, &options).map(image_bytes)
            });
        }
    }
    // libjpeg-turbo, at full size and at 1/2: one call that is not interrupted, then the
    // orientation, which is.
    let rotated = read("rocket-exif6.jpg");
    check_cancellation("rocket-exif6.jpg", 0.3, || Image::decode(&rotated).map(image_bytes));
    let options = DecodeOptions { min_size: Some((300, 200)), ..DecodeOptions::default() };
    check_cancellation("rocket-exif6.jpg at 1/2", 0.3, || Image::decode_with(&rotated, &options).map(image_bytes));
    // A progressive file (libjpeg-turbo), mirrored by its EXIF orientation (flipped in place).
    let progressive = JpegOptions { progressive: true, ..JpegOptions::default() };
    let progressive = with_exif_orientation(&photo().encode_jpeg(&progressive).unwrap(), 2);
    check_cancellation("progressive", 0.3, || Image::decode(&progressive).map(image_bytes));
    let plain = Image::decode(&read("hubble_deep_field.jpg")).unwrap();
    let (job, _, _) = recording_job(None);
    let watched = job.run(|| Image::decode(&read("hubble_deep_field.jpg"))).unwrap();
    assert!(image_bytes(watched) == image_bytes(plain));
}

#[test]
fn deferred_decoding_stops_too() {
    let options = DecodeOptions::default();
    let Opened::Pending(pending) = Image::open_deferred(&testdata("rocket-exif6.jpg"), &options).unwrap() else {
        panic!("a baseline JPEG is deferred")
    };
    check_cancellation("pending JPEG", 0.3, || pending.decode().map(image_bytes));
    let opened = |opened: Opened| match opened {
        Opened::Decoded(image) => image_bytes(image),
        Opened::Pending(_) => panic!("a PNG is decoded at once"),
    };
    let path = testdata("chelsea.png");
    check_cancellation("deferred PNG", 0.3, || Image::open_deferred(&path, &options).map(opened));
}

#[test]
fn decoding_through_the_image_crate_stops_while_reading() {
    let png = read("astronaut.png");
    check_cancellation("PNG", 0.3, || Image::decode(&png).map(image_bytes));
    let path = testdata("coffee.png");
    check_cancellation("open PNG", 0.3, || Image::open(&path).map(image_bytes));
    let options = DecodeOptions { lenient: true, ..DecodeOptions::default() };
    check_cancellation("open_with PNG, lenient", 0.3, || Image::open_with(&path, &options).map(image_bytes));
    let image = photo();
    for format in [ImageFormat::Bmp, ImageFormat::WebP, ImageFormat::Tiff] {
        let encoded = image.encode(format, None).unwrap();
        check_cancellation(&format!("{format}"), 0.3, || Image::decode(&encoded).map(image_bytes));
    }
}

#[test]
fn encoding_stops_and_gives_the_same_bytes_uncancelled() {
    let image = photo();
    check_cancellation("PNG", 0.3, || image.encode_png(&PngOptions::default()));
    check_cancellation("PNG level 6", 0.3, || image.encode_png(&PngOptions { compression: 6 }));
    check_cancellation("BMP", 0.3, || image.encode(ImageFormat::Bmp, None));
    // The WebP encoder writes its output only at the end: the cancel is seen after the
    // conversion of the pixels, at the encoder's first write.
    check_cancellation("WebP", 0.0, || image.encode(ImageFormat::WebP, None));
    // libjpeg-turbo compresses in one call: a grey image is seen cancelled after its samples
    // are made, before that call; every JPEG gives the same bytes under a job.
    let mut grey = image.crop(0, 0, 600, 400).unwrap();
    grey.grayscale().unwrap();
    assert_eq!(grey.color_type(), ColorType::L8);
    check_cancellation("grey JPEG", 0.0, || grey.encode_jpeg(&JpegOptions::default()));
    for options in [JpegOptions::default(), JpegOptions { progressive: true, ..JpegOptions::default() }] {
        let plain = image.encode_jpeg(&options).unwrap();
        let (job, _, seen) = recording_job(None);
        assert!(job.run(|| image.encode_jpeg(&options)).unwrap() == plain);
        assert_eq!(*seen.lock().unwrap(), [1.0]);
    }
}

/// The names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_cancelled_save_leaves_no_file_and_the_target_untouched() {
    let image = photo();
    let dir = tempfile::tempdir().unwrap();
    // Cancelled while encoding (PNG rows), at the end of encoding (JPEG), while writing the
    // file (a few MiB written 1 MiB at a time).
    let noisy = Image::from_rgba8(1024, 1024, common::Bytes::new(7).take(1024 * 1024 * 4)).unwrap();
    let cases: [(&str, &Image, f32); 3] =
        [("photo.png", &image, 0.3), ("photo.jpg", &image, 0.3), ("noise.bmp", &noisy, 0.95)];
    for (name, image, cancel_at) in cases {
        let target = dir.path().join(name);
        let save = || {
            image.save(&target)?;
            Ok(std::fs::read(&target).unwrap())
        };
        // Without a target, a cancelled save leaves none and no temporary file.
        for cancel_at in [0.0, cancel_at] {
            let (job, flag, seen) = recording_job(Some(cancel_at));
            let result = job.run(save);
            assert!(flag.load(Ordering::Relaxed), "{name}: {:?}", seen.lock().unwrap());
            assert!(matches!(result, Err(Error::Cancelled(_))), "{name}: {result:?}");
            assert!(entries(dir.path()).is_empty(), "{name}: {:?}", entries(dir.path()));
        }
        // With one, it stays as it was.
        std::fs::write(&target, b"the previous content").unwrap();
        let (job, _, _) = recording_job(Some(cancel_at));
        assert!(matches!(job.run(save), Err(Error::Cancelled(_))), "{name}");
        assert_eq!(std::fs::read(&target).unwrap(), b"the previous content", "{name}");
        assert_eq!(entries(dir.path()), [name], "{name}");
        check_cancellation(name, cancel_at, || {
            // The previous content again for the part-way cancel; each run then saves anew.
            std::fs::write(&target, b"the previous content").unwrap();
            save()
        });
        std::fs::remove_file(&target).unwrap();
    }
    // A file saved before the cancel is kept, with the same bytes as a plain save's.
    let options = pixbridge_core::EncodeOptions::default();
    let target = dir.path().join("kept.png");
    image.save_with(&target, None, &options).unwrap();
    let plain = std::fs::read(&target).unwrap();
    let (job, flag, _) = recording_job(None);
    job.run(|| image.save_with(&target, None, &options)).unwrap();
    flag.store(true, Ordering::Relaxed);
    assert!(std::fs::read(&target).unwrap() == plain);
}

#[test]
fn thumbnails_stop_while_decoding_and_while_resizing() {
    let options = ThumbnailOptions::default();
    let jpeg = read("hubble_deep_field.jpg");
    // Cancelled in the decode (at 1/4 scale, our own decoder).
    check_cancellation("JPEG thumbnail", 0.3, || {
        Image::thumbnail(&jpeg, 100, 100, ThumbnailFit::Cover, &options).map(image_bytes)
    });
    // Cancelled in the resize, which enlarges here (enough work to run in bands).
    let enlarge = ThumbnailOptions { allow_upscale: true, ..ThumbnailOptions::default() };
    check_cancellation("enlarging JPEG thumbnail", 0.8, || {
        Image::thumbnail(&jpeg, 2000, 2000, ThumbnailFit::Contain, &enlarge).map(image_bytes)
    });
    let png = read("astronaut.png");
    check_cancellation("PNG thumbnail", 0.3, || {
        Image::thumbnail(&png, 100, 60, ThumbnailFit::Contain, &options).map(image_bytes)
    });
    let path = testdata("rocket-exif6.jpg");
    check_cancellation("thumbnail file", 0.3, || {
        Image::thumbnail_file(&path, 64, 64, ThumbnailFit::Fill, &options).map(image_bytes)
    });
}

mod common;
