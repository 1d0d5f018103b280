using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Issue 5: pixel reads that allocate nothing, cached image facts that stay exact, and stream
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
    public void WithPixelsAllocatesNothingInSteadyState()
    {
        using var image = Image.FromPixels(64, 32, RandomPixels(64, 32, 1));
        // The delegate of a static lambda is created once, on first use: take it before measuring.
        PixelFunc<int> read = static pixels => pixels[pixels.Length - 1] + pixels.Length;
        var sum = image.WithPixels(read); // the first call fetches the address
        int Loop()
        {
            var total = 0;
            for (var i = 0; i < 10_000; i++)
            {
                total += image.WithPixels(read);
            }
            return total;
        }
        // A first loop lets the runtime finish with this code (tiering, on-stack replacement of
        // the loop), which can allocate on this thread; the steady state is the second loop.
        sum += Loop();
        var before = GC.GetAllocatedBytesForCurrentThread();
        sum += Loop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum >= 0);
    }

    [Fact]
    public void WithPixelsShowsTheImagesOwnBytesWithoutCopying()
    {
        var pattern = RandomPixels(8, 8, 2);
        using var image = Image.FromPixels(8, 8, pattern);
        var first = image.WithPixels(static pixels => { unsafe { fixed (byte* p = pixels) { return (nint)p; } } });
        var second = image.WithPixels(static pixels => { unsafe { fixed (byte* p = pixels) { return (nint)p; } } });
        Assert.Equal(first, second);
        Assert.True(image.WithPixels(pixels => pixels.SequenceEqual(pattern)));
    }
}

/// <summary>
/// Issue 15, item 6: reading pixels in place can neither pin an image forever (the old
/// <c>PixelView</c> did when it was never disposed) nor show memory past the image's end of life
/// (its span compiled past the view's disposal and read a recycled block).
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class WithPixelsLifetimeTests
{
    [Fact]
    public void ReadersThatThrowOrAreAbandonedHoldNothing()
    {
        var baseline = NativeCounters.SettledImages();
        for (var i = 0; i < 50; i++)
        {
            var image = Image.FromPixels(256, 256, new byte[256 * 256 * 4]);
            // The closest thing to a forgotten view: a reader that leaves by an exception.
            Assert.Throws<InvalidOperationException>(() => image.WithPixels(static _ => throw new InvalidOperationException("reader failed")));
            image.Dispose();
        }
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
    }

    [Fact]
    public void DisposeDuringAReadWaitsForTheReader()
    {
        var baseline = NativeCounters.SettledImages();
        var pattern = new byte[4 * 4 * 4];
        new Random(7).NextBytes(pattern);
        var image = Image.FromPixels(4, 4, pattern);
        var sameAfterDispose = image.WithPixels(pixels =>
        {
            image.Dispose();
            // The native image lives on until the reader returns...
            Assert.Equal(baseline + 1, Diagnostics.LiveImageCount);
            return pixels.SequenceEqual(pattern);
        });
        Assert.True(sameAfterDispose);
        // ...and is freed then.
        Assert.Equal(baseline, Diagnostics.LiveImageCount);
        Assert.Throws<ObjectDisposedException>(() => image.WithPixels(static _ => { }));
    }

    [Fact]
    public async Task ReadsRacingWithDisposeNeverCrashOrLeak()
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
                        var (length, last) = image.WithPixels(static pixels => (pixels.Length, pixels[pixels.Length - 1]));
                        Assert.Equal(16 * 16 * 4, length);
                        Assert.Equal(0, last);
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
        Assert.Equal(3 * 6 * 4, rotated.WithPixels(static pixels => pixels.Length));
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
    public void StreamAtItsEndFailsInNativeCodeAsEmptyBytesDo()
    {
        // No data is judged by the native decoder, as in Java (Image.decode(InputStream)): the
        // same code and message as empty bytes.
        var expected = Assert.Throws<PixbridgeException>(() => Image.Load(ReadOnlySpan<byte>.Empty));
        Assert.Equal(ErrorCode.UnsupportedFormat, expected.Code);
        using var exposed = new MemoryStream(Png);
        exposed.Position = Png.Length;
        using var past = new MemoryStream(Png);
        past.Position = Png.Length + 10;
        using var empty = new TrickleStream(Array.Empty<byte>(), chunk: 10);
        foreach (Stream stream in new Stream[] { exposed, past, empty })
        {
            var e = Assert.Throws<PixbridgeException>(() => Image.Load(stream));
            Assert.Equal((expected.Code, expected.Message), (e.Code, e.Message));
        }
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
