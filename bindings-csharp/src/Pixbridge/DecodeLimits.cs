using System;

namespace Pixbridge;

/// <summary>
/// Upper bounds checked against an image's header before its pixels are decoded, so that a
/// small hostile file cannot make the decoder allocate gigabytes.
/// </summary>
/// <remarks>
/// Images over a limit fail with a <see cref="PixbridgeException"/> whose code is
/// <see cref="ErrorCode.LimitExceeded"/>. The defaults are 32768 x 32768 pixels and 512 MiB of
/// decoded pixels.
/// </remarks>
public sealed record DecodeLimits
{
    private readonly int _maxWidth = 32768;
    private readonly int _maxHeight = 32768;
    private readonly long _maxDecodedBytes = 512L * 1024 * 1024;

    /// <summary>The default limits: 32768 x 32768 pixels, 512 MiB of decoded pixels.</summary>
    public static DecodeLimits Default { get; } = new();

    /// <summary>Largest accepted width in pixels (at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxWidth
    {
        get => _maxWidth;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxWidth = value;
        }
    }

    /// <summary>Largest accepted height in pixels (at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxHeight
    {
        get => _maxHeight;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxHeight = value;
        }
    }

    /// <summary>Largest accepted size of the decoded pixels in bytes (at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long MaxDecodedBytes
    {
        get => _maxDecodedBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxDecodedBytes = value;
        }
    }

    internal Native.DecodeLimits ToNative() => new()
    {
        max_width = (uint)MaxWidth,
        max_height = (uint)MaxHeight,
        max_decoded_bytes = (ulong)MaxDecodedBytes,
    };
}
