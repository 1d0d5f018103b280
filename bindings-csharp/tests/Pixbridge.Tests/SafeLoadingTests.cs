using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// The resolver never loads the native library from the current directory: a planted
/// <c>libpixbridge.so</c> there is ignored and the package's own copy is the one mapped.
/// </summary>
/// <remarks>
/// Serial because the tests change the process-wide current directory.
/// </remarks>
[Collection(nameof(SerialCollection))]
public sealed class SafeLoadingTests
{
    /// <summary>Where the package restores the native library for this process.</summary>
    private static string PackagedLibraryPath => Path.Combine(
        AppContext.BaseDirectory, "runtimes", NativeLibraryLoader.RuntimeIdentifier, "native", NativeLibraryLoader.LibraryFileName);

    private static readonly string[] ZlibPaths =
    {
        "/lib/x86_64-linux-gnu/libz.so.1",
        "/usr/lib/x86_64-linux-gnu/libz.so.1",
        "/lib/aarch64-linux-gnu/libz.so.1",
        "/usr/lib/aarch64-linux-gnu/libz.so.1",
        "/usr/lib64/libz.so.1",
        "/lib/libz.so.1",
    };

    /// <summary>
    /// Creates a temporary folder holding a fake library named like ours, makes it the current
    /// directory for <paramref name="body"/>, and restores everything afterwards.
    /// </summary>
    private static void WithPlantedLibrary(string kind, Action<string> body)
    {
        var folder = Directory.CreateTempSubdirectory("pixbridge-planted-").FullName;
        var previous = Environment.CurrentDirectory;
        try
        {
            var fake = Path.Combine(folder, NativeLibraryLoader.LibraryFileName);
            var zlib = ZlibPaths.FirstOrDefault(File.Exists);
            if (kind == "other-library" && zlib is not null)
            {
                // A real, loadable shared library: if it were loaded it would show up in /proc/self/maps.
                File.Copy(zlib, fake);
            }
            else
            {
                // Not a library at all (also the fallback where no zlib is installed): loading it would throw.
                File.WriteAllBytes(fake, "this is not a shared library\n"u8.ToArray());
            }
            Environment.CurrentDirectory = folder;
            body(folder);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Files mapped into this process whose name is the native library's file name.</summary>
    private static string[] MappedLibraryFiles() => File.ReadLines("/proc/self/maps")
        .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
        .Where(fields => fields.Length == 6)
        .Select(fields => fields[5].Trim())
        .Where(path => Path.GetFileName(path) == NativeLibraryLoader.LibraryFileName)
        .Distinct()
        .ToArray();

    [Fact]
    public void SearchedPathsNeverIncludeTheCurrentDirectory()
    {
        WithPlantedLibrary("garbage", folder =>
        {
            var directories = NativeLibraryLoader.SearchDirectories();
            Assert.NotEmpty(directories);
            Assert.DoesNotContain(directories, d => Path.GetFullPath(d).TrimEnd('/') == folder.TrimEnd('/'));
            var candidates = NativeLibraryLoader.CandidatePaths(directories, NativeLibraryLoader.RuntimeIdentifier, NativeLibraryLoader.LibraryFileName);
            Assert.All(candidates, path => Assert.False(
                path.StartsWith(folder, StringComparison.Ordinal), $"candidate {path} is in the current directory {folder}"));
            Assert.All(candidates, path => Assert.True(Path.IsPathFullyQualified(path), $"candidate {path} is relative"));
        });
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("other-library")]
    public void PlantedLibraryInTheCurrentDirectoryIsNotLoaded(string kind)
    {
        Assert.True(OperatingSystem.IsLinux(), "this test reads /proc/self/maps");
        Assert.True(File.Exists(PackagedLibraryPath), $"the package's native library is missing: {PackagedLibraryPath}");
        WithPlantedLibrary(kind, folder =>
        {
            // Whatever has or has not been loaded so far, these calls go through the resolver with
            // the planted file in the current directory.
            using (var image = Image.FromPixels(2, 2, new byte[16]))
            {
                Assert.Equal(2, image.Width);
            }
            Assert.True(Diagnostics.LiveImageCount >= 0);

            // Resolving again from the planted directory yields the package's library, not the fake.
            var rid = NativeLibraryLoader.RuntimeIdentifier;
            var candidates = NativeLibraryLoader.CandidatePaths(NativeLibraryLoader.SearchDirectories(), rid, NativeLibraryLoader.LibraryFileName);
            var resolved = NativeLibraryLoader.LoadFirst(candidates, rid);
            var packaged = NativeLibrary.Load(PackagedLibraryPath);
            try
            {
                Assert.Equal(packaged, resolved);
            }
            finally
            {
                NativeLibrary.Free(resolved);
                NativeLibrary.Free(packaged);
            }

            var mapped = MappedLibraryFiles();
            Assert.NotEmpty(mapped);
            Assert.All(mapped, path =>
            {
                Assert.False(path.StartsWith(folder, StringComparison.Ordinal), $"the planted {path} was loaded");
                Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), path);
            });
        });
    }
}
