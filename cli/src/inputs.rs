//! Turns the command line's files and folders into the list of image files to process.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// File extensions (lower case) that a folder walk picks up: every format the core decodes.
/// Files named explicitly on the command line are processed whatever their extension.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "apng", "webp", "gif", "bmp", "dib", "tif", "tiff", "qoi", "tga", "pnm",
    "pbm", "pgm", "ppm", "pam", "ico", "hdr", "exr", "dds", "ff",
];

/// The outcome of collecting inputs: the files in command-line order (folders expanded in name
/// order, duplicates dropped) and the arguments that could not be used, with a message each.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files to process.
    pub files: Vec<PathBuf>,
    /// Arguments or folder entries that failed (missing, unreadable folder, ...).
    pub failed: Vec<(PathBuf, String)>,
}

/// Whether `path` has one of [`IMAGE_EXTENSIONS`] (case-insensitive).
pub fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Collects the image files named by `args`: files as they are, folders walked for files with an
/// image extension (sub-folders too when `recursive`; hidden entries, whose names start with a
/// dot, are skipped). `skip_dir` (the output folder) is never walked into, so a second run does
/// not pick up the first run's outputs.
pub fn collect(args: &[PathBuf], recursive: bool, skip_dir: Option<&Path>) -> Inputs {
    let mut inputs = Inputs::default();
    let mut seen = HashSet::new();
    let skip = skip_dir.and_then(|d| fs::canonicalize(d).ok());
    let mut visited_dirs = HashSet::new();
    for arg in args {
        match fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => {
                walk(arg, recursive, skip.as_deref(), &mut visited_dirs, &mut seen, &mut inputs)
            }
            Ok(_) => add_file(arg.clone(), &mut seen, &mut inputs),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                inputs.failed.push((arg.clone(), "no such file or folder".to_owned()));
            }
            Err(e) => inputs.failed.push((arg.clone(), format!("cannot access it: {e}"))),
        }
    }
    inputs
}

fn add_file(path: PathBuf, seen: &mut HashSet<PathBuf>, inputs: &mut Inputs) {
    let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if seen.insert(key) {
        inputs.files.push(path);
    }
}

fn walk(
    dir: &Path,
    recursive: bool,
    skip: Option<&Path>,
    visited: &mut HashSet<PathBuf>,
    seen: &mut HashSet<PathBuf>,
    inputs: &mut Inputs,
) {
    // Canonical paths guard against symbolic-link loops and against walking a folder twice.
    let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !visited.insert(canonical) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            inputs.failed.push((dir.to_path_buf(), format!("cannot read the folder: {e}")));
            return;
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(e) => inputs.failed.push((dir.to_path_buf(), format!("cannot read the folder: {e}"))),
        }
    }
    paths.sort();
    let mut subdirs = Vec::new();
    for path in paths {
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        // Follows symbolic links; a dangling link is neither a file nor a folder and is skipped.
        let Ok(meta) = fs::metadata(&path) else { continue };
        if meta.is_dir() {
            if recursive {
                subdirs.push(path);
            }
        } else if meta.is_file() && has_image_extension(&path) {
            add_file(path, seen, inputs);
        }
    }
    for sub in subdirs {
        if skip.is_some_and(|s| fs::canonicalize(&sub).is_ok_and(|c| c == s)) {
            continue;
        }
        walk(&sub, recursive, skip, visited, seen, inputs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_case_insensitive() {
        assert!(has_image_extension(Path::new("a/b.JPG")));
        assert!(has_image_extension(Path::new("b.tiff")));
        assert!(!has_image_extension(Path::new("b.txt")));
        assert!(!has_image_extension(Path::new("jpg")));
    }

    #[test]
    fn folders_are_walked_in_name_order_and_duplicates_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["b.png", "a.jpg", "notes.txt", ".hidden.png"] {
            fs::write(root.join(name), b"x").unwrap();
        }
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("sub/c.png"), b"x").unwrap();
        fs::create_dir(root.join("out")).unwrap();
        fs::write(root.join("out/d.png"), b"x").unwrap();

        let flat = collect(&[root.to_path_buf(), root.join("a.jpg")], false, None);
        assert_eq!(flat.files, vec![root.join("a.jpg"), root.join("b.png")]);
        assert!(flat.failed.is_empty());

        let deep = collect(&[root.to_path_buf()], true, Some(&root.join("out")));
        assert_eq!(deep.files, vec![root.join("a.jpg"), root.join("b.png"), root.join("sub/c.png")]);

        let missing = collect(&[root.join("nope")], false, None);
        assert!(missing.files.is_empty());
        assert_eq!(missing.failed.len(), 1);
    }
}
