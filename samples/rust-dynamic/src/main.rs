//! The classic dynamic-loading example, done carefully: load `libpixbridge.so` at run time
//! (no link-time dependency), open a JPEG, blur it, mirror it and save PNGs.
//!
//! Usage: `pixbridge-sample-dynamic [--library PATH] [--out-dir DIR] INPUT...`
//!
//! The library is looked up at `--library`, then `$PIXBRIDGE_LIBRARY`, then next to this
//! executable (`libpixbridge.so`, `libpixbridge.dylib` on macOS, `pixbridge.dll` on Windows). For each input it writes `<stem>-blur40-mirror.png` (sigma 40, the classic demo's
//! value) and `<stem>-blur4-mirror.png`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use pixbridge_sample_dynamic::{Error, ImageFactory, LIBRARY_FILE_NAME};

/// The blurs the sample applies: the classic demo's sigma 40 and a gentler one.
const SIGMAS: [f32; 2] = [40.0, 4.0];

struct Options {
    library: PathBuf,
    out_dir: PathBuf,
    inputs: Vec<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut library = std::env::var_os("PIXBRIDGE_LIBRARY").map(PathBuf::from);
    let mut out_dir = PathBuf::from(".");
    let mut inputs = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--library") => library = Some(args.next().ok_or("--library needs a path")?.into()),
            Some("--out-dir") => out_dir = args.next().ok_or("--out-dir needs a directory")?.into(),
            Some("--help" | "-h") => {
                return Err("usage: pixbridge-sample-dynamic [--library PATH] [--out-dir DIR] INPUT...".into());
            }
            _ => inputs.push(PathBuf::from(arg)),
        }
    }
    if inputs.is_empty() {
        return Err(
            "no input image given (usage: pixbridge-sample-dynamic [--library PATH] [--out-dir DIR] INPUT...)".into()
        );
    }
    let library = match library {
        Some(library) => library,
        None => std::env::current_exe()
            .map_err(|error| format!("cannot locate this executable: {error}"))?
            .with_file_name(LIBRARY_FILE_NAME),
    };
    Ok(Options { library, out_dir, inputs })
}

fn process(factory: &ImageFactory, input: &Path, out_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let started = Instant::now();
    let image = factory.open(input)?;
    let (width, height) = image.size()?;
    println!("opened {} ({width}x{height}) in {:.1} ms", input.display(), started.elapsed().as_secs_f64() * 1e3);
    let stem = input.file_stem().map_or_else(|| "image".into(), |stem| stem.to_string_lossy().into_owned());
    let mut outputs = Vec::new();
    for sigma in SIGMAS {
        let started = Instant::now();
        let mut blurred = image.blur(sigma)?;
        blurred.mirror()?;
        let output = out_dir.join(format!("{stem}-blur{sigma}-mirror.png"));
        blurred.save(&output)?;
        println!(
            "  blur(sigma {sigma}) -> mirror -> {} in {:.1} ms",
            output.display(),
            started.elapsed().as_secs_f64() * 1e3
        );
        outputs.push(output);
    }
    Ok(outputs)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let factory = match ImageFactory::load(&options.library) {
        Ok(factory) => factory,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("loaded {}", options.library.display());
    if let Err(error) = std::fs::create_dir_all(&options.out_dir) {
        eprintln!("error: cannot create {}: {error}", options.out_dir.display());
        return ExitCode::FAILURE;
    }
    let mut failed = false;
    for input in &options.inputs {
        match process(&factory, input, &options.out_dir) {
            Ok(outputs) => {
                for output in outputs {
                    println!("wrote {}", output.display());
                }
            }
            Err(error) => {
                eprintln!("error: {}: {error}", input.display());
                failed = true;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
