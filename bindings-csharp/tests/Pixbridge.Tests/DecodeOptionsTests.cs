using System;
using System.IO;
using Xunit;

namespace Pixbridge.Tests;

/// <summary><see cref="DecodeOptions"/>: shrink-on-load for JPEG through Open and every Load overload.</summary>
public sealed class DecodeOptionsTests
{
    private static readonly string Rocket = TestData.PathOf("rocket.jpg");

    [Fact]
    public void MinimumSizeGivesASmallerJpegDecodeThatStillCoversIt()
    {
        using var full = Image.Open(Rocket);
        Assert.Equal((640, 427), (full.Width, full.Height));
        var options = new DecodeOptions { MinWidth = 100, MinHeight = 100 };
        using var reduced = Image.Open(Rocket, options);
        Assert.True(reduced.Width < full.Width && reduced.Height < full.Height, $"{reduced} is not smaller than {full}");
        Assert.True(reduced.Width >= 100 && reduced.Height >= 100, $"{reduced} is below the minimum");
        // DCT scaling by 1/2, 1/4 or 1/8 with the sides rounded up: 1/8 (80x54) would be too
        // small, so 1/4.
        Assert.Equal((160, 107), (reduced.Width, reduced.Height));
        Assert.Equal(full.ColorType, reduced.ColorType);
    }

    [Theory]
    [InlineData(0, 0, 640, 427)]
    [InlineData(1, 1, 80, 54)]
    [InlineData(80, 54, 80, 54)]
    [InlineData(81, 0, 160, 107)]
    [InlineData(0, 55, 160, 107)]
    [InlineData(161, 1, 320, 214)]
    [InlineData(321, 1, 640, 427)]
    [InlineData(5000, 5000, 640, 427)]
    public void TheScaleIsTheLargestReductionThatKeepsTheMinimum(int minWidth, int minHeight, int width, int height)
    {
        using var image = Image.Open(Rocket, new DecodeOptions { MinWidth = minWidth, MinHeight = minHeight });
        Assert.Equal((width, height), (image.Width, image.Height));
    }

    [Fact]
    public void PngIsAlwaysDecodedAtFullSize()
    {
        var path = TestData.PathOf("chelsea.png");
        using var full = Image.Open(path);
        using var withMinimum = Image.Open(path, new DecodeOptions { MinWidth = 10, MinHeight = 10 });
        Assert.Equal((full.Width, full.Height), (withMinimum.Width, withMinimum.Height));
        Assert.Equal(TestData.PixelSha256(full), TestData.PixelSha256(withMinimum));
    }

    [Fact]
    public void EveryOverloadDecodesTheSamePixels()
    {
        var options = new DecodeOptions { MinWidth = 150, MinHeight = 90 };
        var bytes = File.ReadAllBytes(Rocket);
        using var fromPath = Image.Open(Rocket, options);
        var expected = TestData.PixelSha256(fromPath);
        using (var fromSpan = Image.Load(bytes.AsSpan(), options))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromSpan));
        }
        using (var fromArray = Image.Load(bytes, options))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromArray));
        }
        using (var memory = new MemoryStream(bytes))
        using (var fromMemory = Image.Load(memory, options))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromMemory));
            Assert.Equal(memory.Length, memory.Position);
        }
        using (var unseekable = new ThumbnailTests.UnseekableStream(bytes))
        using (var fromUnseekable = Image.Load(unseekable, options))
        {
            Assert.Equal(expected, TestData.PixelSha256(fromUnseekable));
        }
    }

    /// <remarks>
    /// Both paths decode a JPEG with libjpeg-turbo, so the default options give exactly the
    /// pixels of <see cref="Image.Open(string, DecodeLimits?)"/>, and the options overloads agree.
    /// </remarks>
    [Fact]
    public void DefaultOptionsDecodeAtFullSize()
    {
        using var plain = Image.Open(Rocket);
        using var withDefault = Image.Open(Rocket, new DecodeOptions());
        Assert.Equal((plain.Width, plain.Height, plain.ColorType), (withDefault.Width, withDefault.Height, withDefault.ColorType));
        Assert.Equal(TestData.PixelSha256(plain), TestData.PixelSha256(withDefault));
        using var loaded = Image.Load(File.ReadAllBytes(Rocket), default(DecodeOptions));
        Assert.Equal(TestData.PixelSha256(withDefault), TestData.PixelSha256(loaded));
    }

    [Fact]
    public void DeferredJpegAnswersFromItsHeaderAndGivesTheSameResults()
    {
        var eagerOptions = new DecodeOptions { MinWidth = 300, MinHeight = 200 };
        var deferredOptions = eagerOptions with { Deferred = true };
        using var eager = Image.Open(Rocket, eagerOptions);
        using var deferred = Image.Open(Rocket, deferredOptions);
        using var fromBytes = Image.Load(File.ReadAllBytes(Rocket), deferredOptions);
        Assert.Equal((320, 214, eager.ColorType), (deferred.Width, deferred.Height, deferred.ColorType));
        Assert.Equal((320, 214), (fromBytes.Width, fromBytes.Height));

        // Crop and Blur (sigma above 10) reuse the decoded buffer; Resize and Unsharpen read it.
        using var eagerChain = eager.Crop(10, 5, 300, 200);
        using var deferredChain = deferred.Crop(10, 5, 300, 200);
        Assert.Equal(TestData.PixelSha256(eagerChain), TestData.PixelSha256(deferredChain));
        using var eagerBlur = eager.Blur(25);
        using var deferredBlur = fromBytes.Blur(25);
        Assert.Equal(TestData.PixelSha256(eagerBlur), TestData.PixelSha256(deferredBlur));
        using var eagerSharp = eager.Unsharpen(1.5f, 1f, 0);
        using var deferredSharp = deferred.Unsharpen(1.5f, 1f, 0);
        Assert.Equal(TestData.PixelSha256(eagerSharp), TestData.PixelSha256(deferredSharp));
        Assert.Equal(eager.Encode(ImageFormat.Png), deferred.Encode(ImageFormat.Png));
        Assert.Equal(TestData.PixelSha256(eager), TestData.PixelSha256(deferred));

        // In place: decoded for good, then changed.
        deferred.Mirror();
        eager.Mirror();
        Assert.Equal(TestData.PixelSha256(eager), TestData.PixelSha256(deferred));
        Assert.Equal(deferred.PixelByteCount, deferred.WithPixels(static pixels => pixels.Length));
    }

    [Fact]
    public void ADeferredChainGivesTheEagerChainsPixels()
    {
        using var eager = Image.Open(Rocket, new DecodeOptions());
        using var deferred = Image.Open(Rocket, new DecodeOptions { Deferred = true });
        static Image Chain(Image source)
        {
            using var cropped = source.Crop(20, 10, source.Width - 40, source.Height - 20);
            using var shrunk = cropped.Resize(cropped.Width * 9 / 10, cropped.Height * 9 / 10, ResizeFilter.Lanczos3);
            using var turned = shrunk.Rotate90();
            return turned.Unsharpen(0.7f, 1f, 0);
        }
        using var expected = Chain(eager);
        using var actual = Chain(deferred);
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        Assert.Equal(TestData.PixelSha256(expected), TestData.PixelSha256(actual));
        var jpeg = new EncodeOptions { Quality = 75 };
        Assert.Equal(expected.Encode(ImageFormat.Jpeg, jpeg), actual.Encode(ImageFormat.Jpeg, jpeg));
    }

    [Fact]
    public void DeferredDecodeErrorsComeFromTheCallThatDecodes()
    {
        var bytes = File.ReadAllBytes(Rocket);
        var cut = bytes[..(bytes.Length / 2)];
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => Image.Load(cut, new DecodeOptions())).Code);
        using var deferred = Image.Load(cut, new DecodeOptions { Deferred = true });
        Assert.Equal((640, 427), (deferred.Width, deferred.Height));
        // Operations on a deferred image are deferred too: their parameters are checked at once,
        // the decode (and its error) comes with the first call that needs pixels.
        using var cropped = deferred.Crop(0, 0, 10, 10);
        Assert.Equal((10, 10), (cropped.Width, cropped.Height));
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PixbridgeException>(() => deferred.Crop(0, 0, 641, 10)).Code);
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => cropped.Encode(ImageFormat.Png)).Code);
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => cropped.WithPixels(static _ => { })).Code);
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => deferred.Encode(ImageFormat.Png)).Code);
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => deferred.Mirror()).Code);
    }

    [Fact]
    public void LimitsApplyToTheFullSizeEvenWhenDecodedScaled()
    {
        var options = new DecodeOptions { Limits = new DecodeLimits { MaxWidth = 639 }, MinWidth = 10, MinHeight = 10 };
        var e = Assert.Throws<PixbridgeException>(() => Image.Open(Rocket, options));
        Assert.Equal(ErrorCode.LimitExceeded, e.Code);
        e = Assert.Throws<PixbridgeException>(() => Image.Load(File.ReadAllBytes(Rocket), options));
        Assert.Equal(ErrorCode.LimitExceeded, e.Code);
    }

    [Fact]
    public void Errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecodeOptions { MinWidth = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecodeOptions { MinHeight = int.MinValue });
        Assert.Throws<ArgumentNullException>(() => Image.Open(null!, new DecodeOptions()));
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => Image.Load(ReadOnlySpan<byte>.Empty, new DecodeOptions())).Code);
        Assert.Throws<ArgumentNullException>(() => Image.Load((byte[])null!, new DecodeOptions()));
        Assert.Throws<ArgumentNullException>(() => Image.Load((Stream)null!, new DecodeOptions()));
        var missing = Path.Combine(Path.GetTempPath(), $"pixbridge-missing-{Guid.NewGuid():N}.jpg");
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<PixbridgeException>(() => Image.Open(missing, new DecodeOptions { MinWidth = 1 })).Code);
        var cut = File.ReadAllBytes(Rocket)[..400];
        Assert.Equal(ErrorCode.Decode, Assert.Throws<PixbridgeException>(() => Image.Load(cut, new DecodeOptions { MinWidth = 1 })).Code);
    }

    /// <summary>
    /// The option structs exist beside the older overloads that take a nullable limit or quality;
    /// <c>null</c> still binds to those (this test compiling is the check), as code written before
    /// the options expects.
    /// </summary>
    [Fact]
    public void NullStillBindsToTheOlderOverloads()
    {
        var bytes = File.ReadAllBytes(TestData.PathOf("gradient-64x48.png"));
        using var opened = Image.Open(TestData.PathOf("gradient-64x48.png"), null);
        using var loaded = Image.Load(bytes, null);
        using var fromSpan = Image.Load(bytes.AsSpan(), null);
        using var fromStream = Image.Load(new MemoryStream(bytes), null);
        Assert.Equal(TestData.PixelSha256(opened), TestData.PixelSha256(loaded));
        var png = opened.Encode(ImageFormat.Png, null);
        Assert.Equal(png, opened.Encode(ImageFormat.Png));
        var path = Path.Combine(Path.GetTempPath(), $"pixbridge-null-{Guid.NewGuid():N}.png");
        try
        {
            opened.Save(path, ImageFormat.Png, null);
            Assert.Equal(png, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
        using var output = new MemoryStream();
        opened.Save(output, ImageFormat.Png, null);
        Assert.Equal(png, output.ToArray());
    }
}
