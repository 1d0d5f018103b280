using System;

namespace Pixbridge;

/// <summary>
/// A zero-copy, read-only view of an image's RGBA8 pixels, from <see cref="Image.ViewPixels"/>.
/// </summary>
/// <remarks>
/// <para>
/// The view keeps the native pixel memory alive until it is disposed, even if the image is
/// disposed first, so <see cref="Span"/> never points to freed memory while the view is in use.
/// Being a <c>ref struct</c>, it cannot be stored on the heap or captured by lambdas and async
/// methods, so it cannot outlive the method that created it. Use it with <c>using</c>.
/// </para>
/// <para>
/// Creating and disposing a view copies no pixels and, in steady state, allocates nothing: the
/// hold on the native memory is a reusable lease object of the image. Disposing a view twice
/// (or disposing a copy of it) releases the hold once.
/// </para>
/// <para>
/// In-place operations (<see cref="Image.Mirror"/>, <see cref="Image.Grayscale"/>, ...) change
/// the bytes the view shows, never its size; do not run them on another thread while reading.
/// </para>
/// </remarks>
public readonly ref struct PixelView
{
    private readonly ViewLease? _lease;
    private readonly long _token;

    internal PixelView(ViewLease lease, long token, ReadOnlySpan<byte> pixels, int width, int height)
    {
        _lease = lease;
        _token = token;
        Span = pixels;
        Width = width;
        Height = height;
    }

    /// <summary>The pixels: <c>Height</c> rows of <c>Width * 4</c> bytes (R, G, B, A), straight alpha.</summary>
    public ReadOnlySpan<byte> Span { get; }

    /// <summary>Width of the image in pixels.</summary>
    public int Width { get; }

    /// <summary>Height of the image in pixels.</summary>
    public int Height { get; }

    /// <summary>Bytes per row (<c>Width * 4</c>).</summary>
    public int Stride => Width * 4;

    /// <summary>Releases the view's hold on the native memory; <see cref="Span"/> must not be used afterwards.</summary>
    public void Dispose() => _lease?.Release(_token);
}
