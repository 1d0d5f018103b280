//! Run-time plugins through the C ABI: the sample plugins against independent reference
//! implementations, the manifest's `plugin_cases`, every refusal at load, failures and panics
//! in operations, a 1.0 plugin on this 1.1 host, unloading while an operation runs, replacing a
//! plugin at run time from the same path, and threads applying while others load and unload.
//!
//! The plugins are built by `ci/build-plugins.sh` into `target/plugins` (run once here; or set
//! `PIXBRIDGE_PLUGIN_DIR` to a directory built beforehand). With `PIXBRIDGE_PIN_MANIFEST=1` the
//! manifest's plugin cases whose reference checks passed print their hashes to pin.

#[path = "common/abi.rs"]
mod common_abi;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common_abi::{check, last_message, live};
use pixbridge::{
    ErrorCode, ImageInfo, PluginInfo, PluginOperationInfo, PluginOperationKind, PluginParameterInfo,
    PluginParameterType, PluginText, pixbridge_image_copy_pixels, pixbridge_image_destroy, pixbridge_image_from_pixels,
    pixbridge_image_info, pixbridge_live_plugins, pixbridge_plugin_apply, pixbridge_plugin_info, pixbridge_plugin_load,
    pixbridge_plugin_operation_info, pixbridge_plugin_parameter_info, pixbridge_plugin_text, pixbridge_plugin_unload,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The directory of built plugins (built once per run).
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Ok(dir) = std::env::var("PIXBRIDGE_PLUGIN_DIR") {
            return PathBuf::from(dir);
        }
        let dir = repo().join("target/plugins");
        let status = Command::new("bash")
            .arg(repo().join("ci/build-plugins.sh"))
            .arg(&dir)
            .status()
            .expect("bash runs ci/build-plugins.sh");
        assert!(status.success(), "ci/build-plugins.sh builds the plugins");
        dir
    })
}

fn plugin_path(file: &str) -> PathBuf {
    plugin_dir().join(file)
}

/// Plugins are process-wide (their operation names are unique across loaded plugins): tests
/// that load one run one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A loaded plugin, unloaded on drop (unless already unloaded).
#[derive(Debug)]
struct Loaded(u64);

impl Drop for Loaded {
    fn drop(&mut self) {
        let _ = pixbridge_plugin_unload(self.0);
    }
}

fn load(path: &Path) -> Result<Loaded, (ErrorCode, String)> {
    let text = path.to_str().unwrap();
    let mut plugin = 0;
    // SAFETY: valid path bytes and out-parameter.
    match unsafe { pixbridge_plugin_load(text.as_ptr(), text.len(), &mut plugin) } {
        ErrorCode::Ok => Ok(Loaded(plugin)),
        code => Err((code, last_message())),
    }
}

fn load_ok(file: &str) -> Loaded {
    load(&plugin_path(file)).unwrap_or_else(|(code, message)| panic!("{file} loads: {code:?} {message}"))
}

fn text(plugin: u64, which: PluginText, operation: u32, parameter: u32) -> String {
    let mut length = 0;
    // SAFETY: a null buffer of length 0 asks for the length.
    let status = unsafe {
        pixbridge_plugin_text(plugin, which.as_u32(), operation, parameter, std::ptr::null_mut(), 0, &mut length)
    };
    assert_eq!(status, ErrorCode::BufferTooSmall, "{which:?}: {}", last_message());
    let mut buffer = vec![0xffu8; length + 1];
    // SAFETY: the buffer is valid for its length.
    let status = unsafe {
        pixbridge_plugin_text(
            plugin,
            which.as_u32(),
            operation,
            parameter,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut length,
        )
    };
    assert_eq!(status, ErrorCode::Ok, "{which:?}: {}", last_message());
    assert_eq!(buffer[length], 0, "NUL-terminated");
    buffer.truncate(length);
    String::from_utf8(buffer).unwrap()
}

/// One operation as the C ABI describes it.
#[derive(Debug)]
struct Described {
    name: String,
    docs: String,
    kind: PluginOperationKind,
    parameters: Vec<(String, String, PluginParameterInfo)>,
}

fn describe(plugin: u64) -> (PluginInfo, Vec<Described>) {
    let mut info = PluginInfo { abi_major: 0, abi_minor: 0, operation_count: 0 };
    // SAFETY: valid out-parameter.
    check(unsafe { pixbridge_plugin_info(plugin, &mut info) }).unwrap();
    let operations = (0..info.operation_count)
        .map(|index| {
            let mut operation = PluginOperationInfo { kind: PluginOperationKind::Fresh, parameter_count: 0 };
            // SAFETY: valid out-parameter.
            check(unsafe { pixbridge_plugin_operation_info(plugin, index, &mut operation) }).unwrap();
            let parameters = (0..operation.parameter_count)
                .map(|p| {
                    let mut parameter = PluginParameterInfo {
                        default_value: f64::NAN,
                        minimum: f64::NAN,
                        maximum: f64::NAN,
                        kind: PluginParameterType::Int,
                    };
                    // SAFETY: valid out-parameter.
                    check(unsafe { pixbridge_plugin_parameter_info(plugin, index, p, &mut parameter) }).unwrap();
                    (
                        text(plugin, PluginText::ParameterName, index, p),
                        text(plugin, PluginText::ParameterDocs, index, p),
                        parameter,
                    )
                })
                .collect();
            Described {
                name: text(plugin, PluginText::OperationName, index, 0),
                docs: text(plugin, PluginText::OperationDocs, index, 0),
                kind: operation.kind,
                parameters,
            }
        })
        .collect();
    (info, operations)
}

/// Applies `operation` with positional `arguments`; `Ok(Some(new))` for a fresh operation.
fn apply(operation: &str, image: u64, arguments: &[f64]) -> Result<Option<u64>, (ErrorCode, String)> {
    let mut out = u64::MAX;
    // SAFETY: valid name bytes, argument array and out-parameter.
    let status = unsafe {
        pixbridge_plugin_apply(
            operation.as_ptr(),
            operation.len(),
            image,
            arguments.as_ptr(),
            arguments.len(),
            &mut out,
        )
    };
    match status {
        ErrorCode::Ok => Ok((out != 0).then_some(out)),
        code => {
            assert_eq!(out, u64::MAX, "nothing written on failure");
            Err((code, last_message()))
        }
    }
}

/// An image in memory with its RGBA8 pixels, for references.
#[derive(Clone, Debug, PartialEq)]
struct Rgba {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

fn pixels(image: u64) -> Rgba {
    let mut info = ImageInfo { width: 0, height: 0, color_type: pixbridge::ColorType::Rgba8 };
    // SAFETY: valid out-parameter.
    check(unsafe { pixbridge_image_info(image, &mut info) }).unwrap();
    let mut pixels = vec![0u8; info.width as usize * info.height as usize * 4];
    // SAFETY: the buffer holds the image's bytes.
    check(unsafe { pixbridge_image_copy_pixels(image, pixels.as_mut_ptr(), pixels.len()) }).unwrap();
    Rgba { width: info.width, height: info.height, pixels }
}

fn from_pixels(rgba: &Rgba) -> u64 {
    let mut image = 0;
    // SAFETY: valid pixel bytes and out-parameter.
    check(unsafe {
        pixbridge_image_from_pixels(rgba.width, rgba.height, rgba.pixels.as_ptr(), rgba.pixels.len(), &mut image)
    })
    .unwrap();
    image
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// References written from the operations' documented arithmetic (docs/plugins.md,
/// samples/plugins), not from the plugins' code.
mod reference {
    use super::Rgba;

    fn each_colour(image: &mut Rgba, mut f: impl FnMut(usize, &mut [u8])) {
        let width = image.width as usize;
        for (index, pixel) in image.pixels.chunks_exact_mut(4).enumerate() {
            f(index % width + (index / width) * (1 << 20), &mut pixel[..3]);
        }
    }

    pub fn sepia(image: &mut Rgba, strength: f64) {
        let w = (strength * 256.0).round() as u32;
        each_colour(image, |_, c| {
            let (r, g, b) = (c[0] as u32, c[1] as u32, c[2] as u32);
            let s = [
                ((402 * r + 787 * g + 194 * b + 512) >> 10).min(255),
                ((357 * r + 702 * g + 172 * b + 512) >> 10).min(255),
                ((279 * r + 547 * g + 134 * b + 512) >> 10).min(255),
            ];
            for i in 0..3 {
                c[i] = ((c[i] as u32 * (256 - w) + s[i] * w + 128) >> 8) as u8;
            }
        });
    }

    pub fn channel_gain(image: &Rgba, gains: [f64; 3]) -> Rgba {
        let mut out = image.clone();
        each_colour(&mut out, |_, c| {
            for i in 0..3 {
                c[i] = (c[i] as f64 * gains[i]).round().min(255.0) as u8;
            }
        });
        out
    }

    pub fn vignette(image: &Rgba, strength: f64) -> Rgba {
        let mut out = image.clone();
        let (w, h) = (image.width as f64, image.height as f64);
        each_colour(&mut out, |position, c| {
            let (x, y) = ((position % (1 << 20)) as f64, (position >> 20) as f64);
            let dx = (x + 0.5) / w * 2.0 - 1.0;
            let dy = (y + 0.5) / h * 2.0 - 1.0;
            let f = (1.0 - strength * (dx * dx + dy * dy) / 2.0).max(0.0);
            for v in c.iter_mut() {
                *v = (*v as f64 * f + 0.5) as u8;
            }
        });
        out
    }

    pub fn posterize(image: &mut Rgba, levels: u32) {
        let n = levels - 1;
        each_colour(image, |_, c| {
            for v in c.iter_mut() {
                let q = (*v as u32 * n + 127) / 255;
                *v = ((q * 255 + n / 2) / n) as u8;
            }
        });
    }

    pub fn invert(image: &mut Rgba) {
        each_colour(image, |_, c| c.iter_mut().for_each(|v| *v = 255 - *v));
    }

    #[test]
    fn references_agree_with_hand_computed_values() {
        let mut image = Rgba { width: 1, height: 1, pixels: vec![100, 150, 200, 7] };
        // sepia of (100, 150, 200): (40200 + 118050 + 38800 + 512) >> 10 = 192, (35700 + 105300 +
        // 34400 + 512) >> 10 = 171, (27900 + 82050 + 26800 + 512) >> 10 = 134.
        sepia(&mut image, 1.0);
        assert_eq!(image.pixels, [192, 171, 134, 7]);
        let mut image = Rgba { width: 1, height: 1, pixels: vec![100, 150, 200, 7] };
        sepia(&mut image, 0.5); // (100 * 128 + 192 * 128 + 128) >> 8 = 146, ...
        assert_eq!(image.pixels, [146, 161, 167, 7]);
        assert_eq!(channel_gain(&image, [2.0, 0.0, 1.5]).pixels, [255, 0, 251, 7]); // 250.5 rounds up
        let mut grey = Rgba { width: 1, height: 1, pixels: vec![0, 100, 255, 9] };
        posterize(&mut grey, 2);
        assert_eq!(grey.pixels, [0, 0, 255, 9]);
        let mut grey = Rgba { width: 1, height: 1, pixels: vec![64, 128, 192, 9] };
        posterize(&mut grey, 3); // n = 2: q = 255 / 255, 383 / 255, 511 / 255 = 1, 1, 2 -> 128, 128, 255
        assert_eq!(grey.pixels, [128, 128, 255, 9]);
        // The centre pixel of a 1x1 image has dx = dy = 0: unchanged.
        assert_eq!(vignette(&image, 1.0).pixels, image.pixels);
        // A 2x1 image: dx = -0.5 and 0.5, f = 1 - 0.25 / 2 = 0.875.
        let two = Rgba { width: 2, height: 1, pixels: vec![200, 100, 0, 1, 8, 16, 255, 2] };
        assert_eq!(vignette(&two, 1.0).pixels, [175, 88, 0, 1, 7, 14, 223, 2]);
    }
}

#[test]
fn sample_plugins_describe_themselves() {
    let _serial = serial();
    let sepia = load_ok("libpixbridge_sepia.so");
    let (info, operations) = describe(sepia.0);
    assert_eq!((info.abi_major, info.abi_minor), (1, 1));
    assert_eq!(text(sepia.0, PluginText::PluginName, 0, 0), "sepia");
    assert_eq!(text(sepia.0, PluginText::PluginVersion, 0, 0), "1.0.0");
    assert!(!text(sepia.0, PluginText::PluginDocs, 0, 0).is_empty());
    assert_eq!(text(sepia.0, PluginText::PluginPath, 0, 0), plugin_path("libpixbridge_sepia.so").to_str().unwrap());
    let names: Vec<&str> = operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["sepia", "channel_gain"]);
    assert_eq!(operations[0].kind, PluginOperationKind::InPlace);
    assert_eq!(operations[1].kind, PluginOperationKind::Fresh);
    let (name, docs, strength) = &operations[0].parameters[0];
    assert_eq!(name, "strength");
    assert!(!docs.is_empty() && !operations[0].docs.is_empty());
    assert_eq!(
        (strength.kind, strength.default_value, strength.minimum, strength.maximum),
        (PluginParameterType::Float, 1.0, 0.0, 1.0)
    );
    let gains: Vec<&str> = operations[1].parameters.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(gains, ["red", "green", "blue"]);

    let vignette = load_ok("libpixbridge_vignette.so");
    let (_, operations) = describe(vignette.0);
    let posterize = operations.iter().find(|o| o.name == "posterize").expect("posterize");
    assert_eq!(posterize.kind, PluginOperationKind::InPlace);
    let levels = &posterize.parameters[0].2;
    assert_eq!(
        (levels.kind, levels.default_value, levels.minimum, levels.maximum),
        (PluginParameterType::Int, 4.0, 2.0, 256.0)
    );

    // Indices out of range and unknown text codes are errors, not reads past the end.
    let mut out = PluginOperationInfo { kind: PluginOperationKind::Fresh, parameter_count: 0 };
    // SAFETY: valid out-parameter.
    assert_eq!(unsafe { pixbridge_plugin_operation_info(vignette.0, 2, &mut out) }, ErrorCode::InvalidArgument);
    let mut length = 0;
    // SAFETY: null buffer, length 0.
    assert_eq!(
        unsafe { pixbridge_plugin_text(vignette.0, 99, 0, 0, std::ptr::null_mut(), 0, &mut length) },
        ErrorCode::InvalidArgument
    );
    // SAFETY: as above.
    assert_eq!(
        unsafe {
            pixbridge_plugin_text(
                vignette.0,
                PluginText::ParameterName.as_u32(),
                0,
                5,
                std::ptr::null_mut(),
                0,
                &mut length,
            )
        },
        ErrorCode::InvalidArgument
    );
}

#[test]
fn sample_operations_match_their_references() {
    let _serial = serial();
    let _sepia = load_ok("libpixbridge_sepia.so");
    let _vignette = load_ok("libpixbridge_vignette.so");
    let (images_before, _) = live();
    for input in ["rocket.jpg", "gradient-rgba-64x48.png", "gray-alpha-32x24.png", "column-1x17.png", "pixel-1x1.png"] {
        let image = common_abi::open(&repo().join("testdata").join(input)).unwrap();
        let source = pixels(image);

        for strength in [0.0, 0.3, 1.0] {
            let copy = from_pixels(&source);
            assert_eq!(apply("sepia", copy, &[strength]), Ok(None));
            let mut expected = source.clone();
            reference::sepia(&mut expected, strength);
            assert_eq!(pixels(copy), expected, "sepia {strength} of {input}");
            pixbridge_image_destroy(copy);
        }
        let gains = [1.25, 0.0, 3.5];
        let made = apply("channel_gain", image, &gains).unwrap().expect("a fresh operation returns an image");
        assert_eq!(pixels(made), reference::channel_gain(&source, gains), "channel_gain of {input}");
        assert_eq!(pixels(image), source, "a fresh operation leaves its source alone");
        pixbridge_image_destroy(made);

        let made = apply("vignette", image, &[]).unwrap().unwrap();
        assert_eq!(pixels(made), reference::vignette(&source, 0.5), "vignette (default 0.5) of {input}");
        pixbridge_image_destroy(made);
        for levels in [2.0, 5.0, 256.0] {
            let copy = from_pixels(&source);
            apply("posterize", copy, &[levels]).unwrap();
            let mut expected = source.clone();
            reference::posterize(&mut expected, levels as u32);
            assert_eq!(pixels(copy), expected, "posterize {levels} of {input}");
            pixbridge_image_destroy(copy);
        }
        pixbridge_image_destroy(image);
    }
    assert_eq!(live().0, images_before, "no image leaked");
}

fn live_plugins() -> u64 {
    let mut count = 0;
    // SAFETY: valid out-parameter.
    check(unsafe { pixbridge_live_plugins(&mut count) }).unwrap();
    count
}

/// The manifest's `plugin_cases`, run as every language's runner runs them: load the plugins
/// in order, open the input, apply each operation by name with its named arguments (mapped to
/// positions through the plugin's description; an unknown name is `InvalidArgument`), compare.
/// Each result is also checked against the references above.
#[test]
fn manifest_plugin_cases() {
    let _serial = serial();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("testdata/manifest.json")).unwrap()).unwrap();
    let cases = manifest["plugin_cases"].as_array().expect("the manifest has plugin_cases");
    assert!(cases.len() >= 20);
    let pin = std::env::var("PIXBRIDGE_PIN_MANIFEST").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        let outcome = run_plugin_case(case);
        match (outcome, expect.get("error").and_then(Value::as_str)) {
            (Err((code, message)), Some(error)) => {
                if code.name() != error {
                    failures.push(format!("{name}: expected {error}, got {code:?} ({message})"));
                }
                assert!(!message.is_empty(), "{name}: a failure has a message");
            }
            (Err((code, message)), None) => failures.push(format!("{name}: failed with {code:?}: {message}")),
            (Ok(result), Some(error)) => {
                failures.push(format!("{name}: expected {error}, got a {}x{} image", result.width, result.height))
            }
            (Ok(result), None) => {
                let hash = sha256(&result.pixels);
                if pin {
                    println!("PIN {name} {} {} {hash}", result.width, result.height);
                } else if (expect["width"].as_u64(), expect["height"].as_u64(), expect["sha256"].as_str())
                    != (Some(result.width.into()), Some(result.height.into()), Some(hash.as_str()))
                {
                    failures
                        .push(format!("{name}: got {}x{} {hash}, manifest says {expect}", result.width, result.height));
                }
            }
        }
        assert_eq!(live_plugins(), 0, "{name}: every plugin unloaded");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn run_plugin_case(case: &Value) -> Result<Rgba, (ErrorCode, String)> {
    let mut loaded = Vec::new();
    for file in case["plugins"].as_array().unwrap() {
        loaded.push(load(&plugin_path(file.as_str().unwrap()))?);
    }
    let input = case["input"].as_str().expect("a case that loads its plugins has an input");
    let image = common_abi::open(&repo().join("testdata").join(input)).map_err(|code| (code, last_message()))?;
    let mut current = image;
    let mut expected = pixels(image);
    let result = (|| {
        for step in case["ops"].as_array().unwrap() {
            let operation = step["op"].as_str().unwrap();
            let given = step.get("arguments").and_then(Value::as_object).cloned().unwrap_or_default();
            let described = loaded.iter().flat_map(|plugin| describe(plugin.0).1).find(|o| o.name == operation);
            let arguments = match &described {
                // An unknown operation goes to the host as it is (its error is the host's).
                None => Vec::new(),
                Some(described) => {
                    if let Some(unknown) =
                        given.keys().find(|key| !described.parameters.iter().any(|(name, ..)| name == *key))
                    {
                        return Err((
                            ErrorCode::InvalidArgument,
                            format!("`{operation}` has no parameter `{unknown}`"),
                        ));
                    }
                    described
                        .parameters
                        .iter()
                        .map(|(name, _, info)| given.get(name).map_or(info.default_value, |v| v.as_f64().unwrap()))
                        .collect()
                }
            };
            let before = current;
            if let Some(made) = apply(operation, current, &arguments)? {
                current = made;
                if before != image {
                    pixbridge_image_destroy(before);
                }
            }
            expected = reference_step(operation, &arguments, &expected);
            assert_eq!(pixels(current), expected, "{}: step {operation} agrees with its reference", case["name"]);
        }
        Ok(pixels(current))
    })();
    if current != image {
        pixbridge_image_destroy(current);
    }
    pixbridge_image_destroy(image);
    result
}

fn reference_step(operation: &str, arguments: &[f64], input: &Rgba) -> Rgba {
    let mut out = input.clone();
    match operation {
        "sepia" => reference::sepia(&mut out, arguments[0]),
        "channel_gain" => out = reference::channel_gain(input, [arguments[0], arguments[1], arguments[2]]),
        "vignette" => out = reference::vignette(input, arguments[0]),
        "posterize" => reference::posterize(&mut out, arguments[0] as u32),
        "legacy_invert" => reference::invert(&mut out),
        other => panic!("no reference for plugin operation {other}"),
    }
    out
}

#[test]
fn every_bad_plugin_is_refused_with_its_reason() {
    let _serial = serial();
    let cases: &[(&str, ErrorCode, &str)] = &[
        ("libbad_wrong_size.so", ErrorCode::PluginRejected, "declares 20 bytes"),
        ("libbad_future_abi.so", ErrorCode::PluginRejected, "built for plugin ABI 2"),
        ("libbad_no_entry.so", ErrorCode::PluginRejected, "no `pixbridge_plugin_entry` symbol"),
        ("libbad_null_descriptor.so", ErrorCode::PluginRejected, "no descriptor"),
        ("not_a_library.so", ErrorCode::PluginRejected, "cannot be loaded as a library"),
        ("libbad_malformed_1.so", ErrorCode::PluginRejected, "name is null"),
        ("libbad_malformed_2.so", ErrorCode::PluginRejected, "parameters pointer is null"),
        ("libbad_malformed_3.so", ErrorCode::PluginRejected, "two operations are named `twice`"),
        ("libbad_malformed_4.so", ErrorCode::PluginRejected, "kind 7"),
        ("libbad_malformed_5.so", ErrorCode::PluginRejected, "not within its range"),
        ("libbad_clash.so", ErrorCode::PluginRejected, "`blur` is one of Pixbridge's own operations"),
        ("libdoes_not_exist.so", ErrorCode::NotFound, "no plugin file"),
    ];
    for (file, code, reason) in cases {
        match load(&plugin_path(file)) {
            Ok(_) => panic!("{file} was loaded"),
            Err((got, message)) => {
                assert_eq!(got, *code, "{file}: {message}");
                assert!(message.contains(reason), "{file}: the message says why ({reason}): {message}");
            }
        }
    }
    // A directory is not a plugin; an empty path and a null out-parameter are argument errors.
    assert_eq!(load(plugin_dir()).unwrap_err().0, ErrorCode::PluginRejected);
    let mut plugin = 0;
    // SAFETY: an empty path; a null out-parameter.
    unsafe {
        assert_eq!(pixbridge_plugin_load(c"".as_ptr().cast(), 0, &mut plugin), ErrorCode::InvalidArgument);
        let path = plugin_path("libpixbridge_sepia.so");
        let path = path.to_str().unwrap();
        assert_eq!(pixbridge_plugin_load(path.as_ptr(), path.len(), std::ptr::null_mut()), ErrorCode::NullArgument);
    }
    // Loading a plugin twice, or two plugins with the same operation, is refused: names stay unique.
    let sepia = load_ok("libpixbridge_sepia.so");
    let (code, message) = load(&plugin_path("libpixbridge_sepia.so")).expect_err("a second copy is refused");
    assert_eq!(code, ErrorCode::PluginRejected);
    assert!(message.contains("already provided by the loaded plugin sepia 1.0.0"), "{message}");
    drop(sepia);
    assert_eq!(live_plugins(), 0, "refused plugins leave nothing loaded");
    // Stale, forged and wrong-kind handles.
    for handle in [0, 1, u64::MAX] {
        assert_eq!(pixbridge_plugin_unload(handle), ErrorCode::InvalidHandle);
    }
}

#[test]
fn failures_and_panics_in_operations_become_errors() {
    let _serial = serial();
    let _failing = load_ok("libbad_failing.so");
    let _panicking = load_ok("libpixbridge_test_panicking.so");
    let image = from_pixels(&Rgba { width: 3, height: 2, pixels: vec![9; 24] });
    let (code, message) = apply("always_fails", image, &[]).unwrap_err();
    assert_eq!(code, ErrorCode::PluginFailed);
    assert!(
        message.contains("failing 1.0.0")
            && message.contains("code 7")
            && message.contains("the failing plugin always fails"),
        "{message}"
    );
    let (code, message) = apply("panics", image, &[]).unwrap_err();
    assert_eq!(code, ErrorCode::PluginFailed);
    assert!(message.contains("deliberate panic in a plugin"), "{message}");
    assert!(message.contains("panicked at ") && message.contains("src/lib.rs:"), "with where: {message}");
    let (code, message) = apply("fails", image, &[]).unwrap_err();
    assert_eq!(code, ErrorCode::PluginFailed);
    assert!(message.contains("deliberate failure"), "{message}");
    // The library and the plugin keep working after a caught panic.
    assert_eq!(apply("panics", image, &[]).unwrap_err().0, ErrorCode::PluginFailed);
    assert_eq!(pixels(image).pixels, vec![9; 24]);

    // Argument errors never reach the plugin.
    let _vignette = load_ok("libpixbridge_vignette.so");
    for (arguments, what) in [
        (&[1.0][..], "outside"),
        (&[300.0], "outside"),
        (&[3.5], "whole number"),
        (&[f64::NAN], "finite"),
        (&[4.0, 4.0], "takes 1 argument"),
    ] {
        let (code, message) = apply("posterize", image, arguments).unwrap_err();
        assert_eq!(code, ErrorCode::InvalidArgument, "{arguments:?}");
        assert!(message.contains(what), "{arguments:?}: {message}");
    }
    let (code, message) = apply("no_such_operation", image, &[]).unwrap_err();
    assert_eq!(code, ErrorCode::InvalidArgument);
    assert!(message.contains("posterize"), "the message lists what is loaded: {message}");
    assert_eq!(apply("posterize", 12345, &[]).unwrap_err().0, ErrorCode::InvalidHandle);
    let mut out = 0;
    // SAFETY: a null argument array with a non-zero count; a null out-parameter.
    unsafe {
        assert_eq!(
            pixbridge_plugin_apply(c"posterize".as_ptr().cast(), 9, image, std::ptr::null(), 1, &mut out),
            ErrorCode::NullArgument
        );
        assert_eq!(
            pixbridge_plugin_apply(c"posterize".as_ptr().cast(), 9, image, std::ptr::null(), 0, std::ptr::null_mut()),
            ErrorCode::NullArgument
        );
        assert_eq!(
            pixbridge_plugin_apply([0xffu8, 0xfe].as_ptr(), 2, image, std::ptr::null(), 0, &mut out),
            ErrorCode::InvalidUtf8
        );
    }
    pixbridge_image_destroy(image);
}

#[test]
fn a_plugin_built_for_abi_1_0_works_on_this_host() {
    let _serial = serial();
    let legacy = load_ok("libtest_legacy_v1_0.so");
    let (info, operations) = describe(legacy.0);
    assert_eq!((info.abi_major, info.abi_minor), (1, 0));
    assert_eq!(text(legacy.0, PluginText::PluginDocs, 0, 0), "", "a 1.0 descriptor has no docs field");
    assert_eq!(operations[0].name, "legacy_invert");
    let source = Rgba { width: 2, height: 1, pixels: vec![0, 100, 255, 30, 1, 2, 3, 255] };
    let image = from_pixels(&source);
    apply("legacy_invert", image, &[]).unwrap();
    assert_eq!(pixels(image).pixels, [255, 155, 0, 30, 254, 253, 252, 255]);
    pixbridge_image_destroy(image);
}

/// Whether the dynamic loader still has `path` mapped (RTLD_NOLOAD opens only a loaded one).
fn is_mapped(path: &Path) -> bool {
    use libloading::os::unix::{Library, RTLD_LAZY};
    /// `RTLD_NOLOAD` of glibc and musl (libloading does not export it).
    const RTLD_NOLOAD: std::ffi::c_int = 4;
    // SAFETY: RTLD_NOLOAD never loads, so no initialiser runs; the handle is dropped at once.
    unsafe { Library::open(Some(path), RTLD_LAZY | RTLD_NOLOAD) }.is_ok()
}

#[test]
fn unloading_while_an_operation_runs_waits_for_it_before_closing_the_library() {
    let _serial = serial();
    // A private copy, so that no other test's handle keeps the file mapped.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libslow.so");
    std::fs::copy(plugin_path("libtest_slow.so"), &path).unwrap();
    let slow = load(&path).unwrap();
    assert!(is_mapped(&path));
    let image = from_pixels(&Rgba { width: 4, height: 4, pixels: vec![10; 64] });
    let started = Instant::now();
    let worker = std::thread::spawn(move || apply("hold", image, &[400.0]));
    std::thread::sleep(Duration::from_millis(100));
    // The handle and the name go at once ...
    assert_eq!(pixbridge_plugin_unload(slow.0), ErrorCode::Ok);
    assert_eq!(apply("hold", image, &[0.0]).unwrap_err().0, ErrorCode::InvalidArgument, "the name is gone");
    assert_eq!(live_plugins(), 0);
    // ... but the code stays mapped until the running call returns.
    assert!(is_mapped(&path), "the library is still loaded while its operation runs");
    assert_eq!(worker.join().unwrap(), Ok(None));
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(pixels(image).pixels, [245, 245, 245, 10].repeat(16));
    assert!(!is_mapped(&path), "the library is closed once the call returned");
    pixbridge_image_destroy(image);
}

#[test]
fn a_plugin_is_replaced_by_a_new_build_at_the_same_path_while_images_live_on() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libversioned.so");
    // Install a build the way a deployment does: write beside, then rename over.
    let install = |file: &str| {
        let staged = dir.path().join("staged.so");
        std::fs::copy(plugin_path(file), &staged).unwrap();
        std::fs::rename(&staged, &path).unwrap();
    };
    install("libtest_versioned_1.so");
    let first = load(&path).unwrap();
    assert_eq!(text(first.0, PluginText::PluginVersion, 0, 0), "1.0.0");
    let made_by_first = from_pixels(&Rgba { width: 2, height: 2, pixels: vec![0; 16] });
    apply("generation_fill", made_by_first, &[]).unwrap();
    drop(first);
    assert!(!is_mapped(&path));

    install("libtest_versioned_2.so");
    let second = load(&path).unwrap();
    assert_eq!(text(second.0, PluginText::PluginVersion, 0, 0), "2.0.0");
    let made_by_second = from_pixels(&Rgba { width: 2, height: 2, pixels: vec![0; 16] });
    apply("generation_fill", made_by_second, &[]).unwrap();
    assert_eq!(pixels(made_by_second).pixels, [200, 200, 200, 255].repeat(4), "the new build runs");
    assert_eq!(pixels(made_by_first).pixels, [100, 100, 100, 255].repeat(4), "the old build's image is intact");
    drop(second);
    pixbridge_image_destroy(made_by_first);
    pixbridge_image_destroy(made_by_second);
}

#[test]
fn threads_apply_while_other_threads_load_and_unload() {
    let _serial = serial();
    let _sepia = load_ok("libpixbridge_sepia.so");
    let (images_before, _) = live();
    let source = Rgba { width: 64, height: 32, pixels: (0..64 * 32 * 4).map(|i| (i * 7 % 256) as u8).collect() };
    let mut expected = source.clone();
    reference::sepia(&mut expected, 1.0);
    let expected_gain = reference::channel_gain(&source, [0.5, 1.0, 2.0]);
    let deadline = Instant::now() + Duration::from_millis(1500);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while Instant::now() < deadline {
                    let image = from_pixels(&source);
                    apply("sepia", image, &[]).unwrap();
                    assert_eq!(pixels(image), expected);
                    let made = apply("channel_gain", image, &[0.5, 1.0, 2.0]).unwrap().unwrap();
                    pixbridge_image_destroy(made);
                    pixbridge_image_destroy(image);
                }
            });
        }
        scope.spawn(|| {
            let mut cycles = 0;
            while Instant::now() < deadline {
                let vignette = load_ok("libpixbridge_vignette.so");
                let image = from_pixels(&source);
                let made = apply("vignette", image, &[0.0]).unwrap().unwrap();
                assert_eq!(pixels(made), source);
                drop(vignette);
                // Images made by an unloaded plugin stay valid.
                assert_eq!(pixels(made), source);
                pixbridge_image_destroy(made);
                pixbridge_image_destroy(image);
                cycles += 1;
            }
            assert!(cycles > 5, "{cycles} load/unload cycles");
        });
    });
    let image = from_pixels(&source);
    let made = apply("channel_gain", image, &[0.5, 1.0, 2.0]).unwrap().unwrap();
    assert_eq!(pixels(made), expected_gain);
    pixbridge_image_destroy(made);
    pixbridge_image_destroy(image);
    assert_eq!(live().0, images_before);
}

#[test]
fn the_c_example_of_docs_plugins_md_builds_loads_and_runs() {
    let _serial = serial();
    let docs = std::fs::read_to_string(repo().join("docs/plugins.md")).unwrap();
    let section = docs.find("## A minimal plugin in C").expect("docs/plugins.md has a minimal C plugin");
    let start = section + docs[section..].find("```c\n").expect("with a C block") + 5;
    let source = &docs[start..start + docs[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("invert.c"), source).unwrap();
    let library = dir.path().join("libinvert.so");
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared", "-fPIC", "-O2", "-I"])
        .arg(repo().join("ffi/include"))
        .arg(dir.path().join("invert.c"))
        .arg("-o")
        .arg(&library)
        .status()
        .unwrap();
    assert!(status.success(), "the documented example compiles");
    let plugin = load(&library).unwrap_or_else(|error| panic!("the documented example loads: {error:?}"));
    let (_, operations) = describe(plugin.0);
    let invert = &operations[0];
    let image = from_pixels(&Rgba { width: 1, height: 1, pixels: vec![0, 55, 255, 77] });
    match invert.kind {
        PluginOperationKind::InPlace => {
            apply(&invert.name, image, &[]).unwrap();
            assert_eq!(pixels(image).pixels, [255, 200, 0, 77]);
        }
        PluginOperationKind::Fresh => {
            let made = apply(&invert.name, image, &[]).unwrap().unwrap();
            assert_eq!(pixels(made).pixels, [255, 200, 0, 77]);
            pixbridge_image_destroy(made);
        }
    }
    pixbridge_image_destroy(image);
}

#[test]
fn manifest_names_only_error_codes_that_exist() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("testdata/manifest.json")).unwrap()).unwrap();
    let mut errors = BTreeMap::new();
    for case in manifest["plugin_cases"].as_array().unwrap() {
        if let Some(error) = case["expect"].get("error").and_then(Value::as_str) {
            assert!(ErrorCode::from_name(error).is_some(), "{error}");
            *errors.entry(error.to_string()).or_insert(0) += 1;
        }
    }
    for needed in ["PluginRejected", "PluginFailed", "InvalidArgument", "NotFound"] {
        assert!(errors.contains_key(needed), "the plugin cases expect {needed} somewhere");
    }
}
