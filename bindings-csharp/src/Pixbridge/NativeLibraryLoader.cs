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

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be installed before the first P/Invoke into the native library.")]
    internal static void InstallResolver()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
    }

    /// <summary>The runtime identifier whose native folder is used, e.g. <c>linux-x64</c>.</summary>
    internal static string RuntimeIdentifier
    {
        get
        {
            string os;
            if (OperatingSystem.IsWindows())
            {
                os = "win";
            }
            else if (OperatingSystem.IsMacOS())
            {
                os = "osx";
            }
            else if (OperatingSystem.IsLinux())
            {
                os = RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase) ? "linux-musl" : "linux";
            }
            else
            {
                os = RuntimeInformation.OSDescription.Split(' ')[0].ToLowerInvariant();
            }
            return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        }
    }

    /// <summary>File name of the native library on this operating system.</summary>
    internal static string LibraryFileName =>
        OperatingSystem.IsWindows() ? "pixbridge.dll" : OperatingSystem.IsMacOS() ? "libpixbridge.dylib" : "libpixbridge.so";

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
    internal static IntPtr LoadFirst(IReadOnlyList<string> candidates, string rid)
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
                return NativeLibrary.Load(path);
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
                var rid = RuntimeIdentifier;
                s_library = LoadFirst(CandidatePaths(SearchDirectories(), rid, LibraryFileName), rid);
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
