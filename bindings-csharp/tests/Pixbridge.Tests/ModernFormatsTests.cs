using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Lossy WebP (<see cref="EncodeOptions.WebPQuality"/>) and AVIF (<see cref="EncodeOptions.AvifQuality"/>,
/// <see cref="EncodeOptions.AvifSpeed"/>): the files' magic bytes, sizes against lossless WebP, the lossy
/// WebP decoded back, and out-of-range values. The pixels themselves are checked against Debian's
/// <c>dwebp</c> and <c>avifdec</c> in core/tests/modern_formats.rs.
/// </summary>
public sealed class ModernFormatsTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("pixbridge-modern-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A 451 x 300 RGB photograph.</summary>
    private static Image Photo() => Image.Open(TestData.PathOf("chelsea.png"));

    private static string Ascii(byte[] bytes, int offset, int count) => Encoding.ASCII.GetString(bytes, offset, count);

    [Fact]
    public async Task LossyWebPIsSmallerThanLosslessAndDecodesBack()
    {
        using var photo = Photo();
        var lossless = photo.Encode(ImageFormat.WebP, new EncodeOptions { StripMetadata = true });
        var lossy = photo.Encode(ImageFormat.WebP, new EncodeOptions { WebPQuality = 75, StripMetadata = true });
        Assert.Equal("RIFF", Ascii(lossless, 0, 4));
        Assert.Equal("WEBPVP8L", Ascii(lossless, 8, 8));
        Assert.Equal("RIFF", Ascii(lossy, 0, 4));
        Assert.Equal("WEBPVP8 ", Ascii(lossy, 8, 8));
        Assert.True(lossy.Length * 4 < lossless.Length, $"lossy {lossy.Length} bytes, lossless {lossless.Length}");
        var smaller = photo.Encode(ImageFormat.WebP, new EncodeOptions { WebPQuality = 20, StripMetadata = true });
        Assert.True(smaller.Length < lossy.Length, $"quality 20: {smaller.Length} bytes, quality 75: {lossy.Length}");
        using var decoded = Image.Load(lossy);
        Assert.Equal((451, 300), (decoded.Width, decoded.Height));

        // The quality overloads select lossy WebP too, synchronously and asynchronously.
        using var again = Image.Load(photo.Encode(ImageFormat.WebP, 75));
        Assert.Equal((451, 300), (again.Width, again.Height));
        var asynchronous = await photo.EncodeAsync(ImageFormat.WebP, 75);
        Assert.Equal("WEBPVP8", Ascii(asynchronous, 8, 7));
        Assert.True(asynchronous.Length * 4 < lossless.Length);
    }

    [Fact]
    public void AvifIsWrittenWithQualityAndSpeed()
    {
        using var photo = Photo();
        var lossless = photo.Encode(ImageFormat.WebP, new EncodeOptions { StripMetadata = true });
        var avif = photo.Encode(ImageFormat.Avif, new EncodeOptions { AvifQuality = 60, AvifSpeed = 9 });
        Assert.Equal("ftypavif", Ascii(avif, 4, 8));
        Assert.True(avif.Length * 4 < lossless.Length, $"AVIF {avif.Length} bytes, lossless WebP {lossless.Length}");
        var better = photo.Encode(ImageFormat.Avif, new EncodeOptions { AvifQuality = 95, AvifSpeed = 9 });
        Assert.True(better.Length > avif.Length, $"quality 95: {better.Length} bytes, quality 60: {avif.Length}");

        // Saved by extension; this build cannot decode AVIF and says so.
        var path = Path.Combine(_scratch, "photo.avif");
        photo.Save(path, new EncodeOptions { AvifSpeed = 10 });
        Assert.Equal("ftypavif", Ascii(File.ReadAllBytes(path), 4, 8));
        var error = Assert.Throws<PixbridgeException>(() => Image.Load(avif));
        Assert.Equal(ErrorCode.UnsupportedFormat, error.Code);
        Assert.Contains("AVIF decoding is not available", error.Message);
    }

    [Fact]
    public void OptionsOutOfRangeThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { WebPQuality = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { WebPQuality = 101 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { AvifQuality = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { AvifQuality = 101 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { AvifSpeed = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { AvifSpeed = 11 });
        var options = new EncodeOptions { WebPQuality = 50, AvifQuality = 40, AvifSpeed = 10, StripMetadata = true };
        Assert.Equal((50, 40, 10, true), (options.WebPQuality, options.AvifQuality, options.AvifSpeed, options.StripMetadata));
        Assert.Equal(default(EncodeOptions), new EncodeOptions());
        Assert.Null(new EncodeOptions().WebPQuality);

        // A quality above 100 through the quality overload is refused natively.
        using var photo = Photo();
        var error = Assert.Throws<PixbridgeException>(() => photo.Encode(ImageFormat.Avif, 101));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
    }
}
