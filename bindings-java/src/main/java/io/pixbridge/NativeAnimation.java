package io.pixbridge;

/**
 * The native entry points of {@link Animation} and {@link Image#decodeFrame(byte[], int)},
 * implemented in {@code bindings-java/native/src/animation.rs}. Callers must have loaded the
 * library through {@link NativeLoader#load()}.
 */
final class NativeAnimation {
    private NativeAnimation() {
    }

    /** {@code {frameCount, width, height, loopCount, delay0Ms, delay1Ms, ...}}. */
    static native int[] info(byte[] data, int offset, int length, int maxWidth, int maxHeight, long maxDecodedBytes);

    static native long decodeFrame(byte[] data, int offset, int length, int index,
            int maxWidth, int maxHeight, long maxDecodedBytes);
}
