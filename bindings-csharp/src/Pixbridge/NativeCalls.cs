using System;
using System.Runtime.InteropServices;
using System.Text;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>Turns native error codes into exceptions and .NET strings into native arguments.</summary>
internal static class NativeCalls
{
    /// <summary>Strict UTF-8: a path with unpaired surrogates is an argument error, not a silent '?'.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Throws <see cref="PixbridgeException"/> unless <paramref name="code"/> is Ok.</summary>
    /// <remarks>Must run on the thread that made the failing call: the message is per thread.</remarks>
    internal static void Check(Native.ErrorCode code)
    {
        if (!code.IsOk)
        {
            throw CreateException(code);
        }
    }

    private static PixbridgeException CreateException(Native.ErrorCode nativeCode)
    {
        var code = ToPublic(nativeCode);
        var message = LastErrorMessage();
        return new PixbridgeException(code, message.Length > 0 ? message : $"Pixbridge call failed with {code}");
    }

    /// <summary>The public error code with the same number (both enums come from one Rust enum).</summary>
    internal static ErrorCode ToPublic(Native.ErrorCode code) => (ErrorCode)code.Value;

    /// <summary>The public colour type with the same number (both enums come from one Rust enum).</summary>
    internal static ColorType ToPublic(Native.ColorType colorType) => (ColorType)colorType.Value;

    /// <summary>The calling thread's last native error message, or "" if there is none.</summary>
    internal static string LastErrorMessage()
    {
        Span<byte> small = stackalloc byte[512];
        nuint length = 0;
        var code = Interop.pixbridge_last_error_message(ref MemoryMarshal.GetReference(small), (nuint)small.Length, ref length);
        if (code.IsOk)
        {
            return Encoding.UTF8.GetString(small[..(int)length]);
        }
        if (code.IsBufferTooSmall && length < int.MaxValue)
        {
            var large = new byte[(int)length + 1];
            code = Interop.pixbridge_last_error_message(ref large[0], (nuint)large.Length, ref length);
            if (code.IsOk)
            {
                return Encoding.UTF8.GetString(large, 0, (int)length);
            }
        }
        return string.Empty;
    }

    /// <summary>Encodes a path as strict UTF-8 for the native library.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    internal static byte[] PathToUtf8(string path, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path, parameterName);
        try
        {
            return StrictUtf8.GetBytes(path);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The path is not valid Unicode (it contains an unpaired surrogate).", parameterName, e);
        }
    }
}
