package io.pixbridge;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Encoder settings for {@link Image#save(java.nio.file.Path, EncodeOptions)},
 * {@link Image#save(java.nio.file.Path, ImageFormat, EncodeOptions)} and
 * {@link Image#encode(ImageFormat, EncodeOptions)}. Immutable; start from {@link #DEFAULT} and
 * change settings with the {@code with...} methods.
 *
 * <p>Each format reads the settings that apply to it and ignores the others: JPEG reads the
 * quality, the chroma subsampling, progressive and optimised Huffman tables; PNG reads the
 * compression level; WebP reads the WebP quality (none: lossless); AVIF reads the AVIF quality
 * and speed; the other formats have no settings. {@link #DEFAULT} holds the defaults of every
 * format: JPEG quality 90, {@link ChromaSubsampling#YUV420 4:2:0}, baseline, standard Huffman
 * tables; PNG level 1 (fast); lossless WebP; AVIF quality 80 at speed 6; metadata kept.
 *
 * <pre>{@code
 * EncodeOptions options = EncodeOptions.DEFAULT.withQuality(80).withProgressive(true);
 * image.save(Path.of("out.jpg"), options);
 * image.save(Path.of("out.webp"), EncodeOptions.DEFAULT.withWebPQuality(75)); // lossy WebP
 * image.save(Path.of("out.avif"), EncodeOptions.DEFAULT.withAvifQuality(60).withAvifSpeed(8));
 * }</pre>
 */
public final class EncodeOptions {
    /**
     * The defaults of every format: JPEG quality 90, 4:2:0, baseline; PNG level 1; lossless WebP;
     * AVIF quality 80, speed 6; metadata kept.
     */
    public static final EncodeOptions DEFAULT =
            new EncodeOptions(0, ChromaSubsampling.YUV420, false, false, 0, 0, 0, 0, false);

    /** 1-100, or 0 for the default (the native layer's convention). */
    private final int quality;
    private final ChromaSubsampling subsampling;
    private final boolean progressive;
    private final boolean optimizeHuffman;
    /** 1-9, or 0 for the default. */
    private final int pngCompression;
    /** 1-100 (lossy), or 0 for lossless. */
    private final int webpQuality;
    /** 1-100, or 0 for the default. */
    private final int avifQuality;
    /** 1-10, or 0 for the default. */
    private final int avifSpeed;
    private final boolean stripMetadata;

    private EncodeOptions(int quality, ChromaSubsampling subsampling, boolean progressive, boolean optimizeHuffman,
            int pngCompression, int webpQuality, int avifQuality, int avifSpeed, boolean stripMetadata) {
        this.quality = quality;
        this.subsampling = subsampling;
        this.progressive = progressive;
        this.optimizeHuffman = optimizeHuffman;
        this.pngCompression = pngCompression;
        this.webpQuality = webpQuality;
        this.avifQuality = avifQuality;
        this.avifSpeed = avifSpeed;
        this.stripMetadata = stripMetadata;
    }

    /**
     * Returns a copy with a JPEG quality.
     *
     * @param quality 1 (smallest) to 100 (best)
     * @return the new options
     * @throws IllegalArgumentException if {@code quality} is outside 1-100
     */
    public EncodeOptions withQuality(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be 1 to 100, got " + quality);
        }
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with the default JPEG quality (90).
     *
     * @return the new options
     */
    public EncodeOptions withDefaultQuality() {
        return new EncodeOptions(0, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with a JPEG chroma subsampling. Grey images have no chroma and ignore it.
     *
     * @param subsampling the subsampling; the default is {@link ChromaSubsampling#YUV420}
     * @return the new options
     * @throws NullPointerException if {@code subsampling} is null
     */
    public EncodeOptions withSubsampling(ChromaSubsampling subsampling) {
        Arguments.requireNonNull(subsampling, "subsampling");
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy that writes progressive (or baseline) JPEGs.
     *
     * @param progressive true for a progressive JPEG; the default is false (baseline)
     * @return the new options
     */
    public EncodeOptions withProgressive(boolean progressive) {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy that computes optimal Huffman tables for a baseline JPEG (a few percent
     * smaller, somewhat slower) or not. Progressive JPEGs always use optimal tables.
     *
     * @param optimizeHuffman true for optimal tables; the default is false (standard tables)
     * @return the new options
     */
    public EncodeOptions withOptimizeHuffman(boolean optimizeHuffman) {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with a PNG compression level.
     *
     * @param level 1 (fastest) to 9 (smallest)
     * @return the new options
     * @throws IllegalArgumentException if {@code level} is outside 1-9
     */
    public EncodeOptions withPngCompression(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("PNG compression level must be 1 to 9, got " + level);
        }
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, level, webpQuality, avifQuality,
                avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with the default PNG compression level (1).
     *
     * @return the new options
     */
    public EncodeOptions withDefaultPngCompression() {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, 0, webpQuality, avifQuality,
                avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy that writes lossy WebP at a quality (libwebp; alpha is kept). Without it
     * WebP is written lossless.
     *
     * @param quality 1 (smallest) to 100 (best)
     * @return the new options
     * @throws IllegalArgumentException if {@code quality} is outside 1-100
     */
    public EncodeOptions withWebPQuality(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("WebP quality must be 1 to 100, got " + quality);
        }
        return new EncodeOptions(this.quality, subsampling, progressive, optimizeHuffman, pngCompression, quality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy that writes lossless WebP (the default).
     *
     * @return the new options
     */
    public EncodeOptions withLosslessWebP() {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, 0, avifQuality,
                avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with an AVIF quality.
     *
     * @param quality 1 (smallest) to 100 (best); the default is 80
     * @return the new options
     * @throws IllegalArgumentException if {@code quality} is outside 1-100
     */
    public EncodeOptions withAvifQuality(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("AVIF quality must be 1 to 100, got " + quality);
        }
        return new EncodeOptions(this.quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                quality, avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with the default AVIF quality (80).
     *
     * @return the new options
     */
    public EncodeOptions withDefaultAvifQuality() {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality, 0,
                avifSpeed, stripMetadata);
    }

    /**
     * Returns a copy with an AVIF encoder speed.
     *
     * @param speed 1 (slowest, smallest files) to 10 (fastest); the default is 6
     * @return the new options
     * @throws IllegalArgumentException if {@code speed} is outside 1-10
     */
    public EncodeOptions withAvifSpeed(int speed) {
        if (speed < 1 || speed > 10) {
            throw new IllegalArgumentException("AVIF speed must be 1 to 10, got " + speed);
        }
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, speed, stripMetadata);
    }

    /**
     * Returns a copy with the default AVIF speed (6).
     *
     * @return the new options
     */
    public EncodeOptions withDefaultAvifSpeed() {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, 0, stripMetadata);
    }

    /**
     * Returns a copy that leaves out (or keeps) the metadata a save would otherwise keep where the
     * format can carry it: EXIF, XMP and the ICC profile.
     *
     * @param stripMetadata true to leave the metadata out; the default is false (kept)
     * @return the new options
     */
    public EncodeOptions withStripMetadata(boolean stripMetadata) {
        return new EncodeOptions(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Returns the JPEG quality, or an empty value for the default (90).
     *
     * @return the quality 1-100, or empty
     */
    public OptionalInt quality() {
        return quality == 0 ? OptionalInt.empty() : OptionalInt.of(quality);
    }

    /**
     * Returns the JPEG chroma subsampling.
     *
     * @return the subsampling
     */
    public ChromaSubsampling subsampling() {
        return subsampling;
    }

    /**
     * Returns whether JPEGs are written progressive.
     *
     * @return true for progressive, false for baseline
     */
    public boolean progressive() {
        return progressive;
    }

    /**
     * Returns whether baseline JPEGs get optimal Huffman tables.
     *
     * @return true for optimal tables
     */
    public boolean optimizeHuffman() {
        return optimizeHuffman;
    }

    /**
     * Returns the PNG compression level, or an empty value for the default (1).
     *
     * @return the level 1-9, or empty
     */
    public OptionalInt pngCompression() {
        return pngCompression == 0 ? OptionalInt.empty() : OptionalInt.of(pngCompression);
    }

    /**
     * Returns the WebP quality, or an empty value for lossless WebP (the default).
     *
     * @return the quality 1-100, or empty
     */
    public OptionalInt webpQuality() {
        return webpQuality == 0 ? OptionalInt.empty() : OptionalInt.of(webpQuality);
    }

    /**
     * Returns the AVIF quality, or an empty value for the default (80).
     *
     * @return the quality 1-100, or empty
     */
    public OptionalInt avifQuality() {
        return avifQuality == 0 ? OptionalInt.empty() : OptionalInt.of(avifQuality);
    }

    /**
     * Returns the AVIF speed, or an empty value for the default (6).
     *
     * @return the speed 1-10, or empty
     */
    public OptionalInt avifSpeed() {
        return avifSpeed == 0 ? OptionalInt.empty() : OptionalInt.of(avifSpeed);
    }

    /**
     * Returns whether a save leaves out the metadata (EXIF, XMP, ICC profile).
     *
     * @return true if the metadata is left out
     */
    public boolean stripMetadata() {
        return stripMetadata;
    }

    /** The native quality: 1-100, or 0 for the default. */
    int nativeQuality() {
        return quality;
    }

    /** The native PNG level: 1-9, or 0 for the default. */
    int nativePngCompression() {
        return pngCompression;
    }

    /** The native WebP quality: 1-100, or 0 for lossless. */
    int nativeWebPQuality() {
        return webpQuality;
    }

    /** The native AVIF quality: 1-100, or 0 for the default. */
    int nativeAvifQuality() {
        return avifQuality;
    }

    /** The native AVIF speed: 1-10, or 0 for the default. */
    int nativeAvifSpeed() {
        return avifSpeed;
    }

    /**
     * Compares all settings.
     *
     * @param other the object to compare with
     * @return true if {@code other} is an {@code EncodeOptions} with the same settings
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof EncodeOptions o
                && quality == o.quality
                && subsampling == o.subsampling
                && progressive == o.progressive
                && optimizeHuffman == o.optimizeHuffman
                && pngCompression == o.pngCompression
                && webpQuality == o.webpQuality
                && avifQuality == o.avifQuality
                && avifSpeed == o.avifSpeed
                && stripMetadata == o.stripMetadata;
    }

    /**
     * Hashes all settings.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(quality, subsampling, progressive, optimizeHuffman, pngCompression, webpQuality,
                avifQuality, avifSpeed, stripMetadata);
    }

    /**
     * Describes the settings.
     *
     * @return for example {@code "EncodeOptions[quality=80, subsampling=YUV420, progressive=true,
     *     optimizeHuffman=false, pngCompression=default, webpQuality=lossless, avifQuality=default,
     *     avifSpeed=default, stripMetadata=false]"}
     */
    @Override
    public String toString() {
        return "EncodeOptions[quality=" + (quality == 0 ? "default" : quality)
                + ", subsampling=" + subsampling
                + ", progressive=" + progressive
                + ", optimizeHuffman=" + optimizeHuffman
                + ", pngCompression=" + (pngCompression == 0 ? "default" : pngCompression)
                + ", webpQuality=" + (webpQuality == 0 ? "lossless" : webpQuality)
                + ", avifQuality=" + (avifQuality == 0 ? "default" : avifQuality)
                + ", avifSpeed=" + (avifSpeed == 0 ? "default" : avifSpeed)
                + ", stripMetadata=" + stripMetadata + "]";
    }
}
