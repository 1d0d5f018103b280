package io.pixbridge.bench;

/**
 * The benchmark's native timing hook, implemented in {@code bindings-java/native/src/images.rs}
 * ({@code blur_nanos}) and compiled only with the cargo feature {@code bench-hooks}: the shipped
 * library and jar do not have it. {@code run.sh} builds that library and loads it through
 * {@code -Dpixbridge.library.path}, so it is the library {@code io.pixbridge.Image} uses too.
 */
final class NativeTiming {
    private NativeTiming() {
    }

    /**
     * Blurs the image behind {@code image} (a native handle) with the core's blur inside the
     * library, frees the result and returns the nanoseconds that took, timed natively: the
     * benchmark's "same blur from Rust", in this process.
     */
    static native long blurNanos(long image, float sigma);
}
