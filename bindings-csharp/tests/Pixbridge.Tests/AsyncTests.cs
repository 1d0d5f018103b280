using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Pixbridge.Tests;

/// <summary>
/// The asynchronous API: results equal the synchronous ones, cancellation before the start,
/// mid-way and after completion, progress, errors, streams and many concurrent calls. Tests that
/// read the process-wide counters or hold the Pixbridge threads are in <see cref="AsyncSerialTests"/>.
/// </summary>
public sealed class AsyncTests
{
    private readonly ITestOutputHelper _output;

    public AsyncTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string Rocket => TestData.PathOf("rocket.jpg");

    private static Exception ThrownAtOnce(Action call) => Record.Exception(call)!;

    // ---- Every operation has a twin, and the twins give the synchronous results ----

    /// <summary>The hand-written calls with a <c>_controlled</c> export; the rest are the operation table's.</summary>
    private static readonly string[] HandWrittenControlled = { "open", "decode", "thumbnail", "thumbnail_file", "encode", "save", "decode_frame" };

    [Fact]
    public void EveryOperationOfTheTableHasAnAsyncTwin()
    {
        // The C ABI has one pixbridge_image_<op>_controlled export per operation of the table.
        var operations = typeof(Pixbridge.Native.Interop).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.Name)
            .Where(n => n.StartsWith("pixbridge_image_", StringComparison.Ordinal) && n.EndsWith("_controlled", StringComparison.Ordinal))
            .Select(n => n["pixbridge_image_".Length..^"_controlled".Length])
            .Except(HandWrittenControlled)
            .Distinct()
            .ToList();
        // The ABI version is ABI_REVISION * 1000 + the number of operations.
        Assert.True(operations.Count == NativeAbi.ExpectedVersion % 1000, $"{operations.Count} operations: {string.Join(", ", operations)}");
        foreach (var operation in operations)
        {
            var name = string.Concat(operation.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
            var sync = typeof(Image).GetMethod(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"Image has no {name}");
            var twin = typeof(Image).GetMethod(name + "Async", BindingFlags.Public | BindingFlags.Instance);
            Assert.True(twin is not null, $"{name} has no {name}Async");
            Assert.Equal(sync.ReturnType == typeof(Image) ? typeof(Task<Image>) : typeof(Task), twin!.ReturnType);
            var expected = sync.GetParameters().Select(p => (p.ParameterType, p.Name))
                .Append((typeof(IProgress<float>), "progress"))
                .Append((typeof(CancellationToken), "cancellationToken"));
            Assert.Equal(expected, twin.GetParameters().Select(p => (p.ParameterType, p.Name)));
            Assert.True(twin.GetParameters()[^1].HasDefaultValue && twin.GetParameters()[^2].HasDefaultValue,
                $"{name}Async: progress and cancellationToken are optional");
        }
    }

    /// <summary>The synchronous overload a parameter list of an async overload mirrors: spans and arrays become memory.</summary>
    private static Type AsyncParameterType(Type sync) =>
        sync == typeof(ReadOnlySpan<byte>) || sync == typeof(byte[]) ? typeof(ReadOnlyMemory<byte>) : sync;

    [Theory]
    [InlineData("Open")]
    [InlineData("Load")]
    [InlineData("Thumbnail")]
    [InlineData("Save")]
    [InlineData("Encode")]
    public void EveryOverloadOfTheHandWrittenCallsHasAnAsyncTwin(string name)
    {
        var twins = typeof(Image).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == name + "Async")
            .Select(m => string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name)))
            .ToHashSet();
        var overloads = typeof(Image).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Where(m => m.Name == name).ToList();
        Assert.NotEmpty(overloads);
        foreach (var overload in overloads)
        {
            var expected = string.Join(", ", overload.GetParameters().Select(p => AsyncParameterType(p.ParameterType).Name)
                .Append(typeof(IProgress<float>).Name).Append(nameof(CancellationToken)));
            Assert.True(twins.Contains(expected), $"{name}({expected}) has no async twin; there are: {string.Join(" | ", twins)}");
        }
    }

    public static IEnumerable<object[]> ManifestCaseNames() =>
        ManifestTests.Cases.Value.Keys.Select(name => new object[] { name });

    /// <summary>
    /// Every golden manifest case through the asynchronous API (<c>OpenAsync</c> or
    /// <c>ThumbnailAsync</c>, then each operation's <c>...Async</c> twin, <c>EncodeAsync</c> and
    /// <c>LoadAsync</c>): the same images and error codes as the synchronous API gives.
    /// </summary>
    [Theory]
    [MemberData(nameof(ManifestCaseNames))]
    public async Task ManifestCaseThroughTheAsyncApi(string name)
    {
        var testCase = ManifestTests.Cases.Value[name];
        Image? current = null;
        string outcome;
        try
        {
            var input = TestData.PathOf(testCase.GetProperty("input").GetString()!);
            if (testCase.TryGetProperty("thumbnail", out var thumbnail))
            {
                var (width, height, fit, options) = ManifestTests.ThumbnailArguments(thumbnail);
                current = await Image.ThumbnailAsync(input, width, height, fit, options);
            }
            else
            {
                current = await Image.OpenAsync(input);
            }
            foreach (var op in testCase.GetProperty("ops").EnumerateArray())
            {
                var next = await ManifestOps.ApplyAsync(current, op);
                if (next is not null)
                {
                    current.Dispose();
                    current = next;
                }
            }
            outcome = "Ok";
        }
        catch (PixbridgeException e)
        {
            outcome = e.Code.ToString();
            current?.Dispose();
            current = null;
        }
        catch (ArgumentException)
        {
            outcome = nameof(ErrorCode.InvalidArgument);
            current?.Dispose();
            current = null;
        }
        ManifestTests.CheckOutcome(testCase, outcome, current);
    }

    [Fact]
    public async Task OpenLoadAndThumbnailTwinsGiveTheSynchronousPixels()
    {
        var bytes = File.ReadAllBytes(Rocket);
        var shrink = new DecodeOptions { MinWidth = 100, MinHeight = 60 };
        var limits = new DecodeLimits { MaxWidth = 4096, MaxHeight = 4096 };
        var thumbnailOptions = new ThumbnailOptions { AllowUpscale = true };
        string Sync(Func<Image> make)
        {
            using var image = make();
            return TestData.PixelSha256(image);
        }
        var pairs = new (string Name, string Expected, Task<string> Actual)[]
        {
            ("OpenAsync(path)", Sync(() => Image.Open(Rocket)), AsyncSupport.HashOf(Image.OpenAsync(Rocket))),
            ("OpenAsync(path, limits)", Sync(() => Image.Open(Rocket, limits)), AsyncSupport.HashOf(Image.OpenAsync(Rocket, limits))),
            ("OpenAsync(path, options)", Sync(() => Image.Open(Rocket, shrink)), AsyncSupport.HashOf(Image.OpenAsync(Rocket, shrink))),
            ("LoadAsync(bytes)", Sync(() => Image.Load(bytes)), AsyncSupport.HashOf(Image.LoadAsync(bytes))),
            ("LoadAsync(bytes, options)", Sync(() => Image.Load(bytes, shrink)), AsyncSupport.HashOf(Image.LoadAsync(bytes, shrink))),
            ("LoadAsync(stream)", Sync(() => Image.Load(bytes)), AsyncSupport.HashOf(Image.LoadAsync(new AsyncOnlyStream(bytes)))),
            ("LoadAsync(stream, options)", Sync(() => Image.Load(bytes, shrink)), AsyncSupport.HashOf(Image.LoadAsync(new AsyncOnlyStream(bytes), shrink))),
            ("ThumbnailAsync(path)", Sync(() => Image.Thumbnail(Rocket, 90, 70)), AsyncSupport.HashOf(Image.ThumbnailAsync(Rocket, 90, 70))),
            ("ThumbnailAsync(bytes)", Sync(() => Image.Thumbnail(bytes, 90, 70, ThumbnailFit.Cover)),
                AsyncSupport.HashOf(Image.ThumbnailAsync(bytes, 90, 70, ThumbnailFit.Cover))),
            ("ThumbnailAsync(stream)", Sync(() => Image.Thumbnail(bytes, 900, 700, ThumbnailFit.Fill, thumbnailOptions)),
                AsyncSupport.HashOf(Image.ThumbnailAsync(new AsyncOnlyStream(bytes), 900, 700, ThumbnailFit.Fill, thumbnailOptions))),
        };
        foreach (var (name, expected, actual) in pairs)
        {
            Assert.True(expected == await actual, name);
        }
    }

    [Fact]
    public async Task LoadAsyncReadsAStreamOnlyAsynchronouslyAndLeavesItAtTheEnd()
    {
        var bytes = File.ReadAllBytes(Rocket);
        using var expected = Image.Load(bytes);

        var asyncOnly = new AsyncOnlyStream(bytes);
        using (var image = await Image.LoadAsync(asyncOnly))
        {
            Assert.Equal(TestData.PixelSha256(expected), TestData.PixelSha256(image));
        }
        Assert.True(asyncOnly.AsyncCalls > bytes.Length / 4096, $"{asyncOnly.AsyncCalls} ReadAsync calls");

        // An exposable MemoryStream is decoded where it is, from its position.
        var memory = new MemoryStream();
        memory.Write(new byte[] { 1, 2, 3 });
        memory.Write(bytes);
        memory.Position = 3;
        using (var image = await Image.LoadAsync(memory))
        {
            Assert.Equal(TestData.PixelSha256(expected), TestData.PixelSha256(image));
        }
        Assert.Equal(memory.Length, memory.Position);

        // A file opened for asynchronous I/O.
        await using var file = new FileStream(Rocket, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        using (var image = await Image.LoadAsync(file, new DecodeOptions()))
        {
            Assert.Equal(TestData.PixelSha256(expected), TestData.PixelSha256(image));
        }
        Assert.Equal(file.Length, file.Position);

        // Damaged data fails in the task, with the synchronous code and message.
        var cut = bytes[..400];
        var syncError = Assert.Throws<PixbridgeException>(() => Image.Load(new MemoryStream(cut)));
        var asyncError = await Assert.ThrowsAsync<PixbridgeException>(() => Image.LoadAsync(new AsyncOnlyStream(cut)));
        Assert.Equal((syncError.Code, syncError.Message), (asyncError.Code, asyncError.Message));
    }

    public static IEnumerable<object[]> Formats() => Enum.GetValues<ImageFormat>().Select(f => new object[] { f });

    /// <summary>The bytes, or the error code and message, of an encode.</summary>
    private static string Outcome(Func<byte[]> encode)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(encode()));
        }
        catch (PixbridgeException e)
        {
            return $"{e.Code}: {e.Message}";
        }
    }

    private static async Task<string> OutcomeAsync(Func<Task<byte[]>> encode)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(await encode()));
        }
        catch (PixbridgeException e)
        {
            return $"{e.Code}: {e.Message}";
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EncodeAsyncAndSaveAsyncGiveTheSynchronousBytesOrErrors(ImageFormat format)
    {
        using var image = Image.Open(Rocket);
        var options = new EncodeOptions { Quality = 70, Subsampling = ChromaSubsampling.Yuv444, PngCompression = 6 };
        foreach (var quality in new int?[] { null, 75, 101 })
        {
            Assert.Equal(Outcome(() => image.Encode(format, quality)), await OutcomeAsync(() => image.EncodeAsync(format, quality)));
        }
        Assert.Equal(Outcome(() => image.Encode(format, options)), await OutcomeAsync(() => image.EncodeAsync(format, options)));

        var directory = Directory.CreateTempSubdirectory("pixbridge-async-save-");
        try
        {
            var extension = format switch
            {
                ImageFormat.Jpeg => "jpg",
                ImageFormat.Tiff => "tif",
                _ => format.ToString().ToLowerInvariant(),
            };
            string File(string name) => Path.Combine(directory.FullName, name);
            byte[] Read(string name) => System.IO.File.ReadAllBytes(File(name));
            var saves = new (string Name, Action Sync, Func<Task> Async)[]
            {
                ("path", () => image.Save(File("a." + extension)), () => image.SaveAsync(File("b." + extension))),
                ("path, format, quality", () => image.Save(File("c"), format, 80), () => image.SaveAsync(File("d"), format, 80)),
                ("path, format", () => image.Save(File("e"), format), () => image.SaveAsync(File("f"), format)),
                ("path, options", () => image.Save(File("g." + extension), options), () => image.SaveAsync(File("h." + extension), options)),
                ("path, format, options", () => image.Save(File("i"), format, options), () => image.SaveAsync(File("j"), format, options)),
            };
            var names = new[] { ("a." + extension, "b." + extension), ("c", "d"), ("e", "f"), ("g." + extension, "h." + extension), ("i", "j") };
            foreach (var ((_, sync, asyncSave), (a, b)) in saves.Zip(names))
            {
                var syncError = Record.Exception(sync);
                var asyncError = await Record.ExceptionAsync(asyncSave);
                Assert.Equal(syncError?.GetType(), asyncError?.GetType());
                Assert.Equal((syncError as PixbridgeException)?.Code, (asyncError as PixbridgeException)?.Code);
                // The messages name the file, which differs.
                Assert.Equal(syncError?.Message.Replace(File(a), "<path>"), asyncError?.Message.Replace(File(b), "<path>"));
            }
            foreach (var (a, b) in names)
            {
                Assert.Equal(System.IO.File.Exists(File(a)), System.IO.File.Exists(File(b)));
                if (System.IO.File.Exists(File(a)))
                {
                    Assert.True(Read(a).AsSpan().SequenceEqual(Read(b)), $"{a} and {b} differ");
                }
            }

            // Streams: encoded natively, then written with WriteAsync only.
            var expected = Outcome(() => image.Encode(format, options));
            var stream = new AsyncOnlyStream(writable: true);
            var written = await OutcomeAsync(async () =>
            {
                await image.SaveAsync(stream, format, options);
                return stream.Written;
            });
            Assert.Equal(expected, written);
            Assert.Equal(expected.Contains(':') ? 0 : 1, stream.AsyncCalls);
            var quality = new AsyncOnlyStream(writable: true);
            Assert.Equal(Outcome(() => image.Encode(format)), await OutcomeAsync(async () =>
            {
                await image.SaveAsync(quality, format);
                return quality.Written;
            }));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // ---- Arguments and errors ----

    [Fact]
    public async Task ArgumentsAndDisposalAreCheckedAtOnceNativeErrorsComeInTheTask()
    {
        var disposed = Image.FromPixels(4, 4, new byte[64]);
        disposed.Dispose();
        Assert.IsType<ObjectDisposedException>(ThrownAtOnce(() => _ = disposed.BlurAsync(1f)));
        Assert.IsType<ObjectDisposedException>(ThrownAtOnce(() => _ = disposed.MirrorAsync()));
        Assert.IsType<ObjectDisposedException>(ThrownAtOnce(() => _ = disposed.EncodeAsync(ImageFormat.Png)));
        Assert.IsType<ObjectDisposedException>(ThrownAtOnce(() => _ = disposed.SaveAsync(Path.Combine(Path.GetTempPath(), "never.png"))));

        using var image = Image.FromPixels(4, 4, new byte[64]);
        Assert.IsType<ArgumentOutOfRangeException>(ThrownAtOnce(() => _ = image.ResizeAsync(-1, 4, ResizeFilter.Nearest)));
        Assert.IsType<ArgumentOutOfRangeException>(ThrownAtOnce(() => _ = image.ResizeAsync(4, 4, (ResizeFilter)99)));
        Assert.IsType<ArgumentOutOfRangeException>(ThrownAtOnce(() => _ = image.EncodeAsync((ImageFormat)99)));
        Assert.IsType<ArgumentOutOfRangeException>(ThrownAtOnce(() => _ = image.EncodeAsync(ImageFormat.Jpeg, 0)));
        Assert.IsType<ArgumentNullException>(ThrownAtOnce(() => _ = Image.OpenAsync(null!)));
        Assert.IsType<ArgumentException>(ThrownAtOnce(() => _ = Image.OpenAsync("")));
        Assert.IsType<ArgumentNullException>(ThrownAtOnce(() => _ = Image.LoadAsync((Stream)null!)));
        Assert.IsType<ArgumentException>(ThrownAtOnce(() => _ = image.SaveAsync(new AsyncOnlyStream(), ImageFormat.Png)));
        Assert.IsType<ArgumentOutOfRangeException>(ThrownAtOnce(() => _ = Image.ThumbnailAsync(Rocket, 0, 10)));

        // Native errors: in the task, with the code and the message of the synchronous call (the
        // message is read on the Pixbridge thread that made the call).
        var syncBlur = Assert.Throws<PixbridgeException>(() => image.Blur(-1f));
        var asyncBlur = await Assert.ThrowsAsync<PixbridgeException>(() => image.BlurAsync(-1f));
        Assert.Equal((ErrorCode.InvalidArgument, syncBlur.Message), (asyncBlur.Code, asyncBlur.Message));
        var missing = Path.Combine(Path.GetTempPath(), $"pixbridge-missing-{Guid.NewGuid():N}.png");
        var syncOpen = Assert.Throws<PixbridgeException>(() => Image.Open(missing));
        var asyncOpen = await Assert.ThrowsAsync<PixbridgeException>(() => Image.OpenAsync(missing));
        Assert.Equal((ErrorCode.NotFound, syncOpen.Message), (asyncOpen.Code, asyncOpen.Message));
        var syncCrop = Assert.Throws<PixbridgeException>(() => image.Crop(0, 0, 5, 5));
        var asyncCrop = await Assert.ThrowsAsync<PixbridgeException>(() => image.CropAsync(0, 0, 5, 5));
        Assert.Equal((syncCrop.Code, syncCrop.Message), (asyncCrop.Code, asyncCrop.Message));
    }

    // ---- Cancellation ----

    [Fact]
    public async Task ATokenCancelledBeforeTheCallGivesACancelledTaskAndNoNativeWork()
    {
        using var image = Image.FromPixels(64, 64, AsyncSupport.Pattern(64, 64));
        var before = TestData.PixelSha256(image);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var progress = new ProgressRecorder();
        var file = Path.Combine(Path.GetTempPath(), $"pixbridge-never-{Guid.NewGuid():N}.png");
        var stream = new AsyncOnlyStream(File.ReadAllBytes(Rocket));
        var output = new AsyncOnlyStream(writable: true);
        var tasks = new Task[]
        {
            image.BlurAsync(2f, progress, cts.Token),
            image.MirrorAsync(progress, cts.Token),
            image.GammaAsync(2f, progress, cts.Token),
            image.EncodeAsync(ImageFormat.Png, null, progress, cts.Token),
            image.SaveAsync(file, progress, cts.Token),
            image.SaveAsync(output, ImageFormat.Png, null, progress, cts.Token),
            Image.OpenAsync(Rocket, null, progress, cts.Token),
            Image.LoadAsync(stream, null, progress, cts.Token),
            Image.LoadAsync(File.ReadAllBytes(Rocket), null, progress, cts.Token),
            Image.ThumbnailAsync(Rocket, 10, 10, ThumbnailFit.Contain, null, progress, cts.Token),
        };
        foreach (var task in tasks)
        {
            // Complete already: nothing was queued.
            Assert.True(task.IsCanceled, $"task {Array.IndexOf(tasks, task)} is {task.Status}");
            var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
            Assert.Equal(cts.Token, e.CancellationToken);
        }
        Assert.Empty(progress.Values);
        Assert.False(File.Exists(file));
        Assert.Equal(0, stream.AsyncCalls);
        Assert.Equal(0, output.AsyncCalls);
        Assert.Equal(before, TestData.PixelSha256(image));
    }

    [Fact]
    public async Task ABlurCancelledMidWayEndsAsCancelledWithTheTokenAndLeavesTheSourceAlone()
    {
        using var source = AsyncSupport.Large();
        var before = TestData.PixelSha256(source);
        using var cts = new CancellationTokenSource();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cancelledAt = TimeSpan.Zero;
        // Cancelled from inside the progress handler, so the point is deterministic: after 20 %.
        var progress = new ProgressRecorder(fraction =>
        {
            if (fraction > 0.2f && !cts.IsCancellationRequested)
            {
                cancelledAt = clock.Elapsed;
                cts.Cancel();
            }
        });
        var task = source.BlurAsync(30f, progress, cts.Token);
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        var latency = clock.Elapsed - cancelledAt;
        Assert.True(task.IsCanceled);
        Assert.Equal(cts.Token, e.CancellationToken);
        progress.AssertStrictlyIncreasing();
        Assert.Contains(progress.Values, f => f > 0.2f);
        Assert.All(progress.Values, f => Assert.True(f < 1f, $"reported {f} for cancelled work"));
        Assert.Equal(before, TestData.PixelSha256(source));
        _output.WriteLine($"cancelled at {cancelledAt.TotalMilliseconds:F0} ms ({progress.Values.Length} reports), task ended {latency.TotalMilliseconds:F1} ms later");
        Assert.True(latency < TimeSpan.FromSeconds(2), $"the task ended {latency} after the cancel");
    }

    [Fact]
    public async Task ACancelAfterCompletionLeavesTheResultValid()
    {
        using var source = Image.Open(Rocket);
        using var expected = source.Blur(3f);
        using var cts = new CancellationTokenSource();
        var progress = new ProgressRecorder();
        using var blurred = await source.BlurAsync(3f, progress, cts.Token);
        cts.Cancel();
        Assert.Equal(TestData.PixelSha256(expected), TestData.PixelSha256(blurred));
        Assert.Equal(1f, progress.Values[^1]);

        using var mirrored = Image.Open(Rocket);
        using var again = new CancellationTokenSource();
        await mirrored.MirrorAsync(cancellationToken: again.Token);
        again.Cancel();
        source.Mirror();
        Assert.Equal(TestData.PixelSha256(source), TestData.PixelSha256(mirrored));
    }

    /// <summary>The in-place operations' async twins, with arguments valid for each (1.5 or 10).</summary>
    private static IEnumerable<(string Name, Func<Image, IProgress<float>?, CancellationToken, Task> Run, Action<Image> Sync)> InPlaceOperations()
    {
        foreach (var twin in typeof(Image).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                     .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.ReturnType == typeof(Task)
                         && m.GetParameters()[0].ParameterType != typeof(string) && m.GetParameters()[0].ParameterType != typeof(Stream)))
        {
            var sync = typeof(Image).GetMethod(twin.Name[..^"Async".Length], BindingFlags.Public | BindingFlags.Instance)!;
            var arguments = sync.GetParameters().Select(p => p.ParameterType == typeof(float) ? (object)1.5f : 10).ToArray();
            yield return (twin.Name,
                (image, progress, token) => (Task)twin.Invoke(image, arguments.Append(progress).Append(token).ToArray())!,
                image => sync.Invoke(image, arguments));
        }
    }

    [Fact]
    public async Task InPlaceOperationsCancelledMidWayLeaveThePixelsByteIdentical()
    {
        var cancelledMidWay = new List<string>();
        foreach (var (name, run, sync) in InPlaceOperations())
        {
            using var image = AsyncSupport.Large();
            var before = TestData.PixelSha256(image);
            using var cts = new CancellationTokenSource();
            var progress = new ProgressRecorder(fraction =>
            {
                if (fraction < 1f)
                {
                    cts.Cancel();
                }
            });
            var task = run(image, progress, cts.Token);
            try
            {
                await task;
                // Finished before it reported anything but the end: the change is whole.
                using var expected = AsyncSupport.Large();
                sync(expected);
                Assert.True(TestData.PixelSha256(expected) == TestData.PixelSha256(image), $"{name} completed with other pixels than {name[..^5]}");
            }
            catch (OperationCanceledException e)
            {
                Assert.Equal(cts.Token, e.CancellationToken);
                Assert.True(before == TestData.PixelSha256(image), $"{name} cancelled mid-way changed the pixels");
                cancelledMidWay.Add(name);
            }
            progress.AssertStrictlyIncreasing();
        }
        _output.WriteLine($"cancelled mid-way: {string.Join(", ", cancelledMidWay)}");
        Assert.NotEmpty(cancelledMidWay);
    }

    [Fact]
    public async Task ACancelledSaveWritesNoFileAndKeepsAnExistingOne()
    {
        using var image = AsyncSupport.Large();
        var directory = Directory.CreateTempSubdirectory("pixbridge-async-cancel-");
        try
        {
            var fresh = Path.Combine(directory.FullName, "fresh.png");
            var existing = Path.Combine(directory.FullName, "existing.png");
            File.WriteAllBytes(existing, new byte[] { 1, 2, 3 });
            foreach (var path in new[] { fresh, existing })
            {
                using var cts = new CancellationTokenSource();
                var progress = new ProgressRecorder(fraction =>
                {
                    if (fraction < 1f)
                    {
                        cts.Cancel();
                    }
                });
                var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(
                    () => image.SaveAsync(path, progress, cts.Token));
                Assert.Equal(cts.Token, e.CancellationToken);
            }
            Assert.False(File.Exists(fresh));
            Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(existing));
            Assert.Equal(new[] { "existing.png" }, directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ACancelledDecodeFromAStreamEndsAsCancelled()
    {
        using var large = AsyncSupport.Large();
        var png = large.Encode(ImageFormat.Png);
        using var cts = new CancellationTokenSource();
        var progress = new ProgressRecorder(fraction =>
        {
            if (fraction < 1f)
            {
                cts.Cancel();
            }
        });
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Image.LoadAsync(new AsyncOnlyStream(png), null, progress, cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    // ---- Progress ----

    [Fact]
    public async Task ProgressStrictlyIncreasesAndEndsAtOne()
    {
        using var source = AsyncSupport.Large();
        var progress = new ProgressRecorder();
        using (await source.BlurAsync(8f, progress))
        {
        }
        progress.AssertStrictlyIncreasing();
        Assert.True(progress.Values.Length > 2, $"only {progress.Values.Length} reports for a 12 MP blur");
        Assert.Equal(1f, progress.Values[^1]);

        // Every kind of call reports its completion, even when it is too short for anything else.
        var small = Image.FromPixels(8, 8, AsyncSupport.Pattern(8, 8));
        using (small)
        {
            var calls = new Func<IProgress<float>, Task>[]
            {
                p => small.MirrorAsync(p),
                p => small.Rotate90Async(p),
                p => small.EncodeAsync(ImageFormat.Png, null, p),
                p => small.SaveAsync(new MemoryStream(), ImageFormat.Bmp, null, p),
                p => Image.OpenAsync(Rocket, null, p),
                p => Image.ThumbnailAsync(File.ReadAllBytes(Rocket), 20, 20, ThumbnailFit.Cover, null, p),
            };
            foreach (var call in calls)
            {
                var recorder = new ProgressRecorder();
                var task = call(recorder);
                await task;
                (task as Task<Image>)?.Result.Dispose();
                recorder.AssertStrictlyIncreasing();
                Assert.Equal(1f, recorder.Values[^1]);
            }
        }
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task TheProgressHandlerRunsInTheCallersExecutionContext()
    {
        using var source = Image.Open(Rocket);
        Ambient.Value = "the caller's";
        var seen = new List<string?>();
        var progress = new ProgressRecorder(_ =>
        {
            lock (seen)
            {
                seen.Add(Ambient.Value);
            }
        });
        using (await source.BlurAsync(6f, progress))
        {
        }
        Assert.NotEmpty(seen);
        Assert.All(seen, value => Assert.Equal("the caller's", value));
    }

    [Fact]
    public async Task AProgressHandlerThatThrowsCancelsTheWorkAndFailsTheTask()
    {
        using var source = AsyncSupport.Large();
        var failure = new InvalidOperationException("the handler failed");
        var progress = new ProgressRecorder(_ => throw failure);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => source.BlurAsync(8f, progress));
        Assert.Same(failure, e);
        Assert.NotEmpty(progress.Values);
    }

    // ---- Threads and concurrency ----

    [Fact]
    public async Task ManyConcurrentCallsQueueOnTheDedicatedThreadsAndMatchTheSynchronousResults()
    {
        const int count = 200;
        var images = Enumerable.Range(0, count).Select(i => Image.FromPixels(48, 32, AsyncSupport.Pattern(48, 32, seed: i))).ToArray();
        try
        {
            var expected = images.Select(image =>
            {
                using var blurred = image.Blur(2.5f);
                return TestData.PixelSha256(blurred);
            }).ToArray();
            var recorders = images.Select(_ => new ProgressRecorder()).ToArray();
            var tasks = images.Select((image, i) => AsyncSupport.HashOf(image.BlurAsync(2.5f, recorders[i]))).ToArray();

            // Queued work does not hold thread-pool threads: the pool still answers at once.
            var pool = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(42, await Task.Run(() => 42));
            _output.WriteLine($"thread pool answered in {pool.Elapsed.TotalMilliseconds:F1} ms with {count} calls queued");

            var hashes = await Task.WhenAll(tasks);
            Assert.Equal(expected, hashes);
            // Progress comes from the thread that made the native call (a Pixbridge thread) or
            // from a native worker (no .NET name), never from the thread pool.
            var callers = recorders.SelectMany(r => r.ThreadNames).Where(name => name is not null).Distinct().ToList();
            Assert.All(callers, name => Assert.StartsWith("Pixbridge async ", name));
            Assert.True(callers.Count <= NativeWork.ThreadCount, $"{callers.Count} calling threads: {string.Join(", ", callers)}");
            Assert.Equal(Image.NativeWorkerThreads, NativeWork.ThreadCount);
            Assert.All(recorders, r => Assert.DoesNotContain(true, r.PoolThreads));
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    [Fact]
    public async Task AsyncReadsOfOneImageAgreeWithInPlaceChangesSerialised()
    {
        using var image = Image.Open(Rocket);
        using var expected = image.Blur(2f);
        var reads = Enumerable.Range(0, 24).Select(_ => AsyncSupport.HashOf(image.BlurAsync(2f))).ToArray();
        Assert.All(await Task.WhenAll(reads), hash => Assert.Equal(TestData.PixelSha256(expected), hash));

        // Mirror twice, concurrently with blurs: each blur sees the whole original or the whole mirror.
        using var mirroredCopy = Image.Open(Rocket);
        mirroredCopy.Mirror();
        using var mirroredBlur = mirroredCopy.Blur(2f);
        var mixed = new List<Task<string>>();
        var mirrors = new List<Task>();
        for (var i = 0; i < 8; i++)
        {
            mixed.Add(AsyncSupport.HashOf(image.BlurAsync(2f)));
            mirrors.Add(image.MirrorAsync());
        }
        await Task.WhenAll(mirrors);
        Assert.All(await Task.WhenAll(mixed),
            hash => Assert.True(hash == TestData.PixelSha256(expected) || hash == TestData.PixelSha256(mirroredBlur), "a blur saw a half-mirrored image"));
        Assert.Equal(TestData.PixelSha256(expected), await AsyncSupport.HashOf(image.BlurAsync(2f)));
    }
}
