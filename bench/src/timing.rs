//! Repeated timing with warm-up and a time budget, summarised as median and spread.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long to measure one case.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Untimed runs first (caches, page faults of the allocator's first big blocks, thread start).
    pub warm_up: usize,
    /// Timed runs always made, whatever they cost.
    pub min_iterations: usize,
    /// Timed runs never exceeded.
    pub max_iterations: usize,
    /// After `min_iterations`, stop once the timed runs have taken this long.
    pub time: Duration,
    /// A case whose first warm-up run is faster than this may take up to
    /// `fast_max_iterations` timed runs (within `time`): short cases are the most exposed to
    /// noise from other work on the machine, and extra runs of them cost little.
    pub fast_run: Duration,
    /// Timed runs never exceeded by a fast case.
    pub fast_max_iterations: usize,
    /// A case whose first warm-up run is slower than this skips the other warm-ups and takes at
    /// most `slow_min_iterations` forced runs (a run that long is its own warm-up; more runs would
    /// only lengthen `make bench`).
    pub slow_run: Duration,
    /// Forced timed runs of a slow case.
    pub slow_min_iterations: usize,
}

/// Timings of one case in milliseconds.
#[derive(Clone, Debug)]
pub struct Stats {
    /// Number of timed runs.
    pub iterations: usize,
    /// Fastest run.
    pub min: f64,
    /// First quartile.
    pub p25: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub p75: f64,
    /// Slowest run.
    pub max: f64,
}

impl Stats {
    /// Summary of `samples` (milliseconds; at least one).
    pub fn from_samples(mut samples: Vec<f64>) -> Stats {
        samples.sort_by(f64::total_cmp);
        let quantile = |q: f64| {
            // Linear interpolation between the closest ranks.
            let pos = q * (samples.len() - 1) as f64;
            let (low, high) = (pos.floor() as usize, pos.ceil() as usize);
            samples[low] + (samples[high] - samples[low]) * (pos - low as f64)
        };
        Stats {
            iterations: samples.len(),
            min: samples[0],
            p25: quantile(0.25),
            median: quantile(0.5),
            p75: quantile(0.75),
            max: samples[samples.len() - 1],
        }
    }
}

/// Times `run` under `budget`. Each result goes through `black_box` and is dropped outside the
/// timed region.
pub fn measure<T>(budget: Budget, mut run: impl FnMut() -> T) -> Stats {
    let (mut min_iterations, mut max_iterations) = (budget.min_iterations, budget.max_iterations);
    for warm_up in 0..budget.warm_up {
        let start = Instant::now();
        black_box(run());
        let elapsed = start.elapsed();
        if warm_up == 0 && elapsed < budget.fast_run {
            max_iterations = max_iterations.max(budget.fast_max_iterations);
        }
        if warm_up == 0 && elapsed > budget.slow_run {
            min_iterations = min_iterations.min(budget.slow_min_iterations);
            break;
        }
    }
    let mut samples = Vec::new();
    let started = Instant::now();
    while samples.len() < min_iterations.max(1) || (samples.len() < max_iterations && started.elapsed() < budget.time) {
        let start = Instant::now();
        let result = black_box(run());
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        drop(result);
    }
    Stats::from_samples(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_between_ranks() {
        let stats = Stats::from_samples(vec![4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!((stats.min, stats.p25, stats.median, stats.p75, stats.max), (1.0, 2.0, 3.0, 4.0, 5.0));
        let even = Stats::from_samples(vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!((even.p25, even.median, even.p75), (1.75, 2.5, 3.25));
    }

    /// A budget whose fast and slow rules never apply.
    fn plain(warm_up: usize, min_iterations: usize, max_iterations: usize, time: Duration) -> Budget {
        Budget {
            warm_up,
            min_iterations,
            max_iterations,
            time,
            fast_run: Duration::ZERO,
            fast_max_iterations: 0,
            slow_run: Duration::MAX,
            slow_min_iterations: 0,
        }
    }

    #[test]
    fn budget_bounds_the_iterations() {
        let budget = plain(2, 3, 5, Duration::from_secs(60));
        let mut calls = 0;
        let stats = measure(budget, || calls += 1);
        assert_eq!((stats.iterations, calls), (5, 7));
        let zero_time = Budget { time: Duration::ZERO, ..budget };
        assert_eq!(measure(zero_time, || ()).iterations, 3);
    }

    #[test]
    fn fast_cases_take_more_runs() {
        let budget = Budget {
            fast_run: Duration::from_secs(60),
            fast_max_iterations: 9,
            ..plain(2, 3, 5, Duration::from_secs(60))
        };
        let mut calls = 0;
        let stats = measure(budget, || calls += 1);
        assert_eq!((stats.iterations, calls), (9, 11));
    }

    #[test]
    fn slow_cases_skip_warm_ups_and_take_fewer_runs() {
        let sleep = Duration::from_millis(2);
        let budget =
            Budget { slow_run: Duration::from_millis(1), slow_min_iterations: 1, ..plain(3, 4, 6, Duration::ZERO) };
        let mut calls = 0;
        let stats = measure(budget, || {
            calls += 1;
            std::thread::sleep(sleep);
        });
        // One warm-up (the slow one), then the single forced run: the zero time budget stops there.
        assert_eq!((stats.iterations, calls), (1, 2));
        assert!(stats.min >= 2.0, "each timed run sleeps 2 ms, got {} ms", stats.min);
    }
}
