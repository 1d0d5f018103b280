//! The generated headers are usable: the C header compiles on its own as strict C99, a C program
//! using it runs the pipeline, a C program that forks after parallel work can go on in the child,
//! and a C++17 program runs the pipeline through the generated wrapper `pixbridge.hpp`. (That
//! they are up to date is `cargo run -p pixbridge-codegen -- --check`, run once by `make test`.)

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The cdylib next to this test's deps directory (target/<profile>/libpixbridge.so).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(dir.join("libpixbridge.so").exists(), "libpixbridge.so not built in {}", dir.display());
    dir
}

/// The flags every test program compiles with: `standard`, every warning an error, and the
/// headers of `ffi/include`.
fn strict_flags(standard: &str) -> Vec<OsString> {
    let mut flags: Vec<OsString> =
        [format!("-std={standard}").as_str(), "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"]
            .map(OsString::from)
            .into();
    flags.push(repo().join("ffi/include").into());
    flags
}

fn compile(compiler: &str, args: &[OsString]) {
    let output = Command::new(compiler).args(args).output().unwrap_or_else(|e| panic!("{compiler} is installed: {e}"));
    assert!(
        output.status.success(),
        "{compiler} {:?} failed:\n{}{}",
        args,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Compiles `source` with `compiler` as strict `standard` against the headers and links it to
/// the cdylib; returns the program's path in `dir`. The program asks for the library's SONAME
/// (`libpixbridge.so.<ABI_REVISION>`, set by `build.rs`), which only an installed library has:
/// `dir/lib` gets a symlink of that name, found at run time through an rpath.
fn build_program(dir: &Path, compiler: &str, standard: &str, source: &Path, name: &str) -> PathBuf {
    let program = dir.join(name);
    let library_dir = library_dir();
    let soname_dir = dir.join("lib");
    let soname_link = soname_dir.join(format!("libpixbridge.so.{}", pixbridge_runtime::ABI_REVISION));
    if !soname_link.exists() {
        std::fs::create_dir_all(&soname_dir).unwrap();
        std::os::unix::fs::symlink(library_dir.join("libpixbridge.so"), &soname_link).unwrap();
    }
    let rpath = format!("-Wl,-rpath,{}", soname_dir.display());
    let mut args = strict_flags(standard);
    args.extend(
        [
            source.as_os_str(),
            "-L".as_ref(),
            library_dir.as_os_str(),
            "-lpixbridge".as_ref(),
            rpath.as_ref(),
            "-o".as_ref(),
            program.as_os_str(),
        ]
        .map(OsString::from),
    );
    compile(compiler, &args);
    program
}

/// `ffi/tests/c/<name>.c` as strict C99; see [`build_program`].
fn build_c_program(dir: &Path, name: &str) -> PathBuf {
    build_program(dir, "cc", "c99", &repo().join(format!("ffi/tests/c/{name}.c")), name)
}

#[test]
fn header_compiles_alone_as_strict_c99() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("alone.c");
    std::fs::write(&source, "#include \"pixbridge.h\"\n").unwrap();
    let object = dir.path().join("alone.o");
    let mut args = strict_flags("c99");
    args.extend(["-c".as_ref(), source.as_os_str(), "-o".as_ref(), object.as_os_str()].map(OsString::from));
    compile("cc", &args);
}

#[test]
fn c_program_runs_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let program = build_c_program(dir.path(), "pipeline");
    let output_png = dir.path().join("out.png");
    let output = Command::new(&program).arg(repo().join("testdata/rocket.jpg")).arg(&output_png).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "C pipeline failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let png = std::fs::read(&output_png).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 640);
    assert!(stdout.contains("InvalidArgument"), "the C program's error check did not run: {stdout}");
}

/// Issue 17: a C program cancels calls from the progress callback, from another thread and
/// before they start, and checks progress, unchanged sources, no file and no handle left.
#[test]
fn c_program_cancels_and_watches_progress() {
    let dir = tempfile::tempdir().unwrap();
    let program = build_c_program(dir.path(), "cancellation");
    let output = Command::new(&program).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "C cancellation test failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("cancellation checks passed"), "{stdout}");
}

/// Issue 15, item 5: a child forked after the parent's parallel work used to wait forever in its
/// first blur (the thread pool's threads exist only in the parent).
#[test]
fn a_forked_child_can_blur() {
    let dir = tempfile::tempdir().unwrap();
    let program = build_c_program(dir.path(), "fork");
    let output = Command::new(&program).arg(repo().join("testdata/rocket.jpg")).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "fork test failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("forked child blurred the same pixels"), "{stdout}");
}

/// `$PIXBRIDGE_PLUGIN_DIR`, or `target/plugins` built by `ci/build-plugins.sh` when it is unset.
fn plugin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PIXBRIDGE_PLUGIN_DIR").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    let dir = repo().join("target/plugins");
    let status = Command::new("bash").arg(repo().join("ci/build-plugins.sh")).arg(&dir).status().unwrap();
    assert!(status.success(), "ci/build-plugins.sh {} failed", dir.display());
    dir
}

/// The generated C++ wrapper compiles as strict C++17 and a C++ program runs the pipeline
/// through it: operations, exceptions with codes, lenient decoding, RAII (no handle left), and
/// the sample plugins through pixbridge::Plugin and Image::apply / apply_in_place. (The only
/// test of this file that loads plugins, in its own process.)
#[test]
fn cpp_program_runs_the_pipeline_through_the_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let program = build_program(dir.path(), "c++", "c++17", &repo().join("ffi/tests/cpp/pipeline.cpp"), "pipeline_cpp");
    let output_png = dir.path().join("out.png");
    let output =
        Command::new(&program).arg(repo().join("testdata")).arg(&output_png).arg(plugin_dir()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "C++ pipeline failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!stdout.contains("FAILED") && stdout.matches("ok: ").count() >= 30, "{stdout}");
    assert!(stdout.contains("ok: every Plugin's destructor unloaded it"), "the plugin checks ran: {stdout}");
    let png = std::fs::read(&output_png).unwrap();
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 160);
}

/// Issue 16: the animation exports from strict C99 and through the C++ wrapper.
#[test]
fn c_and_cpp_programs_read_animation_frames() {
    let dir = tempfile::tempdir().unwrap();
    let c = build_c_program(dir.path(), "animation");
    let output = Command::new(&c).arg(repo().join("testdata")).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "C animation test failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("animation checks passed"), "{stdout}");
    let cpp = build_program(dir.path(), "c++", "c++17", &repo().join("ffi/tests/cpp/animation.cpp"), "animation_cpp");
    let output = Command::new(&cpp).arg(repo().join("testdata")).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "C++ animation test failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!stdout.contains("FAILED") && stdout.matches("ok: ").count() == 5, "{stdout}");
}

/// Issue 16: lossy WebP and AVIF encode options from strict C99 and through the C++ wrapper.
#[test]
fn c_program_writes_lossy_webp_and_avif() {
    let dir = tempfile::tempdir().unwrap();
    let c = build_c_program(dir.path(), "modern_formats");
    let output = Command::new(&c).arg(repo().join("testdata")).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "C modern-format test failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("modern format checks passed"), "{stdout}");
    let cpp = build_program(
        dir.path(),
        "c++",
        "c++17",
        &repo().join("ffi/tests/cpp/modern_formats.cpp"),
        "modern_formats_cpp",
    );
    let output = Command::new(&cpp).arg(repo().join("testdata")).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "C++ modern-format test failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains("FAILED") && stdout.matches("ok: ").count() == 7, "{stdout}");
}
