//! Writes the synthetic test images into `testdata/`.
//!
//! Run explicitly when the formulas in `golden/synthetic.rs` change:
//! `cargo test -p pixbridge-ffi --test make_testdata -- --ignored`

// Shared with golden.rs, which uses the pixel formulas this binary does not need.
#[allow(dead_code)]
#[path = "golden/synthetic.rs"]
mod synthetic;

use std::path::PathBuf;

/// Regenerates every synthetic file (and the deliberately broken ones) under `testdata/`.
#[test]
#[ignore = "writes into testdata/; run explicitly to regenerate the synthetic images"]
fn make_synthetic_testdata() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    for image in synthetic::all() {
        let path = dir.join(image.file);
        std::fs::write(&path, &image.bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        println!("{} ({} bytes)", image.file, image.bytes.len());
    }
    for broken in synthetic::broken() {
        let path = dir.join(broken.file);
        std::fs::write(&path, &broken.bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        println!("{} ({} bytes, must fail with {})", broken.file, broken.bytes.len(), broken.error);
    }
}
