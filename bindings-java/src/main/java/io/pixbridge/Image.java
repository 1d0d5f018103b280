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
 * never closed is freed by a {@link Cleaner} after it becomes unreachable. Images may be used from
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
        Arguments.requireNonNull(in, "in");
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
