using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Paths cross the C ABI as UTF-8 (docs/platforms.md, "Windows"): names outside ASCII and outside
/// the Basic Multilingual Plane (UTF-16 surrogate pairs in .NET strings) reach the file system
/// unchanged, for every call that takes a path.
/// </summary>
public sealed class UnicodePathTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("pixbridge-unicode-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static byte[] Pattern(int width, int height) =>
        Enumerable.Range(0, width * height * 4).Select(i => (byte)(i * 37 % 251)).ToArray();

    [Theory]
    [InlineData("фото-😀.png")]
    [InlineData("写真 𠮷野家.jpg")]
    [InlineData("emoji-📷\u200d-e\u0301.bmp")]
    public void SaveOpenAndThumbnailANonAsciiNonBmpName(string name)
    {
        Assert.Contains(name, c => char.IsSurrogate(c)); // the case this test is about: non-BMP characters
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, "папка-🗂")).FullName;
        var path = Path.Combine(folder, name);
        var pixels = Pattern(8, 6);
        using (var image = Image.FromPixels(8, 6, pixels))
        {
            image.Save(path);
        }

        // The file system has exactly this name (the UTF-16 .NET string's own UTF-8 form on Linux).
        var listed = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray();
        Assert.Equal(new[] { name }, listed);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(listed[0]!));
        }

        using (var reopened = Image.Open(path))
        {
            Assert.Equal((8, 6), (reopened.Width, reopened.Height));
            if (!name.EndsWith(".jpg", StringComparison.Ordinal))
            {
                Assert.Equal(pixels, reopened.ToPixelArray());
            }
        }
        using (var thumb = Image.Thumbnail(path, 4, 4, ThumbnailFit.Contain))
        {
            Assert.Equal(4, thumb.Width);
        }

        // Saving again replaces the file atomically under the same name; no temporary file is left.
        using (var mirrored = Image.Open(path))
        {
            mirrored.Mirror();
            mirrored.Save(path);
        }
        Assert.Equal(new[] { name }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void MissingNonBmpFileIsReportedWithItsName()
    {
        var path = Path.Combine(_scratch, "нет-😀.png");
        var error = Assert.Throws<PixbridgeException>(() => Image.Open(path));
        Assert.Equal(ErrorCode.NotFound, error.Code);
        Assert.Contains("нет-😀.png", error.Message);
    }

    [Fact]
    public void UnpairedSurrogateIsRefusedBeforeTheNativeCall()
    {
        // Valid in a .NET string and in an NTFS name, but not Unicode: it has no UTF-8 form.
        var path = Path.Combine(_scratch, "bad-\ud83d.png");
        using var image = Image.FromPixels(1, 1, new byte[4]);
        var error = Assert.Throws<ArgumentException>(() => image.Save(path));
        Assert.Contains("unpaired surrogate", error.Message);
        Assert.Empty(Directory.GetFiles(_scratch));
    }
}
