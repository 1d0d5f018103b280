using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// <see cref="Image.SetNativeWorkerThreads"/> and <see cref="Image.NativeWorkerThreads"/>. The
/// pool is per process and its size is fixed at the first call that works on images, so the
/// setting is made by a module initializer, before any test runs; the environment variable is
/// covered by the C ABI's tests (ffi/tests/worker_threads.rs), in fresh processes.
/// </summary>
public sealed class WorkerThreadsTests
{
    /// <summary>The count the initializer sets: 3, unlike the 2 cores of CI, so that it shows.</summary>
    internal const int Configured = 3;

    private static int readBeforeStart = -1;
    private static Exception? setFailure;

    [ModuleInitializer]
    internal static void SetBeforeAnyTest()
    {
        try
        {
            Image.SetNativeWorkerThreads(Configured);
            readBeforeStart = Image.NativeWorkerThreads;
        }
        catch (Exception e)
        {
            setFailure = e;
        }
    }

    private static void WorkOnAnImage()
    {
        using var image = Image.Open(TestData.PathOf("rocket.jpg"));
        using var blurred = image.Blur(2f);
        Assert.Equal(image.Width, blurred.Width);
    }

    [Fact]
    public void ACountSetBeforeTheFirstWorkIsTheOneThePoolRunsWith()
    {
        Assert.Null(setFailure);
        Assert.Equal(Configured, readBeforeStart);
        WorkOnAnImage();
        Assert.Equal(Configured, Image.NativeWorkerThreads);
    }

    [Fact]
    public void OnceThePoolRunsTheSameCountIsAcceptedAndAnotherRefused()
    {
        WorkOnAnImage();
        Image.SetNativeWorkerThreads(Configured);
        var error = Assert.Throws<PixbridgeException>(() => Image.SetNativeWorkerThreads(Configured + 1));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains($"already runs with {Configured} threads", error.Message);
        Assert.Contains("PIXBRIDGE_WORKER_THREADS", error.Message);
        Assert.Equal(Configured, Image.NativeWorkerThreads);
    }

    [Fact]
    public void CountsOutOfRangeAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.SetNativeWorkerThreads(-1));
        var error = Assert.Throws<PixbridgeException>(() => Image.SetNativeWorkerThreads(1025));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("at most 1024", error.Message);
    }
}

/// <summary>
/// One image used by several threads at once: reads (new-image operations, encoding, copying the
/// pixels) run concurrently and agree with one thread alone; an in-place operation is serialised
/// with them, so every read sees the image wholly before or wholly after it.
/// </summary>
public sealed class SharedImageConcurrencyTests
{
    private const int Threads = 6;

    private static string BlurSha(Image image)
    {
        using var blurred = image.Blur(3f);
        return TestData.PixelSha256(blurred);
    }

    /// <summary>Through <see cref="Image.ToPixelArray"/>, which the native side serialises with
    /// in-place operations (the zero-copy <see cref="Image.WithPixels(PixelAction)"/> is not).</summary>
    private static string CopiedSha(Image image) => Convert.ToHexStringLower(SHA256.HashData(image.ToPixelArray()));

    private static string Everything(Image image) =>
        BlurSha(image) + " " + Convert.ToHexStringLower(SHA256.HashData(image.Encode(ImageFormat.Png))) + " " + TestData.PixelSha256(image);

    [Fact]
    public void ReadOnlyOperationsOnOneImageFromSeveralThreadsMatchOneThread()
    {
        using var image = Image.Open(TestData.PathOf("rocket.jpg"));
        var expected = Everything(image);
        using var start = new Barrier(Threads);
        var results = new string[Threads * 2];
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var round = 0; round < 2; round++)
            {
                try
                {
                    results[t * 2 + round] = Everything(image);
                }
                catch (Exception e)
                {
                    results[t * 2 + round] = e.ToString();
                }
            }
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public void InPlaceOperationsAreSerialisedWithReadsOfTheSameImage()
    {
        using var image = Image.Open(TestData.PathOf("rocket.jpg"));
        var original = CopiedSha(image);
        var originalBlur = BlurSha(image);
        image.Mirror();
        var mirrored = CopiedSha(image);
        var mirroredBlur = BlurSha(image);
        image.Mirror();
        Assert.NotEqual(original, mirrored);
        const int mirrors = 16;
        using var start = new Barrier(Threads + 1);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var writer = new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < mirrors; i++)
            {
                image.Mirror();
            }
        });
        var readers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                for (var round = 0; round < mirrors / 2; round++)
                {
                    var seen = CopiedSha(image);
                    Assert.True(seen == original || seen == mirrored, "a read saw a half-mirrored image");
                    var blur = BlurSha(image);
                    Assert.True(blur == originalBlur || blur == mirroredBlur, "a blur saw a half-mirrored image");
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        readers.Add(writer);
        readers.ForEach(thread => thread.Start());
        readers.ForEach(thread => thread.Join());
        Assert.Empty(failures);
        Assert.Equal(original, CopiedSha(image));
    }
}
