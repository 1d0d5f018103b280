using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>The public API on small synthetic images whose expected pixels are computed here by hand.</summary>
public sealed class ApiTests : IDisposable
{
    private const int W = 5;
    private const int H = 3;
    private readonly string _scratch = Directory.CreateTempSubdirectory("pixbridge-api-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>Every pixel distinct: R = x, G = y, B = 10x + y, A = 255.</summary>
    private static byte[] Pattern(int width = W, int height = H)
    {
        var pixels = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width + x) * 4;
                pixels[i] = (byte)x;
                pixels[i + 1] = (byte)y;
                pixels[i + 2] = (byte)(10 * x + y);
                pixels[i + 3] = 255;
            }
        }
        return pixels;
    }

    private static byte[] Pixel(byte[] pixels, int width, int x, int y) => pixels.AsSpan((y * width + x) * 4, 4).ToArray();

    [Fact]
    public void FromPixelsSizeMessageNeverOverflows()
    {
        // (2^31 - 1)^2 * 4 = 2^64 - 2^34 + 4 bytes: more than a long holds. Checked natively, as in Java.
        var error = Assert.Throws<PixbridgeException>(() => Image.FromPixels(int.MaxValue, int.MaxValue, new byte[4]));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("2147483647 x 2147483647", error.Message);
        Assert.DoesNotContain("-", error.Message.Replace("from_pixels", ""));
    }

    [Fact]
    public void FromPixelsRoundTripsThroughCopyViewAndArray()
    {
        var pattern = Pattern();
        using var image = Image.FromPixels(W, H, pattern);
        Assert.Equal(W, image.Width);
        Assert.Equal(H, image.Height);
        Assert.Equal(ColorType.Rgba8, image.ColorType);
        Assert.Equal(W * H * 4, image.PixelByteCount);

        var copy = new byte[W * H * 4 + 7];
        image.CopyPixels(copy);
        Assert.Equal(pattern, copy.Take(pattern.Length));
        Assert.True(copy.Skip(pattern.Length).All(b => b == 0));
        Assert.Equal(pattern, image.ToPixelArray());
        Assert.True(image.WithPixels(pixels => pixels.SequenceEqual(pattern)));
    }

    [Fact]
    public void MirrorIsInPlaceAndSwapsColumns()
    {
        var pattern = Pattern();
        using var image = Image.FromPixels(W, H, pattern);
        image.Mirror();
        var mirrored = image.ToPixelArray();
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                Assert.Equal(Pixel(pattern, W, W - 1 - x, y), Pixel(mirrored, W, x, y));
            }
        }
    }

    [Fact]
    public void Rotate90ReturnsNewImageAndKeepsSource()
    {
        var pattern = Pattern();
        using var image = Image.FromPixels(W, H, pattern);
        using var rotated = image.Rotate90();
        Assert.NotSame(image, rotated);
        Assert.Equal(H, rotated.Width);
        Assert.Equal(W, rotated.Height);
        var pixels = rotated.ToPixelArray();
        // Clockwise: the new pixel (x, y) is the old pixel (y, H - 1 - x).
        for (var y = 0; y < W; y++)
        {
            for (var x = 0; x < H; x++)
            {
                Assert.Equal(Pixel(pattern, W, y, H - 1 - x), Pixel(pixels, H, x, y));
            }
        }
        Assert.Equal(pattern, image.ToPixelArray());
    }

    [Fact]
    public void CropCutsTheRectangle()
    {
        var pattern = Pattern();
        using var image = Image.FromPixels(W, H, pattern);
        using var cropped = image.Crop(1, 1, 3, 2);
        Assert.Equal((3, 2), (cropped.Width, cropped.Height));
        var pixels = cropped.ToPixelArray();
        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < 3; x++)
            {
                Assert.Equal(Pixel(pattern, W, x + 1, y + 1), Pixel(pixels, 3, x, y));
            }
        }
    }

    [Fact]
    public void BrightnessSaturatesAndKeepsAlpha()
    {
        using var image = Image.FromPixels(2, 1, new byte[] { 10, 250, 128, 77, 0, 5, 255, 200 });
        image.AdjustBrightness(10);
        Assert.Equal(new byte[] { 20, 255, 138, 77, 10, 15, 255, 200 }, image.ToPixelArray());
        image.AdjustBrightness(-255);
        Assert.Equal(new byte[] { 0, 0, 0, 77, 0, 0, 0, 200 }, image.ToPixelArray());
    }

    [Fact]
    public void GrayscaleChangesColorTypeAndEqualisesChannels()
    {
        using var image = Image.FromPixels(W, H, Pattern());
        image.Grayscale();
        Assert.Equal(ColorType.La8, image.ColorType);
        var pixels = image.ToPixelArray();
        for (var i = 0; i < pixels.Length; i += 4)
        {
            Assert.Equal(pixels[i], pixels[i + 1]);
            Assert.Equal(pixels[i], pixels[i + 2]);
        }
    }

    [Fact]
    public void ResizeAndBlurProduceNewImagesOfTheRightSize()
    {
        using var image = Image.FromPixels(W, H, Pattern());
        using var resized = image.Resize(10, 7, ResizeFilter.Lanczos3);
        Assert.Equal((10, 7), (resized.Width, resized.Height));
        using var blurred = resized.Blur(1.5f);
        Assert.Equal((10, 7), (blurred.Width, blurred.Height));
        using var sharpened = blurred.Unsharpen(1f, 0.5f, 2);
        Assert.Equal((10, 7), (sharpened.Width, sharpened.Height));
    }

    [Theory]
    [InlineData(ImageFormat.Png)]
    [InlineData(ImageFormat.WebP)]
    [InlineData(ImageFormat.Bmp)]
    [InlineData(ImageFormat.Qoi)]
    [InlineData(ImageFormat.Tiff)]
    public void LosslessEncodeDecodeKeepsPixels(ImageFormat format)
    {
        var pattern = Pattern();
        using var image = Image.FromPixels(W, H, pattern);
        var encoded = image.Encode(format);
        using var decoded = Image.Load(encoded);
        Assert.Equal(pattern, decoded.ToPixelArray());
        using var fromStream = Image.Load(new MemoryStream(encoded));
        Assert.Equal(pattern, fromStream.ToPixelArray());
    }

    [Fact]
    public void PngSignatureAndJpegQuality()
    {
        using var image = Image.FromPixels(W, H, Pattern());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image.Encode(ImageFormat.Png).Take(4));
        var jpeg = image.Encode(ImageFormat.Jpeg, 95);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg.Take(2));
        using var decoded = Image.Load(jpeg);
        Assert.Equal(ColorType.Rgb8, decoded.ColorType);
    }

    [Fact]
    public void SaveToFilesAndStreams()
    {
        var pattern = Pattern();
        using var image = Image.FromPixels(W, H, pattern);

        var png = Path.Combine(_scratch, "out.png");
        image.Save(png);
        using (var reopened = Image.Open(png))
        {
            Assert.Equal(pattern, reopened.ToPixelArray());
        }

        var qoiNamedBin = Path.Combine(_scratch, "explicit.bin");
        image.Save(qoiNamedBin, ImageFormat.Qoi);
        Assert.Equal("qoif"u8.ToArray(), File.ReadAllBytes(qoiNamedBin).Take(4));

        var unicode = Path.Combine(_scratch, "bild-ü-画像.png");
        image.Save(unicode);
        using (var reopened = Image.Open(unicode))
        {
            Assert.Equal(pattern, reopened.ToPixelArray());
        }

        using var stream = new MemoryStream();
        stream.WriteByte(42);
        image.Save(stream, ImageFormat.Png);
        Assert.Equal(42, stream.GetBuffer()[0]);
        stream.Position = 1;
        using var fromStream = Image.Load(stream);
        Assert.Equal(pattern, fromStream.ToPixelArray());
    }

    [Fact]
    public void OpenPhotographAndRunTheClassicPipeline()
    {
        using var image = Image.Open(TestData.PathOf("rocket.jpg"));
        Assert.Equal(ColorType.Rgb8, image.ColorType);
        using var blurred = image.Blur(4f);
        blurred.Mirror();
        Assert.Equal((image.Width, image.Height), (blurred.Width, blurred.Height));
        var output = Path.Combine(_scratch, "out.png");
        blurred.Save(output);
        using var reopened = Image.Open(output);
        Assert.Equal(TestData.PixelSha256(blurred), TestData.PixelSha256(reopened));
    }

    [Fact]
    public void PackageShipsTheNativeLibraryInTheRidLayout()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libpixbridge.so");
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.Equal("linux-x64", NativeLibraryLoader.RuntimeIdentifier);
    }

    [Fact]
    public void LoaderFailureNamesRidPathsAndLoaderError()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_scratch, "empty")).FullName;
        var broken = Directory.CreateDirectory(Path.Combine(_scratch, "broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "libpixbridge.so"), "not an ELF file");
        var candidates = NativeLibraryLoader.CandidatePaths(new[] { empty, broken }, "linux-x64", "libpixbridge.so");
        Assert.Equal(Path.Combine(empty, "runtimes", "linux-x64", "native", "libpixbridge.so"), candidates[0]);

        var e = Assert.Throws<DllNotFoundException>(() => NativeLibraryLoader.LoadFirst(candidates, "linux-x64"));
        Assert.Contains("'linux-x64'", e.Message);
        foreach (var candidate in candidates)
        {
            Assert.Contains(candidate, e.Message);
        }
        Assert.Contains("file not found", e.Message);
        // The loader's own error for the file that exists but is not a library.
        Assert.Contains(Path.Combine(broken, "libpixbridge.so") + ": ", e.Message);
        Assert.DoesNotContain(Path.Combine(broken, "libpixbridge.so") + ": file not found", e.Message);

        // Only the application folder, the assembly folder and the folders the .NET host lists
        // for the app's native libraries are ever searched (never the current directory).
        var hostListed = ((AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath);
        var allowed = new[] { Path.GetFullPath(AppContext.BaseDirectory), Path.GetDirectoryName(typeof(Image).Assembly.Location)! }
            .Concat(hostListed).Select(d => d.TrimEnd(Path.DirectorySeparatorChar)).ToArray();
        Assert.All(NativeLibraryLoader.SearchDirectories(), d => Assert.Contains(d.TrimEnd(Path.DirectorySeparatorChar), allowed));
    }
}
