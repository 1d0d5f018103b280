using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ImageMagick;
using SkiaSharp;
using PixImage = Pixbridge.Image;
using VipsImage = NetVips.Image;

namespace Pixbridge.Benchmarks;

/// <summary>
/// Entry point: runs every benchmark class (BenchmarkDotNet switcher arguments pass through), or,
/// with <c>--blur-timing IMAGE SIGMA ITERATIONS</c>, the C# half of the C#-vs-Rust blur comparison,
/// with <c>--blur-overhead IMAGE SIGMA PAIRS</c> the SDK-vs-bare-export comparison, and with
/// <c>--pipeline JOB LIBRARY INPUT OUTPUT RULE</c> one pipeline cell (<see cref="Pipelines"/>).
/// </summary>
public static class Program
{
    /// <summary>
    /// Runs the benchmarks; the test image comes from <c>PIXBRIDGE_BENCH_IMAGE</c>, the run counts of
    /// the millisecond-scale classes from the timing rule (<see cref="TimingRuleConfig"/>:
    /// <c>PIXBRIDGE_TIMING_RULE</c>, <c>PIXBRIDGE_TIMING_PROFILE</c>).
    /// </summary>
    /// <param name="args">BenchmarkDotNet arguments, e.g. <c>--filter *Blur*</c>, or <c>--blur-timing IMAGE SIGMA ITERATIONS</c>.</param>
    /// <returns>The process exit code (2 when the timing rule cannot be read).</returns>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--blur-timing")
        {
            return BlurTiming.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "--pipeline")
        {
            return Pipelines.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "--blur-overhead")
        {
            return BlurOverhead.Run(args[1..]);
        }
        // Read the rule up front, so that a missing or broken file is one clear message rather than
        // an exception from inside BenchmarkDotNet's attribute reading.
        try
        {
            var (rule, path, profile) = TimingRuleConfig.Loaded.Value;
            Console.WriteLine($"timing rule: profile {profile} of {path} ({rule.ToArgument()})");
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"Pixbridge.Benchmarks: {e.Message}");
            return 2;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? new[] { "--filter", "*" } : args);
        return 0;
    }
}

/// <summary>
/// <c>--blur-overhead IMAGE SIGMA PAIRS</c>: what the C# SDK adds to a blur. Times
/// <see cref="PixImage.Blur"/> against the same native export called directly (the generated
/// P/Invoke on raw handles: the Rust blur with nothing of the SDK around it), alternating call by
/// call in one process so that both see the same state of the shared machine (separate processes
/// differ by up to 20% here). Prints one JSON line: both medians and the median of the per-pair
/// ratios with its quartiles. Two untimed pairs, then PAIRS timed ones, a count run.sh passes
/// (<c>PIXBRIDGE_OVERHEAD_PAIRS</c>), not the timing rule.
/// </summary>
public static class BlurOverhead
{
    private const int WarmUp = 2;

    /// <summary>Runs the comparison and prints one JSON line.</summary>
    /// <param name="args">IMAGE SIGMA PAIRS.</param>
    /// <returns>0, or 2 for bad arguments.</returns>
    public static int Run(string[] args)
    {
        if (!BlurTiming.TryParseArguments(args, "--blur-overhead IMAGE SIGMA PAIRS", out var sigma, out var pairs))
        {
            return 2;
        }
        using var image = PixImage.Open(args[0]);
        var path = System.Text.Encoding.UTF8.GetBytes(args[0]);
        var limits = DecodeLimits.Default.ToNative();
        ulong raw = 0;
        Check(Native.Interop.pixbridge_image_open(ref path[0], (nuint)path.Length, ref limits, ref raw));
        try
        {
            for (var i = 0; i < WarmUp; i++)
            {
                ThroughSdk(image, sigma);
                Direct(raw, sigma);
            }
            var sdk = new double[pairs];
            var direct = new double[pairs];
            var ratios = new double[pairs];
            for (var i = 0; i < pairs; i++)
            {
                // Alternate which goes first, so that neither always follows the other.
                if (i % 2 == 0)
                {
                    sdk[i] = ThroughSdk(image, sigma);
                    direct[i] = Direct(raw, sigma);
                }
                else
                {
                    direct[i] = Direct(raw, sigma);
                    sdk[i] = ThroughSdk(image, sigma);
                }
                ratios[i] = sdk[i] / direct[i];
            }
            Array.Sort(ratios);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"sigma\":{sigma},\"pairs\":{pairs},\"sdk_median_ms\":{BlurTiming.Median(sdk):F3},\"direct_median_ms\":{BlurTiming.Median(direct):F3},\"ratio_median\":{BlurTiming.Median(ratios):F4},\"ratio_p25\":{ratios[pairs / 4]:F4},\"ratio_p75\":{ratios[pairs * 3 / 4]:F4}}}"));
            return 0;
        }
        finally
        {
            Native.Interop.pixbridge_image_destroy(raw);
        }
    }

    /// <summary>One blur through the SDK; the result is disposed outside the timed region.</summary>
    private static double ThroughSdk(PixImage image, float sigma)
    {
        var start = Stopwatch.GetTimestamp();
        var blurred = image.Blur(sigma);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        blurred.Dispose();
        return elapsed;
    }

    /// <summary>One blur through the bare export; the result is destroyed outside the timed region.</summary>
    private static double Direct(ulong raw, float sigma)
    {
        ulong result = 0;
        var start = Stopwatch.GetTimestamp();
        var code = Native.Interop.pixbridge_image_blur(raw, sigma, ref result);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Check(code);
        Native.Interop.pixbridge_image_destroy(result);
        return elapsed;
    }

    private static void Check(Native.ErrorCode code)
    {
        if (!code.IsOk)
        {
            throw new InvalidOperationException($"native call failed with code {code.Value}");
        }
    }
}

/// <summary>
/// Times <see cref="PixImage.Blur"/> with the protocol of the Rust example <c>rust_blur_timing</c>
/// (bindings-csharp/generator/examples): two untimed runs, then ITERATIONS timed runs, each
/// result disposed outside the timed region; prints the same JSON line (wall time and the CPU
/// time of all the process's threads per blur). A plain stopwatch loop,
/// not BenchmarkDotNet, so that both sides are timed the same way. ITERATIONS comes from run.sh
/// (<c>pair.iterations</c> of <c>bench/timing-rule.properties</c>, a fixed design outside the rule's
/// adaptive sampling).
/// </summary>
public static class BlurTiming
{
    private const int WarmUp = 2;

    /// <summary>Runs the timing and prints one JSON line.</summary>
    /// <param name="args">IMAGE SIGMA ITERATIONS.</param>
    /// <returns>0, or 2 for bad arguments.</returns>
    public static int Run(string[] args)
    {
        if (!TryParseArguments(args, "--blur-timing IMAGE SIGMA ITERATIONS", out var sigma, out var iterations))
        {
            return 2;
        }
        using var image = PixImage.Open(args[0]);
        for (var i = 0; i < WarmUp; i++)
        {
            image.Blur(sigma).Dispose();
        }
        var collectionsBefore = GC.CollectionCount(0);
        var pauseBefore = GC.GetTotalPauseDuration();
        var samples = new double[iterations];
        var cpuSamples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var cpuStart = ProcessCpuNanoseconds();
            var start = Stopwatch.GetTimestamp();
            var blurred = image.Blur(sigma);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var cpuEnd = ProcessCpuNanoseconds();
            cpuSamples[i] = Math.Max(0, cpuEnd - cpuStart) / 1e6;
            blurred.Dispose();
        }
        var collections = GC.CollectionCount(0) - collectionsBefore;
        // Time the GC stopped this process during the timed blurs (collections the memory
        // pressure of each 33 MB result induces), per blur.
        var gcPausePerBlur = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds / iterations;
        var median = Median(samples);
        Array.Sort(samples);
        var threads = Environment.GetEnvironmentVariable("RAYON_NUM_THREADS") is { Length: > 0 } configured
            ? configured
            : Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"threads\":{threads},\"width\":{image.Width},\"height\":{image.Height},\"sigma\":{sigma},\"iterations\":{iterations},\"median_ms\":{median:F3},\"min_ms\":{samples[0]:F3},\"max_ms\":{samples[^1]:F3},\"cpu_median_ms\":{Median(cpuSamples):F3},\"gc_collections\":{collections},\"gc_pause_ms_per_blur\":{gcPausePerBlur:F3}}}"));
        return 0;
    }

    /// <summary>
    /// Reads IMAGE SIGMA COUNT (the image path stays <c>args[0]</c>); prints the usage and returns
    /// false if they are not a path, a number and a positive count.
    /// </summary>
    internal static bool TryParseArguments(string[] args, string usage, out float sigma, out int count)
    {
        (sigma, count) = (0, 0);
        var ok = args.Length == 3
            && float.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out sigma)
            && int.TryParse(args[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out count)
            && count >= 1;
        if (!ok)
        {
            Console.Error.WriteLine($"usage: Pixbridge.Benchmarks {usage}");
        }
        return ok;
    }

    internal static double Median(double[] samples)
    {
        var sorted = (double[])samples.Clone();
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// CPU time used so far by all threads of this process, in nanoseconds: the sum of the first
    /// field of <c>/proc/self/task/*/schedstat</c> (0 where that is unavailable), as the Rust timer
    /// reads it. Unlike wall time, it hardly changes when other processes compete for the cores.
    /// </summary>
    private static long ProcessCpuNanoseconds()
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    var end = stat.IndexOf(' ');
                    if (end > 0 && long.TryParse(stat.AsSpan(0, end), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ns))
                    {
                        total += ns;
                    }
                }
                catch (IOException)
                {
                    // The thread ended between listing and reading.
                }
            }
        }
        catch (IOException)
        {
            return 0;
        }
        return total;
    }
}

/// <summary>The shared test image (a PNG path in <c>PIXBRIDGE_BENCH_IMAGE</c>), as RGBA8 pixels.</summary>
public static class TestImage
{
    /// <summary>Opens the test image with Pixbridge.</summary>
    /// <returns>The image; the caller disposes it.</returns>
    public static PixImage Open()
    {
        var path = Environment.GetEnvironmentVariable("PIXBRIDGE_BENCH_IMAGE")
            ?? throw new InvalidOperationException("set PIXBRIDGE_BENCH_IMAGE to the test image (make bench exports out/bench/images/4k.png)");
        return PixImage.Open(path);
    }
}

/// <summary>
/// The BenchmarkDotNet job of a millisecond-scale benchmark class, from the project's timing rule
/// (<c>bench/timing-rule.properties</c>): a <see cref="RunStrategy.Monitoring"/> job (no pilot
/// stage, one call per iteration, as the rule's runs) with <c>warm_up</c> warm-up iterations and
/// <c>min_runs</c> timed ones. The file is <c>PIXBRIDGE_TIMING_RULE</c> (run.sh sets it), or else
/// <c>bench/timing-rule.properties</c> in the nearest ancestor of the program's folder or of the
/// current directory; the profile is <c>PIXBRIDGE_TIMING_PROFILE</c> (default <c>full</c>).
/// </summary>
/// <remarks>
/// BenchmarkDotNet has no time budget, and its counts are fixed before the first run, so the rule's
/// adaptive part (more runs of a fast case within <c>budget_s</c>, fewer warm-ups of a slow one) is
/// not applied at run time: the rule's floor, <c>min_runs</c>, is the count.
/// <see cref="SlowTimingRuleConfig"/> is the same for a class known to be slow.
/// </remarks>
public class TimingRuleConfig : ManualConfig
{
    /// <summary>The rule as read for this process (rule, file, profile), once.</summary>
    internal static readonly Lazy<(TimingRule Rule, string Path, string Profile)> Loaded = new(Load);

    /// <summary>A job with <c>warm_up</c> warm-ups and <c>min_runs</c> timed iterations.</summary>
    public TimingRuleConfig()
        : this(slow: false)
    {
    }

    /// <summary>A job by the rule; <paramref name="slow"/> applies its slow-case step.</summary>
    /// <param name="slow">
    /// Whether the class's cases are known to be slow (a run over <c>slow_run_s</c>): then, as the
    /// rule does after a slow first warm-up, one warm-up and min(<c>min_runs</c>,
    /// <c>slow_min_runs</c>) timed iterations.
    /// </param>
    protected TimingRuleConfig(bool slow)
    {
        var (rule, _, profile) = Loaded.Value;
        var job = slow
            ? Job.Default.WithWarmupCount(1).WithIterationCount(Math.Min(rule.MinRuns, rule.SlowMinRuns))
            : Job.Default.WithWarmupCount(rule.WarmUp).WithIterationCount(rule.MinRuns);
        AddJob(job
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithId(slow ? $"rule-{profile}-slow" : $"rule-{profile}"));
    }

    private static (TimingRule Rule, string Path, string Profile) Load()
    {
        var path = Environment.GetEnvironmentVariable("PIXBRIDGE_TIMING_RULE");
        if (string.IsNullOrEmpty(path))
        {
            var current = Directory.GetCurrentDirectory();
            path = TimingRule.FindFile(AppContext.BaseDirectory, current)
                ?? throw new InvalidOperationException(
                    $"the timing rule {TimingRule.RelativePath} is not in any folder above {AppContext.BaseDirectory} or {current}; "
                    + "set PIXBRIDGE_TIMING_RULE to its path (bindings-csharp/benchmarks/run.sh does)");
        }
        var profile = Environment.GetEnvironmentVariable("PIXBRIDGE_TIMING_PROFILE") is { Length: > 0 } named ? named : "full";
        return (TimingRule.Read(path, profile), path, profile);
    }
}

/// <summary>
/// <see cref="TimingRuleConfig"/> for a class whose cases are known to be slow (over
/// <c>slow_run_s</c> a run): one warm-up and min(<c>min_runs</c>, <c>slow_min_runs</c>) timed
/// iterations, the rule's slow case.
/// </summary>
public sealed class SlowTimingRuleConfig : TimingRuleConfig
{
    /// <summary>The slow-case job.</summary>
    public SlowTimingRuleConfig()
        : base(slow: true)
    {
    }
}

/// <summary>Gaussian blur of the same 4K RGBA8 image: Pixbridge, SkiaSharp and NetVips, every sigma of the target.</summary>
[Config(typeof(TimingRuleConfig))]
public class BlurBenchmarks
{
    private PixImage _pixbridge = null!;
    private SKBitmap _skia = null!;
    private SKImage _skiaImage = null!;
    private VipsImage _vips = null!;
    private SKPaint _skiaPaint = null!;

    /// <summary>Standard deviation in pixels.</summary>
    [Params(1f, 2f, 5f, 10f, 40f, 100f)]
    public float Sigma { get; set; }

    /// <summary>Loads the image into each library's own form, outside the timed region.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pixbridge = TestImage.Open();
        var rgba = _pixbridge.ToPixelArray();
        int w = _pixbridge.Width, h = _pixbridge.Height;
        _skia = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Marshal.Copy(rgba, 0, _skia.GetPixels(), rgba.Length);
        _skiaImage = SKImage.FromBitmap(_skia);
        _skiaPaint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(Sigma, Sigma, SKShaderTileMode.Clamp) };
        _vips = VipsImage.NewFromMemory(rgba, w, h, 4, NetVips.Enums.BandFormat.Uchar);
    }

    /// <summary>Releases the native images.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _pixbridge.Dispose();
        _skiaImage.Dispose();
        _skia.Dispose();
        _skiaPaint.Dispose();
        _vips.Dispose();
    }

    /// <summary>Pixbridge's exact Gaussian into a new image.</summary>
    /// <returns>The new image's width (keeps the result alive until the call ends).</returns>
    [Benchmark(Baseline = true)]
    public int Pixbridge()
    {
        using var blurred = _pixbridge.Blur(Sigma);
        return blurred.Width;
    }

    /// <summary>SkiaSharp's blur image filter (clamp tiles) drawn into a new bitmap.</summary>
    /// <returns>A pixel of the result.</returns>
    [Benchmark]
    public uint SkiaSharpBlur()
    {
        using var target = new SKBitmap(_skia.Info);
        using (var canvas = new SKCanvas(target))
        {
            canvas.DrawImage(_skiaImage, 0, 0, new SKSamplingOptions(), _skiaPaint);
            canvas.Flush();
        }
        return (uint)target.GetPixel(7, 7);
    }

    /// <summary>NetVips' Gaussblur (default precision), evaluated into a new byte array.</summary>
    /// <returns>The length of the result.</returns>
    [Benchmark]
    public int NetVipsGaussblur()
    {
        using var blurred = _vips.Gaussblur(Sigma);
        return blurred.WriteToMemory<byte>().Length;
    }
}

/// <summary>
/// Magick.NET's GaussianBlur (a 2-D kernel, so only the small sigmas fit the time budget). Timed as
/// the rule's slow case (<see cref="SlowTimingRuleConfig"/>), the Pixbridge baseline too, since
/// BenchmarkDotNet takes one job per class.
/// </summary>
[Config(typeof(SlowTimingRuleConfig))]
public class MagickBlurBenchmarks
{
    private PixImage _pixbridge = null!;
    private MagickImage _magick = null!;

    /// <summary>Standard deviation in pixels.</summary>
    [Params(1f, 2f)]
    public float Sigma { get; set; }

    /// <summary>Loads the image into both libraries.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pixbridge = TestImage.Open();
        _magick = new MagickImage();
        _magick.ReadPixels(_pixbridge.ToPixelArray(),
            new PixelReadSettings((uint)_pixbridge.Width, (uint)_pixbridge.Height, StorageType.Char, PixelMapping.RGBA));
    }

    /// <summary>Releases both images.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _pixbridge.Dispose();
        _magick.Dispose();
    }

    /// <summary>Pixbridge's blur, as the baseline of this class.</summary>
    /// <returns>The new image's width.</returns>
    [Benchmark(Baseline = true)]
    public int Pixbridge()
    {
        using var blurred = _pixbridge.Blur(Sigma);
        return blurred.Width;
    }

    /// <summary>Magick.NET's GaussianBlur on a copy (it works in place).</summary>
    /// <returns>The copy's width.</returns>
    [Benchmark]
    public uint MagickGaussianBlur()
    {
        using var copy = (MagickImage)_magick.Clone();
        copy.GaussianBlur(0, Sigma);
        return copy.Width;
    }
}

/// <summary>
/// Cost of the SDK's trivial members, of a real native round trip, and of viewing the pixels
/// without copying (the memory diagnoser must show 0 B for the view). Nanosecond calls, which
/// BenchmarkDotNet batches and times by its own statistics: outside the timing rule (its file says
/// so), hence the fixed job here.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CallOverheadBenchmarks
{
    private PixImage _image = null!;
    private PixImage _onePixel = null!;
    private readonly byte[] _onePixelBuffer = new byte[4];

    /// <summary>Opens the test image and makes a 1x1 one for the native round trip.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _image = TestImage.Open();
        _onePixel = PixImage.FromPixels(1, 1, new byte[] { 1, 2, 3, 255 });
    }

    /// <summary>Disposes the test images.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _image.Dispose();
        _onePixel.Dispose();
    }

    /// <summary><c>Width</c>: cached (no native call), with the disposed check.</summary>
    /// <returns>The width.</returns>
    [Benchmark]
    public int Width() => _image.Width;

    /// <summary><c>ColorType</c>: cached since the colour type only changes through in-place operations, which refresh it.</summary>
    /// <returns>The colour type.</returns>
    [Benchmark]
    public ColorType ColorTypeCached() => _image.ColorType;

    /// <summary>
    /// One real native round trip on an image through the public API: SafeHandle lease (add-ref,
    /// release) and the P/Invoke <c>pixbridge_image_copy_pixels</c> (handle-table lookup, read lock)
    /// with its GC transition, on a 1x1 image so that the copy itself (4 bytes) costs nothing. This
    /// is what every native call of the SDK pays on top of its own work.
    /// </summary>
    /// <returns>A byte of the copied pixel.</returns>
    [Benchmark]
    public byte NativeRoundTrip()
    {
        _onePixel.CopyPixels(_onePixelBuffer);
        return _onePixelBuffer[3];
    }

    /// <summary>
    /// The floor of any native call: the generated P/Invoke of <c>pixbridge_abi_version</c>, which does
    /// no work (GC transition, call, return; no lease, no lock, no error check).
    /// </summary>
    /// <returns>The ABI version.</returns>
    [Benchmark]
    public uint BareNativeCall() => Pixbridge.Native.Interop.pixbridge_abi_version();

    /// <summary><c>Diagnostics.LiveImageCount</c>: one P/Invoke without a handle (no SafeHandle lease).</summary>
    /// <returns>The count.</returns>
    [Benchmark]
    public long LiveImageCountNativeCall() => Diagnostics.LiveImageCount;

    /// <summary>Zero-copy read of the 4K pixels (<c>WithPixels</c>), reading a byte: the memory diagnoser must show 0 B.</summary>
    /// <returns>A byte of the pixels.</returns>
    [Benchmark]
    public int WithPixels() => _image.WithPixels(static pixels => pixels[^1] + pixels.Length);
}
