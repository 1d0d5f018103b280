//! The generated descriptions of the C ABI are up to date and usable:
//! - `ffi/include/pixbridge.h` and `samples/rust-dynamic/src/abi.rs` equal a fresh generation
//!   (`PIXBRIDGE_BLESS=1` rewrites them);
//! - the header compiles on its own as strict C99, and a C program using it runs the pipeline.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check_or_bless(path: &Path, fresh: &str) {
    if std::env::var_os("PIXBRIDGE_BLESS").is_some() {
        std::fs::write(path, fresh).unwrap();
        return;
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == fresh,
        "{} is out of date: regenerate it with `PIXBRIDGE_BLESS=1 cargo test -p pixbridge-ffi --test generated`",
        path.display()
    );
}

fn rustfmt(source: &str) -> String {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--config-path"])
        .arg(repo().join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt runs");
    child.stdin.take().unwrap().write_all(source.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "rustfmt failed on the generated bindings");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn c_header_is_up_to_date() {
    check_or_bless(&repo().join("ffi/include/pixbridge.h"), &pixbridge::header::c_header());
}

#[test]
fn rust_loader_bindings_are_up_to_date() {
    let fresh = rustfmt(&pixbridge::header::rust_loader_bindings());
    check_or_bless(&repo().join("samples/rust-dynamic/src/abi.rs"), &fresh);
}

/// The cdylib next to this test's deps directory (target/<profile>/libpixbridge.so).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(dir.join("libpixbridge.so").exists(), "libpixbridge.so not built in {}", dir.display());
    dir
}

fn cc(args: &[&std::ffi::OsStr]) {
    let output = Command::new("cc").args(args).output().expect("a C compiler (cc) is installed");
    assert!(
        output.status.success(),
        "cc {:?} failed:\n{}{}",
        args,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn header_compiles_alone_as_strict_c99() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("alone.c");
    std::fs::write(&source, "#include \"pixbridge.h\"\n").unwrap();
    let include = repo().join("ffi/include");
    let object = dir.path().join("alone.o");
    cc(&[
        "-std=c99".as_ref(),
        "-Wall".as_ref(),
        "-Wextra".as_ref(),
        "-Werror".as_ref(),
        "-pedantic".as_ref(),
        "-I".as_ref(),
        include.as_os_str(),
        "-c".as_ref(),
        source.as_os_str(),
        "-o".as_ref(),
        object.as_os_str(),
    ]);
}

#[test]
fn c_program_runs_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("pipeline");
    let library_dir = library_dir();
    let include = repo().join("ffi/include");
    let source = repo().join("ffi/tests/c/pipeline.c");
    let rpath = format!("-Wl,-rpath,{}", library_dir.display());
    cc(&[
        "-std=c99".as_ref(),
        "-Wall".as_ref(),
        "-Wextra".as_ref(),
        "-Werror".as_ref(),
        "-I".as_ref(),
        include.as_os_str(),
        source.as_os_str(),
        "-L".as_ref(),
        library_dir.as_os_str(),
        "-lpixbridge".as_ref(),
        rpath.as_ref(),
        "-o".as_ref(),
        program.as_os_str(),
    ]);
    let output_png = dir.path().join("out.png");
    let output = Command::new(&program).arg(repo().join("testdata/rocket.jpg")).arg(&output_png).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "C pipeline failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let png = std::fs::read(&output_png).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 640);
    assert!(stdout.contains("InvalidArgument"), "the C program's error check did not run: {stdout}");
}
