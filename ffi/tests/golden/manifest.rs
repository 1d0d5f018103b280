//! The golden manifest (`testdata/manifest.json`, format in `docs/design.md`): parsing into
//! typed cases, and rewriting pinned hashes in place without reformatting the file.

use serde_json::{Map, Value};

/// Filters and formats are the C ABI's own enums: their numbers are defined once, there.
pub use pixbridge::{ImageFormat as Format, ResizeFilter as Filter};

/// The format for a manifest name (lower case, as in the manifest).
pub fn format_from_name(name: &str) -> Option<Format> {
    Some(match name {
        "png" => Format::Png,
        "jpeg" => Format::Jpeg,
        "webp" => Format::WebP,
        "bmp" => Format::Bmp,
        "tiff" => Format::Tiff,
        "gif" => Format::Gif,
        "qoi" => Format::Qoi,
        "tga" => Format::Tga,
        "pnm" => Format::Pnm,
        "ico" => Format::Ico,
        _ => return None,
    })
}

/// One step of a case.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `blur(sigma)`.
    Blur {
        /// Standard deviation.
        sigma: f32,
    },
    /// `unsharpen(sigma, amount, threshold)`.
    Unsharpen {
        /// Standard deviation of the blur.
        sigma: f32,
        /// Strength.
        amount: f32,
        /// Smallest difference sharpened.
        threshold: u32,
    },
    /// `resize(width, height, filter)`.
    Resize {
        /// New width.
        width: u32,
        /// New height.
        height: u32,
        /// Filter.
        filter: Filter,
    },
    /// `crop(x, y, width, height)`.
    Crop {
        /// Left edge.
        x: u32,
        /// Top edge.
        y: u32,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// `rotate90()`.
    Rotate90,
    /// `rotate270()`.
    Rotate270,
    /// `mirror()`.
    Mirror,
    /// `flip_vertical()`.
    FlipVertical,
    /// `rotate180()`.
    Rotate180,
    /// `grayscale()`.
    Grayscale,
    /// `adjust_brightness(delta)`.
    AdjustBrightness {
        /// Added to R, G, B.
        delta: i32,
    },
    /// `adjust_contrast(contrast)`.
    AdjustContrast {
        /// Percent.
        contrast: f32,
    },
    /// Pseudo-op: encode in memory and decode again.
    EncodeDecode {
        /// Target format.
        format: Format,
        /// Quality; `None` = the format's default (0 at the C ABI).
        quality: Option<u32>,
    },
}

impl Op {
    /// The manifest name of the operation.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Blur { .. } => "blur",
            Op::Unsharpen { .. } => "unsharpen",
            Op::Resize { .. } => "resize",
            Op::Crop { .. } => "crop",
            Op::Rotate90 => "rotate90",
            Op::Rotate270 => "rotate270",
            Op::Mirror => "mirror",
            Op::FlipVertical => "flip_vertical",
            Op::Rotate180 => "rotate180",
            Op::Grayscale => "grayscale",
            Op::AdjustBrightness { .. } => "adjust_brightness",
            Op::AdjustContrast { .. } => "adjust_contrast",
            Op::EncodeDecode { .. } => "encode_decode",
        }
    }
}

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
    only_keys(object, &["name", "input", "ops", "expect"])?;
    let input = object.get("input").and_then(Value::as_str).ok_or("no input")?;
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
    Ok(Case { name: name.to_string(), input: input.to_string(), ops, expect })
}

/// One operation object of a manifest (`{ "op": "blur", "sigma": 2.0 }`); the bad-input
/// manifest uses the same syntax.
pub fn parse_op(value: &Value) -> Result<Op, String> {
    let object = value.as_object().ok_or("op is not an object")?;
    let name = object.get("op").and_then(Value::as_str).ok_or("op without \"op\" name")?;
    let params: &[&str] = match name {
        "blur" => &["sigma"],
        "unsharpen" => &["sigma", "amount", "threshold"],
        "resize" => &["width", "height", "filter"],
        "crop" => &["x", "y", "width", "height"],
        "adjust_brightness" => &["delta"],
        "adjust_contrast" => &["contrast"],
        "encode_decode" => &["format", "quality"],
        _ => &[],
    };
    let mut allowed = vec!["op"];
    allowed.extend_from_slice(params);
    only_keys(object, &allowed)?;
    let o = object;
    Ok(match name {
        "blur" => Op::Blur { sigma: f32_param(o, "sigma")? },
        "unsharpen" => Op::Unsharpen {
            sigma: f32_param(o, "sigma")?,
            amount: f32_param(o, "amount")?,
            threshold: u32_param(o, "threshold")?,
        },
        "resize" => Op::Resize {
            width: u32_param(o, "width")?,
            height: u32_param(o, "height")?,
            filter: match o.get("filter").and_then(Value::as_str) {
                Some("Nearest") => Filter::Nearest,
                Some("Bilinear") => Filter::Bilinear,
                Some("Lanczos3") => Filter::Lanczos3,
                other => return Err(format!("unknown filter {other:?}")),
            },
        },
        "crop" => Op::Crop {
            x: u32_param(o, "x")?,
            y: u32_param(o, "y")?,
            width: u32_param(o, "width")?,
            height: u32_param(o, "height")?,
        },
        "rotate90" => Op::Rotate90,
        "rotate270" => Op::Rotate270,
        "mirror" => Op::Mirror,
        "flip_vertical" => Op::FlipVertical,
        "rotate180" => Op::Rotate180,
        "grayscale" => Op::Grayscale,
        "adjust_brightness" => Op::AdjustBrightness {
            delta: o
                .get("delta")
                .and_then(Value::as_i64)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or("delta is not an i32")?,
        },
        "adjust_contrast" => Op::AdjustContrast { contrast: f32_param(o, "contrast")? },
        "encode_decode" => Op::EncodeDecode {
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
        },
        other => return Err(format!("unknown op {other}")),
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
