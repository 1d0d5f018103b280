package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Colour management and metadata through the Java API, against independent references: the
 * fixtures in testdata/colour were converted to sRGB by lcms2 (Pillow's ImageCms) and their EXIF
 * written by Pillow (testdata/colour/make_fixtures.py; the values below are the script's).
 */
class ColourMetadataTest {
    private static final DecodeOptions KEEP = DecodeOptions.DEFAULT.withKeepProfile(true);

    private static Path colour(String name) {
        return TestSupport.testdata("colour/" + name);
    }

    private static byte[] read(String name) throws IOException {
        return Files.readAllBytes(colour(name));
    }

    private static byte[] pixels(Image image) {
        byte[] out = new byte[image.width() * image.height() * 4];
        image.copyPixels(out);
        return out;
    }

    /** {max, mean} absolute difference of R, G and B (alpha ignored). */
    private static double[] difference(Image a, Image b) {
        assertEquals(a.width(), b.width());
        assertEquals(a.height(), b.height());
        byte[] p = pixels(a);
        byte[] q = pixels(b);
        int max = 0;
        long sum = 0;
        long n = 0;
        for (int i = 0; i < p.length; i += 4) {
            for (int c = 0; c < 3; c++) {
                int d = Math.abs((p[i + c] & 0xFF) - (q[i + c] & 0xFF));
                max = Math.max(max, d);
                sum += d;
                n++;
            }
        }
        return new double[] {max, (double) sum / n};
    }

    @ParameterizedTest
    @ValueSource(strings = {"p3.jpg", "adobergb.jpg", "p3.png"})
    void wideGamutPhotosDecodeToTheColoursLcms2Gives(String name) {
        try (Image decoded = Image.open(colour(name));
                Image reference = Image.open(colour(name + ".srgb.png"));
                Image kept = Image.open(colour(name), KEEP)) {
            assertEquals(ColorProfile.SRGB, decoded.colorProfile());
            double[] d = difference(decoded, reference);
            System.out.printf("%s: max %.0f, mean %.3f levels from lcms2%n", name, d[0], d[1]);
            assertTrue(d[0] <= 2 && d[1] <= 0.25, name + ": max " + d[0] + ", mean " + d[1]);
            assertEquals(ColorProfile.EMBEDDED, kept.colorProfile());
            double keptMax = difference(kept, reference)[0];
            assertTrue(keptMax > 10, name + ": the stored pixels should differ from sRGB (max " + keptMax + ")");
        }
    }

    @Test
    void theIccProfileAndRawBlocks() throws IOException {
        byte[] icc = read("p3.icc");
        try (Image kept = Image.decode(read("p3.jpg"), KEEP); Image converted = Image.open(colour("p3.jpg"))) {
            assertArrayEquals(icc, kept.metadata(MetadataBlock.ICC).orElseThrow());
            assertArrayEquals(icc, converted.metadata(MetadataBlock.ICC).orElseThrow(), "as stored, also when converted");
            assertEquals(Optional.empty(), converted.metadata(MetadataBlock.XMP));
            byte[] exif = converted.metadata(MetadataBlock.EXIF).orElseThrow();
            String start = new String(exif, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(start.equals("II*\0") || start.equals("MM\0*"), "a TIFF structure");
        }
    }

    @Test
    void exifFieldsAreReadAsPillowWroteThem() {
        ExifData exif;
        try (Image image = Image.open(colour("p3.jpg"))) {
            exif = image.exif().orElseThrow();
        }
        assertEquals(Optional.of("Pixbridge P3 Camera"), exif.make());
        assertEquals(Optional.of("Model P3"), exif.model());
        assertEquals(Optional.of("Test Lens 35mm F2.8"), exif.lensModel());
        assertEquals(Optional.of("2024:05:06 07:08:09"), exif.dateTakenText());
        assertEquals(Optional.of(LocalDateTime.of(2024, 5, 6, 7, 8, 9)), exif.dateTaken());
        assertEquals(Optional.of("Pixbridge fixture script"), exif.software());
        assertEquals(Optional.of("Pixbridge Tests"), exif.artist());
        assertEquals(Optional.of("CC0 test fixture"), exif.copyright());
        assertEquals(OptionalInt.of(1), exif.orientation());
        assertEquals(OptionalDouble.of(1.0 / 250.0), exif.exposureTime());
        assertEquals(OptionalDouble.of(2.8), exif.fNumber());
        assertEquals(OptionalInt.of(400), exif.iso());
        assertEquals(OptionalDouble.of(35.0), exif.focalLength());
        // 52° 30' 36" N, 1° 15' 0" W, 62.5 m.
        assertEquals(52.51, exif.latitude().orElseThrow(), 1e-9);
        assertEquals(-1.25, exif.longitude().orElseThrow(), 1e-9);
        assertEquals(OptionalDouble.of(62.5), exif.altitude());
    }

    @Test
    void imagesWithoutMetadata() {
        try (Image plain = Image.fromPixels(4, 4, new byte[64])) {
            assertEquals(Optional.empty(), plain.exif());
            assertEquals(Optional.empty(), plain.metadata(MetadataBlock.ICC));
            assertEquals(List.of(), plain.textEntries());
            assertEquals(ColorProfile.NONE, plain.colorProfile());
        }
    }

    @Test
    void pngTextEntries() throws IOException {
        try (Image image = Image.open(colour("p3.png"))) {
            List<Map.Entry<String, String>> entries = image.textEntries();
            Map<String, String> text = new java.util.HashMap<>();
            entries.forEach(entry -> text.put(entry.getKey(), entry.getValue()));
            assertEquals("Coffee in Display P3", text.get("Title"));
            assertEquals("Fusée, iTXt with UTF-8", text.get("Description"));
            assertTrue(text.get("Comment").startsWith("A zTXt chunk: compressed text"), text.get("Comment"));
            assertArrayEquals(read("p3.icc"), image.metadata(MetadataBlock.ICC).orElseThrow());
            assertThrows(UnsupportedOperationException.class, () -> entries.add(Map.entry("a", "b")));
        }
    }

    @Test
    void aSavedJpegKeepsExifAndTheKeptProfileUnlessStripped() throws IOException {
        byte[] icc = read("p3.icc");
        try (Image kept = Image.open(colour("p3.jpg"), KEEP)) {
            try (Image again = Image.decode(kept.encode(ImageFormat.JPEG), KEEP)) {
                assertArrayEquals(icc, again.metadata(MetadataBlock.ICC).orElseThrow());
                assertEquals(ColorProfile.EMBEDDED, again.colorProfile());
                assertEquals(Optional.of("Pixbridge P3 Camera"), again.exif().orElseThrow().make());
            }
            byte[] stripped = kept.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withStripMetadata(true));
            try (Image again = Image.decode(stripped)) {
                assertEquals(Optional.empty(), again.exif());
                assertEquals(Optional.empty(), again.metadata(MetadataBlock.EXIF));
                assertEquals(Optional.empty(), again.metadata(MetadataBlock.ICC));
            }
        }
        try (Image converted = Image.open(colour("p3.jpg"));
                Image again = Image.decode(converted.encode(ImageFormat.JPEG))) {
            assertEquals(Optional.empty(), again.metadata(MetadataBlock.ICC), "sRGB pixels: no profile written");
            assertEquals(OptionalInt.of(400), again.exif().orElseThrow().iso());
        }
    }

    @Test
    void thumbnailsStripMetadataUnlessAskedAndMatchTheColourManagedReference() throws IOException {
        byte[] data = read("p3.jpg");
        try (Image thumb = Image.thumbnail(data, 80, 80, ThumbnailFit.CONTAIN)) {
            assertEquals(ColorProfile.SRGB, thumb.colorProfile());
            assertEquals(Optional.empty(), thumb.exif());
            assertEquals(Optional.empty(), thumb.metadata(MetadataBlock.ICC));
            try (Image full = Image.open(colour("p3.jpg.srgb.png"));
                    Image reference = full.resize(thumb.width(), thumb.height(), ResizeFilter.LANCZOS3);
                    Image storedFull = Image.decode(data, KEEP);
                    Image stored = storedFull.resize(thumb.width(), thumb.height(), ResizeFilter.LANCZOS3)) {
                double[] d = difference(thumb, reference);
                double unmanaged = difference(stored, reference)[1];
                System.out.printf("p3 thumbnail %dx%d against lcms2 resized: max %.0f, mean %.3f (unconverted %.3f)%n",
                        thumb.width(), thumb.height(), d[0], d[1], unmanaged);
                assertTrue(d[1] <= 2.0 && d[1] * 3 < unmanaged, "mean " + d[1] + ", unconverted " + unmanaged);
            }
        }
        ThumbnailOptions keep = ThumbnailOptions.DEFAULT.withKeepMetadata(true);
        assertTrue(keep.keepMetadata());
        try (Image kept = Image.thumbnail(data, 80, 80, ThumbnailFit.CONTAIN, keep)) {
            assertEquals(Optional.of("Pixbridge P3 Camera"), kept.exif().orElseThrow().make());
        }
    }

    @Test
    void badCodesAndNullsThrow() {
        try (Image image = Image.open(colour("p3.jpg"))) {
            assertThrows(NullPointerException.class, () -> image.metadata(null));
        }
        // The enums cannot carry a bad code; the native side checks the raw numbers.
        byte[] path = colour("p3.jpg").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long handle = NativeImage.open(path, 32768, 32768, 1L << 29);
        try {
            for (int bad : new int[] {3, -1, Integer.MAX_VALUE}) {
                PixbridgeException e = assertThrows(PixbridgeException.class, () -> NativeMetadata.block(handle, bad));
                assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            }
            for (int bad : new int[] {7, -1}) {
                PixbridgeException e = assertThrows(PixbridgeException.class, () -> NativeMetadata.exifText(handle, bad));
                assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            }
            assertEquals("Model P3", NativeMetadata.exifText(handle, ExifText.MODEL.value()));
        } finally {
            NativeImage.destroy(handle);
        }
        PixbridgeException stale = assertThrows(PixbridgeException.class, () -> NativeMetadata.colorProfile(handle));
        assertEquals(ErrorCode.INVALID_HANDLE, stale.code());
        Image closed = Image.open(colour("p3.jpg"));
        closed.close();
        assertThrows(IllegalStateException.class, closed::exif);
        assertThrows(IllegalStateException.class, closed::colorProfile);
        assertThrows(IllegalStateException.class, closed::textEntries);
    }
}
