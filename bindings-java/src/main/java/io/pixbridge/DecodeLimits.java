package io.pixbridge;

/**
 * Limits checked while decoding, before any large allocation: an image over a limit fails with
 * {@link ErrorCode#LIMIT_EXCEEDED}.
 *
 * @param maxWidth largest accepted width in pixels; not negative
 * @param maxHeight largest accepted height in pixels; not negative
 * @param maxDecodedBytes largest accepted size of the decoded pixel data in bytes; not negative
 */
public record DecodeLimits(int maxWidth, int maxHeight, long maxDecodedBytes) {
    /** The defaults: 32768 x 32768 pixels and 512 MiB of decoded data. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(32768, 32768, 512L * 1024 * 1024);

    /**
     * Checks the limits.
     *
     * @param maxWidth largest accepted width in pixels; not negative
     * @param maxHeight largest accepted height in pixels; not negative
     * @param maxDecodedBytes largest accepted size of the decoded pixel data in bytes; not negative
     * @throws IllegalArgumentException if a limit is negative
     */
    public DecodeLimits {
        if (maxWidth < 0) {
            throw new IllegalArgumentException("maxWidth must not be negative: " + maxWidth);
        }
        if (maxHeight < 0) {
            throw new IllegalArgumentException("maxHeight must not be negative: " + maxHeight);
        }
        if (maxDecodedBytes < 0) {
            throw new IllegalArgumentException("maxDecodedBytes must not be negative: " + maxDecodedBytes);
        }
    }
}
