//! Reading the C ABI from the inventory: how its types are spelled in C and in Rust, and its
//! exports in function-table order. Shared by the C header and the Rust loader backends.

use interoptopus::inventory::{RustInventory, TypeId};
use interoptopus::lang::function::{Function, Signature};
use interoptopus::lang::types::{Primitive, TypeKind, TypePattern, VariantKind};
use pixbridge::FUNCTION_TABLE;

/// How a type is spelled in the target language.
pub trait Spelling {
    fn primitive(&self, primitive: &Primitive) -> &'static str;
    fn named(&self, name: &str, kind: &TypeKind) -> String;
    fn pointer(&self, target: String, mutable: bool) -> String;
    fn version(&self) -> &'static str;
    /// What `*mut c_void` points to (`void` in C).
    fn opaque(&self) -> &'static str;
    /// The name of one of the [`CALLBACKS`] (a function pointer type).
    fn callback(&self, name: &str) -> String;
}

/// A function-pointer type of the C ABI. An `extern "C" fn` has no name in the inventory, so
/// each one the exports use is listed in [`CALLBACKS`] with the name and docs every language
/// gives it; the generators fail on one that is not.
pub struct Callback {
    /// Its name without the `Pixbridge` prefix (`ProgressCallback`).
    pub name: &'static str,
    /// Its C signature, `return(parameter types)`, which identifies it.
    pub c_signature: &'static str,
    /// The names of its parameters, in order.
    pub params: &'static [&'static str],
    /// Its docs, one entry per line.
    pub docs: &'static [&'static str],
}

/// Every callback type of the C ABI.
pub const CALLBACKS: &[Callback] = &[Callback {
    name: "ProgressCallback",
    c_signature: "void(float, void*)",
    params: &["fraction", "user_data"],
    docs: &[
        "Told how far a call under a control got: `fraction` (0 to 1, strictly increasing, 1 on",
        "success) and the `user_data` given to `pixbridge_control_create`. Called from whichever",
        "thread does the work, never by two at once for one call; must return quickly and never unwind.",
    ],
}];

/// The [`Callback`] whose C signature `signature` has.
pub fn callback<'a>(inventory: &RustInventory, signature: &Signature) -> &'a Callback {
    let c_signature = format!(
        "{}({})",
        spell(inventory, signature.rval, &C),
        signature.arguments.iter().map(|arg| spell(inventory, arg.ty, &C)).collect::<Vec<_>>().join(", ")
    );
    CALLBACKS.iter().find(|callback| callback.c_signature == c_signature).unwrap_or_else(|| {
        panic!("the C ABI uses a function pointer {c_signature} that abi::CALLBACKS does not list; add it there")
    })
}

/// The parameter types of the [`Callback`] `callback` as `spelling` spells them, found in the
/// inventory (where the exports that take it put it).
pub fn callback_parameters(
    inventory: &RustInventory,
    callback: &Callback,
    spelling: &dyn Spelling,
) -> (String, Vec<String>) {
    let signature = inventory
        .types
        .values()
        .find_map(|ty| match &ty.kind {
            TypeKind::FnPointer(signature) if self::callback(inventory, signature).name == callback.name => {
                Some(signature)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no export takes a {}", callback.name));
    let parameters = signature.arguments.iter().map(|arg| spell(inventory, arg.ty, spelling)).collect();
    (spell(inventory, signature.rval, spelling), parameters)
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
    fn opaque(&self) -> &'static str {
        "void"
    }
    fn callback(&self, name: &str) -> String {
        format!("Pixbridge{name}")
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
    fn opaque(&self) -> &'static str {
        "c_void"
    }
    fn callback(&self, name: &str) -> String {
        name.to_string()
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
        TypeKind::TypePattern(TypePattern::CVoid) => spelling.opaque().to_string(),
        TypeKind::FnPointer(signature) => spelling.callback(callback(inventory, signature).name),
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

/// One `#[ffi]` enum of the C ABI: what every language's enum backend needs.
pub struct FfiEnum<'a> {
    /// Its Rust name (`ErrorCode`), which every SDK keeps.
    pub name: &'a str,
    /// Its docs, one entry per line.
    pub docs: &'a [String],
    /// Its unit variants in declaration order.
    pub variants: Vec<Variant<'a>>,
}

/// One variant of an [`FfiEnum`].
pub struct Variant<'a> {
    /// Its Rust name (`InvalidArgument`).
    pub name: &'a str,
    /// Its stable number.
    pub value: isize,
    /// Its docs, one entry per line (never all blank).
    pub docs: &'a [String],
}

/// Every `#[ffi]` enum of the inventory, sorted by name: each SDK exposes all of them under the
/// same names, so a new enum of the C ABI reaches every language. Fails on a variant that
/// carries data or has no docs.
pub fn ffi_enums(inventory: &RustInventory) -> Result<Vec<FfiEnum<'_>>, String> {
    let mut enums = Vec::new();
    for ty in inventory.types.values() {
        let TypeKind::Enum(rust_enum) = &ty.kind else { continue };
        let name = ty.name.as_str();
        let variants = rust_enum
            .variants
            .iter()
            .map(|variant| match variant.kind {
                VariantKind::Unit(value) if variant.docs.lines.iter().any(|line| !line.trim().is_empty()) => {
                    Ok(Variant { name: &variant.name, value, docs: &variant.docs.lines })
                }
                VariantKind::Unit(_) => Err(format!("{name}::{} has no docs", variant.name)),
                _ => Err(format!("{name}::{} carries data; only plain enums can be mirrored", variant.name)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        enums.push(FfiEnum { name, docs: &ty.docs.lines, variants });
    }
    enums.sort_by_key(|e| e.name);
    if let Some(pair) = enums.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(format!("the inventory has more than one enum named {}", pair[0].name));
    }
    Ok(enums)
}
