//! Repeated timing with warm-up and a time budget, summarised as median and spread: the
//! project's one timing rule, whose numbers live in `bench/timing-rule.properties` (read here at
//! compile time) and whose algorithm that file's header spells out.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The rule file, shared with the Python, C, C# and Java benchmarks.
const RULE_FILE: &str = include_str!("../timing-rule.properties");

/// How long to measure one case: one profile of the timing rule.
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

impl Budget {
    /// The profile `profile` (`full` or `quick`) of `bench/timing-rule.properties`.
    ///
    /// # Panics
    /// If the profile or one of its values is missing or malformed: the file is part of the
    /// source, and its test below reads both profiles.
    pub fn from_rule(profile: &str) -> Budget {
        let value = |key: &str| -> f64 {
            let wanted = format!("{profile}.{key}");
            RULE_FILE
                .lines()
                .map(str::trim)
                .filter(|line| !line.starts_with('#') && !line.is_empty())
                .filter_map(|line| line.split_once('='))
                .find(|(name, _)| name.trim() == wanted)
                .and_then(|(_, value)| value.trim().parse().ok())
                .unwrap_or_else(|| panic!("bench/timing-rule.properties: {wanted} is missing or not a number"))
        };
        let count = |key: &str| {
            let number = value(key);
            assert!(
                number >= 0.0 && number.fract() == 0.0,
                "bench/timing-rule.properties: {profile}.{key} is not a count"
            );
            number as usize
        };
        Budget {
            warm_up: count("warm_up"),
            min_iterations: count("min_runs"),
            max_iterations: count("max_runs"),
            time: Duration::from_secs_f64(value("budget_s")),
            fast_run: Duration::from_secs_f64(value("fast_run_s")),
            fast_max_iterations: count("fast_max_runs"),
            slow_run: Duration::from_secs_f64(value("slow_run_s")),
            slow_min_iterations: count("slow_min_runs"),
        }
    }
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
    fn both_profiles_of_the_rule_file_read() {
        let (full, quick) = (Budget::from_rule("full"), Budget::from_rule("quick"));
        for budget in [full, quick] {
            assert!(budget.warm_up >= 1 && budget.min_iterations >= 1, "{budget:?}");
            assert!(budget.min_iterations <= budget.max_iterations, "{budget:?}");
            assert!(budget.fast_run < budget.slow_run, "{budget:?}");
        }
        assert!(quick.time < full.time && quick.max_iterations < full.max_iterations);
    }

    #[test]
    #[should_panic(expected = "nonexistent.warm_up is missing")]
    fn a_missing_profile_is_named() {
        Budget::from_rule("nonexistent");
    }

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
