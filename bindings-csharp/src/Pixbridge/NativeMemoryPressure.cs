using System;
using System.Threading;

namespace Pixbridge;

/// <summary>
/// Native pixel memory held by images that have not been released yet, and the garbage
/// collections it induces so that forgotten (never disposed) images are finalized in time.
/// </summary>
/// <remarks>
/// <see cref="GC.AddMemoryPressure"/> did this job before, but the runtime induces a collection
/// once a few megabytes have been added since the last one, however promptly they are removed
/// again: in the blur benchmark, one collection per 4K result (33 MB) that paused the process
/// for 0.2 ms, 2% of a 4K blur at sigma 2 on two threads. Only images
/// that are never disposed need a collection, so this counter induces one only when the memory
/// of unreleased images has doubled since the last one (and is at least
/// <see cref="MinCollectBytes"/>); the usual create-use-dispose pattern never induces any.
/// </remarks>
internal static class NativeMemoryPressure
{
    /// <summary>No collection is induced while unreleased images hold less than this.</summary>
    internal const long MinCollectBytes = 256L << 20;

    private static long s_unreleasedBytes;
    private static long s_collectAtBytes = MinCollectBytes;
    private static long s_inducedCollections;

    /// <summary>Bytes of native pixel memory held by images not released yet.</summary>
    internal static long UnreleasedBytes => Interlocked.Read(ref s_unreleasedBytes);

    /// <summary>Collections induced so far (for tests).</summary>
    internal static long InducedCollections => Interlocked.Read(ref s_inducedCollections);

    /// <summary>Counts a new image's native memory; may induce a collection (see the remarks).</summary>
    internal static void Add(long bytes)
    {
        var unreleased = Interlocked.Add(ref s_unreleasedBytes, bytes);
        var collectAt = Interlocked.Read(ref s_collectAtBytes);
        // One thread wins the exchange and collects; the others go on.
        if (unreleased >= collectAt
            && Interlocked.CompareExchange(ref s_collectAtBytes, 2 * unreleased, collectAt) == collectAt)
        {
            Interlocked.Increment(ref s_inducedCollections);
            // Finalizers of unreachable images run after this, on the finalizer thread, and
            // release their native memory (which lowers the threshold again, see Remove).
            GC.Collect();
        }
    }

    /// <summary>Uncounts a released image's native memory.</summary>
    internal static void Remove(long bytes)
    {
        var unreleased = Interlocked.Add(ref s_unreleasedBytes, -bytes);
        // Once usage has fallen well below the threshold, lower it, so that a later leak is
        // caught as early as the first one.
        var collectAt = Interlocked.Read(ref s_collectAtBytes);
        var lowered = Math.Max(MinCollectBytes, 2 * unreleased);
        if (lowered < collectAt / 2)
        {
            Interlocked.CompareExchange(ref s_collectAtBytes, lowered, collectAt);
        }
    }
}
