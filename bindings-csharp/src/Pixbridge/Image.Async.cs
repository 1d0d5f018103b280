using System;
using System.Buffers;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Pixbridge.Native;

namespace Pixbridge;

// The asynchronous twins of the hand-written members: opening, decoding, thumbnails, saving and
// encoding. The operations' twins (BlurAsync, MirrorAsync, ...) are generated with the
// operations, in Image.Operations.g.cs. How they run: NativeWork and the class remarks of Image.
public sealed partial class Image
{
    /// <summary>
    /// Runs a native call on this image on a Pixbridge thread (see <see cref="NativeWork"/>),
    /// holding a reference on the handle until it returns: a <see cref="Dispose"/> meanwhile takes
    /// effect afterwards.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    private Task<T> RunAsync<T>(IProgress<float>? progress, CancellationToken cancellationToken, NativeWork.Call<T> call)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return NativeWork.Run(_handle, progress, cancellationToken, call);
    }

    /// <summary>
    /// Opens an image file asynchronously; see <see cref="Open(string, DecodeLimits?)"/>. The file
    /// is read and decoded on a Pixbridge thread.
    /// </summary>
    /// <remarks>Cancelling stops the decode within tens of milliseconds; see the class remarks on asynchronous methods.</remarks>
    /// <param name="path">Path of the file (relative paths are relative to the current directory).</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the decode; the task then ends as cancelled with this token.</param>
    /// <returns>The decoded image (EXIF orientation applied).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">
    /// In the task: the file cannot be read or decoded (<see cref="ErrorCode.NotFound"/>, <see cref="ErrorCode.Io"/>,
    /// <see cref="ErrorCode.PermissionDenied"/>, <see cref="ErrorCode.UnsupportedFormat"/>,
    /// <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>).
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> OpenAsync(string path, DecodeLimits? limits = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        OpenAsync(path, new DecodeOptions { Limits = limits }, progress, cancellationToken);

    /// <summary>
    /// Opens an image file asynchronously with decode options (shrink-on-load, deferred, lenient);
    /// see <see cref="Open(string, DecodeOptions)"/>.
    /// </summary>
    /// <param name="path">Path of the file (relative paths are relative to the current directory).</param>
    /// <param name="options">Limits, the smallest size needed, deferred or lenient decoding.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the decode; the task then ends as cancelled with this token.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: the file cannot be read or decoded, as for <see cref="Open(string, DecodeOptions)"/>.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> OpenAsync(string path, DecodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        var nativeOptions = options.ToNative();
        return NativeWork.Run<Image>(null, progress, cancellationToken, (_, control) =>
        {
            ulong result = 0;
            NativeCalls.Check(Interop.pixbridge_image_open_controlled(ref utf8[0], (nuint)utf8.Length, ref nativeOptions, control, ref result));
            return Adopt(result);
        });
    }

    /// <summary>Decodes an encoded image from memory asynchronously; see <see cref="Load(ReadOnlySpan{byte}, DecodeLimits?)"/>.</summary>
    /// <remarks>
    /// The bytes are read where they are (pinned while the native call runs), never copied: do not
    /// change them until the task has completed. A <c>byte[]</c> converts to <see cref="ReadOnlyMemory{T}"/>.
    /// </remarks>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the decode; the task then ends as cancelled with this token.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">
    /// In the task: <see cref="ErrorCode.UnsupportedFormat"/> (also for no bytes at all), <see cref="ErrorCode.Decode"/> or <see cref="ErrorCode.LimitExceeded"/>.
    /// </exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> LoadAsync(ReadOnlyMemory<byte> encoded, DecodeLimits? limits = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        LoadAsync(encoded, new DecodeOptions { Limits = limits }, progress, cancellationToken);

    /// <summary>Decodes an encoded image from memory asynchronously with decode options; see <see cref="Load(ReadOnlySpan{byte}, DecodeOptions)"/>.</summary>
    /// <remarks>The bytes are read where they are (pinned while the native call runs), never copied: do not change them until the task has completed.</remarks>
    /// <param name="encoded">The encoded bytes.</param>
    /// <param name="options">Limits, the smallest size needed, deferred or lenient decoding.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the decode; the task then ends as cancelled with this token.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: the bytes cannot be decoded (<see cref="ErrorCode.UnsupportedFormat"/> for no bytes at all).</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> LoadAsync(ReadOnlyMemory<byte> encoded, DecodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var nativeOptions = options.ToNative();
        return NativeWork.Run<Image>(null, progress, cancellationToken, (_, control) => DecodeControlled(encoded.Span, nativeOptions, control));
    }

    /// <summary>
    /// Reads a stream to its end asynchronously and decodes it on a Pixbridge thread; see
    /// <see cref="Load(Stream, DecodeLimits?)"/>.
    /// </summary>
    /// <remarks>
    /// The stream is read with <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>
    /// (never blocking a thread on it) into a pooled buffer, which is then decoded in place; a
    /// <see cref="MemoryStream"/> whose buffer is exposable is decoded where it is, without
    /// copying (do not change it until the task has completed). Afterwards the stream is
    /// positioned at its end. The token cancels the reading too.
    /// </remarks>
    /// <param name="stream">A readable stream, read from its current position; not closed.</param>
    /// <param name="limits">Decode limits; <c>null</c> for <see cref="DecodeLimits.Default"/>.</param>
    /// <param name="progress">Told the fraction of the decode done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the reading and the decode; the task then ends as cancelled.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: the bytes cannot be decoded (no data left is <see cref="ErrorCode.UnsupportedFormat"/>).</exception>
    /// <exception cref="IOException">In the task: reading the stream failed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> LoadAsync(Stream stream, DecodeLimits? limits = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        LoadAsync(stream, new DecodeOptions { Limits = limits }, progress, cancellationToken);

    /// <summary>
    /// Reads a stream to its end asynchronously and decodes it with decode options; see
    /// <see cref="LoadAsync(Stream, DecodeLimits?, IProgress{float}?, CancellationToken)"/> and
    /// <see cref="Load(Stream, DecodeOptions)"/>.
    /// </summary>
    /// <param name="stream">A readable stream, read from its current position; not closed.</param>
    /// <param name="options">Limits, the smallest size needed, deferred or lenient decoding.</param>
    /// <param name="progress">Told the fraction of the decode done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the reading and the decode; the task then ends as cancelled.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: the bytes cannot be decoded.</exception>
    /// <exception cref="IOException">In the task: reading the stream failed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> LoadAsync(Stream stream, DecodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        FromStreamAsync(stream, nameof(stream), options.ToNative(), progress, cancellationToken, static (bytes, o, control) => DecodeControlled(bytes, o, control));

    /// <summary>
    /// Makes a thumbnail of an image file asynchronously; see
    /// <see cref="Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/> for the fitting rules.
    /// </summary>
    /// <param name="path">Path of the image file (relative paths are relative to the current directory).</param>
    /// <param name="width">Width of the box in pixels: 1 to 32768.</param>
    /// <param name="height">Height of the box in pixels: 1 to 32768.</param>
    /// <param name="fit">How the image fits the box.</param>
    /// <param name="options">Decode limits and upscaling; <c>null</c> for the defaults.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the work; the task then ends as cancelled with this token.</param>
    /// <returns>The thumbnail.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is less than 1, or <paramref name="fit"/> is not a defined <see cref="ThumbnailFit"/>.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Thumbnail(string, int, int, ThumbnailFit, ThumbnailOptions?)"/>.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> ThumbnailAsync(string path, int width, int height, ThumbnailFit fit = ThumbnailFit.Contain, ThumbnailOptions? options = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        var arguments = ThumbnailArguments(width, height, fit, options);
        return NativeWork.Run<Image>(null, progress, cancellationToken, (_, control) =>
        {
            ulong result = 0;
            NativeCalls.Check(Interop.pixbridge_image_thumbnail_file_controlled(
                ref utf8[0], (nuint)utf8.Length, arguments.Width, arguments.Height, arguments.Fit, ref arguments.Options, control, ref result));
            return Adopt(result);
        });
    }

    /// <summary>
    /// Makes a thumbnail of an encoded image in memory asynchronously; see
    /// <see cref="Thumbnail(ReadOnlySpan{byte}, int, int, ThumbnailFit, ThumbnailOptions?)"/>.
    /// </summary>
    /// <remarks>The bytes are read where they are (pinned while the native call runs): do not change them until the task has completed.</remarks>
    /// <param name="encoded">The encoded bytes (a <c>byte[]</c> converts to <see cref="ReadOnlyMemory{T}"/>).</param>
    /// <param name="width">Width of the box in pixels: 1 to 32768.</param>
    /// <param name="height">Height of the box in pixels: 1 to 32768.</param>
    /// <param name="fit">How the image fits the box.</param>
    /// <param name="options">Decode limits and upscaling; <c>null</c> for the defaults.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the work; the task then ends as cancelled with this token.</param>
    /// <returns>The thumbnail.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is less than 1, or <paramref name="fit"/> is not a defined <see cref="ThumbnailFit"/>.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Thumbnail(ReadOnlySpan{byte}, int, int, ThumbnailFit, ThumbnailOptions?)"/>.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> ThumbnailAsync(ReadOnlyMemory<byte> encoded, int width, int height, ThumbnailFit fit = ThumbnailFit.Contain, ThumbnailOptions? options = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var arguments = ThumbnailArguments(width, height, fit, options);
        return NativeWork.Run<Image>(null, progress, cancellationToken, (_, control) => ThumbnailControlled(encoded.Span, arguments, control));
    }

    /// <summary>
    /// Reads a stream to its end asynchronously and makes a thumbnail of it; see
    /// <see cref="Thumbnail(Stream, int, int, ThumbnailFit, ThumbnailOptions?)"/>. The stream is read
    /// as by <see cref="LoadAsync(Stream, DecodeLimits?, IProgress{float}?, CancellationToken)"/>,
    /// after the arguments are checked.
    /// </summary>
    /// <param name="stream">A readable stream, read from its current position; not closed.</param>
    /// <param name="width">Width of the box in pixels: 1 to 32768.</param>
    /// <param name="height">Height of the box in pixels: 1 to 32768.</param>
    /// <param name="fit">How the image fits the box.</param>
    /// <param name="options">Decode limits and upscaling; <c>null</c> for the defaults.</param>
    /// <param name="progress">Told the fraction of the native work done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the reading and the work; the task then ends as cancelled.</param>
    /// <returns>The thumbnail.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is less than 1, or <paramref name="fit"/> is not a defined <see cref="ThumbnailFit"/>.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Thumbnail(Stream, int, int, ThumbnailFit, ThumbnailOptions?)"/>.</exception>
    /// <exception cref="IOException">In the task: reading the stream failed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    public static Task<Image> ThumbnailAsync(Stream stream, int width, int height, ThumbnailFit fit = ThumbnailFit.Contain, ThumbnailOptions? options = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var arguments = ThumbnailArguments(width, height, fit, options);
        return FromStreamAsync(stream, nameof(stream), arguments, progress, cancellationToken, static (bytes, a, control) => ThumbnailControlled(bytes, a, control));
    }

    /// <summary>Saves to a file asynchronously; the format comes from the extension, as with <see cref="Save(string)"/>.</summary>
    /// <remarks>
    /// Encoded and written on a Pixbridge thread, atomically (a temporary file renamed). A
    /// cancelled save writes no file and leaves an existing file at <paramref name="path"/> as it was.
    /// </remarks>
    /// <param name="path">Destination path.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the save; the task then ends as cancelled with this token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Save(string)"/>.</exception>
    public Task SaveAsync(string path, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        SaveAsyncWith(path, FormatFromExtension, default(EncodeOptions).ToNative(), progress, cancellationToken);

    /// <summary>Saves to a file in an explicit format asynchronously; see <see cref="Save(string, ImageFormat, int?)"/>.</summary>
    /// <remarks>A cancelled save writes no file and leaves an existing file at <paramref name="path"/> as it was.</remarks>
    /// <param name="path">Destination path (written atomically).</param>
    /// <param name="format">The format to write.</param>
    /// <param name="quality">Quality 1-100 for JPEG (default 90), WebP (a quality makes it lossy; <c>null</c> is lossless) and AVIF (default 80), or <c>null</c> for the format's default. Other formats accept only <c>null</c>.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the save; the task then ends as cancelled with this token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <paramref name="quality"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Save(string, ImageFormat, int?)"/>.</exception>
    public Task SaveAsync(string path, ImageFormat format, int? quality = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var utf8 = NativeCalls.PathToUtf8(path, nameof(path));
        var (nativeFormat, nativeQuality) = EncodeArguments(format, quality);
        if (!QualityApplies(format, quality) || quality > 100)
        {
            // The quality overload's own check, with its code and message (a quality the format
            // does not take, or above 100): it fails before any encoding.
            return RunAsync(progress, cancellationToken, (image, _) =>
            {
                NativeCalls.Check(Interop.pixbridge_image_save_as(image, ref utf8[0], (nuint)utf8.Length, nativeFormat, nativeQuality));
                return true;
            });
        }
        return SaveAsyncWith(utf8, nativeFormat, QualityOptions(format, nativeQuality), progress, cancellationToken);
    }

    /// <summary>Saves to a file asynchronously with encoder options; the format comes from the extension, as with <see cref="Save(string, EncodeOptions)"/>.</summary>
    /// <remarks>A cancelled save writes no file and leaves an existing file at <paramref name="path"/> as it was.</remarks>
    /// <param name="path">Destination path (written atomically).</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the save; the task then ends as cancelled with this token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Save(string, EncodeOptions)"/>.</exception>
    public Task SaveAsync(string path, EncodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        SaveAsyncWith(path, FormatFromExtension, options.ToNative(), progress, cancellationToken);

    /// <summary>Saves to a file in an explicit format with encoder options, asynchronously; see <see cref="Save(string, ImageFormat, EncodeOptions)"/>.</summary>
    /// <remarks>A cancelled save writes no file and leaves an existing file at <paramref name="path"/> as it was.</remarks>
    /// <param name="path">Destination path (written atomically).</param>
    /// <param name="format">The format to write.</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the save; the task then ends as cancelled with this token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not valid Unicode.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: writing or encoding failed.</exception>
    public Task SaveAsync(string path, ImageFormat format, EncodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        SaveAsyncWith(path, FormatArgument(format), options.ToNative(), progress, cancellationToken);

    /// <summary>
    /// Encodes on a Pixbridge thread, then writes the bytes to a stream with
    /// <see cref="Stream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>; see <see cref="Save(Stream, ImageFormat, int?)"/>.
    /// </summary>
    /// <remarks>
    /// Nothing is written until the image is encoded, so a cancelled encode writes nothing; a
    /// cancel during the write is the stream's to honour and may leave part of the bytes written.
    /// </remarks>
    /// <param name="stream">A writable stream; written at its current position and not closed.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="quality">Quality 1-100 for JPEG, WebP (lossy) and AVIF, or <c>null</c> for the format's default.</param>
    /// <param name="progress">Told the fraction of the encoding done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the encoding and the write; the task then ends as cancelled.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <paramref name="quality"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: encoding failed.</exception>
    /// <exception cref="IOException">In the task: writing to the stream failed.</exception>
    public Task SaveAsync(Stream stream, ImageFormat format, int? quality = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckWritable(stream);
        return WriteWhenEncoded(stream, EncodeAsync(format, quality, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Encodes with encoder options on a Pixbridge thread, then writes the bytes to a stream
    /// asynchronously; see <see cref="SaveAsync(Stream, ImageFormat, int?, IProgress{float}?, CancellationToken)"/>.
    /// </summary>
    /// <param name="stream">A writable stream; written at its current position and not closed.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <param name="progress">Told the fraction of the encoding done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the encoding and the write; the task then ends as cancelled.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: encoding failed.</exception>
    /// <exception cref="IOException">In the task: writing to the stream failed.</exception>
    public Task SaveAsync(Stream stream, ImageFormat format, EncodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckWritable(stream);
        return WriteWhenEncoded(stream, EncodeAsync(format, options, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Encodes the image in memory on a Pixbridge thread; see <see cref="Encode(ImageFormat, int?)"/>.</summary>
    /// <param name="format">The format to produce.</param>
    /// <param name="quality">Quality 1-100 for JPEG (default 90), WebP (a quality makes it lossy; <c>null</c> is lossless) and AVIF (default 80), or <c>null</c> for the format's default. Other formats accept only <c>null</c>.</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the encoding; the task then ends as cancelled with this token.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined or <paramref name="quality"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Encode(ImageFormat, int?)"/>.</exception>
    public Task<byte[]> EncodeAsync(ImageFormat format, int? quality = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        var (nativeFormat, nativeQuality) = EncodeArguments(format, quality);
        if (!QualityApplies(format, quality) || quality > 100)
        {
            // The quality overload's own check, with its code and message (a quality the format
            // does not take, or above 100): it fails before any encoding.
            return RunAsync(progress, cancellationToken, (image, _) =>
            {
                ulong buffer = 0;
                NativeCalls.Check(Interop.pixbridge_image_encode(image, nativeFormat, nativeQuality, ref buffer));
                return TakeBuffer(buffer);
            });
        }
        return EncodeAsyncWith(nativeFormat, QualityOptions(format, nativeQuality), progress, cancellationToken);
    }

    /// <summary>Encodes the image in memory with encoder options on a Pixbridge thread; see <see cref="Encode(ImageFormat, EncodeOptions)"/>.</summary>
    /// <param name="format">The format to produce.</param>
    /// <param name="options">Encoder settings; the format reads those that apply to it (see <see cref="EncodeOptions"/>).</param>
    /// <param name="progress">Told the fraction done (0 to 1, strictly increasing, 1 on success) from a native thread; <c>null</c> for none.</param>
    /// <param name="cancellationToken">Cancels the encoding; the task then ends as cancelled with this token.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    /// <exception cref="ObjectDisposedException">The image has been disposed.</exception>
    /// <exception cref="OperationCanceledException">In the task: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PixbridgeException">In the task: as for <see cref="Encode(ImageFormat, EncodeOptions)"/>.</exception>
    public Task<byte[]> EncodeAsync(ImageFormat format, EncodeOptions options, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        EncodeAsyncWith(FormatArgument(format), options.ToNative(), progress, cancellationToken);

    private Task<byte[]> EncodeAsyncWith(uint nativeFormat, Native.EncodeOptions nativeOptions, IProgress<float>? progress, CancellationToken cancellationToken) =>
        RunAsync(progress, cancellationToken, (image, control) =>
        {
            ulong buffer = 0;
            NativeCalls.Check(Interop.pixbridge_image_encode_controlled(image, nativeFormat, ref nativeOptions, control, ref buffer));
            return TakeBuffer(buffer);
        });

    private Task SaveAsyncWith(string path, uint nativeFormat, Native.EncodeOptions nativeOptions, IProgress<float>? progress, CancellationToken cancellationToken) =>
        SaveAsyncWith(NativeCalls.PathToUtf8(path, nameof(path)), nativeFormat, nativeOptions, progress, cancellationToken);

    private Task SaveAsyncWith(byte[] utf8, uint nativeFormat, Native.EncodeOptions nativeOptions, IProgress<float>? progress, CancellationToken cancellationToken) =>
        RunAsync(progress, cancellationToken, (image, control) =>
        {
            NativeCalls.Check(Interop.pixbridge_image_save_controlled(image, ref utf8[0], (nuint)utf8.Length, nativeFormat, ref nativeOptions, control));
            return true;
        });

    /// <summary>
    /// Whether the quality overloads can pass <paramref name="quality"/> as encoder options: always,
    /// except a quality for a format without one (JPEG, WebP and AVIF have one), which those
    /// overloads refuse natively (<see cref="ErrorCode.InvalidArgument"/>) and encoder options would ignore.
    /// </summary>
    private static bool QualityApplies(ImageFormat format, int? quality) =>
        quality is null || format is ImageFormat.Jpeg or ImageFormat.WebP or ImageFormat.Avif;

    /// <summary>
    /// Default encoder options with the quality of a quality overload in the field
    /// <paramref name="format"/> reads (0 = the default; above 100 is refused natively).
    /// </summary>
    private static Native.EncodeOptions QualityOptions(ImageFormat format, uint nativeQuality)
    {
        var options = default(EncodeOptions).ToNative();
        switch (format)
        {
            case ImageFormat.WebP:
                options.webp_quality = nativeQuality;
                break;
            case ImageFormat.Avif:
                options.avif_quality = nativeQuality;
                break;
            default:
                options.quality = nativeQuality;
                break;
        }
        return options;
    }

    private static void CheckWritable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }
    }

    private static async Task WriteWhenEncoded(Stream stream, Task<byte[]> encoding, CancellationToken cancellationToken)
    {
        var bytes = await encoding.ConfigureAwait(false);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    private static Image DecodeControlled(ReadOnlySpan<byte> encoded, Native.DecodeOptions options, ulong control)
    {
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_decode_controlled(
            ref MemoryMarshal.GetReference(encoded), (nuint)encoded.Length, ref options, control, ref result));
        return Adopt(result);
    }

    private static Image ThumbnailControlled(ReadOnlySpan<byte> encoded, ThumbnailCall arguments, ulong control)
    {
        ulong result = 0;
        NativeCalls.Check(Interop.pixbridge_image_thumbnail_controlled(
            ref MemoryMarshal.GetReference(encoded), (nuint)encoded.Length,
            arguments.Width, arguments.Height, arguments.Fit, ref arguments.Options, control, ref result));
        return Adopt(result);
    }

    /// <summary>Makes an image from encoded bytes under a control, on a Pixbridge thread.</summary>
    private delegate Image ControlledDecoder<TState>(ReadOnlySpan<byte> encoded, TState state, ulong control);

    /// <summary>
    /// The asynchronous <see cref="FromStream"/>: checks the stream at once, then decodes an
    /// exposable <see cref="MemoryStream"/>'s buffer where it is, or reads any other stream with
    /// <c>ReadAsync</c> into a pooled buffer (returned only after the native call has ended) and
    /// decodes that. Positions the stream at its end after a successful decode.
    /// </summary>
    private static Task<Image> FromStreamAsync<TState>(Stream stream, string parameterName, TState state,
        IProgress<float>? progress, CancellationToken cancellationToken, ControlledDecoder<TState> decode)
    {
        ArgumentNullException.ThrowIfNull(stream, parameterName);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", parameterName);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<Image>(cancellationToken);
        }
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var start = (int)Math.Min(memory.Position, buffer.Count);
            var bytes = buffer.AsMemory(start);
            return AtEnd(memory, NativeWork.Run<Image>(null, progress, cancellationToken, (_, control) => decode(bytes.Span, state, control)));
        }
        return CopyAndDecodeAsync(stream, parameterName, state, progress, cancellationToken, decode);

        static async Task<Image> AtEnd(MemoryStream memory, Task<Image> decoding)
        {
            var image = await decoding.ConfigureAwait(false);
            memory.Position = memory.Length;
            return image;
        }
    }

    private static async Task<Image> CopyAndDecodeAsync<TState>(Stream stream, string parameterName, TState state,
        IProgress<float>? progress, CancellationToken cancellationToken, ControlledDecoder<TState> decode)
    {
        var (buffer, length) = await ReadToEndAsync(stream, parameterName, cancellationToken).ConfigureAwait(false);
        try
        {
            return await NativeWork.Run<Image>(null, progress, cancellationToken, (_, control) => decode(buffer.AsSpan(0, length), state, control))
                .ConfigureAwait(false);
        }
        finally
        {
            // The task completes only after the native call has returned (or instead of running it).
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the rest of <paramref name="stream"/> into one pooled buffer (the caller returns it) with <c>ReadAsync</c>.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadToEndAsync(Stream stream, string parameterName, CancellationToken cancellationToken)
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
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
