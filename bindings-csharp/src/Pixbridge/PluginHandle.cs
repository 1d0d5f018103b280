using System;
using System.Runtime.InteropServices;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// Owns one native plugin handle. Releasing it calls <c>pixbridge_plugin_unload</c>;
/// SafeHandle's reference count defers that until every native call using the handle (reading
/// the plugin's description) has returned.
/// </summary>
internal sealed class PluginHandle : SafeHandle
{
    /// <summary>The native 64-bit handle (the base class's IntPtr only records valid or not, as in <see cref="ImageHandle"/>).</summary>
    private readonly ulong _native;

    internal PluginHandle(ulong native)
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

    /// <summary>The native handle; only meaningful while a reference is held.</summary>
    internal ulong Native => _native;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.pixbridge_plugin_unload(_native).IsOk;
}
