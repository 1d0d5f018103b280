namespace Pixbridge;

/// <summary>
/// Settings of <see cref="Image.Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/> and
/// its overloads; <c>null</c> means the defaults (default limits, never enlarge).
/// </summary>
public sealed record ThumbnailOptions
{
    /// <summary>
    /// Decode limits for the source, checked against its full size (even when a JPEG is decoded
    /// scaled); <c>null</c> for <see cref="DecodeLimits.Default"/>.
    /// </summary>
    public DecodeLimits? Limits { get; init; }

    /// <summary>
    /// Whether a source smaller than the box may be enlarged to fit it (default <c>false</c>: it
    /// keeps its own size on the axes where it is smaller than the box).
    /// </summary>
    public bool AllowUpscale { get; init; }

    /// <summary>
    /// Whether the thumbnail keeps the source's metadata (EXIF, XMP, PNG text), so that a save
    /// writes it (default <c>false</c>: thumbnails carry none). Colours are converted to sRGB either way.
    /// </summary>
    public bool KeepMetadata { get; init; }

    /// <summary>The C ABI form of <paramref name="options"/>, or of the defaults when it is null.</summary>
    internal static Native.ThumbnailOptions ToNative(ThumbnailOptions? options) => new()
    {
        limits = (options?.Limits ?? DecodeLimits.Default).ToNative(),
        allow_upscale = options is { AllowUpscale: true } ? 1u : 0u,
        keep_metadata = options is { KeepMetadata: true } ? 1u : 0u,
    };
}
