//! Generators for the artefacts that describe the C ABI to other code, all read from
//! [`ffi_inventory`](crate::ffi_inventory) so they can never drift from the Rust definitions:
//!
//! - [`c_header`] writes `ffi/include/pixbridge.h`;
//! - [`rust_loader_bindings`] writes the `#[repr(C)]` mirror of the function table used by programs
//!   that load `libpixbridge.so` at run time (`samples/rust-dynamic/src/abi.rs`).
//!
//! The checked-in files are compared with a fresh generation by the crate's tests;
//! `PIXBRIDGE_BLESS=1 cargo test -p pixbridge-ffi --test generated` rewrites them.

use std::fmt::Write as _;

use interoptopus::inventory::{RustInventory, TypeId};
use interoptopus::lang::function::Function;
use interoptopus::lang::types::{Layout, Primitive, TypeKind, TypePattern};

use crate::{FUNCTION_TABLE, ffi_inventory};

/// How a type is spelled in the target language.
trait Spelling {
    fn primitive(&self, primitive: &Primitive) -> &'static str;
    fn named(&self, name: &str, kind: &TypeKind) -> String;
    fn pointer(&self, target: String, mutable: bool) -> String;
    fn version(&self) -> &'static str;
}

struct C;
struct Rust;

impl Spelling for C {
    fn primitive(&self, primitive: &Primitive) -> &'static str {
        match primitive {
            Primitive::Void => "void",
            Primitive::Bool => "bool",
            Primitive::U8 => "uint8_t",
            Primitive::U16 => "uint16_t",
            Primitive::U32 => "uint32_t",
            Primitive::U64 => "uint64_t",
            Primitive::Usize => "size_t",
            Primitive::I8 => "int8_t",
            Primitive::I16 => "int16_t",
            Primitive::I32 => "int32_t",
            Primitive::I64 => "int64_t",
            Primitive::Isize => "ptrdiff_t",
            Primitive::F32 => "float",
            Primitive::F64 => "double",
        }
    }
    fn named(&self, name: &str, _kind: &TypeKind) -> String {
        format!("Pixbridge{name}")
    }
    fn pointer(&self, target: String, mutable: bool) -> String {
        if mutable { format!("{target}*") } else { format!("const {target}*") }
    }
    fn version(&self) -> &'static str {
        "uint64_t"
    }
}

impl Spelling for Rust {
    fn primitive(&self, primitive: &Primitive) -> &'static str {
        match primitive {
            Primitive::Void => "()",
            Primitive::Bool => "bool",
            Primitive::U8 => "u8",
            Primitive::U16 => "u16",
            Primitive::U32 => "u32",
            Primitive::U64 => "u64",
            Primitive::Usize => "usize",
            Primitive::I8 => "i8",
            Primitive::I16 => "i16",
            Primitive::I32 => "i32",
            Primitive::I64 => "i64",
            Primitive::Isize => "isize",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
        }
    }
    fn named(&self, name: &str, kind: &TypeKind) -> String {
        // A foreign library could return any number: enums are read as plain u32 codes.
        match kind {
            TypeKind::Enum(_) => "u32".to_string(),
            _ => name.to_string(),
        }
    }
    fn pointer(&self, target: String, mutable: bool) -> String {
        if mutable { format!("*mut {target}") } else { format!("*const {target}") }
    }
    fn version(&self) -> &'static str {
        "u64"
    }
}

fn spell(inventory: &RustInventory, id: TypeId, spelling: &dyn Spelling) -> String {
    let ty = inventory.types.get(&id).unwrap_or_else(|| panic!("type {id:?} missing from the inventory"));
    match &ty.kind {
        TypeKind::Primitive(primitive) => spelling.primitive(primitive).to_string(),
        TypeKind::ReadPointer(target) => spelling.pointer(spell(inventory, *target, spelling), false),
        TypeKind::ReadWritePointer(target) => spelling.pointer(spell(inventory, *target, spelling), true),
        TypeKind::Enum(_) | TypeKind::Struct(_) => spelling.named(&ty.name, &ty.kind),
        TypeKind::TypePattern(TypePattern::Version) => spelling.version().to_string(),
        other => panic!("type {} ({other:?}) has no C spelling; extend the generator", ty.name),
    }
}

/// The exported functions with their table field names, in function-table order.
fn table_functions(inventory: &RustInventory) -> Vec<(&'static str, &Function)> {
    FUNCTION_TABLE
        .iter()
        .map(|(field, name)| {
            let function = inventory
                .functions
                .values()
                .find(|function| function.name == *name)
                .unwrap_or_else(|| panic!("{name} is in the function table but not in the inventory"));
            (*field, function)
        })
        .collect()
}

fn comment(out: &mut String, indent: &str, prefix: &str, lines: &[String]) {
    for line in lines {
        let line = line.trim_end();
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.is_empty() {
            let _ = writeln!(out, "{indent}{prefix}");
        } else {
            let _ = writeln!(out, "{indent}{prefix} {line}");
        }
    }
}

fn snake_upper(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

fn c_parameters(inventory: &RustInventory, function: &Function) -> String {
    let args = &function.signature.arguments;
    if args.is_empty() {
        return "void".to_string();
    }
    args.iter().map(|arg| format!("{} {}", spell(inventory, arg.ty, &C), arg.name)).collect::<Vec<_>>().join(", ")
}

/// Generates the C header `ffi/include/pixbridge.h` (C99).
pub fn c_header() -> String {
    let inventory = ffi_inventory();
    let mut out = String::new();
    out.push_str(
        "/* pixbridge.h: the Pixbridge C ABI.\n\
         *\n\
         * GENERATED from the Rust definitions in ffi/ by `PIXBRIDGE_BLESS=1 cargo test -p pixbridge-ffi\n\
         * --test generated`; do not edit by hand. See docs/design.md for the conventions:\n\
         * - every function returns a PixbridgeErrorCode (0 = OK) unless noted; after a failure,\n\
         *   pixbridge_last_error_message() gives the calling thread's message;\n\
         * - images and buffers are uint64_t handles; 0 is never valid; stale or forged handles\n\
         *   give PIXBRIDGE_ERROR_CODE_INVALID_HANDLE;\n\
         * - paths are UTF-8 (pointer, length) pairs, not NUL-terminated;\n\
         * - new-image operations write the new handle to their last parameter `out_image`.\n\
         */\n\
         #ifndef PIXBRIDGE_H\n#define PIXBRIDGE_H\n\n\
         #include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n\
         #ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
    );
    let _ = writeln!(out, "/** ABI version this header describes; compare with pixbridge_abi_version(). */");
    let _ = writeln!(out, "#define PIXBRIDGE_ABI_VERSION {}\n", pixbridge_runtime::ABI_VERSION);

    let mut types: Vec<_> = inventory.types.values().collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    for ty in &types {
        if let TypeKind::Enum(enumeration) = &ty.kind {
            // The header promises 32-bit codes; an enum compiled narrower would return or store
            // fewer bytes than C reads (see `pixbridge_runtime::codes::code`).
            assert!(
                matches!(enumeration.repr.layout, Layout::Primitive(Primitive::I32 | Primitive::U32)),
                "#[ffi] enum {} is {:?}, but pixbridge.h declares it uint32_t",
                ty.name,
                enumeration.repr.layout
            );
            comment(&mut out, "", "///", &ty.docs.lines);
            let _ = writeln!(out, "typedef uint32_t Pixbridge{};", ty.name);
            let _ = writeln!(out, "enum {{");
            for variant in &enumeration.variants {
                if let interoptopus::lang::types::VariantKind::Unit(value) = variant.kind {
                    comment(&mut out, "    ", "///", &variant.docs.lines);
                    let _ = writeln!(
                        out,
                        "    PIXBRIDGE_{}_{} = {value},",
                        snake_upper(&ty.name),
                        snake_upper(&variant.name)
                    );
                }
            }
            let _ = writeln!(out, "}};\n");
        }
    }
    for ty in &types {
        if let TypeKind::Struct(structure) = &ty.kind {
            comment(&mut out, "", "///", &ty.docs.lines);
            let _ = writeln!(out, "typedef struct Pixbridge{} {{", ty.name);
            for field in &structure.fields {
                comment(&mut out, "    ", "///", &field.docs.lines);
                let _ = writeln!(out, "    {} {};", spell(&inventory, field.ty, &C), field.name);
            }
            let _ = writeln!(out, "}} Pixbridge{};\n", ty.name);
        }
    }

    let functions = table_functions(&inventory);
    for (_, function) in &functions {
        comment(&mut out, "", "///", &function.docs.lines);
        let ret = spell(&inventory, function.signature.rval, &C);
        let _ = writeln!(out, "{ret} {}({});\n", function.name, c_parameters(&inventory, function));
    }

    out.push_str("/// Every function above as one table; check `size` and `abi_version` before use.\n");
    out.push_str("typedef struct PixbridgeFunctions {\n    /// Size of this struct in bytes.\n    size_t size;\n");
    out.push_str("    /// ABI version of the library (PIXBRIDGE_ABI_VERSION).\n    uint32_t abi_version;\n");
    for (field, function) in &functions {
        let ret = spell(&inventory, function.signature.rval, &C);
        let _ = writeln!(out, "    {ret} (*{field})({});", c_parameters(&inventory, function));
    }
    out.push_str("} PixbridgeFunctions;\n\n");
    out.push_str("/// Returns the static table of every function (never NULL, never freed).\n");
    out.push_str("const PixbridgeFunctions* pixbridge_functions(void);\n\n");
    out.push_str("#ifdef __cplusplus\n}\n#endif\n\n#endif /* PIXBRIDGE_H */\n");
    out
}

/// Generates the Rust mirror of the function table for run-time loaders (no link to the library).
pub fn rust_loader_bindings() -> String {
    let inventory = ffi_inventory();
    let mut out = String::new();
    out.push_str(
        "//! The Pixbridge function table as seen by a program that loads `libpixbridge.so` at run time.\n\
         //!\n\
         //! GENERATED from the Rust definitions in ffi/ by `PIXBRIDGE_BLESS=1 cargo test -p pixbridge-ffi\n\
         //! --test generated`; do not edit by hand. Enums are plain `u32` codes here: a foreign library\n\
         //! could return any number.\n\n\
         #![allow(dead_code)]\n\n",
    );
    let _ = writeln!(out, "/// ABI version these bindings describe.");
    let _ = writeln!(out, "pub const ABI_VERSION: u32 = {};\n", pixbridge_runtime::ABI_VERSION);

    let mut types: Vec<_> = inventory.types.values().collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    for ty in &types {
        match &ty.kind {
            TypeKind::Enum(enumeration) => {
                comment(&mut out, "", "///", &ty.docs.lines);
                let module = snake_upper(&ty.name).to_ascii_lowercase();
                let _ = writeln!(out, "pub mod {module} {{");
                for variant in &enumeration.variants {
                    if let interoptopus::lang::types::VariantKind::Unit(value) = variant.kind {
                        comment(&mut out, "    ", "///", &variant.docs.lines);
                        let _ = writeln!(out, "    pub const {}: u32 = {value};", snake_upper(&variant.name));
                    }
                }
                let _ = writeln!(out, "\n    /// The variant name of `code`, if it is known.");
                let _ = writeln!(out, "    pub fn name(code: u32) -> Option<&'static str> {{\n        match code {{");
                for variant in &enumeration.variants {
                    if let interoptopus::lang::types::VariantKind::Unit(value) = variant.kind {
                        let _ = writeln!(out, "            {value} => Some(\"{}\"),", variant.name);
                    }
                }
                let _ = writeln!(out, "            _ => None,\n        }}\n    }}\n}}\n");
            }
            TypeKind::Struct(structure) => {
                comment(&mut out, "", "///", &ty.docs.lines);
                let _ = writeln!(out, "#[repr(C)]\n#[derive(Debug, Clone, Copy, Default)]\npub struct {} {{", ty.name);
                for field in &structure.fields {
                    comment(&mut out, "    ", "///", &field.docs.lines);
                    let _ = writeln!(out, "    pub {}: {},", field.name, spell(&inventory, field.ty, &Rust));
                }
                let _ = writeln!(out, "}}\n");
            }
            _ => {}
        }
    }

    out.push_str("/// Every exported function as one table (`pixbridge_functions()`).\n");
    out.push_str(
        "#[repr(C)]\npub struct PixbridgeFunctions {\n    /// Size of this struct in bytes.\n    pub size: usize,\n",
    );
    out.push_str("    /// ABI version of the library.\n    pub abi_version: u32,\n");
    for (field, function) in table_functions(&inventory) {
        comment(&mut out, "    ", "///", &function.docs.lines);
        let args: Vec<String> = function
            .signature
            .arguments
            .iter()
            .map(|arg| format!("{}: {}", arg.name, spell(&inventory, arg.ty, &Rust)))
            .collect();
        let ret = spell(&inventory, function.signature.rval, &Rust);
        let _ = writeln!(out, "    pub {field}: unsafe extern \"C\" fn({}) -> {ret},", args.join(", "));
    }
    out.push_str(
        "}\n\n/// Name of the single exported symbol.\npub const FUNCTIONS_SYMBOL: &str = \"pixbridge_functions\";\n",
    );
    out.push_str("\n/// Signature of `pixbridge_functions`.\npub type FunctionsEntryPoint = unsafe extern \"C\" fn() -> *const PixbridgeFunctions;\n");
    out
}
