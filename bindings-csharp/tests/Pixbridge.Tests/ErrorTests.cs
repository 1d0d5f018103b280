using System;
using System.IO;
using Pixbridge.Native;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>Bad input gives the right exception type and code, and the process carries on.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("pixbridge-errors-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static PixbridgeException AssertNative(ErrorCode expected, Action action)
    {
        var e = Assert.Throws<PixbridgeException>(action);
        Assert.Equal(expected, e.Code);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.DoesNotContain("Enum variant mismatch", e.Message);
        return e;
    }

    private static Image Gradient(int width = 8, int height = 6)
    {
        var pixels = new byte[width * height * 4];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 7);
        }
        return Image.FromPixels(width, height, pixels);
    }

    [Fact]
    public void MissingFileIsNotFound()
    {
        var path = Path.Combine(_scratch, "does-not-exist.png");
        var e = AssertNative(ErrorCode.NotFound, () => Image.Open(path));
        Assert.Contains("does-not-exist.png", e.Message);
    }

    [Fact]
    public void DirectoryAsPathIsIo()
    {
        AssertNative(ErrorCode.Io, () => Image.Open(_scratch));
    }

    [Fact]
    public void NonImageBytesAreUnsupportedFormat()
    {
        AssertNative(ErrorCode.UnsupportedFormat, () => Image.Load("this is plain text, not an image"u8));
        var textFile = Path.Combine(_scratch, "notes.png");
        File.WriteAllText(textFile, "not really a PNG");
        AssertNative(ErrorCode.UnsupportedFormat, () => Image.Open(textFile));
    }

    /// <remarks>
    /// A JPEG cut inside its entropy-coded scan still decodes (the core's decoder, like browsers,
    /// shows the part it has), so JPEGs are cut inside their headers here.
    /// </remarks>
    [Theory]
    [InlineData("rocket.jpg", 100)]
    [InlineData("rocket.jpg", 400)]
    [InlineData("chelsea.png", 100)]
    [InlineData("chelsea.png", -2)]
    public void TruncatedFileIsDecodeError(string name, int keep)
    {
        var bytes = File.ReadAllBytes(TestData.PathOf(name));
        var length = keep > 0 ? keep : bytes.Length / -keep;
        AssertNative(ErrorCode.Decode, () => Image.Load(bytes.AsSpan(0, length)));
        var truncatedFile = Path.Combine(_scratch, "truncated-" + name);
        File.WriteAllBytes(truncatedFile, bytes[..length]);
        AssertNative(ErrorCode.Decode, () => Image.Open(truncatedFile));
    }

    [Fact]
    public void UnknownSaveExtensionIsUnsupportedFormat()
    {
        using var image = Gradient();
        var path = Path.Combine(_scratch, "out.xyz");
        AssertNative(ErrorCode.UnsupportedFormat, () => image.Save(path));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void QualityForLosslessFormatIsInvalidArgument()
    {
        using var image = Gradient();
        AssertNative(ErrorCode.InvalidArgument, () => image.Encode(ImageFormat.Png, 80));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-1f)]
    [InlineData(0f)]
    [InlineData(float.PositiveInfinity)]
    public void BadSigmaIsInvalidArgument(float sigma)
    {
        using var image = Gradient();
        AssertNative(ErrorCode.InvalidArgument, () => image.Blur(sigma));
    }

    [Fact]
    public void CropOutsideIsInvalidArgument()
    {
        using var image = Gradient(8, 6);
        AssertNative(ErrorCode.InvalidArgument, () => image.Crop(4, 4, 8, 8));
        AssertNative(ErrorCode.InvalidArgument, () => image.Crop(0, 0, 0, 1));
    }

    [Fact]
    public void ZeroSizeResizeIsInvalidArgument()
    {
        using var image = Gradient();
        AssertNative(ErrorCode.InvalidArgument, () => image.Resize(0, 10, ResizeFilter.Bilinear));
        AssertNative(ErrorCode.InvalidArgument, () => image.Resize(10, 0, ResizeFilter.Nearest));
    }

    [Fact]
    public void ImageOverDecodeLimitsIsLimitExceeded()
    {
        var path = TestData.PathOf("rocket.jpg");
        AssertNative(ErrorCode.LimitExceeded, () => Image.Open(path, new DecodeLimits { MaxWidth = 100 }));
        AssertNative(ErrorCode.LimitExceeded, () => Image.Open(path, new DecodeLimits { MaxHeight = 100 }));
        AssertNative(ErrorCode.LimitExceeded, () => Image.Load(File.ReadAllBytes(path), new DecodeLimits { MaxDecodedBytes = 1000 }));
        using var image = Image.Open(path, new DecodeLimits { MaxWidth = 10_000, MaxHeight = 10_000 });
        Assert.True(image.Width > 100);
    }

    [Fact]
    public void ArgumentErrorsAreDotNetExceptions()
    {
        using var image = Gradient(8, 6);
        Assert.Throws<ArgumentNullException>(() => Image.Open(null!));
        Assert.Throws<ArgumentException>(() => Image.Open(""));
        Assert.Throws<ArgumentException>(() => Image.Open("bad\uD800surrogate.png"));
        Assert.Throws<ArgumentNullException>(() => Image.Load((byte[])null!));
        Assert.Throws<ArgumentNullException>(() => Image.Load((Stream)null!));
        // Checked natively, with the code and message the Java SDK gives.
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => Image.Load(Array.Empty<byte>())).Code);
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => Image.Load(new MemoryStream())).Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.FromPixels(-1, 2, new byte[8]));
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PixbridgeException>(() => Image.FromPixels(0, 2, Array.Empty<byte>())).Code);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PixbridgeException>(() => Image.FromPixels(2, 2, new byte[15])).Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(-1, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Resize(10, -10, ResizeFilter.Lanczos3));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Resize(10, 10, (ResizeFilter)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Unsharpen(1f, 1f, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Encode(ImageFormat.Jpeg, 0));
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PixbridgeException>(() => image.Encode(ImageFormat.Jpeg, 101)).Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Encode((ImageFormat)99));
        Assert.Equal(ErrorCode.BufferTooSmall, Assert.Throws<PixbridgeException>(() => image.CopyPixels(new byte[8 * 6 * 4 - 1])).Code);
        Assert.Throws<ArgumentNullException>(() => image.Save((string)null!));
        Assert.Throws<ArgumentNullException>(() => image.Save((Stream)null!, ImageFormat.Png));
        Assert.Throws<ArgumentNullException>(() => image.Save((string)null!, ImageFormat.Png));
        Assert.Throws<ArgumentException>(() => image.Save(new MemoryStream(new byte[16], writable: false), ImageFormat.Png));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecodeLimits { MaxWidth = 0 });
    }

    [Fact]
    public void ErrorMessagesArePerCall()
    {
        var first = Assert.Throws<PixbridgeException>(() => Image.Open(Path.Combine(_scratch, "first-missing.png")));
        using var image = Gradient();
        var second = Assert.Throws<PixbridgeException>(() => image.Blur(float.NaN));
        Assert.Contains("first-missing.png", first.Message);
        Assert.DoesNotContain("first-missing.png", second.Message);
    }
}
