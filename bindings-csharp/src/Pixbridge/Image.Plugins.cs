using System;
using System.Text;
using Pixbridge.Native;

namespace Pixbridge;

public sealed partial class Image
{
    /// <summary>
    /// Applies the plugin operation <paramref name="operation"/>, one that returns a new image
    /// (<see cref="PluginOperationKind.Fresh"/>), for example <c>vignette</c> of the sample plugin:
    /// <c>using var darker = image.Apply("vignette", new PluginArguments { ["strength"] = 0.8 });</c>.
    /// </summary>
    /// <remarks>
    /// The operation must belong to a plugin loaded with <see cref="PluginLibrary.Load(string)"/>
    /// and not disposed. Named arguments are mapped to positions through the operation's
    /// <see cref="PluginOperation.Parameters"/>; parameters not given take their default.
    /// </remarks>
    /// <param name="operation">The operation's name (<see cref="PluginOperation.Name"/>).</param>
    /// <param name="arguments">Named arguments; <c>null</c> or empty for every default.</param>
    /// <returns>A new image, owned by the caller (dispose it); this image is unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">This image has been disposed.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.InvalidArgument"/>: no loaded plugin has the operation, it changes the
    /// image in place (call <see cref="ApplyInPlace(string, PluginArguments?)"/>), an argument name it
    /// does not have (the message lists those it has), or a value of the wrong type or range;
    /// <see cref="ErrorCode.PluginFailed"/>: the plugin reported a failure (the message is the plugin's).
    /// </exception>
    public Image Apply(string operation, PluginArguments? arguments = null)
    {
        var described = Describe(operation, arguments, PluginOperationKind.Fresh);
        using var lease = Lease();
        var result = ApplyPlugin(operation, lease.Handle, described, arguments);
        if (result == 0)
        {
            // Only for an operation the SDK's registry does not know (a plugin loaded past the SDK).
            RefreshColorType(lease.Handle);
            throw WrongMethod(operation, PluginOperationKind.InPlace, "it has changed this image in place");
        }
        return Adopt(result);
    }

    /// <summary>
    /// Applies the plugin operation <paramref name="operation"/>, one that changes this image in
    /// place (<see cref="PluginOperationKind.InPlace"/>), for example <c>sepia</c> of the sample
    /// plugin: <c>image.ApplyInPlace("sepia", new PluginArguments { ["strength"] = 0.5 });</c>.
    /// </summary>
    /// <remarks>
    /// The operation must belong to a plugin loaded with <see cref="PluginLibrary.Load(string)"/>
    /// and not disposed. Named arguments are mapped to positions through the operation's
    /// <see cref="PluginOperation.Parameters"/>; parameters not given take their default. If the
    /// plugin reports a failure, part of the image may have changed.
    /// </remarks>
    /// <param name="operation">The operation's name (<see cref="PluginOperation.Name"/>).</param>
    /// <param name="arguments">Named arguments; <c>null</c> or empty for every default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">This image has been disposed.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.InvalidArgument"/>: no loaded plugin has the operation, it returns a new
    /// image (call <see cref="Apply(string, PluginArguments?)"/>), an argument name it does not have
    /// (the message lists those it has), or a value of the wrong type or range;
    /// <see cref="ErrorCode.PluginFailed"/>: the plugin reported a failure (the message is the plugin's).
    /// </exception>
    public void ApplyInPlace(string operation, PluginArguments? arguments = null)
    {
        var described = Describe(operation, arguments, PluginOperationKind.InPlace);
        using var lease = Lease();
        var result = ApplyPlugin(operation, lease.Handle, described, arguments);
        RefreshColorType(lease.Handle);
        if (result != 0)
        {
            // Only for an operation the SDK's registry does not know (a plugin loaded past the SDK).
            Adopt(result).Dispose();
            throw WrongMethod(operation, PluginOperationKind.Fresh, "it has returned a new image, now discarded");
        }
    }

    /// <summary>
    /// The registry's description of <paramref name="operation"/>, after checking that it is of
    /// kind <paramref name="expected"/>; null for a name the registry does not know, when no
    /// arguments are given (the native library then reports an unknown name itself).
    /// </summary>
    private PluginOperation? Describe(string operation, PluginArguments? arguments, PluginOperationKind expected)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var described = PluginLibrary.FindOperation(operation);
        if (described is null)
        {
            if (arguments is { Count: > 0 })
            {
                throw new PixbridgeException(ErrorCode.InvalidArgument,
                    $"no loaded plugin has an operation named `{operation}` (load its plugin with PluginLibrary.Load), so its arguments cannot be named");
            }
            return null;
        }
        if (described.Kind != expected)
        {
            throw WrongMethod(operation, described.Kind, described.Kind == PluginOperationKind.InPlace
                ? "it changes the image in place"
                : "it returns a new image");
        }
        return described;
    }

    /// <summary>The error for calling <see cref="Apply"/> on an in-place operation or <see cref="ApplyInPlace"/> on a fresh one.</summary>
    private static PixbridgeException WrongMethod(string operation, PluginOperationKind actual, string why)
    {
        var method = actual == PluginOperationKind.InPlace ? nameof(ApplyInPlace) : nameof(Apply);
        return new PixbridgeException(ErrorCode.InvalidArgument,
            $"the plugin operation `{operation}` is {actual}: {why}; call Image.{method}(\"{operation}\", ...) instead");
    }

    /// <summary>Calls <c>pixbridge_plugin_apply</c>; returns the new image's handle (0 for an in-place operation).</summary>
    private static unsafe ulong ApplyPlugin(string operation, ulong image, PluginOperation? described, PluginArguments? arguments)
    {
        // A one-byte array for the empty name, so that the pointer is never null.
        var name = operation.Length == 0 ? new byte[1] : Encoding.UTF8.GetBytes(operation);
        var nameLength = operation.Length == 0 ? 0 : name.Length;
        // Null or empty: none, so every parameter takes its default natively.
        var values = described is not null && arguments is { Count: > 0 } ? arguments.ToPositional(described) : Array.Empty<double>();
        ulong result = 0;
        fixed (byte* namePointer = name)
        fixed (double* valuePointer = values)
        {
            NativeCalls.Check(Interop.pixbridge_plugin_apply(
                (IntPtr)namePointer, (nuint)nameLength, image,
                values.Length == 0 ? IntPtr.Zero : (IntPtr)valuePointer, (nuint)values.Length, (IntPtr)(&result)));
        }
        return result;
    }
}
