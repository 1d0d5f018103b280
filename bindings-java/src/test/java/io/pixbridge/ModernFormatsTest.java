package io.pixbridge;

import static io.pixbridge.ThumbnailTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lossy WebP ({@link EncodeOptions#withWebPQuality(int)}) and AVIF
 * ({@link EncodeOptions#withAvifQuality(int)}, {@link EncodeOptions#withAvifSpeed(int)}): the files'
 * magic bytes, sizes against lossless WebP, the lossy WebP decoded back, and out-of-range values.
 * The pixels themselves are checked against Debian's {@code dwebp} and {@code avifdec} in
 * core/tests/modern_formats.rs.
 */
class ModernFormatsTest {
    /** A 451 x 300 RGB photograph. */
    private static final Path PHOTO = TestSupport.testdata("chelsea.png");

    private static final EncodeOptions STRIPPED = EncodeOptions.DEFAULT.withStripMetadata(true);

    @TempDir
    Path temp;

    private static String ascii(byte[] bytes, int offset, int count) {
        return new String(bytes, offset, count, StandardCharsets.US_ASCII);
    }

    @Test
    void lossyWebPIsSmallerThanLosslessAndDecodesBack() throws Exception {
        try (Image photo = Image.open(PHOTO)) {
            byte[] lossless = photo.encode(ImageFormat.WEBP, STRIPPED);
            byte[] lossy = photo.encode(ImageFormat.WEBP, STRIPPED.withWebPQuality(75));
            assertEquals("RIFF", ascii(lossless, 0, 4));
            assertEquals("WEBPVP8L", ascii(lossless, 8, 8));
            assertEquals("RIFF", ascii(lossy, 0, 4));
            assertEquals("WEBPVP8 ", ascii(lossy, 8, 8));
            assertTrue(lossy.length * 4 < lossless.length, "lossy " + lossy.length + ", lossless " + lossless.length);
            byte[] smaller = photo.encode(ImageFormat.WEBP, STRIPPED.withWebPQuality(20));
            assertTrue(smaller.length < lossy.length, "quality 20: " + smaller.length + ", 75: " + lossy.length);
            try (Image decoded = Image.decode(lossy)) {
                assertEquals(451, decoded.width());
                assertEquals(300, decoded.height());
            }
            // The quality overloads select lossy WebP too, synchronously and asynchronously.
            try (Image again = Image.decode(photo.encode(ImageFormat.WEBP, 75))) {
                assertEquals(451, again.width());
            }
            byte[] asynchronous = photo.encodeAsync(ImageFormat.WEBP, 75).get();
            assertEquals("WEBPVP8", ascii(asynchronous, 8, 7));
            assertTrue(asynchronous.length * 4 < lossless.length);
            // Back to lossless.
            assertEquals("WEBPVP8L",
                    ascii(photo.encode(ImageFormat.WEBP, STRIPPED.withWebPQuality(75).withLosslessWebP()), 8, 8));
        }
    }

    @Test
    void avifIsWrittenWithQualityAndSpeed() throws Exception {
        try (Image photo = Image.open(PHOTO)) {
            byte[] lossless = photo.encode(ImageFormat.WEBP, STRIPPED);
            byte[] avif = photo.encode(ImageFormat.AVIF, EncodeOptions.DEFAULT.withAvifQuality(60).withAvifSpeed(9));
            assertEquals("ftypavif", ascii(avif, 4, 8));
            assertTrue(avif.length * 4 < lossless.length, "AVIF " + avif.length + ", lossless WebP " + lossless.length);
            byte[] better = photo.encode(ImageFormat.AVIF, EncodeOptions.DEFAULT.withAvifQuality(95).withAvifSpeed(9));
            assertTrue(better.length > avif.length, "quality 95: " + better.length + ", 60: " + avif.length);
            // Saved by extension; this build cannot decode AVIF and says so.
            Path path = temp.resolve("photo.avif");
            photo.save(path, EncodeOptions.DEFAULT.withAvifSpeed(10));
            assertEquals("ftypavif", ascii(Files.readAllBytes(path), 4, 8));
            PixbridgeException error = assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(avif).close());
            assertTrue(error.getMessage().contains("AVIF decoding is not available"), error.getMessage());
        }
    }

    @Test
    void optionsOutOfRangeThrow() {
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withWebPQuality(0));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withWebPQuality(101));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withAvifQuality(0));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withAvifQuality(101));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withAvifSpeed(0));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withAvifSpeed(11));
        EncodeOptions options =
                EncodeOptions.DEFAULT.withWebPQuality(50).withAvifQuality(40).withAvifSpeed(10).withStripMetadata(true);
        assertEquals(OptionalInt.of(50), options.webpQuality());
        assertEquals(OptionalInt.of(40), options.avifQuality());
        assertEquals(OptionalInt.of(10), options.avifSpeed());
        assertTrue(options.stripMetadata());
        assertEquals(EncodeOptions.DEFAULT,
                options.withLosslessWebP().withDefaultAvifQuality().withDefaultAvifSpeed().withStripMetadata(false));
        assertFalse(EncodeOptions.DEFAULT.webpQuality().isPresent());
        // A quality above 100 through the quality overload is refused natively.
        try (Image photo = Image.open(PHOTO)) {
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> photo.encode(ImageFormat.AVIF, 101));
        }
    }
}
