using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using ImageMagick;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SkiaSharp;
using PixImage = Pixbridge.Image;
using SharpImage = SixLabors.ImageSharp.Image;
using SharpRectangle = SixLabors.ImageSharp.Rectangle;
using VipsEnums = NetVips.Enums;
using VipsImage = NetVips.Image;

namespace Pixbridge.Benchmarks;

/// <summary>
/// <c>--pipeline JOB LIBRARY INPUT OUTPUT RULE</c>: one whole job of issue 13 (decode, process,
/// encode, write the file) with one library, in this process alone, so that the peak RSS it reports
/// is that job's. The runs follow the project's timing rule (<c>bench/timing-rule.properties</c>):
/// RULE is one of its profiles in the colon form
/// (<c>warm_up:min_runs:max_runs:budget_s:fast_run_s:fast_max_runs:slow_run_s:slow_min_runs</c>,
/// e.g. <c>2:5:21:3:0.02:41:1:2</c>; bench/scripts/pipelines.py passes <c>full</c>, or
/// <c>quick</c> with --quick), sampled by <see cref="TimingRule.Measure{T}"/>: untimed warm-ups,
/// then timed runs within the rule's counts and budget; the JSON says how many of each ran. The CPU
/// time is measured around each timed run. Prints one JSON line:
/// <c>job, library, input, output, supported, runs, warmup_runs, median_ms, p25_ms, p75_ms, min_ms,
/// max_ms, cpu_median_ms (CPU time of all threads per run), peak_rss_mb, start_rss_mb, output_bytes,
/// threads</c>. A cell the library cannot do prints
/// <c>"supported": false</c> and nothing is run. Each library's cell is its idiomatic fastest path,
/// with its default thread count (both cores here for NetVips, ImageSharp and Magick.NET).
/// </summary>
/// <remarks>
/// The jobs:
/// <list type="bullet">
/// <item><c>thumb400</c>: thumbnail 400 px wide (aspect kept), JPEG q80.</item>
/// <item><c>crop-shrink-sharpen</c>: load, crop 100 px off each edge, shrink to 90 % (Lanczos3),
/// sharpen (Gaussian sigma 1, amount 1 where the library takes them), JPEG q75: the libvips
/// benchmark's steps.</item>
/// <item><c>blur-mirror-png</c>: open the JPEG, Gaussian blur sigma 40, mirror, save PNG.</item>
/// </list>
/// </remarks>
public static class Pipelines
{
    /// <summary>The job names, in table order.</summary>
    public static readonly string[] Jobs = { "thumb400", "crop-shrink-sharpen", "blur-mirror-png" };

    /// <summary>The library names, Pixbridge first.</summary>
    public static readonly string[] Libraries = { "pixbridge", "netvips", "skiasharp", "imagesharp", "magick" };

    /// <summary>Thumbnail width of <c>thumb400</c>.</summary>
    internal const int ThumbWidth = 400;

    /// <summary>Pixels cropped off each edge in <c>crop-shrink-sharpen</c>.</summary>
    internal const int CropMargin = 100;

    /// <summary>Shrink factor of <c>crop-shrink-sharpen</c>.</summary>
    internal const double ShrinkFactor = 0.9;

    /// <summary>Sigma of the sharpen step of <c>crop-shrink-sharpen</c>.</summary>
    internal const float SharpenSigma = 1f;

    /// <summary>Sigma of <c>blur-mirror-png</c>.</summary>
    internal const float BlurSigma = 40f;

    /// <summary>Runs one job with one library and prints its JSON line.</summary>
    /// <param name="args">JOB LIBRARY INPUT OUTPUT RULE (RULE: a timing rule profile in the colon form).</param>
    /// <returns>0 (also for an unsupported cell), 2 for bad arguments.</returns>
    public static int Run(string[] args)
    {
        var startRss = ReadStatusMegabytes("VmRSS");
        TimingRule? rule = null;
        string? ruleError = null;
        if (args.Length != 5
            || Array.IndexOf(Jobs, args[0]) < 0
            || Array.IndexOf(Libraries, args[1]) < 0
            || !TimingRule.TryParse(args[4], out rule, out ruleError))
        {
            Console.Error.WriteLine("usage: Pixbridge.Benchmarks --pipeline JOB LIBRARY INPUT OUTPUT RULE");
            Console.Error.WriteLine($"  JOB: {string.Join(", ", Jobs)}; LIBRARY: {string.Join(", ", Libraries)}");
            Console.Error.WriteLine("  RULE: warm_up:min_runs:max_runs:budget_s:fast_run_s:fast_max_runs:slow_run_s:slow_min_runs,");
            Console.Error.WriteLine("        one profile of bench/timing-rule.properties (bench/scripts/timing_rule.py PROFILE prints it)");
            if (ruleError is not null)
            {
                Console.Error.WriteLine($"  {ruleError}");
            }
            return 2;
        }
        var (job, library, input, output) = (args[0], args[1], args[2], args[3]);
        var cell = Find(library, job);
        if (cell is null)
        {
            WriteLine(job, library, input, output, null, 0, startRss);
            return 0;
        }
        if (!File.Exists(input))
        {
            Console.Error.WriteLine($"--pipeline: input not found: {input}");
            return 2;
        }

        // Every run (warm-ups too) is timed; the CPU time around it is kept for the timed ones.
        var measured = rule.Measure(() =>
        {
            var cpuStart = ProcessCpuMilliseconds();
            var wall = Time(cell, input, output);
            return (Wall: wall, Cpu: ProcessCpuMilliseconds() - cpuStart);
        }, static run => run.Wall);
        var samples = new double[measured.Runs];
        var cpuSamples = new double[measured.Runs];
        for (var i = 0; i < measured.Runs; i++)
        {
            (samples[i], cpuSamples[i]) = (measured.Results[i].Wall, measured.Results[i].Cpu);
        }
        var cpuAvailable = ProcessCpuMilliseconds() >= 0;
        WriteLine(job, library, input, output, samples, measured.WarmUps, startRss, cpuAvailable ? cpuSamples : null);
        return 0;
    }

    /// <summary>The job of one cell, or null when the library cannot do it.</summary>
    private static Action<string, string>? Find(string library, string job) => library switch
    {
        "pixbridge" => PixbridgePipelines.Find(job),
        "netvips" => NetVipsPipelines.Find(job),
        "skiasharp" => SkiaPipelines.Find(job),
        "imagesharp" => ImageSharpPipelines.Find(job),
        "magick" => MagickPipelines.Find(job),
        _ => null,
    };

    private static double Time(Action<string, string> cell, string input, string output)
    {
        var start = Stopwatch.GetTimestamp();
        cell(input, output);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Height of a thumbnail <paramref name="width"/> wide of a <paramref name="sourceWidth"/> x <paramref name="sourceHeight"/> image (aspect kept, rounded, at least 1).</summary>
    internal static int ScaledHeight(int sourceWidth, int sourceHeight, int width) =>
        Math.Max(1, (int)Math.Round((double)sourceHeight * width / sourceWidth, MidpointRounding.AwayFromZero));

    /// <summary>A size shrunk by <see cref="ShrinkFactor"/>, rounded, at least 1.</summary>
    internal static int Shrunk(int size) =>
        Math.Max(1, (int)Math.Round(size * ShrinkFactor, MidpointRounding.AwayFromZero));

    /// <summary>
    /// A field of <c>/proc/self/status</c> (e.g. <c>VmHWM</c>, the peak resident set size) in MB
    /// (10^6 bytes), or -1 where it cannot be read.
    /// </summary>
    internal static double ReadStatusMegabytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    continue;
                }
                var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib))
                {
                    return kib * 1024 / 1e6;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc is not mounted.
        }
        catch (UnauthorizedAccessException)
        {
            // A sandbox that hides /proc.
        }
        return -1;
    }

    private static void WriteLine(string job, string library, string input, string output, double[]? samples,
        int warmUps, double startRss, double[]? cpuSamples = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("job", job);
            json.WriteString("library", library);
            json.WriteString("input", input);
            json.WriteString("output", output);
            json.WriteBoolean("supported", samples is not null);
            if (samples is not null)
            {
                var sorted = (double[])samples.Clone();
                Array.Sort(sorted);
                json.WriteNumber("runs", samples.Length);
                json.WriteNumber("warmup_runs", warmUps);
                json.WriteNumber("median_ms", Math.Round(Quantile(sorted, 0.5), 3));
                json.WriteNumber("p25_ms", Math.Round(Quantile(sorted, 0.25), 3));
                json.WriteNumber("p75_ms", Math.Round(Quantile(sorted, 0.75), 3));
                json.WriteNumber("min_ms", Math.Round(sorted[0], 3));
                json.WriteNumber("max_ms", Math.Round(sorted[^1], 3));
                if (cpuSamples is not null)
                {
                    var cpuSorted = (double[])cpuSamples.Clone();
                    Array.Sort(cpuSorted);
                    json.WriteNumber("cpu_median_ms", Math.Round(Quantile(cpuSorted, 0.5), 3));
                }
                json.WriteNumber("peak_rss_mb", Math.Round(ReadStatusMegabytes("VmHWM"), 1));
                json.WriteNumber("start_rss_mb", Math.Round(startRss, 1));
                json.WriteNumber("output_bytes", new FileInfo(output).Length);
                json.WriteNumber("threads", Environment.ProcessorCount);
            }
            json.WriteEndObject();
        }
        Console.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// User plus system CPU time of the whole process so far (all threads, ended ones included:
    /// <c>getrusage(RUSAGE_SELF)</c>), in ms, or -1 where it is unavailable. Other load on the
    /// machine disturbs it far less than wall time.
    /// </summary>
    internal static double ProcessCpuMilliseconds()
    {
        try
        {
            if (getrusage(0, out var usage) != 0)
            {
                return -1;
            }
            return (usage.UserSeconds + usage.SystemSeconds) * 1e3 + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1e3;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>The start of Linux's <c>struct rusage</c> (64-bit): user and system <c>timeval</c>, then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long Rest0, Rest1, Rest2, Rest3, Rest4, Rest5, Rest6, Rest7, Rest8, Rest9, Rest10, Rest11, Rest12, Rest13;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int getrusage(int who, out ResourceUsage usage);

    /// <summary>Linear interpolation between the closest ranks of sorted values.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}

/// <summary>Pixbridge through its public C# API (the package from the local feed).</summary>
internal static class PixbridgePipelines
{
    internal static Action<string, string>? Find(string job) => job switch
    {
        "thumb400" => Thumbnail,
        "crop-shrink-sharpen" => CropShrinkSharpen,
        "blur-mirror-png" => BlurMirrorPng,
        _ => null,
    };

    /// <summary>
    /// Height of the <c>thumb400</c> box: the largest the native side accepts (32768, the default
    /// decode limit per side; <c>int.MaxValue</c> is an InvalidArgument), so that with
    /// <see cref="ThumbnailFit.Contain"/> the width alone decides the size, as with NetVips'
    /// <c>Thumbnail(input, 400)</c>, for any input less than 82 times as tall as wide.
    /// </summary>
    private const int UnboundedHeight = 32768;

    /// <summary>JPEG settings of <c>thumb400</c>: quality 80, 4:2:0 (the peers' default), baseline.</summary>
    private static readonly EncodeOptions ThumbnailJpeg = new() { Quality = 80, Subsampling = ChromaSubsampling.Yuv420 };

    /// <summary>JPEG settings of <c>crop-shrink-sharpen</c>: quality 75, the other settings at their defaults (4:2:0).</summary>
    private static readonly EncodeOptions CropShrinkSharpenJpeg = new() { Quality = 75 };

    /// <summary>One call: shrink-on-load decode and a Catmull-Rom fit into 400 x <see cref="UnboundedHeight"/>.</summary>
    private static void Thumbnail(string input, string output)
    {
        using var thumbnail = PixImage.Thumbnail(input, Pipelines.ThumbWidth, UnboundedHeight, ThumbnailFit.Contain);
        thumbnail.Save(output, ThumbnailJpeg);
    }

    /// <summary>Deferred decoding (the counterpart of NetVips' sequential access): the full-size decode lives only inside <c>Crop</c>, which reuses its buffer.</summary>
    private static readonly Pixbridge.DecodeOptions Deferred = new() { Deferred = true };

    private static void CropShrinkSharpen(string input, string output)
    {
        using var full = PixImage.Open(input, Deferred);
        var m = Pipelines.CropMargin;
        using var cropped = full.Crop(m, m, full.Width - 2 * m, full.Height - 2 * m);
        using var shrunk = cropped.Resize(Pipelines.Shrunk(cropped.Width), Pipelines.Shrunk(cropped.Height), ResizeFilter.Lanczos3);
        using var sharpened = shrunk.Unsharpen(Pipelines.SharpenSigma, 1f, 0);
        sharpened.Save(output, CropShrinkSharpenJpeg);
    }

    /// <summary>Deferred decoding: the blur runs in the decode's own buffer.</summary>
    private static void BlurMirrorPng(string input, string output)
    {
        using var full = PixImage.Open(input, Deferred);
        using var blurred = full.Blur(Pipelines.BlurSigma);
        blurred.Mirror();
        blurred.Save(output, ImageFormat.Png);
    }
}

/// <summary>
/// NetVips (libvips 8.18 from NetVips.Native): <c>Thumbnail</c> (shrink-on-load) and sequential
/// access loads; libvips' operation cache is turned off so that a run cannot reuse an earlier one.
/// </summary>
internal static class NetVipsPipelines
{
    internal static Action<string, string>? Find(string job)
    {
        NetVips.Cache.Max = 0;
        NetVips.Cache.MaxFiles = 0;
        NetVips.Cache.MaxMem = 0;
        return job switch
        {
            "thumb400" => Thumbnail,
            "crop-shrink-sharpen" => CropShrinkSharpen,
            "blur-mirror-png" => BlurMirrorPng,
            _ => null,
        };
    }

    private static void Thumbnail(string input, string output)
    {
        using var thumbnail = VipsImage.Thumbnail(input, Pipelines.ThumbWidth);
        thumbnail.Jpegsave(output, q: 80);
    }

    private static void CropShrinkSharpen(string input, string output)
    {
        using var full = VipsImage.NewFromFile(input, access: VipsEnums.Access.Sequential);
        var m = Pipelines.CropMargin;
        using var cropped = full.Crop(m, m, full.Width - 2 * m, full.Height - 2 * m);
        using var shrunk = cropped.Resize(Pipelines.ShrinkFactor, kernel: VipsEnums.Kernel.Lanczos3);
        using var sharpened = shrunk.Sharpen(sigma: Pipelines.SharpenSigma);
        sharpened.Jpegsave(output, q: 75);
    }

    private static void BlurMirrorPng(string input, string output)
    {
        using var full = VipsImage.NewFromFile(input, access: VipsEnums.Access.Sequential);
        using var blurred = full.Gaussblur(Pipelines.BlurSigma);
        using var mirrored = blurred.FlipHor();
        mirrored.Pngsave(output);
    }
}

/// <summary>
/// SkiaSharp: <c>SKCodec</c> with a scaled decode (<c>GetScaledDimensions</c>) for thumbnails, then
/// a resize with cubic (Mitchell) sampling, or mipmaps when the codec could not scale. It has no
/// sharpen operation, so <c>crop-shrink-sharpen</c> is not run. The blur is Skia's image filter
/// (an approximation of the Gaussian).
/// </summary>
internal static class SkiaPipelines
{
    internal static Action<string, string>? Find(string job) => job switch
    {
        "thumb400" => Thumbnail,
        "blur-mirror-png" => BlurMirrorPng,
        _ => null,
    };

    private static void Thumbnail(string input, string output)
    {
        using var codec = SKCodec.Create(input) ?? throw new InvalidDataException($"SkiaSharp cannot decode {input}");
        var width = Pipelines.ThumbWidth;
        var height = Pipelines.ScaledHeight(codec.Info.Width, codec.Info.Height, width);
        var scaled = codec.GetScaledDimensions((float)width / codec.Info.Width);
        if (scaled.Width < width || scaled.Height < height)
        {
            scaled = codec.Info.Size;
        }
        var info = new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success && result != SKCodecResult.IncompleteInput)
        {
            throw new InvalidDataException($"SkiaSharp decode of {input}: {result}");
        }
        // Cubic for the small remaining factor after a scaled decode; mipmaps for a large one.
        var sampling = scaled.Width <= 2 * width
            ? new SKSamplingOptions(SKCubicResampler.Mitchell)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        using var resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), sampling)
            ?? throw new InvalidOperationException("SkiaSharp resize failed");
        Encode(resized, output, SKEncodedImageFormat.Jpeg, 80);
    }

    private static void BlurMirrorPng(string input, string output)
    {
        using var decoded = SKBitmap.Decode(input) ?? throw new InvalidDataException($"SkiaSharp cannot decode {input}");
        using var image = SKImage.FromBitmap(decoded);
        using var target = new SKBitmap(decoded.Info);
        using (var canvas = new SKCanvas(target))
        using (var paint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(Pipelines.BlurSigma, Pipelines.BlurSigma, SKShaderTileMode.Clamp) })
        {
            canvas.Scale(-1, 1, decoded.Width / 2f, 0);
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(), paint);
            canvas.Flush();
        }
        Encode(target, output, SKEncodedImageFormat.Png, 100);
    }

    private static void Encode(SKBitmap bitmap, string output, SKEncodedImageFormat format, int quality)
    {
        using var stream = new SKFileWStream(output);
        if (!bitmap.Encode(stream, format, quality))
        {
            throw new InvalidOperationException($"SkiaSharp could not encode {output}");
        }
    }
}

/// <summary>
/// ImageSharp 2.1: <c>Image.Load&lt;Rgb24&gt;</c> (its JPEG decoder cannot scale on load) and
/// <c>Mutate</c>; the default configuration uses every core.
/// </summary>
internal static class ImageSharpPipelines
{
    internal static Action<string, string>? Find(string job) => job switch
    {
        "thumb400" => Thumbnail,
        "crop-shrink-sharpen" => CropShrinkSharpen,
        "blur-mirror-png" => BlurMirrorPng,
        _ => null,
    };

    private static void Thumbnail(string input, string output)
    {
        using var image = SharpImage.Load<Rgb24>(input);
        image.Mutate(x => x.Resize(Pipelines.ThumbWidth, 0));
        image.SaveAsJpeg(output, new JpegEncoder { Quality = 80 });
    }

    private static void CropShrinkSharpen(string input, string output)
    {
        using var image = SharpImage.Load<Rgb24>(input);
        var m = Pipelines.CropMargin;
        int width = image.Width - 2 * m, height = image.Height - 2 * m;
        image.Mutate(x => x
            .Crop(new SharpRectangle(m, m, width, height))
            .Resize(Pipelines.Shrunk(width), Pipelines.Shrunk(height), KnownResamplers.Lanczos3)
            .GaussianSharpen(Pipelines.SharpenSigma));
        image.SaveAsJpeg(output, new JpegEncoder { Quality = 75 });
    }

    private static void BlurMirrorPng(string input, string output)
    {
        using var image = SharpImage.Load<Rgb24>(input);
        image.Mutate(x => x.GaussianBlur(Pipelines.BlurSigma).Flip(FlipMode.Horizontal));
        image.SaveAsPng(output, new PngEncoder());
    }
}

/// <summary>
/// Magick.NET (Q8): the JPEG <c>size</c> hint (libjpeg DCT scaling to at least twice the
/// thumbnail) with <c>Thumbnail</c>; <c>Crop</c>, Lanczos <c>Resize</c>, <c>Sharpen</c>,
/// <c>Blur</c> (separable), <c>Flop</c>, <c>Write</c>. OpenMP uses every core by default.
/// </summary>
internal static class MagickPipelines
{
    internal static Action<string, string>? Find(string job) => job switch
    {
        "thumb400" => Thumbnail,
        "crop-shrink-sharpen" => CropShrinkSharpen,
        "blur-mirror-png" => BlurMirrorPng,
        _ => null,
    };

    private static void Thumbnail(string input, string output)
    {
        var settings = new MagickReadSettings();
        var hint = 2 * Pipelines.ThumbWidth;
        settings.SetDefine(MagickFormat.Jpeg, "size", $"{hint}x{hint}");
        using var image = new MagickImage(input, settings);
        // Fit inside 400 x (very tall): 400 wide, aspect kept.
        image.Thumbnail(new MagickGeometry((uint)Pipelines.ThumbWidth, 1_000_000));
        image.Quality = 80;
        image.Write(output, MagickFormat.Jpeg);
    }

    private static void CropShrinkSharpen(string input, string output)
    {
        using var image = new MagickImage(input);
        var m = Pipelines.CropMargin;
        uint width = image.Width - 2 * (uint)m, height = image.Height - 2 * (uint)m;
        image.Crop(new MagickGeometry(m, m, width, height));
        image.ResetPage();
        image.FilterType = FilterType.Lanczos;
        image.Resize(new MagickGeometry((uint)Pipelines.Shrunk((int)width), (uint)Pipelines.Shrunk((int)height)) { IgnoreAspectRatio = true });
        image.Sharpen(0, Pipelines.SharpenSigma);
        image.Quality = 75;
        image.Write(output, MagickFormat.Jpeg);
    }

    private static void BlurMirrorPng(string input, string output)
    {
        using var image = new MagickImage(input);
        image.Blur(0, Pipelines.BlurSigma);
        image.Flop();
        image.Write(output, MagickFormat.Png);
    }
}
