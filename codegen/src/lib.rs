//! `pixbridge-codegen`: writes every generated file of Pixbridge from two sources of truth,
//! the C ABI's interoptopus inventory (`pixbridge::ffi_inventory()`: exports, enums, structs,
//! docs) and the single operation table (`pixbridge_runtime::OPERATIONS`).
//!
//! One backend per target, each a module with a `files(&Model)` function:
//!
//! - [`c`]: the C header, `ffi/include/pixbridge.h`;
//! - [`cpp`]: the header-only C++17 wrapper, `ffi/include/pixbridge.hpp`;
//! - [`rust_loader`]: the run-time loader's mirror of the function table and its
//!   per-operation methods;
//! - [`csharp`]: the P/Invoke layer, the public enums and the per-operation methods;
//! - [`java`]: the enums, the JNI natives and the per-operation methods;
//! - [`python`]: the Python package's ctypes mirror of the function table, its enums, exceptions
//!   and per-operation methods;
//! - [`operation_docs`]: `docs/operations.md`, the one prose list of operations.
//!
//! Shared helpers exist once: [`naming`] (case conversion) and [`docs`] (Markdown to each
//! language's doc syntax). A new language is one more module and one more line in
//! [`generate`].

pub mod abi;
pub mod c;
pub mod cpp;
pub mod csharp;
pub mod docs;
pub mod java;
pub mod naming;
pub mod operation_docs;
pub mod python;
pub mod rust_loader;

use std::fmt;
use std::path::{Path, PathBuf};

use interoptopus::inventory::RustInventory;
use pixbridge_runtime::operations::OperationSpec;

/// What every backend reads.
pub struct Model {
    /// The C ABI as interoptopus describes it.
    pub inventory: RustInventory,
    /// The operation table, in table order.
    pub operations: &'static [OperationSpec],
    /// The ABI version of the library.
    pub abi_version: u32,
    /// Makes another copy of `inventory` (interoptopus' C# backend consumes one; it is not `Clone`).
    pub make_inventory: fn() -> RustInventory,
}

impl Model {
    /// The model of the library this crate is built against.
    pub fn current() -> Self {
        Self {
            inventory: pixbridge::ffi_inventory(),
            operations: pixbridge_runtime::OPERATIONS,
            abi_version: pixbridge_runtime::ABI_VERSION,
            make_inventory: pixbridge::ffi_inventory,
        }
    }
}

/// The paragraph every surface adds to the docs of an operation that is deferred on a deferred
/// image ([`OperationSpec::deferred`]), so that the list of such operations is kept nowhere by hand.
pub const DEFERRED_REMARK: [&str; 2] = [
    "Deferred on a deferred image (decode option `deferred`): checks its arguments at once, returns",
    "an image of known size and records the step; the call that reads the pixels computes them.",
];

/// An operation's doc lines as every surface shows them: the table's, then (after a blank line)
/// [`DEFERRED_REMARK`] for a deferred operation.
pub fn operation_doc_lines(operation: &OperationSpec) -> Vec<&'static str> {
    let mut lines = operation.docs.to_vec();
    if operation.deferred {
        lines.push("");
        lines.extend(DEFERRED_REMARK);
    }
    lines
}

/// One generated file: its path relative to the repository root and its full text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// Full text of the file.
    pub contents: String,
}

impl GeneratedFile {
    /// A file at `path` (relative to the repository root).
    pub fn new(path: impl Into<String>, contents: String) -> Self {
        Self { path: path.into(), contents }
    }
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

impl From<&str> for GenerateError {
    fn from(message: &str) -> Self {
        Self(message.to_string())
    }
}

/// The repository root (the parent of this crate's folder).
pub fn repo_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().unwrap_or(crate_dir).to_path_buf()
}

/// Every generated file of the repository, from `model`.
pub fn generate(model: &Model) -> Result<Vec<GeneratedFile>, GenerateError> {
    let mut files = vec![c::header(model)?, cpp::header(model)?];
    files.extend(rust_loader::files(model)?);
    files.push(operation_docs::list(model)?);
    files.extend(csharp::files(model)?);
    files.extend(java::files(model)?);
    files.extend(python::files(model)?);
    Ok(files)
}

/// A file whose checked-in text differs from a fresh generation, with a line diff.
#[derive(Debug)]
pub struct StaleFile {
    /// Path relative to the repository root.
    pub path: String,
    /// `-`/`+` lines (or a note that the file is missing).
    pub diff: String,
}

/// Compares `files` with what lies under `root`.
pub fn stale_files(root: &Path, files: &[GeneratedFile]) -> Vec<StaleFile> {
    files
        .iter()
        .filter_map(|file| match std::fs::read_to_string(root.join(&file.path)) {
            Ok(current) if current == file.contents => None,
            Ok(current) => Some(StaleFile { path: file.path.clone(), diff: line_diff(&current, &file.contents) }),
            Err(error) => Some(StaleFile { path: file.path.clone(), diff: format!("(cannot read it: {error})\n") }),
        })
        .collect()
}

/// A line diff of two texts: every run of removed (`-`) and added (`+`) lines after a header
/// with the old text's line number where it starts, from a longest common subsequence of lines.
pub fn line_diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    // lcs[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let width = new.len() + 1;
    let mut lcs = vec![0u32; (old.len() + 1) * width];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i * width + j] = if old[i] == new[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut out, mut hunk) = (String::new(), String::new());
    let (mut i, mut j, mut start) = (0, 0, 0);
    let flush = |out: &mut String, hunk: &mut String, start: usize| {
        if !hunk.is_empty() {
            out.push_str(&format!("@@ line {} @@\n{hunk}", start + 1));
            hunk.clear();
        }
    };
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            flush(&mut out, &mut hunk, start);
            (i, j) = (i + 1, j + 1);
            start = i;
        } else if i < old.len() && (j == new.len() || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            hunk.push_str(&format!("-{}\n", old[i]));
            i += 1;
        } else {
            hunk.push_str(&format!("+{}\n", new[j]));
            j += 1;
        }
    }
    flush(&mut out, &mut hunk, start);
    out
}

/// The first line of every generated file, in the comment syntax of its language.
pub fn banner(comment: &str, source: &str) -> String {
    format!("{comment} GENERATED by `cargo run -p pixbridge-codegen` from {source}. Do not edit.\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_only_changed_lines() {
        assert_eq!(line_diff("a\nb\nc\n", "a\nB\nc\n"), "@@ line 2 @@\n-b\n+B\n");
        assert_eq!(line_diff("a\n", "a\nb\n"), "@@ line 2 @@\n+b\n");
        assert_eq!(line_diff("a\nb\n", "b\n"), "@@ line 1 @@\n-a\n");
        // Two separate changes give two hunks, not one block spanning both.
        assert_eq!(line_diff("a\nb\nc\nd\ne\n", "a\nB\nc\nd\nE\n"), "@@ line 2 @@\n-b\n+B\n@@ line 5 @@\n-e\n+E\n");
    }

    #[test]
    fn stale_files_lists_missing_and_different_files_only() {
        let dir = std::env::temp_dir().join(format!("pixbridge-codegen-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("same.txt"), "same\n").unwrap();
        std::fs::write(dir.join("sub/changed.txt"), "old\n").unwrap();
        let files = vec![
            GeneratedFile::new("same.txt", "same\n".into()),
            GeneratedFile::new("sub/changed.txt", "new\n".into()),
            GeneratedFile::new("missing.txt", "x\n".into()),
        ];
        let stale = stale_files(&dir, &files);
        std::fs::remove_dir_all(&dir).unwrap();
        let paths: Vec<&str> = stale.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(paths, ["sub/changed.txt", "missing.txt"]);
        assert_eq!(stale[0].diff, "@@ line 1 @@\n-old\n+new\n");
    }
}
