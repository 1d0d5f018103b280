using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// A plugin loaded at run time: a shared library exporting <c>pixbridge_plugin_entry</c> that
/// adds image operations to Pixbridge (docs/plugins.md says how to write one).
/// </summary>
/// <remarks>
/// <para>
/// <c>using var sepia = PluginLibrary.Load("/opt/plugins/libpixbridge_sepia.so");</c> loads it;
/// its <see cref="Operations"/> are then applied by name to any image, with
/// <see cref="Image.Apply(string, PluginArguments?)"/> (operations that return a new image) or
/// <see cref="Image.ApplyInPlace(string, PluginArguments?)"/> (operations that change the image).
/// The plugin's name, version, docs and operations are read once, when it is loaded.
/// </para>
/// <para>
/// Plugins are process-wide: an operation name is unique among Pixbridge's own operations and
/// those of every loaded plugin, so loading a plugin whose operation name is taken (also the
/// same plugin twice) fails with <see cref="ErrorCode.PluginRejected"/>.
/// </para>
/// <para>
/// Lifetime: a plugin stays loaded until <see cref="Dispose"/>, even when no reference to this
/// object is kept (its operations remain usable by name; the SDK keeps it in its registry of
/// loaded plugins). <see cref="Dispose"/> unloads it: its operation names go at once, the library
/// is closed when the last call running one of its operations returns, and images it made stay
/// valid. A new build can then be loaded from the same path.
/// </para>
/// <para>
/// Loading runs the library's initialisers, and its operations run in this process: load only
/// plugins you trust, as any native code. All members are thread-safe.
/// </para>
/// </remarks>
public sealed class PluginLibrary : IDisposable
{
    /// <summary>
    /// The operations of every plugin loaded through the SDK and not yet disposed, by name; what
    /// <see cref="Image.Apply(string, PluginArguments?)"/> maps named arguments with. Guarded by itself.
    /// </summary>
    private static readonly Dictionary<string, PluginOperation> Registry = new(StringComparer.Ordinal);

    /// <summary>
    /// Keeps every loaded, undisposed plugin reachable, so that the finalizer of its handle
    /// never unloads a plugin whose operations are still usable by name. Guarded by <see cref="Registry"/>.
    /// </summary>
    private static readonly HashSet<PluginLibrary> Loaded = new();

    private readonly PluginHandle _handle;
    private int _disposed;

    private PluginLibrary(PluginHandle handle, string name, string version, string description, string path,
        Version abiVersion, IReadOnlyList<PluginOperation> operations)
    {
        _handle = handle;
        Name = name;
        Version = version;
        Description = description;
        Path = path;
        AbiVersion = abiVersion;
        Operations = operations;
    }

    /// <summary>The plugin's name, e.g. <c>sepia</c>.</summary>
    public string Name { get; }

    /// <summary>The plugin's version as it states it, e.g. <c>1.0.0</c>.</summary>
    public string Version { get; }

    /// <summary>What the plugin does, as it documents itself (empty if it says nothing, as a plugin built for ABI 1.0).</summary>
    public string Description { get; }

    /// <summary>The path the plugin was loaded from.</summary>
    public string Path { get; }

    /// <summary>The plugin ABI version the plugin was built for, e.g. 1.1 (major.minor).</summary>
    public Version AbiVersion { get; }

    /// <summary>The plugin's operations, in the order it declares them.</summary>
    public IReadOnlyList<PluginOperation> Operations { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Loads the plugin library at <paramref name="path"/> and reads its description.</summary>
    /// <param name="path">Path of the shared library (relative paths are relative to the current directory).</param>
    /// <returns>The loaded plugin; dispose it to unload it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.NotFound"/> (no such file), <see cref="ErrorCode.PermissionDenied"/>, or
    /// <see cref="ErrorCode.PluginRejected"/> with a message saying why: not a library, no
    /// <c>pixbridge_plugin_entry</c>, an unsupported plugin ABI version or descriptor size, a malformed
    /// descriptor, or an operation name that Pixbridge or another loaded plugin already has.
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static PluginLibrary Load(string path)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        NativeLibraryLoader.EnsureLoaded();
        ulong native = 0;
        NativeCalls.Check(Interop.pixbridge_plugin_load(ref utf8[0], (nuint)utf8.Length, ref native));
        var handle = new PluginHandle(native);
        PluginLibrary library;
        try
        {
            library = Describe(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        lock (Registry)
        {
            foreach (var operation in library.Operations)
            {
                // Names are unique natively; an entry still here would belong to a plugin unloaded meanwhile.
                Registry[operation.Name] = operation;
            }
            Loaded.Add(library);
        }
        return library;
    }

    /// <summary>
    /// Unloads the plugin: its operation names go at once, the library is closed when the last
    /// call running one of its operations returns; images it made stay valid. Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        lock (Registry)
        {
            foreach (var operation in Operations)
            {
                if (Registry.TryGetValue(operation.Name, out var registered) && ReferenceEquals(registered, operation))
                {
                    Registry.Remove(operation.Name);
                }
            }
            Loaded.Remove(this);
        }
        _handle.Dispose();
    }

    /// <summary>Describes the plugin, e.g. <c>Plugin sepia 1.0.0 (sepia, channel_gain)</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString()
    {
        var names = new List<string>();
        foreach (var operation in Operations)
        {
            names.Add(operation.Name);
        }
        return $"Plugin {Name} {Version} ({string.Join(", ", names)}){(IsDisposed ? " (disposed)" : "")}";
    }

    /// <summary>The operation named <paramref name="name"/> of a plugin loaded through the SDK and not disposed, or null.</summary>
    internal static PluginOperation? FindOperation(string name)
    {
        lock (Registry)
        {
            return Registry.GetValueOrDefault(name);
        }
    }

    /// <summary>Reads everything the C ABI tells about a freshly loaded plugin.</summary>
    private static PluginLibrary Describe(PluginHandle handle)
    {
        var plugin = handle.Native;
        var info = default(PluginInfo);
        NativeCalls.Check(Interop.pixbridge_plugin_info(plugin, ref info));
        var operations = new PluginOperation[info.operation_count];
        for (var op = 0u; op < info.operation_count; op++)
        {
            var opInfo = default(PluginOperationInfo);
            NativeCalls.Check(Interop.pixbridge_plugin_operation_info(plugin, op, ref opInfo));
            var parameters = new PluginParameter[opInfo.parameter_count];
            for (var p = 0u; p < opInfo.parameter_count; p++)
            {
                var parameterInfo = default(PluginParameterInfo);
                NativeCalls.Check(Interop.pixbridge_plugin_parameter_info(plugin, op, p, ref parameterInfo));
                parameters[p] = new PluginParameter(
                    Text(plugin, Native.PluginText.ParameterName, op, p),
                    Text(plugin, Native.PluginText.ParameterDocs, op, p),
                    (PluginParameterType)parameterInfo.kind.Value,
                    parameterInfo.default_value,
                    parameterInfo.minimum,
                    parameterInfo.maximum);
            }
            operations[op] = new PluginOperation(
                Text(plugin, Native.PluginText.OperationName, op, 0),
                Text(plugin, Native.PluginText.OperationDocs, op, 0),
                (PluginOperationKind)opInfo.kind.Value,
                Array.AsReadOnly(parameters));
        }
        return new PluginLibrary(
            handle,
            Text(plugin, Native.PluginText.PluginName, 0, 0),
            Text(plugin, Native.PluginText.PluginVersion, 0, 0),
            Text(plugin, Native.PluginText.PluginDocs, 0, 0),
            Text(plugin, Native.PluginText.PluginPath, 0, 0),
            new Version(checked((int)info.abi_major), checked((int)info.abi_minor)),
            Array.AsReadOnly(operations));
    }

    /// <summary>One text of the plugin, with the length protocol of <c>pixbridge_plugin_text</c>.</summary>
    private static string Text(ulong plugin, Native.PluginText text, uint operation, uint parameter)
    {
        var code = (uint)text.Value;
        Span<byte> small = stackalloc byte[256];
        nuint length = 0;
        var result = Interop.pixbridge_plugin_text(plugin, code, operation, parameter,
            ref MemoryMarshal.GetReference(small), (nuint)small.Length, ref length);
        if (result.IsOk)
        {
            return Encoding.UTF8.GetString(small[..(int)length]);
        }
        if (!result.IsBufferTooSmall)
        {
            NativeCalls.Check(result);
        }
        var large = new byte[checked((int)length + 1)];
        NativeCalls.Check(Interop.pixbridge_plugin_text(plugin, code, operation, parameter, ref large[0], (nuint)large.Length, ref length));
        return Encoding.UTF8.GetString(large, 0, (int)length);
    }
}
