using System;

namespace Pixbridge;

/// <summary>
/// How to decode an image: <see cref="DecodeLimits"/> and, optionally, the smallest size the
/// caller needs, which lets a JPEG be decoded at 1/2, 1/4 or 1/8 of its size (shrink-on-load).
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="MinWidth"/> and <see cref="MinHeight"/> both 0 (the default) images are decoded
/// at full size, with exactly the pixels of <see cref="Image.Open(string, DecodeLimits?)"/> (JPEGs
/// go through libjpeg-turbo either way). Otherwise a JPEG is decoded
/// at the strongest reduction of 1/8, 1/4 or 1/2 (libjpeg-turbo's DCT scaling, much cheaper than a
/// full decode) whose result is still at least <see cref="MinWidth"/> x <see cref="MinHeight"/>
/// (upright pixels, EXIF orientation applied; a scaled side is rounded up). The result can be
/// larger than the minimum: scale or resize it afterwards for an exact size, or use
/// <see cref="Image.Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/>, which does
/// both. Other formats are always decoded at full size, so do not rely on the result being smaller.
/// </para>
/// <para>
/// <see cref="Deferred"/> keeps a JPEG encoded: <c>Open</c> reads its header and checks the
/// limits; <see cref="Image.Width"/>, <see cref="Image.Height"/> and <see cref="Image.ColorType"/>
/// answer from the header. The operations whose docs say "Deferred on a deferred image"
/// (<c>Crop</c>, <c>Resize</c>, <c>Blur</c>, ...; docs/operations.md lists them) are deferred too on such an
/// image: they check their arguments at once (and throw as usual) and return an image whose size
/// is known, without computing anything. The pixels are computed by the call that needs them
/// (<c>Save</c>, <c>Encode</c>, <see cref="Image.CopyPixels(Span{byte})"/>), for that call only:
/// the steps run in order and each intermediate image is freed as soon as the next step has used
/// it (<c>Crop</c> and large <c>Blur</c>s even reuse its buffer). So open, crop, resize,
/// sharpen, save holds at most two full-size buffers at a time, however many of the images the
/// code still holds. <see cref="Image.WithPixels(PixelAction)"/> and in-place operations (<c>Mirror</c>,
/// <c>AdjustBrightness</c>, ...) compute the image once and keep it; images derived from it
/// before that are not affected by the change. Costs: a deferred image that is read twice is
/// computed twice, and errors in the compressed data (a truncated file) come from the call that
/// computes, not from <c>Open</c>. Other formats, and JPEGs libjpeg-turbo cannot decode to RGBA
/// (CMYK), are decoded at once, and their operations run at once.
/// </para>
/// <para>
/// A struct whose default value means "full size, default limits", so that
/// <c>Image.Open(path, null)</c> keeps calling the <see cref="DecodeLimits"/> overload.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var preview = Image.Open("photo.jpg", new DecodeOptions { MinWidth = 800, MinHeight = 800 });
///
/// // Nothing is decoded until Save, which runs decode, crop and resize one after the other.
/// using var photo = Image.Open("photo.jpg", new DecodeOptions { Deferred = true });
/// using var cropped = photo.Crop(100, 100, photo.Width - 200, photo.Height - 200);
/// using var smaller = cropped.Resize(cropped.Width * 9 / 10, cropped.Height * 9 / 10, ResizeFilter.Lanczos3);
/// smaller.Save("smaller.jpg");
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

    /// <summary>
    /// Whether a JPEG is kept encoded until it is used (see the remarks); <c>false</c>, the
    /// default, decodes at once.
    /// </summary>
    public bool Deferred { get; init; }

    /// <summary>
    /// What a decode does with data that is truncated or corrupt after a valid header.
    /// <c>false</c>, the default (strict): it throws <see cref="PixbridgeException"/> with
    /// <see cref="ErrorCode.Decode"/>, whose message says how many rows were decoded. <c>true</c>
    /// (lenient): it returns what could be decoded, marked with <see cref="Image.DecodeWarning"/>
    /// and <see cref="Image.IsPartial"/>. A JPEG's damaged blocks are grey (libjpeg-turbo's
    /// recovery), rows other formats never reached are black (transparent where the format has
    /// alpha). A file whose header is unreadable, that breaks a limit, or of which not one row
    /// can be decoded throws either way. Cannot be combined with <see cref="Deferred"/>
    /// (<see cref="ErrorCode.InvalidArgument"/>).
    /// </summary>
    public bool Lenient { get; init; }

    /// <summary>
    /// What a decode does with an embedded ICC profile (JPEG, PNG, WebP, TIFF). <c>false</c>, the
    /// default: the pixels are converted to sRGB (<see cref="Image.ColorProfile"/> is
    /// <see cref="ColorProfile.Srgb"/>), so they show the right colours wherever sRGB is assumed.
    /// <c>true</c>: the pixels are kept as stored and the profile stays attached
    /// (<see cref="ColorProfile.Embedded"/>; <see cref="Image.GetMetadata"/> returns it), and a save
    /// writes it back where the format can hold it.
    /// </summary>
    public bool KeepProfile { get; init; }

    internal Native.DecodeOptions ToNative() => new()
    {
        limits = (Limits ?? DecodeLimits.Default).ToNative(),
        min_width = (uint)MinWidth,
        min_height = (uint)MinHeight,
        deferred = Deferred ? 1u : 0u,
        lenient = Lenient ? 1u : 0u,
        keep_profile = KeepProfile ? 1u : 0u,
    };
}
