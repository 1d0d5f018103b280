using System;
using System.Linq;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Issue 16: pixels in the layouts other libraries hold (BGRA, premultiplied, RGB, BGR, grey),
/// in and out through <see cref="Image.FromPixels(ReadOnlySpan{byte}, int, int, PixelFormat, int)"/>
/// and <see cref="Image.CopyPixels(Span{byte}, PixelFormat, int)"/>. Expected bytes are worked out
/// by hand in the comments.
/// </summary>
public sealed class PixelFormatTests
{
    // Two straight RGBA pixels: an opaque orange and a half-transparent (a = 128) blue-green.
    private static readonly byte[] Straight = [255, 128, 0, 255, 0, 100, 200, 128];

    private static Image Sample() => Image.FromPixels(2, 1, Straight);

    [Theory]
    // Channel orders.
    [InlineData(PixelFormat.Rgba8, new byte[] { 255, 128, 0, 255, 0, 100, 200, 128 })]
    [InlineData(PixelFormat.Bgra8, new byte[] { 0, 128, 255, 255, 200, 100, 0, 128 })]
    [InlineData(PixelFormat.Argb8, new byte[] { 255, 255, 128, 0, 128, 0, 100, 200 })]
    [InlineData(PixelFormat.Abgr8, new byte[] { 255, 0, 128, 255, 128, 200, 100, 0 })]
    [InlineData(PixelFormat.Rgb8, new byte[] { 255, 128, 0, 0, 100, 200 })]
    [InlineData(PixelFormat.Bgr8, new byte[] { 0, 128, 255, 200, 100, 0 })]
    // X bytes are written as 255.
    [InlineData(PixelFormat.Rgbx8, new byte[] { 255, 128, 0, 255, 0, 100, 200, 255 })]
    [InlineData(PixelFormat.Bgrx8, new byte[] { 0, 128, 255, 255, 200, 100, 0, 255 })]
    // Rec. 709 luma: 0.2126 * 255 + 0.7152 * 128 = 145.76 -> 146; 0.7152 * 100 + 0.0722 * 200 = 85.96 -> 86.
    [InlineData(PixelFormat.Gray8, new byte[] { 146, 86 })]
    // round(c * a / 255) at a = 128: 100 -> 50.2 -> 50, 200 -> 100.4 -> 100.
    [InlineData(PixelFormat.Rgba8Premultiplied, new byte[] { 255, 128, 0, 255, 0, 50, 100, 128 })]
    [InlineData(PixelFormat.Bgra8Premultiplied, new byte[] { 0, 128, 255, 255, 100, 50, 0, 128 })]
    [InlineData(PixelFormat.Argb8Premultiplied, new byte[] { 255, 255, 128, 0, 128, 0, 50, 100 })]
    [InlineData(PixelFormat.Abgr8Premultiplied, new byte[] { 255, 0, 128, 255, 128, 100, 50, 0 })]
    public void EveryFormatIsWrittenAsWorkedOutByHand(PixelFormat format, byte[] expected)
    {
        using var image = Sample();
        Assert.Equal(expected, image.ToPixels(format));
        Assert.Equal(expected.Length, image.GetPixelDataLength(format));
        var span = new byte[expected.Length + 3];
        span.AsSpan().Fill(7);
        image.CopyPixels(span, format);
        Assert.Equal(expected, span[..expected.Length]);
        Assert.All(span[expected.Length..], b => Assert.Equal(7, b));
    }

    [Theory]
    [InlineData(PixelFormat.Bgra8, new byte[] { 0, 128, 255, 255, 200, 100, 0, 128 }, new byte[] { 255, 128, 0, 255, 0, 100, 200, 128 }, ColorType.Rgba8)]
    [InlineData(PixelFormat.Bgr8, new byte[] { 0, 128, 255, 200, 100, 0 }, new byte[] { 255, 128, 0, 255, 0, 100, 200, 255 }, ColorType.Rgb8)]
    // The X byte (here 9 and 0) is ignored.
    [InlineData(PixelFormat.Bgrx8, new byte[] { 0, 128, 255, 9, 200, 100, 0, 0 }, new byte[] { 255, 128, 0, 255, 0, 100, 200, 255 }, ColorType.Rgb8)]
    [InlineData(PixelFormat.Gray8, new byte[] { 146, 86 }, new byte[] { 146, 146, 146, 255, 86, 86, 86, 255 }, ColorType.L8)]
    // round(c' * 255 / a) at a = 128: 50 -> 99.6 -> 100, 100 -> 199.2 -> 199.
    [InlineData(PixelFormat.Bgra8Premultiplied, new byte[] { 0, 128, 255, 255, 100, 50, 0, 128 }, new byte[] { 255, 128, 0, 255, 0, 100, 199, 128 }, ColorType.Rgba8)]
    [InlineData(PixelFormat.Abgr8, new byte[] { 255, 0, 128, 255, 128, 200, 100, 0 }, new byte[] { 255, 128, 0, 255, 0, 100, 200, 128 }, ColorType.Rgba8)]
    public void FormatsAreReadAsWorkedOutByHand(PixelFormat format, byte[] input, byte[] rgba, ColorType colorType)
    {
        using var image = Image.FromPixels(input, 2, 1, format);
        Assert.Equal(rgba, image.ToPixelArray());
        Assert.Equal(colorType, image.ColorType);
    }

    [Fact]
    public void StridedRowsAreReadAndPaddingIsLeftUntouched()
    {
        // 2 x 2 BGRA with a stride of 12: 8 bytes of pixels, 4 of padding (the last row has none).
        byte[] bgra = [1, 2, 3, 255, 4, 5, 6, 255, 99, 99, 99, 99, 7, 8, 9, 255, 10, 11, 12, 255];
        using var image = Image.FromPixels(bgra, 2, 2, PixelFormat.Bgra8, stride: 12);
        Assert.Equal(new byte[] { 3, 2, 1, 255, 6, 5, 4, 255, 9, 8, 7, 255, 12, 11, 10, 255 }, image.ToPixelArray());

        var output = Enumerable.Repeat((byte)0xAA, 24).ToArray();
        image.CopyPixels(output, PixelFormat.Bgra8, stride: 12);
        byte[] expected = [1, 2, 3, 255, 4, 5, 6, 255, 0xAA, 0xAA, 0xAA, 0xAA, 7, 8, 9, 255, 10, 11, 12, 255, 0xAA, 0xAA, 0xAA, 0xAA];
        Assert.Equal(expected, output);
        Assert.Equal(20, image.GetPixelDataLength(PixelFormat.Bgra8, 12));
    }

    [Fact]
    public void PremultipliedEdgeCasesRoundAsDocumented()
    {
        // Straight 200, 100, 1 at a = 0, 1, 254, 255.
        byte[] straight = [200, 100, 1, 0, 200, 100, 1, 1, 200, 100, 1, 254, 200, 100, 1, 255];
        using var image = Image.FromPixels(4, 1, straight);
        // a = 0: all 0. a = 1: 0.78 -> 1, 0.39 -> 0, 0. a = 254: 199.2 -> 199, 99.6 -> 100, 0.996 -> 1.
        byte[] premultiplied = [0, 0, 0, 0, 1, 0, 0, 1, 199, 100, 1, 254, 200, 100, 1, 255];
        Assert.Equal(premultiplied, image.ToPixels(PixelFormat.Rgba8Premultiplied));
        using var back = Image.FromPixels(premultiplied, 4, 1, PixelFormat.Rgba8Premultiplied);
        // a = 1: 1 * 255 = 255. a = 254: 199 * 255 / 254 = 199.8 -> 200, 100.4 -> 100, 1.004 -> 1.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 255, 0, 0, 1, 200, 100, 1, 254, 200, 100, 1, 255 }, back.ToPixelArray());
    }

    [Fact]
    public void RoundTripsThroughEveryFormatWithoutAlphaLoss()
    {
        var rgba = new byte[64 * 48 * 4];
        new Random(16).NextBytes(rgba);
        for (var i = 3; i < rgba.Length; i += 4)
        {
            rgba[i] = 255; // opaque: every format but grey round-trips exactly
        }
        using var image = Image.FromPixels(64, 48, rgba);
        foreach (var format in Enum.GetValues<PixelFormat>().Where(f => f != PixelFormat.Gray8))
        {
            var stride = 64 * Image.BytesPerPixel(format) + 3;
            var buffer = new byte[image.GetPixelDataLength(format, stride)];
            image.CopyPixels(buffer, format, stride);
            using var back = Image.FromPixels(buffer, 64, 48, format, stride);
            Assert.True(rgba.AsSpan().SequenceEqual(back.ToPixelArray()), format.ToString());
        }
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        using var image = Sample();
        var tooSmall = Assert.Throws<PixbridgeException>(() => image.CopyPixels(new byte[7], PixelFormat.Bgra8));
        Assert.Equal(ErrorCode.BufferTooSmall, tooSmall.Code);
        Assert.Contains("need 8", tooSmall.Message);
        var stride = Assert.Throws<PixbridgeException>(() => image.CopyPixels(new byte[64], PixelFormat.Rgb8, 5));
        Assert.Equal(ErrorCode.InvalidArgument, stride.Code);
        var shortData = Assert.Throws<PixbridgeException>(() => Image.FromPixels(new byte[11], 2, 2, PixelFormat.Rgb8));
        Assert.Equal(ErrorCode.InvalidArgument, shortData.Code);
        Assert.Contains("at least 12", shortData.Message);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PixbridgeException>(() => Image.FromPixels(ReadOnlySpan<byte>.Empty, 0, 1, PixelFormat.Gray8)).Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.FromPixels(new byte[4], 1, 1, (PixelFormat)13));
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.FromPixels(new byte[4], 1, 1, PixelFormat.Rgba8, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.CopyPixels(new byte[8], (PixelFormat)(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetPixelDataLength(PixelFormat.Rgba8, 7));
        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => image.CopyPixels(new byte[8], PixelFormat.Bgra8));
    }
}
