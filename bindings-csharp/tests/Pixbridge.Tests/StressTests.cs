using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace Pixbridge.Tests;

/// <summary>
/// Stress run: 4 x cores threads mix good pipelines and bad inputs for a bounded time; every
/// result matches the single-threaded one, every bad input gives its pinned error code, and the
/// native live-handle counters return to their baseline. RSS at start and end is printed.
/// </summary>
/// <remarks>Serial because it reads the process-wide live-handle counters.</remarks>
[Collection(nameof(SerialCollection))]
public sealed class StressTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(8);

    private static readonly string[] GoodInputs = { "gradient-64x48.png", "chelsea.png", "coffee.png", "rocket.jpg", "palette-23x16.png" };

    private readonly ITestOutputHelper _output;

    public StressTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>Decode, blur, mirror, encode as PNG, decode that PNG again; the hash of its pixels.</summary>
    private static string Pipeline(byte[] encoded)
    {
        using var image = Image.Load(encoded);
        using var blurred = image.Blur(2f);
        blurred.Mirror();
        var png = blurred.Encode(ImageFormat.Png);
        using var decoded = Image.Load(png);
        return TestData.PixelSha256(decoded);
    }

    /// <summary>The manifest's decode cases that must fail, with their expected code.</summary>
    private static List<(string Name, byte[] Bytes, ErrorCode Code)> BadInputs()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(TestData.PathOf("bad/manifest.json")));
        var cases = new List<(string, byte[], ErrorCode)>();
        foreach (var testCase in manifest.RootElement.GetProperty("cases").EnumerateArray())
        {
            // Argument errors are reported by .NET itself (ArgumentException), not by the native side.
            if (testCase.GetProperty("call").GetString() != "decode"
                || testCase.TryGetProperty("argument_error", out var argumentError) && argumentError.GetBoolean()
                || !testCase.GetProperty("expect").TryGetProperty("error", out var error))
            {
                continue;
            }
            var input = testCase.GetProperty("input").GetString()!;
            cases.Add((input, File.ReadAllBytes(TestData.PathOf(input)), Enum.Parse<ErrorCode>(error.GetString()!)));
        }
        // Bytes that no format accepts, independent of the corpus files.
        cases.Add(("inline-text", "definitely not an image"u8.ToArray(), ErrorCode.UnsupportedFormat));
        return cases;
    }

    /// <summary>Resident set size of this process in kB, from /proc/self/status.</summary>
    private static long ResidentKilobytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void ManyThreadsMixingGoodAndBadInputsMatchSingleThreadedAndLeakNothing()
    {
        var good = GoodInputs.Select(name => (Name: name, Bytes: File.ReadAllBytes(TestData.PathOf(name)))).ToArray();
        var bad = BadInputs();
        Assert.True(bad.Count >= 20, $"expected the bad-input corpus, found {bad.Count} decode error cases");

        // Single-threaded reference results first.
        var expected = good.ToDictionary(g => g.Name, g => Pipeline(g.Bytes));
        Assert.Equal(GoodInputs.Length, expected.Values.Distinct().Count());

        var baseline = NativeCounters.Settled();
        var rssStart = ResidentKilobytes();

        var threadCount = 4 * Environment.ProcessorCount;
        var failures = new ConcurrentQueue<string>();
        long goodRuns = 0;
        long badRuns = 0;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
        {
            var i = t;
            // At least one round per thread, then until the time is up.
            do
            {
                var (name, bytes) = good[i % good.Length];
                try
                {
                    var hash = Pipeline(bytes);
                    if (hash != expected[name])
                    {
                        failures.Enqueue($"thread {t}: {name} gave {hash}, single-threaded {expected[name]}");
                    }
                    Interlocked.Increment(ref goodRuns);
                }
                catch (Exception e)
                {
                    failures.Enqueue($"thread {t}: {name} threw {e}");
                }

                var (badName, badBytes, code) = bad[i % bad.Count];
                try
                {
                    using var image = Image.Load(badBytes);
                    failures.Enqueue($"thread {t}: {badName} decoded as {image}, expected {code}");
                }
                catch (PixbridgeException e) when (e.Code == code)
                {
                    Interlocked.Increment(ref badRuns);
                }
                catch (Exception e)
                {
                    failures.Enqueue($"thread {t}: {badName} threw {e}, expected {code}");
                }
                i++;
            }
            while (clock.Elapsed < Duration);
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        clock.Stop();

        var after = NativeCounters.Settled();
        var rssEnd = ResidentKilobytes();
        _output.WriteLine(
            $"stress: {threadCount} threads, {clock.Elapsed.TotalSeconds:F1} s, {goodRuns} good pipelines, {badRuns} bad inputs, " +
            $"RSS start {rssStart} kB, end {rssEnd} kB, live images {baseline.Images} -> {after.Images}, buffers {baseline.Buffers} -> {after.Buffers}");

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(20)));
        Assert.True(goodRuns >= threadCount && badRuns >= threadCount, $"every thread runs at least one round ({goodRuns}, {badRuns})");
        Assert.Equal(baseline, after);
    }
}
