using System;

namespace Pixbridge;

/// <summary>
/// Encoder settings for <see cref="Image.Save(string, EncodeOptions)"/>,
/// <see cref="Image.Save(string, ImageFormat, EncodeOptions)"/>,
/// <see cref="Image.Save(System.IO.Stream, ImageFormat, EncodeOptions)"/> and
/// <see cref="Image.Encode(ImageFormat, EncodeOptions)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each format reads the settings that apply to it and ignores the others: JPEG reads
/// <see cref="Quality"/>, <see cref="Subsampling"/>, <see cref="Progressive"/> and
/// <see cref="OptimizeHuffman"/>; PNG reads <see cref="PngCompression"/>; WebP reads
/// <see cref="WebPQuality"/>; AVIF reads <see cref="AvifQuality"/> and <see cref="AvifSpeed"/>; the
/// other formats have no settings. <see cref="StripMetadata"/> applies to every format. The default
/// value (<c>new EncodeOptions()</c> or <c>default</c>) is the defaults of every format: JPEG
/// quality 90, 4:2:0, baseline, standard Huffman tables; PNG level 1; lossless WebP; AVIF quality
/// 80 at speed 6; metadata kept.
/// </para>
/// <para>
/// A struct whose default value is the defaults, so that <c>Encode(format, null)</c> and
/// <c>Save(path, format, null)</c> keep calling the overloads that take a quality.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// image.Save("out.jpg", new EncodeOptions { Quality = 80, Progressive = true });
/// image.Save("out.webp", new EncodeOptions { WebPQuality = 75 });               // lossy WebP
/// image.Save("out.avif", new EncodeOptions { AvifQuality = 60, AvifSpeed = 8 });
/// </code>
/// </example>
public readonly record struct EncodeOptions
{
    private readonly int? _quality;
    private readonly ChromaSubsampling _subsampling;
    private readonly int? _pngCompression;
    private readonly int? _webPQuality;
    private readonly int? _avifQuality;
    private readonly int? _avifSpeed;

    /// <summary>JPEG quality 1-100, or <c>null</c> (the default) for 90.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1-100.</exception>
    public int? Quality
    {
        get => _quality;
        init
        {
            if (value is { } q)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(q, 1, nameof(Quality));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 100, nameof(Quality));
            }
            _quality = value;
        }
    }

    /// <summary>
    /// JPEG chroma subsampling; default <see cref="ChromaSubsampling.Yuv420"/>. Grey images have no
    /// chroma and ignore it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="ChromaSubsampling"/>.</exception>
    public ChromaSubsampling Subsampling
    {
        get => _subsampling;
        init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Subsampling), value, "Not a defined ChromaSubsampling.");
            }
            _subsampling = value;
        }
    }

    /// <summary>Write a progressive JPEG (default <c>false</c>: baseline).</summary>
    public bool Progressive { get; init; }

    /// <summary>
    /// Compute optimal Huffman tables for a baseline JPEG: a few percent smaller, somewhat slower
    /// (default <c>false</c>). Progressive JPEGs always use optimal tables.
    /// </summary>
    public bool OptimizeHuffman { get; init; }

    /// <summary>PNG compression level 1 (fastest) to 9 (smallest), or <c>null</c> (the default) for 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1-9.</exception>
    public int? PngCompression
    {
        get => _pngCompression;
        init
        {
            if (value is { } level)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(level, 1, nameof(PngCompression));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9, nameof(PngCompression));
            }
            _pngCompression = value;
        }
    }

    /// <summary>
    /// WebP quality 1 (smallest) to 100 (best) for lossy WebP (libwebp; alpha is kept), or
    /// <c>null</c> (the default) for lossless WebP.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1-100.</exception>
    public int? WebPQuality
    {
        get => _webPQuality;
        init => _webPQuality = InRange(value, 1, 100, nameof(WebPQuality));
    }

    /// <summary>AVIF quality 1 (smallest) to 100 (best), or <c>null</c> (the default) for 80.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1-100.</exception>
    public int? AvifQuality
    {
        get => _avifQuality;
        init => _avifQuality = InRange(value, 1, 100, nameof(AvifQuality));
    }

    /// <summary>
    /// AVIF encoder speed 1 (slowest, smallest files) to 10 (fastest), or <c>null</c> (the
    /// default) for 6.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1-10.</exception>
    public int? AvifSpeed
    {
        get => _avifSpeed;
        init => _avifSpeed = InRange(value, 1, 10, nameof(AvifSpeed));
    }

    /// <summary>
    /// Leave out the metadata (EXIF, XMP, ICC profile) that a save otherwise keeps where the
    /// format can carry it (default <c>false</c>: keep it).
    /// </summary>
    public bool StripMetadata { get; init; }

    private static int? InRange(int? value, int min, int max, string name)
    {
        if (value is { } v)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(v, min, name);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(v, max, name);
        }
        return value;
    }

    /// <summary>The C ABI form, where 0 in a field means that field's default.</summary>
    internal Native.EncodeOptions ToNative() => new()
    {
        quality = (uint)(Quality ?? 0),
        subsampling = (uint)Subsampling,
        progressive = Progressive ? 1u : 0u,
        optimize_huffman = OptimizeHuffman ? 1u : 0u,
        png_compression = (uint)(PngCompression ?? 0),
        webp_quality = (uint)(WebPQuality ?? 0),
        avif_quality = (uint)(AvifQuality ?? 0),
        avif_speed = (uint)(AvifSpeed ?? 0),
        strip_metadata = StripMetadata ? 1u : 0u,
    };
}
