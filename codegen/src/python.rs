//! The Python package's generated modules, in `bindings-python/src/pixbridge/`:
//!
//! - `_abi.py`: the ctypes mirror of the C ABI: one `ctypes.Structure` per `#[ffi]` struct, one
//!   `CFUNCTYPE` prototype per exported function and `PixbridgeFunctions`, the table that
//!   `pixbridge_functions()` returns (the loader checks its `size` and `abi_version` first);
//! - `_enums.py`: one `enum.IntEnum` per `#[ffi]` enum ([`crate::abi::ffi_enums`]) with the Rust
//!   docs, SCREAMING_SNAKE members and `native_name`;
//! - `_errors.py`: `PixbridgeError` (with `.code`) and one subclass per error code, some of them
//!   also subclassing the built-in exception Python code expects ([`builtin_bases`]);
//! - `_operations.py`: `ImageOperations`, the base class of `pixbridge.Image` with one method per
//!   operation of `pixbridge_runtime::OPERATIONS`, with type hints and docstrings, in the
//!   operation rule's shape (fresh = returns a new `Image`, in place = returns `None`), each with
//!   a keyword-only `control` (a `pixbridge.Control`) that selects the table's `_controlled`
//!   variant of the operation: cancellable from any thread, with progress.
//!
//! CFUNCTYPE prototypes release the GIL for the duration of every native call.

use std::fmt::Write as _;

use interoptopus::lang::types::{Primitive, TypeKind};
use pixbridge_runtime::operations::{OperationKind, OperationSpec, ParamSpec, ParamType};

use crate::abi::{CALLBACKS, FfiEnum, Spelling, callback_parameters, ffi_enums, spell, table_functions};
use crate::naming::screaming_snake;
use crate::{GenerateError, GeneratedFile, Model, banner};

/// The longest generated code line (the docs keep the table's lines as they are).
const MAX_LINE: usize = 100;

/// Where the Python package's sources live.
pub const PACKAGE_DIR: &str = "bindings-python/src/pixbridge";

/// Every generated Python file.
pub fn files(model: &Model) -> Result<Vec<GeneratedFile>, GenerateError> {
    let path = |name: &str| format!("{PACKAGE_DIR}/{name}.py");
    let enums = ffi_enums(&model.inventory)?;
    let error_code = enums.iter().find(|e| e.name == "ErrorCode").ok_or("the inventory has no ErrorCode enum")?;
    Ok(vec![
        GeneratedFile::new(path("_abi"), abi_py(model)?),
        GeneratedFile::new(path("_enums"), enums_py(&enums)),
        GeneratedFile::new(path("_errors"), errors_py(error_code)),
        GeneratedFile::new(path("_operations"), operations_py(model.operations)),
    ])
}

/// How the C ABI's types are spelled in ctypes. Enums are plain `uint32` codes (a foreign library
/// could return any number); byte pointers are `c_void_p`, which takes `bytes`, buffers and
/// addresses alike.
pub struct Python;

impl Spelling for Python {
    fn primitive(&self, primitive: &Primitive) -> &'static str {
        match primitive {
            Primitive::Void => "None",
            Primitive::Bool => "ctypes.c_bool",
            Primitive::U8 => "ctypes.c_uint8",
            Primitive::U16 => "ctypes.c_uint16",
            Primitive::U32 => "ctypes.c_uint32",
            Primitive::U64 => "ctypes.c_uint64",
            Primitive::Usize => "ctypes.c_size_t",
            Primitive::I8 => "ctypes.c_int8",
            Primitive::I16 => "ctypes.c_int16",
            Primitive::I32 => "ctypes.c_int32",
            Primitive::I64 => "ctypes.c_int64",
            Primitive::Isize => "ctypes.c_ssize_t",
            Primitive::F32 => "ctypes.c_float",
            Primitive::F64 => "ctypes.c_double",
        }
    }
    fn named(&self, name: &str, kind: &TypeKind) -> String {
        match kind {
            TypeKind::Enum(_) => "ctypes.c_uint32".to_string(),
            _ => format!("Pixbridge{name}"),
        }
    }
    fn pointer(&self, target: String, _mutable: bool) -> String {
        match target.as_str() {
            "ctypes.c_uint8" | "None" => "ctypes.c_void_p".to_string(),
            _ => format!("ctypes.POINTER({target})"),
        }
    }
    fn version(&self) -> &'static str {
        "ctypes.c_uint64"
    }
    fn opaque(&self) -> &'static str {
        "None"
    }
    fn callback(&self, name: &str) -> String {
        format!("Pixbridge{name}")
    }
}

/// Escapes one line for a `"""` docstring.
fn docstring_text(line: &str) -> String {
    line.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

/// Writes a docstring at `indent`: `lines` (Markdown, kept as it is), leading and trailing blank
/// lines dropped, then `sections` (`Args:` ...) after a blank line. One line without sections
/// stays on one line.
fn docstring(out: &mut String, indent: &str, lines: &[impl AsRef<str>], sections: &[String]) {
    let lines: Vec<&str> = lines.iter().map(|line| line.as_ref().trim_end()).collect();
    let lines: Vec<&str> = lines.iter().map(|line| line.strip_prefix(' ').unwrap_or(line)).collect();
    let first = lines.iter().position(|line| !line.is_empty()).unwrap_or(lines.len());
    let last = lines.iter().rposition(|line| !line.is_empty()).map_or(first, |i| i + 1);
    let lines = &lines[first..last];
    if let ([line], []) = (lines, sections)
        && !line.ends_with('"')
    {
        let _ = writeln!(out, "{indent}\"\"\"{}\"\"\"", docstring_text(line));
        return;
    }
    let mut body: Vec<String> = lines.iter().map(|line| docstring_text(line)).collect();
    if !sections.is_empty() {
        if !body.is_empty() {
            body.push(String::new());
        }
        for (i, section) in sections.iter().enumerate() {
            if i > 0 {
                body.push(String::new());
            }
            body.extend(section.lines().map(docstring_text));
        }
    }
    let _ = write!(out, "{indent}\"\"\"");
    for (i, line) in body.iter().enumerate() {
        match (i, line.is_empty()) {
            (0, _) => {
                let _ = writeln!(out, "{line}");
            }
            (_, true) => out.push('\n'),
            (_, false) => {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
    let _ = writeln!(out, "{indent}\"\"\"");
}

/// Writes `lines` as `#` comments at `indent` (blank lines as a bare `#`).
fn comments(out: &mut String, indent: &str, lines: &[impl AsRef<str>]) {
    crate::docs::line_comments(out, indent, "#", lines);
}

/// `_abi.py`: the structs, one prototype per exported function, and the function table.
fn abi_py(model: &Model) -> Result<String, GenerateError> {
    let inventory = &model.inventory;
    let mut out = banner("#", "the C ABI in ffi/");
    out.push_str(
        "\"\"\"The ctypes mirror of the Pixbridge C ABI (``ffi/include/pixbridge.h``).\n\n\
         The structs, one ``CFUNCTYPE`` prototype per exported function, and ``PixbridgeFunctions``,\n\
         the table ``pixbridge_functions()`` returns. Enums are plain ``uint32`` codes here: a foreign\n\
         library could return any number. Byte pointers are ``c_void_p``. Calls through ``CFUNCTYPE``\n\
         pointers release the GIL.\n\"\"\"\n\n\
         import ctypes\n\n",
    );
    let _ = writeln!(out, "#: The ABI version these bindings describe; the loader refuses any other.");
    let _ = writeln!(out, "ABI_VERSION = {}\n", model.abi_version);
    let _ = writeln!(out, "#: Name of the single exported symbol the loader looks up.");
    let _ = writeln!(out, "FUNCTIONS_SYMBOL = \"pixbridge_functions\"\n");

    // Structs in an order where every struct comes after the structs its fields hold.
    let mut pending: Vec<_> = inventory.types.values().filter(|ty| matches!(ty.kind, TypeKind::Struct(_))).collect();
    pending.sort_by(|a, b| a.name.cmp(&b.name));
    let mut emitted: Vec<String> = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|ty| {
            let TypeKind::Struct(structure) = &ty.kind else { return true };
            structure.fields.iter().all(|field| {
                let spelled = spell(inventory, field.ty, &Python);
                !spelled.starts_with("Pixbridge") || emitted.contains(&spelled)
            })
        });
        let Some(index) = ready else {
            return Err("the #[ffi] structs hold each other in a cycle".into());
        };
        let ty = pending.remove(index);
        let TypeKind::Struct(structure) = &ty.kind else { continue };
        let _ = writeln!(out, "\nclass Pixbridge{}(ctypes.Structure):", ty.name);
        docstring(&mut out, "    ", &ty.docs.lines, &[]);
        out.push_str("\n    _fields_ = [\n");
        for field in &structure.fields {
            comments(&mut out, "        ", &field.docs.lines);
            let _ = writeln!(out, "        (\"{}\", {}),", field.name, spell(inventory, field.ty, &Python));
        }
        out.push_str("    ]\n\n");
        emitted.push(format!("Pixbridge{}", ty.name));
    }

    for callback in CALLBACKS {
        let (ret, params) = callback_parameters(inventory, callback, &Python);
        out.push('\n');
        comments(&mut out, "", callback.docs);
        let _ = writeln!(out, "Pixbridge{} = ctypes.CFUNCTYPE(", callback.name);
        let _ = writeln!(out, "    {ret},");
        for (ty, name) in params.iter().zip(callback.params) {
            let _ = writeln!(out, "    {ty},  # {name}");
        }
        out.push_str(")\n");
    }

    let functions = table_functions(inventory)?;
    for (field, function) in &functions {
        out.push('\n');
        let _ = writeln!(out, "#: ``{}``:", function.name);
        crate::docs::line_comments(&mut out, "", "#:", &function.docs.lines);
        let _ = writeln!(out, "{} = ctypes.CFUNCTYPE(", prototype_name(field));
        let _ = writeln!(out, "    {},", spell(inventory, function.signature.rval, &Python));
        for arg in &function.signature.arguments {
            let c = spell(inventory, arg.ty, &crate::abi::C);
            let _ = writeln!(out, "    {},  # {}: {c}", spell(inventory, arg.ty, &Python), arg.name);
        }
        out.push_str(")\n");
    }

    out.push_str("\n\nclass PixbridgeFunctions(ctypes.Structure):\n");
    out.push_str(
        "    \"\"\"Every exported function as one table; check ``size`` and ``abi_version`` before use.\"\"\"\n\n",
    );
    out.push_str("    _fields_ = [\n        # Size of this struct in bytes.\n        (\"size\", ctypes.c_size_t),\n");
    out.push_str("        # ABI version of the library.\n        (\"abi_version\", ctypes.c_uint32),\n");
    for (field, _) in &functions {
        let _ = writeln!(out, "        (\"{field}\", {}),", prototype_name(field));
    }
    out.push_str("    ]\n");
    Ok(out)
}

/// The prototype constant of a table field: `image_open` -> `IMAGE_OPEN_FUNCTION`.
fn prototype_name(field: &str) -> String {
    format!("{}_FUNCTION", field.to_ascii_uppercase())
}

/// `_enums.py`: one `IntEnum` per `#[ffi]` enum.
fn enums_py(enums: &[FfiEnum<'_>]) -> String {
    let mut out = banner("#", "the #[ffi] enums of pixbridge-ffi");
    out.push_str("\"\"\"The enums of the C ABI, with their stable numbers.\"\"\"\n\nimport enum\n");
    for ffi_enum in enums {
        let _ = writeln!(out, "\n\nclass {}(enum.IntEnum):", ffi_enum.name);
        docstring(&mut out, "    ", ffi_enum.docs, &[]);
        out.push('\n');
        for variant in &ffi_enum.variants {
            crate::docs::line_comments(&mut out, "    ", "#:", variant.docs);
            let _ = writeln!(out, "    {} = {}", screaming_snake(variant.name), variant.value);
        }
        let example = ffi_enum.variants.first().map_or("", |variant| variant.name);
        let _ = write!(
            out,
            r#"
    @property
    def native_name(self) -> str:
        """The name of this member in the Rust core (``"{example}"``), as testdata/manifest.json writes it."""
        return _{upper}_NATIVE_NAMES[self.value]

    @classmethod
    def from_native_name(cls, name: str) -> "{name}":
        """The member whose Rust name (``"{example}"``) or Python name is ``name``, ignoring case.

        Raises:
            ValueError: if no member has that name.
        """
        for member in cls:
            if name.lower() in (member.native_name.lower(), member.name.lower()):
                return member
        raise ValueError(f"unknown {name} name: {{name!r}}")
"#,
            name = ffi_enum.name,
            upper = screaming_snake(ffi_enum.name),
        );
        let _ = writeln!(out, "\n\n_{}_NATIVE_NAMES = {{", screaming_snake(ffi_enum.name));
        for variant in &ffi_enum.variants {
            let _ = writeln!(out, "    {}: \"{}\",", variant.value, variant.name);
        }
        out.push_str("}\n");
    }
    out.push_str("\n\n__all__ = [\n");
    for ffi_enum in enums {
        let _ = writeln!(out, "    \"{}\",", ffi_enum.name);
    }
    out.push_str("]\n");
    out
}

/// Built-in exceptions that the class of an error code subclasses too, so that Python code can
/// catch them as it would catch the standard library's (`except FileNotFoundError:`). Written
/// out here so that they stay visible.
pub fn builtin_bases(variant: &str) -> &'static [&'static str] {
    match variant {
        "NotFound" => &["FileNotFoundError"],
        "PermissionDenied" => &["PermissionError"],
        "Io" => &["OSError"],
        // Use after close raises InvalidHandleError, as a closed file raises ValueError.
        "InvalidArgument" | "InvalidHandle" | "InvalidUtf8" => &["ValueError"],
        _ => &[],
    }
}

/// The Python class name of an error code's exception: `InvalidArgument` -> `InvalidArgumentError`.
pub fn error_class_name(variant: &str) -> String {
    format!("{variant}Error")
}

/// `_errors.py`: `PixbridgeError` and one subclass per code but `Ok`.
fn errors_py(error_code: &FfiEnum<'_>) -> String {
    let mut out = banner("#", "the #[ffi] enum ErrorCode of pixbridge-ffi");
    out.push_str(
        r#""""The exceptions of Pixbridge: ``PixbridgeError`` and one subclass per error code."""

from typing import Dict, Type, Union

from ._enums import ErrorCode


class PixbridgeError(Exception):
    """A Pixbridge call failed; ``code`` says why, the message gives the detail.

    Every failure of the native library raises a subclass of this class, one per
    :class:`ErrorCode` (``InvalidArgumentError`` for ``ErrorCode.INVALID_ARGUMENT``, ...).
    """

    #: The error code of this class (an ``int`` for a code these bindings do not know).
    code: Union[ErrorCode, int] = ErrorCode.PANIC

    def __init__(self, message: str, code: Union[ErrorCode, int, None] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable detail (the native library's message)."""
        return str(self.args[0]) if self.args else ""
"#,
    );
    for variant in error_code.variants.iter().filter(|v| v.name != "Ok") {
        let class = error_class_name(variant.name);
        let bases: Vec<&str> =
            std::iter::once("PixbridgeError").chain(builtin_bases(variant.name).iter().copied()).collect();
        let _ = writeln!(out, "\n\nclass {class}({}):", bases.join(", "));
        let mut lines: Vec<String> = variant.docs.to_vec();
        lines.push(String::new());
        lines.push(format!("Code ``ErrorCode.{}`` ({}).", screaming_snake(variant.name), variant.value));
        docstring(&mut out, "    ", &lines, &[]);
        let _ = writeln!(out, "\n    code = ErrorCode.{}", screaming_snake(variant.name));
    }
    out.push_str("\n\n_CLASSES: Dict[int, Type[PixbridgeError]] = {\n");
    for variant in error_code.variants.iter().filter(|v| v.name != "Ok") {
        let _ = writeln!(out, "    {}: {},", variant.value, error_class_name(variant.name));
    }
    out.push_str(
        r#"}


def error_for(code: int, message: str) -> PixbridgeError:
    """The exception for a native error ``code``: its class, or ``PixbridgeError`` for an unknown code."""
    cls = _CLASSES.get(code)
    if cls is None:
        return PixbridgeError(f"{message} (unknown error code {code})", code)
    return cls(message)


__all__ = [
    "PixbridgeError",
"#,
    );
    for variant in error_code.variants.iter().filter(|v| v.name != "Ok") {
        let _ = writeln!(out, "    \"{}\",", error_class_name(variant.name));
    }
    out.push_str("    \"error_for\",\n]\n");
    out
}

/// The Python type hint of a parameter.
fn python_type(param: &ParamSpec) -> &'static str {
    match param.ty {
        ParamType::F32 => "float",
        ParamType::U32 | ParamType::I32 => "int",
        ParamType::ResizeFilter => "Union[ResizeFilter, str]",
    }
}

/// The expression that checks and converts a parameter for the native call.
fn native_argument(param: &ParamSpec) -> String {
    let name = param.name;
    match param.ty {
        ParamType::F32 => format!("f32({name}, \"{name}\")"),
        ParamType::U32 => format!("u32({name}, \"{name}\")"),
        ParamType::I32 => format!("i32({name}, \"{name}\")"),
        ParamType::ResizeFilter => format!("enum_code(ResizeFilter, {name}, \"{name}\")"),
    }
}

/// The keyword-only parameter every operation method ends with.
const CONTROL_PARAMETER: &str = "*, control: Optional[Control] = None";

/// What the docstring says of `control`: what a cancel does to this kind of operation.
fn control_doc(kind: OperationKind) -> &'static str {
    match kind {
        OperationKind::Fresh => {
            "control: A :class:`~pixbridge.Control` that cancels the operation from any\n        \
             thread (it then raises ``CancelledError``, makes no image and leaves this one\n        \
             unchanged) and is told its progress. None (the default): not cancellable."
        }
        OperationKind::InPlace => {
            "control: A :class:`~pixbridge.Control` that cancels the operation from any\n        \
             thread (it then raises ``CancelledError`` and leaves this image exactly as it\n        \
             was) and is told its progress. None (the default): not cancellable."
        }
    }
}

/// The docstring sections of an operation's method.
fn operation_sections(op: &OperationSpec) -> Vec<String> {
    let mut sections = Vec::new();
    let mut args = String::from("Args:");
    for param in op.params {
        let _ = write!(args, "\n    {}: {}", param.name, param.docs);
        if param.ty == ParamType::ResizeFilter {
            args.push_str("\n        A ``ResizeFilter`` or its name (``\"Lanczos3\"``).");
        }
    }
    let _ = write!(args, "\n    {}", control_doc(op.kind));
    sections.push(args);
    if op.kind == OperationKind::Fresh {
        sections.push(
            "Returns:\n    The new image, which the caller closes (or uses in a ``with`` block); this image is\n    unchanged."
                .into(),
        );
    }
    let mut raises = String::from("Raises:\n    InvalidHandleError: if this image or ``control`` is closed.");
    if op.params.is_empty() {
        raises.push_str("\n    TypeError: if ``control`` is not a ``Control``.");
    } else {
        raises.push_str(
            "\n    InvalidArgumentError: if a parameter is out of range (also for an integer outside the\n        \
             parameter's 32-bit range, checked before the native call).\n    \
             TypeError: if a parameter has the wrong type, or ``control`` is not a ``Control``.",
        );
    }
    raises.push_str(
        "\n    CancelledError: if ``control`` was cancelled before the operation finished (chained\n        \
         from the exception of its progress callable if that raised); this image is unchanged.",
    );
    raises.push_str("\n    PixbridgeError: another error code if the native operation fails.");
    sections.push(raises);
    sections
}

/// `_operations.py`: `ImageOperations` with one method per operation.
fn operations_py(operations: &[OperationSpec]) -> String {
    let mut out = banner("#", "pixbridge_runtime::OPERATIONS");
    out.push_str(
        r#""""The image operations of :class:`pixbridge.Image`, one method per entry of the operation table.

Fresh operations return a new image and leave this one unchanged; in-place operations change
this image (never its size) and return ``None``. docs/operations.md lists every operation.
Each takes a keyword-only ``control``: a :class:`~pixbridge.Control` that cancels it from any
thread (a cancelled operation raises ``CancelledError``, produces nothing and leaves this image
unchanged) and reports its progress.
"""

from typing import TYPE_CHECKING, Optional, Union

from ._arguments import enum_code, f32, i32, u32
from ._control import Control
from ._enums import ResizeFilter

if TYPE_CHECKING:
    from ._image import Image


class ImageOperations:
    """The generated operations of :class:`pixbridge.Image`, its only subclass.

    ``Image`` supplies the two hooks: ``_call_fresh(field, *args, control=control)`` calls the
    function table's ``field`` with the image handle, the arguments and an out-handle and wraps
    the new image; ``_call_in_place(field, *args, control=control)`` calls it with the handle and
    the arguments. With a control they call ``<field>_controlled`` instead, with the control's
    handle after the arguments.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        def _call_fresh(self, field: str, *args: object, control: Optional[Control] = None) -> "Image":
            ...

        def _call_in_place(self, field: str, *args: object, control: Optional[Control] = None) -> None:
            ...
"#,
    );
    for op in operations {
        let params: String = op.params.iter().map(|p| format!("{}: {}, ", p.name, python_type(p))).collect();
        let params = format!("self, {params}{CONTROL_PARAMETER}");
        let ret = match op.kind {
            OperationKind::Fresh => "\"Image\"",
            OperationKind::InPlace => "None",
        };
        let one_line = format!("    def {}({params}) -> {ret}:", op.name);
        if one_line.len() <= MAX_LINE {
            let _ = writeln!(out, "\n{one_line}");
        } else {
            let _ = writeln!(out, "\n    def {}(\n        {params}\n    ) -> {ret}:", op.name);
        }
        docstring(&mut out, "        ", &crate::operation_doc_lines(op), &operation_sections(op));
        let call = match op.kind {
            OperationKind::Fresh => "return self._call_fresh",
            OperationKind::InPlace => "self._call_in_place",
        };
        let mut args = vec![format!("\"image_{}\"", op.name)];
        args.extend(op.params.iter().map(native_argument));
        args.push("control=control".into());
        let one_line = format!("        {call}({})", args.join(", "));
        if one_line.len() <= MAX_LINE {
            let _ = writeln!(out, "{one_line}");
        } else {
            let _ = writeln!(out, "        {call}(");
            for arg in &args {
                let _ = writeln!(out, "            {arg},");
            }
            out.push_str("        )\n");
        }
    }
    out.push_str("\n\n#: The operations above, by name, in table order: ``(name, is_fresh)``.\nOPERATIONS = (\n");
    for op in operations {
        let fresh = if op.kind == OperationKind::Fresh { "True" } else { "False" };
        let _ = writeln!(out, "    (\"{}\", {fresh}),", op.name);
    }
    out.push_str(")\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstrings_escape_and_keep_paragraphs() {
        let mut out = String::new();
        docstring(&mut out, "", &["One `a`."], &[]);
        assert_eq!(out, "\"\"\"One `a`.\"\"\"\n");
        let mut out = String::new();
        docstring(&mut out, "    ", &["", "First \\ \"\"\" x.", "", "Second.", ""], &["Args:\n    x: y".to_string()]);
        assert_eq!(out, "    \"\"\"First \\\\ \\\"\\\"\\\" x.\n\n    Second.\n\n    Args:\n        x: y\n    \"\"\"\n");
        let mut out = String::new();
        docstring(&mut out, "", &["One."], &["Args:\n    x: y".to_string(), "Returns:\n    z".to_string()]);
        assert_eq!(out, "\"\"\"One.\n\nArgs:\n    x: y\n\nReturns:\n    z\n\"\"\"\n");
        let mut out = String::new();
        docstring(&mut out, "", &["Ends with \"quote\""], &[]);
        assert_eq!(out, "\"\"\"Ends with \"quote\"\n\"\"\"\n");
    }

    #[test]
    fn one_method_per_operation_in_the_operation_rule_shape() {
        let source = operations_py(pixbridge_runtime::OPERATIONS);
        assert!(source.starts_with("# GENERATED by `cargo run -p pixbridge-codegen`"), "{source}");
        for op in pixbridge_runtime::OPERATIONS {
            let params: String = op.params.iter().map(|p| format!("{}: {}, ", p.name, python_type(p))).collect();
            let (ret, call) = match op.kind {
                OperationKind::Fresh => ("\"Image\"", "return self._call_fresh("),
                OperationKind::InPlace => ("None", "self._call_in_place("),
            };
            let field = format!("\"image_{}\"", op.name);
            let start = format!("    def {}(", op.name);
            let signature = format!("self, {params}*, control: Optional[Control] = None\n    ) -> {ret}:\n");
            let signature_one_line = format!("{start}{}", signature.replace("\n    ", ""));
            let at = source.find(&start).unwrap_or_else(|| panic!("no {start} in\n{source}"));
            let body = &source[at..];
            let head = &body[..body.find(":\n").unwrap() + 2];
            assert!(
                head == signature_one_line || head == format!("{start}\n        {signature}"),
                "{} has the signature {head}",
                op.name
            );
            let body = &body[body.find(call).unwrap_or_else(|| panic!("no {call} in {}", op.name))..];
            assert!(body[call.len()..].trim_start().starts_with(&field), "{} calls another field", op.name);
            for param in op.params {
                assert!(body.contains(&native_argument(param)), "{} does not pass {}", op.name, param.name);
            }
            let call_end = body.find("\n\n").unwrap_or(body.len());
            assert!(body[..call_end].contains("control=control"), "{} does not pass its control", op.name);
            let docs = &source[at..at + source[at..].find(call).unwrap()];
            assert!(docs.contains("    control: A :class:`~pixbridge.Control`"), "{} lacks control docs", op.name);
            assert!(docs.contains("CancelledError: if ``control`` was cancelled"), "{}", op.name);
            assert!(source.contains(op.docs[0]), "{} lacks its docs", op.name);
        }
        for line in source.lines() {
            assert!(line.len() <= 120, "longer than flake8's limit: {line}");
        }
        assert!(source.contains("enum_code(ResizeFilter, filter, \"filter\")"), "{source}");
        assert!(source.contains("u32(width, \"width\")"), "{source}");
        for line in source.lines().filter(|line| line.contains("self._call_")) {
            assert!(line.len() <= MAX_LINE, "too long: {line}");
        }
    }

    #[test]
    fn abi_mirrors_every_table_field_in_order() {
        let model = Model::current();
        let source = abi_py(&model).unwrap();
        assert!(source.contains(&format!("ABI_VERSION = {}\n", model.abi_version)));
        let table = &source[source.find("class PixbridgeFunctions").unwrap()..];
        let mut position = table.find("(\"abi_version\", ctypes.c_uint32)").unwrap();
        for (field, _) in table_functions(&model.inventory).unwrap() {
            let entry = format!("(\"{field}\", {}),", prototype_name(field));
            let at = table.find(&entry).unwrap_or_else(|| panic!("no {entry} in\n{table}"));
            assert!(at > position, "{field} is out of table order");
            position = at;
        }
        // Structs are defined before the structs that hold them.
        assert!(
            source.find("class PixbridgeDecodeLimits").unwrap() < source.find("class PixbridgeDecodeOptions").unwrap()
        );
        // A byte pointer is c_void_p; a handle out-pointer is a typed pointer.
        assert!(source.contains("IMAGE_OPEN_FUNCTION = ctypes.CFUNCTYPE(\n    ctypes.c_uint32,\n    ctypes.c_void_p,  # path: const uint8_t*\n"), "{source}");
        assert!(source.contains("ctypes.POINTER(ctypes.c_uint64),  # out_image: uint64_t*"), "{source}");
    }

    #[test]
    fn one_exception_class_per_error_code() {
        let model = Model::current();
        let enums = ffi_enums(&model.inventory).unwrap();
        let codes = enums.iter().find(|e| e.name == "ErrorCode").unwrap();
        let source = errors_py(codes);
        assert!(!source.contains("class OkError"));
        for variant in codes.variants.iter().filter(|v| v.name != "Ok") {
            let class = format!("class {}(PixbridgeError", error_class_name(variant.name));
            assert!(source.contains(&class), "no {class} in\n{source}");
            assert!(source.contains(&format!("    {}: {}Error,", variant.value, variant.name)));
        }
        assert!(source.contains("class NotFoundError(PixbridgeError, FileNotFoundError):"), "{source}");
        assert!(source.contains("class InvalidHandleError(PixbridgeError, ValueError):"), "{source}");
    }
}
