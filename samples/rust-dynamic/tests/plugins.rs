//! Run-time plugins through the dynamically loaded library: the sample plugins (sepia, in Rust;
//! vignette and posterize, in C) give hand-computed pixels, named arguments map to positions,
//! bad plugins are refused with their error codes, and the sample binary's `--plugin` /
//! `--apply` options work end to end.
//!
//! The plugins come from `$PIXBRIDGE_PLUGIN_DIR`, or are built into `target/plugins` with
//! `ci/build-plugins.sh` when it is unset. Plugins are process-wide (loading one twice at once
//! is refused), so every test here holds one lock.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

use pixbridge_sample_dynamic::{Error, ImageFactory, abi};

fn serial() -> MutexGuard<'static, ()> {
    static PLUGINS: Mutex<()> = Mutex::new(());
    PLUGINS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pixbridge-sample-dynamic"))
}

fn library() -> PathBuf {
    let library = sample().with_file_name(pixbridge_sample_dynamic::LIBRARY_FILE_NAME);
    assert!(library.exists(), "{} is missing: build pixbridge-ffi first (cargo build --workspace)", library.display());
    library
}

/// `$PIXBRIDGE_PLUGIN_DIR`, or `target/plugins` built by `ci/build-plugins.sh` (once).
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| match std::env::var_os("PIXBRIDGE_PLUGIN_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = repo().join("target/plugins");
            let status = Command::new("bash").arg(repo().join("ci/build-plugins.sh")).arg(&dir).status().unwrap();
            assert!(status.success(), "ci/build-plugins.sh {} failed", dir.display());
            dir
        }
    })
}

fn plugin(name: &str) -> PathBuf {
    let path = plugin_dir().join(name);
    assert!(path.exists(), "{} is missing: run ci/build-plugins.sh", path.display());
    path
}

fn code_name(error: &Error) -> &'static str {
    error.code_name().unwrap_or("not a call error")
}

#[test]
fn sample_plugins_give_hand_computed_pixels() {
    let _serial = serial();
    let factory = ImageFactory::load(&library()).unwrap();
    let (plugins_before, images_before) = (factory.live_plugins().unwrap(), factory.live_images().unwrap());
    {
        let sepia = factory.load_plugin(&plugin("libpixbridge_sepia.so")).unwrap();
        let vignette = factory.load_plugin(&plugin("libpixbridge_vignette.so")).unwrap();
        assert_eq!((sepia.name(), sepia.version()), ("sepia", "1.0.0"));
        assert_eq!(sepia.abi_version().0, 1);
        assert!(sepia.path().ends_with("libpixbridge_sepia.so"), "{}", sepia.path().display());
        let names: Vec<&str> = sepia.operations().iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["sepia", "channel_gain"]);
        let strength = &sepia.operations()[0].parameters[0];
        assert_eq!((strength.name.as_str(), strength.kind), ("strength", abi::plugin_parameter_type::FLOAT));
        assert_eq!((strength.default_value, strength.minimum, strength.maximum), (1.0, 0.0, 1.0));
        assert!(sepia.operations()[0].is_in_place() && !sepia.operations()[1].is_in_place());
        assert_eq!(
            vignette.operations().iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
            ["vignette", "posterize"]
        );
        assert_eq!(factory.live_plugins().unwrap(), plugins_before + 2);

        // Sepia at strength 1 (explicit, then the default): (100, 150, 200) -> (192, 171, 134), alpha kept.
        let source = [100, 150, 200, 77, 100, 150, 200, 255];
        let mut image = factory.from_pixels(2, 1, &source).unwrap();
        image.apply_in_place("sepia", &[("strength", 1.0)]).unwrap();
        assert_eq!(image.pixels().unwrap(), [192, 171, 134, 77, 192, 171, 134, 255]);
        let mut image = factory.from_pixels(2, 1, &source).unwrap();
        image.apply_in_place("sepia", &[]).unwrap();
        assert_eq!(image.pixels().unwrap(), [192, 171, 134, 77, 192, 171, 134, 255]);

        // channel_gain is fresh: red x3 clips at 255, green takes its default 1, blue x0.5.
        let original = factory.from_pixels(2, 1, &source).unwrap();
        let gained = original.apply("channel_gain", &[("red", 3.0), ("blue", 0.5)]).unwrap();
        assert_eq!(gained.pixels().unwrap(), [255, 150, 100, 77, 255, 150, 100, 255]);
        assert_eq!(original.pixels().unwrap(), source, "the source of a fresh operation is unchanged");

        // Posterize to 3 levels (0, 128, 255): (64, 128, 192) -> (128, 128, 255).
        let mut image = factory.from_pixels(1, 1, &[64, 128, 192, 200]).unwrap();
        image.apply_in_place("posterize", &[("levels", 3.0)]).unwrap();
        assert_eq!(image.pixels().unwrap(), [128, 128, 255, 200]);
    }
    assert_eq!(factory.live_plugins().unwrap(), plugins_before, "dropping a Plugin unloads it");
    assert_eq!(factory.live_images().unwrap(), images_before);
}

#[test]
fn arguments_are_checked_by_name_and_kind() {
    let _serial = serial();
    let factory = ImageFactory::load(&library()).unwrap();
    let _sepia = factory.load_plugin(&plugin("libpixbridge_sepia.so")).unwrap();
    let mut image = factory.from_pixels(1, 1, &[100, 150, 200, 255]).unwrap();

    let error = image.apply_in_place("sepia", &[("strenght", 0.5)]).unwrap_err();
    assert_eq!(code_name(&error), "InvalidArgument");
    assert!(error.to_string().contains("strenght") && error.to_string().contains("strength"), "{error}");

    let error = image.apply("sepia", &[]).err().unwrap();
    assert_eq!(code_name(&error), "InvalidArgument");
    assert!(error.to_string().contains("apply_in_place"), "{error}");
    let error = image.apply_in_place("channel_gain", &[]).unwrap_err();
    assert_eq!(code_name(&error), "InvalidArgument");
    assert!(error.to_string().contains("call apply"), "{error}");

    // Out of range and unknown operations are the library's errors.
    let error = image.apply_in_place("sepia", &[("strength", 1.5)]).unwrap_err();
    assert_eq!(code_name(&error), "InvalidArgument");
    let error = image.apply("no_such_operation", &[]).err().unwrap();
    assert_eq!(code_name(&error), "InvalidArgument");
    assert_eq!(image.pixels().unwrap(), [100, 150, 200, 255], "nothing was applied");

    // The same plugin twice: its operation names are taken.
    let error = factory.load_plugin(&plugin("libpixbridge_sepia.so")).err().unwrap();
    assert_eq!(code_name(&error), "PluginRejected");
}

#[test]
fn bad_plugins_are_refused_or_fail_with_their_codes() {
    let _serial = serial();
    let factory = ImageFactory::load(&library()).unwrap();
    let plugins_before = factory.live_plugins().unwrap();

    let error = factory.load_plugin(&plugin("libbad_future_abi.so")).err().unwrap();
    assert_eq!(code_name(&error), "PluginRejected", "{error}");
    let error = factory.load_plugin(&plugin_dir().join("libdoes_not_exist.so")).err().unwrap();
    assert_eq!(code_name(&error), "NotFound", "{error}");
    assert_eq!(factory.live_plugins().unwrap(), plugins_before);

    let failing = factory.load_plugin(&plugin("libbad_failing.so")).unwrap();
    let operation = &failing.operations()[0];
    assert_eq!(operation.name, "always_fails");
    let mut image = factory.from_pixels(1, 1, &[1, 2, 3, 4]).unwrap();
    let error = if operation.is_in_place() {
        image.apply_in_place("always_fails", &[]).unwrap_err()
    } else {
        image.apply("always_fails", &[]).err().unwrap()
    };
    assert_eq!(code_name(&error), "PluginFailed", "{error}");
    assert!(error.to_string().contains("the failing plugin always fails"), "{error}");
    drop(failing);
    assert_eq!(factory.live_plugins().unwrap(), plugins_before);
}

#[test]
fn the_sample_loads_plugins_and_applies_them_by_name() {
    let _serial = serial();
    let out = tempfile::tempdir().unwrap();
    // A 2 x 1 input of known pixels, written through the library itself.
    let factory = ImageFactory::load(&library()).unwrap();
    let input = out.path().join("swatch.png");
    factory.from_pixels(2, 1, &[100, 150, 200, 255, 64, 128, 192, 255]).unwrap().save(&input).unwrap();
    let output = Command::new(sample())
        .arg("--library")
        .arg(library())
        .arg("--out-dir")
        .arg(out.path())
        .arg("--plugin")
        .arg(plugin("libpixbridge_sepia.so"))
        .arg("--plugin")
        .arg(plugin("libpixbridge_vignette.so"))
        .args(["--apply", "channel_gain:red=1,blue=1", "--apply", "posterize:levels=3"])
        .arg(&input)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "sample failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    for listed in
        ["loaded plugin sepia 1.0.0", "channel_gain (new image)", "posterize (in place)", "levels (Int, default 4"]
    {
        assert!(stdout.contains(listed), "`{listed}` not listed: {stdout}");
    }
    let result = out.path().join("swatch-channel_gain-posterize.png");
    assert!(stdout.contains(&result.display().to_string()), "output not reported: {stdout}");
    // Gains of 1 keep the colours; 3 levels (0, 128, 255): 100 -> 128, 150 -> 128, 200 -> 255, 64 -> 128, 192 -> 255.
    let saved = factory.open(&result).unwrap();
    assert_eq!(saved.pixels().unwrap(), [128, 128, 255, 255, 128, 128, 255, 255]);

    // A name the operation does not have: the error names it, no plugin output is written.
    let output = Command::new(sample())
        .arg("--library")
        .arg(library())
        .arg("--out-dir")
        .arg(out.path())
        .arg("--plugin")
        .arg(plugin("libpixbridge_sepia.so"))
        .args(["--apply", "sepia:strenght=0.5"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("InvalidArgument") && stderr.contains("strenght"), "{stderr}");
    assert!(!out.path().join("swatch-sepia.png").exists());
}
