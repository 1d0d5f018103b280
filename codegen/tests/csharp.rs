//! C# generation against the real inventory of `pixbridge-ffi` and the real operation table.

use pixbridge_codegen::{GenerateError, GeneratedFile, Model, csharp};
use pixbridge_runtime::operations::OperationKind;

fn generate() -> Result<Vec<GeneratedFile>, GenerateError> {
    csharp::files(&Model::current())
}

fn file<'a>(files: &'a [GeneratedFile], name: &str) -> &'a str {
    let path = format!("{}/{name}", csharp::DIR);
    &files.iter().find(|file| file.path == path).unwrap_or_else(|| panic!("{name} not generated")).contents
}

fn pascal(snake: &str) -> String {
    snake.split('_').map(|word| word[..1].to_uppercase() + &word[1..]).collect()
}

/// The text of the method that starts with `signature`, up to its closing brace.
fn method_body<'a>(text: &'a str, signature: &str) -> &'a str {
    let start = text.find(signature).unwrap_or_else(|| panic!("missing {signature}"));
    let end = text[start..].find("\n    }\n").unwrap_or_else(|| panic!("unterminated {signature}"));
    &text[start..start + end]
}

#[test]
fn interop_layer_is_internal_and_imports_every_export() {
    let files = generate().expect("generation succeeds");
    let interop = file(&files, "Interop.g.cs");
    assert!(interop.contains("namespace Pixbridge.Native;"));
    assert!(interop.contains("internal static partial class Interop"));
    assert!(interop.contains("public const string NativeLib = \"pixbridge\";"));
    assert!(interop.contains("Interop.__api_guard()"), "the API guard is checked on load");
    let public_top_level: Vec<&str> = interop.lines().filter(|line| line.starts_with("public ")).collect();
    assert!(public_top_level.is_empty(), "public top-level declarations left: {public_top_level:?}");
    for (_, export) in pixbridge::FUNCTION_TABLE {
        assert!(interop.contains(&format!("EntryPoint = \"{export}\"")), "{export} is not imported");
    }
}

#[test]
fn one_method_per_operation_with_the_right_shape() {
    let files = generate().expect("generation succeeds");
    let operations = file(&files, "Image.Operations.g.cs");
    for operation in pixbridge_runtime::OPERATIONS {
        let return_type = if operation.kind == OperationKind::Fresh { "Image" } else { "void" };
        let signature = format!("    public {return_type} {}(", pascal(operation.name));
        assert!(operations.contains(&signature), "missing {signature}");
        assert!(operations.contains(&format!("Interop.pixbridge_image_{}(lease.Handle", operation.name)));
        let method = method_body(operations, &signature);
        if operation.kind == OperationKind::Fresh {
            assert!(method.contains("return Adopt(result);"), "{} must adopt its result", operation.name);
        } else {
            assert!(
                method.contains("RefreshColorType(lease.Handle);"),
                "{} must refresh the cached colour type",
                operation.name
            );
        }
    }
    // Each operation and its asynchronous twin.
    assert_eq!(operations.matches("    public ").count(), 2 * pixbridge_runtime::OPERATIONS.len());
    assert!(operations.contains("public Image Resize(int width, int height, ResizeFilter filter)"));
    assert!(operations.contains("ArgumentOutOfRangeException.ThrowIfNegative(width);"));
    assert!(operations.contains("public void AdjustBrightness(int delta)"));
    assert!(!operations.contains("ThrowIfNegative(delta)"), "i32 parameters accept negatives");
    assert!(operations.contains(&format!("internal const uint ExpectedVersion = {};", pixbridge_runtime::ABI_VERSION)));
}

#[test]
fn every_operation_has_an_async_twin_over_the_controlled_export() {
    let files = generate().expect("generation succeeds");
    let operations = file(&files, "Image.Operations.g.cs");
    assert!(operations.contains("#nullable enable"), "IProgress<float>? needs a nullable context");
    for operation in pixbridge_runtime::OPERATIONS {
        let fresh = operation.kind == OperationKind::Fresh;
        let return_type = if fresh { "Task<Image>" } else { "Task" };
        let signature = format!("    public {return_type} {}Async(", pascal(operation.name));
        let method = method_body(operations, &signature);
        assert!(
            method.contains("IProgress<float>? progress = null, CancellationToken cancellationToken = default)"),
            "{} takes an optional progress and token last",
            operation.name
        );
        assert!(method.contains("return RunAsync<"), "{} runs through RunAsync", operation.name);
        assert!(
            method.contains(&format!("Interop.pixbridge_image_{}_controlled(image, ", operation.name)),
            "{} calls its _controlled export",
            operation.name
        );
        assert!(method.contains(", control"), "{} passes the control", operation.name);
        if fresh {
            assert!(method.contains("return Adopt(result);"), "{} must adopt its result", operation.name);
        } else {
            assert!(
                method.contains("RefreshColorType(image);"),
                "{} must refresh the cached colour type",
                operation.name
            );
        }
    }
    assert!(operations.contains(
        "public Task<Image> ResizeAsync(int width, int height, ResizeFilter filter, IProgress<float>? progress = null, CancellationToken cancellationToken = default)"
    ));
    // The argument checks run before the task exists, as in the synchronous method.
    let resize = method_body(operations, "    public Task<Image> ResizeAsync(");
    assert!(
        resize.find("ThrowIfNegative(width);").unwrap() < resize.find("return RunAsync<").unwrap(),
        "checks come first"
    );
}

#[test]
fn public_enums_mirror_the_rust_numbers() {
    let files = generate().expect("generation succeeds");
    let enums = file(&files, "Enums.g.cs");
    for code in pixbridge::ErrorCode::ALL {
        assert!(enums.contains(&format!("    {} = {},\n", code.name(), code.as_u32())), "{code:?}");
    }
    for expected in [
        "public enum ImageFormat",
        "    WebP = 2,",
        "public enum ResizeFilter",
        "    Lanczos3 = 2,",
        "public enum ColorType",
        "    Rgba32F = 9,",
    ] {
        assert!(enums.contains(expected), "missing {expected:?}");
    }
}
