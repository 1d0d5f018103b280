//! The C# SDK's generated sources, in `bindings-csharp/src/Pixbridge/Generated/`:
//!
//! - [`interop`]: `Interop.g.cs`, the P/Invoke layer written by `interoptopus_csharp` (with its
//!   API guard), every top-level type made `internal`;
//! - [`enums`]: `Enums.g.cs`, the public enums with the Rust variants, numbers and docs;
//! - [`operations`]: `Image.Operations.g.cs`, one idiomatic method per operation and its
//!   asynchronous twin (`BlurAsync`, ...; over the `_controlled` export), plus the ABI version
//!   the SDK expects.

pub mod enums;
pub mod interop;
pub mod operations;

use crate::{GenerateError, GeneratedFile, Model};

/// The folder of the generated C# files.
pub const DIR: &str = "bindings-csharp/src/Pixbridge/Generated";

/// The three generated C# files.
pub fn files(model: &Model) -> Result<Vec<GeneratedFile>, GenerateError> {
    let path = |name: &str| format!("{DIR}/{name}");
    Ok(vec![
        GeneratedFile::new(path(interop::FILE_NAME), interop::generate((model.make_inventory)())?),
        GeneratedFile::new(path(enums::FILE_NAME), enums::generate(&model.inventory)?),
        GeneratedFile::new(
            path(operations::FILE_NAME),
            operations::generate(&model.inventory, model.operations, model.abi_version)?,
        ),
    ])
}
