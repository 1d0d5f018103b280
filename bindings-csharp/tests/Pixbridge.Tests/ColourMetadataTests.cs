using System;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Pixbridge.Tests;

/// <summary>
/// Colour management and metadata through the C# API, against independent references: the
/// fixtures in testdata/colour were converted to sRGB by lcms2 (Pillow's ImageCms) and their
/// EXIF written by Pillow (testdata/colour/make_fixtures.py; the values below are the script's).
/// </summary>
public sealed class ColourMetadataTests
{
    private readonly ITestOutputHelper _output;

    public ColourMetadataTests(ITestOutputHelper output) => _output = output;

    private static string Colour(string name) => TestData.PathOf(Path.Combine("colour", name));

    private static readonly DecodeOptions KeepProfile = new() { KeepProfile = true };

    /// <summary>Largest and mean absolute difference of R, G and B (alpha ignored).</summary>
    private static (int Max, double Mean) Difference(Image a, Image b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        var p = a.ToPixelArray();
        var q = b.ToPixelArray();
        int max = 0;
        long sum = 0, n = 0;
        for (var i = 0; i < p.Length; i += 4)
        {
            for (var c = 0; c < 3; c++)
            {
                var d = Math.Abs(p[i + c] - q[i + c]);
                max = Math.Max(max, d);
                sum += d;
                n++;
            }
        }
        return (max, (double)sum / n);
    }

    [Theory]
    [InlineData("p3.jpg")]
    [InlineData("adobergb.jpg")]
    [InlineData("p3.png")]
    public void WideGamutPhotosDecodeToTheColoursLcms2Gives(string name)
    {
        using var decoded = Image.Open(Colour(name));
        Assert.Equal(ColorProfile.Srgb, decoded.ColorProfile);
        using var reference = Image.Open(Colour(name + ".srgb.png"));
        var (max, mean) = Difference(decoded, reference);
        _output.WriteLine($"{name}: max {max}, mean {mean:F3} levels from lcms2");
        Assert.True(max <= 2 && mean <= 0.25, $"{name}: max {max}, mean {mean}");

        using var kept = Image.Open(Colour(name), KeepProfile);
        Assert.Equal(ColorProfile.Embedded, kept.ColorProfile);
        var (keptMax, _) = Difference(kept, reference);
        Assert.True(keptMax > 10, $"{name}: the stored pixels should differ from sRGB (max {keptMax})");
    }

    [Fact]
    public void TheIccProfileIsTheFilesOwn()
    {
        var icc = File.ReadAllBytes(Colour("p3.icc"));
        using var kept = Image.Load(File.ReadAllBytes(Colour("p3.jpg")), KeepProfile);
        Assert.Equal(icc, kept.GetMetadata(MetadataBlock.Icc));
        // Converted images still report the file's profile as stored.
        using var converted = Image.Open(Colour("p3.jpg"));
        Assert.Equal(icc, converted.GetMetadata(MetadataBlock.Icc));
        Assert.Null(converted.GetMetadata(MetadataBlock.Xmp));
        var exif = converted.GetMetadata(MetadataBlock.Exif);
        Assert.NotNull(exif);
        Assert.True(exif.AsSpan(0, 4).SequenceEqual("II*\0"u8) || exif.AsSpan(0, 4).SequenceEqual("MM\0*"u8), "a TIFF structure");
    }

    [Fact]
    public void ExifFieldsAreReadAsPillowWroteThem()
    {
        using var image = Image.Open(Colour("p3.jpg"));
        var exif = image.Exif;
        Assert.NotNull(exif);
        Assert.Equal("Pixbridge P3 Camera", exif.Make);
        Assert.Equal("Model P3", exif.Model);
        Assert.Equal("Test Lens 35mm F2.8", exif.LensModel);
        Assert.Equal("2024:05:06 07:08:09", exif.DateTakenText);
        Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Unspecified), exif.DateTaken);
        Assert.Equal("Pixbridge fixture script", exif.Software);
        Assert.Equal("Pixbridge Tests", exif.Artist);
        Assert.Equal("CC0 test fixture", exif.Copyright);
        Assert.Equal(1, exif.Orientation);
        Assert.Equal(1.0 / 250.0, exif.ExposureTime);
        Assert.Equal(2.8, exif.FNumber);
        Assert.Equal(400, exif.Iso);
        Assert.Equal(35.0, exif.FocalLength);
        // 52° 30' 36" N, 1° 15' 0" W, 62.5 m.
        Assert.Equal(52.51, exif.Latitude!.Value, 9);
        Assert.Equal(-1.25, exif.Longitude!.Value, 9);
        Assert.Equal(62.5, exif.Altitude);
    }

    [Fact]
    public void ImagesWithoutMetadataSayNull()
    {
        using var plain = Image.FromPixels(4, 4, new byte[4 * 4 * 4]);
        Assert.Null(plain.Exif);
        Assert.Null(plain.GetMetadata(MetadataBlock.Icc));
        Assert.Empty(plain.TextEntries);
        Assert.Equal(ColorProfile.None, plain.ColorProfile);
    }

    [Fact]
    public void PngTextEntriesAreRead()
    {
        using var image = Image.Open(Colour("p3.png"));
        var text = image.TextEntries;
        string? Get(string key) => text.Where(e => e.Key == key).Select(e => e.Value).FirstOrDefault();
        Assert.Equal("Coffee in Display P3", Get("Title"));
        Assert.Equal("Fusée, iTXt with UTF-8", Get("Description"));
        Assert.StartsWith("A zTXt chunk: compressed text", Get("Comment"));
        Assert.Equal(File.ReadAllBytes(Colour("p3.icc")), image.GetMetadata(MetadataBlock.Icc));
    }

    [Fact]
    public void ASavedJpegKeepsExifAndTheKeptProfileUnlessStripped()
    {
        var icc = File.ReadAllBytes(Colour("p3.icc"));
        using var kept = Image.Open(Colour("p3.jpg"), KeepProfile);
        using (var again = Image.Load(kept.Encode(ImageFormat.Jpeg, new EncodeOptions()), KeepProfile))
        {
            Assert.Equal(icc, again.GetMetadata(MetadataBlock.Icc));
            Assert.Equal(ColorProfile.Embedded, again.ColorProfile);
            Assert.Equal("Pixbridge P3 Camera", again.Exif?.Make);
        }
        using var converted = Image.Open(Colour("p3.jpg"));
        using (var again = Image.Load(converted.Encode(ImageFormat.Jpeg)))
        {
            Assert.Null(again.GetMetadata(MetadataBlock.Icc)); // sRGB pixels: no profile written
            Assert.Equal(400, again.Exif?.Iso);
        }
        using (var stripped = Image.Load(kept.Encode(ImageFormat.Jpeg, new EncodeOptions { StripMetadata = true })))
        {
            Assert.Null(stripped.GetMetadata(MetadataBlock.Exif));
            Assert.Null(stripped.GetMetadata(MetadataBlock.Icc));
            Assert.Null(stripped.Exif);
        }
    }

    [Fact]
    public void ThumbnailsStripMetadataUnlessAskedAndMatchTheColourManagedReference()
    {
        var bytes = File.ReadAllBytes(Colour("p3.jpg"));
        using var thumb = Image.Thumbnail(bytes, 80, 80);
        Assert.Equal(ColorProfile.Srgb, thumb.ColorProfile);
        Assert.Null(thumb.Exif);
        Assert.Null(thumb.GetMetadata(MetadataBlock.Icc));

        using var referenceFull = Image.Open(Colour("p3.jpg.srgb.png"));
        using var reference = referenceFull.Resize(thumb.Width, thumb.Height, ResizeFilter.Lanczos3);
        var (max, mean) = Difference(thumb, reference);
        using var storedFull = Image.Load(bytes, KeepProfile);
        using var stored = storedFull.Resize(thumb.Width, thumb.Height, ResizeFilter.Lanczos3);
        var (_, unmanagedMean) = Difference(stored, reference);
        _output.WriteLine($"p3 thumbnail {thumb.Width}x{thumb.Height} against lcms2 resized: max {max}, mean {mean:F3} (unconverted mean {unmanagedMean:F3})");
        Assert.True(mean <= 2.0 && mean * 3 < unmanagedMean, $"max {max}, mean {mean}, unconverted {unmanagedMean}");

        using var withMetadata = Image.Thumbnail(bytes, 80, 80, ThumbnailFit.Contain, new ThumbnailOptions { KeepMetadata = true });
        Assert.Equal("Pixbridge P3 Camera", withMetadata.Exif?.Make);
    }

    [Fact]
    public void UndefinedCodesThrow()
    {
        using var image = Image.Open(Colour("p3.jpg"));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetMetadata((MetadataBlock)3));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetMetadata((MetadataBlock)(-1)));
    }

    [Fact]
    public void DisposedImagesThrow()
    {
        var image = Image.Open(Colour("p3.jpg"));
        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => image.ColorProfile);
        Assert.Throws<ObjectDisposedException>(() => image.Exif);
        Assert.Throws<ObjectDisposedException>(() => image.TextEntries);
    }
}
