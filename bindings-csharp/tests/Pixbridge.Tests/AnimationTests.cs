using System;
using System.IO;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// <see cref="Animation.Read(ReadOnlySpan{byte}, DecodeLimits?)"/> and
/// <see cref="Image.DecodeFrame(ReadOnlySpan{byte}, int, DecodeLimits?)"/> on fixtures made by
/// ImageMagick and libwebp's img2webp (testdata/animation/make.sh): a 12 x 8 canvas showing red,
/// lime and blue for 100, 200 and 300 ms, looping forever.
/// </summary>
public sealed class AnimationTests
{
    private static readonly byte[] Red = [255, 0, 0, 255];
    private static readonly byte[] Lime = [0, 255, 0, 255];
    private static readonly byte[] Blue = [0, 0, 255, 255];

    private static byte[] Read(string name) => File.ReadAllBytes(TestData.PathOf(name));

    [Theory]
    [InlineData("animation/rgb-3frames.gif")]
    [InlineData("animation/rgb-3frames.webp")]
    public void ReadCountsFramesAndDelays(string name)
    {
        var info = Animation.Read(Read(name));
        Assert.Equal(3, info.FrameCount);
        Assert.Equal((12, 8), (info.Width, info.Height));
        Assert.Equal(0, info.LoopCount);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300) }, info.Delays);
        Assert.Equal(TimeSpan.FromMilliseconds(600), info.Duration);
        using var stream = new FileStream(TestData.PathOf(name), FileMode.Open, FileAccess.Read);
        Assert.Equal(3, Animation.Read(stream).FrameCount);
    }

    [Fact]
    public void DecodeFrameGivesEachFrameFullCanvas()
    {
        var data = Read("animation/rgb-3frames.gif");
        byte[][] colours = [Red, Lime, Blue];
        for (var index = 0; index < 3; index++)
        {
            using var frame = Image.DecodeFrame(data, index);
            Assert.Equal((12, 8), (frame.Width, frame.Height));
            var pixels = new byte[12 * 8 * 4];
            frame.CopyPixels(pixels);
            Assert.Equal(colours[index], pixels.AsSpan(0, 4).ToArray());
            Assert.Equal(colours[index], pixels.AsSpan(pixels.Length - 4).ToArray());
        }
        using var first = Image.Load(data);
        var firstPixels = new byte[12 * 8 * 4];
        first.CopyPixels(firstPixels);
        Assert.Equal(Red, firstPixels.AsSpan(0, 4).ToArray());
    }

    [Fact]
    public void IndexOutOfRangeThrowsNamingTheCount()
    {
        var data = Read("animation/rgb-3frames.gif");
        var error = Assert.Throws<PixbridgeException>(() => Image.DecodeFrame(data, 3));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("3 frames", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Image.DecodeFrame(data, -1));
    }

    [Fact]
    public void StillImageIsOneFrameAndBadInputFails()
    {
        var still = Animation.Read(Read("animation/still.png"));
        Assert.Equal((1, 5, 3, 1), (still.FrameCount, still.Width, still.Height, still.LoopCount));
        Assert.Equal(new[] { TimeSpan.Zero }, still.Delays);
        var data = Read("animation/rgb-3frames.gif");
        var limits = new DecodeLimits { MaxWidth = 11 };
        Assert.Equal(ErrorCode.LimitExceeded, Assert.Throws<PixbridgeException>(() => Animation.Read(data, limits)).Code);
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => Image.DecodeFrame(data.AsSpan(0, data.Length - 20), 2)).Code);
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => Animation.Read("not an image"u8)).Code);
    }
}
