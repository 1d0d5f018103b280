package io.pixbridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An image held by the native Pixbridge library: RGBA8 pixels (8 bits per channel, straight
 * alpha, rows packed top to bottom) plus the colour type it was decoded from.
 *
 * <p>Operations that keep the size and map each pixel to one pixel change the image <em>in
 * place</em> and return nothing; operations that change the size or mix neighbouring pixels
 * <em>return a new image</em> and leave this one untouched. Each operation is one method of this
 * class, generated from the operation table of the native library; {@code docs/operations.md}
 * lists them all with their parameters.
 *
 * <pre>{@code
 * try (Image image = Image.open(Path.of("photo.jpg"));
 *      Image blurred = image.blur(4f)) {
 *     blurred.mirror();
 *     blurred.save(Path.of("out.png"));
 * }
 * }</pre>
 *
 * <p>Close images when done: {@link #close()} frees the native memory at once. An image that is
 * never closed is freed by a {@link Cleaner} after it becomes unreachable; since such images
 * barely grow the Java heap, the SDK asks for a garbage collection when the native pixels of
 * unfreed images reach a budget (256 MiB, or the system property
 * {@code pixbridge.nativeMemoryBudgetMiB}; {@code 0} turns this off). Images may be used from
 * several threads: calls on one image are serialised by the native library, and closing an image
 * while another thread is inside a call on it defers the release until that call returns.
 */
public final class Image extends ImageOperations implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Lifetime lifetime;
    private final Cleaner.Cleanable cleanable;
    private final int width;
    private final int height;

    /** Takes ownership of a native image handle. */
    private Image(long handle) {
        long dimensions;
        try {
            dimensions = NativeImage.dimensions(handle);
        } catch (RuntimeException | Error e) {
            try {
                NativeImage.destroy(handle);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.width = (int) (dimensions >>> 32);
        this.height = (int) dimensions;
        // Counted in NativeMemory, which asks for a collection when forgotten images pile up.
        this.lifetime = new Lifetime(handle, (long) width * height * 4);
        this.cleanable = CLEANER.register(this, lifetime);
    }

    @Override
    long enterCall() {
        return lifetime.enter();
    }

    @Override
    void exitCall() {
        lifetime.exit();
    }

    @Override
    Image adopt(long handle) {
        return new Image(handle);
    }

    /**
     * Gives the memory the native library keeps for reuse back to the system: freed image-sized
     * blocks, which it keeps (up to 512 MiB by default, or the environment variable
     * {@code PIXBRIDGE_MEMORY_CACHE_MB}) so that the next image of a similar size does not pay
     * for fresh pages. Call it when the process goes idle; open images are not touched, and the
     * cache fills again as later images are closed.
     *
     * @return the number of bytes given back
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static long trimNativeMemory() {
        NativeLoader.load();
        return NativeImage.trim();
    }

    /**
     * Sets the number of native worker threads of this process: the threads that the parallel
     * parts of blur, resize and JPEG decoding share, in addition to the threads that call
     * Pixbridge. By default there is one per logical CPU; a server that already runs many
     * threads of its own may want fewer, so that native work does not oversubscribe the cores.
     *
     * <p>The pool starts, and its size is fixed, at the first call that works on images (opening,
     * decoding, any operation, encoding, ...; not this method, {@link #nativeWorkerThreads()} or
     * {@link #trimNativeMemory()}). Call it before that, at start-up. Afterwards the same count
     * is accepted and any other throws. It takes precedence over the environment variable
     * {@code PIXBRIDGE_WORKER_THREADS}, which is read only if this was not called before the
     * pool started.
     *
     * @param threads the number of threads, 1 to 1024, or 0 for one per logical CPU
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if {@code threads} is
     *     negative or above 1024, or if the pool already runs with another number of threads
     *     (the message says how many)
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static void setNativeWorkerThreads(int threads) {
        NativeLoader.load();
        NativeImage.setWorkerThreads(threads);
    }

    /**
     * The number of native worker threads of this process: the number the pool runs with, or,
     * before it has started, the number it will start with ({@link #setNativeWorkerThreads(int)},
     * else {@code PIXBRIDGE_WORKER_THREADS}, else one per logical CPU). Does not start the pool.
     *
     * @return the number of native worker threads
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static int nativeWorkerThreads() {
        NativeLoader.load();
        return NativeImage.workerThreads();
    }

    /**
     * Opens an image file with the {@linkplain DecodeLimits#DEFAULT default limits}. The format is
     * taken from the content, not the name; EXIF orientation is applied.
     *
     * @param path the file to open
     * @return the decoded image
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws PixbridgeException {@link ErrorCode#NOT_FOUND}, {@link ErrorCode#IO},
     *     {@link ErrorCode#PERMISSION_DENIED}, {@link ErrorCode#UNSUPPORTED_FORMAT},
     *     {@link ErrorCode#DECODE} or {@link ErrorCode#LIMIT_EXCEEDED}
     */
    public static Image open(Path path) {
        return open(path, DecodeLimits.DEFAULT);
    }

    /**
     * Opens an image file within the given limits. The format is taken from the content.
     *
     * @param path the file to open
     * @param limits the decode limits
     * @return the decoded image
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws PixbridgeException as for {@link #open(Path)}
     */
    public static Image open(Path path, DecodeLimits limits) {
        byte[] utf8 = pathUtf8(path, "path");
        Arguments.requireNonNull(limits, "limits");
        NativeLoader.load();
        return new Image(NativeImage.open(utf8, limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes()));
    }

    /**
     * Decodes an encoded image (PNG, JPEG, WebP, ...; the format is taken from the content).
     *
     * @param data the encoded bytes
     * @return the decoded image
     * @throws NullPointerException if {@code data} is null
     * @throws PixbridgeException {@link ErrorCode#UNSUPPORTED_FORMAT}, {@link ErrorCode#DECODE} or
     *     {@link ErrorCode#LIMIT_EXCEEDED}
     */
    public static Image decode(byte[] data) {
        return decode(data, DecodeLimits.DEFAULT);
    }

    /**
     * Decodes an encoded image within the given limits.
     *
     * @param data the encoded bytes
     * @param limits the decode limits
     * @return the decoded image
     * @throws NullPointerException if an argument is null
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(byte[] data, DecodeLimits limits) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(limits, "limits");
        NativeLoader.load();
        return new Image(NativeImage.decodeArray(data, 0, data.length,
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes()));
    }

    /**
     * Decodes the bytes between the buffer's position and limit. A direct buffer is read in place
     * (it must not be modified during the call); a heap buffer is read from its array. The
     * buffer's position is not changed.
     *
     * @param data the encoded bytes
     * @return the decoded image
     * @throws NullPointerException if {@code data} is null
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(ByteBuffer data) {
        return decode(data, DecodeLimits.DEFAULT);
    }

    /**
     * Decodes the bytes between the buffer's position and limit, within the given limits.
     *
     * @param data the encoded bytes
     * @param limits the decode limits
     * @return the decoded image
     * @throws NullPointerException if an argument is null
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(ByteBuffer data, DecodeLimits limits) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(limits, "limits");
        NativeLoader.load();
        return fromBuffer(data,
                (direct, offset, length) -> NativeImage.decodeDirect(direct, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes()),
                (array, offset, length) -> NativeImage.decodeArray(array, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes()));
    }

    /** A native call that makes an image from a range of a direct buffer, read in place. */
    @FunctionalInterface
    private interface DirectSource {
        long call(ByteBuffer direct, int offset, int length);
    }

    /** A native call that makes an image from a range of a byte array, copied natively. */
    @FunctionalInterface
    private interface ArraySource {
        long call(byte[] array, int offset, int length);
    }

    /**
     * Hands the bytes between the buffer's position and limit to a native call, without moving
     * the position: a direct buffer in place (fenced for the call), a heap buffer's array, or a
     * copy of a read-only heap buffer (which hides its array). Every {@code ByteBuffer} overload
     * (decode, decode with options, thumbnail) goes through here.
     */
    private static Image fromBuffer(ByteBuffer data, DirectSource direct, ArraySource array) {
        int offset = data.position();
        int length = data.remaining();
        if (data.isDirect()) {
            try {
                return new Image(direct.call(data, offset, length));
            } finally {
                Reference.reachabilityFence(data);
            }
        }
        if (data.hasArray()) {
            return new Image(array.call(data.array(), data.arrayOffset() + offset, length));
        }
        byte[] copy = new byte[length];
        data.duplicate().get(copy);
        return new Image(array.call(copy, 0, length));
    }

    /**
     * Reads the stream to its end and decodes what it read. The stream is not closed.
     *
     * @param in the stream of encoded bytes
     * @return the decoded image
     * @throws NullPointerException if {@code in} is null
     * @throws IOException if reading the stream fails
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(InputStream in) throws IOException {
        Arguments.requireNonNull(in, "in");
        return decode(in.readAllBytes());
    }

    /**
     * Opens an image file with decode options: limits and, optionally, a minimum size, which lets
     * a JPEG be decoded at 1/2, 1/4 or 1/8 scale (shrink-on-load; see {@link DecodeOptions}).
     * The format is taken from the content; EXIF orientation is applied.
     *
     * @param path the file to open
     * @param options the decode options ({@link DecodeOptions#DEFAULT} decodes at full size)
     * @return the decoded image, possibly smaller than the file's full size
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws PixbridgeException as for {@link #open(Path)}
     */
    public static Image open(Path path, DecodeOptions options) {
        byte[] utf8 = pathUtf8(path, "path");
        Arguments.requireNonNull(options, "options");
        DecodeLimits limits = options.limits();
        NativeLoader.load();
        return new Image(NativeImage.openWith(utf8, limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(),
                options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0));
    }

    /**
     * Decodes an encoded image with decode options (shrink-on-load for JPEG; see
     * {@link DecodeOptions}). The bytes are copied into native memory first, as by
     * {@link #decode(byte[])}.
     *
     * @param data the encoded bytes
     * @param options the decode options
     * @return the decoded image, possibly smaller than the encoded image's full size
     * @throws NullPointerException if an argument is null
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(byte[] data, DecodeOptions options) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(options, "options");
        NativeLoader.load();
        return new Image(decodeWithArray(data, 0, data.length, options));
    }

    /**
     * Decodes the bytes between the buffer's position and limit with decode options
     * (shrink-on-load for JPEG; see {@link DecodeOptions}). A direct buffer is read in place (it
     * must not be modified during the call); a heap buffer is read from its array. The buffer's
     * position is not changed.
     *
     * @param data the encoded bytes
     * @param options the decode options
     * @return the decoded image, possibly smaller than the encoded image's full size
     * @throws NullPointerException if an argument is null
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(ByteBuffer data, DecodeOptions options) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(options, "options");
        DecodeLimits limits = options.limits();
        NativeLoader.load();
        return fromBuffer(data,
                (direct, offset, length) -> NativeImage.decodeWithDirect(direct, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(),
                        options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0),
                (array, offset, length) -> decodeWithArray(array, offset, length, options));
    }

    /**
     * Reads the stream to its end and decodes what it read with decode options (see
     * {@link DecodeOptions}). The stream is not closed.
     *
     * @param in the stream of encoded bytes
     * @param options the decode options
     * @return the decoded image, possibly smaller than the encoded image's full size
     * @throws NullPointerException if an argument is null
     * @throws IOException if reading the stream fails
     * @throws PixbridgeException as for {@link #decode(byte[])}
     */
    public static Image decode(InputStream in, DecodeOptions options) throws IOException {
        Arguments.requireNonNull(in, "in");
        Arguments.requireNonNull(options, "options");
        return decode(in.readAllBytes(), options);
    }

    private static long decodeWithArray(byte[] data, int offset, int length, DecodeOptions options) {
        DecodeLimits limits = options.limits();
        return NativeImage.decodeWithArray(data, offset, length, limits.maxWidth(), limits.maxHeight(),
                limits.maxDecodedBytes(), options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0);
    }

    /**
     * Makes a thumbnail of an image file in one call: decoded (JPEGs at reduced scale when the
     * box is small) and fitted into a {@code width} x {@code height} box, with the
     * {@linkplain ThumbnailOptions#DEFAULT default options} (default limits, never enlarge).
     *
     * <p>The EXIF orientation is applied first, so the box is fitted to the upright image.
     * {@code fit} says how: {@link ThumbnailFit#CONTAIN} keeps the whole image inside the box with
     * its aspect ratio (one side equals the box's), {@link ThumbnailFit#COVER} fills the box and
     * cuts the excess off equally on both sides, {@link ThumbnailFit#FILL} stretches to the box.
     * Sizes are rounded to the nearest pixel (at least 1). Unless
     * {@link ThumbnailOptions#allowUpscale()} is set nothing is enlarged: a source smaller than
     * the box keeps its size ({@code CONTAIN}), keeps its size on the axes where it is smaller
     * than the box ({@code FILL}), or is cropped to the box at its own scale ({@code COVER}).
     *
     * <p>A JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still leaves at least 1.5
     * times the thumbnail's size, so a large photograph is never held at full size; the rest is one
     * Catmull-Rom (bicubic) resize of just the part that is kept. Other formats are decoded at full
     * size first. To fit only the width, pass a large height (up to 32768), e.g.
     * {@code Image.thumbnail(path, 400, 32768, ThumbnailFit.CONTAIN)}. The result is an ordinary
     * image with the source's colour type; close it.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768 (and at most 512 MiB of RGBA8 pixels
     *     with {@code width})
     * @param fit how the image fits the box
     * @return the thumbnail
     * @throws NullPointerException if {@code path} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if the box exceeds 32768
     *     pixels on a side; {@link ErrorCode#NOT_FOUND}, {@link ErrorCode#IO},
     *     {@link ErrorCode#PERMISSION_DENIED}, {@link ErrorCode#UNSUPPORTED_FORMAT},
     *     {@link ErrorCode#DECODE} or {@link ErrorCode#LIMIT_EXCEEDED} (the limits apply to the
     *     source's full size) if the file cannot be read or decoded
     */
    public static Image thumbnail(Path path, int width, int height, ThumbnailFit fit) {
        return thumbnail(path, width, height, fit, ThumbnailOptions.DEFAULT);
    }

    /**
     * Makes a thumbnail of an image file in one call, with options; see
     * {@link #thumbnail(Path, int, int, ThumbnailFit)} for the fitting rules.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     * @throws PixbridgeException as for {@link #thumbnail(Path, int, int, ThumbnailFit)}
     */
    public static Image thumbnail(Path path, int width, int height, ThumbnailFit fit, ThumbnailOptions options) {
        byte[] utf8 = pathUtf8(path, "path");
        checkThumbnailArguments(width, height, fit, options);
        DecodeLimits limits = options.limits();
        NativeLoader.load();
        return new Image(NativeImage.thumbnailFile(utf8, width, height, fit.value(),
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), options.allowUpscale() ? 1 : 0));
    }

    /**
     * Makes a thumbnail of an encoded image in memory in one call, with the default options; see
     * {@link #thumbnail(Path, int, int, ThumbnailFit)} for the fitting rules. The bytes are copied
     * into native memory first, as by {@link #decode(byte[])}.
     *
     * @param data the encoded bytes (PNG, JPEG, WebP, ...; the format is detected from the content)
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if the box exceeds 32768
     *     pixels on a side; {@link ErrorCode#UNSUPPORTED_FORMAT}, {@link ErrorCode#DECODE} or
     *     {@link ErrorCode#LIMIT_EXCEEDED} if the bytes cannot be decoded
     */
    public static Image thumbnail(byte[] data, int width, int height, ThumbnailFit fit) {
        return thumbnail(data, width, height, fit, ThumbnailOptions.DEFAULT);
    }

    /**
     * Makes a thumbnail of an encoded image in memory in one call, with options; see
     * {@link #thumbnail(Path, int, int, ThumbnailFit)} for the fitting rules.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws PixbridgeException as for {@link #thumbnail(byte[], int, int, ThumbnailFit)}
     */
    public static Image thumbnail(byte[] data, int width, int height, ThumbnailFit fit, ThumbnailOptions options) {
        Arguments.requireNonNull(data, "data");
        checkThumbnailArguments(width, height, fit, options);
        NativeLoader.load();
        return new Image(thumbnailArray(data, 0, data.length, width, height, fit, options));
    }

    /**
     * Makes a thumbnail of the bytes between the buffer's position and limit, with the default
     * options; see {@link #thumbnail(Path, int, int, ThumbnailFit)} for the fitting rules. A
     * direct buffer is read in place, without copying (it must not be modified during the call);
     * a heap buffer is read from its array. The buffer's position is not changed.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws PixbridgeException as for {@link #thumbnail(byte[], int, int, ThumbnailFit)}
     */
    public static Image thumbnail(ByteBuffer data, int width, int height, ThumbnailFit fit) {
        return thumbnail(data, width, height, fit, ThumbnailOptions.DEFAULT);
    }

    /**
     * Makes a thumbnail of the bytes between the buffer's position and limit, with options; see
     * {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit)}.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws PixbridgeException as for {@link #thumbnail(byte[], int, int, ThumbnailFit)}
     */
    public static Image thumbnail(ByteBuffer data, int width, int height, ThumbnailFit fit, ThumbnailOptions options) {
        Arguments.requireNonNull(data, "data");
        checkThumbnailArguments(width, height, fit, options);
        DecodeLimits limits = options.limits();
        NativeLoader.load();
        return fromBuffer(data,
                (direct, offset, length) -> NativeImage.thumbnailDirect(direct, offset, length, width, height,
                        fit.value(), limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(),
                        options.allowUpscale() ? 1 : 0),
                (array, offset, length) -> thumbnailArray(array, offset, length, width, height, fit, options));
    }

    /**
     * Reads the stream to its end and makes a thumbnail of what it read, with the default
     * options; see {@link #thumbnail(Path, int, int, ThumbnailFit)} for the fitting rules. The
     * arguments are checked before the stream is read; the stream is not closed.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return the thumbnail
     * @throws NullPointerException if {@code in} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws IOException if reading the stream fails
     * @throws PixbridgeException as for {@link #thumbnail(byte[], int, int, ThumbnailFit)}
     */
    public static Image thumbnail(InputStream in, int width, int height, ThumbnailFit fit) throws IOException {
        return thumbnail(in, width, height, fit, ThumbnailOptions.DEFAULT);
    }

    /**
     * Reads the stream to its end and makes a thumbnail of what it read, with options; see
     * {@link #thumbnail(InputStream, int, int, ThumbnailFit)}.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws IOException if reading the stream fails
     * @throws PixbridgeException as for {@link #thumbnail(byte[], int, int, ThumbnailFit)}
     */
    public static Image thumbnail(InputStream in, int width, int height, ThumbnailFit fit, ThumbnailOptions options)
            throws IOException {
        Arguments.requireNonNull(in, "in");
        checkThumbnailArguments(width, height, fit, options);
        return thumbnail(in.readAllBytes(), width, height, fit, options);
    }

    /** Checks a thumbnail's box, fit and options before any I/O or native call (as C# does). */
    private static void checkThumbnailArguments(int width, int height, ThumbnailFit fit, ThumbnailOptions options) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, got " + width);
        }
        if (height < 1) {
            throw new IllegalArgumentException("height must be at least 1, got " + height);
        }
        Arguments.requireNonNull(fit, "fit");
        Arguments.requireNonNull(options, "options");
    }

    private static long thumbnailArray(byte[] data, int offset, int length, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options) {
        DecodeLimits limits = options.limits();
        return NativeImage.thumbnailArray(data, offset, length, width, height, fit.value(),
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), options.allowUpscale() ? 1 : 0);
    }

    /**
     * Creates an image from raw RGBA8 pixels: {@code width * height * 4} bytes, rows top to
     * bottom, straight alpha. The bytes are copied. The colour type is {@link ColorType#RGBA8}.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param rgba the pixels
     * @return the new image
     * @throws NullPointerException if {@code rgba} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is negative
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} for a zero size, a wrong
     *     number of bytes, or a size over the default decode limits (32768 pixels per side,
     *     512 MiB of pixels), which opening a saved copy would meet
     */
    public static Image fromPixels(int width, int height, byte[] rgba) {
        Arguments.requireNonNegative(width, "width");
        Arguments.requireNonNegative(height, "height");
        Arguments.requireNonNull(rgba, "rgba");
        NativeLoader.load();
        return new Image(NativeImage.fromPixels(width, height, rgba));
    }

    /**
     * Returns the width in pixels; it never changes.
     *
     * @return the width
     * @throws IllegalStateException if the image is closed
     */
    public int width() {
        lifetime.checkOpen();
        return width;
    }

    /**
     * Returns the height in pixels; it never changes.
     *
     * @return the height
     * @throws IllegalStateException if the image is closed
     */
    public int height() {
        lifetime.checkOpen();
        return height;
    }

    /**
     * For an image a lenient decode ({@link DecodeOptions#lenient()}) returned from truncated or
     * corrupt data: what was wrong and how many rows were decoded, for example
     * {@code "the data is truncated or corrupt (...): 24 of 48 rows were decoded"}. Empty for an
     * image decoded completely and for every image an operation returns (the mark belongs to the
     * decoded image; in-place operations keep it).
     *
     * @return the warning, or empty
     * @throws IllegalStateException if the image is closed
     */
    public Optional<String> decodeWarning() {
        long handle = lifetime.enter();
        try {
            return Optional.ofNullable(NativeImage.decodeWarning(handle));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Returns whether a lenient decode returned this image from damaged data (whether
     * {@link #decodeWarning()} is present).
     *
     * @return true for a partial image
     * @throws IllegalStateException if the image is closed
     */
    public boolean isPartial() {
        return decodeWarning().isPresent();
    }

    /**
     * Returns the colour type the image was decoded from ({@link #grayscale()} changes it to
     * {@link ColorType#L8} or {@link ColorType#LA8}). It decides how the image is encoded.
     *
     * @return the colour type
     * @throws IllegalStateException if the image is closed
     */
    public ColorType colorType() {
        long handle = lifetime.enter();
        try {
            int value = NativeImage.colorType(handle);
            try {
                return ColorType.fromValue(value);
            } catch (IllegalArgumentException e) {
                throw new PixbridgeException(ErrorCode.PANIC, "the native library reported unknown colour type " + value);
            }
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Returns a read-only view of the RGBA8 pixels ({@code width() * height() * 4} bytes) over
     * the native memory, without copying. The view shows later in-place operations on this
     * image. It stays valid after {@link #close()}: it keeps the pixel memory alive until the view
     * itself (and every buffer derived from it) is garbage collected.
     *
     * @return a read-only direct buffer of the pixels, positioned at 0
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#LIMIT_EXCEEDED} if the pixels exceed a
     *     {@code ByteBuffer}'s 2 GiB; use {@link #copyPixels(byte[])} on smaller tiles instead
     */
    public ByteBuffer pixels() {
        long handle = lifetime.enter();
        try {
            long shared = NativeImage.share(handle);
            ByteBuffer view;
            try {
                view = NativeImage.pixelBuffer(shared);
            } catch (RuntimeException | Error e) {
                NativeImage.destroy(shared);
                throw e;
            }
            // Every buffer derived from `view` (read-only view, slices, duplicates) refers to it,
            // so the shared handle lives until the last of them is unreachable.
            CLEANER.register(view, new SharedHandleRelease(shared));
            return view.asReadOnlyBuffer();
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Copies the RGBA8 pixels into the start of {@code dst}.
     *
     * @param dst the destination; at least {@code width() * height() * 4} bytes
     * @throws NullPointerException if {@code dst} is null
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#BUFFER_TOO_SMALL} if {@code dst} is too short
     *     (the message gives the required size)
     */
    public void copyPixels(byte[] dst) {
        Arguments.requireNonNull(dst, "dst");
        long handle = lifetime.enter();
        try {
            NativeImage.copyPixels(handle, dst);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Saves the image; the format comes from the file extension ({@code .png}, {@code .jpg},
     * {@code .webp}, ...). The file is replaced atomically.
     *
     * @param path where to save
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#UNSUPPORTED_FORMAT} for an unknown extension,
     *     {@link ErrorCode#NOT_FOUND}, {@link ErrorCode#IO}, {@link ErrorCode#PERMISSION_DENIED}
     *     or {@link ErrorCode#ENCODE}
     */
    public void save(Path path) {
        byte[] utf8 = pathUtf8(path, "path");
        long handle = lifetime.enter();
        try {
            NativeImage.save(handle, utf8);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Encodes the image with the format's default settings.
     *
     * @param format the target format
     * @return the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#ENCODE} or {@link ErrorCode#UNSUPPORTED_FORMAT}
     */
    public byte[] encode(ImageFormat format) {
        Arguments.requireNonNull(format, "format");
        return encodeNative(format, 0);
    }

    /**
     * Encodes the image with a quality; only {@link ImageFormat#JPEG} takes one.
     *
     * @param format the target format
     * @param quality 1 (smallest) to 100 (best)
     * @return the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalArgumentException if {@code quality} is 0 or negative (the native layer reads
     *     0 as "default", which is what {@link #encode(ImageFormat)} is for)
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if {@code quality} is over 100
     *     or {@code format} takes no quality, or as for {@link #encode(ImageFormat)}
     */
    public byte[] encode(ImageFormat format, int quality) {
        Arguments.requireNonNull(format, "format");
        if (quality < 1) {
            throw new IllegalArgumentException("quality must be 1 to 100, got " + quality);
        }
        return encodeNative(format, quality);
    }

    private byte[] encodeNative(ImageFormat format, int quality) {
        long handle = lifetime.enter();
        try {
            return NativeImage.encode(handle, format.value(), quality);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Encodes the image with the format's default settings and writes it to {@code out}, which
     * is not closed.
     *
     * @param out the destination stream
     * @param format the target format
     * @throws NullPointerException if an argument is null
     * @throws IOException if writing fails
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException as for {@link #encode(ImageFormat)}
     */
    public void write(OutputStream out, ImageFormat format) throws IOException {
        Arguments.requireNonNull(out, "out");
        out.write(encode(format));
    }

    /**
     * Saves the image with encoder options; the format comes from the file extension, as with
     * {@link #save(Path)}. The file is replaced atomically.
     *
     * @param path where to save
     * @param options encoder settings; the format reads those that apply to it (see
     *     {@link EncodeOptions})
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException as for {@link #save(Path)}
     */
    public void save(Path path, EncodeOptions options) {
        saveWith(path, NativeImage.FORMAT_FROM_EXTENSION, options);
    }

    /**
     * Saves the image in an explicit format with encoder options, whatever the extension. The
     * file is replaced atomically.
     *
     * @param path where to save
     * @param format the format to write
     * @param options encoder settings; the format reads those that apply to it (see
     *     {@link EncodeOptions})
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#NOT_FOUND}, {@link ErrorCode#IO},
     *     {@link ErrorCode#PERMISSION_DENIED} or {@link ErrorCode#ENCODE}
     */
    public void save(Path path, ImageFormat format, EncodeOptions options) {
        Arguments.requireNonNull(format, "format");
        saveWith(path, format.value(), options);
    }

    private void saveWith(Path path, int format, EncodeOptions options) {
        byte[] utf8 = pathUtf8(path, "path");
        Arguments.requireNonNull(options, "options");
        long handle = lifetime.enter();
        try {
            NativeImage.saveWith(handle, utf8, format, options.nativeQuality(), options.subsampling().value(),
                    options.progressive() ? 1 : 0, options.optimizeHuffman() ? 1 : 0, options.nativePngCompression());
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Encodes the image in memory with encoder options.
     *
     * @param format the target format
     * @param options encoder settings; the format reads those that apply to it (see
     *     {@link EncodeOptions})
     * @return the encoded bytes
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#ENCODE}, or {@link ErrorCode#INVALID_ARGUMENT}
     *     if the format cannot hold this image
     */
    public byte[] encode(ImageFormat format, EncodeOptions options) {
        Arguments.requireNonNull(format, "format");
        Arguments.requireNonNull(options, "options");
        long handle = lifetime.enter();
        try {
            return NativeImage.encodeWith(handle, format.value(), options.nativeQuality(), options.subsampling().value(),
                    options.progressive() ? 1 : 0, options.optimizeHuffman() ? 1 : 0, options.nativePngCompression());
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Encodes the image with encoder options and writes it to {@code out}, which is not closed.
     *
     * @param out the destination stream
     * @param format the target format
     * @param options encoder settings
     * @throws NullPointerException if an argument is null
     * @throws IOException if writing fails
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException as for {@link #encode(ImageFormat, EncodeOptions)}
     */
    public void write(OutputStream out, ImageFormat format, EncodeOptions options) throws IOException {
        Arguments.requireNonNull(out, "out");
        out.write(encode(format, options));
    }

    /**
     * Frees the native image now. Idempotent. If another thread is inside a call on this image,
     * the memory is freed when that call returns. Pixel views from {@link #pixels()} stay valid.
     */
    @Override
    public void close() {
        cleanable.clean();
    }

    /**
     * Describes the image for debugging.
     *
     * @return for example {@code "Image[640x427, closed]"}
     */
    @Override
    public String toString() {
        return "Image[" + width + "x" + height + (lifetime.isClosed() ? ", closed]" : "]");
    }


    /**
     * Encodes a path as the UTF-8 the native side expects; absolute, so that it means the same
     * as it does to Java.
     */
    private static byte[] pathUtf8(Path path, String name) {
        Arguments.requireNonNull(path, name);
        if (path.getFileSystem() != FileSystems.getDefault()) {
            throw new IllegalArgumentException(name + " must be on the default file system: " + path.toUri());
        }
        String text = path.toAbsolutePath().toString();
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] utf8 = new byte[encoded.remaining()];
            encoded.get(utf8);
            return utf8;
        } catch (CharacterCodingException e) {
            throw new PixbridgeException(ErrorCode.INVALID_UTF8, name + " cannot be encoded as UTF-8: " + e.getMessage());
        }
    }

    /** Releases the shared handle behind a pixel view once the view is unreachable. */
    private static final class SharedHandleRelease implements Runnable {
        private final long handle;

        SharedHandleRelease(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            NativeImage.destroy(handle);
        }
    }
}
