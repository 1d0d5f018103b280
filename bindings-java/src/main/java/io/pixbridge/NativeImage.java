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

    /**
     * Blurs the image inside the native library, frees the result and returns the nanoseconds
     * that took, timed natively: the benchmark's "same blur from Rust", in this process.
     */
    static native long blurNanos(long image, float sigma);
}
