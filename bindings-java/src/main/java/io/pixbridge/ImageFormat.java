package io.pixbridge;

import java.util.Locale;

/** A file format Pixbridge can encode to, with the stable number the C ABI uses. */
public enum ImageFormat {
    /** Portable Network Graphics. */
    PNG(0),
    /** JPEG; drops alpha; the only format that takes a quality. */
    JPEG(1),
    /** WebP (lossless). */
    WEBP(2),
    /** Windows bitmap. */
    BMP(3),
    /** TIFF. */
    TIFF(4),
    /** GIF. */
    GIF(5),
    /** Quite OK Image format. */
    QOI(6),
    /** Truevision TGA. */
    TGA(7),
    /** Portable anymap (PGM/PPM/PAM). */
    PNM(8),
    /** Windows icon. */
    ICO(9);

    private final int value;

    ImageFormat(int value) {
        this.value = value;
    }

    /**
     * Returns the stable number of this format, as used by the C ABI.
     *
     * @return the format's number
     */
    public int value() {
        return value;
    }

    /**
     * Returns the format with the given name, ignoring case ({@code "png"}, {@code "jpeg"} or
     * {@code "jpg"}, {@code "webp"}, ...), as written in {@code testdata/manifest.json}.
     *
     * @param name the format's name
     * @return the matching format
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if no format has that name
     */
    public static ImageFormat fromName(String name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.equals("JPG")) {
            return JPEG;
        }
        try {
            return valueOf(upper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown image format name: " + name, e);
        }
    }
}
