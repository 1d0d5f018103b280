//! Documentation text in each target language, from the Markdown of the Rust docs and the
//! operation table: C comments keep it as it is, C# gets XML doc text, Java gets Javadoc HTML.

use std::fmt::Write as _;

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

/// Markdown to Javadoc HTML: escapes `<`, `>`, `&`, `@`, turns `` `code` `` into `{@code code}`
/// and keeps only the text of links.
pub fn javadoc_text(markdown: &str) -> String {
    let mut out = String::new();
    for (i, part) in strip_links(markdown.trim()).split('`').enumerate() {
        let escaped = part.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('@', "&#64;");
        if i % 2 == 1 {
            let _ = write!(out, "{{@code {escaped}}}");
        } else {
            out.push_str(&escaped);
        }
    }
    out
}

/// Writes `lines` as line comments with `prefix` (`///`, `//`), one space after it, blank
/// lines as a bare prefix.
pub fn line_comments(out: &mut String, indent: &str, prefix: &str, lines: &[impl AsRef<str>]) {
    for line in lines {
        let line = line.as_ref().trim_end();
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.is_empty() {
            let _ = writeln!(out, "{indent}{prefix}");
        } else {
            let _ = writeln!(out, "{indent}{prefix} {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn markdown_becomes_javadoc() {
        assert_eq!(
            javadoc_text("Adds `delta` to R, G & B <x> @y"),
            "Adds {@code delta} to R, G &amp; B &lt;x&gt; &#64;y"
        );
        assert_eq!(javadoc_text("see [`ResizeFilter`](crate::codes::ResizeFilter)"), "see {@code ResizeFilter}");
    }
}
