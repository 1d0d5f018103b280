using System;
using System.Runtime.InteropServices;
using Pixbridge.Native;

namespace Pixbridge;

public sealed partial class Image
{
    /// <summary>
    /// Creates an image from pixels in the layout another library holds them in: BGRA from
    /// SkiaSharp, WPF, Avalonia or System.Drawing bitmaps, RGB, BGR, grey, straight or
    /// premultiplied alpha (see <see cref="PixelFormat"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The pixels are converted once, in native code, straight into the new image (the span is
    /// pinned for the call; no managed copy is made). Premultiplied layouts are unpremultiplied
    /// exactly: <c>c = min(255, round(c' * 255 / a))</c>, and <c>a = 0</c> gives transparent black.
    /// <c>X</c> bytes (<see cref="PixelFormat.Bgrx8"/>, <see cref="PixelFormat.Rgbx8"/>) are ignored.
    /// </para>
    /// <para>
    /// The colour type, which decides what encoders write, is <see cref="ColorType.L8"/> for
    /// <see cref="PixelFormat.Gray8"/>, <see cref="ColorType.Rgba8"/> for layouts with alpha (even
    /// if every pixel is opaque) and <see cref="ColorType.Rgb8"/> for the others.
    /// </para>
    /// <example>A SkiaSharp bitmap (its default colour type is BGRA, premultiplied):
    /// <code>
    /// using var image = Image.FromPixels(bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height,
    ///     PixelFormat.Bgra8Premultiplied, bitmap.RowBytes);
    /// </code></example>
    /// </remarks>
    /// <param name="pixels">
    /// The pixels, row-major; at least <c>stride * (height - 1) + width * bytesPerPixel</c> bytes
    /// (4 bytes per pixel, 3 for <see cref="PixelFormat.Rgb8"/> and <see cref="PixelFormat.Bgr8"/>,
    /// 1 for <see cref="PixelFormat.Gray8"/>); the last row needs no padding.
    /// </param>
    /// <param name="width">Width in pixels (at least 1).</param>
    /// <param name="height">Height in pixels (at least 1).</param>
    /// <param name="format">The layout of <paramref name="pixels"/>.</param>
    /// <param name="stride">Bytes from the start of one row to the next (a bitmap's <c>RowBytes</c> or
    /// <c>Stride</c>); 0 means tightly packed (<c>width * bytesPerPixel</c>).</param>
    /// <returns>A new image.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/>, <paramref name="height"/> or
    /// <paramref name="stride"/> is negative, or <paramref name="format"/> is not a defined <see cref="PixelFormat"/>.</exception>
    /// <exception cref="PixbridgeException"><see cref="ErrorCode.InvalidArgument"/> from the native check (the
    /// message gives the numbers): a zero size or one over the default decode limits, a stride smaller than a
    /// row, or <paramref name="pixels"/> too short.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image FromPixels(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, int stride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(stride);
        var nativeFormat = PixelFormatArgument(format);
        NativeLibraryLoader.EnsureLoaded();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_from_pixel_data(
            ref MemoryMarshal.GetReference(pixels), (nuint)pixels.Length, (uint)width, (uint)height, nativeFormat,
            (uint)stride, ref result));
        return Adopt(result);
    }

    /// <summary>
    /// Copies the pixels into <paramref name="destination"/> in another library's layout (see
    /// <see cref="PixelFormat"/>), for example straight into a SkiaSharp or WPF bitmap's memory.
    /// </summary>
    /// <remarks>
    /// The conversion runs once, in native code, straight into <paramref name="destination"/>
    /// (pinned for the call). Bytes between rows (the padding of a larger
    /// <paramref name="stride"/>) and after the last row are left untouched. Premultiplied layouts
    /// are premultiplied exactly: <c>c' = round(c * a / 255)</c>. <c>X</c> bytes are written as 255;
    /// <see cref="PixelFormat.Gray8"/> is the Rec. 709 luma the encoders write (alpha is dropped).
    /// A deferred image is decoded for this call only.
    /// </remarks>
    /// <param name="destination">At least <see cref="GetPixelDataLength"/> bytes.</param>
    /// <param name="format">The layout to write.</param>
    /// <param name="stride">Bytes from the start of one row to the next; 0 means tightly packed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is negative or
    /// <paramref name="format"/> is not a defined <see cref="PixelFormat"/>.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException"><see cref="ErrorCode.BufferTooSmall"/> when
    /// <paramref name="destination"/> is too short, <see cref="ErrorCode.InvalidArgument"/> when
    /// <paramref name="stride"/> is smaller than a row (the messages give the numbers).</exception>
    public void CopyPixels(Span<byte> destination, PixelFormat format, int stride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stride);
        var nativeFormat = PixelFormatArgument(format);
        using var lease = Lease();
        NativeCalls.Check(Interop.pixbridge_image_copy_pixel_data(
            lease.Handle, nativeFormat, (uint)stride, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length));
    }

    /// <summary>Copies the pixels into a new, tightly packed array in another library's layout
    /// (see <see cref="CopyPixels(Span{byte}, PixelFormat, int)"/>).</summary>
    /// <param name="format">The layout to write.</param>
    /// <returns><c>Width * Height * bytesPerPixel</c> bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined <see cref="PixelFormat"/>.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OverflowException">The pixels do not fit in one array.</exception>
    public byte[] ToPixels(PixelFormat format)
    {
        var pixels = GC.AllocateUninitializedArray<byte>(checked((int)GetPixelDataLength(format)));
        CopyPixels(pixels, format);
        return pixels;
    }

    /// <summary>The bytes <see cref="CopyPixels(Span{byte}, PixelFormat, int)"/> needs for this image:
    /// <c>stride * (Height - 1) + Width * bytesPerPixel</c>.</summary>
    /// <param name="format">The layout.</param>
    /// <param name="stride">Bytes from the start of one row to the next; 0 means tightly packed.</param>
    /// <returns>The length in bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is negative or smaller
    /// than a row, or <paramref name="format"/> is not a defined <see cref="PixelFormat"/>.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public long GetPixelDataLength(PixelFormat format, int stride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stride);
        long row = (long)Width * BytesPerPixel(format);
        long step = stride == 0 ? row : stride;
        if (step < row)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"A row of {Width} {format} pixels needs {row} bytes.");
        }
        return step * (Height - 1) + row;
    }

    /// <summary>Bytes per pixel of a layout: 4, 3 (<see cref="PixelFormat.Rgb8"/>, <see cref="PixelFormat.Bgr8"/>) or 1 (<see cref="PixelFormat.Gray8"/>).</summary>
    /// <param name="format">The layout.</param>
    /// <returns>4, 3 or 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined <see cref="PixelFormat"/>.</exception>
    public static int BytesPerPixel(PixelFormat format)
    {
        PixelFormatArgument(format);
        return format switch
        {
            PixelFormat.Rgb8 or PixelFormat.Bgr8 => 3,
            PixelFormat.Gray8 => 1,
            _ => 4,
        };
    }

    private static uint PixelFormatArgument(PixelFormat format)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined PixelFormat.");
        }
        return (uint)format;
    }
}
