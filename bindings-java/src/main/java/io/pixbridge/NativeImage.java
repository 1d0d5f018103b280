package io.pixbridge;

import java.nio.ByteBuffer;

/**
 * The hand-written native entry points (life cycle, pixels, encoding), implemented in
 * {@code bindings-java/native/src/images.rs}. Handles are the runtime's {@code u64} handles.
 * Callers must have loaded the library through {@link NativeLoader#load()}.
 */
final class NativeImage {
    private NativeImage() {
    }

    static native long open(byte[] pathUtf8, int maxWidth, int maxHeight, long maxDecodedBytes);

    static native long decodeArray(byte[] data, int offset, int length, int maxWidth, int maxHeight, long maxDecodedBytes);

    static native long decodeDirect(ByteBuffer data, int offset, int length, int maxWidth, int maxHeight, long maxDecodedBytes);

    static native long fromPixels(int width, int height, byte[] rgba);

    static native void destroy(long image);

    static native long share(long image);

    /** Width in the high 32 bits, height in the low 32 bits. */
    static native long dimensions(long image);

    static native int colorType(long image);

    /** A direct buffer over the pixels of {@code image}, valid while that handle lives. */
    static native ByteBuffer pixelBuffer(long image);

    static native void copyPixels(long image, byte[] dst);

    static native void save(long image, byte[] pathUtf8);

    static native byte[] encode(long image, int format, int quality);

    static native long liveHandleCount();

    /** Gives the native allocator's cached blocks back to the system; returns the bytes. */
    static native long trim();

    /** Sets the number of native worker threads (0: one per logical CPU); does not start the pool. */
    static native void setWorkerThreads(int threads);

    /** The number of native worker threads (the pool's, or the number it will start with). */
    static native int workerThreads();

    /**
     * {@code pixbridge_runtime::ABI_VERSION} of the loaded library. {@link NativeLoader} calls it
     * on a library from outside the jar before using it; a library without it is not ours.
     */
    static native int abiVersion();

    /** {@link #saveWith}'s {@code format} that means "from the path's extension". */
    static final int FORMAT_FROM_EXTENSION = -1;

    /**
     * Opens with decode options: limits, a minimum size (0 x 0 = full size), {@code deferred}
     * (0 or 1: keep a JPEG encoded until it is used) and {@code lenient} (0 or 1: a partial image
     * for damaged data; not with {@code deferred}) and {@code keepProfile} (0 or 1: keep the pixels
     * in the file's ICC profile instead of converting them to sRGB). All checked natively.
     */
    static native long openWith(byte[] pathUtf8, int maxWidth, int maxHeight, long maxDecodedBytes,
            int minWidth, int minHeight, int deferred, int lenient, int keepProfile);

    static native long decodeWithArray(byte[] data, int offset, int length, int maxWidth, int maxHeight,
            long maxDecodedBytes, int minWidth, int minHeight, int deferred, int lenient, int keepProfile);

    static native long decodeWithDirect(ByteBuffer data, int offset, int length, int maxWidth, int maxHeight,
            long maxDecodedBytes, int minWidth, int minHeight, int deferred, int lenient, int keepProfile);

    /** The decode warning of an image a lenient decode returned partial; null for a complete one. */
    static native String decodeWarning(long image);

    /** {@code fit} a {@link ThumbnailFit} value, {@code allowUpscale} and {@code keepMetadata} 0 or 1 (checked natively). */
    static native long thumbnailFile(byte[] pathUtf8, int width, int height, int fit,
            int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata);

    static native long thumbnailArray(byte[] data, int offset, int length, int width, int height, int fit,
            int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata);

    static native long thumbnailDirect(ByteBuffer data, int offset, int length, int width, int height, int fit,
            int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata);

    /** Encode options as plain numbers, 0 meaning a field's default; validated natively. */
    static native byte[] encodeWith(long image, int format, int quality, int subsampling, int progressive,
            int optimizeHuffman, int pngCompression, int webpQuality, int avifQuality, int avifSpeed,
            int stripMetadata);

    /** {@code format} an {@link ImageFormat} value or {@link #FORMAT_FROM_EXTENSION}. */
    static native void saveWith(long image, byte[] pathUtf8, int format, int quality, int subsampling,
            int progressive, int optimizeHuffman, int pngCompression, int webpQuality, int avifQuality,
            int avifSpeed, int stripMetadata);

    // Controls and the controlled twins of the calls above, behind the asynchronous methods
    // (bindings-java/native/src/control.rs; NativeTask drives them). Each twin runs its call as a
    // job of the control: cancellable from any thread, a cancelled call throwing
    // PixbridgeException(CANCELLED) having changed and made nothing; progress to the listener.

    /**
     * A new control (cancellation flag and progress listener of one or more calls); the listener
     * (may be null) is called from the threads doing the work, which the library attaches to the
     * JVM as daemon threads. Destroy it with {@link #controlDestroy}.
     */
    static native long controlCreate(ProgressListener listener);

    /** Cancels every call made with {@code control}, now and later; any thread. */
    static native void controlCancel(long control);

    /** Destroys {@code control}; calls using it go on (cancellable no more). */
    static native void controlDestroy(long control);

    /** Live control handles (leak tests). */
    static native long liveControls();

    /** Live encoded-buffer handles (leak tests; the Java SDK never makes one). */
    static native long liveBuffers();

    static native long openControlled(byte[] pathUtf8, int maxWidth, int maxHeight, long maxDecodedBytes, long control);

    static native long decodeArrayControlled(byte[] data, int offset, int length, int maxWidth, int maxHeight,
            long maxDecodedBytes, long control);

    static native long decodeDirectControlled(ByteBuffer data, int offset, int length, int maxWidth, int maxHeight,
            long maxDecodedBytes, long control);

    static native void saveControlled(long image, byte[] pathUtf8, long control);

    static native byte[] encodeControlled(long image, int format, int quality, long control);

    static native long openWithControlled(byte[] pathUtf8, int maxWidth, int maxHeight, long maxDecodedBytes,
            int minWidth, int minHeight, int deferred, int lenient, int keepProfile, long control);

    static native long decodeWithArrayControlled(byte[] data, int offset, int length, int maxWidth, int maxHeight,
            long maxDecodedBytes, int minWidth, int minHeight, int deferred, int lenient, int keepProfile, long control);

    static native long decodeWithDirectControlled(ByteBuffer data, int offset, int length, int maxWidth, int maxHeight,
            long maxDecodedBytes, int minWidth, int minHeight, int deferred, int lenient, int keepProfile, long control);

    static native long thumbnailFileControlled(byte[] pathUtf8, int width, int height, int fit,
            int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata, long control);

    static native long thumbnailArrayControlled(byte[] data, int offset, int length, int width, int height, int fit,
            int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata, long control);

    static native long thumbnailDirectControlled(ByteBuffer data, int offset, int length, int width, int height,
            int fit, int maxWidth, int maxHeight, long maxDecodedBytes, int allowUpscale, int keepMetadata, long control);

    static native byte[] encodeWithControlled(long image, int format, int quality, int subsampling, int progressive,
            int optimizeHuffman, int pngCompression, int webpQuality, int avifQuality, int avifSpeed,
            int stripMetadata, long control);

    static native void saveWithControlled(long image, byte[] pathUtf8, int format, int quality, int subsampling,
            int progressive, int optimizeHuffman, int pngCompression, int webpQuality, int avifQuality,
            int avifSpeed, int stripMetadata, long control);
}
