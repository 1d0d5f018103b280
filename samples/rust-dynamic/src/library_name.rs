//! The file name of the Pixbridge C library on each operating system.
//!
//! Cargo names the `pixbridge` cdylib `libpixbridge.so` on Linux and the other ELF systems,
//! `libpixbridge.dylib` on macOS and `pixbridge.dll` on Windows: the platform's
//! [`DLL_PREFIX`](std::env::consts::DLL_PREFIX) + `pixbridge` +
//! [`DLL_SUFFIX`](std::env::consts::DLL_SUFFIX). The sample looks for that name next to its
//! executable when no `--library` or `$PIXBRIDGE_LIBRARY` is given.

/// The library's file name on the operating system this program was built for.
pub const LIBRARY_FILE_NAME: &str = library_file_name_for(std::env::consts::OS);

/// The library's file name on `os`, a value of [`std::env::consts::OS`] (`"linux"`, `"macos"`,
/// `"windows"`, ...).
pub const fn library_file_name_for(os: &str) -> &'static str {
    match os.as_bytes() {
        b"windows" => "pixbridge.dll",
        b"macos" | b"ios" => "libpixbridge.dylib",
        _ => "libpixbridge.so",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_has_its_file_name() {
        assert_eq!(library_file_name_for("linux"), "libpixbridge.so");
        assert_eq!(library_file_name_for("android"), "libpixbridge.so");
        assert_eq!(library_file_name_for("freebsd"), "libpixbridge.so");
        assert_eq!(library_file_name_for("macos"), "libpixbridge.dylib");
        assert_eq!(library_file_name_for("windows"), "pixbridge.dll");
    }

    #[test]
    fn matches_the_platforms_own_prefix_and_suffix() {
        use std::env::consts::{DLL_PREFIX, DLL_SUFFIX};
        assert_eq!(LIBRARY_FILE_NAME, format!("{DLL_PREFIX}pixbridge{DLL_SUFFIX}"));
    }

    #[test]
    fn is_the_name_cargo_gave_the_library_built_beside_the_tests() {
        // Unit tests run from target/<profile>/deps; cargo uplifts the cdylib to target/<profile>.
        let exe = std::env::current_exe().unwrap();
        let profile = exe.parent().unwrap().parent().unwrap();
        let built: Vec<String> = std::fs::read_dir(profile)
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.contains("pixbridge.") && !name.contains("_jni"))
            .filter(|name| [".so", ".dylib", ".dll"].iter().any(|suffix| name.ends_with(suffix)))
            .collect();
        assert_eq!(built, [LIBRARY_FILE_NAME], "build pixbridge-ffi first (cargo build --workspace)");
    }
}
