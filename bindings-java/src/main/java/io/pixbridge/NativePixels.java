package io.pixbridge;

/**
 * The native entry points of {@link Image#fromBufferedImage} and {@link Image#toBufferedImage},
 * implemented in {@code bindings-java/native/src/pixels.rs}: images from pixel arrays in a
 * {@code PixelFormat} layout (stable numbers, checked natively) and pixels copied back into
 * them. Callers must have loaded the library through {@link NativeLoader#load()}.
 */
final class NativePixels {
    private NativePixels() {
    }

    /**
     * An image from {@code length} bytes of {@code data} from {@code offset} (the first pixel),
     * rows {@code stride} bytes apart; the range is copied into native memory once.
     */
    static native long fromBytes(byte[] data, int offset, int length, int width, int height, int format, int stride);

    /**
     * As {@link #fromBytes} on the native-order bytes of {@code length} ints of {@code data} from
     * {@code offset} ({@code offset} and {@code length} count ints, {@code stride} bytes).
     */
    static native long fromInts(int[] data, int offset, int length, int width, int height, int format, int stride);

    /** The pixels of {@code image} in {@code format}, rows {@code stride} bytes apart, into {@code out}. */
    static native void copyToBytes(long image, int format, int stride, byte[] out);
}
