using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// The platform rule of the resolver (runtime identifier and file name from OS, process
/// architecture and libc), checked for every platform the package ships, on a simulated
/// package tree holding all of their native libraries at once.
/// </summary>
public sealed class NativeLayoutTests
{
    /// <summary>The seven platforms of the release (docs/platforms.md): OS, architecture, musl, and the expected package path.</summary>
    public static TheoryData<string, Architecture, bool, string> ShippedPlatforms => new()
    {
        { "LINUX", Architecture.X64, false, "runtimes/linux-x64/native/libpixbridge.so" },
        { "LINUX", Architecture.Arm64, false, "runtimes/linux-arm64/native/libpixbridge.so" },
        { "LINUX", Architecture.X64, true, "runtimes/linux-musl-x64/native/libpixbridge.so" },
        { "OSX", Architecture.X64, false, "runtimes/osx-x64/native/libpixbridge.dylib" },
        { "OSX", Architecture.Arm64, false, "runtimes/osx-arm64/native/libpixbridge.dylib" },
        { "WINDOWS", Architecture.X64, false, "runtimes/win-x64/native/pixbridge.dll" },
        { "WINDOWS", Architecture.Arm64, false, "runtimes/win-arm64/native/pixbridge.dll" },
    };

    private static readonly (OSPlatform Os, Architecture Architecture, bool Musl)[] Platforms =
    {
        (OSPlatform.Linux, Architecture.X64, false),
        (OSPlatform.Linux, Architecture.Arm64, false),
        (OSPlatform.Linux, Architecture.X64, true),
        (OSPlatform.OSX, Architecture.X64, false),
        (OSPlatform.OSX, Architecture.Arm64, false),
        (OSPlatform.Windows, Architecture.X64, false),
        (OSPlatform.Windows, Architecture.Arm64, false),
    };

    [Theory]
    [MemberData(nameof(ShippedPlatforms))]
    public void EachPlatformMapsToItsPackageFolderAndFileName(string os, Architecture architecture, bool musl, string expected)
    {
        var asset = NativeLibraryLoader.AssetFor(OSPlatform.Create(os), architecture, musl);
        Assert.Equal(expected, asset.PackagePath);
    }

    [Fact]
    public void MuslIsOnlyALinuxDistinction()
    {
        Assert.Equal("linux-musl-arm64", NativeLibraryLoader.AssetFor(OSPlatform.Linux, Architecture.Arm64, true).RuntimeIdentifier);
        Assert.Equal(new NativeAsset("win-x64", "pixbridge.dll"), NativeLibraryLoader.AssetFor(OSPlatform.Windows, Architecture.X64, true));
        Assert.Equal(new NativeAsset("osx-arm64", "libpixbridge.dylib"), NativeLibraryLoader.AssetFor(OSPlatform.OSX, Architecture.Arm64, true));
    }

    [Theory]
    [InlineData(Architecture.X86, "x86")]
    [InlineData(Architecture.Arm, "arm")]
    [InlineData(Architecture.RiscV64, "riscv64")]
    [InlineData(Architecture.S390x, "s390x")]
    [InlineData(Architecture.LoongArch64, "loongarch64")]
    public void OtherArchitecturesUseDotNetRidNames(Architecture architecture, string name)
    {
        Assert.Equal(name, NativeLibraryLoader.ArchitectureName(architecture));
        Assert.Equal($"linux-{name}", NativeLibraryLoader.AssetFor(OSPlatform.Linux, architecture, false).RuntimeIdentifier);
    }

    [Fact]
    public void OtherUnixSystemsUseTheSharedObjectName()
    {
        Assert.Equal(new NativeAsset("freebsd-x64", "libpixbridge.so"), NativeLibraryLoader.AssetFor(OSPlatform.FreeBSD, Architecture.X64, false));
    }

    [Fact]
    public void ThisProcessUsesTheRuleForItsOwnPlatform()
    {
        // Here on Linux; on every released platform in .github/workflows/release.yml.
        var os = OperatingSystem.IsWindows() ? OSPlatform.Windows : OperatingSystem.IsMacOS() ? OSPlatform.OSX : OSPlatform.Linux;
        var musl = OperatingSystem.IsLinux()
            && NativeLibraryLoader.IsMusl(RuntimeInformation.RuntimeIdentifier, File.ReadLines("/proc/self/maps"));
        var expected = NativeLibraryLoader.AssetFor(os, RuntimeInformation.ProcessArchitecture, musl);
        Assert.Equal(expected, NativeLibraryLoader.CurrentAsset);
        Assert.Equal(expected.RuntimeIdentifier, NativeLibraryLoader.RuntimeIdentifier);
        Assert.Equal(expected.FileName, NativeLibraryLoader.LibraryFileName);
        Assert.Equal(
            OperatingSystem.IsWindows() ? "pixbridge.dll" : OperatingSystem.IsMacOS() ? "libpixbridge.dylib" : "libpixbridge.so",
            NativeLibraryLoader.LibraryFileName);
        // The package restored for this test project has exactly that file.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, expected.PackagePath)), expected.PackagePath);
    }

    private const string GlibcMaps = "7f362fc0e000-7f362fc0f000 r--p 00000000 fe:00 331651                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
    private const string MuslLoaderMaps = "7f0a1c000000-7f0a1c014000 r--p 00000000 00:2a 2753                       /lib/ld-musl-x86_64.so.1";
    private const string MuslLibcMaps = "7f0a1c000000-7f0a1c014000 r-xp 00000000 00:2a 2754                       /usr/lib/libc.musl-aarch64.so.1";

    [Theory]
    [InlineData("linux-musl-x64", new string[0], true)]
    [InlineData("linux-musl-arm64", new[] { GlibcMaps }, true)]
    [InlineData("alpine.3.20-x64", new string[0], true)] // Alpine's own (source-built) .NET
    [InlineData("linux-x64", new[] { "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dotnet", MuslLoaderMaps }, true)]
    [InlineData("linux-arm64", new[] { MuslLibcMaps }, true)]
    [InlineData("linux-x64", new[] { GlibcMaps, "7f0a1c000000-7f0a1c014000 rw-p 00000000 00:00 0 [heap]" }, false)]
    [InlineData("linux-x64", new string[0], false)]
    // musl installed on a glibc system, not loaded into this process: not musl.
    [InlineData("linux-x64", new[] { GlibcMaps, "7f0a1c000000-7f0a1c014000 r--p 00000000 00:2a 2753 /home/me/notes-about-ld-musl-x86_64.txt" }, false)]
    public void MuslIsDetectedFromTheRuntimeIdentifierOrTheMappedLoader(string rid, string[] maps, bool musl)
    {
        Assert.Equal(musl, NativeLibraryLoader.IsMusl(rid, maps));
    }

    /// <summary>
    /// A package folder with every shipped platform's library (each file's content names its RID),
    /// as the assembled release package restores it.
    /// </summary>
    private static string AllPlatformsTree(string root)
    {
        foreach (var (os, architecture, musl) in Platforms)
        {
            var asset = NativeLibraryLoader.AssetFor(os, architecture, musl);
            var file = Path.Combine(root, asset.PackagePath.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, asset.RuntimeIdentifier);
        }
        return root;
    }

    /// <summary>Runs the resolver's selection on <paramref name="directories"/> for a platform, loading nothing: returns the path chosen.</summary>
    private static string Resolve(IEnumerable<string> directories, NativeAsset asset, Func<string, bool>? loads = null)
    {
        var candidates = NativeLibraryLoader.CandidatePaths(directories, asset.RuntimeIdentifier, asset.FileName);
        string? chosen = null;
        NativeLibraryLoader.LoadFirst(candidates, asset.RuntimeIdentifier, path =>
        {
            if (loads is not null && !loads(path))
            {
                throw new BadImageFormatException($"{path} is not for this architecture");
            }
            chosen = path;
            return new IntPtr(1);
        });
        return chosen!;
    }

    [Fact]
    public void ResolverPicksTheOneRightFileAmongAllPlatforms()
    {
        var root = AllPlatformsTree(Directory.CreateTempSubdirectory("pixbridge-layout-").FullName);
        try
        {
            Assert.Equal(7, Directory.GetFiles(Path.Combine(root, "runtimes"), "*", SearchOption.AllDirectories).Length);
            foreach (var (os, architecture, musl) in Platforms)
            {
                var asset = NativeLibraryLoader.AssetFor(os, architecture, musl);
                var chosen = Resolve(new[] { root }, asset);
                Assert.Equal(Path.Combine(root, asset.PackagePath.Replace('/', Path.DirectorySeparatorChar)), chosen);
                Assert.Equal(asset.RuntimeIdentifier, File.ReadAllText(chosen));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FlattenedPublishLayoutIsFoundBesideTheApplication()
    {
        // A RID-specific publish copies the one library beside the app; a folder with all three
        // names (as a multi-platform copy would have) must still give each OS its own file.
        var root = Directory.CreateTempSubdirectory("pixbridge-flat-").FullName;
        try
        {
            foreach (var name in new[] { "pixbridge.dll", "libpixbridge.dylib", "libpixbridge.so" })
            {
                File.WriteAllText(Path.Combine(root, name), name);
            }
            foreach (var (os, architecture, musl) in Platforms)
            {
                var asset = NativeLibraryLoader.AssetFor(os, architecture, musl);
                var chosen = Resolve(new[] { root }, asset);
                Assert.Equal(Path.Combine(root, asset.FileName), chosen);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void PackageFolderComesBeforeTheFlatFileAndAFileThatFailsToLoadIsSkipped()
    {
        var app = AllPlatformsTree(Directory.CreateTempSubdirectory("pixbridge-order-").FullName);
        var extracted = Directory.CreateTempSubdirectory("pixbridge-extracted-").FullName;
        try
        {
            var asset = NativeLibraryLoader.AssetFor(OSPlatform.Linux, Architecture.Arm64, false);
            File.WriteAllText(Path.Combine(app, asset.FileName), "flat");
            File.WriteAllText(Path.Combine(extracted, asset.FileName), "extracted");
            var packaged = Path.Combine(app, "runtimes", "linux-arm64", "native", "libpixbridge.so");

            Assert.Equal(packaged, Resolve(new[] { app, extracted }, asset));
            // The packaged copy is for another architecture (BadImageFormatException): the flat one is next.
            Assert.Equal(Path.Combine(app, asset.FileName), Resolve(new[] { app, extracted }, asset, path => path != packaged));
            // Then the next search directory.
            Assert.Equal(Path.Combine(extracted, asset.FileName),
                Resolve(new[] { app, extracted }, asset, path => path.StartsWith(extracted, StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(app, recursive: true);
            Directory.Delete(extracted, recursive: true);
        }
    }

    [Fact]
    public void MissingPlatformExplainsEveryPathTried()
    {
        var root = AllPlatformsTree(Directory.CreateTempSubdirectory("pixbridge-missing-").FullName);
        try
        {
            // linux-musl-arm64 is not shipped: the linux-arm64 (glibc) library must not be taken instead.
            var asset = NativeLibraryLoader.AssetFor(OSPlatform.Linux, Architecture.Arm64, true);
            var candidates = NativeLibraryLoader.CandidatePaths(new[] { root }, asset.RuntimeIdentifier, asset.FileName);
            var error = Assert.Throws<DllNotFoundException>(() =>
                NativeLibraryLoader.LoadFirst(candidates, asset.RuntimeIdentifier, path => throw new InvalidOperationException($"{path} must not be loaded")));
            Assert.Contains("'linux-musl-arm64'", error.Message);
            Assert.All(candidates, path => Assert.Contains(path + ": file not found", error.Message));
            Assert.DoesNotContain(Path.Combine("runtimes", "linux-arm64"), error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
