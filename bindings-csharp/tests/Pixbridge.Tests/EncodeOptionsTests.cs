using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// <see cref="EncodeOptions"/> through Encode and every Save overload. JPEG settings are checked
/// in the file itself: <see cref="JpegFrame"/> reads the frame header (SOF marker and each
/// component's sampling factors) independently of any decoder.
/// </summary>
public sealed class EncodeOptionsTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("pixbridge-encode-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static Image Photo() => Image.Open(TestData.PathOf("rocket.jpg"));

    /// <summary>The frame header of a JPEG: SOF marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive) and (H, V) sampling per component.</summary>
    internal sealed record JpegFrame(byte Marker, int Width, int Height, IReadOnlyList<(int H, int V)> Sampling)
    {
        public static JpegFrame Read(byte[] jpeg)
        {
            Assert.True(jpeg.Length > 4 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG (no SOI)");
            var i = 2;
            while (i + 4 <= jpeg.Length)
            {
                Assert.True(jpeg[i] == 0xFF, $"expected a marker at {i}");
                var marker = jpeg[i + 1];
                if (marker == 0xFF)
                {
                    i++; // fill byte
                    continue;
                }
                if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
                {
                    i += 2; // no length
                    continue;
                }
                var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
                var body = i + 4;
                // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                {
                    var height = (jpeg[body + 1] << 8) | jpeg[body + 2];
                    var width = (jpeg[body + 3] << 8) | jpeg[body + 4];
                    var components = jpeg[body + 5];
                    var sampling = new List<(int, int)>();
                    for (var c = 0; c < components; c++)
                    {
                        var factors = jpeg[body + 6 + 3 * c + 1];
                        sampling.Add((factors >> 4, factors & 0x0F));
                    }
                    return new JpegFrame(marker, width, height, sampling);
                }
                Assert.True(marker != 0xDA, "scan before any frame header");
                i += 2 + length;
            }
            throw new InvalidDataException("no SOF marker");
        }
    }

    [Theory]
    [InlineData(ChromaSubsampling.Yuv444, 1, 1)]
    [InlineData(ChromaSubsampling.Yuv422, 2, 1)]
    [InlineData(ChromaSubsampling.Yuv420, 2, 2)]
    public void SubsamplingIsWrittenInTheFrameHeader(ChromaSubsampling subsampling, int lumaH, int lumaV)
    {
        using var image = Photo();
        var frame = JpegFrame.Read(image.Encode(ImageFormat.Jpeg, new EncodeOptions { Subsampling = subsampling }));
        Assert.Equal((image.Width, image.Height), (frame.Width, frame.Height));
        Assert.Equal(3, frame.Sampling.Count);
        Assert.Equal((lumaH, lumaV), frame.Sampling[0]);
        Assert.Equal((1, 1), frame.Sampling[1]);
        Assert.Equal((1, 1), frame.Sampling[2]);
    }

    [Fact]
    public void DefaultsAre420BaselineQuality90()
    {
        using var image = Photo();
        var defaults = image.Encode(ImageFormat.Jpeg, new EncodeOptions());
        var frame = JpegFrame.Read(defaults);
        Assert.Equal(0xC0, frame.Marker);
        Assert.Equal((2, 2), frame.Sampling[0]);
        Assert.Equal(defaults, image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 90, Subsampling = ChromaSubsampling.Yuv420 }));
        Assert.Equal(defaults, image.Encode(ImageFormat.Jpeg, default(EncodeOptions)));
    }

    [Fact]
    public void FourFourFourIsLargerAndSharperInColourThanFourTwoZero()
    {
        using var image = Photo();
        var yuv420 = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 85, Subsampling = ChromaSubsampling.Yuv420 });
        var yuv444 = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 85, Subsampling = ChromaSubsampling.Yuv444 });
        Assert.True(yuv444.Length > yuv420.Length, $"4:4:4 {yuv444.Length} bytes, 4:2:0 {yuv420.Length}");
    }

    [Fact]
    public void ProgressiveWritesSof2AndDecodesToTheSameSize()
    {
        using var image = Photo();
        var progressive = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Progressive = true });
        Assert.Equal(0xC2, JpegFrame.Read(progressive).Marker);
        Assert.Equal(0xC0, JpegFrame.Read(image.Encode(ImageFormat.Jpeg, new EncodeOptions { Progressive = false })).Marker);
        using var decoded = Image.Load(progressive);
        Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void OptimizedHuffmanTablesAreNoLargerAndDecodeToTheSamePixels()
    {
        using var image = Photo();
        var standard = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 80 });
        var optimized = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 80, OptimizeHuffman = true });
        Assert.True(optimized.Length <= standard.Length, $"optimized {optimized.Length} bytes, standard {standard.Length}");
        Assert.NotEqual(standard, optimized);
        // Only the entropy coding differs: the same coefficients, so the same pixels.
        using var a = Image.Load(standard);
        using var b = Image.Load(optimized);
        Assert.Equal(TestData.PixelSha256(a), TestData.PixelSha256(b));
    }

    [Fact]
    public void LowerQualityGivesASmallerFile()
    {
        using var image = Photo();
        var low = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 30 });
        var high = image.Encode(ImageFormat.Jpeg, new EncodeOptions { Quality = 95 });
        Assert.True(low.Length < high.Length, $"q30 {low.Length} bytes, q95 {high.Length}");
    }

    [Fact]
    public void PngLevelNineIsNoLargerThanLevelOneAndLossless()
    {
        using var image = Image.Open(TestData.PathOf("chelsea.png"));
        var level1 = image.Encode(ImageFormat.Png, new EncodeOptions { PngCompression = 1 });
        var level9 = image.Encode(ImageFormat.Png, new EncodeOptions { PngCompression = 9 });
        Assert.True(level9.Length <= level1.Length, $"level 9 {level9.Length} bytes, level 1 {level1.Length}");
        Assert.Equal(level1, image.Encode(ImageFormat.Png, new EncodeOptions()));
        var expected = TestData.PixelSha256(image);
        foreach (var png in new[] { level1, level9 })
        {
            using var decoded = Image.Load(png);
            Assert.Equal(expected, TestData.PixelSha256(decoded));
        }
    }

    [Fact]
    public void FormatsWithoutSettingsIgnoreThem()
    {
        using var image = Photo();
        var options = new EncodeOptions { Quality = 10, Subsampling = ChromaSubsampling.Yuv444, Progressive = true, PngCompression = 9 };
        Assert.Equal(image.Encode(ImageFormat.Bmp), image.Encode(ImageFormat.Bmp, options));
        Assert.Equal(image.Encode(ImageFormat.Qoi), image.Encode(ImageFormat.Qoi, options));
    }

    [Fact]
    public void EverySaveOverloadWritesWhatEncodeReturns()
    {
        using var image = Photo();
        var options = new EncodeOptions { Quality = 75, Subsampling = ChromaSubsampling.Yuv444, Progressive = true };
        var expected = image.Encode(ImageFormat.Jpeg, options);

        var byExtension = Path.Combine(_scratch, "by-extension.JPG");
        image.Save(byExtension, options);
        Assert.Equal(expected, File.ReadAllBytes(byExtension));

        var explicitFormat = Path.Combine(_scratch, "explicit.bin");
        image.Save(explicitFormat, ImageFormat.Jpeg, options);
        Assert.Equal(expected, File.ReadAllBytes(explicitFormat));

        using var stream = new MemoryStream();
        stream.Write([1, 2, 3]);
        image.Save(stream, ImageFormat.Jpeg, options);
        Assert.Equal([1, 2, 3, .. expected], stream.ToArray());

        var png = Path.Combine(_scratch, "level9.png");
        image.Save(png, new EncodeOptions { PngCompression = 9 });
        Assert.Equal(image.Encode(ImageFormat.Png, new EncodeOptions { PngCompression = 9 }), File.ReadAllBytes(png));
    }

    [Fact]
    public void OutOfRangeSettingsAreRejectedWhenTheOptionsAreMade()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { Quality = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { Quality = 101 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { PngCompression = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { PngCompression = 10 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EncodeOptions { Subsampling = (ChromaSubsampling)3 });
        var fine = new EncodeOptions { Quality = 1, PngCompression = 9 } with { Quality = 100, PngCompression = 1 };
        Assert.Equal((100, 1), (fine.Quality, fine.PngCompression));
        Assert.Throws<ArgumentOutOfRangeException>(() => fine with { Quality = -3 });
    }

    [Fact]
    public void CallErrors()
    {
        using var image = Photo();
        var options = new EncodeOptions { Quality = 80 };
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Encode((ImageFormat)99, options));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Save(Path.Combine(_scratch, "x.jpg"), (ImageFormat)(-1), options));
        Assert.Throws<ArgumentNullException>(() => image.Save((string)null!, options));
        Assert.Throws<ArgumentException>(() => image.Save("", options));
        Assert.Throws<ArgumentNullException>(() => image.Save((Stream)null!, ImageFormat.Jpeg, options));
        Assert.Throws<ArgumentException>(() => image.Save(new MemoryStream([], writable: false), ImageFormat.Jpeg, options));

        var unknown = Path.Combine(_scratch, "out.xyz");
        Assert.Equal(ErrorCode.UnsupportedFormat, Assert.Throws<PixbridgeException>(() => image.Save(unknown, options)).Code);
        Assert.False(File.Exists(unknown));
        var noFolder = Path.Combine(_scratch, "missing-folder", "out.jpg");
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<PixbridgeException>(() => image.Save(noFolder, options)).Code);
        using var large = Image.FromPixels(300, 1, new byte[300 * 4]);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PixbridgeException>(() => large.Encode(ImageFormat.Ico, options)).Code);

        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => image.Encode(ImageFormat.Jpeg, options));
        Assert.Throws<ObjectDisposedException>(() => image.Save(Path.Combine(_scratch, "never.jpg"), options));
        Assert.Throws<ObjectDisposedException>(() => image.Save(new MemoryStream(), ImageFormat.Jpeg, options));
    }
}
