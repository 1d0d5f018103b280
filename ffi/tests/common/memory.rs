//! Memory figures of the test process from `/proc/self/status` (Linux), for the suites that
//! print or bound what a case costs.

/// A `/proc/self/status` field given in kB (e.g. `"VmRSS"`, `"VmHWM"`), in KiB; 0 where the
/// file or field is missing.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
