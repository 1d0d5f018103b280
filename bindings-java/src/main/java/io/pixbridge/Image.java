package io.pixbridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * An image held by the native Pixbridge library: RGBA8 pixels (8 bits per channel, straight
 * alpha, rows packed top to bottom) plus the colour type it was decoded from.
 *
 * <p>Operations that keep the size and map each pixel to one pixel change the image <em>in
 * place</em> ({@link #mirror()}, {@link #flipVertical()}, {@link #rotate180()},
 * {@link #grayscale()}, {@link #adjustBrightness(int)}, {@link #adjustContrast(float)}); operations
 * that change the size or mix neighbouring pixels <em>return a new image</em> and leave this one
 * untouched ({@link #blur(float)}, {@link #unsharpen(float, float, int)},
 * {@link #resize(int, int, ResizeFilter)}, {@link #crop(int, int, int, int)}, {@link #rotate90()},
 * {@link #rotate270()}).
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
 * never closed is freed by a {@link Cleaner} after it becomes unreachable. Images may be used from
 * several threads: calls on one image are serialised by the native library, and closing an image
 * while another thread is inside a call on it defers the release until that call returns.
 */
public final class Image implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Lifetime lifetime;
    private final Cleaner.Cleanable cleanable;
    private final int width;
    private final int height;

    /** Takes ownership of a native image handle. */
    private Image(long handle) {
        this.lifetime = new Lifetime(handle);
        this.cleanable = CLEANER.register(this, lifetime);
        long dimensions;
        try {
            dimensions = NativeImage.dimensions(handle);
        } catch (RuntimeException | Error e) {
            cleanable.clean();
            throw e;
        }
        this.width = (int) (dimensions >>> 32);
        this.height = (int) dimensions;
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
        requireNonNull(limits, "limits");
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
        requireNonNull(data, "data");
        requireNonNull(limits, "limits");
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
        requireNonNull(data, "data");
        requireNonNull(limits, "limits");
        NativeLoader.load();
        int offset = data.position();
        int length = data.remaining();
        if (data.isDirect()) {
            try {
                return new Image(NativeImage.decodeDirect(data, offset, length,
                        limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes()));
            } finally {
                Reference.reachabilityFence(data);
            }
        }
        if (data.hasArray()) {
            return new Image(NativeImage.decodeArray(data.array(), data.arrayOffset() + offset, length,
                    limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes()));
        }
        // A read-only heap buffer hides its array: copy the bytes out.
        byte[] copy = new byte[length];
        data.duplicate().get(copy);
        return decode(copy, limits);
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
        requireNonNull(in, "in");
        return decode(in.readAllBytes());
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
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} for a zero size or a wrong
     *     number of bytes
     */
    public static Image fromPixels(int width, int height, byte[] rgba) {
        requireNonNegative(width, "width");
        requireNonNegative(height, "height");
        requireNonNull(rgba, "rgba");
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
     * Returns the colour type the image was decoded from ({@link #grayscale()} changes it to
     * {@link ColorType#L8} or {@link ColorType#LA8}). It decides how the image is encoded.
     *
     * @return the colour type
     * @throws IllegalStateException if the image is closed
     */
    public ColorType colorType() {
        long handle = lifetime.enter();
        try {
            return ColorType.fromValue(NativeImage.colorType(handle));
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
        requireNonNull(dst, "dst");
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
        requireNonNull(format, "format");
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
        requireNonNull(format, "format");
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
        requireNonNull(out, "out");
        out.write(encode(format));
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

    // BEGIN GENERATED OPERATIONS (pixbridge-java-gen: edit the runtime's operation table, then regenerate)

    /**
     * Gaussian blur (a true Gaussian, edges repeated, colour blurred premultiplied by alpha).
     * Returns a new image; the source is unchanged.
     *
     * @param sigma Standard deviation in pixels: finite, greater than 0, at most 1000.
     * @return the new image, which the caller must close; this image is unchanged
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or
     *     another code if the native operation fails
     */
    public Image blur(float sigma) {
        long handle = lifetime.enter();
        try {
            return new Image(NativeOperations.blur(handle, sigma));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Unsharp mask: adds {@code amount} times the difference between the image and its Gaussian blur
     * to R, G and B where that difference is at least {@code threshold}. Returns a new image.
     *
     * @param sigma Standard deviation of the blur in pixels: finite, greater than 0, at most 1000.
     * @param amount Strength: finite, 0 to 10 (1 = add the full difference).
     * @param threshold Smallest difference (0-255) that is sharpened; smaller ones are left alone.
     * @return the new image, which the caller must close; this image is unchanged
     * @throws IllegalArgumentException if {@code threshold} is negative
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or
     *     another code if the native operation fails
     */
    public Image unsharpen(float sigma, float amount, int threshold) {
        requireNonNegative(threshold, "threshold");
        long handle = lifetime.enter();
        try {
            return new Image(NativeOperations.unsharpen(handle, sigma, amount, threshold));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Resamples to a new size with the given filter. Returns a new image.
     *
     * @param width New width in pixels: 1 to 32768.
     * @param height New height in pixels: 1 to 32768.
     * @param filter Resampling filter (Nearest, Bilinear, Lanczos3).
     * @return the new image, which the caller must close; this image is unchanged
     * @throws NullPointerException if {@code filter} is null
     * @throws IllegalArgumentException if {@code width} or {@code height} is negative
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or
     *     another code if the native operation fails
     */
    public Image resize(int width, int height, ResizeFilter filter) {
        requireNonNull(filter, "filter");
        requireNonNegative(width, "width");
        requireNonNegative(height, "height");
        long handle = lifetime.enter();
        try {
            return new Image(NativeOperations.resize(handle, width, height, filter.value()));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Cuts out a rectangle, which must lie inside the image and not be empty. Returns a new image.
     *
     * @param x Left edge of the rectangle in pixels.
     * @param y Top edge of the rectangle in pixels.
     * @param width Width of the rectangle in pixels (at least 1).
     * @param height Height of the rectangle in pixels (at least 1).
     * @return the new image, which the caller must close; this image is unchanged
     * @throws IllegalArgumentException if {@code x} or {@code y} or {@code width} or {@code height} is negative
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or
     *     another code if the native operation fails
     */
    public Image crop(int x, int y, int width, int height) {
        requireNonNegative(x, "x");
        requireNonNegative(y, "y");
        requireNonNegative(width, "width");
        requireNonNegative(height, "height");
        long handle = lifetime.enter();
        try {
            return new Image(NativeOperations.crop(handle, x, y, width, height));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Rotates 90 degrees clockwise. Returns a new image (width and height swap).
     *
     * @return the new image, which the caller must close; this image is unchanged
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException if the native operation fails
     */
    public Image rotate90() {
        long handle = lifetime.enter();
        try {
            return new Image(NativeOperations.rotate90(handle));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Rotates 270 degrees clockwise (90 counter-clockwise). Returns a new image.
     *
     * @return the new image, which the caller must close; this image is unchanged
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException if the native operation fails
     */
    public Image rotate270() {
        long handle = lifetime.enter();
        try {
            return new Image(NativeOperations.rotate270(handle));
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Mirrors left to right, in place.
     *
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException if the native operation fails
     */
    public void mirror() {
        long handle = lifetime.enter();
        try {
            NativeOperations.mirror(handle);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Flips top to bottom, in place.
     *
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException if the native operation fails
     */
    public void flipVertical() {
        long handle = lifetime.enter();
        try {
            NativeOperations.flipVertical(handle);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Rotates 180 degrees, in place.
     *
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException if the native operation fails
     */
    public void rotate180() {
        long handle = lifetime.enter();
        try {
            NativeOperations.rotate180(handle);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Converts to grey (alpha kept), in place; the colour type becomes L8 or La8.
     *
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException if the native operation fails
     */
    public void grayscale() {
        long handle = lifetime.enter();
        try {
            NativeOperations.grayscale(handle);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Adds {@code delta} to R, G and B (saturating), in place; alpha is unchanged.
     *
     * @param delta Amount added to each colour channel: -255 to 255.
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or
     *     another code if the native operation fails
     */
    public void adjustBrightness(int delta) {
        long handle = lifetime.enter();
        try {
            NativeOperations.adjustBrightness(handle, delta);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Changes the contrast by {@code contrast} percent, in place; alpha is unchanged.
     *
     * @param contrast Percent change: finite, at least -100 (negative lowers contrast).
     * @throws IllegalStateException if this image is closed
     * @throws PixbridgeException {@link ErrorCode#INVALID_ARGUMENT} if a parameter is out of range, or
     *     another code if the native operation fails
     */
    public void adjustContrast(float contrast) {
        long handle = lifetime.enter();
        try {
            NativeOperations.adjustContrast(handle, contrast);
        } finally {
            lifetime.exit();
            Reference.reachabilityFence(this);
        }
    }
    // END GENERATED OPERATIONS

    /** Throws NPE with the parameter's name; used instead of Objects.requireNonNull for the message. */
    private static void requireNonNull(Object value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }

    private static void requireNonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }

    /**
     * Encodes a path as the UTF-8 the native side expects; absolute, so that it means the same
     * as it does to Java.
     */
    private static byte[] pathUtf8(Path path, String name) {
        requireNonNull(path, name);
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

    /**
     * Owns the native handle: counts calls in flight so that a close (explicit or by the Cleaner)
     * during a call only marks the image closed, and the last call out frees it.
     *
     * <p>The whole state is one {@code long} changed by single atomic instructions (no lock):
     * the low bits count calls in flight, {@link #CLOSED} marks the image closed and
     * {@link #DESTROYED} records that the native handle was freed. The handle is freed exactly
     * once, by whoever moves the state from "closed, no call in flight" to "destroyed": the
     * closer if no call was in flight, else the last call to leave.
     */
    private static final class Lifetime implements Runnable {
        /** Set by the close; no call may start afterwards. */
        private static final long CLOSED = 1L << 62;
        /** Set once, by the one thread that frees the native handle. */
        private static final long DESTROYED = 1L << 61;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Lifetime.class, "state", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long handle;
        /** Calls in flight (low bits) plus the {@link #CLOSED} and {@link #DESTROYED} flags; changed only through STATE. */
        private volatile long state;

        Lifetime(long handle) {
            this.handle = handle;
        }

        void checkOpen() {
            if ((state & CLOSED) != 0) {
                throw closedError();
            }
        }

        boolean isClosed() {
            return (state & CLOSED) != 0;
        }

        /** Starts a call; returns the handle, valid until {@link #exit()}. */
        long enter() {
            // Count first, check after: a call counted before the close keeps the handle alive;
            // one that finds the image closed undoes its count (which may free the handle).
            long previous = (long) STATE.getAndAdd(this, 1L);
            if ((previous & CLOSED) != 0) {
                exit();
                throw closedError();
            }
            return handle;
        }

        /** Ends a call; frees the image if it was closed meanwhile and this was the last call. */
        void exit() {
            long now = (long) STATE.getAndAdd(this, -1L) - 1;
            if (now == CLOSED) {
                destroyOnce();
            }
        }

        /** The close action, run once by {@link Image#close()} or by the Cleaner. */
        @Override
        public void run() {
            long previous = (long) STATE.getAndBitwiseOr(this, CLOSED);
            if (previous == 0) {
                destroyOnce();
            }
        }

        /** Frees the handle unless another thread already did (only one CAS can succeed). */
        private void destroyOnce() {
            if (STATE.compareAndSet(this, CLOSED, CLOSED | DESTROYED)) {
                NativeImage.destroy(handle);
            }
        }

        private static IllegalStateException closedError() {
            return new IllegalStateException("the image is closed");
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
