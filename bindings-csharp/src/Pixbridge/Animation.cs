using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Pixbridge;

/// <summary>
/// What <see cref="Animation.Read(ReadOnlySpan{byte}, DecodeLimits?)"/> finds out about an image's
/// frames: an animated GIF or WebP, or a still image (one frame with a zero delay, shown once).
/// </summary>
/// <param name="FrameCount">Number of frames, 1 to 10000.</param>
/// <param name="Width">Width of the canvas: every decoded frame's width.</param>
/// <param name="Height">Height of the canvas.</param>
/// <param name="LoopCount">How many times the animation plays, as the file states it; 0 means forever.
/// A GIF without a looping block and a still image give 1.</param>
/// <param name="Delays">How long each frame is shown, one per frame (GIF: multiples of 10 ms).</param>
public sealed record AnimationInfo(int FrameCount, int Width, int Height, int LoopCount, IReadOnlyList<TimeSpan> Delays)
{
    /// <summary>How long one showing of the animation takes: the sum of <see cref="Delays"/>.</summary>
    public TimeSpan Duration
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var delay in Delays)
            {
                total += delay;
            }
            return total;
        }
    }
}

/// <summary>
/// Animated GIF and WebP: the frame count, delays and loop count. Decode any frame with
/// <see cref="Image.DecodeFrame(ReadOnlySpan{byte}, int, DecodeLimits?)"/>; plain decoding
/// (<see cref="Image.Load(ReadOnlySpan{byte}, DecodeLimits?)"/>) gives the first frame.
/// </summary>
public static class Animation
{
    /// <summary>
    /// Reads the frame count, canvas size, loop count and per-frame delays of an encoded image,
    /// without decoding its frames (two quick passes over the file's structure).
    /// </summary>
    /// <param name="encoded">The encoded bytes (read where they are, never copied).</param>
    /// <param name="limits">Limits for the canvas and each frame; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <returns>The frames' description; a still image is one frame with a zero delay.</returns>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.UnsupportedFormat"/> (unknown content, animated PNG), <see cref="ErrorCode.LimitExceeded"/>
    /// (a canvas or frame over the limits, more than 10000 frames) or <see cref="ErrorCode.Decode"/> (malformed structure).
    /// </exception>
    public static AnimationInfo Read(ReadOnlySpan<byte> encoded, DecodeLimits? limits = null)
    {
        NativeLibraryLoader.EnsureLoaded();
        var nativeLimits = (limits ?? DecodeLimits.Default).ToNative();
        var info = default(Native.AnimationInfo);
        ref var data = ref MemoryMarshal.GetReference(encoded);
        NativeCalls.Check(Native.Interop.pixbridge_animation_info(ref data, (nuint)encoded.Length, ref nativeLimits, ref info));
        var delays = new uint[info.frame_count];
        nuint count = 0;
        NativeCalls.Check(Native.Interop.pixbridge_animation_frame_delays(
            ref data, (nuint)encoded.Length, ref nativeLimits, ref delays[0], (nuint)delays.Length, ref count));
        var spans = new TimeSpan[(int)count];
        for (var i = 0; i < spans.Length; i++)
        {
            spans[i] = TimeSpan.FromMilliseconds(delays[i]);
        }
        return new AnimationInfo((int)info.frame_count, (int)info.width, (int)info.height, (int)info.loop_count, spans);
    }

    /// <summary>Reads the frames' description from a byte array; see <see cref="Read(ReadOnlySpan{byte}, DecodeLimits?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is null.</exception>
    public static AnimationInfo Read(byte[] encoded, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Read(encoded.AsSpan(), limits);
    }

    /// <summary>Reads a stream to its end and describes its frames; see <see cref="Read(ReadOnlySpan{byte}, DecodeLimits?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static AnimationInfo Read(Stream stream, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var start = (int)Math.Min(memory.Position, buffer.Count);
            var info = Read(buffer.AsSpan(start), limits);
            memory.Position = memory.Length;
            return info;
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Read(copy.GetBuffer().AsSpan(0, (int)copy.Length), limits);
    }
}

public sealed partial class Image
{
    /// <summary>
    /// Decodes frame <paramref name="index"/> (from 0) of an animated GIF or WebP: the full canvas
    /// as the animation shows it then, earlier frames composited beneath.
    /// </summary>
    /// <remarks>
    /// Frames 0 to <paramref name="index"/> are decoded one after another, so the time grows with
    /// the index. Index 0 of a still image is what <see cref="Load(ReadOnlySpan{byte}, DecodeLimits?)"/> gives.
    /// </remarks>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="index">The frame, from 0 to <see cref="AnimationInfo.FrameCount"/> - 1.</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <returns>The frame, canvas-sized.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.InvalidArgument"/> when <paramref name="index"/> is not below the frame count (the message names it);
    /// otherwise as <see cref="Load(ReadOnlySpan{byte}, DecodeLimits?)"/>.
    /// </exception>
    public static Image DecodeFrame(ReadOnlySpan<byte> encoded, int index, DecodeLimits? limits = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        NativeLibraryLoader.EnsureLoaded();
        var nativeLimits = (limits ?? DecodeLimits.Default).ToNative();
        ulong result = 0;
        NativeCalls.Check(Native.Interop.pixbridge_image_decode_frame(
            ref MemoryMarshal.GetReference(encoded), (nuint)encoded.Length, (uint)index, ref nativeLimits, ref result));
        return Adopt(result);
    }

    /// <summary>Decodes one frame from a byte array; see <see cref="DecodeFrame(ReadOnlySpan{byte}, int, DecodeLimits?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is null.</exception>
    public static Image DecodeFrame(byte[] encoded, int index, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return DecodeFrame(encoded.AsSpan(), index, limits);
    }
}
