//! Runs the built `pixbridge` binary on temporary folders holding test photographs, a corrupt
//! file and a file that is not an image, and checks its outputs (decoded with the core), its
//! messages and its exit codes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pixbridge_core::Image;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_pixbridge");

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

/// rocket.jpg (640 x 427) and chelsea.png (451 x 300) in a fresh folder `in/`.
fn good_inputs() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    fs::copy(testdata("rocket.jpg"), input.join("rocket.jpg")).unwrap();
    fs::copy(testdata("chelsea.png"), input.join("chelsea.png")).unwrap();
    (dir, input)
}

/// Adds a truncated JPEG, a PNG that is really text, and an empty file to `input`.
fn add_bad_inputs(input: &Path) {
    let jpeg = fs::read(testdata("rocket.jpg")).unwrap();
    fs::write(input.join("truncated.jpg"), &jpeg[..jpeg.len() / 3]).unwrap();
    fs::write(input.join("notes.png"), "this is not an image\n").unwrap();
    fs::write(input.join("empty.jpg"), b"").unwrap();
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("runs the pixbridge binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn size_of(path: &Path) -> (u32, u32) {
    let image = Image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (image.width(), image.height())
}

#[test]
fn thumbnails_have_the_size_of_each_fit() {
    let (dir, input) = good_inputs();
    // rocket.jpg is 640 x 427, chelsea.png 451 x 300; the box is 200 x 150.
    let cases = [
        ("contain", (200, 133), (200, 133)), // 427 * 200 / 640 = 133.4; 300 * 200 / 451 = 133.04
        ("cover", (200, 150), (200, 150)),
        ("fill", (200, 150), (200, 150)),
    ];
    for (fit, rocket, chelsea) in cases {
        let out = dir.path().join(format!("out-{fit}"));
        let result = run(&["thumbnail", path_str(&input), "--size", "200x150", "--fit", fit, "--out", path_str(&out)]);
        let (stdout, stderr) = (text(&result.stdout), text(&result.stderr));
        assert_eq!(result.status.code(), Some(0), "{fit}: {stdout}\n{stderr}");
        assert_eq!(size_of(&out.join("rocket.jpg")), rocket, "{fit}");
        assert_eq!(size_of(&out.join("chelsea.png")), chelsea, "{fit}");
        // Same format as the input by default: JPEG stays JPEG, PNG stays PNG.
        assert_eq!(&fs::read(out.join("rocket.jpg")).unwrap()[..3], b"\xFF\xD8\xFF");
        assert_eq!(&fs::read(out.join("chelsea.png")).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
        // Not a terminal: one plain line per file, then the summary.
        let ok_lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ok ")).collect();
        assert_eq!(ok_lines.len(), 2, "{stdout}");
        assert!(
            ok_lines
                .iter()
                .any(|l| l.contains("rocket.jpg ->") && l.contains(&format!("({} x {},", rocket.0, rocket.1))),
            "{stdout}"
        );
        assert!(stdout.contains("2 converted, 0 failed in "), "{stdout}");
        assert!(stdout.contains("files/s)"), "{stdout}");
        assert!(stderr.is_empty(), "{stderr}");
    }
}

#[test]
fn a_single_number_is_a_square_box_and_small_images_are_not_enlarged_unless_asked() {
    let (dir, _) = good_inputs();
    let small = dir.path().join("gradient-64x48.jpg");
    fs::copy(testdata("gradient-64x48.jpg"), &small).unwrap();
    let out = dir.path().join("out");
    let result = run(&["thumbnail", path_str(&small), "--size", "128", "-o", path_str(&out), "-j", "1"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(size_of(&out.join("gradient-64x48.jpg")), (64, 48));

    let result = run(&["thumbnail", path_str(&small), "--size", "128", "-o", path_str(&out), "--upscale"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(size_of(&out.join("gradient-64x48.jpg")), (128, 96));
}

#[test]
fn bad_files_are_reported_and_skipped_and_the_exit_code_is_1() {
    let (dir, input) = good_inputs();
    add_bad_inputs(&input);
    let missing = dir.path().join("missing.jpg");
    let out = dir.path().join("out");
    let result = run(&[
        "thumbnail",
        path_str(&input),
        path_str(&missing),
        "--size",
        "100",
        "--format",
        "webp",
        "-j",
        "2",
        "--out",
        path_str(&out),
    ]);
    let (stdout, stderr) = (text(&result.stdout), text(&result.stderr));
    assert_eq!(result.status.code(), Some(1), "{stdout}\n{stderr}");
    for bad in ["truncated.jpg", "notes.png", "empty.jpg", "missing.jpg"] {
        assert!(stderr.lines().any(|l| l.starts_with("error ") && l.contains(bad)), "{bad} not reported:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.contains("2 converted, 4 failed in "), "{stdout}");
    // The good files were still converted, the bad ones left no output (not even a partial one).
    assert_eq!(size_of(&out.join("rocket.webp")), (100, 67));
    assert_eq!(size_of(&out.join("chelsea.webp")), (100, 67));
    let mut names: Vec<String> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["chelsea.webp", "rocket.webp"]);
}

#[test]
fn a_directory_named_like_an_image_is_an_error_not_a_crash() {
    let (dir, input) = good_inputs();
    let out = dir.path().join("out");
    // Named explicitly, a folder is walked; inside a folder, a sub-folder called x.jpg is skipped.
    fs::create_dir(input.join("folder.jpg")).unwrap();
    let result = run(&["thumbnail", path_str(&input), "-s", "50", "-o", path_str(&out)]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let result = run(&["info", path_str(&input.join("folder.jpg"))]);
    // An empty folder: nothing to do, a warning, success.
    assert_eq!(result.status.code(), Some(0));
    assert!(text(&result.stderr).contains("no image files"), "{}", text(&result.stderr));
}

#[test]
fn outputs_never_overwrite_the_inputs() {
    let (_dir, input) = good_inputs();
    let before = fs::read(input.join("rocket.jpg")).unwrap();
    let result = run(&["thumbnail", path_str(&input), "-s", "50", "-o", path_str(&input)]);
    assert_eq!(result.status.code(), Some(1));
    assert!(text(&result.stderr).contains("overwrite"), "{}", text(&result.stderr));
    assert_eq!(fs::read(input.join("rocket.jpg")).unwrap(), before);
}

#[test]
fn convert_keeps_the_size_and_changes_the_format() {
    let (dir, input) = good_inputs();
    let out = dir.path().join("converted");
    let result = run(&["convert", path_str(&input), "--format", "png", "--out", path_str(&out)]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(size_of(&out.join("rocket.png")), (640, 427));
    assert_eq!(size_of(&out.join("chelsea.png")), (451, 300));

    let result =
        run(&["convert", path_str(&input.join("chelsea.png")), "-f", "jpeg", "--quality", "60", "-o", path_str(&out)]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(size_of(&out.join("chelsea.jpg")), (451, 300));

    // AVIF (written, not readable back: checked by its ftyp box); WebP lossless without a
    // quality (a VP8L chunk), lossy with one (VP8).
    let chelsea = path_str(&input.join("chelsea.png")).to_owned();
    let result = run(&["convert", &chelsea, "-f", "avif", "--quality", "50", "-o", path_str(&out)]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(&fs::read(out.join("chelsea.avif")).unwrap()[4..12], b"ftypavif");
    for (quality, chunk) in [(None, b"VP8L"), (Some("70"), b"VP8 ")] {
        let mut args = vec!["convert", &chelsea, "-f", "webp", "-o", path_str(&out)];
        args.extend(quality.iter().flat_map(|q| ["--quality", *q]));
        let result = run(&args);
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
        let webp = fs::read(out.join("chelsea.webp")).unwrap();
        assert!(webp.windows(4).any(|w| w == chunk), "{quality:?}: no {chunk:?} chunk");
        assert_eq!(size_of(&out.join("chelsea.webp")), (451, 300));
    }

    add_bad_inputs(&input);
    let result = run(&["convert", path_str(&input), "--format", "qoi", "--out", path_str(&out)]);
    assert_eq!(result.status.code(), Some(1));
    assert!(text(&result.stdout).contains("2 converted, 3 failed"), "{}", text(&result.stdout));
}

#[test]
fn info_prints_one_line_per_file_and_json_lines() {
    let (_dir, input) = good_inputs();
    let result = run(&["info", path_str(&input)]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // Folders are listed in name order.
    assert!(lines[0].ends_with(" bytes)") && lines[0].contains("chelsea.png: 451 x 300, Rgb8, PNG, "), "{stdout}");
    assert!(lines[1].contains("rocket.jpg: 640 x 427, Rgb8, JPEG, "), "{stdout}");

    let result = run(&["info", "--json", path_str(&input.join("rocket.jpg"))]);
    assert_eq!(result.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(text(&result.stdout).trim()).unwrap();
    assert_eq!(value["width"], 640);
    assert_eq!(value["height"], 427);
    assert_eq!(value["color_type"], "Rgb8");
    assert_eq!(value["format"], "JPEG");
    assert_eq!(value["file_size"], fs::metadata(input.join("rocket.jpg")).unwrap().len());

    add_bad_inputs(&input);
    let result = run(&["info", path_str(&input)]);
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(text(&result.stdout).lines().count(), 3, "the truncated JPEG's header is intact");
    let stderr = text(&result.stderr);
    assert!(stderr.contains("notes.png") && stderr.contains("empty.jpg"), "{stderr}");
}

#[test]
fn help_and_usage_errors() {
    for args in [&["--help"][..], &["thumbnail", "--help"], &["convert", "--help"], &["info", "--help"], &["--version"]]
    {
        let result = run(args);
        assert_eq!(result.status.code(), Some(0), "{args:?}");
        assert!(!result.stdout.is_empty());
    }
    assert!(text(&run(&["thumbnail", "--help"]).stdout).contains("--size <WxH>"));
    for args in [
        &[][..],
        &["thumbnail", "x.jpg", "--out", "o"],
        &["thumbnail", "x.jpg", "--size", "0", "--out", "o"],
        &["thumbnail", "x.jpg", "--size", "abc", "--out", "o"],
        &["thumbnail", "x.jpg", "--size", "40", "--fit", "stretch", "--out", "o"],
        &["thumbnail", "x.jpg", "--size", "40", "--quality", "101", "--out", "o"],
        &["thumbnail", "x.jpg", "--size", "40", "--format", "png", "--quality", "80", "--out", "o"],
        &["thumbnail", "x.jpg", "--size", "400", "--format", "ico", "--out", "o"],
        &["convert", "x.jpg", "--out", "o"],
        &["frobnicate"],
    ] {
        let result = run(args);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {}", text(&result.stderr));
        let stderr = text(&result.stderr);
        // No arguments at all prints the help (to stderr); everything else names the error.
        assert!(stderr.contains("error:") || (args.is_empty() && stderr.contains("Usage:")), "{args:?}: {stderr}");
    }
}
