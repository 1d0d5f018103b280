package io.pixbridge;

/**
 * The native entry points that read an image's colour profile state and metadata, implemented
 * in {@code bindings-java/native/src/metadata.rs} over the runtime (which checks the codes).
 */
final class NativeMetadata {
    private NativeMetadata() {}

    /** The {@link ColorProfile} value. */
    static native int colorProfile(long image);

    /** A copy of a raw block ({@code block} a {@link MetadataBlock} value), or null when absent. */
    static native byte[] block(long image, int block);

    /**
     * {@code {orientation, iso, exposureTime, fNumber, focalLength, latitude, longitude, altitude}};
     * absent fields are 0 (the two integers) or NaN.
     */
    static native double[] exifNumbers(long image);

    /** A text EXIF field ({@code field} an {@link ExifText} value), or null when absent. */
    static native String exifText(long image, int field);

    /** The PNG text entries as {@code {keyword0, text0, keyword1, text1, ...}}. */
    static native String[] textEntries(long image);
}
