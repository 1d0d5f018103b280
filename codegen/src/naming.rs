//! Names in each target language, from the `snake_case` names of the operation table.
//!
//! One rule for every language: a letter that follows `_` (skipping digits) is upper-cased, which
//! is what `jni::jni_mangle` does to the Rust export names, so Java methods match JNI symbols.

/// `adjust_brightness` -> `adjustBrightness`, `rotate90` -> `rotate90`, `test_3d` -> `test3D`.
pub fn lower_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut capitalize = false;
    for c in snake.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize && !c.is_ascii_digit() {
            out.extend(c.to_uppercase());
            capitalize = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `adjust_brightness` -> `AdjustBrightness`, `rotate90` -> `Rotate90`.
pub fn pascal_case(snake: &str) -> String {
    let camel = lower_camel(snake);
    let mut chars = camel.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `InvalidArgument` -> `INVALID_ARGUMENT`, `WebP` -> `WEBP`, `Rgba32F` -> `RGBA32F`,
/// `Bgra8Premultiplied` -> `BGRA8_PREMULTIPLIED` (C and Java constants): a word starts at an
/// upper-case letter that follows a lower-case letter or a digit and is followed by a lower-case
/// one, so trailing capitals and digits stay in their word.
pub fn screaming_snake(pascal: &str) -> String {
    let chars: Vec<char> = pascal.chars().collect();
    let mut out = String::with_capacity(pascal.len() + 4);
    for (i, &ch) in chars.iter().enumerate() {
        let after_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
        let before_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
        if ch.is_ascii_uppercase() && after_lower && before_lower {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// A C# parameter name: lower camel case, with `@` before a C# keyword.
pub fn csharp_parameter(snake: &str) -> String {
    let name = lower_camel(snake);
    if CSHARP_KEYWORDS.contains(&name.as_str()) { format!("@{name}") } else { name }
}

/// Reserved words that cannot be parameter names without `@`.
const CSHARP_KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_language() {
        assert_eq!(pascal_case("adjust_brightness"), "AdjustBrightness");
        assert_eq!(pascal_case("rotate90"), "Rotate90");
        assert_eq!(pascal_case("blur"), "Blur");
        assert_eq!(csharp_parameter("max_decoded_bytes"), "maxDecodedBytes");
        assert_eq!(csharp_parameter("sigma"), "sigma");
        assert_eq!(csharp_parameter("fixed"), "@fixed");
        assert_eq!(screaming_snake("InvalidArgument"), "INVALID_ARGUMENT");
        assert_eq!(screaming_snake("ErrorCode"), "ERROR_CODE");
        assert_eq!(screaming_snake("WebP"), "WEBP");
        assert_eq!(screaming_snake("Rgba32F"), "RGBA32F");
        assert_eq!(screaming_snake("La8"), "LA8");
        assert_eq!(screaming_snake("InvalidUtf8"), "INVALID_UTF8");
        assert_eq!(screaming_snake("Bgra8Premultiplied"), "BGRA8_PREMULTIPLIED");
        assert_eq!(screaming_snake("Yuv420"), "YUV420");
    }

    #[test]
    fn lower_camel_matches_jni_mangle() {
        // Examples from the jni crate's `jni_mangle` documentation.
        assert_eq!(lower_camel("say_hello"), "sayHello");
        assert_eq!(lower_camel("test_3d"), "test3D");
        assert_eq!(lower_camel("flip_vertical"), "flipVertical");
        assert_eq!(lower_camel("rotate90"), "rotate90");
    }
}
