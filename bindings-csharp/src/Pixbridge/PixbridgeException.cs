using System;

namespace Pixbridge;

/// <summary>
/// A Pixbridge call failed in the native library. <see cref="Code"/> says what kind of failure
/// it was; <see cref="Exception.Message"/> is the native library's description of it.
/// </summary>
/// <remarks>
/// Argument errors that can be detected in .NET (null, negative sizes, short buffers, ...) are
/// reported with the usual <see cref="ArgumentException"/> family instead. Plugin operations are
/// the exception to that rule: an argument name the operation does not have, or calling
/// <see cref="Image.Apply(string, PluginArguments?)"/> for an in-place operation (or
/// <see cref="Image.ApplyInPlace(string, PluginArguments?)"/> for one that returns a new image),
/// is a <see cref="PixbridgeException"/> with <see cref="ErrorCode.InvalidArgument"/>, the code the
/// native library gives for a plugin argument of the wrong type or range, so that one catch covers both.
/// </remarks>
public sealed class PixbridgeException : Exception
{
    /// <summary>Creates an exception for a native error.</summary>
    /// <param name="code">The native error code; never <see cref="ErrorCode.Ok"/>.</param>
    /// <param name="message">The native error message.</param>
    public PixbridgeException(ErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The native error code (stable numbers, the same in C, C# and Java).</summary>
    public ErrorCode Code { get; }
}
