//! Runs the sample binary end to end against the freshly built `libpixbridge.so`.
//!
//! The library is not a dependency of the sample (that is the point of the sample), so it has
//! to be built first: `cargo build -p pixbridge-ffi` or any workspace-wide build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pixbridge-sample-dynamic"))
}

fn library() -> PathBuf {
    let library = sample().with_file_name(pixbridge_sample_dynamic::LIBRARY_FILE_NAME);
    assert!(library.exists(), "{} is missing: build pixbridge-ffi first (cargo build --workspace)", library.display());
    library
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(name)
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let field = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (field(16), field(20))
}

#[test]
fn blurs_mirrors_and_saves_both_pngs() {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(sample())
        .arg("--library")
        .arg(library())
        .arg("--out-dir")
        .arg(out.path())
        .arg(testdata("rocket.jpg"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "sample failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    let strong = out.path().join("rocket-blur40-mirror.png");
    let gentle = out.path().join("rocket-blur4-mirror.png");
    for path in [&strong, &gentle] {
        assert_eq!(png_size(path), (640, 427));
        assert!(stdout.contains(&path.display().to_string()), "output not reported: {stdout}");
    }
    assert_ne!(std::fs::read(&strong).unwrap(), std::fs::read(&gentle).unwrap());
}

#[test]
fn reports_a_missing_library_clearly() {
    let output = Command::new(sample())
        .arg("--library")
        .arg("/nonexistent/libpixbridge.so")
        .arg(testdata("rocket.jpg"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/libpixbridge.so"), "{stderr}");
}

#[test]
fn reports_bad_input_with_code_and_message_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let not_an_image = out.path().join("notes.jpg");
    std::fs::write(&not_an_image, b"these are not the pixels you are looking for").unwrap();
    let output = Command::new(sample())
        .arg("--library")
        .arg(library())
        .arg("--out-dir")
        .arg(out.path())
        .arg(&not_an_image)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("UnsupportedFormat"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "only the input may be there");
}
