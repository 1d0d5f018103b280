//! `pixbridge-csharp-gen [--check] [--out DIR]`: writes (or, with `--check`, verifies) the
//! generated C# sources of the Pixbridge SDK. See the library docs for what is generated.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: pixbridge-csharp-gen [--check] [--out DIR]\n\
    \n  --check    compare the files in DIR with a fresh generation; exit 1 if any differ\
    \n  --out DIR  output folder (default: bindings-csharp/src/Pixbridge/Generated)";

fn main() -> ExitCode {
    let mut check = false;
    let mut out_dir = pixbridge_csharp_gen::default_output_dir();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--out" => match args.next() {
                Some(dir) => out_dir = PathBuf::from(dir),
                None => return usage_error("--out needs a folder"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument {other:?}")),
        }
    }

    let files = match pixbridge_csharp_gen::generate() {
        Ok(files) => files,
        Err(error) => {
            eprintln!("pixbridge-csharp-gen: generation failed: {error}");
            return ExitCode::FAILURE;
        }
    };

    if check {
        let stale = pixbridge_csharp_gen::stale_files(&out_dir, &files);
        if stale.is_empty() {
            println!("pixbridge-csharp-gen: {} generated files in {} are up to date", files.len(), out_dir.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "pixbridge-csharp-gen: out of date in {}: {}\nrun `cargo run -p pixbridge-csharp-gen` and commit the result",
            out_dir.display(),
            stale.join(", ")
        );
        return ExitCode::FAILURE;
    }

    if let Err(error) = std::fs::create_dir_all(&out_dir) {
        eprintln!("pixbridge-csharp-gen: cannot create {}: {error}", out_dir.display());
        return ExitCode::FAILURE;
    }
    for file in &files {
        let path = out_dir.join(file.name);
        if let Err(error) = std::fs::write(&path, &file.contents) {
            eprintln!("pixbridge-csharp-gen: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("pixbridge-csharp-gen: {message}\n{USAGE}");
    ExitCode::from(2)
}
