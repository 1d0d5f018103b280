package io.pixbridge;

/**
 * How {@link Image#open(java.nio.file.Path, DecodeOptions)} and
 * {@link Image#decode(byte[], DecodeOptions)} decode: {@link DecodeLimits} and, optionally, the
 * smallest size the caller needs, which lets a JPEG be decoded at 1/2, 1/4 or 1/8 of its size
 * (shrink-on-load).
 *
 * <p>With {@code minWidth} and {@code minHeight} both 0 (as in {@link #DEFAULT}) images are
 * decoded at full size. Otherwise a JPEG is decoded at the smallest of 1/2, 1/4 or 1/8 scale
 * (libjpeg-turbo's DCT scaling, much cheaper than a full decode) whose result is still at least
 * {@code minWidth} x {@code minHeight} (upright pixels, EXIF orientation applied; a scaled side
 * is rounded up). The result can be larger than the minimum: resize it afterwards for an exact
 * size, or use {@link Image#thumbnail(java.nio.file.Path, int, int, ThumbnailFit)}, which does
 * both. Other formats are always decoded at full size, so do not rely on the result being
 * smaller.
 *
 * <pre>{@code
 * try (Image preview = Image.open(Path.of("photo.jpg"), DecodeOptions.minSize(800, 800))) {
 *     ...
 * }
 * }</pre>
 *
 * @param limits decode limits, checked against the file's full size even when it is decoded
 *     scaled; not null
 * @param minWidth the smallest width needed in upright pixels; 0 puts no bound on the width
 * @param minHeight the smallest height needed in upright pixels; 0 puts no bound on the height
 */
public record DecodeOptions(DecodeLimits limits, int minWidth, int minHeight) {
    /** Full size with the {@linkplain DecodeLimits#DEFAULT default limits}. */
    public static final DecodeOptions DEFAULT = new DecodeOptions(DecodeLimits.DEFAULT, 0, 0);

    /**
     * Checks the options.
     *
     * @param limits decode limits; not null
     * @param minWidth the smallest width needed; not negative
     * @param minHeight the smallest height needed; not negative
     * @throws NullPointerException if {@code limits} is null
     * @throws IllegalArgumentException if {@code minWidth} or {@code minHeight} is negative
     */
    public DecodeOptions {
        Arguments.requireNonNull(limits, "limits");
        Arguments.requireNonNegative(minWidth, "minWidth");
        Arguments.requireNonNegative(minHeight, "minHeight");
    }

    /**
     * Returns options with the default limits and the given minimum size.
     *
     * @param minWidth the smallest width needed in upright pixels; not negative
     * @param minHeight the smallest height needed in upright pixels; not negative
     * @return the options
     * @throws IllegalArgumentException if a value is negative
     */
    public static DecodeOptions minSize(int minWidth, int minHeight) {
        return new DecodeOptions(DecodeLimits.DEFAULT, minWidth, minHeight);
    }

    /**
     * Returns a copy with other limits.
     *
     * @param limits the decode limits; not null
     * @return the new options
     * @throws NullPointerException if {@code limits} is null
     */
    public DecodeOptions withLimits(DecodeLimits limits) {
        return new DecodeOptions(limits, minWidth, minHeight);
    }

    /**
     * Returns a copy with another minimum size ({@code 0, 0} for full size).
     *
     * @param minWidth the smallest width needed in upright pixels; not negative
     * @param minHeight the smallest height needed in upright pixels; not negative
     * @return the new options
     * @throws IllegalArgumentException if a value is negative
     */
    public DecodeOptions withMinSize(int minWidth, int minHeight) {
        return new DecodeOptions(limits, minWidth, minHeight);
    }
}
