//! The Java SDK's generated sources, in `bindings-java/src/main/java/io/pixbridge/`:
//!
//! - one public enum per `#[ffi]` enum of the inventory ([`crate::abi::ffi_enums`]): SCREAMING_SNAKE
//!   constants with the Rust docs, `value()`, `nativeName()` and `fromValue(int)`, plus the few
//!   members one enum adds by hand ([`enum_extras`]);
//! - `NativeOperations.java`: one `static native` method per operation of
//!   `pixbridge_runtime::OPERATIONS` (the JNI exports of `pixbridge-jni` are generated from the
//!   same table by `with_operations!`);
//! - `NativeControlledOperations.java`: the same natives with a control handle last, behind the
//!   asynchronous methods (their JNI exports are expanded from the table too);
//! - `ImageOperations.java`: the package-private sealed base class of `Image` with one public
//!   method per operation, with Javadoc, in the operation rule's shape (fresh = returns a new
//!   `Image`, in place = `void`), and its asynchronous twin in three overloads (`xxxAsync(args)`,
//!   `(args, ProgressListener)`, `(args, ProgressListener, Executor)`) returning a
//!   `CompletableFuture<Image>` or `CompletableFuture<Void>`. It reaches the image only through
//!   package-private hooks that `Image` implements: `enterCall()`, `exitCall()`, `adopt(long)`,
//!   `submitFresh(...)` and `submitInPlace(...)`.

use std::fmt::Write as _;

use pixbridge_runtime::operations::{OperationKind, OperationSpec, ParamSpec, ParamType};

use crate::abi::{FfiEnum, ffi_enums};
use crate::docs::javadoc_text;
use crate::naming::{lower_camel, screaming_snake};
use crate::{GenerateError, GeneratedFile, Model, banner};

/// Where the Java sources live.
pub const PACKAGE_DIR: &str = "bindings-java/src/main/java/io/pixbridge";

/// Every generated Java file.
pub fn files(model: &Model) -> Result<Vec<GeneratedFile>, GenerateError> {
    let path = |name: &str| format!("{PACKAGE_DIR}/{name}.java");
    let enums = ffi_enums(&model.inventory)?;
    let mut files = Vec::with_capacity(enums.len() + 2);
    for ffi_enum in &enums {
        files.push(GeneratedFile::new(path(ffi_enum.name), enum_java(ffi_enum)));
    }
    files.push(GeneratedFile::new(
        path("NativeOperations"),
        native_operations_java(model.operations, model.abi_version),
    ));
    files.push(GeneratedFile::new(
        path("NativeControlledOperations"),
        native_controlled_operations_java(model.operations),
    ));
    files.push(GeneratedFile::new(path("ImageOperations"), image_operations_java(model.operations)));
    Ok(files)
}

/// Writes a Javadoc comment at `indent`: one line per Markdown line, a blank line starting a new
/// `<p>` paragraph, then `tags` (`@param ...`) after a blank line.
fn javadoc(out: &mut String, indent: &str, lines: &[impl AsRef<str>], tags: &[String]) {
    javadoc_with(out, indent, lines, tags, javadoc_text);
}

/// [`javadoc`] for lines already in Javadoc's syntax (`{@link ...}`, HTML), written as they are.
fn javadoc_raw(out: &mut String, indent: &str, lines: &[impl AsRef<str>], tags: &[String]) {
    javadoc_with(out, indent, lines, tags, str::to_owned);
}

fn javadoc_with(
    out: &mut String,
    indent: &str,
    lines: &[impl AsRef<str>],
    tags: &[String],
    text: impl Fn(&str) -> String,
) {
    let lines: Vec<&str> = lines.iter().map(|line| line.as_ref().trim()).collect();
    let first = lines.iter().position(|line| !line.is_empty()).unwrap_or(lines.len());
    let last = lines.iter().rposition(|line| !line.is_empty()).map_or(first, |i| i + 1);
    let lines = &lines[first..last];
    if let ([line], []) = (lines, tags) {
        let _ = writeln!(out, "{indent}/** {} */", text(line));
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    let mut new_paragraph = false;
    for line in lines {
        if line.is_empty() {
            if !new_paragraph {
                let _ = writeln!(out, "{indent} *");
            }
            new_paragraph = true;
        } else {
            let p = if new_paragraph { "<p>" } else { "" };
            let _ = writeln!(out, "{indent} * {p}{}", text(line));
            new_paragraph = false;
        }
    }
    if !tags.is_empty() {
        if !lines.is_empty() {
            let _ = writeln!(out, "{indent} *");
        }
        for tag in tags {
            let _ = writeln!(out, "{indent} * {tag}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

/// Members one enum adds to the generated ones, written out here so that they stay visible.
fn enum_extras(name: &str) -> &'static str {
    match name {
        "ImageFormat" => {
            r#"
    /**
     * Returns the format with the given name, ignoring case: its {@linkplain #nativeName() native
     * name} ({@code "png"}, {@code "jpeg"}, {@code "webp"}, ...) or {@code "jpg"}, as file
     * extensions and {@code testdata/manifest.json} write it.
     *
     * @param name the format's name
     * @return the matching format
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if no format has that name
     */
    public static ImageFormat fromName(String name) {
        if (name == null) {
            throw new NullPointerException("name must not be null");
        }
        if (name.equalsIgnoreCase("jpg")) {
            return JPEG;
        }
        for (ImageFormat format : values()) {
            if (format.nativeName.equalsIgnoreCase(name)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown image format name: " + name);
    }
"#
        }
        _ => "",
    }
}

/// `public enum <name>` with the Rust variants, their numbers, names and docs.
fn enum_java(ffi_enum: &FfiEnum<'_>) -> String {
    let (name, docs, variants) = (ffi_enum.name, ffi_enum.docs, &ffi_enum.variants);
    let mut out = banner("//", &format!("the #[ffi] enum {name} of pixbridge-ffi"));
    out.push_str("package io.pixbridge;\n\n");
    javadoc(&mut out, "", docs, &[]);
    let _ = writeln!(out, "public enum {name} {{");
    for (i, variant) in variants.iter().enumerate() {
        javadoc(&mut out, "    ", variant.docs, &[]);
        let end = if i + 1 == variants.len() { ";" } else { "," };
        let _ = writeln!(out, "    {}({}, \"{}\"){end}", screaming_snake(variant.name), variant.value, variant.name);
    }
    let _ = write!(
        out,
        r#"
    private final int value;
    private final String nativeName;

    {name}(int value, String nativeName) {{
        this.value = value;
        this.nativeName = nativeName;
    }}

    /**
     * Returns the stable number of this constant, as the C ABI uses it.
     *
     * @return the number
     */
    public int value() {{
        return value;
    }}

    /**
     * Returns the name of this constant in the Rust core, as {{@code docs/design.md}} and
     * {{@code testdata/manifest.json}} write it (for example {{@code "{example}"}}).
     *
     * @return the Rust variant name
     */
    public String nativeName() {{
        return nativeName;
    }}

    /**
     * Returns the constant with the given stable number.
     *
     * @param value a number from the C ABI
     * @return the matching constant
     * @throws IllegalArgumentException if no constant has that number
     */
    public static {name} fromValue(int value) {{
        switch (value) {{
"#,
        example = variants.first().map_or("", |variant| variant.name),
    );
    for variant in variants {
        let _ = writeln!(
            out,
            "            case {}:\n                return {};",
            variant.value,
            screaming_snake(variant.name)
        );
    }
    let _ = writeln!(
        out,
        "            default:\n                throw new IllegalArgumentException(\"unknown {name} value \" + value);\n        }}\n    }}"
    );
    out.push_str(enum_extras(name));
    out.push_str("}\n");
    out
}

fn java_type(param: &ParamSpec) -> &'static str {
    match param.ty {
        ParamType::F32 => "float",
        ParamType::U32 | ParamType::I32 => "int",
        ParamType::ResizeFilter => "ResizeFilter",
    }
}

/// The value passed to the native method for a parameter of the public method.
fn native_argument(param: &ParamSpec) -> String {
    let name = lower_camel(param.name);
    match param.ty {
        ParamType::ResizeFilter => format!("{name}.value()"),
        _ => name,
    }
}

fn native_java_type(param: &ParamSpec) -> &'static str {
    match param.ty {
        ParamType::F32 => "float",
        ParamType::U32 | ParamType::I32 | ParamType::ResizeFilter => "int",
    }
}

fn native_operations_java(operations: &[OperationSpec], abi_version: u32) -> String {
    let mut out = banner("//", "pixbridge_runtime::OPERATIONS");
    out.push_str(
        "package io.pixbridge;\n\n\
         /**\n * The native entry points of the image operations, one per entry of the runtime's operation table\n\
         \u{20}* ({@code with_operations!}). Fresh operations return the new image's handle; in-place ones return\n\
         \u{20}* nothing. Callers hold the image open for the duration of the call.\n */\n\
         final class NativeOperations {\n    private NativeOperations() {\n    }\n",
    );
    let _ = write!(
        out,
        "\n    /** The ABI version of the native library these natives were generated for ({{@code pixbridge_runtime::ABI_VERSION}}). */\n    \
         static final int ABI_VERSION = {abi_version};\n"
    );
    for op in operations {
        let params: String =
            op.params.iter().map(|p| format!(", {} {}", native_java_type(p), lower_camel(p.name))).collect();
        let ret = match op.kind {
            OperationKind::Fresh => "long",
            OperationKind::InPlace => "void",
        };
        let _ = write!(
            out,
            "\n    /** {{@code pixbridge_runtime::ops::{}}}. */\n    static native {ret} {}(long image{params});\n",
            op.name,
            lower_camel(op.name)
        );
    }
    out.push_str("}\n");
    out
}

fn native_controlled_operations_java(operations: &[OperationSpec]) -> String {
    let mut out = banner("//", "pixbridge_runtime::OPERATIONS");
    out.push_str(
        "package io.pixbridge;\n\n\
         /**\n * The native entry points of the image operations under a control ({@link NativeImage#controlCreate}),\n\
         \u{20}* one per entry of the runtime's operation table: {@link NativeOperations}' natives with the control\n\
         \u{20}* handle last. The call can be cancelled from any thread ({@link NativeImage#controlCancel}): it then\n\
         \u{20}* throws {@link PixbridgeException} with {@link ErrorCode#CANCELLED}, leaves the image unchanged and\n\
         \u{20}* makes nothing. Its progress goes to the control's listener. Callers hold the image open for the\n\
         \u{20}* duration of the call.\n */\n\
         final class NativeControlledOperations {\n    private NativeControlledOperations() {\n    }\n",
    );
    for op in operations {
        let params: String =
            op.params.iter().map(|p| format!(", {} {}", native_java_type(p), lower_camel(p.name))).collect();
        let ret = match op.kind {
            OperationKind::Fresh => "long",
            OperationKind::InPlace => "void",
        };
        let _ = write!(
            out,
            "\n    /** {{@code pixbridge_runtime::ops::{}}} under a control. */\n    static native {ret} {}(long image{params}, long control);\n",
            op.name,
            lower_camel(op.name)
        );
    }
    out.push_str("}\n");
    out
}

/// The Javadoc tags of an operation's public method.
fn operation_tags(op: &OperationSpec) -> Vec<String> {
    let mut tags: Vec<String> =
        op.params.iter().map(|p| format!("@param {} {}", lower_camel(p.name), javadoc_text(p.docs))).collect();
    if op.kind == OperationKind::Fresh {
        tags.push("@return the new image, which the caller must close; this image is unchanged".into());
    }
    for param in op.params.iter().filter(|p| p.ty == ParamType::ResizeFilter) {
        tags.push(format!("@throws NullPointerException if {{@code {}}} is null", lower_camel(param.name)));
    }
    let unsigned: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.ty == ParamType::U32)
        .map(|p| format!("{{@code {}}}", lower_camel(p.name)))
        .collect();
    if !unsigned.is_empty() {
        tags.push(format!("@throws IllegalArgumentException if {} is negative", unsigned.join(" or ")));
    }
    tags.push("@throws IllegalStateException if this image is closed".into());
    tags.push(if op.params.is_empty() {
        "@throws PixbridgeException if the native operation fails".into()
    } else {
        "@throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or\n     *     another code if the native operation fails".into()
    });
    tags
}

fn image_method(op: &OperationSpec) -> String {
    let name = lower_camel(op.name);
    let mut out = String::from("\n");
    javadoc(&mut out, "    ", &crate::operation_doc_lines(op), &operation_tags(op));
    let params: Vec<String> = op.params.iter().map(|p| format!("{} {}", java_type(p), lower_camel(p.name))).collect();
    let ret = match op.kind {
        OperationKind::Fresh => "Image",
        OperationKind::InPlace => "void",
    };
    let _ = writeln!(out, "    public {ret} {name}({}) {{", params.join(", "));
    for param in op.params.iter().filter(|p| p.ty == ParamType::ResizeFilter) {
        let p = lower_camel(param.name);
        let _ = writeln!(out, "        Arguments.requireNonNull({p}, \"{p}\");");
    }
    for param in op.params.iter().filter(|p| p.ty == ParamType::U32) {
        let p = lower_camel(param.name);
        let _ = writeln!(out, "        Arguments.requireNonNegative({p}, \"{p}\");");
    }
    let args: String = op.params.iter().map(|p| format!(", {}", native_argument(p))).collect();
    let call = format!("NativeOperations.{name}(handle{args})");
    out.push_str("        long handle = enterCall();\n        try {\n");
    let _ = match op.kind {
        OperationKind::Fresh => writeln!(out, "            return adopt({call});"),
        OperationKind::InPlace => writeln!(out, "            {call};"),
    };
    out.push_str(
        "        } finally {\n            exitCall();\n            Reference.reachabilityFence(this);\n        }\n    }\n",
    );
    out
}

/// The Javadoc `{@link #name(types)}` target of an operation's synchronous method.
fn sync_link(op: &OperationSpec) -> String {
    let types: Vec<&str> = op.params.iter().map(java_type).collect();
    format!("#{}({})", lower_camel(op.name), types.join(", "))
}

/// The three asynchronous overloads of an operation: `(args)`, `(args, ProgressListener)` and
/// `(args, ProgressListener, Executor)`, the last one doing the work. No `(args, Executor)`:
/// `Executor` is a functional interface too, so with it `blurAsync(4f, f -> ...)` would be
/// ambiguous.
fn image_async_methods(op: &OperationSpec) -> String {
    let name = format!("{}Async", lower_camel(op.name));
    let sync = sync_link(op);
    let (ret, what) = match op.kind {
        OperationKind::Fresh => ("CompletableFuture<Image>", "the new image, which the caller must close"),
        OperationKind::InPlace => ("CompletableFuture<Void>", "{@code null} once this image is changed"),
    };
    let params: Vec<String> = op.params.iter().map(|p| format!("{} {}", java_type(p), lower_camel(p.name))).collect();
    let names: Vec<String> = op.params.iter().map(|p| lower_camel(p.name)).collect();
    let param_tags: Vec<String> =
        op.params.iter().map(|p| format!("@param {} {}", lower_camel(p.name), javadoc_text(p.docs))).collect();
    let with = |extra: &[&str]| -> String {
        params.iter().map(String::as_str).chain(extra.iter().copied()).collect::<Vec<_>>().join(", ")
    };
    let call = |extra: &[&str]| -> String {
        names.iter().map(String::as_str).chain(extra.iter().copied()).collect::<Vec<_>>().join(", ")
    };
    let full_types: Vec<&str> = op.params.iter().map(java_type).chain(["ProgressListener", "Executor"]).collect();
    let full_link = format!("#{name}({})", full_types.join(", "));
    let mut throws: Vec<String> = Vec::new();
    for param in op.params.iter().filter(|p| p.ty == ParamType::ResizeFilter) {
        throws.push(format!("@throws NullPointerException if {{@code {}}} is null", lower_camel(param.name)));
    }
    let unsigned: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.ty == ParamType::U32)
        .map(|p| format!("{{@code {}}}", lower_camel(p.name)))
        .collect();
    if !unsigned.is_empty() {
        throws.push(format!("@throws IllegalArgumentException if {} is negative", unsigned.join(" or ")));
    }
    throws.push("@throws IllegalStateException if this image is closed".into());
    let future_tag = format!("@return a future of {what}");

    let mut out = String::from("\n");
    // (args)
    let mut tags = param_tags.clone();
    tags.push(future_tag.clone());
    tags.extend(throws.iter().cloned());
    let summary = |progress: &str| {
        [
            format!("Asynchronous {{@link {sync}}}, on the"),
            format!("{{@linkplain Image#asyncExecutor() default executor}}, {progress}; see"),
            format!("{{@link {full_link}}}."),
        ]
    };
    javadoc_raw(&mut out, "    ", &summary("without progress"), &tags);
    let _ = writeln!(
        out,
        "    public {ret} {name}({}) {{\n        return {name}({});\n    }}\n",
        with(&[]),
        call(&["null", "null"])
    );
    // (args, listener)
    let mut tags = param_tags.clone();
    tags.push("@param listener told the fraction done, or {@code null}".into());
    tags.push(future_tag.clone());
    tags.extend(throws.iter().cloned());
    javadoc_raw(&mut out, "    ", &summary("with progress"), &tags);
    let _ = writeln!(
        out,
        "    public {ret} {name}({}) {{\n        return {name}({});\n    }}\n",
        with(&["ProgressListener listener"]),
        call(&["listener", "null"])
    );
    // (args, listener, executor)
    let mut tags = param_tags;
    tags.push("@param listener told the fraction done (from the threads doing the work; see\n     *     {@link ProgressListener}), or {@code null}".into());
    tags.push("@param executor runs the native call; {@code null} for the\n     *     {@linkplain Image#asyncExecutor() default executor}".into());
    tags.push(future_tag);
    tags.extend(throws);
    tags.push("@throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task".into());
    let lines = [
        format!("Asynchronous {{@link {sync}}}: runs it on {{@code executor}} and completes the"),
        "future with its result.".into(),
        String::new(),
        "This image stays open for the call: {@link Image#close()} meanwhile frees it only when the".into(),
        "call ends. Cancelling the future (or completing it in any other way) cancels the native work,".into(),
        "which then stops, changes nothing and makes nothing. A parameter the native library refuses".into(),
        "completes the future with a {@link PixbridgeException} ({@link ErrorCode#INVALID_ARGUMENT}).".into(),
        "See <a href=\"Image.html#async\">asynchronous calls</a>.".into(),
    ];
    javadoc_raw(&mut out, "    ", &lines, &tags);
    let _ = writeln!(out, "    public {ret} {name}({}) {{", with(&["ProgressListener listener", "Executor executor"]));
    for param in op.params.iter().filter(|p| p.ty == ParamType::ResizeFilter) {
        let p = lower_camel(param.name);
        let _ = writeln!(out, "        Arguments.requireNonNull({p}, \"{p}\");");
    }
    for param in op.params.iter().filter(|p| p.ty == ParamType::U32) {
        let p = lower_camel(param.name);
        let _ = writeln!(out, "        Arguments.requireNonNegative({p}, \"{p}\");");
    }
    let args: String = op.params.iter().map(|p| format!(", {}", native_argument(p))).collect();
    let native = format!("NativeControlledOperations.{}(handle{args}, control)", lower_camel(op.name));
    let hook = match op.kind {
        OperationKind::Fresh => "submitFresh",
        OperationKind::InPlace => "submitInPlace",
    };
    let _ = writeln!(out, "        return {hook}(listener, executor, (handle, control) -> {native});\n    }}");
    out
}

fn image_operations_java(operations: &[OperationSpec]) -> String {
    let mut out = banner("//", "pixbridge_runtime::OPERATIONS");
    out.push_str(
        r#"package io.pixbridge;

import java.lang.ref.Reference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The image operations of {@link Image}, one public method per entry of the runtime's operation
 * table ({@code with_operations!}; listed in {@code docs/operations.md}), and its asynchronous
 * twin ({@code blurAsync} for {@code blur}, ...). Fresh operations return a new image and leave
 * this one unchanged; in-place operations return nothing.
 *
 * <p>{@link Image} is the only subclass: it supplies the handle and wraps new handles through the
 * package-private hooks below, and users see these methods as methods of {@code Image}.
 */
abstract sealed class ImageOperations permits Image {
    ImageOperations() {
    }

    /**
     * Starts a native call on this image.
     *
     * @return the image's handle, valid until {@link #exitCall()}
     * @throws IllegalStateException if the image is closed
     */
    abstract long enterCall();

    /** Ends the call started by {@link #enterCall()}; frees the image if it was closed meanwhile. */
    abstract void exitCall();

    /**
     * Takes ownership of a new native image handle.
     *
     * @param handle the handle a fresh operation returned
     * @return the image that owns it
     */
    abstract Image adopt(long handle);

    /**
     * Runs a fresh operation asynchronously (see {@link NativeTask}): holds this image open until
     * the call ends and adopts the handle it returns.
     *
     * @param listener the progress listener, or null
     * @param executor the executor, or null for the default one
     * @param call the native call, given the handle and the control
     * @return the future of the new image
     * @throws IllegalStateException if the image is closed
     */
    abstract CompletableFuture<Image> submitFresh(ProgressListener listener, Executor executor, NativeTask.FreshCall call);

    /**
     * Runs an in-place operation asynchronously (see {@link NativeTask}), holding this image open
     * until the call ends.
     *
     * @param listener the progress listener, or null
     * @param executor the executor, or null for the default one
     * @param call the native call, given the handle and the control
     * @return the future, completed with null once the image is changed
     * @throws IllegalStateException if the image is closed
     */
    abstract CompletableFuture<Void> submitInPlace(ProgressListener listener, Executor executor, NativeTask.InPlaceCall call);
"#,
    );
    for op in operations {
        out.push_str(&image_method(op));
        out.push_str(&image_async_methods(op));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javadoc_keeps_paragraphs_and_tags() {
        let mut out = String::new();
        javadoc(&mut out, "", &["One."], &[]);
        assert_eq!(out, "/** One. */\n");
        let mut out = String::new();
        javadoc(&mut out, "  ", &["", "First `a`.", "", "Second.", ""], &["@return x".to_string()]);
        assert_eq!(out, "  /**\n   * First {@code a}.\n   *\n   * <p>Second.\n   *\n   * @return x\n   */\n");
    }
}
