package io.pixbridge.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * One profile of the project's timing rule, {@code bench/timing-rule.properties} (issue 12): how
 * many untimed and timed runs a case gets and for how long. The file's header states the rule;
 * {@link #measure} implements it. Every "a run at a time" timing of the Java benches goes through
 * here, so that the numbers live only in that file.
 *
 * @param warmUp untimed runs of a case that is not slow (the first one is always made)
 * @param minRuns timed runs always made
 * @param maxRuns timed runs never exceeded (unless the case is fast)
 * @param budgetSeconds after {@code minRuns}, stop once the timed runs have taken this long in all
 * @param fastRunSeconds a first warm-up run shorter than this makes the case fast
 * @param fastMaxRuns the run cap of a fast case: {@code max(maxRuns, fastMaxRuns)}
 * @param slowRunSeconds a first warm-up run longer than this makes the case slow
 * @param slowMinRuns the forced runs of a slow case: {@code min(minRuns, slowMinRuns)}
 */
public record TimingRule(int warmUp, int minRuns, int maxRuns, double budgetSeconds, double fastRunSeconds,
        int fastMaxRuns, double slowRunSeconds, int slowMinRuns) {

    /** The profile keys in file order, which is also the order of the colon argument. */
    private static final List<String> KEYS = List.of("warm_up", "min_runs", "max_runs", "budget_s", "fast_run_s",
            "fast_max_runs", "slow_run_s", "slow_min_runs");

    /** Written with every run's result so that the JIT cannot drop the measured work. */
    private static volatile Object sink;

    /**
     * Checks the values, so that a typo in the file fails loudly instead of skewing a figure.
     *
     * @param warmUp untimed runs of a case that is not slow, at least 1
     * @param minRuns timed runs always made, at least 1
     * @param maxRuns timed runs never exceeded (unless the case is fast), at least {@code minRuns}
     * @param budgetSeconds time budget of the timed runs, at least 0
     * @param fastRunSeconds threshold of a fast case, at least 0
     * @param fastMaxRuns the run cap of a fast case, at least 1
     * @param slowRunSeconds threshold of a slow case, at least 0
     * @param slowMinRuns the forced runs of a slow case, at least 1
     * @throws IllegalArgumentException if a value is out of range (times must also be finite)
     */
    public TimingRule {
        String problem = problem(new double[] {warmUp, minRuns, maxRuns, budgetSeconds, fastRunSeconds, fastMaxRuns,
            slowRunSeconds, slowMinRuns}, KEYS.toArray(String[]::new));
        if (problem != null) {
            throw new IllegalArgumentException("timing rule " + describe(warmUp, minRuns, maxRuns, budgetSeconds,
                    fastRunSeconds, fastMaxRuns, slowRunSeconds, slowMinRuns) + ": " + problem);
        }
    }

    /**
     * Reads one profile ({@code full}, {@code quick}, ...) of a timing-rule properties file: the
     * keys {@code PROFILE.warm_up} ... {@code PROFILE.slow_min_runs}.
     *
     * @param propertiesFile the file, normally {@code bench/timing-rule.properties}
     * @param profile the profile name
     * @return the profile's rule
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and the key, if a key is missing or its
     *     value is not a valid number
     */
    public static TimingRule read(Path propertiesFile, String profile) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String[] values = new String[KEYS.size()];
        for (int i = 0; i < values.length; i++) {
            String key = profile + "." + KEYS.get(i);
            values[i] = properties.getProperty(key);
            if (values[i] == null) {
                throw new IllegalArgumentException(propertiesFile + ": key " + key + " is missing");
            }
        }
        try {
            return fromValues(values, KEYS.stream().map(key -> profile + "." + key).toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(propertiesFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses one profile given as a single argument: its eight values in file order, separated
     * by colons ({@code warm_up:min_runs:max_runs:budget_s:fast_run_s:fast_max_runs:slow_run_s:slow_min_runs},
     * e.g. {@code 2:5:21:3:0.02:41:1:2}), as pipelines.py passes it to a runner.
     *
     * @param colonArgument the argument
     * @return the rule
     * @throws IllegalArgumentException if there are not eight values or one is invalid
     */
    public static TimingRule parse(String colonArgument) {
        String[] values = colonArgument.split(":", -1);
        if (values.length != KEYS.size()) {
            throw new IllegalArgumentException("timing rule '" + colonArgument + "': expected " + KEYS.size()
                    + " colon-separated values (" + String.join(":", KEYS) + "), got " + values.length);
        }
        try {
            return fromValues(values, KEYS.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("timing rule '" + colonArgument + "': " + e.getMessage(), e);
        }
    }

    /** The eight values in file order, as {@link #parse} reads them. */
    @Override
    public String toString() {
        return describe(warmUp, minRuns, maxRuns, budgetSeconds, fastRunSeconds, fastMaxRuns, slowRunSeconds, slowMinRuns);
    }

    /**
     * Times {@code run} by the rule: one untimed warm-up run W; if W exceeds {@code slow_run_s}
     * no more warm-ups and at most {@code slow_min_runs} forced runs, otherwise the other
     * {@code warm_up - 1} warm-ups and, if W is under {@code fast_run_s}, up to
     * {@code fast_max_runs} runs; then timed runs until the forced number is reached, and on
     * until the run cap or until the timed runs have taken {@code budget_s} in all. Each result
     * goes to a volatile sink, outside the timed region.
     *
     * <p>A caller that records more per run (CPU time, the two sides of a pair) can keep its own
     * list from inside {@code run}: the first {@link Stats#warmUpRuns()} entries are the warm-ups,
     * the next {@link Stats#runs()} the timed runs, in order.
     *
     * @param run one run of the case; its result is kept away from dead-code elimination
     * @return the timed runs' summary in milliseconds
     */
    public Stats measure(Supplier<?> run) {
        int forced = minRuns;
        int cap = maxRuns;
        double first = timeMillis(run);
        int warmUps = 1;
        if (first > slowRunSeconds * 1e3) {
            // A run this long warmed everything up by itself; more runs would only lengthen the bench.
            forced = Math.min(forced, slowMinRuns);
        } else {
            for (; warmUps < warmUp; warmUps++) {
                timeMillis(run);
            }
            if (first < fastRunSeconds * 1e3) {
                // Short cases are the most exposed to noise from other work, and extra runs cost little.
                cap = Math.max(cap, fastMaxRuns);
            }
        }
        List<Double> samples = new ArrayList<>();
        double spentMillis = 0;
        while (samples.size() < forced || (samples.size() < cap && spentMillis < budgetSeconds * 1e3)) {
            double millis = timeMillis(run);
            samples.add(millis);
            spentMillis += millis;
        }
        return Stats.of(samples.stream().mapToDouble(Double::doubleValue).toArray(), warmUps, first);
    }

    private static double timeMillis(Supplier<?> run) {
        long start = System.nanoTime();
        Object result = run.get();
        double millis = (System.nanoTime() - start) / 1e6;
        sink = result;
        return millis;
    }

    /** Parses and checks the eight values; errors name the value by {@code names[i]}. */
    private static TimingRule fromValues(String[] values, String[] names) {
        double[] numbers = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            String text = values[i].trim();
            boolean isSeconds = KEYS.get(i).endsWith("_s");
            try {
                numbers[i] = isSeconds ? Double.parseDouble(text) : Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(names[i] + " = '" + text + "' is not "
                        + (isSeconds ? "a number of seconds" : "a whole number"), e);
            }
        }
        String problem = problem(numbers, names);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new TimingRule((int) numbers[0], (int) numbers[1], (int) numbers[2], numbers[3], numbers[4],
                (int) numbers[5], numbers[6], (int) numbers[7]);
    }

    /**
     * What is wrong with the eight values (counts at least 1, {@code max_runs >= min_runs}, times
     * finite and not negative), naming the value by {@code names[i]}; null if nothing.
     */
    private static String problem(double[] values, String[] names) {
        for (int i = 0; i < values.length; i++) {
            boolean isSeconds = KEYS.get(i).endsWith("_s");
            if (isSeconds && !(values[i] >= 0 && values[i] < Double.POSITIVE_INFINITY)) {
                return names[i] + " must be a finite number of seconds, at least 0, got " + values[i];
            }
            if (!isSeconds && values[i] < 1) {
                return names[i] + " must be at least 1, got " + (long) values[i];
            }
        }
        if (values[2] < values[1]) {
            return names[2] + " (" + (long) values[2] + ") must be at least " + names[1] + " (" + (long) values[1] + ")";
        }
        return null;
    }

    private static String describe(int warmUp, int minRuns, int maxRuns, double budgetSeconds, double fastRunSeconds,
            int fastMaxRuns, double slowRunSeconds, int slowMinRuns) {
        return warmUp + ":" + minRuns + ":" + maxRuns + ":" + number(budgetSeconds) + ":" + number(fastRunSeconds) + ":"
                + fastMaxRuns + ":" + number(slowRunSeconds) + ":" + slowMinRuns;
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%s", value);
    }

    /**
     * The summary of one case's timed runs, in milliseconds (or whatever unit the samples had).
     *
     * @param runs number of timed runs
     * @param warmUpRuns number of untimed runs before them
     * @param firstMs the first warm-up run (W of the rule); NaN when there was none
     * @param median median
     * @param p25 first quartile
     * @param p75 third quartile
     * @param min fastest run
     * @param max slowest run
     */
    public record Stats(int runs, int warmUpRuns, double firstMs, double median, double p25, double p75, double min,
            double max) {

        /**
         * Summarises samples: quantiles interpolated linearly between the closest ranks.
         *
         * @param samples at least one value, in any order (not changed)
         * @param warmUpRuns the untimed runs that came first, for the record
         * @param firstMs the first warm-up run's time, or NaN
         * @return the summary
         * @throws IllegalArgumentException if {@code samples} is empty
         */
        public static Stats of(double[] samples, int warmUpRuns, double firstMs) {
            if (samples.length == 0) {
                throw new IllegalArgumentException("no samples");
            }
            double[] sorted = samples.clone();
            Arrays.sort(sorted);
            return new Stats(sorted.length, warmUpRuns, firstMs, quantile(sorted, 0.5), quantile(sorted, 0.25),
                    quantile(sorted, 0.75), sorted[0], sorted[sorted.length - 1]);
        }

        /**
         * Summarises samples that had no warm-up of this rule (e.g. nanosecond batches).
         *
         * @param samples at least one value, in any order (not changed)
         * @return the summary
         */
        public static Stats of(double[] samples) {
            return of(samples, 0, Double.NaN);
        }

        /**
         * The quantile {@code q} of sorted values, interpolated linearly between the closest ranks.
         *
         * @param sorted values in ascending order, at least one
         * @param q 0 to 1
         * @return the quantile
         */
        public static double quantile(double[] sorted, double q) {
            double position = q * (sorted.length - 1);
            int low = (int) Math.floor(position);
            int high = (int) Math.ceil(position);
            return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
        }
    }
}
