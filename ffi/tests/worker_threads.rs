//! The worker thread setting (`pixbridge_set_worker_threads`, `pixbridge_worker_threads`,
//! `PIXBRIDGE_WORKER_THREADS`) through the C exports. The pool is per process and its size is
//! fixed at its start, so each scenario runs in a fresh process: the test below re-executes this
//! test binary with one ignored `scenario_*` test selected and the environment it needs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr;

use pixbridge::*;

#[path = "common/abi.rs"]
mod common_abi;

use common_abi::{check, last_message};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata").join(name)
}

fn worker_threads() -> u32 {
    let mut threads = 0;
    // SAFETY: a valid out-parameter.
    assert_eq!(unsafe { pixbridge_worker_threads(&mut threads) }, ErrorCode::Ok);
    threads
}

fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// Opens a photograph and blurs it (parallel work): the pool runs after this.
fn work_on_an_image() {
    let image = common_abi::open(&testdata("rocket.jpg")).expect("rocket.jpg opens");
    let mut blurred = 0;
    // SAFETY: a live handle and a valid out-parameter.
    check(unsafe { pixbridge_image_blur(image, 2.0, &mut blurred) }).expect("blur");
    assert_eq!(common_abi::destroy(blurred), ErrorCode::Ok);
    assert_eq!(common_abi::destroy(image), ErrorCode::Ok);
}

/// Runs the ignored test `name` of this binary in a child process with `environment`.
fn in_a_fresh_process(name: &str, environment: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command.args(["--ignored", "--exact", name, "--test-threads=1", "--nocapture"]);
    command.env_remove("PIXBRIDGE_WORKER_THREADS").env_remove("RAYON_NUM_THREADS");
    for (key, value) in environment {
        command.env(key, value);
    }
    let output = command.output().expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "scenario {name} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn each_scenario_in_a_fresh_process() {
    in_a_fresh_process("scenario_set_before_the_first_work", &[]);
    in_a_fresh_process("scenario_environment", &[("PIXBRIDGE_WORKER_THREADS", "3")]);
    in_a_fresh_process("scenario_the_call_wins_over_the_environment", &[("PIXBRIDGE_WORKER_THREADS", "3")]);
    in_a_fresh_process("scenario_zero_is_one_per_core", &[("PIXBRIDGE_WORKER_THREADS", "not a number")]);
    in_a_fresh_process("scenario_out_of_range", &[]);
}

#[test]
#[ignore = "run in a fresh process by each_scenario_in_a_fresh_process"]
fn scenario_set_before_the_first_work() {
    // Diagnostics and the setting itself do not start the pool.
    let (mut images, mut buffers) = (0, 0);
    // SAFETY: valid out-parameters.
    assert_eq!(unsafe { pixbridge_live_handles(&mut images, &mut buffers) }, ErrorCode::Ok);
    assert_eq!(pixbridge_set_worker_threads(5), ErrorCode::Ok);
    assert_eq!(worker_threads(), 5);
    // Before the start the last setting wins.
    assert_eq!(pixbridge_set_worker_threads(3), ErrorCode::Ok);
    assert_eq!(worker_threads(), 3);

    work_on_an_image();
    assert_eq!(worker_threads(), 3);
    assert_eq!(rayon_threads(), 3, "rayon's global pool runs 3 threads");

    // The same count is accepted; another is refused with the pool's count in the message.
    assert_eq!(pixbridge_set_worker_threads(3), ErrorCode::Ok);
    assert_eq!(pixbridge_set_worker_threads(4), ErrorCode::InvalidArgument);
    let message = last_message();
    assert!(message.contains("already runs with 3 threads"), "{message}");
    assert!(message.contains("PIXBRIDGE_WORKER_THREADS"), "{message}");
    assert_eq!(worker_threads(), 3, "a refused setting changes nothing");
    if cores() != 3 {
        assert_eq!(pixbridge_set_worker_threads(0), ErrorCode::InvalidArgument, "0 means one per core");
    }
    work_on_an_image();
}

/// The size of rayon's global pool (the one the blur runs on): `current_num_threads` asked from
/// outside any pool.
fn rayon_threads() -> u32 {
    rayon::current_num_threads() as u32
}

#[test]
#[ignore = "run in a fresh process by each_scenario_in_a_fresh_process"]
fn scenario_environment() {
    assert_eq!(worker_threads(), 3, "read from PIXBRIDGE_WORKER_THREADS before the start");
    work_on_an_image();
    assert_eq!(worker_threads(), 3);
    assert_eq!(rayon_threads(), 3);
    assert_eq!(pixbridge_set_worker_threads(3), ErrorCode::Ok);
    assert_eq!(pixbridge_set_worker_threads(2), ErrorCode::InvalidArgument);
    assert!(last_message().contains("already runs with 3 threads"), "{}", last_message());
}

#[test]
#[ignore = "run in a fresh process by each_scenario_in_a_fresh_process"]
fn scenario_the_call_wins_over_the_environment() {
    assert_eq!(pixbridge_set_worker_threads(1), ErrorCode::Ok);
    assert_eq!(worker_threads(), 1);
    work_on_an_image();
    assert_eq!(rayon_threads(), 1);
    assert_eq!(pixbridge_set_worker_threads(3), ErrorCode::InvalidArgument);
    assert!(last_message().contains("already runs with 1 thread:"), "{}", last_message());
}

#[test]
#[ignore = "run in a fresh process by each_scenario_in_a_fresh_process"]
fn scenario_zero_is_one_per_core() {
    // An unreadable PIXBRIDGE_WORKER_THREADS is ignored: one per core.
    assert_eq!(worker_threads(), cores());
    assert_eq!(pixbridge_set_worker_threads(0), ErrorCode::Ok);
    work_on_an_image();
    assert_eq!(worker_threads(), cores());
    assert_eq!(rayon_threads(), cores());
    assert_eq!(pixbridge_set_worker_threads(0), ErrorCode::Ok);
    assert_eq!(pixbridge_set_worker_threads(cores()), ErrorCode::Ok, "the same count, spelled out");
    assert_eq!(pixbridge_set_worker_threads(cores() + 1), ErrorCode::InvalidArgument);
}

#[test]
#[ignore = "run in a fresh process by each_scenario_in_a_fresh_process"]
fn scenario_out_of_range() {
    assert_eq!(pixbridge_set_worker_threads(1025), ErrorCode::InvalidArgument);
    assert!(last_message().contains("at most 1024"), "{}", last_message());
    assert_eq!(worker_threads(), cores(), "a refused setting changes nothing");
    assert_eq!(pixbridge_set_worker_threads(1024), ErrorCode::Ok);
    assert_eq!(worker_threads(), 1024);
    assert_eq!(pixbridge_set_worker_threads(2), ErrorCode::Ok);
    // SAFETY: a null out-parameter is reported, not written.
    assert_eq!(unsafe { pixbridge_worker_threads(ptr::null_mut()) }, ErrorCode::NullArgument);
    work_on_an_image();
    assert_eq!(worker_threads(), 2);
}
