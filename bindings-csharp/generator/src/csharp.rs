//! Small helpers for writing C# source: names and XML documentation.

/// `adjust_brightness` -> `AdjustBrightness`, `rotate90` -> `Rotate90`.
pub fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `max_width` -> `maxWidth`; C# keywords get a leading `@`.
pub fn camel_case(snake: &str) -> String {
    let pascal = pascal_case(snake);
    let mut chars = pascal.chars();
    let name = match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    };
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

/// Turns one line of Rust doc Markdown into XML-doc text: escapes `&`, `<`, `>`, renders
/// `` `code` `` as `<c>code</c>` and keeps only the text of `[text](link)` links.
pub fn xml_doc_text(markdown: &str) -> String {
    let without_links = strip_links(markdown.trim());
    let mut out = String::with_capacity(without_links.len());
    let mut in_code = false;
    for ch in without_links.chars() {
        match ch {
            '`' => {
                out.push_str(if in_code { "</c>" } else { "<c>" });
                in_code = !in_code;
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(ch),
        }
    }
    if in_code {
        out.push_str("</c>");
    }
    out
}

/// `[text](target)` -> `text`; brackets that are not links stay as they are.
fn strip_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after_open = &rest[open + 1..];
        let link = after_open.find("](").and_then(|close| {
            let target = &after_open[close + 2..];
            target.find(')').map(|end| (close, close + 2 + end + 1))
        });
        match link {
            Some((close, consumed)) => {
                out.push_str(&after_open[..close]);
                rest = &after_open[consumed..];
            }
            None => {
                out.push('[');
                rest = after_open;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Writes `/// <summary>` with one XML-doc line per Markdown line (blank lines dropped).
pub fn summary(out: &mut String, indent: &str, lines: &[impl AsRef<str>]) {
    out.push_str(&format!("{indent}/// <summary>\n"));
    for line in lines.iter().map(AsRef::as_ref).filter(|line| !line.trim().is_empty()) {
        out.push_str(&format!("{indent}/// {}\n", xml_doc_text(line)));
    }
    out.push_str(&format!("{indent}/// </summary>\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_csharp_conventions() {
        assert_eq!(pascal_case("adjust_brightness"), "AdjustBrightness");
        assert_eq!(pascal_case("rotate90"), "Rotate90");
        assert_eq!(pascal_case("blur"), "Blur");
        assert_eq!(camel_case("max_decoded_bytes"), "maxDecodedBytes");
        assert_eq!(camel_case("sigma"), "sigma");
        assert_eq!(camel_case("fixed"), "@fixed");
    }

    #[test]
    fn markdown_becomes_escaped_xml() {
        assert_eq!(xml_doc_text("  Adds `delta` to R, G & B  "), "Adds <c>delta</c> to R, G &amp; B");
        assert_eq!(xml_doc_text("a < b > c"), "a &lt; b &gt; c");
        assert_eq!(
            xml_doc_text("see [`ResizeFilter`](crate::codes::ResizeFilter) codes"),
            "see <c>ResizeFilter</c> codes"
        );
        assert_eq!(xml_doc_text("range [0, 255] kept"), "range [0, 255] kept");
        assert_eq!(xml_doc_text("unclosed `code"), "unclosed <c>code</c>");
    }

    #[test]
    fn summary_skips_blank_lines() {
        let mut out = String::new();
        summary(&mut out, "    ", &["First.", "", "Second."]);
        assert_eq!(out, "    /// <summary>\n    /// First.\n    /// Second.\n    /// </summary>\n");
    }
}
