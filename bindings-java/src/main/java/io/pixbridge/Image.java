package io.pixbridge;

import java.awt.image.BufferedImage;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An image held by the native Pixbridge library: RGBA8 pixels (8 bits per channel, straight
 * alpha, rows packed top to bottom) plus the colour type it was decoded from.
 *
 * <p>Operations that keep the size and map each pixel to one pixel change the image <em>in
 * place</em> and return nothing; operations that change the size or mix neighbouring pixels
 * <em>return a new image</em> and leave this one untouched. Each operation is one method of this
 * class, generated from the operation table of the native library; {@code docs/operations.md}
 * lists them all with their parameters. Operations of {@linkplain Plugin plugins} loaded at run
 * time are applied by name with {@link #apply(String, java.util.Map)} (a new image) and
 * {@link #applyInPlace(String, java.util.Map)}.
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
 *
 * <h2 id="async">Asynchronous calls</h2>
 *
 * <p>Every operation has an asynchronous twin ({@code blurAsync} for {@code blur}, ...), and so
 * have opening, decoding, thumbnails, saving and encoding ({@code openAsync}, {@code decodeAsync},
 * {@code thumbnailAsync}, {@code saveAsync}, {@code encodeAsync}), each in three forms:
 * {@code (args)}, {@code (args, ProgressListener)} and {@code (args, ProgressListener, Executor)}
 * (a null listener reports nothing, a null executor means {@link #asyncExecutor()}). They return
 * a {@link CompletableFuture} at once:
 *
 * <pre>{@code
 * CompletableFuture<Image> future = image.blurAsync(30f, fraction -> System.out.println(fraction));
 * future.thenAccept(blurred -> {
 *     try (blurred) {
 *         blurred.save(Path.of("blurred.png"));
 *     }
 * });
 * future.cancel(true); // if the result is no longer wanted: the native work stops
 * }</pre>
 *
 * <ul>
 *   <li><b>Arguments</b> Java can check (nulls, negative sizes, a closed image) throw at once, as
 *       in the synchronous methods. Everything the native library reports completes the future
 *       exceptionally with the {@link PixbridgeException} itself ({@code join()} wraps it in a
 *       {@link java.util.concurrent.CompletionException}, {@code get()} in an
 *       {@link java.util.concurrent.ExecutionException}); a result equals the synchronous
 *       method's.</li>
 *   <li><b>Cancellation</b>: {@code future.cancel(...)} (or completing the future in any other
 *       way first, as {@code orTimeout} does) cancels the native work. The future completes at
 *       once, as any {@code CompletableFuture}. Not started yet, the work never starts; running, it
 *       stops soon (the native loops check at a fine grain) and leaves no trace: the source image
 *       is unchanged (an in-place operation is undone), what it allocated is freed, no file is
 *       written; the call lets go of its image a moment after the future was cancelled, when the
 *       native call has returned. A cancelled call always ends as a cancelled future
 *       ({@link java.util.concurrent.CancellationException}). A cancel that comes after the native
 *       work has finished cannot undo it: a new image is then closed, but an in-place change or a
 *       written file stays although the future reports cancelled. Cancelling a dependent future
 *       ({@code future.thenApply(...)}) does not reach the call, as usual with
 *       {@code CompletableFuture}: cancel the future the method returned.</li>
 *   <li><b>Progress</b> goes to the {@link ProgressListener}: strictly increasing fractions, the
 *       last one {@code 1.0} before a successful call completes, reported from the threads doing
 *       the work.</li>
 *   <li><b>Lifetime</b>: the image a call works on stays open until the native call ends:
 *       {@link #close()} meanwhile marks it closed (later calls throw) and the memory is freed when
 *       the call returns, never under it. A new image the future completes with belongs to the
 *       caller, who must close it.</li>
 *   <li><b>Threads</b>: the native call runs on the executor's thread; its parallel parts run on the
 *       native worker threads ({@link #nativeWorkerThreads()}). The default executor,
 *       {@link #asyncExecutor()}, has daemon platform threads, as many as those workers. A native
 *       call holds the thread that makes it: JNI frames cannot be unmounted, so on a virtual
 *       thread (Java 21 and later) a long native call would pin its carrier thread for the whole
 *       call. The asynchronous methods exist so that it never has to: a virtual thread that calls
 *       {@code image.blurAsync(30f).join()} parks (and unmounts) while a platform thread of the
 *       default executor does the native work. So do not pass an executor of virtual threads
 *       ({@code Executors.newVirtualThreadPerTaskExecutor()}) here, and prefer the asynchronous
 *       methods to the synchronous ones for long calls on virtual threads. On Java 17 there are no
 *       virtual threads; the methods work the same, off the caller's thread.</li>
 * </ul>
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
     * Decodes frame {@code index} (from 0) of an animated GIF or WebP: the full canvas as the
     * animation shows it then, earlier frames composited beneath. Frames 0 to {@code index} are
     * decoded one after another, so the time grows with the index; index 0 of a still image is
     * what {@link #decode(byte[])} gives. See {@link Animation#info(byte[])} for the frame count.
     *
     * @param data the encoded bytes
     * @param index the frame, from 0 to {@code frameCount - 1}
     * @return the frame, canvas-sized
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException if {@code index} is negative
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} when {@code index} is not below
     *     the frame count (the message names it); otherwise as for {@link #decode(byte[])}
     */
    public static Image decodeFrame(byte[] data, int index) {
        return decodeFrame(data, index, DecodeLimits.DEFAULT);
    }

    /**
     * {@link #decodeFrame(byte[], int)} within the given limits.
     *
     * @param data the encoded bytes
     * @param index the frame, from 0
     * @param limits the decode limits
     * @return the frame, canvas-sized
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code index} is negative
     * @throws PixbridgeException as for {@link #decodeFrame(byte[], int)}
     */
    public static Image decodeFrame(byte[] data, int index, DecodeLimits limits) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(limits, "limits");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, got " + index);
        }
        NativeLoader.load();
        return new Image(NativeAnimation.decodeFrame(data, 0, data.length, index,
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
                options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0,
                options.keepProfile() ? 1 : 0));
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
                        options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0,
                        options.keepProfile() ? 1 : 0),
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
                limits.maxDecodedBytes(), options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0,
                options.keepProfile() ? 1 : 0);
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
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), options.allowUpscale() ? 1 : 0,
                options.keepMetadata() ? 1 : 0));
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
                        options.allowUpscale() ? 1 : 0, options.keepMetadata() ? 1 : 0),
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
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), options.allowUpscale() ? 1 : 0,
                options.keepMetadata() ? 1 : 0);
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
     * Creates an image from pixels in another layout (BGRA, premultiplied, RGB, grey, ...; see
     * {@link PixelFormat}): {@code height} rows of {@code width} pixels, {@code stride} bytes from
     * the start of one row to the next ({@code 0} for tightly packed rows). The bytes are copied
     * into native memory once and converted there in one pass (premultiplied alpha to straight,
     * channel order). The colour type is {@link ColorType#L8} for {@link PixelFormat#GRAY8},
     * {@link ColorType#RGBA8} for the layouts with alpha, {@link ColorType#RGB8} otherwise.
     *
     * @param data the pixels; at least {@code stride * (height - 1) + width * bytesPerPixel} bytes
     * @param width width in pixels
     * @param height height in pixels
     * @param format the layout of {@code data}
     * @param stride bytes per row including padding, or 0 for {@code width * bytesPerPixel}
     * @return the new image
     * @throws NullPointerException if {@code data} or {@code format} is null
     * @throws IllegalArgumentException if {@code width}, {@code height} or {@code stride} is negative
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} for a zero size, a stride
     *     shorter than a row, too few bytes, or a size over the default decode limits
     */
    public static Image fromPixels(byte[] data, int width, int height, PixelFormat format, int stride) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(format, "format");
        Arguments.requireNonNegative(width, "width");
        Arguments.requireNonNegative(height, "height");
        Arguments.requireNonNegative(stride, "stride");
        NativeLoader.load();
        return new Image(NativePixels.fromBytes(data, 0, data.length, width, height, format.value(), stride));
    }

    /**
     * Creates an image from a {@link BufferedImage}'s pixels (copied; later changes to
     * {@code image} do not show).
     *
     * <p><b>Fast paths</b>, with no per-pixel Java loop: the raster's backing array goes to the
     * native library in one call, which copies the range the pixels occupy and converts it once:
     * {@code TYPE_4BYTE_ABGR}, {@code TYPE_4BYTE_ABGR_PRE}, {@code TYPE_INT_ARGB},
     * {@code TYPE_INT_ARGB_PRE} (premultiplied alpha converted to straight), {@code TYPE_INT_RGB},
     * {@code TYPE_INT_BGR}, {@code TYPE_3BYTE_BGR} and {@code TYPE_BYTE_GRAY}, when the raster is
     * laid out as those types' rasters are (one bank, the standard band order; any scanline
     * stride and data offset, so {@link BufferedImage#getSubimage} views qualify).
     * {@code TYPE_BYTE_GRAY} samples are taken as the grey levels they are (as ImageIO's readers
     * and writers do), not through {@code getRGB}, whose linear-grey conversion changes them. The
     * array is reached through {@code DataBuffer.getData()}, which, as any direct access to a
     * raster's array, stops Java2D from caching {@code image} in video memory for drawing.
     *
     * <p><b>General path</b> for every other image ({@code TYPE_CUSTOM}, indexed, packed 16-bit,
     * 16-bit grey, other sample models): the colours {@link BufferedImage#getRGB(int, int)}
     * reports (sRGB, through the image's colour model), gathered by one {@code getRGB} call into
     * a temporary {@code int[]} of {@code width * height} ints, then the {@code TYPE_INT_ARGB}
     * path. Slower (the colour model is called per pixel) and needs that array on the heap.
     *
     * <p>The colour type is {@link ColorType#L8} from {@code TYPE_BYTE_GRAY},
     * {@link ColorType#RGBA8} from a type with alpha (even if every pixel is opaque) and
     * {@link ColorType#RGB8} otherwise, so that encoding writes what the source had.
     *
     * @param image the pixels
     * @return the new image
     * @throws NullPointerException if {@code image} is null
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} for a size over the default
     *     decode limits (32768 pixels per side, 512 MiB of pixels)
     */
    public static Image fromBufferedImage(BufferedImage image) {
        Arguments.requireNonNull(image, "image");
        NativeLoader.load();
        return new Image(BufferedImages.toNative(image));
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
     * Returns what the pixels are encoded in: {@link ColorProfile#NONE} (the file had no ICC
     * profile; taken as sRGB), {@link ColorProfile#SRGB} (converted to sRGB on decode, the
     * default, or the profile was sRGB) or {@link ColorProfile#EMBEDDED} (decoded with
     * {@link DecodeOptions#keepProfile()}: the pixels are as stored, in the profile
     * {@link #metadata(MetadataBlock)} returns for {@link MetadataBlock#ICC}, which a save writes
     * back). Reading it decodes a deferred image.
     *
     * @return the colour profile state
     * @throws IllegalStateException if the image is closed
     */
    public ColorProfile colorProfile() {
        long handle = lifetime.enter();
        try {
            return ColorProfile.fromValue(NativeMetadata.colorProfile(handle));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Returns a copy of a raw metadata block of the file the image was decoded from: EXIF (a TIFF
     * structure, without JPEG's {@code Exif\0\0} prefix), XMP (the UTF-8 packet) or the ICC
     * profile as stored (also when the pixels were converted to sRGB). Images that operations
     * make from a decoded image keep its metadata; thumbnails (unless
     * {@link ThumbnailOptions#keepMetadata()}) and images made from pixels have none.
     *
     * @param block which block; not null
     * @return the block, or empty when the image has none
     * @throws NullPointerException if {@code block} is null
     * @throws IllegalStateException if the image is closed
     */
    public Optional<byte[]> metadata(MetadataBlock block) {
        Arguments.requireNonNull(block, "block");
        long handle = lifetime.enter();
        try {
            return Optional.ofNullable(NativeMetadata.block(handle, block.value()));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Returns the EXIF fields of the file the image was decoded from; fields the block lacks (or
     * that cannot be parsed) are empty. Each call asks the native library again.
     *
     * @return the fields, or empty when the image has no EXIF block
     * @throws IllegalStateException if the image is closed
     */
    public Optional<ExifData> exif() {
        long handle = lifetime.enter();
        try {
            return ExifData.read(handle);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Returns the PNG text chunks ({@code tEXt}, {@code zTXt}, {@code iTXt}) of the file the image
     * was decoded from, as keyword and text in file order; empty for other formats. An XMP packet
     * in an {@code iTXt} chunk is in {@link #metadata(MetadataBlock)} ({@link MetadataBlock#XMP}).
     *
     * @return an unmodifiable list of the entries
     * @throws IllegalStateException if the image is closed
     */
    public List<Map.Entry<String, String>> textEntries() {
        long handle = lifetime.enter();
        String[] flat;
        try {
            flat = NativeMetadata.textEntries(handle);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
        Map.Entry<String, String>[] entries = newEntryArray(flat.length / 2);
        for (int i = 0; i < entries.length; i++) {
            entries[i] = Map.entry(flat[2 * i], flat[2 * i + 1]);
        }
        return List.of(entries);
    }

    @SuppressWarnings("unchecked")
    private static Map.Entry<String, String>[] newEntryArray(int length) {
        return (Map.Entry<String, String>[]) new Map.Entry<?, ?>[length];
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
     * Copies the pixels into the start of {@code dst} in another layout (see {@link PixelFormat}),
     * rows {@code stride} bytes apart ({@code 0} for tightly packed rows); bytes between rows are
     * left as they are. Converted once in native code; grey is the Rec. 709 luma, {@code X} bytes
     * are written as 255.
     *
     * @param dst the destination; at least {@code stride * (height() - 1) + width() * bytesPerPixel}
     *     bytes
     * @param format the layout to write
     * @param stride bytes per row including padding, or 0 for {@code width() * bytesPerPixel}
     * @throws NullPointerException if {@code dst} or {@code format} is null
     * @throws IllegalArgumentException if {@code stride} is negative
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#BUFFER_TOO_SMALL} if {@code dst} is too short
     *     (the message gives the required size), {@link ErrorCode#INVALID_ARGUMENT} for a stride
     *     shorter than a row
     */
    public void copyPixels(byte[] dst, PixelFormat format, int stride) {
        Arguments.requireNonNull(dst, "dst");
        Arguments.requireNonNull(format, "format");
        Arguments.requireNonNegative(stride, "stride");
        long handle = lifetime.enter();
        try {
            NativePixels.copyToBytes(handle, format.value(), stride, dst);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Copies the pixels into a new {@link BufferedImage}: {@code TYPE_BYTE_GRAY} for the grey
     * colour types without alpha ({@link ColorType#L8}, {@link ColorType#L16}),
     * {@code TYPE_4BYTE_ABGR} (straight alpha) for every colour type with alpha, and
     * {@code TYPE_3BYTE_BGR} for the others. The native library converts straight into the new
     * raster's array (no per-pixel Java loop). Grey is the Rec. 709 luma of the pixels, which for
     * a grey image are the grey levels themselves.
     *
     * @return the new image, independent of this one
     * @throws IllegalStateException if the image is closed
     * @throws PixbridgeException {@link ErrorCode#LIMIT_EXCEEDED} if the pixels do not fit in one
     *     Java array (2 GiB)
     */
    public BufferedImage toBufferedImage() {
        long handle = lifetime.enter();
        try {
            int value = NativeImage.colorType(handle);
            ColorType type;
            try {
                type = ColorType.fromValue(value);
            } catch (IllegalArgumentException e) {
                throw new PixbridgeException(ErrorCode.PANIC, "the native library reported unknown colour type " + value);
            }
            return BufferedImages.fromNative(handle, width, height, type);
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
     * Encodes the image with a quality; {@link ImageFormat#JPEG}, {@link ImageFormat#WEBP} (a quality
     * makes it lossy) and {@link ImageFormat#AVIF} take one.
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
                    options.progressive() ? 1 : 0, options.optimizeHuffman() ? 1 : 0, options.nativePngCompression(),
                    options.nativeWebPQuality(), options.nativeAvifQuality(), options.nativeAvifSpeed(),
                    options.stripMetadata() ? 1 : 0);
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
                    options.progressive() ? 1 : 0, options.optimizeHuffman() ? 1 : 0, options.nativePngCompression(),
                    options.nativeWebPQuality(), options.nativeAvifQuality(), options.nativeAvifSpeed(),
                    options.stripMetadata() ? 1 : 0);
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

    // ---------------------------------------------------------------------------------------
    // Asynchronous calls (see the class docs, "Asynchronous calls"). Each sync overload below has
    // three asynchronous forms: (args), (args, ProgressListener) and (args, ProgressListener,
    // Executor); the last does the work, and calls the controlled twin of the native method the
    // sync overload calls, so both give the same result.
    // ---------------------------------------------------------------------------------------

    /**
     * The executor the asynchronous methods use when given none: daemon platform threads named
     * {@code pixbridge-async-<n>}, as many as {@linkplain #nativeWorkerThreads() native worker
     * threads} (more calls at once would only hold more images in memory: each call already
     * shares those workers), with an unbounded queue; idle threads end after 30 seconds. It is
     * made at its first use and cannot be shut down. Platform threads because a native call
     * cannot be unmounted from its carrier: on a virtual thread it would pin the carrier for the
     * whole call (see <a href="#async">asynchronous calls</a>).
     *
     * @return the default executor of asynchronous calls
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static Executor asyncExecutor() {
        return NativeTask.defaultExecutor();
    }

    @Override
    CompletableFuture<Image> submitFresh(ProgressListener listener, Executor executor, NativeTask.FreshCall call) {
        long handle = lifetime.enter();
        return NativeTask.submit(listener, executor, control -> new Image(call.call(handle, control)), lifetime::exit,
                Image::close);
    }

    @Override
    CompletableFuture<Void> submitInPlace(ProgressListener listener, Executor executor, NativeTask.InPlaceCall call) {
        long handle = lifetime.enter();
        return NativeTask.submit(listener, executor, control -> {
            call.call(handle, control);
            return null;
        }, lifetime::exit, null);
    }

    /** A native call on this image's handle, under a control, with what surrounds it. */
    @FunctionalInterface
    private interface ImageWork<T> {
        T run(long handle, long control) throws Exception;
    }

    /** Runs {@code work} asynchronously on this image, held open until the work ends. */
    private <T> CompletableFuture<T> submitOnImage(ProgressListener listener, Executor executor, ImageWork<T> work) {
        long handle = lifetime.enter();
        return NativeTask.submit(listener, executor, control -> work.run(handle, control), lifetime::exit, null);
    }

    /** A native call that makes an image, under a control: returns its handle. */
    @FunctionalInterface
    private interface SourceWork {
        long run(long control) throws Exception;
    }

    /** Runs {@code work} asynchronously and adopts the handle it returns. */
    private static CompletableFuture<Image> submitNew(ProgressListener listener, Executor executor, SourceWork work) {
        NativeLoader.load();
        return NativeTask.submit(listener, executor, control -> new Image(work.run(control)), null, Image::close);
    }

    /** {@link DirectSource} under a control. */
    @FunctionalInterface
    private interface DirectSourceUnder {
        long call(ByteBuffer direct, int offset, int length, long control);
    }

    /** {@link ArraySource} under a control. */
    @FunctionalInterface
    private interface ArraySourceUnder {
        long call(byte[] array, int offset, int length, long control);
    }

    /**
     * {@link #fromBuffer} for the asynchronous calls: the range is taken now (later changes of the
     * position do not matter); a direct buffer is read in place and kept reachable until the call
     * ends, a heap buffer's array is read when the call runs, a read-only heap buffer is copied now.
     */
    private static CompletableFuture<Image> submitBuffer(ByteBuffer data, ProgressListener listener, Executor executor,
            DirectSourceUnder direct, ArraySourceUnder array) {
        int offset = data.position();
        int length = data.remaining();
        if (data.isDirect()) {
            return submitNew(listener, executor, control -> {
                try {
                    return direct.call(data, offset, length, control);
                } finally {
                    Reference.reachabilityFence(data);
                }
            });
        }
        if (data.hasArray()) {
            byte[] bytes = data.array();
            int start = data.arrayOffset() + offset;
            return submitNew(listener, executor, control -> array.call(bytes, start, length, control));
        }
        byte[] copy = new byte[length];
        data.duplicate().get(copy);
        return submitNew(listener, executor, control -> array.call(copy, 0, length, control));
    }

    // --- open ---

    /**
     * Asynchronous {@link #open(Path)}, on the {@linkplain #asyncExecutor() default executor},
     * without progress; see {@link #openAsync(Path, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @return a future of the decoded image
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path) {
        return openAsync(path, DecodeLimits.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #open(Path)}, on the {@linkplain #asyncExecutor() default executor},
     * with progress; see {@link #openAsync(Path, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path, ProgressListener listener) {
        return openAsync(path, DecodeLimits.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #open(Path)}; see {@link #openAsync(Path, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path, ProgressListener listener, Executor executor) {
        return openAsync(path, DecodeLimits.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #open(Path, DecodeLimits)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see {@link #openAsync(Path, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @param limits the decode limits
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path, DecodeLimits limits) {
        return openAsync(path, limits, null, null);
    }

    /**
     * Asynchronous {@link #open(Path, DecodeLimits)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see {@link #openAsync(Path, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @param limits the decode limits
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code path} or {@code limits} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path, DecodeLimits limits, ProgressListener listener) {
        return openAsync(path, limits, listener, null);
    }

    /**
     * Asynchronous {@link #open(Path, DecodeLimits)}: opens the file on {@code executor} and
     * completes the future with the image. The file is read when the call runs. Cancelling the
     * future cancels the decode; a failure completes the future with the
     * {@link PixbridgeException} {@link #open(Path)} documents. See
     * <a href="#async">asynchronous calls</a>.
     *
     * @param path the file to open
     * @param limits the decode limits
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code path} or {@code limits} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> openAsync(Path path, DecodeLimits limits, ProgressListener listener,
            Executor executor) {
        byte[] utf8 = pathUtf8(path, "path");
        Arguments.requireNonNull(limits, "limits");
        return submitNew(listener, executor, control -> NativeImage.openControlled(utf8, limits.maxWidth(),
                limits.maxHeight(), limits.maxDecodedBytes(), control));
    }

    /**
     * Asynchronous {@link #open(Path, DecodeOptions)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see {@link #openAsync(Path, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @param options the decode options
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path, DecodeOptions options) {
        return openAsync(path, options, null, null);
    }

    /**
     * Asynchronous {@link #open(Path, DecodeOptions)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see {@link #openAsync(Path, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param path the file to open
     * @param options the decode options
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code path} or {@code options} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> openAsync(Path path, DecodeOptions options, ProgressListener listener) {
        return openAsync(path, options, listener, null);
    }

    /**
     * Asynchronous {@link #open(Path, DecodeOptions)}, as
     * {@link #openAsync(Path, DecodeLimits, ProgressListener, Executor)}. A deferred open only reads
     * the header; the call that computes the image later can be cancelled in turn.
     *
     * @param path the file to open
     * @param options the decode options
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code path} or {@code options} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> openAsync(Path path, DecodeOptions options, ProgressListener listener,
            Executor executor) {
        byte[] utf8 = pathUtf8(path, "path");
        Arguments.requireNonNull(options, "options");
        DecodeLimits limits = options.limits();
        return submitNew(listener, executor, control -> NativeImage.openWithControlled(utf8, limits.maxWidth(),
                limits.maxHeight(), limits.maxDecodedBytes(), options.minWidth(), options.minHeight(),
                options.deferred() ? 1 : 0, options.lenient() ? 1 : 0, options.keepProfile() ? 1 : 0, control));
    }

    // --- decode: byte[] ---

    /**
     * Asynchronous {@link #decode(byte[])}, on the {@linkplain #asyncExecutor() default executor},
     * without progress; see {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data) {
        return decodeAsync(data, DecodeLimits.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #decode(byte[])}, on the {@linkplain #asyncExecutor() default executor},
     * with progress; see {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, ProgressListener listener) {
        return decodeAsync(data, DecodeLimits.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #decode(byte[])}; see {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, ProgressListener listener, Executor executor) {
        return decodeAsync(data, DecodeLimits.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #decode(byte[], DecodeLimits)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param limits the decode limits
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, DecodeLimits limits) {
        return decodeAsync(data, limits, null, null);
    }

    /**
     * Asynchronous {@link #decode(byte[], DecodeLimits)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param limits the decode limits
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} or {@code limits} is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, DecodeLimits limits, ProgressListener listener) {
        return decodeAsync(data, limits, listener, null);
    }

    /**
     * Asynchronous {@link #decode(byte[], DecodeLimits)}: decodes on {@code executor} and completes
     * the future with the image. The array is read when the call runs: do not change it until the
     * future completes. Cancelling the future cancels the decode; a failure completes the future
     * with the {@link PixbridgeException} {@link #decode(byte[])} documents. See
     * <a href="#async">asynchronous calls</a>.
     *
     * @param data the encoded bytes
     * @param limits the decode limits
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code data} or {@code limits} is null
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, DecodeLimits limits, ProgressListener listener,
            Executor executor) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(limits, "limits");
        return submitNew(listener, executor, control -> NativeImage.decodeArrayControlled(data, 0, data.length,
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), control));
    }

    /**
     * Asynchronous {@link #decode(byte[], DecodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #decodeAsync(byte[], DecodeOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param options the decode options
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, DecodeOptions options) {
        return decodeAsync(data, options, null, null);
    }

    /**
     * Asynchronous {@link #decode(byte[], DecodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #decodeAsync(byte[], DecodeOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param options the decode options
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} or {@code options} is null
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, DecodeOptions options, ProgressListener listener) {
        return decodeAsync(data, options, listener, null);
    }

    /**
     * Asynchronous {@link #decode(byte[], DecodeOptions)}, as
     * {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param options the decode options
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code data} or {@code options} is null
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> decodeAsync(byte[] data, DecodeOptions options, ProgressListener listener,
            Executor executor) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(options, "options");
        return submitNew(listener, executor,
                control -> decodeWithArrayControlled(data, 0, data.length, options, control));
    }

    private static long decodeWithArrayControlled(byte[] data, int offset, int length, DecodeOptions options,
            long control) {
        DecodeLimits limits = options.limits();
        return NativeImage.decodeWithArrayControlled(data, offset, length, limits.maxWidth(), limits.maxHeight(),
                limits.maxDecodedBytes(), options.minWidth(), options.minHeight(), options.deferred() ? 1 : 0,
                options.lenient() ? 1 : 0, options.keepProfile() ? 1 : 0, control);
    }

    // --- decode: ByteBuffer ---

    /**
     * Asynchronous {@link #decode(ByteBuffer)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data) {
        return decodeAsync(data, DecodeLimits.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, ProgressListener listener) {
        return decodeAsync(data, DecodeLimits.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer)}; see {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, ProgressListener listener, Executor executor) {
        return decodeAsync(data, DecodeLimits.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer, DecodeLimits)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param limits the decode limits
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, DecodeLimits limits) {
        return decodeAsync(data, limits, null, null);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer, DecodeLimits)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param limits the decode limits
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} or {@code limits} is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, DecodeLimits limits,
            ProgressListener listener) {
        return decodeAsync(data, limits, listener, null);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer, DecodeLimits)}, as
     * {@link #decodeAsync(byte[], DecodeLimits, ProgressListener, Executor)}. The range between the
     * position and the limit is taken now; the buffer's position is not changed. The bytes are read
     * when the call runs (a direct buffer in place): do not change them until the future
     * completes. A read-only heap buffer is copied now.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param limits the decode limits
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code data} or {@code limits} is null
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, DecodeLimits limits,
            ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(limits, "limits");
        return submitBuffer(data, listener, executor,
                (direct, offset, length, control) -> NativeImage.decodeDirectControlled(direct, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), control),
                (array, offset, length, control) -> NativeImage.decodeArrayControlled(array, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), control));
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer, DecodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #decodeAsync(ByteBuffer, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param options the decode options
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, DecodeOptions options) {
        return decodeAsync(data, options, null, null);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer, DecodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #decodeAsync(ByteBuffer, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param options the decode options
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code data} or {@code options} is null
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, DecodeOptions options,
            ProgressListener listener) {
        return decodeAsync(data, options, listener, null);
    }

    /**
     * Asynchronous {@link #decode(ByteBuffer, DecodeOptions)}, as
     * {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param options the decode options
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code data} or {@code options} is null
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> decodeAsync(ByteBuffer data, DecodeOptions options,
            ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(options, "options");
        DecodeLimits limits = options.limits();
        return submitBuffer(data, listener, executor,
                (direct, offset, length, control) -> NativeImage.decodeWithDirectControlled(direct, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), options.minWidth(),
                        options.minHeight(), options.deferred() ? 1 : 0, options.lenient() ? 1 : 0,
                        options.keepProfile() ? 1 : 0, control),
                (array, offset, length, control) -> decodeWithArrayControlled(array, offset, length, options, control));
    }

    // --- decode: InputStream ---

    /**
     * Asynchronous {@link #decode(InputStream)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see {@link #decodeAsync(InputStream, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @return a future of the decoded image
     * @throws NullPointerException if {@code in} is null
     */
    public static CompletableFuture<Image> decodeAsync(InputStream in) {
        return decodeAsync(in, (ProgressListener) null, null);
    }

    /**
     * Asynchronous {@link #decode(InputStream)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see {@link #decodeAsync(InputStream, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code in} is null
     */
    public static CompletableFuture<Image> decodeAsync(InputStream in, ProgressListener listener) {
        return decodeAsync(in, listener, null);
    }

    /**
     * Asynchronous {@link #decode(InputStream)}, as
     * {@link #decodeAsync(InputStream, DecodeOptions, ProgressListener, Executor)} (which decodes
     * with the default limits, as {@link #decode(byte[])}).
     *
     * @param in the stream of encoded bytes
     * @param listener told the fraction done, or {@code null}
     * @param executor reads the stream and runs the native call; {@code null} for the
     *     {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code in} is null
     */
    public static CompletableFuture<Image> decodeAsync(InputStream in, ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(in, "in");
        DecodeLimits limits = DecodeLimits.DEFAULT;
        return submitNew(listener, executor, control -> {
            byte[] data = in.readAllBytes();
            return NativeImage.decodeArrayControlled(data, 0, data.length, limits.maxWidth(), limits.maxHeight(),
                    limits.maxDecodedBytes(), control);
        });
    }

    /**
     * Asynchronous {@link #decode(InputStream, DecodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #decodeAsync(InputStream, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param options the decode options
     * @return a future of the decoded image
     * @throws NullPointerException if an argument is null
     */
    public static CompletableFuture<Image> decodeAsync(InputStream in, DecodeOptions options) {
        return decodeAsync(in, options, null, null);
    }

    /**
     * Asynchronous {@link #decode(InputStream, DecodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #decodeAsync(InputStream, DecodeOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param options the decode options
     * @param listener told the fraction done, or {@code null}
     * @return a future of the decoded image
     * @throws NullPointerException if {@code in} or {@code options} is null
     */
    public static CompletableFuture<Image> decodeAsync(InputStream in, DecodeOptions options,
            ProgressListener listener) {
        return decodeAsync(in, options, listener, null);
    }

    /**
     * Asynchronous {@link #decode(InputStream, DecodeOptions)}: on {@code executor}, reads the
     * stream to its end, then decodes what it read (as {@link #decode(byte[], DecodeOptions)}) and
     * completes the future with the image. The stream is read on the executor's thread and is not
     * closed: do not use it until the future completes. A read that fails completes the future with
     * its {@link java.io.IOException}; cancelling the future during the read lets the read finish
     * (a stream read cannot be interrupted) and skips the decode. See
     * <a href="#async">asynchronous calls</a>.
     *
     * @param in the stream of encoded bytes
     * @param options the decode options
     * @param listener told the fraction done of the decode (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor reads the stream and runs the native call; {@code null} for the
     *     {@linkplain #asyncExecutor() default executor}
     * @return a future of the decoded image, which the caller must close
     * @throws NullPointerException if {@code in} or {@code options} is null
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> decodeAsync(InputStream in, DecodeOptions options,
            ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(in, "in");
        Arguments.requireNonNull(options, "options");
        return submitNew(listener, executor, control -> {
            byte[] data = in.readAllBytes();
            return decodeWithArrayControlled(data, 0, data.length, options, control);
        });
    }

    // --- thumbnail ---

    /**
     * Asynchronous {@link #thumbnail(Path, int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code path} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> thumbnailAsync(Path path, int width, int height, ThumbnailFit fit) {
        return thumbnailAsync(path, width, height, fit, ThumbnailOptions.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(Path, int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code path} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> thumbnailAsync(Path path, int width, int height, ThumbnailFit fit,
            ProgressListener listener) {
        return thumbnailAsync(path, width, height, fit, ThumbnailOptions.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(Path, int, int, ThumbnailFit)}; see
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code path} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> thumbnailAsync(Path path, int width, int height, ThumbnailFit fit,
            ProgressListener listener, Executor executor) {
        return thumbnailAsync(path, width, height, fit, ThumbnailOptions.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #thumbnail(Path, int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return a future of the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> thumbnailAsync(Path path, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options) {
        return thumbnailAsync(path, width, height, fit, options, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(Path, int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code path}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     */
    public static CompletableFuture<Image> thumbnailAsync(Path path, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener) {
        return thumbnailAsync(path, width, height, fit, options, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(Path, int, int, ThumbnailFit, ThumbnailOptions)}: makes the
     * thumbnail on {@code executor} and completes the future with it. Progress covers the decode
     * and the resize. Cancelling the future cancels the work; a failure completes the future with
     * the {@link PixbridgeException} {@link #thumbnail(Path, int, int, ThumbnailFit)} documents.
     * See <a href="#async">asynchronous calls</a>.
     *
     * @param path the image file
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail, which the caller must close
     * @throws NullPointerException if {@code path}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1, or
     *     {@code path} is not on the default file system
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> thumbnailAsync(Path path, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener, Executor executor) {
        byte[] utf8 = pathUtf8(path, "path");
        checkThumbnailArguments(width, height, fit, options);
        DecodeLimits limits = options.limits();
        return submitNew(listener, executor, control -> NativeImage.thumbnailFileControlled(utf8, width, height,
                fit.value(), limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(),
                options.allowUpscale() ? 1 : 0, options.keepMetadata() ? 1 : 0, control));
    }

    /**
     * Asynchronous {@link #thumbnail(byte[], int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(byte[], int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(byte[] data, int width, int height, ThumbnailFit fit) {
        return thumbnailAsync(data, width, height, fit, ThumbnailOptions.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(byte[], int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(byte[], int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(byte[] data, int width, int height, ThumbnailFit fit,
            ProgressListener listener) {
        return thumbnailAsync(data, width, height, fit, ThumbnailOptions.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(byte[], int, int, ThumbnailFit)}; see
     * {@link #thumbnailAsync(byte[], int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(byte[] data, int width, int height, ThumbnailFit fit,
            ProgressListener listener, Executor executor) {
        return thumbnailAsync(data, width, height, fit, ThumbnailOptions.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #thumbnail(byte[], int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(byte[], int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return a future of the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(byte[] data, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options) {
        return thumbnailAsync(data, width, height, fit, options, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(byte[], int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(byte[], int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(byte[] data, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener) {
        return thumbnailAsync(data, width, height, fit, options, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(byte[], int, int, ThumbnailFit, ThumbnailOptions)}, as
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     * The array is read when the call runs: do not change it until the future completes.
     *
     * @param data the encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail, which the caller must close
     * @throws NullPointerException if {@code data}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> thumbnailAsync(byte[] data, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(data, "data");
        checkThumbnailArguments(width, height, fit, options);
        return submitNew(listener, executor,
                control -> thumbnailArrayControlled(data, 0, data.length, width, height, fit, options, control));
    }

    private static long thumbnailArrayControlled(byte[] data, int offset, int length, int width, int height,
            ThumbnailFit fit, ThumbnailOptions options, long control) {
        DecodeLimits limits = options.limits();
        return NativeImage.thumbnailArrayControlled(data, offset, length, width, height, fit.value(),
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(), options.allowUpscale() ? 1 : 0,
                options.keepMetadata() ? 1 : 0,
                control);
    }

    /**
     * Asynchronous {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(ByteBuffer data, int width, int height, ThumbnailFit fit) {
        return thumbnailAsync(data, width, height, fit, ThumbnailOptions.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(ByteBuffer data, int width, int height, ThumbnailFit fit,
            ProgressListener listener) {
        return thumbnailAsync(data, width, height, fit, ThumbnailOptions.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit)}; see
     * {@link #thumbnailAsync(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(ByteBuffer data, int width, int height, ThumbnailFit fit,
            ProgressListener listener, Executor executor) {
        return thumbnailAsync(data, width, height, fit, ThumbnailOptions.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return a future of the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(ByteBuffer data, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options) {
        return thumbnailAsync(data, width, height, fit, options, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code data}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(ByteBuffer data, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener) {
        return thumbnailAsync(data, width, height, fit, options, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(ByteBuffer, int, int, ThumbnailFit, ThumbnailOptions)}, as
     * {@link #thumbnailAsync(Path, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     * The buffer is handled as by {@link #decodeAsync(ByteBuffer, DecodeLimits, ProgressListener, Executor)}.
     *
     * @param data the encoded bytes, between the buffer's position and limit
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail, which the caller must close
     * @throws NullPointerException if {@code data}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> thumbnailAsync(ByteBuffer data, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(data, "data");
        checkThumbnailArguments(width, height, fit, options);
        DecodeLimits limits = options.limits();
        return submitBuffer(data, listener, executor,
                (direct, offset, length, control) -> NativeImage.thumbnailDirectControlled(direct, offset, length,
                        width, height, fit.value(), limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes(),
                        options.allowUpscale() ? 1 : 0, options.keepMetadata() ? 1 : 0, control),
                (array, offset, length, control) -> thumbnailArrayControlled(array, offset, length, width, height,
                        fit, options, control));
    }

    /**
     * Asynchronous {@link #thumbnail(InputStream, int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(InputStream, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code in} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(InputStream in, int width, int height, ThumbnailFit fit) {
        return thumbnailAsync(in, width, height, fit, ThumbnailOptions.DEFAULT, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(InputStream, int, int, ThumbnailFit)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(InputStream, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code in} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(InputStream in, int width, int height, ThumbnailFit fit,
            ProgressListener listener) {
        return thumbnailAsync(in, width, height, fit, ThumbnailOptions.DEFAULT, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(InputStream, int, int, ThumbnailFit)}; see
     * {@link #thumbnailAsync(InputStream, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param listener told the fraction done, or {@code null}
     * @param executor reads the stream and runs the native call; {@code null} for the
     *     {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code in} or {@code fit} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(InputStream in, int width, int height, ThumbnailFit fit,
            ProgressListener listener, Executor executor) {
        return thumbnailAsync(in, width, height, fit, ThumbnailOptions.DEFAULT, listener, executor);
    }

    /**
     * Asynchronous {@link #thumbnail(InputStream, int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #thumbnailAsync(InputStream, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @return a future of the thumbnail
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(InputStream in, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options) {
        return thumbnailAsync(in, width, height, fit, options, null, null);
    }

    /**
     * Asynchronous {@link #thumbnail(InputStream, int, int, ThumbnailFit, ThumbnailOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #thumbnailAsync(InputStream, int, int, ThumbnailFit, ThumbnailOptions, ProgressListener, Executor)}.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done, or {@code null}
     * @return a future of the thumbnail
     * @throws NullPointerException if {@code in}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     */
    public static CompletableFuture<Image> thumbnailAsync(InputStream in, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener) {
        return thumbnailAsync(in, width, height, fit, options, listener, null);
    }

    /**
     * Asynchronous {@link #thumbnail(InputStream, int, int, ThumbnailFit, ThumbnailOptions)}: the
     * arguments are checked now; on {@code executor} the stream is read to its end (as by
     * {@link #decodeAsync(InputStream, DecodeOptions, ProgressListener, Executor)}), then the
     * thumbnail made of what was read.
     *
     * @param in the stream of encoded bytes
     * @param width width of the box in pixels: 1 to 32768
     * @param height height of the box in pixels: 1 to 32768
     * @param fit how the image fits the box
     * @param options decode limits and upscaling
     * @param listener told the fraction done of the thumbnail (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor reads the stream and runs the native call; {@code null} for the
     *     {@linkplain #asyncExecutor() default executor}
     * @return a future of the thumbnail, which the caller must close
     * @throws NullPointerException if {@code in}, {@code fit} or {@code options} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is less than 1
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public static CompletableFuture<Image> thumbnailAsync(InputStream in, int width, int height, ThumbnailFit fit,
            ThumbnailOptions options, ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(in, "in");
        checkThumbnailArguments(width, height, fit, options);
        return submitNew(listener, executor, control -> {
            byte[] data = in.readAllBytes();
            return thumbnailArrayControlled(data, 0, data.length, width, height, fit, options, control);
        });
    }

    // --- save ---

    /**
     * Asynchronous {@link #save(Path)}, on the {@linkplain #asyncExecutor() default executor},
     * without progress; see {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path) {
        return saveAsync(path, (ProgressListener) null, null);
    }

    /**
     * Asynchronous {@link #save(Path)}, on the {@linkplain #asyncExecutor() default executor},
     * with progress; see {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param listener told the fraction done, or {@code null}
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, ProgressListener listener) {
        return saveAsync(path, listener, null);
    }

    /**
     * Asynchronous {@link #save(Path)} (the format from the extension), as
     * {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, ProgressListener listener, Executor executor) {
        byte[] utf8 = pathUtf8(path, "path");
        return submitOnImage(listener, executor, (handle, control) -> {
            NativeImage.saveControlled(handle, utf8, control);
            return null;
        });
    }

    /**
     * Asynchronous {@link #save(Path, EncodeOptions)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see
     * {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param options encoder settings
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, EncodeOptions options) {
        return saveAsync(path, options, null, null);
    }

    /**
     * Asynchronous {@link #save(Path, EncodeOptions)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see
     * {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param options encoder settings
     * @param listener told the fraction done, or {@code null}
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path} or {@code options} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, EncodeOptions options, ProgressListener listener) {
        return saveAsync(path, options, listener, null);
    }

    /**
     * Asynchronous {@link #save(Path, EncodeOptions)} (the format from the extension), as
     * {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param options encoder settings
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path} or {@code options} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, EncodeOptions options, ProgressListener listener,
            Executor executor) {
        return saveWithAsync(path, NativeImage.FORMAT_FROM_EXTENSION, options, listener, executor);
    }

    /**
     * Asynchronous {@link #save(Path, ImageFormat, EncodeOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param format the format to write
     * @param options encoder settings
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, ImageFormat format, EncodeOptions options) {
        return saveAsync(path, format, options, null, null);
    }

    /**
     * Asynchronous {@link #save(Path, ImageFormat, EncodeOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #saveAsync(Path, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param path where to save
     * @param format the format to write
     * @param options encoder settings
     * @param listener told the fraction done, or {@code null}
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path}, {@code format} or {@code options} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> saveAsync(Path path, ImageFormat format, EncodeOptions options,
            ProgressListener listener) {
        return saveAsync(path, format, options, listener, null);
    }

    /**
     * Asynchronous {@link #save(Path, ImageFormat, EncodeOptions)}: encodes and writes the file on
     * {@code executor} (atomically, as the synchronous save) and completes the future with
     * {@code null}. This image stays open for the call. A cancelled save writes no file and leaves
     * an existing file at {@code path} as it was; a failure completes the future with the
     * {@link PixbridgeException} {@link #save(Path, ImageFormat, EncodeOptions)} documents. See
     * <a href="#async">asynchronous calls</a>.
     *
     * @param path where to save
     * @param format the format to write
     * @param options encoder settings
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future completed with {@code null} once the file is written
     * @throws NullPointerException if {@code path}, {@code format} or {@code options} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws IllegalStateException if the image is closed
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public CompletableFuture<Void> saveAsync(Path path, ImageFormat format, EncodeOptions options,
            ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(format, "format");
        return saveWithAsync(path, format.value(), options, listener, executor);
    }

    private CompletableFuture<Void> saveWithAsync(Path path, int format, EncodeOptions options,
            ProgressListener listener, Executor executor) {
        byte[] utf8 = pathUtf8(path, "path");
        Arguments.requireNonNull(options, "options");
        return submitOnImage(listener, executor, (handle, control) -> {
            NativeImage.saveWithControlled(handle, utf8, format, options.nativeQuality(),
                    options.subsampling().value(), options.progressive() ? 1 : 0, options.optimizeHuffman() ? 1 : 0,
                    options.nativePngCompression(), options.nativeWebPQuality(), options.nativeAvifQuality(),
                    options.nativeAvifSpeed(), options.stripMetadata() ? 1 : 0, control);
            return null;
        });
    }

    // --- encode ---

    /**
     * Asynchronous {@link #encode(ImageFormat)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format) {
        return encodeAsync(format, (ProgressListener) null, null);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param listener told the fraction done, or {@code null}
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, ProgressListener listener) {
        return encodeAsync(format, listener, null);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat)}, as
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(format, "format");
        return encodeNativeAsync(format, 0, listener, executor);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat, int)}, on the {@linkplain #asyncExecutor() default
     * executor}, without progress; see
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param quality 1 (smallest) to 100 (best)
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalArgumentException if {@code quality} is 0 or negative
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, int quality) {
        return encodeAsync(format, quality, null, null);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat, int)}, on the {@linkplain #asyncExecutor() default
     * executor}, with progress; see
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param quality 1 (smallest) to 100 (best)
     * @param listener told the fraction done, or {@code null}
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalArgumentException if {@code quality} is 0 or negative
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, int quality, ProgressListener listener) {
        return encodeAsync(format, quality, listener, null);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat, int)}, as
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param quality 1 (smallest) to 100 (best)
     * @param listener told the fraction done, or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} is null
     * @throws IllegalArgumentException if {@code quality} is 0 or negative
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, int quality, ProgressListener listener,
            Executor executor) {
        Arguments.requireNonNull(format, "format");
        if (quality < 1) {
            throw new IllegalArgumentException("quality must be 1 to 100, got " + quality);
        }
        return encodeNativeAsync(format, quality, listener, executor);
    }

    private CompletableFuture<byte[]> encodeNativeAsync(ImageFormat format, int quality, ProgressListener listener,
            Executor executor) {
        return submitOnImage(listener, executor,
                (handle, control) -> NativeImage.encodeControlled(handle, format.value(), quality, control));
    }

    /**
     * Asynchronous {@link #encode(ImageFormat, EncodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param options encoder settings
     * @return a future of the encoded bytes
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, EncodeOptions options) {
        return encodeAsync(format, options, null, null);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat, EncodeOptions)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #encodeAsync(ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param format the target format
     * @param options encoder settings
     * @param listener told the fraction done, or {@code null}
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} or {@code options} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, EncodeOptions options,
            ProgressListener listener) {
        return encodeAsync(format, options, listener, null);
    }

    /**
     * Asynchronous {@link #encode(ImageFormat, EncodeOptions)}: encodes on {@code executor} and
     * completes the future with the bytes. This image stays open for the call. Cancelling the
     * future cancels the encode; a failure completes the future with the {@link PixbridgeException}
     * {@link #encode(ImageFormat, EncodeOptions)} documents. See
     * <a href="#async">asynchronous calls</a>.
     *
     * @param format the target format
     * @param options encoder settings
     * @param listener told the fraction done (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor runs the native call; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future of the encoded bytes
     * @throws NullPointerException if {@code format} or {@code options} is null
     * @throws IllegalStateException if the image is closed
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public CompletableFuture<byte[]> encodeAsync(ImageFormat format, EncodeOptions options,
            ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(format, "format");
        Arguments.requireNonNull(options, "options");
        return submitOnImage(listener, executor, (handle, control) -> encodeWithControlled(handle, format, options,
                control));
    }

    private static byte[] encodeWithControlled(long handle, ImageFormat format, EncodeOptions options, long control) {
        return NativeImage.encodeWithControlled(handle, format.value(), options.nativeQuality(),
                options.subsampling().value(), options.progressive() ? 1 : 0, options.optimizeHuffman() ? 1 : 0,
                options.nativePngCompression(), options.nativeWebPQuality(), options.nativeAvifQuality(),
                options.nativeAvifSpeed(), options.stripMetadata() ? 1 : 0, control);
    }

    /**
     * Asynchronous {@link #write(OutputStream, ImageFormat)}, on the {@linkplain #asyncExecutor()
     * default executor}, without progress; see
     * {@link #encodeAsync(OutputStream, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param out the destination stream
     * @param format the target format
     * @return a future completed with {@code null} once the bytes are written
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> encodeAsync(OutputStream out, ImageFormat format) {
        return encodeAsync(out, format, (ProgressListener) null, null);
    }

    /**
     * Asynchronous {@link #write(OutputStream, ImageFormat)}, on the {@linkplain #asyncExecutor()
     * default executor}, with progress; see
     * {@link #encodeAsync(OutputStream, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param out the destination stream
     * @param format the target format
     * @param listener told the fraction done, or {@code null}
     * @return a future completed with {@code null} once the bytes are written
     * @throws NullPointerException if {@code out} or {@code format} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> encodeAsync(OutputStream out, ImageFormat format, ProgressListener listener) {
        return encodeAsync(out, format, listener, null);
    }

    /**
     * Asynchronous {@link #write(OutputStream, ImageFormat)}, as
     * {@link #encodeAsync(OutputStream, ImageFormat, EncodeOptions, ProgressListener, Executor)}
     * with the format's default settings (as {@link #encode(ImageFormat)}).
     *
     * @param out the destination stream
     * @param format the target format
     * @param listener told the fraction done, or {@code null}
     * @param executor encodes and writes; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future completed with {@code null} once the bytes are written
     * @throws NullPointerException if {@code out} or {@code format} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> encodeAsync(OutputStream out, ImageFormat format, ProgressListener listener,
            Executor executor) {
        Arguments.requireNonNull(out, "out");
        Arguments.requireNonNull(format, "format");
        return submitOnImage(listener, executor, (handle, control) -> {
            byte[] bytes = NativeImage.encodeControlled(handle, format.value(), 0, control);
            out.write(bytes);
            return null;
        });
    }

    /**
     * Asynchronous {@link #write(OutputStream, ImageFormat, EncodeOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, without progress; see
     * {@link #encodeAsync(OutputStream, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param out the destination stream
     * @param format the target format
     * @param options encoder settings
     * @return a future completed with {@code null} once the bytes are written
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> encodeAsync(OutputStream out, ImageFormat format, EncodeOptions options) {
        return encodeAsync(out, format, options, null, null);
    }

    /**
     * Asynchronous {@link #write(OutputStream, ImageFormat, EncodeOptions)}, on the
     * {@linkplain #asyncExecutor() default executor}, with progress; see
     * {@link #encodeAsync(OutputStream, ImageFormat, EncodeOptions, ProgressListener, Executor)}.
     *
     * @param out the destination stream
     * @param format the target format
     * @param options encoder settings
     * @param listener told the fraction done, or {@code null}
     * @return a future completed with {@code null} once the bytes are written
     * @throws NullPointerException if {@code out}, {@code format} or {@code options} is null
     * @throws IllegalStateException if the image is closed
     */
    public CompletableFuture<Void> encodeAsync(OutputStream out, ImageFormat format, EncodeOptions options,
            ProgressListener listener) {
        return encodeAsync(out, format, options, listener, null);
    }

    /**
     * Asynchronous {@link #write(OutputStream, ImageFormat, EncodeOptions)}: on {@code executor},
     * encodes the image, writes the bytes to {@code out} (which is not closed) and completes the
     * future with {@code null}. Nothing is written before the encode has finished, so a cancelled
     * or failed encode writes nothing; a write that fails completes the future with its
     * {@link java.io.IOException}, and cancelling the future during the write does not stop it.
     * Do not use the stream until the future completes. See <a href="#async">asynchronous
     * calls</a>.
     *
     * @param out the destination stream
     * @param format the target format
     * @param options encoder settings
     * @param listener told the fraction done of the encode (from the threads doing the work; see
     *     {@link ProgressListener}), or {@code null}
     * @param executor encodes and writes; {@code null} for the {@linkplain #asyncExecutor() default executor}
     * @return a future completed with {@code null} once the bytes are written
     * @throws NullPointerException if {@code out}, {@code format} or {@code options} is null
     * @throws IllegalStateException if the image is closed
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task
     */
    public CompletableFuture<Void> encodeAsync(OutputStream out, ImageFormat format, EncodeOptions options,
            ProgressListener listener, Executor executor) {
        Arguments.requireNonNull(out, "out");
        Arguments.requireNonNull(format, "format");
        Arguments.requireNonNull(options, "options");
        return submitOnImage(listener, executor, (handle, control) -> {
            out.write(encodeWithControlled(handle, format, options, control));
            return null;
        });
    }

    /**
     * Applies the {@linkplain Plugin plugin} operation {@code operation}, which returns a new
     * image, with every parameter at its default. Same as {@code apply(operation, Map.of())}.
     *
     * @param operation the name of an operation of a loaded plugin whose kind is
     *     {@link PluginOperationKind#FRESH}
     * @return the new image, which the caller must close; this image is unchanged
     * @throws NullPointerException if {@code operation} is null
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException as for {@link #apply(String, Map)}
     */
    public Image apply(String operation) {
        return apply(operation, Map.of());
    }

    /**
     * Applies the {@linkplain Plugin plugin} operation {@code operation}, which returns a new
     * image. {@code arguments} maps parameter names ({@link PluginParameter#name()}) to values;
     * a parameter not in the map takes its default.
     *
     * <pre>{@code
     * try (Image graded = image.apply("channel_gain", Map.of("red", 1.2, "blue", 0.8))) { ... }
     * }</pre>
     *
     * @param operation the name of an operation of a loaded plugin whose kind is
     *     {@link PluginOperationKind#FRESH}
     * @param arguments values by parameter name (a flag parameter takes 0 or 1); may be empty
     * @return the new image, which the caller must close; this image is unchanged
     * @throws NullPointerException if an argument, a name or a value in {@code arguments} is null
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if no loaded plugin has the
     *     operation, if it changes the image in place (use {@link #applyInPlace(String, Map)}), if
     *     {@code arguments} names a parameter it does not have (the message lists those it has) or
     *     a value is of the wrong type or out of range; {@link ErrorCode#PLUGIN_FAILED} with the
     *     plugin's message if the plugin reports a failure
     */
    public Image apply(String operation, Map<String, ? extends Number> arguments) {
        double[] values = pluginArguments(operation, arguments, PluginOperationKind.FRESH);
        long handle = lifetime.enter();
        try {
            long made = Plugin.nativeApply(operation, handle, values);
            if (made == 0) {
                // Only for an operation of a plugin loaded outside this SDK (its kind is unknown here).
                throw new PixbridgeException(ErrorCode.INVALID_ARGUMENT, "`" + operation
                        + "` changes the image in place (it was changed): call applyInPlace, not apply");
            }
            return new Image(made);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Applies the {@linkplain Plugin plugin} operation {@code operation}, which changes this
     * image in place, with every parameter at its default. Same as
     * {@code applyInPlace(operation, Map.of())}.
     *
     * @param operation the name of an operation of a loaded plugin whose kind is
     *     {@link PluginOperationKind#IN_PLACE}
     * @throws NullPointerException if {@code operation} is null
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException as for {@link #applyInPlace(String, Map)}
     */
    public void applyInPlace(String operation) {
        applyInPlace(operation, Map.of());
    }

    /**
     * Applies the {@linkplain Plugin plugin} operation {@code operation}, which changes this
     * image in place. {@code arguments} maps parameter names ({@link PluginParameter#name()}) to
     * values; a parameter not in the map takes its default.
     *
     * <pre>{@code
     * image.applyInPlace("sepia", Map.of("strength", 0.5));
     * }</pre>
     *
     * @param operation the name of an operation of a loaded plugin whose kind is
     *     {@link PluginOperationKind#IN_PLACE}
     * @param arguments values by parameter name (a flag parameter takes 0 or 1); may be empty
     * @throws NullPointerException if an argument, a name or a value in {@code arguments} is null
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if no loaded plugin has the
     *     operation, if it returns a new image (use {@link #apply(String, Map)}), if
     *     {@code arguments} names a parameter it does not have (the message lists those it has) or
     *     a value is of the wrong type or out of range; {@link ErrorCode#PLUGIN_FAILED} with the
     *     plugin's message if the plugin reports a failure (the image may then be partly changed)
     */
    public void applyInPlace(String operation, Map<String, ? extends Number> arguments) {
        double[] values = pluginArguments(operation, arguments, PluginOperationKind.IN_PLACE);
        long handle = lifetime.enter();
        try {
            long made = Plugin.nativeApply(operation, handle, values);
            if (made != 0) {
                // Only for an operation of a plugin loaded outside this SDK (its kind is unknown here).
                new Image(made).close();
                throw new PixbridgeException(ErrorCode.INVALID_ARGUMENT, "`" + operation
                        + "` returns a new image: call apply, not applyInPlace");
            }
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The positional values of a plugin call: each parameter of the operation's description in
     * order, from {@code arguments} or its default. An operation no plugin loaded through
     * {@link Plugin#load} has goes to the native library without arguments (its error is the
     * native one), or fails here if arguments were given (they cannot be placed).
     */
    private static double[] pluginArguments(String operation, Map<String, ? extends Number> arguments,
            PluginOperationKind expected) {
        Arguments.requireNonNull(operation, "operation");
        Arguments.requireNonNull(arguments, "arguments");
        PluginOperation described = Plugin.registered(operation);
        if (described == null) {
            if (arguments.isEmpty()) {
                return new double[0];
            }
            List<String> loaded = Plugin.registeredNames();
            throw new PixbridgeException(ErrorCode.INVALID_ARGUMENT, "no plugin loaded with Plugin.load has an operation named `"
                    + operation + "` (" + (loaded.isEmpty() ? "none is loaded" : "loaded: " + String.join(", ", loaded)) + ")");
        }
        if (described.kind() != expected) {
            String method = described.kind() == PluginOperationKind.FRESH ? "apply" : "applyInPlace";
            String what = described.kind() == PluginOperationKind.FRESH ? "returns a new image" : "changes the image in place";
            throw new PixbridgeException(ErrorCode.INVALID_ARGUMENT,
                    "`" + operation + "` " + what + ": call " + method + ", not " + (method.equals("apply") ? "applyInPlace" : "apply"));
        }
        List<PluginParameter> parameters = described.parameters();
        double[] values = new double[parameters.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = parameters.get(i).defaultValue();
        }
        for (Map.Entry<String, ? extends Number> argument : arguments.entrySet()) {
            String name = argument.getKey();
            Arguments.requireNonNull(name, "an argument name");
            Number value = argument.getValue();
            Arguments.requireNonNull(value, "the value of argument " + name);
            int index = -1;
            for (int i = 0; i < values.length && index < 0; i++) {
                if (parameters.get(i).name().equals(name)) {
                    index = i;
                }
            }
            if (index < 0) {
                List<String> names = parameters.stream().map(PluginParameter::name).toList();
                throw new PixbridgeException(ErrorCode.INVALID_ARGUMENT, "`" + operation + "` has no parameter `" + name + "` ("
                        + (names.isEmpty() ? "it takes none" : "its parameters: " + String.join(", ", names)) + ")");
            }
            values[index] = value.doubleValue();
        }
        return values;
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
    static byte[] pathUtf8(Path path, String name) {
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
