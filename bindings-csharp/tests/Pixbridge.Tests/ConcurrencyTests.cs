using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>Many threads give the same results as one.</summary>
public sealed class ConcurrencyTests
{
    private const int Threads = 8;

    private static string Pipeline(string input)
    {
        using var image = Image.Open(TestData.PathOf(input));
        using var blurred = image.Blur(2f);
        blurred.Mirror();
        using var small = blurred.Resize(160, 120, ResizeFilter.Bilinear);
        small.AdjustContrast(15f);
        return TestData.PixelSha256(small);
    }

    [Fact]
    public void ParallelPipelinesOnOwnImagesMatchSingleThreaded()
    {
        var inputs = new[] { "rocket.jpg", "chelsea.png", "coffee.png" };
        var expected = inputs.ToDictionary(input => input, Pipeline);
        var results = new ConcurrentBag<(string Input, string Hash)>();
        Parallel.For(0, Threads * 3, new ParallelOptions { MaxDegreeOfParallelism = Threads }, i =>
        {
            var input = inputs[i % inputs.Length];
            results.Add((input, Pipeline(input)));
        });
        Assert.Equal(Threads * 3, results.Count);
        Assert.All(results, r => Assert.Equal(expected[r.Input], r.Hash));
    }

    [Fact]
    public void ManyThreadsReadingOneImageAgree()
    {
        using var shared = Image.Open(TestData.PathOf("rocket.jpg"));
        string Blurred()
        {
            using var result = shared.Blur(1.5f);
            return TestData.PixelSha256(result);
        }
        var expected = Blurred();
        var hashes = new string[Threads];
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() => hashes[i] = Blurred())).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        Assert.All(hashes, hash => Assert.Equal(expected, hash));
    }

    [Fact]
    public async Task RacingInPlaceOperationsAndDisposeNeverCrash()
    {
        for (var round = 0; round < 20; round++)
        {
            var image = Image.FromPixels(64, 64, new byte[64 * 64 * 4]);
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < 50; i++)
                {
                    try
                    {
                        image.Mirror();
                        image.AdjustBrightness(1);
                        using var copy = image.Rotate90();
                    }
                    catch (ObjectDisposedException)
                    {
                        return; // disposed by the racing thread: the only acceptable failure
                    }
                }
            })).ToArray();
            Thread.Sleep(1);
            image.Dispose();
            await Task.WhenAll(workers);
        }
    }

    [Fact]
    public void ErrorMessagesStayWithTheirThread()
    {
        Parallel.For(0, Threads * 4, i =>
        {
            using var image = Image.FromPixels(4, 4, new byte[64]);
            var e = Assert.Throws<PixbridgeException>(() => image.Crop(0, 0, 5 + i, 5));
            Assert.Equal(ErrorCode.InvalidArgument, e.Code);
            Assert.Contains((5 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        });
    }
}
