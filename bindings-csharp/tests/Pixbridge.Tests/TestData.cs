using System;
using System.IO;
using System.Security.Cryptography;

namespace Pixbridge.Tests;

/// <summary>Locates the repository's testdata folder and hashes pixels.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    /// <summary>The testdata folder: $PIXBRIDGE_TESTDATA, or the nearest testdata/ above the test binaries.</summary>
    public static string Directory => Folder.Value;

    public static string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Lower-case hex SHA-256 of the image's RGBA8 pixels, read through the zero-copy view.</summary>
    public static string PixelSha256(Image image)
    {
        return image.WithPixels(static pixels => Convert.ToHexStringLower(SHA256.HashData(pixels)));
    }

    private static string FindFolder()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PIXBRIDGE_TESTDATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata");
            if (File.Exists(Path.Combine(candidate, "rocket.jpg")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"No testdata/ folder above {AppContext.BaseDirectory}; set PIXBRIDGE_TESTDATA.");
    }
}
