using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>Tests that read the process-wide live-handle counters run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection
{
}

/// <summary>Dispose, finalization and the native live-handle counters.</summary>
[Collection(nameof(SerialCollection))]
public sealed class LifetimeTests
{
    private static Image Small() => Image.FromPixels(4, 4, new byte[4 * 4 * 4]);

    [Fact]
    public void TrimNativeMemoryGivesDisposedImagesMemoryBack()
    {
        // 2000 x 1500 RGBA8: 12 MB, a block the native allocator keeps for reuse once freed.
        var pixels = new byte[2000 * 1500 * 4];
        Image.FromPixels(2000, 1500, pixels).Dispose();
        // At least that block (finalizers may free others at any time, so no upper bound).
        Assert.True(Image.TrimNativeMemory() >= pixels.Length);
    }

    [Fact]
    public void EveryMemberThrowsObjectDisposedExceptionAfterDispose()
    {
        var image = Small();
        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => image.Width);
        Assert.Throws<ObjectDisposedException>(() => image.Height);
        Assert.Throws<ObjectDisposedException>(() => image.ColorType);
        Assert.Throws<ObjectDisposedException>(() => image.PixelByteCount);
        Assert.Throws<ObjectDisposedException>(() => image.Blur(1f));
        Assert.Throws<ObjectDisposedException>(() => image.Mirror());
        Assert.Throws<ObjectDisposedException>(() => image.Crop(0, 0, 1, 1));
        Assert.Throws<ObjectDisposedException>(() => image.Encode(ImageFormat.Png));
        Assert.Throws<ObjectDisposedException>(() => image.Save(Path.Combine(Path.GetTempPath(), "never-written.png")));
        Assert.Throws<ObjectDisposedException>(() => image.Save(new MemoryStream(), ImageFormat.Png));
        Assert.Throws<ObjectDisposedException>(() => image.CopyPixels(new byte[64]));
        Assert.Throws<ObjectDisposedException>(() => image.ToPixelArray());
        Assert.Throws<ObjectDisposedException>(() => image.WithPixels(static _ => { }));
        Assert.Equal("Image (disposed)", image.ToString());
    }

    [Fact]
    public void DoubleDisposeIsHarmlessAndFreesOnce()
    {
        var baseline = NativeCounters.SettledImages();
        var image = Small();
        Assert.Equal(baseline + 1, Diagnostics.LiveImageCount);
        image.Dispose();
        image.Dispose();
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
        using var other = Small();
        Assert.Equal(baseline + 1, Diagnostics.LiveImageCount);
    }

    [Fact]
    public void ForgottenImagesAreFreedByTheGarbageCollector()
    {
        var baseline = NativeCounters.SettledImages();
        const int count = 5000;
        Abandon(count);
        Assert.Equal(baseline, NativeCounters.SettledImages());
        Assert.Equal(0, Diagnostics.LiveBufferCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(int count)
    {
        var before = Diagnostics.LiveImageCount;
        for (var i = 0; i < count; i++)
        {
            var image = Small();
            using var blurred = image.Blur(1f); // a fresh result that IS disposed
            _ = image.Width;
        }
        // Some may already have been finalized; none can be freed twice.
        Assert.True(Diagnostics.LiveImageCount <= before + count);
    }

    /// <summary>A 2048x2048 image: 16 MiB of native pixels.</summary>
    private static Image Large(byte[] pixels) => Image.FromPixels(2048, 2048, pixels);

    [Fact]
    public void DisposedImagesNeverInduceACollection()
    {
        NativeCounters.Settled();
        var pixels = new byte[2048 * 2048 * 4];
        var (induced, unreleased) = (NativeMemoryPressure.InducedCollections, NativeMemoryPressure.UnreleasedBytes);
        // 40 x 16 MiB = 640 MiB in all, more than any threshold, but never more than one alive.
        for (var i = 0; i < 40; i++)
        {
            using var image = Large(pixels);
            using var blurred = image.Blur(0.5f);
            Assert.Equal(unreleased + 2 * pixels.Length, NativeMemoryPressure.UnreleasedBytes);
        }
        Assert.Equal(induced, NativeMemoryPressure.InducedCollections);
        Assert.Equal(unreleased, NativeMemoryPressure.UnreleasedBytes);
    }

    [Fact]
    public void ForgottenLargeImagesInduceACollectionThatFreesThem()
    {
        var baseline = NativeCounters.SettledImages();
        var unreleased = NativeMemoryPressure.UnreleasedBytes;
        var induced = NativeMemoryPressure.InducedCollections;
        // After settling, the threshold is at most twice the minimum (see NativeMemoryPressure.Remove),
        // so this many forgotten 16 MiB images cross it.
        var count = (int)(2 * NativeMemoryPressure.MinCollectBytes / (2048 * 2048 * 4)) + 1;
        AbandonLarge(count);
        Assert.True(NativeMemoryPressure.InducedCollections > induced, "no collection was induced");
        Assert.Equal(baseline, NativeCounters.SettledImages());
        Assert.Equal(unreleased, NativeMemoryPressure.UnreleasedBytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonLarge(int count)
    {
        var pixels = new byte[2048 * 2048 * 4];
        for (var i = 0; i < count; i++)
        {
            _ = Large(pixels).Width; // never disposed
        }
    }

    [Fact]
    public void WithPixelsShowsInPlaceChanges()
    {
        using var image = Image.FromPixels(2, 1, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        Assert.True(image.WithPixels(static pixels => pixels.SequenceEqual(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })));
        image.Mirror();
        Assert.True(image.WithPixels(static pixels => pixels.SequenceEqual(new byte[] { 5, 6, 7, 8, 1, 2, 3, 4 })));
    }

    [Fact]
    public void EncodeLeavesNoBuffersBehind()
    {
        using var image = Small();
        for (var i = 0; i < 50; i++)
        {
            _ = image.Encode(ImageFormat.Png);
        }
        Assert.Throws<PixbridgeException>(() => image.Encode(ImageFormat.Png, 50));
        Assert.Equal(0, Diagnostics.LiveBufferCount);
    }
}
