using System;
using System.IO;
using System.Runtime.InteropServices;
using Pixbridge.Native;

namespace Pixbridge;

public sealed partial class Image
{
    /// <summary>
    /// Makes a thumbnail of an image file in one call: decoded (JPEGs at reduced scale when the
    /// box is small) and fitted into a <paramref name="width"/> x <paramref name="height"/> box.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The EXIF orientation is applied first, so the box is fitted to the upright image.
    /// <paramref name="fit"/> says how: <see cref="ThumbnailFit.Contain"/> keeps the whole image
    /// inside the box with its aspect ratio (one side equals the box's),
    /// <see cref="ThumbnailFit.Cover"/> fills the box and cuts the excess off equally on both sides,
    /// <see cref="ThumbnailFit.Fill"/> stretches to the box. Sizes are rounded to the nearest pixel
    /// (at least 1). Unless <see cref="ThumbnailOptions.AllowUpscale"/> is set nothing is enlarged:
    /// a source smaller than the box keeps its size (<c>Contain</c>), keeps its size on the axes
    /// where it is smaller than the box (<c>Fill</c>), or is cropped to the box at its own scale
    /// (<c>Cover</c>).
    /// </para>
    /// <para>
    /// A JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still leaves at least 1.5
    /// times the thumbnail's size, so a large photograph is never held at full size; the rest is
    /// one Catmull-Rom (bicubic) resize of just the part that is kept. Other formats are decoded
    /// at full size first.
    /// To fit only the width, pass a large height (up to 32768), e.g.
    /// <c>Image.Thumbnail(path, 400, 32768)</c>.
    /// </para>
    /// <para>The result is an ordinary image with the source's colour type; dispose it.</para>
    /// </remarks>
    /// <param name="path">Path of the image file (relative paths are relative to the current directory).</param>
    /// <param name="width">Width of the box in pixels: 1 to 32768.</param>
    /// <param name="height">Height of the box in pixels: 1 to 32768 (and at most 512 MiB of RGBA8 pixels with <paramref name="width"/>).</param>
    /// <param name="fit">How the image fits the box.</param>
    /// <param name="options">Decode limits and upscaling; <c>null</c> for the defaults (default limits, never enlarge).</param>
    /// <returns>The thumbnail.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is less than 1, or <paramref name="fit"/> is not a defined <see cref="ThumbnailFit"/>.</exception>
    /// <exception cref="PixbridgeException">
    /// The box exceeds 32768 pixels on a side (<see cref="ErrorCode.InvalidArgument"/>), or the file cannot be read or decoded:
    /// <see cref="ErrorCode.NotFound"/>, <see cref="ErrorCode.Io"/>, <see cref="ErrorCode.PermissionDenied"/>,
    /// <see cref="ErrorCode.UnsupportedFormat"/>, <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>
    /// (the limits apply to the source's full size).
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Thumbnail(string path, int width, int height, ThumbnailFit fit = ThumbnailFit.Contain, ThumbnailOptions? options = null)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        var arguments = ThumbnailArguments(width, height, fit, options);
        NativeLibraryLoader.EnsureLoaded();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_thumbnail_file(
            ref utf8[0], (nuint)utf8.Length, arguments.Width, arguments.Height, arguments.Fit, ref arguments.Options, ref result));
        return Adopt(result);
    }

    /// <summary>
    /// Makes a thumbnail of an encoded image in memory in one call; see
    /// <see cref="Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/> for the fitting rules.
    /// </summary>
    /// <remarks>The bytes are read where they are (pinned for the duration of the call), never copied.</remarks>
    /// <param name="encoded">The encoded bytes (PNG, JPEG, WebP, ...; the format is detected from the content).</param>
    /// <param name="width">Width of the box in pixels: 1 to 32768.</param>
    /// <param name="height">Height of the box in pixels: 1 to 32768.</param>
    /// <param name="fit">How the image fits the box.</param>
    /// <param name="options">Decode limits and upscaling; <c>null</c> for the defaults (default limits, never enlarge).</param>
    /// <returns>The thumbnail.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is less than 1, or <paramref name="fit"/> is not a defined <see cref="ThumbnailFit"/>.</exception>
    /// <exception cref="PixbridgeException">
    /// The box exceeds 32768 pixels on a side (<see cref="ErrorCode.InvalidArgument"/>), or
    /// <see cref="ErrorCode.UnsupportedFormat"/>, <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>.
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Thumbnail(ReadOnlySpan<byte> encoded, int width, int height, ThumbnailFit fit = ThumbnailFit.Contain, ThumbnailOptions? options = null)
    {
        var arguments = ThumbnailArguments(width, height, fit, options);
        return ThumbnailOf(encoded, arguments);
    }

    /// <summary>
    /// Reads a stream to its end and makes a thumbnail of it in one call; see
    /// <see cref="Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/> for the fitting rules.
    /// </summary>
    /// <remarks>
    /// The stream is read as by <see cref="Load(Stream, DecodeLimits?)"/>: a <see cref="MemoryStream"/>
    /// whose buffer is exposable and an <see cref="UnmanagedMemoryStream"/> are read in place,
    /// without copying; other streams are copied once into a pooled buffer. Afterwards the stream
    /// is positioned at its end. The arguments are checked before the stream is read.
    /// </remarks>
    /// <param name="stream">A readable stream, read from its current position; not closed.</param>
    /// <param name="width">Width of the box in pixels: 1 to 32768.</param>
    /// <param name="height">Height of the box in pixels: 1 to 32768.</param>
    /// <param name="fit">How the image fits the box.</param>
    /// <param name="options">Decode limits and upscaling; <c>null</c> for the defaults (default limits, never enlarge).</param>
    /// <returns>The thumbnail.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is less than 1, or <paramref name="fit"/> is not a defined <see cref="ThumbnailFit"/>.</exception>
    /// <exception cref="PixbridgeException">
    /// The box exceeds 32768 pixels on a side (<see cref="ErrorCode.InvalidArgument"/>), or
    /// <see cref="ErrorCode.UnsupportedFormat"/>, <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>.
    /// </exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Thumbnail(Stream stream, int width, int height, ThumbnailFit fit = ThumbnailFit.Contain, ThumbnailOptions? options = null)
    {
        var arguments = ThumbnailArguments(width, height, fit, options);
        return FromStream(stream, nameof(stream), arguments, static (bytes, a) => ThumbnailOf(bytes, a));
    }

    /// <summary>The checked arguments of a thumbnail call in their C ABI form.</summary>
    private struct ThumbnailCall
    {
        internal uint Width;
        internal uint Height;
        internal uint Fit;
        internal Native.ThumbnailOptions Options;
    }

    /// <summary>Checks the box and the fit (before any I/O) and converts the options.</summary>
    private static ThumbnailCall ThumbnailArguments(int width, int height, ThumbnailFit fit, ThumbnailOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (!Enum.IsDefined(fit))
        {
            throw new ArgumentOutOfRangeException(nameof(fit), fit, "Not a defined ThumbnailFit.");
        }
        return new ThumbnailCall
        {
            Width = (uint)width,
            Height = (uint)height,
            Fit = (uint)fit,
            Options = ThumbnailOptions.ToNative(options),
        };
    }

    private static Image ThumbnailOf(ReadOnlySpan<byte> encoded, ThumbnailCall arguments)
    {
        NativeLibraryLoader.EnsureLoaded();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_thumbnail(
            ref MemoryMarshal.GetReference(encoded), (nuint)encoded.Length,
            arguments.Width, arguments.Height, arguments.Fit, ref arguments.Options, ref result));
        return Adopt(result);
    }
}
