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
 * <p><b>Deferred decoding</b> ({@code deferred} true, see {@link #withDeferred(boolean)}) keeps a
 * JPEG encoded: {@code open} reads its header and checks the limits; {@link Image#width()},
 * {@link Image#height()} and {@link Image#colorType()} answer from the header. The operations
 * whose docs say "Deferred on a deferred image" ({@code crop}, {@code resize}, {@code blur}, ...;
 * docs/operations.md lists them) are deferred too on such an image: they check their
 * arguments at once (and throw as usual) and return an image whose size is known, without
 * computing anything. The pixels are computed by the call that needs them ({@code save},
 * {@code encode}, {@code copyPixels}), for that call only: the steps run in order and each
 * intermediate image is freed as soon as the next step has used it ({@code crop} and large
 * {@code blur}s even reuse its buffer). So open, crop, resize, sharpen, save holds at most two
 * full-size buffers at a time, however many of the images the code still holds.
 * {@link Image#pixels()} and in-place operations ({@code mirror}, {@code adjustBrightness}, ...)
 * compute the image once and keep it; images derived from it before that are not affected by the
 * change. Costs: a deferred image that is read twice is computed twice, and errors in the
 * compressed data (a truncated file) come from the call that computes, not from {@code open}.
 * Other formats, and JPEGs libjpeg-turbo cannot decode to RGBA (CMYK), are decoded at once, and
 * their operations run at once.
 *
 * @param limits decode limits, checked against the file's full size even when it is decoded
 *     scaled; not null
 * @param minWidth the smallest width needed in upright pixels; 0 puts no bound on the width
 * @param minHeight the smallest height needed in upright pixels; 0 puts no bound on the height
 * @param deferred whether a JPEG is kept encoded until it is used (see above); false decodes at
 *     once
 * @param lenient what a decode does with data that is truncated or corrupt after a valid header:
 *     false (strict, the default) throws a {@link PixbridgeException} with
 *     {@link ErrorCode#DECODE} whose message says how many rows were decoded; true returns what
 *     could be decoded, marked with {@link Image#decodeWarning()} and {@link Image#isPartial()}.
 *     A JPEG's damaged blocks are grey (libjpeg-turbo's recovery), rows other formats never
 *     reached are black (transparent where the format has alpha). A file whose header is
 *     unreadable, that breaks a limit, or of which not one row can be decoded throws either way.
 *     Cannot be combined with {@code deferred} ({@link ErrorCode#INVALID_ARGUMENT}).
 * @param keepProfile what a decode does with an embedded ICC profile (JPEG, PNG, WebP, TIFF):
 *     false (the default) converts the pixels to sRGB ({@link Image#colorProfile()} is
 *     {@link ColorProfile#SRGB}), so that they show the right colours wherever sRGB is assumed;
 *     true keeps them as stored with the profile attached ({@link ColorProfile#EMBEDDED};
 *     {@link Image#metadata(MetadataBlock)} returns it) and a save writes it back where the
 *     format can hold it
 */
public record DecodeOptions(DecodeLimits limits, int minWidth, int minHeight, boolean deferred, boolean lenient,
        boolean keepProfile) {
    /** Full size with the {@linkplain DecodeLimits#DEFAULT default limits}, decoded at once, strictly. */
    public static final DecodeOptions DEFAULT = new DecodeOptions(DecodeLimits.DEFAULT, 0, 0, false, false, false);

    /** Full size with the default limits, a JPEG's decoding deferred until it is used. */
    public static final DecodeOptions DEFERRED = new DecodeOptions(DecodeLimits.DEFAULT, 0, 0, true, false, false);

    /** Full size with the default limits, decoded at once, leniently: a damaged file gives its partial image. */
    public static final DecodeOptions LENIENT = new DecodeOptions(DecodeLimits.DEFAULT, 0, 0, false, true, false);

    /**
     * Checks the options.
     *
     * @param limits decode limits; not null
     * @param minWidth the smallest width needed; not negative
     * @param minHeight the smallest height needed; not negative
     * @param deferred whether a JPEG is kept encoded until it is used
     * @param lenient whether damaged data gives a partial image instead of an exception
     * @param keepProfile whether the pixels stay in the file's ICC profile instead of sRGB
     * @throws NullPointerException if {@code limits} is null
     * @throws IllegalArgumentException if {@code minWidth} or {@code minHeight} is negative
     */
    public DecodeOptions {
        Arguments.requireNonNull(limits, "limits");
        Arguments.requireNonNegative(minWidth, "minWidth");
        Arguments.requireNonNegative(minHeight, "minHeight");
    }

    /**
     * Options decoded at once (not deferred), as before deferred decoding existed.
     *
     * @param limits decode limits; not null
     * @param minWidth the smallest width needed; not negative
     * @param minHeight the smallest height needed; not negative
     * @throws NullPointerException if {@code limits} is null
     * @throws IllegalArgumentException if {@code minWidth} or {@code minHeight} is negative
     */
    public DecodeOptions(DecodeLimits limits, int minWidth, int minHeight) {
        this(limits, minWidth, minHeight, false, false, false);
    }

    /**
     * Strict options (not lenient), as before lenient decoding existed.
     * @param limits decode limits; not null
     * @param minWidth the smallest width needed; not negative
     * @param minHeight the smallest height needed; not negative
     * @param deferred whether a JPEG is kept encoded until it is used
     * @throws NullPointerException if {@code limits} is null
     * @throws IllegalArgumentException if {@code minWidth} or {@code minHeight} is negative
     */
    public DecodeOptions(DecodeLimits limits, int minWidth, int minHeight, boolean deferred) {
        this(limits, minWidth, minHeight, deferred, false, false);
    }

    /**
     * Options that convert colours to sRGB (not {@code keepProfile}), as before colour
     * management existed.
     *
     * @param limits decode limits; not null
     * @param minWidth the smallest width needed; not negative
     * @param minHeight the smallest height needed; not negative
     * @param deferred whether a JPEG is kept encoded until it is used
     * @param lenient whether damaged data gives a partial image instead of an exception
     * @throws NullPointerException if {@code limits} is null
     * @throws IllegalArgumentException if {@code minWidth} or {@code minHeight} is negative
     */
    public DecodeOptions(DecodeLimits limits, int minWidth, int minHeight, boolean deferred, boolean lenient) {
        this(limits, minWidth, minHeight, deferred, lenient, false);
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
        return new DecodeOptions(limits, minWidth, minHeight, deferred, lenient, keepProfile);
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
        return new DecodeOptions(limits, minWidth, minHeight, deferred, lenient, keepProfile);
    }

    /**
     * Returns a copy that defers a JPEG's decoding until it is used ({@code true}) or decodes at
     * once ({@code false}); see the class description.
     *
     * @param deferred whether to defer
     * @return the new options
     */
    public DecodeOptions withDeferred(boolean deferred) {
        return new DecodeOptions(limits, minWidth, minHeight, deferred, lenient, keepProfile);
    }

    /**
     * Returns a copy that decodes damaged data leniently ({@code true}: the partial image, marked)
     * or strictly ({@code false}: an exception); see {@link #lenient()}.
     * @param lenient whether to decode leniently
     * @return the new options
     */
    public DecodeOptions withLenient(boolean lenient) {
        return new DecodeOptions(limits, minWidth, minHeight, deferred, lenient, keepProfile);
    }

    /**
     * Returns a copy that keeps the pixels in the file's ICC profile ({@code true}) or converts
     * them to sRGB ({@code false}, the default); see {@link #keepProfile()}.
     *
     * @param keepProfile whether to keep the profile
     * @return the new options
     */
    public DecodeOptions withKeepProfile(boolean keepProfile) {
        return new DecodeOptions(limits, minWidth, minHeight, deferred, lenient, keepProfile);
    }
}
