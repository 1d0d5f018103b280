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
    for _ in 0..budget.warm_up {
        black_box(run());
    }
    let mut samples = Vec::new();
    let started = Instant::now();
    while samples.len() < budget.min_iterations
        || (samples.len() < budget.max_iterations && started.elapsed() < budget.time)
    {
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

    #[test]
    fn budget_bounds_the_iterations() {
        let budget = Budget { warm_up: 2, min_iterations: 3, max_iterations: 5, time: Duration::from_secs(60) };
        let mut calls = 0;
        let stats = measure(budget, || calls += 1);
        assert_eq!((stats.iterations, calls), (5, 7));
        let zero_time = Budget { time: Duration::ZERO, ..budget };
        assert_eq!(measure(zero_time, || ()).iterations, 3);
    }
}
