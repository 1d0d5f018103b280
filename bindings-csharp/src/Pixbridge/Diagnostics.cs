using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// Counters of the native library, for leak tests and monitoring.
/// </summary>
public static class Diagnostics
{
    /// <summary>
    /// Number of native image handles alive in this process right now (images not yet disposed
    /// or collected by the garbage collector).
    /// </summary>
    /// <exception cref="System.DllNotFoundException">The native library could not be loaded.</exception>
    public static long LiveImageCount => (long)ReadCounters().Images;

    /// <summary>Number of native encoded-buffer handles alive right now (normally 0 between calls).</summary>
    /// <exception cref="System.DllNotFoundException">The native library could not be loaded.</exception>
    public static long LiveBufferCount => (long)ReadCounters().Buffers;

    /// <summary>
    /// Number of native control handles alive right now: one per asynchronous call that has been
    /// queued or is running (its cancellation token and progress callback), 0 when none is.
    /// </summary>
    /// <exception cref="System.DllNotFoundException">The native library could not be loaded.</exception>
    public static long LiveControlCount
    {
        get
        {
            NativeLibraryLoader.EnsureLoaded();
            ulong controls = 0;
            NativeCalls.Check(Interop.pixbridge_live_controls(ref controls));
            return (long)controls;
        }
    }

    /// <summary>
    /// Number of plugins loaded in this process right now (<see cref="PluginLibrary.Load(string)"/>
    /// minus <see cref="PluginLibrary.Dispose"/>).
    /// </summary>
    /// <exception cref="System.DllNotFoundException">The native library could not be loaded.</exception>
    public static long LivePluginCount
    {
        get
        {
            NativeLibraryLoader.EnsureLoaded();
            ulong plugins = 0;
            NativeCalls.Check(Interop.pixbridge_live_plugins(ref plugins));
            return (long)plugins;
        }
    }

    private static (ulong Images, ulong Buffers) ReadCounters()
    {
        NativeLibraryLoader.EnsureLoaded();
        ulong images = 0;
        ulong buffers = 0;
        NativeCalls.Check(Interop.pixbridge_live_handles(ref images, ref buffers));
        return (images, buffers);
    }
}
