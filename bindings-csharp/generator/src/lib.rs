//! Writes the generated C# sources of the Pixbridge SDK.
//!
//! Three files, all derived from Rust metadata so that nothing about the native interface is
//! described twice by hand:
//!
//! - `Interop.g.cs`: the P/Invoke layer, written by `interoptopus_csharp` from
//!   `pixbridge::ffi_inventory()` (including its API guard), with every top-level type made
//!   `internal` so that only the idiomatic API is public;
//! - `Enums.g.cs`: the public enums (`ErrorCode`, `ImageFormat`, `ResizeFilter`, `ColorType`)
//!   with the variants, numbers and docs of the Rust enums in the inventory;
//! - `Image.Operations.g.cs`: one idiomatic method per operation of
//!   `pixbridge_runtime::OPERATIONS`, plus the ABI version the SDK expects.

mod csharp;
mod enums;
mod interop;
mod operations;

use std::fmt;
use std::path::{Path, PathBuf};

/// One generated source file: its name inside the output folder and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name, e.g. `Interop.g.cs`.
    pub name: &'static str,
    /// Full text of the file.
    pub contents: String,
}

/// Why generation failed.
#[derive(Debug)]
pub struct GenerateError(String);

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenerateError {}

impl From<String> for GenerateError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// Where the generated files live in the repository (`bindings-csharp/src/Pixbridge/Generated`).
pub fn default_output_dir() -> PathBuf {
    let generator = Path::new(env!("CARGO_MANIFEST_DIR"));
    generator.parent().unwrap_or(generator).join("src/Pixbridge/Generated")
}

/// Generates every file from the inventory of `pixbridge-ffi` and the operation table of
/// `pixbridge-runtime`.
pub fn generate() -> Result<Vec<GeneratedFile>, GenerateError> {
    let inventory = pixbridge::ffi_inventory();
    let enums = enums::generate(&inventory)?;
    let operations = operations::generate(&inventory, pixbridge_runtime::OPERATIONS, pixbridge_runtime::ABI_VERSION)?;
    let interop = interop::generate(inventory)?;
    Ok(vec![
        GeneratedFile { name: interop::FILE_NAME, contents: interop },
        GeneratedFile { name: enums::FILE_NAME, contents: enums },
        GeneratedFile { name: operations::FILE_NAME, contents: operations },
    ])
}

/// Names of the files in `dir` that are missing or differ from `files`.
pub fn stale_files(dir: &Path, files: &[GeneratedFile]) -> Vec<&'static str> {
    files
        .iter()
        .filter(|file| std::fs::read_to_string(dir.join(file.name)).ok().as_deref() != Some(file.contents.as_str()))
        .map(|file| file.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_files_lists_missing_and_different_files_only() {
        let dir = std::env::temp_dir().join(format!("pixbridge-csharp-gen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = vec![
            GeneratedFile { name: "Same.g.cs", contents: "same\n".into() },
            GeneratedFile { name: "Changed.g.cs", contents: "new\n".into() },
            GeneratedFile { name: "Missing.g.cs", contents: "x\n".into() },
        ];
        std::fs::write(dir.join("Same.g.cs"), "same\n").unwrap();
        std::fs::write(dir.join("Changed.g.cs"), "old\n").unwrap();
        let stale = stale_files(&dir, &files);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(stale, ["Changed.g.cs", "Missing.g.cs"]);
    }
}
