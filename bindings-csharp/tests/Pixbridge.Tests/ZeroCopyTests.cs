using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Issue 5: pixel views that allocate nothing, cached image facts that stay exact, and stream
/// decoding through each of its paths (exposed buffer, unmanaged memory, one copy).
/// </summary>
public sealed class ZeroCopyTests
{
    private static byte[] RandomPixels(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 4];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }

    [Fact]
    public void PixelViewsAllocateNothingInSteadyState()
    {
        using var image = Image.FromPixels(64, 32, RandomPixels(64, 32, 1));
        var sum = 0;
        using (var first = image.ViewPixels())
        {
            sum += first.Span[0]; // the first view may create the reusable lease
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            using var view = image.ViewPixels();
            sum += view.Span[i % view.Span.Length];
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum >= 0);
    }

    [Fact]
    public void OverlappingViewsEachHoldTheMemory()
    {
        var pattern = RandomPixels(8, 8, 2);
        var image = Image.FromPixels(8, 8, pattern);
        var first = image.ViewPixels();
        var second = image.ViewPixels();
        image.Dispose();
        first.Dispose();
        // The second view still holds its own reference.
        Assert.True(second.Span.SequenceEqual(pattern));
        Assert.Throws<ObjectDisposedException>(() => image.Width);
        second.Dispose();
    }
}

/// <summary>A stale copy of a disposed view must never release the reference of a later view.</summary>
[Collection(nameof(SerialCollection))]
public sealed class PixelViewLeaseTests
{

    [Fact]
    public void StaleCopyOfADisposedViewDoesNotReleaseALaterView()
    {
        var baseline = NativeCounters.SettledImages();
        var pattern = new byte[4 * 2 * 4];
        new Random(3).NextBytes(pattern);
        var image = Image.FromPixels(4, 2, pattern);
        var old = image.ViewPixels();
        var staleCopy = old;
        old.Dispose();
        var current = image.ViewPixels(); // reuses the lease that `old` released
        staleCopy.Dispose();
        staleCopy.Dispose();
        image.Dispose();
        // Only `current` keeps the native image alive now, and it still does.
        Assert.Equal(baseline + 1, Diagnostics.LiveImageCount);
        Assert.True(current.Span.SequenceEqual(pattern));
        current.Dispose();
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
    }

    [Fact]
    public async Task ViewsRacingWithDisposeNeverCrashOrLeak()
    {
        var baseline = NativeCounters.SettledImages();
        for (var round = 0; round < 200; round++)
        {
            var image = Image.FromPixels(16, 16, new byte[16 * 16 * 4]);
            var start = new Barrier(3);
            var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 200; i++)
                {
                    try
                    {
                        using var view = image.ViewPixels();
                        Assert.Equal(16 * 16 * 4, view.Span.Length);
                        Assert.Equal(0, view.Span[view.Span.Length - 1]);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            })).ToArray();
            start.SignalAndWait();
            image.Dispose();
            await Task.WhenAll(readers);
        }
        Assert.Equal(baseline, NativeCounters.SettledImages());
    }
}

/// <summary>The cached width, height and colour type always match the native image.</summary>
public sealed class CachedFactsTests
{
    /// <summary>
    /// The colour type the native library holds, read through the public API rather than a hook
    /// in the SDK: PNG stores L8, La8, Rgb8 and Rgba8 as they are, and a freshly loaded image
    /// takes its colour type from the native side.
    /// </summary>
    private static ColorType NativeColorType(Image image)
    {
        using var copy = Image.Load(image.Encode(ImageFormat.Png));
        return copy.ColorType;
    }

    [Fact]
    public void ColorTypeCacheFollowsGrayscaleAndMatchesTheNativeValue()
    {
        using var photo = Image.Open(TestData.PathOf("rocket.jpg"));
        Assert.Equal(ColorType.Rgb8, photo.ColorType);
        Assert.Equal(NativeColorType(photo), photo.ColorType);
        photo.Grayscale();
        Assert.Equal(ColorType.L8, photo.ColorType);
        Assert.Equal(NativeColorType(photo), photo.ColorType);
        using var blurred = photo.Blur(1f);
        Assert.Equal(NativeColorType(photo), photo.ColorType);
        Assert.Equal(NativeColorType(blurred), blurred.ColorType);
    }

    [Fact]
    public async Task RacingInPlaceOperationsLeaveTheCacheExact()
    {
        for (var round = 0; round < 50; round++)
        {
            using var image = Image.FromPixels(32, 32, new byte[32 * 32 * 4]);
            var start = new Barrier(2);
            var gray = Task.Run(() => { start.SignalAndWait(); image.Grayscale(); });
            var mirror = Task.Run(() => { start.SignalAndWait(); for (var i = 0; i < 20; i++) { image.Mirror(); } });
            await Task.WhenAll(gray, mirror);
            Assert.Equal(ColorType.La8, NativeColorType(image));
            Assert.Equal(ColorType.La8, image.ColorType);
        }
    }

    [Fact]
    public void SizeIsFixedAcrossInPlaceOperationsAndNewForFreshOnes()
    {
        using var image = Image.FromPixels(6, 3, new byte[6 * 3 * 4]);
        image.Rotate180();
        image.AdjustBrightness(10);
        Assert.Equal((6, 3), (image.Width, image.Height));
        using var rotated = image.Rotate90();
        Assert.Equal((3, 6), (rotated.Width, rotated.Height));
        using var view = rotated.ViewPixels();
        Assert.Equal((3, 6, 3 * 6 * 4), (view.Width, view.Height, view.Span.Length));
    }
}

/// <summary>Decoding from streams: every path gives the same pixels and leaves the stream at its end.</summary>
public sealed class StreamDecodeTests
{
    private static readonly byte[] Pixels = MakePixels();
    private static readonly byte[] Png = EncodePng();

    private static byte[] MakePixels()
    {
        var pixels = new byte[7 * 5 * 4];
        new Random(4).NextBytes(pixels);
        return pixels;
    }

    private static byte[] EncodePng()
    {
        using var image = Image.FromPixels(7, 5, Pixels);
        return image.Encode(ImageFormat.Png);
    }

    /// <summary>The PNG after <paramref name="prefix"/> bytes of junk, so that decoding must start at the position.</summary>
    private static byte[] WithPrefix(int prefix) => Enumerable.Repeat((byte)0xAB, prefix).Concat(Png).ToArray();

    private static void AssertDecodesToThePixels(Stream stream)
    {
        using var image = Image.Load(stream);
        Assert.Equal(Pixels, image.ToPixelArray());
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void ExposedMemoryStreamBufferIsDecodedFromItsPosition()
    {
        var bytes = WithPrefix(3);
        using var stream = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
        Assert.True(stream.TryGetBuffer(out _));
        stream.Position = 3;
        AssertDecodesToThePixels(stream);
    }

    [Fact]
    public void HiddenMemoryStreamBufferIsCopiedOnce()
    {
        var bytes = WithPrefix(5);
        using var stream = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: false);
        Assert.False(stream.TryGetBuffer(out _));
        stream.Position = 5;
        AssertDecodesToThePixels(stream);
    }

    [Fact]
    public unsafe void UnmanagedMemoryStreamIsDecodedWhereItLies()
    {
        var bytes = WithPrefix(2);
        fixed (byte* start = bytes)
        {
            using var stream = new UnmanagedMemoryStream(start, bytes.Length);
            stream.Position = 2;
            AssertDecodesToThePixels(stream);
        }
    }

    [Fact]
    public void NonSeekableStreamIsReadToItsEndAcrossBufferGrowth()
    {
        // Bigger than the first 64 KiB buffer, in small reads, so the buffer must grow.
        using var big = Image.FromPixels(300, 300, Enumerable.Range(0, 300 * 300 * 4).Select(i => (byte)(i * 7 % 251)).ToArray());
        var png = big.Encode(ImageFormat.Png);
        Assert.True(png.Length > 64 * 1024, $"test image too small: {png.Length} bytes");
        using var stream = new TrickleStream(png, chunk: 1000);
        using var decoded = Image.Load(stream);
        Assert.Equal(big.ToPixelArray(), decoded.ToPixelArray());
    }

    [Fact]
    public void StreamAtItsEndIsAnArgumentError()
    {
        using var exposed = new MemoryStream(Png);
        exposed.Position = Png.Length;
        Assert.Throws<ArgumentException>(() => Image.Load(exposed));
        using var past = new MemoryStream(Png);
        past.Position = Png.Length + 10;
        Assert.Throws<ArgumentException>(() => Image.Load(past));
        using var empty = new TrickleStream(Array.Empty<byte>(), chunk: 10);
        Assert.Throws<ArgumentException>(() => Image.Load(empty));
    }

    /// <summary>A forward-only stream that returns at most <c>chunk</c> bytes per read.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
