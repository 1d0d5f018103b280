package io.pixbridge;

import static io.pixbridge.ThumbnailTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EncodeOptions} through {@link Image#encode(ImageFormat, EncodeOptions)} and the two
 * {@code save} overloads. JPEG properties are read from the file's own frame header (SOF): the
 * sampling factors of each component and the SOF type (SOF2 = progressive).
 */
class EncodeOptionsTest {
    private static final Path ROCKET = TestSupport.testdata("rocket.jpg");

    @TempDir
    Path temp;

    private long baseline;

    @BeforeEach
    void countHandles() {
        baseline = Diagnostics.liveHandleCount();
    }

    @AfterEach
    void noHandleLeaked() {
        assertEquals(baseline, Diagnostics.liveHandleCount(), "live native handles after the test");
    }

    /** The frame header of a JPEG: SOF marker (0xC0 baseline, 0xC2 progressive, ...) and per component H << 4 | V. */
    record Frame(int marker, List<Integer> sampling) {
        /** Sampling of component {@code i} as {@code "HxV"}. */
        String factors(int i) {
            int hv = sampling.get(i);
            return (hv >> 4) + "x" + (hv & 0xf);
        }
    }

    /** Walks the JPEG's marker segments up to the first SOF and reads it. */
    static Frame frame(byte[] jpeg) {
        assertTrue(jpeg.length > 4 && (jpeg[0] & 0xff) == 0xff && (jpeg[1] & 0xff) == 0xd8, "starts with SOI");
        int at = 2;
        while (at + 4 <= jpeg.length) {
            assertEquals(0xff, jpeg[at] & 0xff, "marker at " + at);
            int marker = jpeg[at + 1] & 0xff;
            if (marker == 0xff) { // fill byte
                at++;
                continue;
            }
            int length = ((jpeg[at + 2] & 0xff) << 8) | (jpeg[at + 3] & 0xff);
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                int components = jpeg[at + 9] & 0xff;
                List<Integer> sampling = new ArrayList<>();
                for (int c = 0; c < components; c++) {
                    sampling.add(jpeg[at + 10 + 3 * c + 1] & 0xff);
                }
                return new Frame(marker, sampling);
            }
            assertNotEquals(0xda, marker, "SOS before any SOF");
            at += 2 + length;
        }
        throw new AssertionError("no SOF marker");
    }

    @Test
    void defaultsAre420BaselineAndMatchPlainEncode() {
        try (Image image = Image.open(ROCKET)) {
            byte[] withDefaults = image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT);
            Frame frame = frame(withDefaults);
            assertEquals(0xc0, frame.marker(), "baseline SOF0");
            assertEquals(List.of("2x2", "1x1", "1x1"), List.of(frame.factors(0), frame.factors(1), frame.factors(2)), "4:2:0");
            assertArrayEquals(image.encode(ImageFormat.JPEG), withDefaults, "the defaults are encode()'s");
        }
    }

    @Test
    void subsampling444And422And420() {
        try (Image image = Image.open(ROCKET)) {
            Frame f444 = frame(image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withSubsampling(ChromaSubsampling.YUV444)));
            Frame f422 = frame(image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withSubsampling(ChromaSubsampling.YUV422)));
            Frame f420 = frame(image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withSubsampling(ChromaSubsampling.YUV420)));
            assertEquals(3, f444.sampling().size());
            // The factors relative to the largest: 4:4:4 has chroma at full resolution.
            assertEquals(f444.sampling().get(0), f444.sampling().get(1), "4:4:4: Cb like Y");
            assertEquals(f444.sampling().get(0), f444.sampling().get(2), "4:4:4: Cr like Y");
            assertEquals(List.of("2x1", "1x1", "1x1"), List.of(f422.factors(0), f422.factors(1), f422.factors(2)), "4:2:2");
            assertEquals(List.of("2x2", "1x1", "1x1"), List.of(f420.factors(0), f420.factors(1), f420.factors(2)), "4:2:0");
        }
    }

    @Test
    void progressiveWritesSof2AndOptimizedHuffmanStaysBaselineAndSmaller() {
        try (Image image = Image.open(ROCKET)) {
            byte[] baseline = image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT);
            byte[] progressive = image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withProgressive(true));
            byte[] optimized = image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withOptimizeHuffman(true));
            assertEquals(0xc2, frame(progressive).marker(), "progressive SOF2");
            assertEquals(0xc0, frame(optimized).marker(), "optimised Huffman tables keep SOF0");
            assertTrue(optimized.length < baseline.length, optimized.length + " < " + baseline.length);
            try (Image decoded = Image.decode(progressive)) {
                assertEquals(image.width(), decoded.width());
            }
        }
    }

    @Test
    void qualityChangesTheSize() {
        try (Image image = Image.open(ROCKET)) {
            int low = image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withQuality(20)).length;
            int high = image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withQuality(98)).length;
            assertTrue(low < high, low + " < " + high);
            assertArrayEquals(image.encode(ImageFormat.JPEG, 75),
                    image.encode(ImageFormat.JPEG, EncodeOptions.DEFAULT.withQuality(75)), "the same quality as encode(format, 75)");
        }
    }

    @Test
    void pngLevel9IsNoLargerThanLevel1AndBothAreLossless() {
        try (Image image = Image.open(TestSupport.testdata("chelsea.png"))) {
            byte[] level1 = image.encode(ImageFormat.PNG, EncodeOptions.DEFAULT.withPngCompression(1));
            byte[] level9 = image.encode(ImageFormat.PNG, EncodeOptions.DEFAULT.withPngCompression(9));
            assertTrue(level9.length <= level1.length, level9.length + " <= " + level1.length);
            String expected = TestSupport.pixelSha256(image);
            for (byte[] png : new byte[][] {level1, level9}) {
                try (Image decoded = Image.decode(png)) {
                    assertEquals(expected, TestSupport.pixelSha256(decoded));
                }
            }
            assertArrayEquals(image.encode(ImageFormat.PNG), image.encode(ImageFormat.PNG, EncodeOptions.DEFAULT));
        }
    }

    @Test
    void saveWithOptionsByExtensionAndExplicitFormat() throws IOException {
        EncodeOptions options = EncodeOptions.DEFAULT.withProgressive(true).withSubsampling(ChromaSubsampling.YUV444);
        try (Image image = Image.open(ROCKET)) {
            Path byExtension = temp.resolve("out.jpg");
            image.save(byExtension, options);
            byte[] written = Files.readAllBytes(byExtension);
            assertEquals(0xc2, frame(written).marker());
            assertArrayEquals(image.encode(ImageFormat.JPEG, options), written, "save writes what encode returns");

            Path explicit = temp.resolve("out.data");
            image.save(explicit, ImageFormat.JPEG, options);
            assertArrayEquals(written, Files.readAllBytes(explicit), "the explicit format ignores the extension");

            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            image.write(stream, ImageFormat.JPEG, options);
            assertArrayEquals(written, stream.toByteArray());

            Path png = temp.resolve("level9.png");
            image.save(png, EncodeOptions.DEFAULT.withPngCompression(9));
            try (Image decoded = Image.open(png)) {
                assertEquals(TestSupport.pixelSha256(image), TestSupport.pixelSha256(decoded));
            }

            assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> image.save(temp.resolve("out.unknown"), options));
            assertCode(ErrorCode.NOT_FOUND, () -> image.save(temp.resolve("missing-folder/out.jpg"), options));
            assertFalse(Files.exists(temp.resolve("out.unknown")));
        }
    }

    @Test
    void otherFormatsIgnoreTheJpegAndPngSettings() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            EncodeOptions everything = EncodeOptions.DEFAULT.withQuality(10).withProgressive(true).withPngCompression(9);
            assertArrayEquals(image.encode(ImageFormat.QOI), image.encode(ImageFormat.QOI, everything));
        }
    }

    @Test
    void badValuesAreRejectedInJava() {
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withQuality(0));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withQuality(101));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withPngCompression(0));
        assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withPngCompression(10));
        assertThrows(NullPointerException.class, () -> EncodeOptions.DEFAULT.withSubsampling(null));
        Image image = Image.fromPixels(2, 2, new byte[16]);
        try {
            assertThrows(NullPointerException.class, () -> image.encode(null, EncodeOptions.DEFAULT));
            assertThrows(NullPointerException.class, () -> image.encode(ImageFormat.PNG, (EncodeOptions) null));
            assertThrows(NullPointerException.class, () -> image.save(temp.resolve("x.png"), (EncodeOptions) null));
            assertThrows(NullPointerException.class, () -> image.save(temp.resolve("x.png"), null, EncodeOptions.DEFAULT));
        } finally {
            image.close();
        }
        assertThrows(IllegalStateException.class, () -> image.encode(ImageFormat.PNG, EncodeOptions.DEFAULT));
        assertThrows(IllegalStateException.class, () -> image.save(temp.resolve("x.png"), EncodeOptions.DEFAULT));
    }

    @Test
    void optionsAreValues() {
        EncodeOptions options = EncodeOptions.DEFAULT.withQuality(80).withSubsampling(ChromaSubsampling.YUV444)
                .withProgressive(true).withOptimizeHuffman(true).withPngCompression(6);
        assertEquals(OptionalInt.of(80), options.quality());
        assertEquals(ChromaSubsampling.YUV444, options.subsampling());
        assertTrue(options.progressive() && options.optimizeHuffman());
        assertEquals(OptionalInt.of(6), options.pngCompression());
        assertEquals(OptionalInt.empty(), EncodeOptions.DEFAULT.quality());
        assertEquals(OptionalInt.empty(), EncodeOptions.DEFAULT.pngCompression());
        assertEquals(ChromaSubsampling.YUV420, EncodeOptions.DEFAULT.subsampling());
        EncodeOptions back = options.withDefaultQuality().withSubsampling(ChromaSubsampling.YUV420)
                .withProgressive(false).withOptimizeHuffman(false).withDefaultPngCompression();
        assertEquals(EncodeOptions.DEFAULT, back);
        assertEquals(EncodeOptions.DEFAULT.hashCode(), back.hashCode());
        assertNotEquals(EncodeOptions.DEFAULT, options);
        assertTrue(options.toString().contains("quality=80"), options.toString());
    }
}
