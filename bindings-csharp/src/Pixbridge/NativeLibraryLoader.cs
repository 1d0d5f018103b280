using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// Finds and loads the native library, then checks that it is the one this SDK was generated for.
/// </summary>
/// <remarks>
/// The library is loaded only from the package layout next to this assembly:
/// <c>runtimes/&lt;rid&gt;/native/&lt;file&gt;</c> (what NuGet restores and what a self-contained or
/// RID-specific publish keeps), the file directly beside the assembly (the flattened layout
/// of a RID-specific build), or the file in one of the folders the .NET host lists for native
/// libraries of this application (<c>NATIVE_DLL_SEARCH_DIRECTORIES</c>: where a single-file app
/// published with <c>IncludeNativeLibrariesForSelfExtract</c> extracts its native libraries, and
/// the package folders of an unpublished app). The current directory and the system search path
/// are never used, so a stray or planted library cannot be picked up.
/// </remarks>
internal static class NativeLibraryLoader
{
    private static readonly object Gate = new();
    private static IntPtr s_library;
    private static volatile bool s_verified;

    /// <summary>The native asset for this process, worked out once (musl detection reads <c>/proc/self/maps</c>).</summary>
    private static readonly Lazy<NativeAsset> s_currentAsset = new(() =>
        AssetFor(CurrentOperatingSystem(), RuntimeInformation.ProcessArchitecture, OperatingSystem.IsLinux() && IsMuslProcess()));

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be installed before the first P/Invoke into the native library.")]
    internal static void InstallResolver()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
    }

    /// <summary>The runtime identifier whose native folder is used, e.g. <c>linux-x64</c>.</summary>
    internal static string RuntimeIdentifier => CurrentAsset.RuntimeIdentifier;

    /// <summary>File name of the native library on this operating system.</summary>
    internal static string LibraryFileName => CurrentAsset.FileName;

    /// <summary>The package folder and file name of the native library for this process.</summary>
    internal static NativeAsset CurrentAsset => s_currentAsset.Value;

    /// <summary>
    /// The runtime identifier and file name of the native library for a platform: the one rule
    /// the package layout (<c>runtimes/&lt;rid&gt;/native/&lt;file&gt;</c>, see docs/platforms.md)
    /// and this loader share. Pure, so that every platform's choice is tested on any machine.
    /// </summary>
    /// <param name="os">The operating system.</param>
    /// <param name="architecture">The process architecture (not the machine's: an x64 process on an Arm64 Windows needs the x64 library).</param>
    /// <param name="musl">Whether the process runs on musl libc (Alpine); only read on Linux.</param>
    /// <returns>For example <c>linux-musl-x64</c> and <c>libpixbridge.so</c>, or <c>win-arm64</c> and <c>pixbridge.dll</c>.</returns>
    internal static NativeAsset AssetFor(OSPlatform os, Architecture architecture, bool musl)
    {
        var arch = ArchitectureName(architecture);
        if (os == OSPlatform.Windows)
        {
            return new NativeAsset($"win-{arch}", "pixbridge.dll");
        }
        if (os == OSPlatform.OSX)
        {
            return new NativeAsset($"osx-{arch}", "libpixbridge.dylib");
        }
        if (os == OSPlatform.Linux)
        {
            return new NativeAsset(musl ? $"linux-musl-{arch}" : $"linux-{arch}", "libpixbridge.so");
        }
        // Other Unix systems (FreeBSD, ...): no package ships for them, but a RID-specific build
        // that copies the library beside the application still finds it under the usual name.
        return new NativeAsset($"{os.ToString().ToLowerInvariant()}-{arch}", "libpixbridge.so");
    }

    /// <summary>
    /// The architecture part of a runtime identifier: <c>x64</c>, <c>arm64</c>, <c>x86</c>,
    /// <c>arm</c>, or the lower-case enum name for the others (<c>riscv64</c>, <c>s390x</c>, ...),
    /// as in .NET's own RID catalogue.
    /// </summary>
    internal static string ArchitectureName(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "x86",
        Architecture.Arm => "arm",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Whether this process runs on musl libc: the runtime's own identifier says so
    /// (<c>linux-musl-x64</c>, or a distribution's source build such as <c>alpine.3.20-x64</c>),
    /// or musl's dynamic loader is mapped into the process.
    /// </summary>
    private static bool IsMuslProcess()
    {
        try
        {
            return IsMusl(RuntimeInformation.RuntimeIdentifier, File.ReadLines("/proc/self/maps"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return IsMusl(RuntimeInformation.RuntimeIdentifier, Array.Empty<string>());
        }
    }

    /// <summary>
    /// Whether a process is a musl one, from the runtime identifier the .NET runtime was built for
    /// and the lines of the process's <c>/proc/self/maps</c>. A glibc system that merely has musl
    /// installed (Debian's <c>musl</c> package puts <c>/lib/ld-musl-x86_64.so.1</c> there) is not
    /// musl: what counts is the loader mapped into this process.
    /// </summary>
    /// <param name="runtimeIdentifier"><see cref="RuntimeInformation.RuntimeIdentifier"/>.</param>
    /// <param name="mapsLines">The lines of <c>/proc/self/maps</c> (empty when unreadable).</param>
    /// <returns><see langword="true"/> for musl.</returns>
    internal static bool IsMusl(string runtimeIdentifier, IEnumerable<string> mapsLines)
    {
        if (runtimeIdentifier.Contains("-musl", StringComparison.OrdinalIgnoreCase)
            || runtimeIdentifier.StartsWith("alpine", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var line in mapsLines)
        {
            var slash = line.LastIndexOf('/');
            if (slash < 0)
            {
                continue;
            }
            var file = line.AsSpan(slash + 1);
            if (file.StartsWith("ld-musl-", StringComparison.Ordinal) || file.StartsWith("libc.musl-", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static OSPlatform CurrentOperatingSystem()
    {
        if (OperatingSystem.IsWindows())
        {
            return OSPlatform.Windows;
        }
        if (OperatingSystem.IsMacOS())
        {
            return OSPlatform.OSX;
        }
        if (OperatingSystem.IsLinux())
        {
            return OSPlatform.Linux;
        }
        if (OperatingSystem.IsFreeBSD())
        {
            return OSPlatform.FreeBSD;
        }
        return OSPlatform.Create(RuntimeInformation.OSDescription.Split(' ')[0]);
    }

    /// <summary>Loads the library (once) and verifies its ABI version and API guard.</summary>
    /// <exception cref="DllNotFoundException">The library is missing, cannot be loaded, or is a different version.</exception>
    internal static void EnsureLoaded()
    {
        if (s_verified)
        {
            return;
        }
        lock (Gate)
        {
            if (s_verified)
            {
                return;
            }
            var library = LoadLibrary();
            CheckAbiVersion(library);
            RunApiGuard();
            s_verified = true;
        }
    }

    /// <summary>
    /// Folders searched, in order: the application base, this assembly's folder, then the folders
    /// of the host's <c>NATIVE_DLL_SEARCH_DIRECTORIES</c> (set by the .NET host from the
    /// application's own files, never from the environment or the current directory).
    /// </summary>
    internal static IReadOnlyList<string> SearchDirectories()
    {
        var directories = new List<string>();
        void Add(string? directory)
        {
            if (string.IsNullOrEmpty(directory))
            {
                return;
            }
            var full = Path.GetFullPath(directory);
            if (!directories.Exists(d => string.Equals(d.TrimEnd(Path.DirectorySeparatorChar), full.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)))
            {
                directories.Add(full);
            }
        }
        Add(AppContext.BaseDirectory);
        // Empty for single-file apps; then the base directory is all there is.
        Add(Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location));
        // A single-file app with IncludeNativeLibrariesForSelfExtract has its native libraries
        // extracted to a folder of the host's choosing, which it lists here.
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string hostDirectories)
        {
            // Absolute entries only: a relative one would be resolved against the current directory.
            foreach (var directory in hostDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                if (Path.IsPathFullyQualified(directory))
                {
                    Add(directory);
                }
            }
        }
        return directories;
    }

    /// <summary>Every path tried for <paramref name="rid"/> below <paramref name="directories"/>, in order.</summary>
    internal static IReadOnlyList<string> CandidatePaths(IEnumerable<string> directories, string rid, string fileName)
    {
        var paths = new List<string>();
        foreach (var directory in directories)
        {
            paths.Add(Path.Combine(directory, "runtimes", rid, "native", fileName));
            paths.Add(Path.Combine(directory, fileName));
        }
        return paths;
    }

    /// <summary>Loads the first candidate that exists and loads; otherwise explains every attempt.</summary>
    /// <exception cref="DllNotFoundException">No candidate could be loaded.</exception>
    internal static IntPtr LoadFirst(IReadOnlyList<string> candidates, string rid) => LoadFirst(candidates, rid, NativeLibrary.Load);

    /// <summary>
    /// Tries <paramref name="load"/> on each candidate that exists, in order, and returns the
    /// first handle; a candidate that fails to load (<see cref="DllNotFoundException"/>,
    /// <see cref="BadImageFormatException"/>: another architecture, a damaged file) is skipped.
    /// </summary>
    /// <exception cref="DllNotFoundException">No candidate could be loaded; the message lists every attempt.</exception>
    internal static IntPtr LoadFirst(IReadOnlyList<string> candidates, string rid, Func<string, IntPtr> load)
    {
        var attempts = new StringBuilder();
        foreach (var path in candidates)
        {
            if (!File.Exists(path))
            {
                attempts.Append("\n  ").Append(path).Append(": file not found");
                continue;
            }
            try
            {
                return load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                attempts.Append("\n  ").Append(path).Append(": ").Append(e.Message);
            }
        }
        throw new DllNotFoundException(
            $"Pixbridge could not load its native library for runtime identifier '{rid}' " +
            $"(process architecture {RuntimeInformation.ProcessArchitecture}, OS {RuntimeInformation.OSDescription}). " +
            $"The package ships native libraries under runtimes/<rid>/native/; this platform may not be supported, " +
            $"or the runtimes folder was not copied next to the application. Paths tried:{attempts}");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // Never return IntPtr.Zero for our own library: that would fall back to the default
        // search, which includes places we must not load from.
        return libraryName == Interop.NativeLib ? LoadLibrary() : IntPtr.Zero;
    }

    private static IntPtr LoadLibrary()
    {
        lock (Gate)
        {
            if (s_library == IntPtr.Zero)
            {
                var asset = CurrentAsset;
                s_library = LoadFirst(CandidatePaths(SearchDirectories(), asset.RuntimeIdentifier, asset.FileName), asset.RuntimeIdentifier);
            }
            return s_library;
        }
    }

    private static unsafe void CheckAbiVersion(IntPtr library)
    {
        if (!NativeLibrary.TryGetExport(library, "pixbridge_abi_version", out var export))
        {
            throw new DllNotFoundException("The loaded Pixbridge native library has no pixbridge_abi_version export; it is not a Pixbridge library.");
        }
        var version = ((delegate* unmanaged<uint>)export)();
        if (version != NativeAbi.ExpectedVersion)
        {
            throw new DllNotFoundException(
                $"The Pixbridge native library has ABI version {version}, but this SDK needs ABI version {NativeAbi.ExpectedVersion}. " +
                "Use the native library from the same Pixbridge package as the managed assembly.");
        }
    }

    /// <summary>
    /// Runs the generated layer's static constructor, which calls interoptopus' API guard and
    /// throws when the library's API hash differs from the one the bindings were generated from.
    /// </summary>
    private static void RunApiGuard()
    {
        try
        {
            RuntimeHelpers.RunClassConstructor(typeof(Interop).TypeHandle);
        }
        catch (TypeInitializationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }
}

/// <summary>Where the native library of one platform lives in the package: <c>runtimes/&lt;rid&gt;/native/&lt;file&gt;</c>.</summary>
/// <param name="RuntimeIdentifier">The .NET runtime identifier, e.g. <c>osx-arm64</c>.</param>
/// <param name="FileName">The library's file name on that platform, e.g. <c>libpixbridge.dylib</c>.</param>
internal readonly record struct NativeAsset(string RuntimeIdentifier, string FileName)
{
    /// <summary>The file's path inside the NuGet package, with forward slashes.</summary>
    internal string PackagePath => $"runtimes/{RuntimeIdentifier}/native/{FileName}";
}
