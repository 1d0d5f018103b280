//! The classic dynamic-loading example, done carefully: load `libpixbridge.so` at run time
//! (no link-time dependency), open a JPEG, blur it, mirror it and save PNGs.
//!
//! Usage: `pixbridge-sample-dynamic [--library PATH] [--out-dir DIR] [--plugin PATH]...
//! [--apply OP[:NAME=VALUE,...]]... INPUT...`
//!
//! The library is looked up at `--library`, then `$PIXBRIDGE_LIBRARY`, then next to this
//! executable (`libpixbridge.so`, `libpixbridge.dylib` on macOS, `pixbridge.dll` on Windows).
//! For each input it writes `<stem>-blur40-mirror.png` (sigma 40, the classic demo's value) and
//! `<stem>-blur4-mirror.png`.
//!
//! Plugins: each `--plugin PATH` loads a plugin library (its operations are listed); the
//! `--apply` operations then run in the order given on each input (arguments by name, the
//! others take their defaults; an in-place operation changes the image, a fresh one replaces
//! it), and the result is saved as `<stem>-<op>-<op>....png`. For example
//! `--plugin libpixbridge_sepia.so --apply sepia:strength=0.8 --apply channel_gain:blue=1.2`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use pixbridge_sample_dynamic::{Error, ImageFactory, LIBRARY_FILE_NAME, Plugin, abi};

/// The blurs the sample applies: the classic demo's sigma 40 and a gentler one.
const SIGMAS: [f32; 2] = [40.0, 4.0];

const USAGE: &str = "usage: pixbridge-sample-dynamic [--library PATH] [--out-dir DIR] [--plugin PATH]... \
                     [--apply OP[:NAME=VALUE,...]]... INPUT...";

struct Options {
    library: PathBuf,
    out_dir: PathBuf,
    plugins: Vec<PathBuf>,
    applies: Vec<Apply>,
    inputs: Vec<PathBuf>,
}

/// One `--apply OP[:NAME=VALUE,...]`.
struct Apply {
    operation: String,
    arguments: Vec<(String, f64)>,
}

impl Apply {
    fn parse(text: &str) -> Result<Apply, String> {
        let (operation, arguments) = text.split_once(':').unwrap_or((text, ""));
        if operation.is_empty() {
            return Err(format!("--apply {text}: no operation name"));
        }
        let arguments = arguments
            .split(',')
            .filter(|argument| !argument.is_empty())
            .map(|argument| {
                let (name, value) = argument
                    .split_once('=')
                    .ok_or_else(|| format!("--apply {text}: `{argument}` is not NAME=VALUE"))?;
                let value = value.parse::<f64>().map_err(|_| format!("--apply {text}: `{value}` is not a number"))?;
                Ok((name.to_string(), value))
            })
            .collect::<Result<_, String>>()?;
        Ok(Apply { operation: operation.to_string(), arguments })
    }
}

fn parse_options() -> Result<Options, String> {
    let mut library = std::env::var_os("PIXBRIDGE_LIBRARY").map(PathBuf::from);
    let mut out_dir = PathBuf::from(".");
    let mut plugins = Vec::new();
    let mut applies = Vec::new();
    let mut inputs = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--library") => library = Some(args.next().ok_or("--library needs a path")?.into()),
            Some("--out-dir") => out_dir = args.next().ok_or("--out-dir needs a directory")?.into(),
            Some("--plugin") => plugins.push(PathBuf::from(args.next().ok_or("--plugin needs a path")?)),
            Some("--apply") => {
                let text = args.next().ok_or("--apply needs OP[:NAME=VALUE,...]")?;
                applies.push(Apply::parse(&text.to_string_lossy())?);
            }
            Some("--help" | "-h") => return Err(USAGE.into()),
            _ => inputs.push(PathBuf::from(arg)),
        }
    }
    if inputs.is_empty() {
        return Err(format!("no input image given ({USAGE})"));
    }
    if !applies.is_empty() && plugins.is_empty() {
        return Err(format!("--apply needs a --plugin that has the operation ({USAGE})"));
    }
    let library = match library {
        Some(library) => library,
        None => std::env::current_exe()
            .map_err(|error| format!("cannot locate this executable: {error}"))?
            .with_file_name(LIBRARY_FILE_NAME),
    };
    Ok(Options { library, out_dir, plugins, applies, inputs })
}

/// Loads the plugins and prints what each offers.
fn load_plugins(factory: &ImageFactory, paths: &[PathBuf]) -> Result<Vec<Plugin>, Error> {
    let mut plugins = Vec::new();
    for path in paths {
        let plugin = factory.load_plugin(path)?;
        let (major, minor) = plugin.abi_version();
        println!(
            "loaded plugin {} {} (plugin ABI {major}.{minor}) from {}",
            plugin.name(),
            plugin.version(),
            plugin.path().display()
        );
        for operation in plugin.operations() {
            let kind = if operation.is_in_place() { "in place" } else { "new image" };
            println!("  {} ({kind}): {}", operation.name, operation.description);
            for parameter in &operation.parameters {
                let ty = abi::plugin_parameter_type::name(parameter.kind).unwrap_or("?");
                println!(
                    "    {} ({ty}, default {}, {} to {}): {}",
                    parameter.name,
                    parameter.default_value,
                    parameter.minimum,
                    parameter.maximum,
                    parameter.description
                );
            }
        }
        plugins.push(plugin);
    }
    Ok(plugins)
}

/// Runs the `--apply` operations on `input` in order and saves the result.
fn apply_plugins(factory: &ImageFactory, input: &Path, applies: &[Apply], out_dir: &Path) -> Result<PathBuf, Error> {
    let started = Instant::now();
    let mut image = factory.open(input)?;
    let mut names = Vec::new();
    for apply in applies {
        let arguments: Vec<(&str, f64)> = apply.arguments.iter().map(|(name, value)| (name.as_str(), *value)).collect();
        // The kind from the loaded plugins' descriptions; an operation none has goes to `apply`,
        // whose error (from the library) names it.
        match factory.plugin_operation(&apply.operation) {
            Some(operation) if operation.is_in_place() => image.apply_in_place(&apply.operation, &arguments)?,
            _ => image = image.apply(&apply.operation, &arguments)?,
        }
        names.push(apply.operation.as_str());
    }
    let output = out_dir.join(format!("{}-{}.png", stem(input), names.join("-")));
    image.save(&output)?;
    println!(
        "  plugins {} -> {} in {:.1} ms",
        names.join(" -> "),
        output.display(),
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(output)
}

fn stem(input: &Path) -> String {
    input.file_stem().map_or_else(|| "image".into(), |stem| stem.to_string_lossy().into_owned())
}

fn process(factory: &ImageFactory, input: &Path, out_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let started = Instant::now();
    let image = factory.open(input)?;
    let (width, height) = image.size()?;
    println!("opened {} ({width}x{height}) in {:.1} ms", input.display(), started.elapsed().as_secs_f64() * 1e3);
    let profile = match image.color_profile()? {
        abi::color_profile::SRGB => "sRGB",
        abi::color_profile::EMBEDDED => "embedded ICC profile",
        _ => "no profile",
    };
    let camera = [abi::exif_text::MAKE, abi::exif_text::MODEL]
        .into_iter()
        .filter_map(|field| image.exif_text(field).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    println!("  colours: {profile}; camera: {}", if camera.is_empty() { "unknown".into() } else { camera.join(" ") });
    let stem = stem(input);
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
    let plugins = match load_plugins(&factory, &options.plugins) {
        Ok(plugins) => plugins,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for input in &options.inputs {
        let result = process(&factory, input, &options.out_dir).and_then(|mut outputs| {
            if !options.applies.is_empty() {
                outputs.push(apply_plugins(&factory, input, &options.applies, &options.out_dir)?);
            }
            Ok(outputs)
        });
        match result {
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
    drop(plugins); // unloads them (every image they made is gone already)
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
