//! The golden manifest (`testdata/manifest.json`, format in `docs/design.md`): parsing into
//! typed cases, and rewriting pinned hashes in place without reformatting the file.

use serde_json::{Map, Value};

/// Filters and formats are the C ABI's own enums: their numbers are defined once, there.
pub use pixbridge::{ImageFormat as Format, ResizeFilter as Filter};
use pixbridge_runtime::operations::{OperationSpec, ParamType};

use crate::operations::Arg;
use crate::thumbnail::{Fit, Thumbnail};

/// The format for a manifest name (the variant name in lower case: `png`, `jpeg`, `webp`, ...).
pub fn format_from_name(name: &str) -> Option<Format> {
    Format::ALL.into_iter().find(|format| format.name().to_ascii_lowercase() == name)
}

/// One step of a case.
#[derive(Clone, Debug)]
pub enum Op {
    /// An entry of the operation table with its arguments, in the table's parameter order.
    Table(Call),
    /// Pseudo-op: encode in memory and decode again.
    EncodeDecode {
        /// Target format.
        format: Format,
        /// Quality; `None` = the format's default (0 at the C ABI).
        quality: Option<u32>,
    },
}

/// A call of one operation of the table.
#[derive(Clone, Debug)]
pub struct Call {
    /// The table entry.
    pub spec: &'static OperationSpec,
    /// One argument per parameter of `spec`, in order.
    pub args: Vec<Arg>,
}

impl Call {
    /// The argument of the parameter `name`; panics if the operation has no such parameter
    /// (a reference written against another version of the table).
    fn arg(&self, name: &str) -> Arg {
        let index = self.spec.params.iter().position(|p| p.name == name);
        let index = index.unwrap_or_else(|| panic!("operation {} has no parameter {name}", self.spec.name));
        self.args[index]
    }

    /// The `f32` parameter `name`.
    pub fn f32(&self, name: &str) -> f32 {
        match self.arg(name) {
            Arg::F32(value) => value,
            other => panic!("{}.{name} is {other:?}, not f32", self.spec.name),
        }
    }

    /// The `u32` parameter `name`.
    pub fn u32(&self, name: &str) -> u32 {
        match self.arg(name) {
            Arg::U32(value) => value,
            other => panic!("{}.{name} is {other:?}, not u32", self.spec.name),
        }
    }

    /// The `i32` parameter `name`.
    pub fn i32(&self, name: &str) -> i32 {
        match self.arg(name) {
            Arg::I32(value) => value,
            other => panic!("{}.{name} is {other:?}, not i32", self.spec.name),
        }
    }

    /// The resize-filter parameter `name`.
    pub fn filter(&self, name: &str) -> Filter {
        match self.arg(name) {
            Arg::ResizeFilter(code) => Filter::from_code(code).unwrap_or_else(|| panic!("filter code {code}")),
            other => panic!("{}.{name} is {other:?}, not a resize filter", self.spec.name),
        }
    }
}

impl Op {
    /// The manifest name of the operation.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Table(call) => call.spec.name,
            Op::EncodeDecode { .. } => ENCODE_DECODE,
        }
    }
}

/// The name of the one pseudo-op that is not in the operation table.
pub const ENCODE_DECODE: &str = "encode_decode";

/// What a case must produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// An image of this size whose RGBA8 pixels hash to `sha256` (lower-case hex).
    Image {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Pinned hash; empty when not pinned yet.
        sha256: String,
    },
    /// Failure with this error code name.
    Error(String),
}

/// One golden case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique name.
    pub name: String,
    /// File under `testdata/`.
    pub input: String,
    /// `Some`: the input is loaded with the thumbnail call instead of being opened.
    pub thumbnail: Option<Thumbnail>,
    /// Steps, in order.
    pub ops: Vec<Op>,
    /// Outcome.
    pub expect: Expect,
}

/// Parses the manifest text; every malformed piece is an `Err` naming the case.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("manifest JSON: {e}"))?;
    if root.get("version") != Some(&Value::from(1)) {
        return Err("manifest version must be 1".into());
    }
    let cases = root.get("cases").and_then(Value::as_array).ok_or("manifest has no \"cases\" array")?;
    let mut parsed = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let name = case.get("name").and_then(Value::as_str).ok_or(format!("case {index} has no name"))?;
        parsed.push(parse_case(name, case).map_err(|e| format!("case {name}: {e}"))?);
    }
    let mut names: Vec<&str> = parsed.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("case name {} is used twice", pair[0]));
    }
    Ok(parsed)
}

fn parse_case(name: &str, case: &Value) -> Result<Case, String> {
    let object = case.as_object().ok_or("not an object")?;
    only_keys(object, &["name", "input", "thumbnail", "ops", "expect"])?;
    let input = object.get("input").and_then(Value::as_str).ok_or("no input")?;
    let thumbnail = object.get("thumbnail").map(parse_thumbnail).transpose()?;
    let ops = object
        .get("ops")
        .and_then(Value::as_array)
        .ok_or("no ops array")?
        .iter()
        .map(parse_op)
        .collect::<Result<Vec<_>, _>>()?;
    let expect = object.get("expect").and_then(Value::as_object).ok_or("no expect object")?;
    let expect = if let Some(error) = expect.get("error") {
        only_keys(expect, &["error"])?;
        Expect::Error(error.as_str().ok_or("error is not a string")?.to_string())
    } else {
        only_keys(expect, &["width", "height", "sha256"])?;
        Expect::Image {
            width: u32_param(expect, "width")?,
            height: u32_param(expect, "height")?,
            sha256: expect.get("sha256").and_then(Value::as_str).ok_or("no sha256")?.to_string(),
        }
    };
    Ok(Case { name: name.to_string(), input: input.to_string(), thumbnail, ops, expect })
}

/// `{ "width": W, "height": H, "fit": "Contain" | "Cover" | "Fill", "allow_upscale": bool }`,
/// all four keys required.
fn parse_thumbnail(value: &Value) -> Result<Thumbnail, String> {
    let object = value.as_object().ok_or("thumbnail is not an object")?;
    let keys = ["width", "height", "fit", "allow_upscale"];
    only_keys(object, &keys).map_err(|e| format!("thumbnail: {e}"))?;
    if let Some(key) = keys.iter().find(|k| !object.contains_key(**k)) {
        return Err(format!("thumbnail: missing {key:?} (all of {keys:?} are required)"));
    }
    let fit = object.get("fit").and_then(Value::as_str).and_then(Fit::from_name).ok_or_else(|| {
        let names: Vec<&str> = Fit::ALL.iter().map(|f| f.name()).collect();
        format!("thumbnail: fit is not one of {names:?}: {:?}", object.get("fit"))
    })?;
    Ok(Thumbnail {
        width: u32_param(object, "width").map_err(|e| format!("thumbnail: {e}"))?,
        height: u32_param(object, "height").map_err(|e| format!("thumbnail: {e}"))?,
        fit,
        allow_upscale: object
            .get("allow_upscale")
            .and_then(Value::as_bool)
            .ok_or("thumbnail: allow_upscale is not a bool")?,
    })
}

/// One operation object of a manifest (`{ "op": "blur", "sigma": 2.0 }`); the bad-input
/// manifest uses the same syntax.
///
/// `"op"` names an entry of the operation table (`pixbridge_runtime::OPERATIONS`) or the
/// pseudo-op `encode_decode`; the other keys are exactly the entry's parameter names, each
/// read by its `ParamType`: `F32` a number or `"NaN"`, `"Infinity"`, `"-Infinity"`; `U32` and
/// `I32` an integer in range; `ResizeFilter` the filter's name (`"Lanczos3"`).
pub fn parse_op(value: &Value) -> Result<Op, String> {
    let object = value.as_object().ok_or("op is not an object")?;
    let name = object.get("op").and_then(Value::as_str).ok_or("op without \"op\" name")?;
    if name == ENCODE_DECODE {
        return parse_encode_decode(object);
    }
    let spec = pixbridge_runtime::OPERATIONS.iter().find(|spec| spec.name == name).ok_or_else(|| {
        let known: Vec<&str> = pixbridge_runtime::OPERATIONS.iter().map(|spec| spec.name).collect();
        format!("unknown op {name:?} (the operation table has {known:?} and the pseudo-op {ENCODE_DECODE})")
    })?;
    let mut allowed = vec!["op"];
    allowed.extend(spec.params.iter().map(|p| p.name));
    only_keys(object, &allowed).map_err(|e| format!("op {name}: {e}"))?;
    let args = spec
        .params
        .iter()
        .map(|param| {
            let key = param.name;
            if !object.contains_key(key) {
                return Err(format!("op {name}: missing parameter {key:?} (parameters: {:?})", &allowed[1..]));
            }
            Ok(match param.ty {
                ParamType::F32 => Arg::F32(f32_param(object, key)?),
                ParamType::U32 => Arg::U32(u32_param(object, key)?),
                ParamType::I32 => Arg::I32(i32_param(object, key)?),
                ParamType::ResizeFilter => {
                    let filter = object.get(key).and_then(Value::as_str).and_then(Filter::from_name);
                    let filter = filter.ok_or_else(|| {
                        let names: Vec<&str> = Filter::ALL.iter().map(|f| f.name()).collect();
                        format!("{key} is not a resize filter name {names:?}: {:?}", object.get(key))
                    })?;
                    Arg::ResizeFilter(filter.as_u32())
                }
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| if e.starts_with("op ") { e } else { format!("op {name}: {e}") })?;
    Ok(Op::Table(Call { spec, args }))
}

/// `{ "op": "encode_decode", "format": "png" [, "quality": 1..=100] }`.
fn parse_encode_decode(o: &Map<String, Value>) -> Result<Op, String> {
    only_keys(o, &["op", "format", "quality"])?;
    Ok(Op::EncodeDecode {
        format: o
            .get("format")
            .and_then(Value::as_str)
            .and_then(format_from_name)
            .ok_or("unknown or missing format")?,
        // 0 would mean "default" at the C ABI but not in every binding: omit it instead.
        quality: match o.get("quality") {
            None => None,
            Some(_) => match u32_param(o, "quality")? {
                0 => return Err("quality 0: omit \"quality\" for the default".into()),
                q => Some(q),
            },
        },
    })
}

fn only_keys(object: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(format!("unexpected key {key:?} (allowed: {allowed:?})")),
        None => Ok(()),
    }
}

fn u32_param(object: &Map<String, Value>, key: &str) -> Result<u32, String> {
    object.get(key).and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok()).ok_or(format!("{key} is not a u32"))
}

fn i32_param(object: &Map<String, Value>, key: &str) -> Result<i32, String> {
    object.get(key).and_then(Value::as_i64).and_then(|v| i32::try_from(v).ok()).ok_or(format!("{key} is not an i32"))
}

/// A float parameter: a JSON number, or one of the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn f32_param(object: &Map<String, Value>, key: &str) -> Result<f32, String> {
    match object.get(key) {
        Some(Value::Number(n)) => n.as_f64().map(|v| v as f32).ok_or(format!("{key}: {n}")),
        Some(Value::String(s)) if s == "NaN" => Ok(f32::NAN),
        Some(Value::String(s)) if s == "Infinity" => Ok(f32::INFINITY),
        Some(Value::String(s)) if s == "-Infinity" => Ok(f32::NEG_INFINITY),
        other => Err(format!("{key} is not a float: {other:?}")),
    }
}

/// Replaces the `"sha256"` value of the named case's `expect`, leaving the rest of the text
/// (layout, key order, other cases) untouched.
pub fn pin_sha256(text: &str, case: &str, sha256: &str) -> Result<String, String> {
    let marker = format!("\"name\": \"{case}\"");
    let start = text.find(&marker).ok_or(format!("case {case} not found as {marker}"))?;
    let rest = &text[start + marker.len()..];
    let key = "\"sha256\": \"";
    let offset = rest.find(key).ok_or(format!("case {case}: no sha256"))?;
    if rest[..offset].contains("\"name\": ") {
        return Err(format!("case {case}: no sha256 before the next case"));
    }
    let value_start = start + marker.len() + offset + key.len();
    let value_len = text[value_start..].find('"').ok_or(format!("case {case}: unterminated sha256"))?;
    Ok(format!("{}{}{}", &text[..value_start], sha256, &text[value_start + value_len..]))
}
