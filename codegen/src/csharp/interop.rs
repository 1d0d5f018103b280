//! The P/Invoke layer, written by `interoptopus_csharp`.

use interoptopus::inventory::RustInventory;
use interoptopus_csharp::RustLibrary;
use interoptopus_csharp::config::{DllImportSearchPath, HeaderConfig, SearchPathConfig};
use interoptopus_csharp::dispatch::Dispatch;
use interoptopus_csharp::output::Target;

use crate::GenerateError;

/// Name of the generated P/Invoke file.
pub const FILE_NAME: &str = "Interop.g.cs";

/// Namespace of the raw layer; the idiomatic API in `Pixbridge` is the only public surface.
pub const NAMESPACE: &str = "Pixbridge.Native";

/// Name passed to `[LibraryImport]`; the SDK's resolver maps it to `libpixbridge.so` etc.
pub const DLL_NAME: &str = "pixbridge";

/// Runs the interoptopus C# backend over `inventory` and makes the result internal.
pub fn generate(inventory: RustInventory) -> Result<String, GenerateError> {
    let multibuf = RustLibrary::builder(inventory)
        .dll_name(DLL_NAME)
        .dispatch(Dispatch::custom(|_, _| Target::new(FILE_NAME, NAMESPACE)))
        // No generator version in the header: the file must not change when nothing else did.
        .headers(HeaderConfig { emit_version: false })
        // Loading is decided by the SDK's own resolver, never by a search path.
        .search_path(SearchPathConfig { import_search_path: DllImportSearchPath::None })
        .build()
        .process()
        .map_err(|error| format!("interoptopus_csharp failed: {error}"))?;
    let text = multibuf.buffer(FILE_NAME).ok_or_else(|| format!("interoptopus_csharp produced no {FILE_NAME}"))?;
    Ok(internalize(text))
}

/// Makes every top-level declaration `internal`.
///
/// interoptopus 0.16 emits `public` types (some hard-coded in its templates, like the
/// `Interop` class), which would make the raw layer part of the package's public API and
/// require XML docs on all of it. Top-level declarations are exactly the lines that start
/// with `public ` at column 0; members inside them are indented and keep their modifiers
/// (they are no more visible than their internal type).
pub fn internalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("public ") {
            Some(rest) => {
                out.push_str("internal ");
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_top_level_public_declarations_become_internal() {
        let text = "public static partial class Interop {\n    public const string NativeLib = \"x\";\n}\n\
                    [Attr]\npublic partial struct ErrorCode\n{\n    public bool IsOk => true;\n}\n// public comment\n";
        let expected = "internal static partial class Interop {\n    public const string NativeLib = \"x\";\n}\n\
                        [Attr]\ninternal partial struct ErrorCode\n{\n    public bool IsOk => true;\n}\n// public comment\n";
        assert_eq!(internalize(text), expected);
    }
}
