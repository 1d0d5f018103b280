using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Pixbridge.Tests;

/// <summary>
/// Asynchronous calls and the process-wide state: the live image, buffer and control counters,
/// disposal during asynchronous work, the queue of the Pixbridge threads (held busy here on
/// purpose), and thousands of cancelled calls. Serial, because the counters and the threads are
/// shared by the whole process.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class AsyncSerialTests
{
    private readonly ITestOutputHelper _output;

    public AsyncSerialTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string BlurHash(Image image, float sigma)
    {
        using var blurred = image.Blur(sigma);
        return TestData.PixelSha256(blurred);
    }

    [Fact]
    public async Task AnAsyncCallHoldsOneControlWhileItRunsAndNoneAfterwards()
    {
        var baseline = NativeCounters.Settled();
        Assert.Equal(0, baseline.Controls);
        var image = AsyncSupport.Large();
        long during = -1;
        var progress = new ProgressRecorder(_ => Interlocked.CompareExchange(ref during, Diagnostics.LiveControlCount, -1));
        using (await image.BlurAsync(4f, progress))
        {
        }
        Assert.Equal(1, Interlocked.Read(ref during));

        // A token cancelled already: no control is even made.
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = image.BlurAsync(4f, progress, cts.Token);
        Assert.Equal(0, Diagnostics.LiveControlCount);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        image.Dispose();
        Assert.Equal(baseline, NativeCounters.Settled());
    }

    /// <summary>
    /// Holds every Pixbridge thread in a progress handler (at the end of a tiny call, on the calling
    /// thread), so that the next calls wait in the queue: a cancelled one completes at once without
    /// running, and one whose source is disposed while it waits still runs on that source later.
    /// </summary>
    [Fact]
    public async Task QueuedCallsCompleteAtOnceWhenCancelledAndKeepTheirDisposedSourceAlive()
    {
        var threads = NativeWork.ThreadCount;
        var pattern = AsyncSupport.Pattern(64, 64, seed: 5);
        string expected;
        using (var reference = Image.FromPixels(64, 64, pattern))
        {
            expected = BlurHash(reference, 2f);
        }
        var baseline = NativeCounters.Settled();

        using var release = new ManualResetEventSlim();
        using var entered = new CountdownEvent(threads);
        var blockerImages = Enumerable.Range(0, threads).Select(_ => Image.FromPixels(1, 1, new byte[4])).ToArray();
        var blockers = new List<Task>();
        Task<Image>? victim = null;
        Task<Image>? survivor = null;
        var victimProgress = new ProgressRecorder();
        using var cts = new CancellationTokenSource();
        try
        {
            foreach (var image in blockerImages)
            {
                blockers.Add(image.MirrorAsync(new ProgressRecorder(fraction =>
                {
                    if (fraction == 1f)
                    {
                        entered.Signal();
                        release.Wait();
                    }
                })));
            }
            Assert.True(entered.Wait(TimeSpan.FromSeconds(60)), "the blockers did not all start");

            using var source = Image.FromPixels(64, 64, pattern);
            victim = source.BlurAsync(2f, victimProgress, cts.Token);
            var disposedWhileQueued = Image.FromPixels(64, 64, pattern);
            survivor = disposedWhileQueued.BlurAsync(2f);
            var images = Diagnostics.LiveImageCount;
            disposedWhileQueued.Dispose();
            Assert.Throws<ObjectDisposedException>(() => disposedWhileQueued.Width);
            Assert.Equal(images, Diagnostics.LiveImageCount); // not freed: its queued call holds it
            Assert.Equal(threads + 2, Diagnostics.LiveControlCount);

            await Task.Delay(100);
            Assert.False(victim.IsCompleted, "a call ran while every Pixbridge thread was busy");
            cts.Cancel();
            // Completed by the cancel itself (its callback ran on this thread), without running.
            Assert.True(victim.IsCanceled, $"the queued call is {victim.Status}");
            var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => victim);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(threads + 1, Diagnostics.LiveControlCount);
            Assert.False(survivor.IsCompleted);
        }
        finally
        {
            release.Set();
            await Task.WhenAll(blockers);
            foreach (var image in blockerImages)
            {
                image.Dispose();
            }
        }
        Assert.Equal(expected, await AsyncSupport.HashOf(survivor!));
        Assert.Empty(victimProgress.Values);
        Assert.Equal(baseline, NativeCounters.Settled());
    }

    [Fact]
    public async Task DisposingAnImageDuringAsyncWorkDefersTheFreeUntilTheWorkEnds()
    {
        string expected;
        using (var reference = AsyncSupport.Large())
        {
            expected = BlurHash(reference, 30f);
        }
        var baseline = NativeCounters.Settled();

        // A long fresh operation: the source is disposed at once, the result is still right.
        var source = AsyncSupport.Large();
        var blurring = source.BlurAsync(30f);
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => source.Width);
        Assert.Throws<ObjectDisposedException>(() => { _ = source.BlurAsync(1f); });
        Assert.True(Diagnostics.LiveImageCount >= baseline.Images + 1, "the source was freed while its blur ran");
        using (var blurred = await blurring)
        {
            Assert.Equal(expected, TestData.PixelSha256(blurred));
        }
        Assert.Equal(baseline, NativeCounters.Settled());

        // An in-place operation: it completes on the disposed image, which then goes.
        var changed = AsyncSupport.Large();
        var gamma = changed.GammaAsync(1.5f);
        changed.Dispose();
        await gamma;
        Assert.Equal(baseline, NativeCounters.Settled());

        // Disposed and cancelled mid-way.
        using var cts = new CancellationTokenSource();
        var cancelled = AsyncSupport.Large();
        var task = cancelled.BlurAsync(30f, new ProgressRecorder(f =>
        {
            if (f > 0.1f)
            {
                cts.Cancel();
            }
        }), cts.Token);
        cancelled.Dispose();
        try
        {
            (await task).Dispose();
        }
        catch (OperationCanceledException)
        {
        }
        Assert.Equal(baseline, NativeCounters.Settled());
    }

    [Fact]
    public async Task ThousandsOfCancelledCallsLeaveNoHandlesAndBoundedMemory()
    {
        using var source = Image.FromPixels(512, 384, AsyncSupport.Pattern(512, 384, seed: 3));
        using var changed = Image.FromPixels(512, 384, AsyncSupport.Pattern(512, 384, seed: 4));
        var encoded = source.Encode(ImageFormat.Png);
        // Warm up (the first calls load code and fill caches), then measure.
        for (var i = 0; i < 20; i++)
        {
            using var warm = await source.BlurAsync(3f);
        }
        Image.TrimNativeMemory();
        var baseline = NativeCounters.Settled();
        var rssStart = AsyncSupport.ResidentKilobytes();

        int cancelled = 0, completed = 0, failed = 0;
        async Task Settle(IEnumerable<Task> tasks)
        {
            foreach (var task in tasks)
            {
                try
                {
                    await task;
                    (task as Task<Image>)?.Result.Dispose();
                    completed++;
                }
                catch (OperationCanceledException)
                {
                    cancelled++;
                }
                catch (InvalidOperationException)
                {
                    failed++; // the progress handler's own exception
                }
            }
        }

        for (var round = 0; round < 20; round++)
        {
            // 1. Each cancelled mid-way by its own progress handler, at its first report.
            var sources = new List<CancellationTokenSource>();
            var midWay = new List<Task>();
            for (var i = 0; i < 60; i++)
            {
                var cts = new CancellationTokenSource();
                sources.Add(cts);
                var progress = new ProgressRecorder(fraction =>
                {
                    if (fraction < 1f)
                    {
                        cts.Cancel();
                    }
                });
                midWay.Add((i % 4) switch
                {
                    0 => source.BlurAsync(6f, progress, cts.Token),
                    1 => changed.AdjustContrastAsync(5f, progress, cts.Token),
                    2 => Image.LoadAsync(encoded, null, progress, cts.Token),
                    _ => source.EncodeAsync(ImageFormat.Png, new EncodeOptions { PngCompression = 6 }, progress, cts.Token),
                });
            }
            await Settle(midWay);
            sources.ForEach(cts => cts.Dispose());

            // 2. Cancelled by the caller right after queueing: some wait in the queue, some run.
            using (var cts = new CancellationTokenSource())
            {
                var tasks = Enumerable.Range(0, 60).Select(i => i % 2 == 0
                    ? (Task)source.ResizeAsync(300, 200, ResizeFilter.Lanczos3, null, cts.Token)
                    : changed.GammaAsync(1.1f, new ProgressRecorder(), cts.Token)).ToList();
                cts.Cancel();
                await Settle(tasks);
            }

            // 3. Cancelled before the call.
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                await Settle(Enumerable.Range(0, 60).Select(_ => (Task)source.BlurAsync(2f, null, cts.Token)).ToList());
            }

            // 4. Progress handlers that throw.
            await Settle(Enumerable.Range(0, 5).Select(i =>
                (Task)source.BlurAsync(6f, new ProgressRecorder(fraction => throw new InvalidOperationException($"handler {i}: {fraction}"))))
                .ToList());
        }

        Image.TrimNativeMemory();
        var after = NativeCounters.Settled();
        var rssEnd = AsyncSupport.ResidentKilobytes();
        _output.WriteLine($"{cancelled} cancelled, {completed} completed, {failed} failed in the handler; " +
            $"RSS {rssStart} kB -> {rssEnd} kB; live {baseline} -> {after}");
        Assert.True(cancelled >= 2000, $"only {cancelled} calls were cancelled");
        Assert.Equal(100, failed);
        Assert.Equal(baseline, after);
        Assert.True(rssEnd - rssStart < 200 * 1024, $"RSS grew from {rssStart} kB to {rssEnd} kB");
    }
}
