//! `cargo run -p pixbridge-codegen [-- --check]`: writes every generated file of Pixbridge, or
//! with `--check` writes nothing and fails with a diff when any checked-in file is stale.

use std::process::ExitCode;

use pixbridge_codegen::{Model, generate, repo_root, stale_files};

const USAGE: &str = "usage: pixbridge-codegen [--check]\n\
    \n  --check  compare the checked-in files with a fresh generation; exit 1 with a diff if any differ";

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("pixbridge-codegen: unknown argument {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let files = match generate(&Model::current()) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("pixbridge-codegen: generation failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let root = repo_root();
    let stale = stale_files(&root, &files);
    if check {
        if stale.is_empty() {
            println!("pixbridge-codegen: all {} generated files are up to date", files.len());
            return ExitCode::SUCCESS;
        }
        for file in &stale {
            eprintln!("--- {} is stale:\n{}", file.path, file.diff);
        }
        eprintln!(
            "pixbridge-codegen: {} file(s) stale; run `cargo run -p pixbridge-codegen` and commit the result",
            stale.len()
        );
        return ExitCode::FAILURE;
    }
    for file in files.iter().filter(|file| stale.iter().any(|s| s.path == file.path)) {
        let path = root.join(&file.path);
        if let Some(parent) = path.parent()
            && let Err(error) = std::fs::create_dir_all(parent)
        {
            eprintln!("pixbridge-codegen: cannot create {}: {error}", parent.display());
            return ExitCode::FAILURE;
        }
        if let Err(error) = std::fs::write(&path, &file.contents) {
            eprintln!("pixbridge-codegen: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", file.path);
    }
    println!("pixbridge-codegen: {} of {} generated files rewritten", stale.len(), files.len());
    ExitCode::SUCCESS
}
