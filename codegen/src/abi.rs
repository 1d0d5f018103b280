//! Reading the C ABI from the inventory: how its types are spelled in C and in Rust, and its
//! exports in function-table order. Shared by the C header and the Rust loader backends.

use interoptopus::inventory::{RustInventory, TypeId};
use interoptopus::lang::function::Function;
use interoptopus::lang::types::{Primitive, TypeKind, TypePattern};
use pixbridge::FUNCTION_TABLE;

/// How a type is spelled in the target language.
pub trait Spelling {
    fn primitive(&self, primitive: &Primitive) -> &'static str;
    fn named(&self, name: &str, kind: &TypeKind) -> String;
    fn pointer(&self, target: String, mutable: bool) -> String;
    fn version(&self) -> &'static str;
}

pub struct C;
pub struct Rust;

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

pub fn spell(inventory: &RustInventory, id: TypeId, spelling: &dyn Spelling) -> String {
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
pub fn table_functions(inventory: &RustInventory) -> Result<Vec<(&'static str, &Function)>, String> {
    FUNCTION_TABLE
        .iter()
        .map(|(field, name)| {
            let function = inventory
                .functions
                .values()
                .find(|function| function.name == *name)
                .ok_or_else(|| format!("{name} is in the function table but not in the inventory"))?;
            Ok((*field, function))
        })
        .collect()
}

/// The C parameter list of `function` (`void` when it has none).
pub fn c_parameters(inventory: &RustInventory, function: &Function) -> String {
    let args = &function.signature.arguments;
    if args.is_empty() {
        return "void".to_string();
    }
    args.iter().map(|arg| format!("{} {}", spell(inventory, arg.ty, &C), arg.name)).collect::<Vec<_>>().join(", ")
}
