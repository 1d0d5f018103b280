using System;
using System.IO;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// <see cref="Image.Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/> and its span and
/// stream overloads. Expected sizes come from <see cref="ExpectedSize"/>, the documented rules
/// written out here, applied to the source's upright size.
/// </summary>
public sealed class ThumbnailTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("pixbridge-thumb-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static readonly string Rocket = TestData.PathOf("rocket.jpg");

    /// <summary>The upright size of a test file, from a full decode.</summary>
    private static (int Width, int Height) SourceSize(string path)
    {
        using var full = Image.Open(path);
        return (full.Width, full.Height);
    }

    /// <summary><c>round(a * b / c)</c>, half up, at least 1.</summary>
    private static int ScaleRound(int a, int b, int c) => (int)Math.Max(1, (2L * a * b + c) / (2L * c));

    /// <summary>
    /// The thumbnail size by the documented rules: Contain fits inside the box (one side equal to
    /// the box's), Cover covers the box and is cut to it, Fill is the box; without upscaling a
    /// source smaller than the box keeps its size (Contain), keeps its size on the smaller axes
    /// (Fill), or is cut at its own scale (Cover).
    /// </summary>
    internal static (int Width, int Height) ExpectedSize((int W, int H) source, int boxWidth, int boxHeight, ThumbnailFit fit, bool allowUpscale)
    {
        var (sw, sh) = source;
        // The width decides the Contain scale when boxWidth / sw <= boxHeight / sh.
        var widthLimits = (long)boxWidth * sh <= (long)boxHeight * sw;
        switch (fit)
        {
            case ThumbnailFit.Contain:
                if (!allowUpscale && sw <= boxWidth && sh <= boxHeight)
                {
                    return source;
                }
                return widthLimits ? (boxWidth, ScaleRound(sh, boxWidth, sw)) : (ScaleRound(sw, boxHeight, sh), boxHeight);
            case ThumbnailFit.Fill:
                return allowUpscale ? (boxWidth, boxHeight) : (Math.Min(boxWidth, sw), Math.Min(boxHeight, sh));
            case ThumbnailFit.Cover:
                var scaled = widthLimits ? (W: ScaleRound(sw, boxHeight, sh), H: boxHeight) : (W: boxWidth, H: ScaleRound(sh, boxWidth, sw));
                if (!allowUpscale && (scaled.W > sw || scaled.H > sh))
                {
                    scaled = source;
                }
                return (Math.Min(boxWidth, scaled.W), Math.Min(boxHeight, scaled.H));
            default:
                throw new ArgumentOutOfRangeException(nameof(fit));
        }
    }

    [Fact]
    public void RocketIsTheLandscapeJpegTheseTestsAssume()
    {
        Assert.Equal((640, 427), SourceSize(Rocket));
    }

    [Theory]
    [InlineData(ThumbnailFit.Contain, 200, 200)]
    [InlineData(ThumbnailFit.Contain, 100, 300)]
    [InlineData(ThumbnailFit.Contain, 300, 100)]
    [InlineData(ThumbnailFit.Contain, 400, 32768)]
    [InlineData(ThumbnailFit.Contain, 1, 1)]
    [InlineData(ThumbnailFit.Cover, 200, 200)]
    [InlineData(ThumbnailFit.Cover, 100, 300)]
    [InlineData(ThumbnailFit.Cover, 300, 100)]
    [InlineData(ThumbnailFit.Cover, 600, 100)]
    [InlineData(ThumbnailFit.Fill, 200, 200)]
    [InlineData(ThumbnailFit.Fill, 100, 300)]
    [InlineData(ThumbnailFit.Fill, 33, 17)]
    public void SizeFollowsTheFitRules(ThumbnailFit fit, int width, int height)
    {
        var expected = ExpectedSize(SourceSize(Rocket), width, height, fit, allowUpscale: false);
        using var thumbnail = Image.Thumbnail(Rocket, width, height, fit);
        Assert.Equal(expected, (thumbnail.Width, thumbnail.Height));
        Assert.Equal(ColorType.Rgb8, thumbnail.ColorType);
    }

    [Fact]
    public void ContainIsTheDefaultFit()
    {
        using var byDefault = Image.Thumbnail(Rocket, 200, 200);
        using var contain = Image.Thumbnail(Rocket, 200, 200, ThumbnailFit.Contain);
        Assert.Equal((200, 133), (byDefault.Width, byDefault.Height));
        Assert.Equal(TestData.PixelSha256(contain), TestData.PixelSha256(byDefault));
    }

    [Fact]
    public void CoverIsACentreCropOfTheContainedWholeImage()
    {
        // 640x427 covering 200x200: scaled to 300x200 (round(640 * 200 / 427) = 300), then the
        // middle 200 columns. The thumbnail is not compared pixel by pixel with a crop (the
        // resampling windows differ at the cut), only its size and its mean colour roughly.
        using var cover = Image.Thumbnail(Rocket, 200, 200, ThumbnailFit.Cover);
        Assert.Equal((200, 200), (cover.Width, cover.Height));
        using var contain = Image.Thumbnail(Rocket, 300, 200, ThumbnailFit.Contain);
        Assert.Equal((300, 200), (contain.Width, contain.Height));
        using var middle = contain.Crop(50, 0, 200, 200);
        var (a, b) = (MeanRgb(cover), MeanRgb(middle));
        for (var c = 0; c < 3; c++)
        {
            Assert.InRange(Math.Abs(a[c] - b[c]), 0, 2.0);
        }
    }

    private static double[] MeanRgb(Image image) => image.WithPixels(static pixels =>
    {
        var sums = new double[3];
        for (var i = 0; i < pixels.Length; i += 4)
        {
            sums[0] += pixels[i];
            sums[1] += pixels[i + 1];
            sums[2] += pixels[i + 2];
        }
        var count = pixels.Length / 4.0;
        return new[] { sums[0] / count, sums[1] / count, sums[2] / count };
    });

    [Theory]
    [InlineData(ThumbnailFit.Contain)]
    [InlineData(ThumbnailFit.Cover)]
    [InlineData(ThumbnailFit.Fill)]
    public void NoUpscaleByDefaultAndUpscaleWhenAllowed(ThumbnailFit fit)
    {
        var source = SourceSize(Rocket);
        using (var kept = Image.Thumbnail(Rocket, 1000, 900, fit))
        {
            Assert.Equal(ExpectedSize(source, 1000, 900, fit, allowUpscale: false), (kept.Width, kept.Height));
            Assert.True(kept.Width <= source.Width && kept.Height <= source.Height);
        }
        using (var explicitNo = Image.Thumbnail(Rocket, 1000, 900, fit, new ThumbnailOptions { AllowUpscale = false }))
        {
            Assert.True(explicitNo.Width <= source.Width && explicitNo.Height <= source.Height);
        }
        using var enlarged = Image.Thumbnail(Rocket, 1000, 900, fit, new ThumbnailOptions { AllowUpscale = true });
        var expected = ExpectedSize(source, 1000, 900, fit, allowUpscale: true);
        Assert.Equal(expected, (enlarged.Width, enlarged.Height));
        Assert.True(enlarged.Width > source.Width);
    }

    [Fact]
    public void UnchangedSizeWithoutUpscaleKeepsTheDecodedPixels()
    {
        // A PNG smaller than the box, Contain, no upscale: the full decode, untouched.
        var path = TestData.PathOf("gradient-64x48.png");
        using var thumbnail = Image.Thumbnail(path, 500, 500);
        using var full = Image.Open(path);
        Assert.Equal((64, 48), (thumbnail.Width, thumbnail.Height));
        Assert.Equal(TestData.PixelSha256(full), TestData.PixelSha256(thumbnail));
    }

    [Theory]
    [InlineData("rocket.jpg", ThumbnailFit.Contain)]
    [InlineData("rocket.jpg", ThumbnailFit.Cover)]
    [InlineData("chelsea.png", ThumbnailFit.Fill)]
    [InlineData("transparent-40x30.png", ThumbnailFit.Cover)]
    public void PathSpanAndStreamOverloadsGiveIdenticalPixels(string name, ThumbnailFit fit)
    {
        var path = TestData.PathOf(name);
        var bytes = File.ReadAllBytes(path);
        const int w = 120, h = 90;
        using var fromPath = Image.Thumbnail(path, w, h, fit);
        var expected = TestData.PixelSha256(fromPath);

        using (var fromSpan = Image.Thumbnail(bytes.AsSpan(), w, h, fit))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromSpan));
        }
        using (var fromArray = Image.Thumbnail(bytes, w, h, fit))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromArray));
        }
        // Exposable MemoryStream (read in place) from a non-zero position.
        var padded = new byte[bytes.Length + 5];
        bytes.CopyTo(padded, 5);
        using (var memory = new MemoryStream(padded, 0, padded.Length, writable: false, publiclyVisible: true) { Position = 5 })
        using (var fromMemory = Image.Thumbnail(memory, w, h, fit))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromMemory));
            Assert.Equal(memory.Length, memory.Position);
        }
        // File stream (copied into a pooled buffer).
        using (var file = File.OpenRead(path))
        using (var fromFile = Image.Thumbnail(file, w, h, fit))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromFile));
            Assert.Equal(file.Length, file.Position);
        }
        // Non-seekable stream (copied, buffer grown as it reads).
        using (var unseekable = new UnseekableStream(bytes))
        using (var fromUnseekable = Image.Thumbnail(unseekable, w, h, fit))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromUnseekable));
        }
        // UnmanagedMemoryStream (read in place).
        unsafe
        {
            fixed (byte* start = bytes)
            {
                using var unmanaged = new UnmanagedMemoryStream(start, bytes.Length);
                using var fromUnmanaged = Image.Thumbnail(unmanaged, w, h, fit);
                Assert.Equal(expected, TestData.PixelSha256(fromUnmanaged));
                Assert.Equal(unmanaged.Length, unmanaged.Position);
            }
        }
    }

    [Fact]
    public void TheResultIsAnOrdinaryImage()
    {
        // The result is an ordinary image: operations and encoders work on it.
        using var thumbnail = Image.Thumbnail(Rocket, 160, 160);
        using var blurred = thumbnail.Blur(1f);
        blurred.Mirror();
        using var again = Image.Load(blurred.Encode(ImageFormat.Png));
        Assert.Equal((thumbnail.Width, thumbnail.Height), (again.Width, again.Height));
        Assert.Equal(TestData.PixelSha256(blurred), TestData.PixelSha256(again));
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(100, 0)]
    [InlineData(-1, 100)]
    [InlineData(100, -5)]
    [InlineData(int.MinValue, int.MinValue)]
    public void NonPositiveSizesAreRejectedBeforeTheCall(int width, int height)
    {
        var bytes = File.ReadAllBytes(Rocket);
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.Thumbnail(Rocket, width, height));
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.Thumbnail(bytes, width, height));
        // The stream is not read when the arguments are wrong.
        using var stream = new MemoryStream(bytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.Thumbnail(stream, width, height));
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public void UndefinedFitIsRejectedBeforeTheCall()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Image.Thumbnail(Rocket, 10, 10, (ThumbnailFit)3));
        Assert.Equal("fit", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.Thumbnail(File.ReadAllBytes(Rocket), 10, 10, (ThumbnailFit)(-1)));
    }

    [Theory]
    [InlineData(32769, 10)]
    [InlineData(10, int.MaxValue)]
    [InlineData(32768, 32768)] // within each side, but over the 512 MiB pixel limit
    public void OversizedBoxIsInvalidArgument(int width, int height)
    {
        var e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(Rocket, width, height));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(File.ReadAllBytes(Rocket), width, height));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public void MissingFileIsNotFound()
    {
        var missing = Path.Combine(_scratch, "missing.jpg");
        var e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(missing, 100, 100));
        Assert.Equal(ErrorCode.NotFound, e.Code);
        Assert.Contains("missing.jpg", e.Message);
    }

    [Fact]
    public void CorruptDataIsDecode()
    {
        // Cut inside the JPEG headers (a JPEG cut inside its scan still decodes, as in browsers).
        var cut = File.ReadAllBytes(Rocket)[..400];
        var e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(cut, 100, 100));
        Assert.Equal(ErrorCode.Decode, e.Code);
        var file = Path.Combine(_scratch, "cut.jpg");
        File.WriteAllBytes(file, cut);
        e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(file, 100, 100, ThumbnailFit.Cover));
        Assert.Equal(ErrorCode.Decode, e.Code);
        e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(TestData.PathOf("truncated-64x48.png"), 10, 10));
        Assert.Equal(ErrorCode.Decode, e.Code);
        e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail("plain text, no image"u8, 10, 10));
        Assert.Equal(ErrorCode.UnsupportedFormat, e.Code);
    }

    [Fact]
    public void LimitsApplyToTheSourcesFullSize()
    {
        // A 50-pixel thumbnail of rocket.jpg is decoded at 1/4 scale (160x107), but the limits are
        // checked against the file's 640x427.
        var options = new ThumbnailOptions { Limits = new DecodeLimits { MaxWidth = 600 } };
        var e = Assert.Throws<PixbridgeException>(() => Image.Thumbnail(Rocket, 50, 50, ThumbnailFit.Contain, options));
        Assert.Equal(ErrorCode.LimitExceeded, e.Code);
        using var within = Image.Thumbnail(Rocket, 50, 50, ThumbnailFit.Contain, options with { Limits = new DecodeLimits { MaxWidth = 640 } });
        Assert.Equal(50, within.Width);
    }

    [Fact]
    public void BadArgumentsOfTheOtherKinds()
    {
        Assert.Throws<ArgumentNullException>(() => Image.Thumbnail((string)null!, 10, 10));
        Assert.Throws<ArgumentException>(() => Image.Thumbnail("", 10, 10));
        Assert.Throws<ArgumentNullException>(() => Image.Thumbnail((Stream)null!, 10, 10));
        // No bytes: the native check, as in Java.
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => Image.Thumbnail(ReadOnlySpan<byte>.Empty, 10, 10)).Code);
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => Image.Thumbnail(new MemoryStream(), 10, 10)).Code);
        using var unreadable = new UnreadableStream();
        Assert.Throws<ArgumentException>(() => Image.Thumbnail(unreadable, 10, 10));
    }

    /// <summary>A read-only stream that cannot seek or expose its buffer, returning few bytes per read.</summary>
    internal sealed class UnseekableStream(byte[] data) : Stream
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
            var n = Math.Min(Math.Min(count, 4096), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class UnreadableStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
    }
}
