//! `ffi/include/pixbridge_plugin.h` is written by hand: this test compiles a C program against
//! it and checks that every constant, size and field offset agrees with `pixbridge_plugin::abi`.

use std::mem::{offset_of, size_of};
use std::path::Path;
use std::process::Command;

use pixbridge_plugin::abi;

/// `(C expression, the value Rust gives it)`.
fn expected() -> Vec<(&'static str, usize)> {
    macro_rules! layout {
        ($c:literal, $rust:ty { $($field:ident $(: $cfield:literal)?),* }) => {{
            let mut entries = vec![(concat!("sizeof(", $c, ")"), size_of::<$rust>())];
            $( entries.push((
                concat!("offsetof(", $c, ", ", layout!(@name $field $($cfield)?), ")"),
                offset_of!($rust, $field),
            )); )*
            entries
        }};
        (@name $field:ident $cfield:literal) => { $cfield };
        (@name $field:ident) => { stringify!($field) };
    }
    let mut all = vec![
        ("PIXBRIDGE_PLUGIN_ABI_MAJOR", abi::ABI_MAJOR as usize),
        ("PIXBRIDGE_PLUGIN_ABI_MINOR", abi::ABI_MINOR as usize),
        ("PIXBRIDGE_PLUGIN_MESSAGE_CAPACITY", abi::MESSAGE_CAPACITY),
        ("PIXBRIDGE_PLUGIN_KIND_FRESH", abi::KIND_FRESH as usize),
        ("PIXBRIDGE_PLUGIN_KIND_IN_PLACE", abi::KIND_IN_PLACE as usize),
        ("PIXBRIDGE_PLUGIN_PARAMETER_INT", abi::PARAMETER_INT as usize),
        ("PIXBRIDGE_PLUGIN_PARAMETER_FLOAT", abi::PARAMETER_FLOAT as usize),
        ("PIXBRIDGE_PLUGIN_PARAMETER_BOOL", abi::PARAMETER_BOOL as usize),
        ("sizeof(PixbridgePluginRun)", size_of::<abi::Run>()),
    ];
    all.extend(layout!("PixbridgePluginSource", abi::Source { pixels, width, height, stride }));
    all.extend(layout!("PixbridgePluginTarget", abi::Target { pixels, width, height, stride }));
    all.extend(layout!(
        "PixbridgePluginParameter",
        abi::Parameter { name, docs, r#type: "type", reserved, default_value, minimum, maximum }
    ));
    all.extend(layout!(
        "PixbridgePluginOperation",
        abi::Operation { name, docs, kind, parameter_count, parameters, run }
    ));
    all.extend(layout!(
        "PixbridgePluginDescriptor",
        abi::Descriptor {
            size,
            abi_major,
            abi_minor,
            operation_count,
            name,
            version,
            operations,
            operation_size,
            parameter_size,
            docs
        }
    ));
    all
}

#[test]
fn the_header_matches_the_rust_definitions() {
    let header_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ffi/include");
    let expected = expected();
    let mut program =
        String::from("#include <stdio.h>\n#include <stddef.h>\n#include \"pixbridge_plugin.h\"\nint main(void) {\n");
    for (expression, _) in &expected {
        program.push_str(&format!("    printf(\"%zu\\n\", (size_t)({expression}));\n"));
    }
    program.push_str("    return 0;\n}\n");
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("layout.c");
    std::fs::write(&source, program).unwrap();
    let binary = dir.path().join("layout");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&compiler)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(&header_dir)
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .status()
        .unwrap_or_else(|error| panic!("{compiler} runs: {error}"));
    assert!(status.success(), "the header compiles as strict C11");
    let output = Command::new(&binary).output().unwrap();
    let values: Vec<usize> =
        String::from_utf8(output.stdout).unwrap().lines().map(|line| line.parse().unwrap()).collect();
    assert_eq!(values.len(), expected.len());
    let mismatches: Vec<String> = expected
        .iter()
        .zip(&values)
        .filter(|((_, rust), c)| rust != *c)
        .map(|((expression, rust), c)| format!("{expression}: C {c}, Rust {rust}"))
        .collect();
    assert!(mismatches.is_empty(), "pixbridge_plugin.h and plugin/src/abi.rs disagree:\n{}", mismatches.join("\n"));
    assert_eq!(abi::DESCRIPTOR_SIZE_1_0, 48, "the 1.0 layout is fixed for ever");
}
