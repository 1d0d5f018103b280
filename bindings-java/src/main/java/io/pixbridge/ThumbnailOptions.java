package io.pixbridge;

/**
 * Settings of {@link Image#thumbnail(java.nio.file.Path, int, int, ThumbnailFit, ThumbnailOptions)}
 * and its overloads; the overloads without options use {@link #DEFAULT} (default limits, never
 * enlarge).
 *
 * <pre>{@code
 * ThumbnailOptions options = ThumbnailOptions.DEFAULT.withAllowUpscale(true);
 * }</pre>
 *
 * @param limits decode limits for the source, checked against its full size (even when a JPEG
 *     is decoded scaled); not null
 * @param allowUpscale whether a source smaller than the box may be enlarged to fit it; when
 *     false it keeps its own size on the axes where it is smaller than the box
 * @param keepMetadata whether the thumbnail keeps the source's metadata (EXIF, XMP, PNG text),
 *     so that a save writes it; false (the default) strips it. Colours are converted to sRGB
 *     either way
 */
public record ThumbnailOptions(DecodeLimits limits, boolean allowUpscale, boolean keepMetadata) {
    /** The defaults: {@linkplain DecodeLimits#DEFAULT default limits}, never enlarge, no metadata. */
    public static final ThumbnailOptions DEFAULT = new ThumbnailOptions(DecodeLimits.DEFAULT, false, false);

    /**
     * Checks the options.
     *
     * @param limits decode limits for the source; not null
     * @param allowUpscale whether a source smaller than the box may be enlarged
     * @param keepMetadata whether the thumbnail keeps the source's metadata
     * @throws NullPointerException if {@code limits} is null
     */
    public ThumbnailOptions {
        Arguments.requireNonNull(limits, "limits");
    }

    /**
     * Options without metadata (not {@code keepMetadata}), as before metadata existed.
     *
     * @param limits decode limits for the source; not null
     * @param allowUpscale whether a source smaller than the box may be enlarged
     * @throws NullPointerException if {@code limits} is null
     */
    public ThumbnailOptions(DecodeLimits limits, boolean allowUpscale) {
        this(limits, allowUpscale, false);
    }

    /**
     * Returns a copy with other limits.
     *
     * @param limits the decode limits; not null
     * @return the new options
     * @throws NullPointerException if {@code limits} is null
     */
    public ThumbnailOptions withLimits(DecodeLimits limits) {
        return new ThumbnailOptions(limits, allowUpscale, keepMetadata);
    }

    /**
     * Returns a copy that does or does not enlarge sources smaller than the box.
     *
     * @param allowUpscale whether a source smaller than the box may be enlarged
     * @return the new options
     */
    public ThumbnailOptions withAllowUpscale(boolean allowUpscale) {
        return new ThumbnailOptions(limits, allowUpscale, keepMetadata);
    }

    /**
     * Returns a copy that keeps ({@code true}) or strips ({@code false}, the default) the
     * source's metadata; see {@link #keepMetadata()}.
     *
     * @param keepMetadata whether the thumbnail keeps the source's metadata
     * @return the new options
     */
    public ThumbnailOptions withKeepMetadata(boolean keepMetadata) {
        return new ThumbnailOptions(limits, allowUpscale, keepMetadata);
    }
}
