//! Runs one job per file on N worker threads and reports progress: an indicatif bar on a
//! terminal, plain `ok`/`error` lines otherwise, then a summary line.
//!
//! A failing file (error or even a panic inside the core) is reported and skipped; it never
//! ends the batch.

use std::any::Any;
use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// One file to process: read `input`, write `output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The source image.
    pub input: PathBuf,
    /// Where the result goes.
    pub output: PathBuf,
}

/// What a successful job reports: the size of the written image.
pub type Done = (u32, u32);

/// How the batch reports.
#[derive(Clone, Copy, Debug)]
pub struct Reporting {
    /// Leave out the per-file `ok` lines and the progress bar (errors and the summary stay).
    pub quiet: bool,
}

/// Counts of a finished batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Files written.
    pub succeeded: usize,
    /// Files (or arguments) that failed.
    pub failed: usize,
}

/// Writes a line to stdout; a closed pipe (`pixbridge ... | head`) is not an error worth a panic.
pub fn out_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// Writes a line to stderr, ignoring failures (see [`out_line`]).
pub fn err_line(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// The `error <file>: <message>` line.
pub fn error_line(path: &Path, message: &str) -> String {
    format!("error {}: {message}", path.display())
}

thread_local! {
    /// Set while a worker runs a job, so that the panic hook stays quiet there (the panic is
    /// caught and reported as the file's error) and behaves as usual everywhere else.
    static IN_JOB: Cell<bool> = const { Cell::new(false) };
}

fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_JOB.with(Cell::get) {
                default(info);
            }
        }));
    });
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    format!("internal error (please report it): {text}")
}

/// Runs `work` on every job with `workers` threads. `early_failures` (arguments that could not
/// be used) are reported first and counted as failed. Returns the counts after printing the
/// summary line.
pub fn run<F>(
    jobs: &[Job],
    early_failures: &[(PathBuf, String)],
    workers: usize,
    reporting: Reporting,
    work: F,
) -> Summary
where
    F: Fn(&Job) -> Result<Done, String> + Sync,
{
    let start = Instant::now();
    for (path, message) in early_failures {
        err_line(&error_line(path, message));
    }
    let bar =
        (!reporting.quiet && std::io::stderr().is_terminal() && !jobs.is_empty()).then(|| progress_bar(jobs.len()));
    install_quiet_panic_hook();

    let next = AtomicUsize::new(0);
    let succeeded = AtomicUsize::new(0);
    let failed = AtomicUsize::new(early_failures.len());
    // Serialises output lines so that they are never interleaved.
    let print_lock = Mutex::new(());
    let workers = workers.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    let started = Instant::now();
                    IN_JOB.with(|flag| flag.set(true));
                    let result = panic::catch_unwind(AssertUnwindSafe(|| work(job)))
                        .unwrap_or_else(|payload| Err(panic_message(payload.as_ref())));
                    IN_JOB.with(|flag| flag.set(false));
                    let elapsed = started.elapsed();
                    let _guard = print_lock.lock().unwrap_or_else(|e| e.into_inner());
                    match result {
                        Ok((width, height)) => {
                            succeeded.fetch_add(1, Ordering::Relaxed);
                            if bar.is_none() && !reporting.quiet {
                                out_line(&format!(
                                    "ok {} -> {} ({width} x {height}, {} ms)",
                                    job.input.display(),
                                    job.output.display(),
                                    elapsed.as_millis()
                                ));
                            }
                        }
                        Err(message) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                            let line = error_line(&job.input, &message);
                            match &bar {
                                Some(bar) => bar.suspend(|| err_line(&line)),
                                None => err_line(&line),
                            }
                        }
                    }
                    if let Some(bar) = &bar {
                        bar.inc(1);
                    }
                }
            });
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = Summary { succeeded: succeeded.into_inner(), failed: failed.into_inner() };
    out_line(&summary_line(summary, start.elapsed()));
    summary
}

/// `N converted, M failed in T s (X files/s)`.
pub fn summary_line(summary: Summary, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { summary.succeeded as f64 / seconds } else { 0.0 };
    format!("{} converted, {} failed in {seconds:.2} s ({rate:.1} files/s)", summary.succeeded, summary.failed)
}

fn progress_bar(len: usize) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{spinner:.green} [{elapsed_precise}] {wide_bar:.cyan/blue} {pos}/{len} files, {rate}, ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{:.1} files/s", state.per_sec());
    })
    .progress_chars("=> ");
    let bar = ProgressBar::new(len as u64);
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_wording() {
        let line = summary_line(Summary { succeeded: 3, failed: 1 }, Duration::from_millis(1500));
        assert_eq!(line, "3 converted, 1 failed in 1.50 s (2.0 files/s)");
    }

    #[test]
    fn failures_and_panics_are_counted_not_fatal() {
        let jobs: Vec<Job> = (0..6)
            .map(|i| Job { input: PathBuf::from(format!("in{i}")), output: PathBuf::from(format!("out{i}")) })
            .collect();
        let early = vec![(PathBuf::from("missing"), "no such file or folder".to_owned())];
        let summary = run(&jobs, &early, 3, Reporting { quiet: true }, |job| match job.input.to_str() {
            Some("in1") => Err("bad".to_owned()),
            Some("in2") => panic!("boom"),
            _ => Ok((1, 1)),
        });
        assert_eq!(summary, Summary { succeeded: 4, failed: 3 });
    }
}
