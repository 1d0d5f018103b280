using System.Threading;

namespace Pixbridge;

/// <summary>
/// One SafeHandle reference held by a <see cref="PixelView"/>, reused from view to view of the same
/// image so that a view allocates nothing.
/// </summary>
/// <remarks>
/// Each activation gets a fresh token; <see cref="Release"/> only acts for the current token, so a
/// stale copy of an old view (a <c>ref struct</c> can be copied and disposed twice) can never
/// release a reference that a later view holds. A lease is owned by one view at a time: it is
/// taken from <see cref="ImageHandle.SpareViewLease"/> (or created when that is in use) and put
/// back there on release.
/// </remarks>
internal sealed class ViewLease
{
    private readonly ImageHandle _handle;

    /// <summary>Token of the view that holds the reference; 0 while the lease is idle.</summary>
    private long _activeToken;

    /// <summary>Last token handed out; only the single current owner increments it.</summary>
    private long _lastToken;

    internal ViewLease(ImageHandle handle) => _handle = handle;

    /// <summary>Marks the lease as held (the caller has just added a reference) and returns the view's token.</summary>
    internal long Activate()
    {
        var token = ++_lastToken;
        Volatile.Write(ref _activeToken, token);
        return token;
    }

    /// <summary>Releases the reference if <paramref name="token"/> is the current one; otherwise does nothing.</summary>
    internal void Release(long token)
    {
        if (token == 0 || Interlocked.CompareExchange(ref _activeToken, 0, token) != token)
        {
            return;
        }
        _handle.DangerousRelease();
        // Keep it for the next view; if another idle lease is already there, this one is dropped.
        Interlocked.CompareExchange(ref _handle.SpareViewLease, this, null);
    }
}
