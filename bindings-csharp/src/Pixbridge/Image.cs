using System;
using System.Buffers;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// An image held by the native Pixbridge library as tightly packed RGBA8 pixels.
/// </summary>
/// <remarks>
/// <para>
/// Create images with <see cref="Open(string, DecodeLimits?)"/>, <see cref="Load(ReadOnlySpan{byte}, DecodeLimits?)"/>,
/// <see cref="Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/> or <see cref="FromPixels(int, int, ReadOnlySpan{byte})"/>,
/// and dispose them when done (<c>using var image = Image.Open(path);</c>).
/// An image that is never disposed is freed by the garbage collector's finalizer; once such
/// images hold a lot of native memory (256 MB and more, then each doubling), Pixbridge asks for
/// a collection so that their finalizers run. Disposed images never cause one. After
/// <see cref="Dispose"/>, every member throws <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// Operations follow one rule: those that keep the size and map each pixel to one pixel change
/// the image in place and return <c>void</c> (for example <see cref="Mirror"/>); those that change
/// the size or mix neighbouring pixels return a new image and leave this one untouched (for
/// example <see cref="Blur"/>). Each operation's documentation says which it is; docs/operations.md
/// in the repository lists them all.
/// </para>
/// <para>
/// Thread safety: all members may be called from any thread. Different images are independent.
/// Calls on the same image from several threads are safe too: the native library serialises
/// in-place operations on one image and keeps its memory alive while any call runs, and a
/// <see cref="Dispose"/> that races with a running call only takes effect when the call returns.
/// The outcome of racing in-place operations depends on their order, as with any shared object.
/// </para>
/// <para>
/// Asynchronous methods: every operation has a twin that returns a task (<c>BlurAsync</c>,
/// <c>MirrorAsync</c>, ...), and so have opening, decoding, thumbnails, saving and encoding
/// (<see cref="OpenAsync(string, DecodeLimits?, IProgress{float}?, CancellationToken)"/>,
/// <see cref="LoadAsync(Stream, DecodeLimits?, IProgress{float}?, CancellationToken)"/>,
/// <see cref="ThumbnailAsync(string, int, int, ThumbnailFit, ThumbnailOptions?, IProgress{float}?, CancellationToken)"/>,
/// <see cref="SaveAsync(string, IProgress{float}?, CancellationToken)"/>,
/// <see cref="EncodeAsync(ImageFormat, int?, IProgress{float}?, CancellationToken)"/>, ...). Each takes an
/// optional <see cref="IProgress{T}"/> and <see cref="CancellationToken"/>. Arguments, and whether the
/// image is disposed, are checked at once (the exception is thrown by the call, not by the task);
/// a token that is already cancelled gives a cancelled task and no native work.
/// </para>
/// <para>
/// Where asynchronous work runs: on a few dedicated Pixbridge threads, as many as <see cref="NativeWorkerThreads"/> when the
/// first asynchronous call is made, never on the caller's thread or the .NET thread pool: the
/// native worker pool already spreads each call's parallel part over that many cores, so more
/// calls at once would only hold more images in memory, while blocking thread-pool threads on
/// long native calls would starve the rest of the process. Further calls wait in a queue (1000
/// concurrent <c>BlurAsync</c> calls cost 1000 small queue entries, not 1000 threads). Tasks
/// complete with their continuations run asynchronously, never on a Pixbridge thread.
/// </para>
/// <para>
/// Cancellation completes a queued call at once, and stops a running one within tens of milliseconds: it
/// returns having freed what it allocated, left its source untouched (in-place operations
/// restore the pixels) and written no file; the task then ends as cancelled, and awaiting it
/// throws an <see cref="OperationCanceledException"/> whose
/// <see cref="OperationCanceledException.CancellationToken"/> is the token. A call that finished
/// before the cancel took effect keeps its result.
/// </para>
/// <para>
/// Progress is the fraction done, from 0 to 1,
/// strictly increasing and 1 when the work succeeded, reported one at a time from the native
/// thread doing the work (at most about once per hundredth). <see cref="Progress{T}"/> posts each
/// report to the context it was made in, or, without one, to the thread pool, where its handlers
/// may run out of order and after the task completed; an <see cref="IProgress{T}"/> of your own
/// is called in order, in the caller's execution context, before the task completes, and must
/// return quickly and must not wait for other Pixbridge work. If it throws, the call is cancelled
/// and the task fails with that exception (a new image made meanwhile is disposed).
/// </para>
/// <para>
/// Disposal: an image in use by an asynchronous call (queued or running) stays alive until the
/// call has returned, through the same <see cref="System.Runtime.InteropServices.SafeHandle"/>
/// reference count as the synchronous calls. A <see cref="Dispose"/> meanwhile marks it disposed at
/// once (its members throw <see cref="ObjectDisposedException"/>) and frees the native image when
/// the call has returned, so native memory in use is never freed.
/// </para>
/// <para>
/// Cached facts: <see cref="Width"/>, <see cref="Height"/>, the pixel address behind
/// <see cref="WithPixels(PixelAction)"/> and <see cref="ColorType"/> are read from the native library once,
/// when the image is created, and then answered without a native call. This is exact because a
/// native image is owned by exactly one <see cref="Image"/> and only changes through it:
/// in-place operations keep the size and the pixel buffer (operations that change the size return
/// a new image), and the colour type is read again after every in-place operation
/// (<see cref="Grayscale"/> changes it).
/// </para>
/// </remarks>
public sealed partial class Image : IDisposable
{
    private readonly ImageHandle _handle;

    /// <summary>
    /// Set by <see cref="Dispose"/>. The SafeHandle alone cannot tell: while a running call (a
    /// <see cref="WithPixels(PixelAction)"/> reader, say) holds a reference, the handle stays open after Dispose.
    /// </summary>
    private volatile bool _disposed;

    private readonly int _width;
    private readonly int _height;

    /// <summary>
    /// Address and length of the native RGBA8 pixels, asked for on the first <see cref="WithPixels(PixelAction)"/>
    /// (a deferred image is decoded for good then) and fixed from then on for the handle's lifetime
    /// (in-place operations never reallocate).
    /// </summary>
    private volatile PixelAddress? _pixelAddress;

    private sealed record PixelAddress(IntPtr Address, nuint Length);

    /// <summary>The cached colour type; written only under <see cref="_colorTypeGate"/> (see <see cref="RefreshColorType"/>).</summary>
    private volatile ColorType _colorType;
    private readonly object _colorTypeGate = new();

    private Image(ImageHandle handle, int width, int height, ColorType colorType)
    {
        _handle = handle;
        _width = width;
        _height = height;
        _colorType = colorType;
    }

    /// <summary>Width in pixels (cached: it never changes; operations that resize return a new image).</summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public int Width
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _width;
        }
    }

    /// <summary>Height in pixels (cached: it never changes).</summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public int Height
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _height;
        }
    }

    /// <summary>
    /// The colour type the image was decoded from (<see cref="ColorType.Rgba8"/> for images made
    /// from pixels; <see cref="ColorType.L8"/> or <see cref="ColorType.La8"/> after
    /// <see cref="Grayscale"/>). It decides the channel layout used when saving.
    /// </summary>
    /// <remarks>
    /// Cached: read from the native library when the image is created and again after every
    /// in-place operation, the only way it can change; reading it makes no native call.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public ColorType ColorType
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _colorType;
        }
    }

    /// <summary>Size of the RGBA8 pixels in bytes (<c>Width * Height * 4</c>).</summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public long PixelByteCount => (long)Width * Height * 4;

    /// <summary>
    /// For an image a lenient decode (<see cref="DecodeOptions.Lenient"/>) returned from truncated
    /// or corrupt data: what was wrong and how many rows were decoded, for example
    /// <c>"the data is truncated or corrupt (...): 24 of 48 rows were decoded"</c>.
    /// <c>null</c> for an image decoded completely and for every image an operation returns (the
    /// mark belongs to the decoded image; in-place operations keep it).
    /// </summary>
    /// <remarks>Read from the native library on first use, then cached (it never changes).</remarks>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public string? DecodeWarning
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_decodeWarning is null)
            {
                ulong buffer = 0;
                using (var lease = Lease())
                {
                    NativeCalls.Check(Interop.pixbridge_image_decode_warning(lease.Handle, ref buffer));
                }
                // Two threads may both ask; both get the same text.
                _decodeWarning = System.Text.Encoding.UTF8.GetString(TakeBuffer(buffer));
            }
            return _decodeWarning.Length == 0 ? null : _decodeWarning;
        }
    }

    /// <summary>Whether a lenient decode returned this image from damaged data (<see cref="DecodeWarning"/> is not null).</summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public bool IsPartial => DecodeWarning is not null;

    /// <summary>The decode warning once read; empty for none.</summary>
    private volatile string? _decodeWarning;

    /// <summary>Opens an image file; the format is detected from the content, not the extension.</summary>
    /// <param name="path">Path of the file (relative paths are relative to the current directory).</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <returns>The decoded image (EXIF orientation applied).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="PixbridgeException">
    /// The file cannot be read or decoded: <see cref="ErrorCode.NotFound"/>, <see cref="ErrorCode.Io"/>,
    /// <see cref="ErrorCode.PermissionDenied"/>, <see cref="ErrorCode.UnsupportedFormat"/>,
    /// <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>.
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Open(string path, DecodeLimits? limits = null)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        NativeLibraryLoader.EnsureLoaded();
        var nativeLimits = (limits ?? DecodeLimits.Default).ToNative();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_open(ref utf8[0], (nuint)utf8.Length, ref nativeLimits, ref result));
        return Adopt(result);
    }

    /// <summary>Decodes an encoded image (PNG, JPEG, WebP, ...) from memory; the format is detected from the content.</summary>
    /// <remarks>The bytes are read where they are (pinned for the duration of the call), never copied.</remarks>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.UnsupportedFormat"/> (also for no bytes at all), <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>.
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Load(ReadOnlySpan<byte> encoded, DecodeLimits? limits = null)
    {
        NativeLibraryLoader.EnsureLoaded();
        var nativeLimits = (limits ?? DecodeLimits.Default).ToNative();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_decode(
            ref MemoryMarshal.GetReference(encoded), (nuint)encoded.Length, ref nativeLimits, ref result));
        return Adopt(result);
    }

    /// <summary>Decodes an encoded image from a byte array; see <see cref="Load(ReadOnlySpan{byte}, DecodeLimits?)"/>.</summary>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is null.</exception>
    /// <exception cref="PixbridgeException">The bytes cannot be decoded (<see cref="ErrorCode.UnsupportedFormat"/> for no bytes at all).</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Load(byte[] encoded, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Load(encoded.AsSpan(), limits);
    }

    /// <summary>Reads a stream to its end and decodes it; see <see cref="Load(ReadOnlySpan{byte}, DecodeLimits?)"/>.</summary>
    /// <remarks>
    /// A <see cref="MemoryStream"/> whose buffer is exposable (<see cref="MemoryStream.TryGetBuffer"/>)
    /// and an <see cref="UnmanagedMemoryStream"/> are decoded in place, without copying. Other
    /// streams are copied once into a pooled buffer (sized up front when the stream can seek).
    /// Afterwards the stream is positioned at its end.
    /// </remarks>
    /// <param name="stream">A readable stream, read from its current position; not closed.</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="PixbridgeException">The bytes cannot be decoded (no data left is <see cref="ErrorCode.UnsupportedFormat"/>, as in Java).</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Load(Stream stream, DecodeLimits? limits = null) =>
        FromStream(stream, nameof(stream), limits, static (bytes, l) => Load(bytes, l));

    /// <summary>
    /// Opens an image file with decode options: with <see cref="DecodeOptions.MinWidth"/> or
    /// <see cref="DecodeOptions.MinHeight"/> set, a JPEG is decoded at 1/2, 1/4 or 1/8 scale
    /// when that still covers the minimum (shrink-on-load); other formats at full size.
    /// </summary>
    /// <param name="path">Path of the file (relative paths are relative to the current directory).</param>
    /// <param name="options">Limits and the smallest size needed; <c>default</c> decodes at full size with the default limits.</param>
    /// <returns>The decoded image (EXIF orientation applied), at least <see cref="DecodeOptions.MinWidth"/> x <see cref="DecodeOptions.MinHeight"/> unless the source is smaller.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="PixbridgeException">
    /// The file cannot be read or decoded: <see cref="ErrorCode.NotFound"/>, <see cref="ErrorCode.Io"/>,
    /// <see cref="ErrorCode.PermissionDenied"/>, <see cref="ErrorCode.UnsupportedFormat"/>,
    /// <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/> (the limits apply to the full size).
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Open(string path, DecodeOptions options)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        NativeLibraryLoader.EnsureLoaded();
        var nativeOptions = options.ToNative();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_open_with(ref utf8[0], (nuint)utf8.Length, ref nativeOptions, ref result));
        return Adopt(result);
    }

    /// <summary>
    /// Decodes an encoded image from memory with decode options (shrink-on-load for JPEG; see
    /// <see cref="Open(string, DecodeOptions)"/>).
    /// </summary>
    /// <remarks>The bytes are read where they are (pinned for the duration of the call), never copied.</remarks>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="options">Limits and the smallest size needed; <c>default</c> decodes at full size with the default limits.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.UnsupportedFormat"/> (also for no bytes at all), <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>.
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Load(ReadOnlySpan<byte> encoded, DecodeOptions options)
    {
        NativeLibraryLoader.EnsureLoaded();
        var nativeOptions = options.ToNative();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_decode_with(
            ref MemoryMarshal.GetReference(encoded), (nuint)encoded.Length, ref nativeOptions, ref result));
        return Adopt(result);
    }

    /// <summary>Decodes an encoded image from a byte array with decode options; see <see cref="Load(ReadOnlySpan{byte}, DecodeOptions)"/>.</summary>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="options">Limits and the smallest size needed.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is null.</exception>
    /// <exception cref="PixbridgeException">The bytes cannot be decoded (<see cref="ErrorCode.UnsupportedFormat"/> for no bytes at all).</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Load(byte[] encoded, DecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Load(encoded.AsSpan(), options);
    }

    /// <summary>
    /// Reads a stream to its end and decodes it with decode options; see
    /// <see cref="Load(ReadOnlySpan{byte}, DecodeOptions)"/>. The stream is read as by
    /// <see cref="Load(Stream, DecodeLimits?)"/> (memory streams in place, others copied once).
    /// </summary>
    /// <param name="stream">A readable stream, read from its current position; not closed.</param>
    /// <param name="options">Limits and the smallest size needed.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="PixbridgeException">The bytes cannot be decoded (no data left is <see cref="ErrorCode.UnsupportedFormat"/>, as in Java).</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image Load(Stream stream, DecodeOptions options) =>
        FromStream(stream, nameof(stream), options, static (bytes, o) => Load(bytes, o));

    /// <summary>Makes an image from the encoded bytes of a span; <typeparamref name="TState"/> carries the call's arguments.</summary>
    private delegate Image SpanDecoder<TState>(ReadOnlySpan<byte> encoded, TState state);

    /// <summary>
    /// Hands the rest of <paramref name="stream"/> to <paramref name="decode"/> as one span and then
    /// positions the stream at its end: in place for an exposable <see cref="MemoryStream"/> and an
    /// <see cref="UnmanagedMemoryStream"/>, otherwise copied once into a pooled buffer. Every
    /// <see cref="Stream"/> overload (decode, thumbnail) goes through here.
    /// </summary>
    private static Image FromStream<TState>(Stream stream, string parameterName, TState state, SpanDecoder<TState> decode)
    {
        ArgumentNullException.ThrowIfNull(stream, parameterName);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", parameterName);
        }
        switch (stream)
        {
            case MemoryStream memory when memory.TryGetBuffer(out var buffer):
                {
                    var start = (int)Math.Min(memory.Position, buffer.Count);
                    var image = decode(buffer.AsSpan(start), state);
                    memory.Position = memory.Length;
                    return image;
                }
            case UnmanagedMemoryStream unmanaged:
                return FromUnmanaged(unmanaged, parameterName, state, decode);
            default:
                return FromCopy(stream, parameterName, state, decode);
        }
    }

    /// <summary>Decodes the rest of an <see cref="UnmanagedMemoryStream"/> where it lies.</summary>
    private static unsafe Image FromUnmanaged<TState>(UnmanagedMemoryStream stream, string parameterName, TState state, SpanDecoder<TState> decode)
    {
        var remaining = stream.Length - stream.Position;
        if (remaining > int.MaxValue)
        {
            throw new ArgumentException("The stream holds more than 2 GiB; decode it from a file instead.", parameterName);
        }
        var bytes = remaining > 0 ? new ReadOnlySpan<byte>(stream.PositionPointer, (int)remaining) : default;
        var image = decode(bytes, state);
        stream.Position = stream.Length;
        return image;
    }

    /// <summary>Reads the rest of <paramref name="stream"/> into one pooled buffer and decodes it.</summary>
    private static Image FromCopy<TState>(Stream stream, string parameterName, TState state, SpanDecoder<TState> decode)
    {
        var capacity = 64 * 1024;
        if (stream.CanSeek)
        {
            // One more byte than announced, so that reaching the end needs no regrowth.
            capacity = (int)Math.Clamp(stream.Length - stream.Position + 1, 1, Array.MaxLength);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= Array.MaxLength)
                    {
                        throw new ArgumentException("The stream holds more than 2 GiB; decode it from a file instead.", parameterName);
                    }
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            return decode(buffer.AsSpan(0, length), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Gives the memory the native library keeps for reuse back to the system: freed image-sized
    /// blocks, which it keeps (up to 512 MiB by default, or the environment variable
    /// <c>PIXBRIDGE_MEMORY_CACHE_MB</c>) so that the next image of a similar size does not pay
    /// for fresh pages. Call it when the process goes idle; open images are not touched, and the
    /// cache fills again as later images are disposed.
    /// </summary>
    /// <returns>The number of bytes given back.</returns>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static long TrimNativeMemory()
    {
        NativeLibraryLoader.EnsureLoaded();
        ulong released = 0;
        NativeCalls.Check(Interop.pixbridge_trim(ref released));
        return checked((long)released);
    }

    /// <summary>
    /// Sets the number of native worker threads of this process: the threads that the parallel
    /// parts of blur, resize and JPEG decoding share, in addition to the threads that call
    /// Pixbridge. By default there is one per logical CPU; a server that already runs many
    /// threads of its own may want fewer, so that native work does not oversubscribe the cores.
    /// </summary>
    /// <remarks>
    /// The pool starts, and its size is fixed, at the first call that works on images (opening,
    /// decoding, any operation, encoding, ...; not this method, <see cref="NativeWorkerThreads"/>
    /// or <see cref="TrimNativeMemory"/>). Call it before that, at start-up. Afterwards the same
    /// count is accepted and any other throws. It takes precedence over the environment variable
    /// <c>PIXBRIDGE_WORKER_THREADS</c>, which is read only if this was not called before the pool
    /// started.
    /// </remarks>
    /// <param name="threads">The number of threads, 1 to 1024, or 0 for one per logical CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.InvalidArgument"/>: <paramref name="threads"/> is above 1024, or the pool
    /// already runs with another number of threads (the message says how many).
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static void SetNativeWorkerThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        NativeLibraryLoader.EnsureLoaded();
        NativeCalls.Check(Interop.pixbridge_set_worker_threads((uint)threads));
    }

    /// <summary>
    /// The number of native worker threads of this process: the number the pool runs with, or,
    /// before it has started, the number it will start with (<see cref="SetNativeWorkerThreads"/>,
    /// else <c>PIXBRIDGE_WORKER_THREADS</c>, else one per logical CPU). Reading it does not start
    /// the pool.
    /// </summary>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static int NativeWorkerThreads
    {
        get
        {
            NativeLibraryLoader.EnsureLoaded();
            uint threads = 0;
            NativeCalls.Check(Interop.pixbridge_worker_threads(ref threads));
            return checked((int)threads);
        }
    }

    /// <summary>Creates an image from tightly packed RGBA8 pixels (row-major, straight alpha).</summary>
    /// <param name="width">Width in pixels (at least 1).</param>
    /// <param name="height">Height in pixels (at least 1).</param>
    /// <param name="rgba">Exactly <c>width * height * 4</c> bytes; copied.</param>
    /// <returns>A new image whose colour type is <see cref="ColorType.Rgba8"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is negative.</exception>
    /// <exception cref="PixbridgeException"><see cref="ErrorCode.InvalidArgument"/> from the native check (the Java SDK
    /// gives the same code and message): a zero size, <paramref name="rgba"/> not holding exactly <c>width * height * 4</c>
    /// bytes, or a size over the default decode limits (32768 pixels per side, 512 MiB of pixels), which opening a saved
    /// copy would meet.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Image FromPixels(int width, int height, ReadOnlySpan<byte> rgba)
    {
        // Only what a uint cannot carry is checked here; the size and the length are checked
        // natively, so C# and Java report the same code and message.
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        NativeLibraryLoader.EnsureLoaded();
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_from_pixels(
            (uint)width, (uint)height, ref MemoryMarshal.GetReference(rgba), (nuint)rgba.Length, ref result));
        return Adopt(result);
    }

    /// <summary>Saves to a file; the format comes from the extension (png, jpg, jpeg, webp, bmp, tif, tiff, gif, qoi, tga, pnm, ppm, pgm, ico, avif).</summary>
    /// <param name="path">Destination path. The file is written to a temporary file and renamed, so a failure never leaves a half-written file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.UnsupportedFormat"/> for an unknown extension, <see cref="ErrorCode.Io"/>,
    /// <see cref="ErrorCode.PermissionDenied"/>, <see cref="ErrorCode.NotFound"/> (missing folder) or <see cref="ErrorCode.Encode"/>.
    /// </exception>
    public void Save(string path)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        using var lease = Lease();
        NativeCalls.Check(Interop.pixbridge_image_save(lease.Handle, ref utf8[0], (nuint)utf8.Length));
    }

    /// <summary>Saves to a file in an explicit format, whatever the extension.</summary>
    /// <param name="path">Destination path (written atomically, as with <see cref="Save(string)"/>).</param>
    /// <param name="format">The format to write.</param>
    /// <param name="quality">Quality 1-100 for JPEG (default 90), WebP (a quality makes it lossy; <c>null</c> is lossless) and AVIF (default 80), or <c>null</c> for the format's default. Other formats accept only <c>null</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <paramref name="quality"/> is below 1 (above 100 is a <see cref="PixbridgeException"/> with <see cref="ErrorCode.InvalidArgument"/>).</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">Writing or encoding failed, or the format does not take a quality (<see cref="ErrorCode.InvalidArgument"/>).</exception>
    public void Save(string path, ImageFormat format, int? quality = null)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        var (nativeFormat, nativeQuality) = EncodeArguments(format, quality);
        using var lease = Lease();
        NativeCalls.Check(Interop.pixbridge_image_save_as(lease.Handle, ref utf8[0], (nuint)utf8.Length, nativeFormat, nativeQuality));
    }

    /// <summary>Encodes and writes the image to a stream.</summary>
    /// <param name="stream">A writable stream; written at its current position and not closed.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="quality">Quality 1-100 for JPEG, WebP (lossy) and AVIF, or <c>null</c> for the format's default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <paramref name="quality"/> is below 1 (above 100 is a <see cref="PixbridgeException"/> with <see cref="ErrorCode.InvalidArgument"/>).</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">Encoding failed.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public void Save(Stream stream, ImageFormat format, int? quality = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }
        stream.Write(Encode(format, quality));
    }

    /// <summary>Encodes the image in memory.</summary>
    /// <param name="format">The format to produce.</param>
    /// <param name="quality">Quality 1-100 for JPEG (default 90), WebP (a quality makes it lossy; <c>null</c> is lossless) and AVIF (default 80), or <c>null</c> for the format's default. Other formats accept only <c>null</c>.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <paramref name="quality"/> is below 1 (above 100 is a <see cref="PixbridgeException"/> with <see cref="ErrorCode.InvalidArgument"/>).</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">
    /// Encoding failed (<see cref="ErrorCode.Encode"/>), or the format cannot hold this image or
    /// does not take a quality (<see cref="ErrorCode.InvalidArgument"/>).
    /// </exception>
    public byte[] Encode(ImageFormat format, int? quality = null)
    {
        var (nativeFormat, nativeQuality) = EncodeArguments(format, quality);
        ulong buffer = 0;
        using (var lease = Lease())
        {
            NativeCalls.Check(Interop.pixbridge_image_encode(lease.Handle, nativeFormat, nativeQuality, ref buffer));
        }
        return TakeBuffer(buffer);
    }

    /// <summary>Saves to a file with encoder options; the format comes from the extension, as with <see cref="Save(string)"/>.</summary>
    /// <param name="path">Destination path (written atomically, as with <see cref="Save(string)"/>).</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.UnsupportedFormat"/> for an unknown extension, <see cref="ErrorCode.Io"/>,
    /// <see cref="ErrorCode.PermissionDenied"/>, <see cref="ErrorCode.NotFound"/> (missing folder) or <see cref="ErrorCode.Encode"/>.
    /// </exception>
    public void Save(string path, EncodeOptions options) => SaveWith(path, FormatFromExtension, options);

    /// <summary>Saves to a file in an explicit format with encoder options, whatever the extension.</summary>
    /// <param name="path">Destination path (written atomically, as with <see cref="Save(string)"/>).</param>
    /// <param name="format">The format to write.</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">Writing or encoding failed.</exception>
    public void Save(string path, ImageFormat format, EncodeOptions options) => SaveWith(path, FormatArgument(format), options);

    /// <summary>Encodes with encoder options and writes the image to a stream.</summary>
    /// <param name="stream">A writable stream; written at its current position and not closed.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">Encoding failed.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public void Save(Stream stream, ImageFormat format, EncodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }
        stream.Write(Encode(format, options));
    }

    /// <summary>Encodes the image in memory with encoder options.</summary>
    /// <param name="format">The format to produce.</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="PixbridgeException">
    /// Encoding failed (<see cref="ErrorCode.Encode"/>), or the format cannot hold this image
    /// (<see cref="ErrorCode.InvalidArgument"/>).
    /// </exception>
    public byte[] Encode(ImageFormat format, EncodeOptions options)
    {
        var nativeFormat = FormatArgument(format);
        var nativeOptions = options.ToNative();
        ulong buffer = 0;
        using (var lease = Lease())
        {
            NativeCalls.Check(Interop.pixbridge_image_encode_with(lease.Handle, nativeFormat, ref nativeOptions, ref buffer));
        }
        return TakeBuffer(buffer);
    }

    /// <summary><c>format</c> of <c>pixbridge_image_save_with</c> that means "from the path's extension".</summary>
    private const uint FormatFromExtension = uint.MaxValue;

    private void SaveWith(string path, uint nativeFormat, EncodeOptions options)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        var nativeOptions = options.ToNative();
        using var lease = Lease();
        NativeCalls.Check(Interop.pixbridge_image_save_with(lease.Handle, ref utf8[0], (nuint)utf8.Length, nativeFormat, ref nativeOptions));
    }

    /// <summary>Copies an encoded buffer's bytes into a new array and destroys the buffer handle.</summary>
    private static byte[] TakeBuffer(ulong buffer)
    {
        try
        {
            var data = IntPtr.Zero;
            nuint length = 0;
            NativeCalls.Check(Interop.pixbridge_buffer_data(buffer, ref data, ref length));
            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
            Marshal.Copy(data, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            Interop.pixbridge_buffer_destroy(buffer);
        }
    }

    /// <summary>Copies the RGBA8 pixels (<see cref="PixelByteCount"/> bytes, rows of <c>Width * 4</c>) into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="PixelByteCount"/> bytes; only that many are written.</param>
    /// <exception cref="PixbridgeException"><see cref="ErrorCode.BufferTooSmall"/>: <paramref name="destination"/> is
    /// shorter than <see cref="PixelByteCount"/> (the message gives both sizes, as in Java).</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public void CopyPixels(Span<byte> destination)
    {
        // The native side checks the length it is given (BufferTooSmall, as for Java).
        using var lease = Lease();
        NativeCalls.Check(Interop.pixbridge_image_copy_pixels(
            lease.Handle, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length));
    }

    /// <summary>Copies the RGBA8 pixels into a new array.</summary>
    /// <returns><see cref="PixelByteCount"/> bytes, rows of <c>Width * 4</c>.</returns>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    public byte[] ToPixelArray()
    {
        var pixels = GC.AllocateUninitializedArray<byte>(checked((int)PixelByteCount));
        CopyPixels(pixels);
        return pixels;
    }

    /// <summary>
    /// Reads the RGBA8 pixels in place, without copying: <paramref name="reader"/> gets them as a
    /// span (<see cref="Height"/> rows of <c>Width * 4</c> bytes, R, G, B, A, straight alpha) for
    /// the duration of the call.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The native memory stays alive until <paramref name="reader"/> returns, even if another
    /// thread disposes the image meanwhile, and the span cannot outlive the call (a
    /// <see cref="ReadOnlySpan{T}"/> parameter cannot be stored or captured), so it can never
    /// show freed memory or another image's pixels, and a reader that throws holds nothing
    /// afterwards. This replaces the former <c>ViewPixels</c>, whose view could be forgotten (pinning
    /// the image) or its span kept past its disposal.
    /// </para>
    /// <para>
    /// After the first call, no native call and no pixel copy; with a lambda that captures
    /// nothing, no allocation either. The first call on an image opened with
    /// <see cref="DecodeOptions.Deferred"/> decodes it for good (and throws the decode's
    /// <see cref="PixbridgeException"/> if that fails). In-place operations (<see cref="Mirror"/>,
    /// <see cref="Grayscale"/>, ...) change these bytes: do not run them on another thread while reading.
    /// </para>
    /// </remarks>
    /// <param name="reader">Called once with the pixels.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The pixels take more than 2 GiB, more than a span can show; use <see cref="Resize"/> or <see cref="Crop"/> first.</exception>
    public void WithPixels(PixelAction reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var lease = Lease();
        reader(PixelSpan());
    }

    /// <summary>
    /// Reads the RGBA8 pixels in place, without copying, and returns what <paramref name="reader"/>
    /// computes from them; see <see cref="WithPixels(PixelAction)"/>.
    /// </summary>
    /// <typeparam name="TResult">What the reader returns.</typeparam>
    /// <param name="reader">Called once with the pixels.</param>
    /// <returns>The reader's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The pixels take more than 2 GiB, more than a span can show.</exception>
    public TResult WithPixels<TResult>(PixelFunc<TResult> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var lease = Lease();
        return reader(PixelSpan());
    }

    /// <summary>The pixels as a span; only while a <see cref="Lease"/> is held.</summary>
    private unsafe ReadOnlySpan<byte> PixelSpan()
    {
        if (PixelByteCount > int.MaxValue)
        {
            throw new InvalidOperationException($"The pixels take {PixelByteCount} bytes, more than a span can show.");
        }
        var address = _pixelAddress ?? FetchPixelAddress();
        return new ReadOnlySpan<byte>((void*)address.Address, (int)address.Length);
    }

    private PixelAddress FetchPixelAddress()
    {
        using var lease = Lease();
        var pixels = IntPtr.Zero;
        nuint length = 0;
        NativeCalls.Check(Interop.pixbridge_image_pixels(lease.Handle, ref pixels, ref length));
        // Every caller gets the same address (the native side decodes a deferred image once).
        return _pixelAddress = new PixelAddress(pixels, length);
    }

    /// <summary>Frees the native image (at once, or when the last running call on it returns). Calling it again does nothing.</summary>
    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    /// <summary>Describes the image, e.g. <c>Image 640x427</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => _disposed ? "Image (disposed)" : $"Image {_width}x{_height}";

    /// <summary>
    /// Takes ownership of a new native handle (from a factory or a fresh operation) and caches its
    /// size, colour type and pixel address.
    /// </summary>
    private static Image Adopt(ulong native)
    {
        var handle = new ImageHandle(native);
        var info = default(ImageInfo);
        var code = Interop.pixbridge_image_info(native, ref info);
        if (!code.IsOk)
        {
            try
            {
                NativeCalls.Check(code); // reads this thread's error message before anything else runs
            }
            finally
            {
                handle.Dispose();
            }
        }
        var image = new Image(handle, checked((int)info.width), checked((int)info.height),
            NativeCalls.ToPublic(info.color_type));
        handle.AddMemoryPressure((long)image._width * image._height * 4);
        return image;
    }

    /// <summary>
    /// Reads the colour type from the native library into the cache; called by every in-place
    /// operation after it succeeded, with the operation's lease still held.
    /// </summary>
    /// <remarks>
    /// The read and the store happen under one lock, so when in-place operations race, the last
    /// store comes from the last read, which sees every operation that had finished by then.
    /// </remarks>
    private void RefreshColorType(ulong native)
    {
        lock (_colorTypeGate)
        {
            _colorType = ReadColorType(native);
        }
    }

    private static ColorType ReadColorType(ulong native)
    {
        var info = default(ImageInfo);
        NativeCalls.Check(Interop.pixbridge_image_info(native, ref info));
        return NativeCalls.ToPublic(info.color_type);
    }

    private static (uint Format, uint Quality) EncodeArguments(ImageFormat format, int? quality)
    {
        var nativeFormat = FormatArgument(format);
        if (quality is { } q)
        {
            // 0 means "the default" natively, and a uint cannot carry a negative number; the upper
            // bound is checked natively (the same code and message as in Java).
            ArgumentOutOfRangeException.ThrowIfLessThan(q, 1, nameof(quality));
        }
        return (nativeFormat, (uint)(quality ?? 0));
    }

    private static uint FormatArgument(ImageFormat format)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined ImageFormat.");
        }
        return (uint)format;
    }

    /// <summary>Holds a reference on the handle for the duration of one native call.</summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    private HandleLease Lease()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check above and the add-ref by another thread.
            throw new ObjectDisposedException(nameof(Image));
        }
        return new HandleLease(_handle);
    }

    /// <summary>One SafeHandle reference: the native image cannot be destroyed while it is held.</summary>
    private readonly ref struct HandleLease
    {
        private readonly ImageHandle _handle;

        internal HandleLease(ImageHandle handle) => _handle = handle;

        internal ulong Handle => _handle.Native;

        public void Dispose() => _handle.DangerousRelease();
    }
}
