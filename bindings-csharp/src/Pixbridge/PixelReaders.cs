using System;

namespace Pixbridge;

/// <summary>
/// Reads an image's RGBA8 pixels in place, for <see cref="Image.WithPixels(PixelAction)"/>.
/// </summary>
/// <param name="pixels">
/// The pixels: <c>Height</c> rows of <c>Width * 4</c> bytes (R, G, B, A), straight alpha; valid
/// only during the call.
/// </param>
public delegate void PixelAction(ReadOnlySpan<byte> pixels);

/// <summary>
/// Computes a result from an image's RGBA8 pixels in place, for
/// <see cref="Image.WithPixels{TResult}(PixelFunc{TResult})"/>.
/// </summary>
/// <typeparam name="TResult">What the reader returns.</typeparam>
/// <param name="pixels">
/// The pixels: <c>Height</c> rows of <c>Width * 4</c> bytes (R, G, B, A), straight alpha; valid
/// only during the call.
/// </param>
/// <returns>The result.</returns>
public delegate TResult PixelFunc<out TResult>(ReadOnlySpan<byte> pixels);
