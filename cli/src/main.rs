//! `pixbridge`: batch thumbnails, format conversion and image info on the command line, built on
//! Pixbridge's core (`pixbridge-core`).
//!
//! ```text
//! pixbridge thumbnail photos/ --size 400x400 --fit cover --out thumbs/
//! pixbridge convert scans/*.png --format jpg --quality 85 --out jpegs/
//! pixbridge info thumbs/ --json
//! ```
//!
//! Files are processed in parallel (`-j N`, default: one worker per core). On a terminal a
//! progress bar shows files/s and the ETA; otherwise (CI logs, pipes) each file gets a line
//! `ok IN -> OUT (W x H, MS ms)`. A file that cannot be read, decoded or written is reported on
//! stderr as `error FILE: MESSAGE` and skipped; the batch always finishes with a summary line
//! `N converted, M failed in T s (X files/s)`. Exit code: 0 when every file succeeded, 1 when any
//! failed, 2 for a usage error.

mod batch;
mod info;
mod inputs;

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use pixbridge_core::{DecodeLimits, DecodeOptions, Image, ImageFormat, MAX_ICO_SIZE, ThumbnailFit, ThumbnailOptions};

use crate::batch::{Job, Reporting, err_line, error_line, out_line};

/// Default JPEG quality of the CLI (the core's library default is 90; thumbnails and web
/// images are usually written at 75-85, and vipsthumbnail's default is 75).
const DEFAULT_QUALITY: u8 = 80;

#[derive(Parser, Debug)]
#[command(
    name = "pixbridge",
    version,
    about = "Fast batch thumbnails, format conversion and image info",
    long_about = "Fast batch thumbnails, format conversion and image info, built on Pixbridge's imaging core.\n\n\
                  Files are processed in parallel. A file that fails is reported on stderr as \
                  'error FILE: MESSAGE' and skipped; the batch always finishes with a summary.\n\
                  Exit code: 0 if every file succeeded, 1 if any file failed, 2 for a usage error.",
    after_help = "Examples:\n  \
                  pixbridge thumbnail photos/ --size 400x400 --fit cover --out thumbs/\n  \
                  pixbridge convert scans/*.png --format jpg --quality 85 --out jpegs/\n  \
                  pixbridge info thumbs/ --json"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make thumbnails that fit a box (JPEGs are decoded at reduced scale, so this is fast)
    #[command(after_help = "Examples:\n  \
                  pixbridge thumbnail photos/ --size 400 --out thumbs/\n  \
                  pixbridge thumbnail a.jpg b.png --size 1280x720 --fit cover --format webp --out web/\n  \
                  pixbridge thumbnail photos/ -r --size 200 -j 2 --quality 70 --out small/")]
    Thumbnail(ThumbnailArgs),
    /// Convert images to another format (full size)
    #[command(after_help = "Example:\n  pixbridge convert scans/ --format png --out png/")]
    Convert(ConvertArgs),
    /// Print width, height, colour type, format and file size of images (reads headers only)
    #[command(after_help = "Example:\n  pixbridge info photos/*.jpg\n  pixbridge info thumbs/ --json")]
    Info(InfoArgs),
}

#[derive(Args, Debug)]
struct InputArgs {
    /// Image files and/or folders. Folders are searched for image files by extension (jpg, png,
    /// webp, gif, bmp, tiff, ...); files named here are read whatever their extension.
    #[arg(required = true, value_name = "FILE_OR_FOLDER")]
    inputs: Vec<PathBuf>,

    /// Also search the sub-folders of the given folders.
    #[arg(short, long)]
    recursive: bool,
}

#[derive(Args, Debug)]
struct OutputArgs {
    /// Folder to write the results to (created if missing). Each result is named after its
    /// input: photo.jpg -> DIR/photo.jpg (or DIR/photo.png, ... with --format).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,

    /// Quality, 1 (smallest) to 100 (best), of JPEG and AVIF outputs [default: 80]; with WebP
    /// it writes lossy WebP (without it, WebP is lossless).
    #[arg(long, value_name = "1-100", value_parser = clap::value_parser!(u8).range(1..=100))]
    quality: Option<u8>,

    /// Number of files processed at the same time [default: number of CPU cores].
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<NonZeroUsize>,

    /// Print only errors and the summary (no progress bar, no per-file lines).
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct ThumbnailArgs {
    #[command(flatten)]
    input: InputArgs,

    /// The box to fit into: WIDTHxHEIGHT (e.g. 400x300), or one number for a square box.
    #[arg(short, long, value_name = "WxH", value_parser = parse_size)]
    size: (u32, u32),

    /// How the image is fitted into the box.
    #[arg(long, value_enum, default_value_t = Fit::Contain)]
    fit: Fit,

    /// Output format [default: jpg for JPEG inputs, png for PNG inputs, jpg for everything else].
    #[arg(short, long, value_enum)]
    format: Option<Format>,

    /// Enlarge images smaller than the box (by default they keep their size).
    #[arg(long)]
    upscale: bool,

    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args, Debug)]
struct ConvertArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Output format.
    #[arg(short, long, value_enum)]
    format: Format,

    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args, Debug)]
struct InfoArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Print one JSON object per file (JSON lines) instead of text.
    #[arg(long)]
    json: bool,
}

/// `--fit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Fit {
    /// The whole image, aspect ratio kept, as large as fits inside the box
    Contain,
    /// Fills the box exactly, aspect ratio kept; the excess is cropped equally on both sides
    Cover,
    /// Fills the box exactly by stretching the image
    Fill,
}

impl From<Fit> for ThumbnailFit {
    fn from(fit: Fit) -> ThumbnailFit {
        match fit {
            Fit::Contain => ThumbnailFit::Contain,
            Fit::Cover => ThumbnailFit::Cover,
            Fit::Fill => ThumbnailFit::Fill,
        }
    }
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// JPEG (lossy, no transparency; --quality applies)
    #[value(alias = "jpeg")]
    Jpg,
    /// PNG (lossless)
    Png,
    /// WebP (lossless; lossy with --quality)
    Webp,
    /// AVIF (lossy; --quality applies; Pixbridge writes AVIF but cannot read it)
    Avif,
    /// Windows bitmap
    Bmp,
    /// TIFF
    #[value(alias = "tif")]
    Tiff,
    /// GIF (at most 256 colours)
    Gif,
    /// QOI (lossless)
    Qoi,
    /// Truevision TGA
    Tga,
    /// Netpbm (PGM/PPM/PAM)
    Pnm,
    /// Windows icon (at most 256 x 256)
    Ico,
}

impl Format {
    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Bmp => ImageFormat::Bmp,
            Format::Tiff => ImageFormat::Tiff,
            Format::Gif => ImageFormat::Gif,
            Format::Qoi => ImageFormat::Qoi,
            Format::Tga => ImageFormat::Tga,
            Format::Pnm => ImageFormat::Pnm,
            Format::Ico => ImageFormat::Ico,
            Format::Avif => ImageFormat::Avif,
        }
    }

    /// The file extension written for the format.
    fn extension(self) -> &'static str {
        match self {
            Format::Jpg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Bmp => "bmp",
            Format::Tiff => "tif",
            Format::Gif => "gif",
            Format::Qoi => "qoi",
            Format::Tga => "tga",
            Format::Pnm => "pnm",
            Format::Ico => "ico",
            Format::Avif => "avif",
        }
    }

    /// The default thumbnail format for an input: PNG stays PNG, everything else becomes JPEG.
    fn default_for(input: &Path) -> Format {
        match input.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("png") => Format::Png,
            _ => Format::Jpg,
        }
    }
}

/// Parses `--size`: `400x300` (also `400X300`) or `400` for 400x400; each side 1..=32768 and at
/// most 512 MiB of RGBA pixels.
fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let side = |s: &str| -> Result<u32, String> {
        let value: u32 =
            s.trim().parse().map_err(|_| format!("'{s}' is not a whole number of pixels (use e.g. 400x300 or 400)"))?;
        if value == 0 {
            return Err("sizes must be at least 1 pixel".to_owned());
        }
        if value > DecodeLimits::DEFAULT_MAX_WIDTH {
            return Err(format!("{value} is larger than the largest size, {}", DecodeLimits::DEFAULT_MAX_WIDTH));
        }
        Ok(value)
    };
    let (width, height) = match text.split_once(['x', 'X']) {
        Some((w, h)) => (side(w)?, side(h)?),
        None => {
            let v = side(text)?;
            (v, v)
        }
    };
    if u64::from(width) * u64::from(height) * 4 > DecodeLimits::DEFAULT_MAX_DECODED_BYTES {
        return Err(format!("{width}x{height} is too large (at most 512 MiB of pixels)"));
    }
    Ok((width, height))
}

/// Exits with a clap usage error (exit code 2) that shows the subcommand's usage line.
fn usage_error(subcommand: &str, message: String) -> ! {
    let mut command = Cli::command();
    command.build();
    match command.find_subcommand_mut(subcommand) {
        Some(sub) => sub.error(ErrorKind::ArgumentConflict, message).exit(),
        None => command.error(ErrorKind::ArgumentConflict, message).exit(),
    }
}

fn workers(jobs: Option<NonZeroUsize>) -> usize {
    jobs.or_else(|| std::thread::available_parallelism().ok()).map_or(1, NonZeroUsize::get)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Thumbnail(args) => thumbnail(args),
        Command::Convert(args) => convert(args),
        Command::Info(args) => info(&args),
    }
}

fn thumbnail(args: ThumbnailArgs) -> ExitCode {
    let (width, height) = args.size;
    if args.format == Some(Format::Ico) && (width > MAX_ICO_SIZE || height > MAX_ICO_SIZE) {
        usage_error(
            "thumbnail",
            format!("--format ico holds at most {MAX_ICO_SIZE} x {MAX_ICO_SIZE} pixels; use a smaller --size"),
        );
    }
    check_quality_applies("thumbnail", args.format, args.output.quality);
    let fit = ThumbnailFit::from(args.fit);
    let options = ThumbnailOptions { allow_upscale: args.upscale, ..ThumbnailOptions::default() };
    let quality = args.output.quality;
    let chosen = args.format;
    run_batch(&args.input, &args.output, chosen, |job| {
        let image = Image::thumbnail_file(&job.input, width, height, fit, &options).map_err(|e| e.to_string())?;
        save(&image, &job.output, output_format(chosen, &job.input), quality)
    })
}

fn convert(args: ConvertArgs) -> ExitCode {
    check_quality_applies("convert", Some(args.format), args.output.quality);
    let quality = args.output.quality;
    let format = args.format;
    run_batch(&args.input, &args.output, Some(format), |job| {
        let image = Image::open_with(&job.input, &DecodeOptions::default()).map_err(|e| e.to_string())?;
        save(&image, &job.output, format, quality)
    })
}

/// `--quality` with a format that has no quality is a usage error rather than silently ignored.
fn check_quality_applies(subcommand: &str, format: Option<Format>, quality: Option<u8>) {
    if let (Some(format), Some(_)) = (format, quality)
        && !matches!(format, Format::Jpg | Format::Webp | Format::Avif)
    {
        usage_error(
            subcommand,
            format!(
                "--quality applies to JPEG, WebP and AVIF only, but --format is {}",
                format.to_possible_value().map_or_else(String::new, |v| v.get_name().to_owned())
            ),
        );
    }
}

fn output_format(chosen: Option<Format>, input: &Path) -> Format {
    chosen.unwrap_or_else(|| Format::default_for(input))
}

/// Encodes and writes atomically (the core writes a temporary file and renames it). JPEG and
/// AVIF get `quality` or the CLI's default; WebP is lossy only when a quality was given.
fn save(image: &Image, path: &Path, format: Format, quality: Option<u8>) -> Result<batch::Done, String> {
    let quality = match format {
        Format::Jpg | Format::Avif => Some(quality.unwrap_or(DEFAULT_QUALITY)),
        Format::Webp => quality,
        _ => None,
    };
    image.save_as(path, format.image_format(), quality).map_err(|e| e.to_string())?;
    Ok((image.width(), image.height()))
}

/// Collects the inputs, plans one output per file in `--out` and runs `work` on each.
fn run_batch<F>(input: &InputArgs, output: &OutputArgs, format: Option<Format>, work: F) -> ExitCode
where
    F: Fn(&Job) -> Result<batch::Done, String> + Sync,
{
    if let Err(e) = fs::create_dir_all(&output.out) {
        err_line(&format!("error: cannot create the output folder '{}': {e}", output.out.display()));
        return ExitCode::from(1);
    }
    let workers = workers(output.jobs);
    // The core's own parallel steps (resizing) share the same number of threads.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(workers).build_global();

    let collected = inputs::collect(&input.inputs, input.recursive, Some(&output.out));
    let mut failed = collected.failed;
    let jobs = plan_jobs(collected.files, &output.out, format, &mut failed);
    if jobs.is_empty() && failed.is_empty() {
        err_line("warning: no image files found in the given files and folders");
    }
    let summary = batch::run(&jobs, &failed, workers, Reporting { quiet: output.quiet }, work);
    if summary.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// One job per file: `<out>/<stem>.<ext>`. Refuses (as a failed file) to overwrite an input or to
/// write two inputs to the same output.
fn plan_jobs(files: Vec<PathBuf>, out: &Path, format: Option<Format>, failed: &mut Vec<(PathBuf, String)>) -> Vec<Job> {
    let out_canonical = fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    let mut taken: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut jobs = Vec::with_capacity(files.len());
    for input in files {
        let Some(stem) = input.file_stem() else {
            failed.push((input, "has no file name".to_owned()));
            continue;
        };
        let mut name = OsString::from(stem);
        name.push(".");
        name.push(output_format(format, &input).extension());
        let output = out.join(&name);
        let canonical_output = out_canonical.join(&name);
        if fs::canonicalize(&input).is_ok_and(|c| c == canonical_output) {
            failed.push((
                input,
                "the output would overwrite this input file; choose another --out folder or --format".to_owned(),
            ));
            continue;
        }
        if let Some(first) = taken.get(&canonical_output) {
            let message = format!(
                "its output {} would overwrite the result of {}; rename one of them or process them separately",
                output.display(),
                first.display()
            );
            failed.push((input, message));
            continue;
        }
        taken.insert(canonical_output, input.clone());
        jobs.push(Job { input, output });
    }
    jobs
}

fn info(args: &InfoArgs) -> ExitCode {
    let collected = inputs::collect(&args.input.inputs, args.input.recursive, None);
    let mut failures = collected.failed.len();
    for (path, message) in &collected.failed {
        err_line(&error_line(path, message));
    }
    if collected.files.is_empty() && failures == 0 {
        err_line("warning: no image files found in the given files and folders");
    }
    for path in &collected.files {
        match info::read(path) {
            Ok(found) if args.json => out_line(&info::json(path, &found)),
            Ok(found) => out_line(&info::line(path, &found)),
            Err(message) => {
                failures += 1;
                err_line(&error_line(path, &message));
            }
        }
    }
    if failures == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("400x300"), Ok((400, 300)));
        assert_eq!(parse_size("400X300"), Ok((400, 300)));
        assert_eq!(parse_size("256"), Ok((256, 256)));
        for bad in ["0", "x", "400x", "-4", "4.5", "400x0", "40000", "30000x30000"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_formats_follow_the_input() {
        assert_eq!(Format::default_for(Path::new("a.PNG")), Format::Png);
        assert_eq!(Format::default_for(Path::new("a.jpeg")), Format::Jpg);
        assert_eq!(Format::default_for(Path::new("a.webp")), Format::Jpg);
        assert_eq!(Format::default_for(Path::new("noext")), Format::Jpg);
    }

    #[test]
    fn outputs_never_overwrite_inputs_or_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["a.jpg", "a.png", "b.png"] {
            fs::write(root.join(name), b"x").unwrap();
        }
        let files = vec![root.join("a.jpg"), root.join("a.png"), root.join("b.png")];
        let mut failed = Vec::new();
        let jobs = plan_jobs(files.clone(), &root.join("out"), Some(Format::Jpg), &mut failed);
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].output, root.join("out/a.jpg"));
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].0, root.join("a.png"));

        // Writing into the input folder in the same format would replace the inputs.
        let mut failed = Vec::new();
        let jobs = plan_jobs(files, root, None, &mut failed);
        assert!(jobs.is_empty(), "{jobs:?}");
        assert_eq!(failed.len(), 3);
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
