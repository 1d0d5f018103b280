using System;

namespace Pixbridge.Tests;

/// <summary>The native live-handle counters once the garbage collector has run every pending finalizer.</summary>
internal static class NativeCounters
{
    /// <summary>Live images, buffers and controls after three rounds of collection and finalization.</summary>
    public static (long Images, long Buffers, long Controls) Settled()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return (Diagnostics.LiveImageCount, Diagnostics.LiveBufferCount, Diagnostics.LiveControlCount);
    }

    /// <summary>Live images once finalizers have run.</summary>
    public static long SettledImages() => Settled().Images;
}
