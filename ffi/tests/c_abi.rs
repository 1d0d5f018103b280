//! The C ABI's contract, exercised through the exported functions exactly as C calls them:
//! error codes and per-thread messages, handle safety, the panic boundary, the function table,
//! buffers, limits and atomic saves.

use std::path::Path;
use std::ptr;
use std::sync::{Mutex, MutexGuard};

use pixbridge::*;

#[path = "common/abi.rs"]
mod common_abi;
#[path = "common/operations.rs"]
mod operations;

use common_abi::{decode, destroy, last_message, live, open};

/// Tests here compare the global live-handle counters, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn testdata(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

fn from_pixels(width: u32, height: u32, rgba: &[u8]) -> u64 {
    let mut image = 0;
    // SAFETY: valid byte range and out-parameter.
    let code = unsafe { pixbridge_image_from_pixels(width, height, rgba.as_ptr(), rgba.len(), &mut image) };
    assert_eq!(code, ErrorCode::Ok, "{}", last_message());
    image
}

fn blur(image: u64, sigma: f32) -> Result<u64, ErrorCode> {
    let mut out = 0;
    // SAFETY: valid out-parameter.
    match unsafe { pixbridge_image_blur(image, sigma, &mut out) } {
        ErrorCode::Ok => Ok(out),
        code => Err(code),
    }
}

fn gradient(width: u32, height: u32) -> Vec<u8> {
    (0..width * height).flat_map(|i| [(i % width * 7) as u8, (i / width * 5) as u8, (i * 3) as u8, 255]).collect()
}

#[test]
fn file_errors_have_codes_and_messages() {
    let _serial = serial();
    let missing = testdata("does-not-exist.png");
    assert_eq!(open(&missing), Err(ErrorCode::NotFound));
    assert!(last_message().contains("does-not-exist.png"), "{}", last_message());
    assert_eq!(pixbridge_last_error_code(), ErrorCode::NotFound);

    assert_eq!(open(&testdata("")), Err(ErrorCode::Io), "a directory is not an image file");
    assert!(!last_message().is_empty());

    let mut image = 0;
    let invalid_utf8 = b"/tmp/\xff\xfe.png";
    // SAFETY: valid byte range and out-parameter.
    let code = unsafe { pixbridge_image_open(invalid_utf8.as_ptr(), invalid_utf8.len(), ptr::null(), &mut image) };
    assert_eq!(code, ErrorCode::InvalidUtf8);
    assert_eq!(image, 0, "out-parameters are written only on success");

    let text = testdata("SOURCES.md");
    assert_eq!(open(&text), Err(ErrorCode::UnsupportedFormat));
}

#[test]
fn bad_bytes_and_null_arguments_are_refused() {
    let _serial = serial();
    assert_eq!(decode(b"", None), Err(ErrorCode::UnsupportedFormat));
    assert_eq!(decode(b"plain text, not an image", None), Err(ErrorCode::UnsupportedFormat));
    let png = std::fs::read(testdata("astronaut.png")).unwrap();
    assert_eq!(decode(&png[..png.len() / 3], None), Err(ErrorCode::Decode), "truncated PNG");
    let jpeg = std::fs::read(testdata("rocket.jpg")).unwrap();
    let mut garbage = jpeg[..64].to_vec();
    garbage.extend(std::iter::repeat_n(0x5a, 4096));
    assert_eq!(decode(&garbage, None), Err(ErrorCode::Decode), "JPEG signature followed by garbage");

    let mut image = 0;
    // SAFETY: null data with a non-zero length must be refused before any read.
    assert_eq!(unsafe { pixbridge_image_decode(ptr::null(), 10, ptr::null(), &mut image) }, ErrorCode::NullArgument);
    // SAFETY: null out-parameter must be refused before any write.
    assert_eq!(
        unsafe { pixbridge_image_decode(png.as_ptr(), png.len(), ptr::null(), ptr::null_mut()) },
        ErrorCode::NullArgument
    );
    assert!(last_message().contains("out_image"), "{}", last_message());
    let short = [0u8; 15];
    // SAFETY: too few pixel bytes for 4x4 RGBA.
    assert_eq!(
        unsafe { pixbridge_image_from_pixels(2, 2, short.as_ptr(), short.len(), &mut image) },
        ErrorCode::InvalidArgument
    );
}

#[test]
fn decode_limits_are_enforced_and_configurable() {
    let _serial = serial();
    let png = std::fs::read(testdata("chelsea.png")).unwrap();
    let tight = DecodeLimits { max_width: 100, max_height: 10_000, max_decoded_bytes: u64::MAX };
    assert_eq!(decode(&png, Some(&tight)), Err(ErrorCode::LimitExceeded));
    assert!(last_message().contains("451"), "message names the width: {}", last_message());
    let small_budget = DecodeLimits { max_width: 10_000, max_height: 10_000, max_decoded_bytes: 1000 };
    assert_eq!(decode(&png, Some(&small_budget)), Err(ErrorCode::LimitExceeded));
    let roomy = DecodeLimits { max_width: 451, max_height: 300, max_decoded_bytes: 451 * 300 * 4 };
    let image = decode(&png, Some(&roomy)).unwrap();
    assert_eq!(destroy(image), ErrorCode::Ok);
}

#[test]
fn handles_are_checked_never_trusted() {
    let _serial = serial();
    let baseline = live();
    let image = from_pixels(3, 2, &gradient(3, 2));
    assert_eq!(live().0, baseline.0 + 1);
    assert_eq!(destroy(image), ErrorCode::Ok);
    assert_eq!(destroy(image), ErrorCode::InvalidHandle, "double destroy");
    assert_eq!(blur(image, 1.0), Err(ErrorCode::InvalidHandle), "use after destroy");
    for forged in [0, 1, 42, u64::MAX, image + 1, image ^ (1 << 40), 0x0100_0000_0000_0001] {
        assert_eq!(blur(forged, 1.0), Err(ErrorCode::InvalidHandle), "forged handle {forged:#x}");
        assert_eq!(destroy(forged), ErrorCode::InvalidHandle);
    }
    // A buffer handle is not an image handle and vice versa.
    let image = from_pixels(3, 2, &gradient(3, 2));
    let mut buffer = 0;
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_encode(image, ImageFormat::Png as u32, 0, &mut buffer) }, ErrorCode::Ok);
    assert_eq!(destroy(buffer), ErrorCode::InvalidHandle);
    assert_eq!(pixbridge_buffer_destroy(image), ErrorCode::InvalidHandle);
    assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
    assert_eq!(destroy(image), ErrorCode::Ok);
    assert_eq!(live(), baseline);
}

#[test]
fn every_operation_checks_its_handle() {
    let _serial = serial();
    let baseline = live();
    let destroyed = from_pixels(3, 2, &gradient(3, 2));
    assert_eq!(destroy(destroyed), ErrorCode::Ok);
    for spec in pixbridge_runtime::OPERATIONS {
        // Arguments that are valid for most operations; the handle is checked first anyway.
        let args: Vec<operations::Arg> = spec
            .params
            .iter()
            .map(|param| match param.ty {
                pixbridge_runtime::operations::ParamType::F32 => operations::Arg::F32(1.0),
                pixbridge_runtime::operations::ParamType::U32 => operations::Arg::U32(1),
                pixbridge_runtime::operations::ParamType::I32 => operations::Arg::I32(1),
                pixbridge_runtime::operations::ParamType::ResizeFilter => {
                    operations::Arg::ResizeFilter(ResizeFilter::Bilinear as u32)
                }
            })
            .collect();
        for handle in [0, destroyed, u64::MAX] {
            let returned = operations::call(spec, handle, &args).unwrap();
            assert_eq!(returned.code, ErrorCode::InvalidHandle, "{} on handle {handle:#x}", spec.name);
            assert_eq!(returned.out.unwrap_or(0), 0, "{}: no handle on failure", spec.name);
            assert!(!last_message().is_empty(), "{}: a message for the invalid handle", spec.name);
        }
    }
    assert_eq!(live(), baseline);
}

#[test]
fn panics_stop_at_the_boundary_and_the_library_keeps_working() {
    let _serial = serial();
    assert_eq!(pixbridge_debug_panic(), ErrorCode::Panic);
    assert!(last_message().contains("deliberate test panic"), "{}", last_message());
    let image = from_pixels(4, 4, &gradient(4, 4));
    let blurred = blur(image, 1.0).unwrap();
    assert_eq!(destroy(blurred), ErrorCode::Ok);
    assert_eq!(destroy(image), ErrorCode::Ok);
}

/// Calls failing exports from a thread-local's destructor that runs after the thread's error
/// slot is gone (registered before it, so destroyed after it): the calls must return their codes,
/// not panic outside the guard and abort the process.
#[test]
fn exports_called_during_thread_teardown_return_codes() {
    struct CallsOnDrop(std::sync::mpsc::Sender<(ErrorCode, ErrorCode, ErrorCode, usize)>);
    impl Drop for CallsOnDrop {
        fn drop(&mut self) {
            let destroyed = pixbridge_image_destroy(0);
            let last = pixbridge_last_error_code();
            let mut len = usize::MAX;
            let mut buf = [0u8; 64];
            // SAFETY: a writable buffer of 64 bytes and a writable length.
            let read = unsafe { pixbridge_last_error_message(buf.as_mut_ptr(), buf.len(), &mut len) };
            let _ = self.0.send((destroyed, last, read, len));
        }
    }
    thread_local! {
        static CALLS_ON_DROP: std::cell::RefCell<Option<CallsOnDrop>> = const { std::cell::RefCell::new(None) };
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Registered first, destroyed last: after the library's error slot.
        CALLS_ON_DROP.with(|slot| *slot.borrow_mut() = Some(CallsOnDrop(sender)));
        assert_eq!(pixbridge_image_destroy(0), ErrorCode::InvalidHandle);
    })
    .join()
    .expect("the thread ends normally");
    let (destroyed, last, read, len) = receiver.recv().expect("the destructor ran");
    assert_eq!(destroyed, ErrorCode::InvalidHandle);
    // The slot is gone, so the code and message are those of "no error", not a crash.
    assert!(matches!(last, ErrorCode::Ok | ErrorCode::InvalidHandle), "{last:?}");
    assert_eq!(read, ErrorCode::Ok);
    assert!(len < 64, "{len}");
}

#[test]
fn last_error_messages_are_per_thread() {
    let _serial = serial();
    let image = from_pixels(2, 2, &gradient(2, 2));
    assert_eq!(blur(image, f32::NAN), Err(ErrorCode::InvalidArgument));
    let main_message = last_message();
    assert!(main_message.contains("sigma"), "{main_message}");
    std::thread::spawn(|| {
        assert_eq!(last_message(), "", "a new thread has no last error");
        assert_eq!(open(Path::new("/no/such/file.png")), Err(ErrorCode::NotFound));
        assert!(last_message().contains("/no/such/file.png"));
    })
    .join()
    .unwrap();
    assert_eq!(last_message(), main_message, "another thread's failure left this thread's message alone");
    assert_eq!(destroy(image), ErrorCode::Ok);
}

#[test]
fn last_error_message_reports_buffer_too_small_without_changing_the_error() {
    let _serial = serial();
    assert_eq!(open(Path::new("/missing.png")), Err(ErrorCode::NotFound));
    let full = last_message();
    let mut small = [0u8; 4];
    let mut length = 0;
    // SAFETY: valid buffer and out-parameter.
    let status = unsafe { pixbridge_last_error_message(small.as_mut_ptr(), small.len(), &mut length) };
    assert_eq!(status, ErrorCode::BufferTooSmall);
    assert_eq!(length, full.len());
    assert_eq!(pixbridge_last_error_code(), ErrorCode::NotFound);
    assert_eq!(last_message(), full);
}

#[test]
fn function_table_matches_the_exports() {
    let table = pixbridge_functions();
    assert_eq!(table.size, std::mem::size_of::<PixbridgeFunctions>());
    assert_eq!(table.abi_version, pixbridge_abi_version());
    assert_eq!(table.image_open as usize, pixbridge_image_open as *const () as usize);
    assert_eq!(table.image_blur as usize, pixbridge_image_blur as *const () as usize);
    assert_eq!(table.image_adjust_contrast as usize, pixbridge_image_adjust_contrast as *const () as usize);
    // Header: size + version + one pointer per function.
    let pointer = std::mem::size_of::<usize>();
    assert_eq!(table.size, 2 * pointer + FUNCTION_TABLE.len() * pointer);
}

#[test]
fn encode_buffers_round_trip_and_pixels_are_zero_copy() {
    let _serial = serial();
    let baseline = live();
    let rgba = gradient(5, 3);
    let image = from_pixels(5, 3, &rgba);
    let (mut data, mut length) = (ptr::null(), 0usize);
    // SAFETY: valid out-parameters.
    assert_eq!(unsafe { pixbridge_image_pixels(image, &mut data, &mut length) }, ErrorCode::Ok);
    // SAFETY: the library guarantees `length` bytes while the handle lives.
    assert_eq!(unsafe { std::slice::from_raw_parts(data, length) }, &rgba[..]);

    // An in-place operation keeps the same buffer.
    assert_eq!(pixbridge_image_mirror(image), ErrorCode::Ok);
    let (mut after, mut after_length) = (ptr::null(), 0usize);
    // SAFETY: valid out-parameters.
    assert_eq!(unsafe { pixbridge_image_pixels(image, &mut after, &mut after_length) }, ErrorCode::Ok);
    assert_eq!((after, after_length), (data, length));

    let mut copy = vec![0u8; rgba.len()];
    // SAFETY: too small by one byte, then exact.
    assert_eq!(
        unsafe { pixbridge_image_copy_pixels(image, copy.as_mut_ptr(), copy.len() - 1) },
        ErrorCode::BufferTooSmall
    );
    // SAFETY: valid buffer.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(image, copy.as_mut_ptr(), copy.len()) }, ErrorCode::Ok);
    assert_eq!(copy[..4], rgba[16..20], "first pixel is the old last pixel of row 0");

    let mut buffer = 0;
    // SAFETY: valid out-parameter; quality 101 is refused, as is an unknown format.
    assert_eq!(
        unsafe { pixbridge_image_encode(image, ImageFormat::Jpeg as u32, 101, &mut buffer) },
        ErrorCode::InvalidArgument
    );
    // SAFETY: as above.
    assert_eq!(unsafe { pixbridge_image_encode(image, 99, 0, &mut buffer) }, ErrorCode::InvalidArgument);
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_encode(image, ImageFormat::Png as u32, 0, &mut buffer) }, ErrorCode::Ok);
    let (mut bytes, mut bytes_length) = (ptr::null(), 0usize);
    // SAFETY: valid out-parameters.
    assert_eq!(unsafe { pixbridge_buffer_data(buffer, &mut bytes, &mut bytes_length) }, ErrorCode::Ok);
    // SAFETY: valid while the buffer handle lives.
    let encoded = unsafe { std::slice::from_raw_parts(bytes, bytes_length) }.to_vec();
    let decoded = decode(&encoded, None).unwrap();
    let mut info = ImageInfo { width: 0, height: 0, color_type: ColorType::L8 };
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_image_info(decoded, &mut info) }, ErrorCode::Ok);
    assert_eq!((info.width, info.height, info.color_type), (5, 3, ColorType::Rgba8));
    let mut roundtrip = vec![0u8; rgba.len()];
    // SAFETY: valid buffer.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(decoded, roundtrip.as_mut_ptr(), roundtrip.len()) }, ErrorCode::Ok);
    assert_eq!(roundtrip, copy, "PNG is lossless");
    // SAFETY: plain values.
    unsafe {
        assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
        assert_eq!(pixbridge_buffer_data(buffer, &mut bytes, &mut bytes_length), ErrorCode::InvalidHandle);
    }
    assert_eq!(destroy(decoded), ErrorCode::Ok);
    assert_eq!(destroy(image), ErrorCode::Ok);
    assert_eq!(live(), baseline);
}

#[test]
fn failed_saves_leave_existing_files_alone() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let image = from_pixels(4, 4, &gradient(4, 4));
    let save = |path: &Path| {
        let path = path.to_str().unwrap();
        // SAFETY: valid path bytes.
        unsafe { pixbridge_image_save(image, path.as_ptr(), path.len()) }
    };
    let unknown = dir.path().join("picture.xyz");
    assert_eq!(save(&unknown), ErrorCode::UnsupportedFormat);
    assert!(!unknown.exists());

    let target = dir.path().join("existing.png");
    std::fs::write(&target, b"keep me").unwrap();
    let into_missing_dir = dir.path().join("no-such-dir/out.png");
    assert_ne!(save(&into_missing_dir), ErrorCode::Ok);
    assert_eq!(save(&target), ErrorCode::Ok);
    assert_eq!(&std::fs::read(&target).unwrap()[..4], b"\x89PNG");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("existing.png")], "no temporary files left behind");
    assert_eq!(destroy(image), ErrorCode::Ok);
}

#[test]
fn destroying_on_one_thread_while_another_uses_the_image_never_crashes() {
    let _serial = serial();
    let baseline = live();
    for _ in 0..20 {
        let image = from_pixels(64, 64, &gradient(64, 64));
        let user = std::thread::spawn(move || {
            let mut outcomes = Vec::new();
            for _ in 0..50 {
                match blur(image, 2.0) {
                    Ok(out) => {
                        assert_eq!(destroy(out), ErrorCode::Ok);
                        outcomes.push(ErrorCode::Ok);
                    }
                    Err(code) => outcomes.push(code),
                }
                outcomes.push(pixbridge_image_mirror(image));
            }
            outcomes
        });
        std::thread::yield_now();
        assert_eq!(destroy(image), ErrorCode::Ok);
        for outcome in user.join().unwrap() {
            assert!(matches!(outcome, ErrorCode::Ok | ErrorCode::InvalidHandle), "{outcome:?}");
        }
    }
    assert_eq!(live(), baseline);
}

fn open_with(path: &Path, options: &DecodeOptions) -> Result<u64, ErrorCode> {
    let path = path.to_str().expect("UTF-8 test path");
    let mut image = 0;
    // SAFETY: valid byte range, options and out-parameter.
    match unsafe { pixbridge_image_open_with(path.as_ptr(), path.len(), options, &mut image) } {
        ErrorCode::Ok => Ok(image),
        code => Err(code),
    }
}

fn copy_pixels(image: u64, len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    // SAFETY: `out` holds `len` writable bytes.
    assert_eq!(unsafe { pixbridge_image_copy_pixels(image, out.as_mut_ptr(), out.len()) }, ErrorCode::Ok);
    out
}

#[test]
fn deferred_decoding_through_the_c_struct() {
    let _serial = serial();
    let before = live();
    let limits = DecodeLimits { max_width: 32768, max_height: 32768, max_decoded_bytes: 512 << 20 };
    let options =
        |deferred| DecodeOptions { limits, min_width: 0, min_height: 0, deferred, lenient: 0, keep_profile: 0 };
    let path = testdata("rocket.jpg");
    let eager = open_with(&path, &options(0)).unwrap();
    let deferred = open_with(&path, &options(1)).unwrap();
    let empty = ImageInfo { width: 0, height: 0, color_type: ColorType::L8 };
    let (mut eager_info, mut deferred_info) = (empty, empty);
    // SAFETY: valid out-parameters.
    unsafe {
        assert_eq!(pixbridge_image_info(eager, &mut eager_info), ErrorCode::Ok);
        assert_eq!(pixbridge_image_info(deferred, &mut deferred_info), ErrorCode::Ok);
    }
    assert_eq!((deferred_info.width, deferred_info.height), (eager_info.width, eager_info.height));
    let len = eager_info.width as usize * eager_info.height as usize * 4;
    let blurred = [blur(eager, 40.0).unwrap(), blur(deferred, 40.0).unwrap()];
    assert_eq!(copy_pixels(blurred[0], len), copy_pixels(blurred[1], len), "in-place blur of the deferred decode");
    assert_eq!(copy_pixels(deferred, len), copy_pixels(eager, len));

    assert_eq!(open_with(&path, &options(2)), Err(ErrorCode::InvalidArgument));
    assert!(last_message().contains("deferred"), "{}", last_message());

    let truncated = std::fs::read(&path).unwrap();
    let truncated = &truncated[..truncated.len() / 2];
    let mut broken = 0;
    // SAFETY: valid byte range, options and out-parameter.
    let code = unsafe { pixbridge_image_decode_with(truncated.as_ptr(), truncated.len(), &options(1), &mut broken) };
    assert_eq!(code, ErrorCode::Ok, "the header is intact");
    let broken_blur = blur(broken, 2.0).expect("deferred: the parameters are checked, nothing is decoded yet");
    assert_eq!(blur(broken, -2.0), Err(ErrorCode::InvalidArgument), "bad parameters fail at the call");
    let mut dst = vec![0u8; len];
    // SAFETY: `dst` holds `len` writable bytes.
    let code = unsafe { pixbridge_image_copy_pixels(broken_blur, dst.as_mut_ptr(), dst.len()) };
    assert_eq!(code, ErrorCode::Decode, "the decode fails in the call that needs the pixels");
    assert!(last_message().contains("cannot decode"), "{}", last_message());

    for handle in blurred.into_iter().chain([eager, deferred, broken, broken_blur]) {
        destroy(handle);
    }
    assert_eq!(live(), before);
}

#[test]
fn trim_gives_freed_image_memory_back() {
    let _serial = serial();
    // 2000 x 1500 RGBA8: 12 MB, well above the size the allocator keeps blocks from.
    let image = from_pixels(2000, 1500, &vec![7u8; 2000 * 1500 * 4]);
    destroy(image);
    let mut released = 0u64;
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_trim(&mut released) }, ErrorCode::Ok);
    assert!(released >= 2000 * 1500 * 4, "released {released} bytes");
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_trim(&mut released) }, ErrorCode::Ok);
    assert_eq!(released, 0, "nothing left to give back");
    // SAFETY: a null out-parameter is refused, not written.
    assert_eq!(unsafe { pixbridge_trim(ptr::null_mut()) }, ErrorCode::NullArgument);
}

/// The decode warning of `image`, through `pixbridge_image_decode_warning` and its buffer.
fn decode_warning(image: u64) -> String {
    let (mut buffer, mut data, mut len) = (0u64, ptr::null(), 0usize);
    // SAFETY: valid out-parameters; the bytes are copied before the buffer is destroyed.
    unsafe {
        assert_eq!(pixbridge_image_decode_warning(image, &mut buffer), ErrorCode::Ok);
        assert_eq!(pixbridge_buffer_data(buffer, &mut data, &mut len), ErrorCode::Ok);
        let text = String::from_utf8(std::slice::from_raw_parts(data, len).to_vec()).unwrap();
        assert_eq!(pixbridge_buffer_destroy(buffer), ErrorCode::Ok);
        text
    }
}

#[test]
fn damaged_data_fails_by_default_and_a_lenient_decode_returns_it_marked() {
    let _serial = serial();
    let before = live();
    let limits = DecodeLimits { max_width: 32768, max_height: 32768, max_decoded_bytes: 512 << 20 };
    let options =
        |lenient| DecodeOptions { limits, min_width: 0, min_height: 0, deferred: 0, lenient, keep_profile: 0 };
    // testdata/truncated-64x48.png is the first half of gradient-64x48.png.
    let truncated = testdata("truncated-64x48.png");

    assert_eq!(open_with(&truncated, &options(0)), Err(ErrorCode::Decode));
    let strict_message = last_message();
    assert!(strict_message.contains("truncated-64x48.png"), "{strict_message}");
    assert!(strict_message.contains(" of 48 rows were decoded"), "{strict_message}");

    let partial = open_with(&truncated, &options(1)).unwrap();
    let warning = decode_warning(partial);
    assert!(warning.starts_with("the data is truncated or corrupt"), "{warning}");
    // The same count as the strict message's, which names the file before it.
    assert!(strict_message.ends_with(&warning), "{strict_message} / {warning}");
    let rows: usize = warning.split(" of 48 rows").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    let complete = open_with(&testdata("gradient-64x48.png"), &options(1)).unwrap();
    assert_eq!(decode_warning(complete), "", "a complete file is not marked");
    let (got, expected) = (copy_pixels(partial, 64 * 48 * 4), copy_pixels(complete, 64 * 48 * 4));
    let row = 64 * 4;
    assert_eq!(got[..rows * row], expected[..rows * row], "the decoded rows are the file's");
    assert!(got[rows * row..].chunks_exact(4).all(|px| px == [0, 0, 0, 255]), "the rest is black");

    let blurred = blur(partial, 1.0).unwrap();
    assert_eq!(decode_warning(blurred), "", "the mark stays with the decoded image");
    let both = DecodeOptions { deferred: 1, ..options(1) };
    assert_eq!(open_with(&truncated, &both), Err(ErrorCode::InvalidArgument));
    assert!(last_message().contains("lenient and deferred"), "{}", last_message());
    assert_eq!(open_with(&truncated, &options(2)), Err(ErrorCode::InvalidArgument));
    assert!(last_message().contains("lenient must be 0 or 1"), "{}", last_message());
    let mut buffer = 0u64;
    // SAFETY: valid out-parameter; the handle is not an image.
    assert_eq!(unsafe { pixbridge_image_decode_warning(u64::MAX, &mut buffer) }, ErrorCode::InvalidHandle);

    for handle in [partial, complete, blurred] {
        destroy(handle);
    }
    assert_eq!(live(), before);
}
