using System;
using System.Runtime.InteropServices;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// Owns one native image handle. Releasing it (Dispose, or the finalizer of a forgotten image)
/// calls <c>pixbridge_image_destroy</c>; SafeHandle's reference count defers that until every
/// native call using the handle has returned.
/// </summary>
internal sealed class ImageHandle : SafeHandle
{
    /// <summary>
    /// The native handle is a 64-bit generation-checked id, not a pointer, so it is kept here;
    /// the base class's IntPtr only records "valid" (1) or "invalid" (0).
    /// </summary>
    private readonly ulong _native;
    private long _memoryPressure;

    internal ImageHandle(ulong native)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _native = native;
        if (native != 0)
        {
            SetHandle(new IntPtr(1));
        }
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The native handle; only meaningful while a reference is held (see <see cref="Image"/>).</summary>
    internal ulong Native => _native;

    /// <summary>Counts the native pixel memory this handle keeps alive (see <see cref="NativeMemoryPressure"/>).</summary>
    internal void AddMemoryPressure(long bytes)
    {
        if (bytes > 0)
        {
            NativeMemoryPressure.Add(bytes);
            _memoryPressure = bytes;
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        if (_memoryPressure > 0)
        {
            NativeMemoryPressure.Remove(_memoryPressure);
            _memoryPressure = 0;
        }
        return Interop.pixbridge_image_destroy(_native).IsOk;
    }
}
