using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;

namespace Pixbridge.Benchmarks;

/// <summary>
/// One profile (<c>full</c> or <c>quick</c>) of the project's timing rule,
/// <c>bench/timing-rule.properties</c>: how every benchmark that times a case a run at a time
/// samples it. The file's header is the specification; <see cref="Measure{T}"/> implements it:
/// <list type="number">
/// <item>One untimed warm-up run; call its time W.</item>
/// <item>If W &gt; <see cref="SlowRunSeconds"/>, the case is slow: no more warm-ups, and the
/// minimum becomes min(<see cref="MinRuns"/>, <see cref="SlowMinRuns"/>). Otherwise the other
/// <see cref="WarmUp"/> - 1 untimed runs follow, and if W &lt; <see cref="FastRunSeconds"/> the
/// maximum becomes max(<see cref="MaxRuns"/>, <see cref="FastMaxRuns"/>).</item>
/// <item>Timed runs until the minimum is reached, then on until the maximum or until the timed
/// runs have taken <see cref="BudgetSeconds"/> in all, whichever comes first.</item>
/// </list>
/// The parameters are in the file's order, which is also the order of the colon argument
/// (<see cref="Parse"/>, <see cref="ToArgument"/>).
/// </summary>
/// <param name="WarmUp">Untimed runs of a case that is not slow (<c>warm_up</c>, at least 1).</param>
/// <param name="MinRuns">Timed runs always taken (<c>min_runs</c>, at least 1).</param>
/// <param name="MaxRuns">Timed runs never exceeded (<c>max_runs</c>), unless the case is fast.</param>
/// <param name="BudgetSeconds">Time of all the timed runs after which no run beyond the minimum starts (<c>budget_s</c>).</param>
/// <param name="FastRunSeconds">A first warm-up shorter than this makes the case fast (<c>fast_run_s</c>).</param>
/// <param name="FastMaxRuns">The maximum of a fast case, if larger than <paramref name="MaxRuns"/> (<c>fast_max_runs</c>).</param>
/// <param name="SlowRunSeconds">A first warm-up longer than this makes the case slow (<c>slow_run_s</c>).</param>
/// <param name="SlowMinRuns">The minimum of a slow case, if smaller than <paramref name="MinRuns"/> (<c>slow_min_runs</c>, at least 1).</param>
public sealed record TimingRule(
    int WarmUp,
    int MinRuns,
    int MaxRuns,
    double BudgetSeconds,
    double FastRunSeconds,
    int FastMaxRuns,
    double SlowRunSeconds,
    int SlowMinRuns)
{
    /// <summary>The rule file's path inside the repository.</summary>
    public const string RelativePath = "bench/timing-rule.properties";

    /// <summary>The keys of one profile, without the <c>PROFILE.</c> prefix, in file order.</summary>
    private static readonly string[] Keys =
    {
        "warm_up", "min_runs", "max_runs", "budget_s", "fast_run_s", "fast_max_runs", "slow_run_s", "slow_min_runs",
    };

    /// <summary>Reads the profile <paramref name="profile"/> (e.g. <c>full</c>, <c>quick</c>) of a rule file.</summary>
    /// <param name="propertiesPath">The rule file, normally <c>bench/timing-rule.properties</c>.</param>
    /// <param name="profile">The profile: its keys are <c>PROFILE.warm_up</c> and so on.</param>
    /// <returns>The profile's values.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A key of the profile is missing or not a valid value (the message names the file and the key), or a line is not <c>key = value</c>.</exception>
    public static TimingRule Read(string propertiesPath, string profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var properties = ReadProperties(propertiesPath);
        var values = new string[Keys.Length];
        var names = new string[Keys.Length];
        for (var i = 0; i < Keys.Length; i++)
        {
            names[i] = $"{profile}.{Keys[i]}";
            if (!properties.TryGetValue(names[i], out var value))
            {
                throw new InvalidDataException($"{propertiesPath}: {names[i]} is missing (is '{profile}' a profile of the timing rule?)");
            }
            values[i] = value;
        }
        return FromValues(values, names, propertiesPath);
    }

    /// <summary>
    /// Parses the colon argument: the eight values of one profile in file order, e.g.
    /// <c>2:5:21:3:0.02:41:1:2</c> (what <c>bench/scripts/timing_rule.py PROFILE</c> prints).
    /// </summary>
    /// <param name="colonArgument">warm_up:min_runs:max_runs:budget_s:fast_run_s:fast_max_runs:slow_run_s:slow_min_runs.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="FormatException">Not eight values, or a value not valid for its key (the message names it).</exception>
    public static TimingRule Parse(string colonArgument)
    {
        ArgumentNullException.ThrowIfNull(colonArgument);
        var values = colonArgument.Split(':');
        if (values.Length != Keys.Length)
        {
            throw new FormatException(
                $"timing rule '{colonArgument}': expected {Keys.Length} values separated by colons ({string.Join(':', Keys)}), got {values.Length}");
        }
        try
        {
            return FromValues(values, Keys, $"timing rule '{colonArgument}'");
        }
        catch (InvalidDataException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>Parses the colon argument without throwing.</summary>
    /// <param name="colonArgument">As for <see cref="Parse"/>.</param>
    /// <param name="rule">The rule, or null.</param>
    /// <param name="error">Why it is not valid, or null.</param>
    /// <returns>Whether the argument is a valid rule.</returns>
    public static bool TryParse(string? colonArgument, [NotNullWhen(true)] out TimingRule? rule, [NotNullWhen(false)] out string? error)
    {
        (rule, error) = (null, null);
        if (colonArgument is null)
        {
            error = "no timing rule given";
            return false;
        }
        try
        {
            rule = Parse(colonArgument);
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>One value of a rule file (e.g. <c>pair.rounds</c>), or null when the key is absent.</summary>
    /// <param name="propertiesPath">The rule file.</param>
    /// <param name="key">The whole key.</param>
    /// <returns>The value, trimmed, or null.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is not <c>key = value</c>.</exception>
    public static string? ReadValue(string propertiesPath, string key) =>
        ReadProperties(propertiesPath).TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// The <c>key = value</c> lines of a Java-style properties file, keys and values trimmed;
    /// blank lines and lines starting with <c>#</c> or <c>!</c> are skipped; a later line wins
    /// over an earlier one with the same key. No continuation lines or escapes (the rule file
    /// uses none).
    /// </summary>
    /// <param name="propertiesPath">The file.</param>
    /// <returns>The values by key.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is not <c>key = value</c> (the message gives the file and line).</exception>
    public static IReadOnlyDictionary<string, string> ReadProperties(string propertiesPath)
    {
        ArgumentNullException.ThrowIfNull(propertiesPath);
        if (!File.Exists(propertiesPath))
        {
            throw new FileNotFoundException($"timing rule file not found: {propertiesPath}", propertiesPath);
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(propertiesPath))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line[0] == '!')
            {
                continue;
            }
            var separator = line.IndexOf('=');
            if (separator <= 0)
            {
                throw new InvalidDataException($"{propertiesPath}:{number}: expected `key = value`, got '{line}'");
            }
            values[line[..separator].Trim()] = line[(separator + 1)..].Trim();
        }
        return values;
    }

    /// <summary>
    /// Finds <c>bench/timing-rule.properties</c> in the nearest ancestor (or itself) of each
    /// start folder that has one, trying the folders in order.
    /// </summary>
    /// <param name="startFolders">Where to start, e.g. <see cref="AppContext.BaseDirectory"/> and the current directory.</param>
    /// <returns>The file's full path, or null when no ancestor of any start folder has it.</returns>
    public static string? FindFile(params string[] startFolders)
    {
        ArgumentNullException.ThrowIfNull(startFolders);
        foreach (var start in startFolders)
        {
            if (string.IsNullOrEmpty(start))
            {
                continue;
            }
            for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, RelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>The colon argument of this rule (the inverse of <see cref="Parse"/>).</summary>
    /// <returns>E.g. <c>2:5:21:3:0.02:41:1:2</c>.</returns>
    public string ToArgument() => string.Join(':',
        Format(WarmUp), Format(MinRuns), Format(MaxRuns), Format(BudgetSeconds),
        Format(FastRunSeconds), Format(FastMaxRuns), Format(SlowRunSeconds), Format(SlowMinRuns));

    /// <summary>
    /// Samples a case by the rule: the warm-ups, then the timed runs. Each call of
    /// <paramref name="run"/> does one run (one pair, for a paired comparison) and returns its
    /// result; <paramref name="milliseconds"/> gives the wall time of a result, which decides
    /// whether the case is fast or slow and counts against the budget. So the caller can keep more
    /// than the time of a run (e.g. its CPU time) and exclude set-up from the time.
    /// </summary>
    /// <typeparam name="T">What one run returns.</typeparam>
    /// <param name="run">Does one run.</param>
    /// <param name="milliseconds">The wall time of a run's result, in ms.</param>
    /// <returns>The results of the timed runs, in order, and how many untimed runs came first.</returns>
    public Measurement<T> Measure<T>(Func<T> run, Func<T, double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(milliseconds);
        Validate(this, "timing rule");

        // 1. One untimed warm-up run.
        var first = milliseconds(run());
        var warmUps = 1;
        int minRuns = MinRuns, maxRuns = MaxRuns;
        if (first > SlowRunSeconds * 1e3)
        {
            // 2. Slow: no more warm-ups, and fewer forced runs.
            minRuns = Math.Min(MinRuns, SlowMinRuns);
        }
        else
        {
            for (; warmUps < WarmUp; warmUps++)
            {
                run();
            }
            if (first < FastRunSeconds * 1e3)
            {
                maxRuns = Math.Max(MaxRuns, FastMaxRuns);
            }
        }

        // 3. The minimum, then on until the maximum or the budget, whichever comes first.
        var budget = BudgetSeconds * 1e3;
        var results = new List<T>(Math.Max(minRuns, 1));
        double spent = 0;
        while (results.Count < minRuns || (results.Count < maxRuns && spent < budget))
        {
            var result = run();
            spent += milliseconds(result);
            results.Add(result);
        }
        return new Measurement<T>(results, warmUps);
    }

    /// <summary>
    /// Samples a case by the rule (see <see cref="Measure{T}(Func{T}, Func{T, double})"/>); each
    /// call of <paramref name="runMilliseconds"/> does one run and returns its wall time in ms.
    /// </summary>
    /// <param name="runMilliseconds">Does one run and returns how long it took, in ms.</param>
    /// <returns>The timed runs' times in ms, and how many untimed runs came first.</returns>
    public Measurement<double> Measure(Func<double> runMilliseconds) => Measure(runMilliseconds, static ms => ms);

    private static TimingRule FromValues(string[] values, string[] names, string source)
    {
        var rule = new TimingRule(
            ParseInt(values[0], names[0], source),
            ParseInt(values[1], names[1], source),
            ParseInt(values[2], names[2], source),
            ParseSeconds(values[3], names[3], source),
            ParseSeconds(values[4], names[4], source),
            ParseInt(values[5], names[5], source),
            ParseSeconds(values[6], names[6], source),
            ParseInt(values[7], names[7], source));
        Validate(rule, source);
        return rule;
    }

    private static void Validate(TimingRule rule, string source)
    {
        // Step 1 always runs one warm-up, and every case needs at least one timed run.
        Require(rule.WarmUp >= 1, source, Keys[0], rule.WarmUp, "at least 1");
        Require(rule.MinRuns >= 1, source, Keys[1], rule.MinRuns, "at least 1");
        Require(rule.MaxRuns >= 1, source, Keys[2], rule.MaxRuns, "at least 1");
        Require(rule.BudgetSeconds >= 0 && double.IsFinite(rule.BudgetSeconds), source, Keys[3], rule.BudgetSeconds, "a finite number >= 0");
        Require(rule.FastRunSeconds >= 0 && double.IsFinite(rule.FastRunSeconds), source, Keys[4], rule.FastRunSeconds, "a finite number >= 0");
        Require(rule.FastMaxRuns >= 0, source, Keys[5], rule.FastMaxRuns, ">= 0");
        Require(rule.SlowRunSeconds >= 0 && double.IsFinite(rule.SlowRunSeconds), source, Keys[6], rule.SlowRunSeconds, "a finite number >= 0");
        Require(rule.SlowMinRuns >= 1, source, Keys[7], rule.SlowMinRuns, "at least 1");
    }

    private static void Require(bool ok, string source, string key, double value, string expected)
    {
        if (!ok)
        {
            throw new InvalidDataException($"{source}: {key} = {Format(value)} must be {expected}");
        }
    }

    private static int ParseInt(string value, string key, string source) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new InvalidDataException($"{source}: {key} = '{value}' is not an integer");

    private static double ParseSeconds(string value, string key, string source) =>
        double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new InvalidDataException($"{source}: {key} = '{value}' is not a number");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="TimingRule.Measure{T}(Func{T}, Func{T, double})"/> sampled.</summary>
/// <typeparam name="T">What one run returns (for the plain overload, its time in ms).</typeparam>
/// <param name="Results">The results of the timed runs, in order (at least one).</param>
/// <param name="WarmUps">How many untimed runs came before them.</param>
public sealed record Measurement<T>(IReadOnlyList<T> Results, int WarmUps)
{
    /// <summary>The number of timed runs.</summary>
    public int Runs => Results.Count;
}
