using System;

namespace Pixbridge;

/// <summary>
/// How to decode an image: <see cref="DecodeLimits"/> and, optionally, the smallest size the
/// caller needs, which lets a JPEG be decoded at 1/2, 1/4 or 1/8 of its size (shrink-on-load).
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="MinWidth"/> and <see cref="MinHeight"/> both 0 (the default) images are decoded
/// at full size. JPEGs are decoded by libjpeg-turbo here (faster than the decoder behind
/// <see cref="Image.Open(string, DecodeLimits?)"/>, whose pixels it can differ from by a level or
/// two: the IDCT and chroma upsampling differ); other formats exactly as by Open. Otherwise a JPEG is decoded
/// at the strongest reduction of 1/8, 1/4 or 1/2 (libjpeg-turbo's DCT scaling, much cheaper than a
/// full decode) whose result is still at least <see cref="MinWidth"/> x <see cref="MinHeight"/>
/// (upright pixels, EXIF orientation applied; a scaled side is rounded up). The result can be
/// larger than the minimum: scale or resize it afterwards for an exact size, or use
/// <see cref="Image.Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/>, which does
/// both. Other formats are always decoded at full size, so do not rely on the result being smaller.
/// </para>
/// <para>
/// A struct whose default value means "full size, default limits", so that
/// <c>Image.Open(path, null)</c> keeps calling the <see cref="DecodeLimits"/> overload.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var preview = Image.Open("photo.jpg", new DecodeOptions { MinWidth = 800, MinHeight = 800 });
/// </code>
/// </example>
public readonly record struct DecodeOptions
{
    private readonly int _minWidth;
    private readonly int _minHeight;

    /// <summary>Decode limits, checked against the file's full size even when it is decoded scaled; <c>null</c> for <see cref="DecodeLimits.Default"/>.</summary>
    public DecodeLimits? Limits { get; init; }

    /// <summary>The smallest width needed, in upright pixels (0, the default, puts no bound on the width).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MinWidth
    {
        get => _minWidth;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _minWidth = value;
        }
    }

    /// <summary>The smallest height needed, in upright pixels (0, the default, puts no bound on the height).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MinHeight
    {
        get => _minHeight;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _minHeight = value;
        }
    }

    internal Native.DecodeOptions ToNative() => new()
    {
        limits = (Limits ?? DecodeLimits.Default).ToNative(),
        min_width = (uint)MinWidth,
        min_height = (uint)MinHeight,
    };
}
