//! Link settings of the C library that Cargo.toml cannot express: on Linux, `libpixbridge.so`
//! gets the SONAME `libpixbridge.so.<ABI_REVISION>`, so that programs linked with
//! `-lpixbridge` record the ABI they were built against (`ci/install.sh` installs the file as
//! `libpixbridge.so.<ABI_REVISION>.<OPERATION_COUNT>.<patch>` with the two usual symlinks).
//!
//! The numbers come from `PIXBRIDGE_ABI_VERSION` (`ABI_REVISION * 1000 + OPERATION_COUNT`) in
//! the generated `include/pixbridge.h`, the header C callers compile against (`make test` checks
//! that it is up to date). `ABI_REVISION` changes for any change to a hand-written export or to
//! the meaning of a function, which can break a program built earlier: that is the SONAME's
//! major number. Appending an operation only adds exports (an older program keeps working), so
//! the operation count is the minor number of the file name, not part of the SONAME.
//!
//! A program linked in the build tree asks for the SONAME at run time, which cargo does not
//! create: `tests/generated.rs` links its test programs through a symlink of that name.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=include/pixbridge.h");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let header = std::fs::read_to_string("include/pixbridge.h").expect("reading include/pixbridge.h");
    let abi_version: u32 = header
        .lines()
        .find_map(|line| line.strip_prefix("#define PIXBRIDGE_ABI_VERSION "))
        .and_then(|value| value.trim().parse().ok())
        .expect("include/pixbridge.h defines PIXBRIDGE_ABI_VERSION as a number");
    let soname = format!("libpixbridge.so.{}", abi_version / 1000);
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
}
