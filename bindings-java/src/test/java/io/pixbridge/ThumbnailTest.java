package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Image#thumbnail(Path, int, int, ThumbnailFit)} and its byte[], ByteBuffer and
 * InputStream overloads. Expected sizes come from {@link #expectedSize}, the documented rules
 * written out here, applied to the source's upright size. Every test ends with the live-handle
 * count it started with.
 */
class ThumbnailTest {
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

    /** Width and height of a test file, from a full decode. */
    private static int[] sourceSize(Path path) {
        try (Image full = Image.open(path)) {
            return new int[] {full.width(), full.height()};
        }
    }

    /** {@code round(a * b / c)}, half up, at least 1. */
    private static int scaleRound(int a, int b, int c) {
        return (int) Math.max(1, (2L * a * b + c) / (2L * c));
    }

    /**
     * The thumbnail size by the documented rules: CONTAIN fits inside the box (one side equal to
     * the box's), COVER covers the box and is cut to it, FILL is the box; without upscaling a
     * source smaller than the box keeps its size (CONTAIN), keeps its size on the smaller axes
     * (FILL), or is cut at its own scale (COVER).
     */
    static int[] expectedSize(int[] source, int boxWidth, int boxHeight, ThumbnailFit fit, boolean allowUpscale) {
        int sw = source[0];
        int sh = source[1];
        boolean widthLimits = (long) boxWidth * sh <= (long) boxHeight * sw;
        switch (fit) {
            case CONTAIN:
                if (!allowUpscale && sw <= boxWidth && sh <= boxHeight) {
                    return new int[] {sw, sh};
                }
                return widthLimits ? new int[] {boxWidth, scaleRound(sh, boxWidth, sw)}
                        : new int[] {scaleRound(sw, boxHeight, sh), boxHeight};
            case FILL:
                return allowUpscale ? new int[] {boxWidth, boxHeight}
                        : new int[] {Math.min(boxWidth, sw), Math.min(boxHeight, sh)};
            case COVER:
                int[] scaled = widthLimits ? new int[] {scaleRound(sw, boxHeight, sh), boxHeight}
                        : new int[] {boxWidth, scaleRound(sh, boxWidth, sw)};
                if (!allowUpscale && (scaled[0] > sw || scaled[1] > sh)) {
                    scaled = new int[] {sw, sh};
                }
                return new int[] {Math.min(boxWidth, scaled[0]), Math.min(boxHeight, scaled[1])};
            default:
                throw new AssertionError(fit);
        }
    }

    private static int[] size(Image image) {
        return new int[] {image.width(), image.height()};
    }

    @Test
    void rocketIsTheLandscapeJpegTheseTestsAssume() {
        assertArrayEquals(new int[] {640, 427}, sourceSize(ROCKET));
    }

    @ParameterizedTest
    @CsvSource({
        "CONTAIN, 200, 200", "CONTAIN, 100, 300", "CONTAIN, 300, 100", "CONTAIN, 400, 32768", "CONTAIN, 1, 1",
        "COVER, 200, 200", "COVER, 100, 300", "COVER, 300, 100", "COVER, 600, 100",
        "FILL, 200, 200", "FILL, 100, 300", "FILL, 33, 17",
    })
    void sizeFollowsTheFitRules(ThumbnailFit fit, int width, int height) {
        int[] expected = expectedSize(sourceSize(ROCKET), width, height, fit, false);
        try (Image thumbnail = Image.thumbnail(ROCKET, width, height, fit)) {
            assertArrayEquals(expected, size(thumbnail), fit + " " + width + "x" + height);
            assertEquals(ColorType.RGB8, thumbnail.colorType());
        }
    }

    @Test
    void theRulesGiveTheseSizesForRocket() {
        // Written out once, so that a mistake shared by the rules above and the library shows.
        try (Image contain = Image.thumbnail(ROCKET, 200, 200, ThumbnailFit.CONTAIN);
             Image cover = Image.thumbnail(ROCKET, 200, 200, ThumbnailFit.COVER);
             Image fill = Image.thumbnail(ROCKET, 33, 17, ThumbnailFit.FILL)) {
            assertArrayEquals(new int[] {200, 133}, size(contain));
            assertArrayEquals(new int[] {200, 200}, size(cover));
            assertArrayEquals(new int[] {33, 17}, size(fill));
        }
    }

    @ParameterizedTest
    @EnumSource(ThumbnailFit.class)
    void exifOrientationIsAppliedBeforeTheBoxIsFitted(ThumbnailFit fit) {
        Path rotated = TestSupport.testdata("rocket-exif6.jpg");
        int[] upright = sourceSize(rotated);
        assertTrue(upright[1] > upright[0], "rocket-exif6.jpg is upright portrait: " + Arrays.toString(upright));
        try (Image thumbnail = Image.thumbnail(rotated, 200, 100, fit)) {
            assertArrayEquals(expectedSize(upright, 200, 100, fit, false), size(thumbnail));
        }
    }

    @ParameterizedTest
    @EnumSource(ThumbnailFit.class)
    void noUpscaleByDefaultAndUpscaleWhenAllowed(ThumbnailFit fit) {
        int[] source = sourceSize(ROCKET);
        try (Image kept = Image.thumbnail(ROCKET, 1000, 900, fit)) {
            assertArrayEquals(expectedSize(source, 1000, 900, fit, false), size(kept));
            assertTrue(kept.width() <= source[0] && kept.height() <= source[1], "not enlarged");
        }
        try (Image explicitNo = Image.thumbnail(ROCKET, 1000, 900, fit, ThumbnailOptions.DEFAULT.withAllowUpscale(false))) {
            assertTrue(explicitNo.width() <= source[0] && explicitNo.height() <= source[1], "not enlarged");
        }
        try (Image enlarged = Image.thumbnail(ROCKET, 1000, 900, fit, ThumbnailOptions.DEFAULT.withAllowUpscale(true))) {
            assertArrayEquals(expectedSize(source, 1000, 900, fit, true), size(enlarged));
            assertTrue(enlarged.width() > source[0], "enlarged");
        }
    }

    @Test
    void unchangedSizeWithoutUpscaleKeepsTheDecodedPixels() {
        Path path = TestSupport.testdata("gradient-64x48.png");
        try (Image thumbnail = Image.thumbnail(path, 500, 500, ThumbnailFit.CONTAIN);
             Image full = Image.open(path)) {
            assertArrayEquals(new int[] {64, 48}, size(thumbnail));
            assertEquals(TestSupport.pixelSha256(full), TestSupport.pixelSha256(thumbnail));
        }
    }

    @ParameterizedTest
    @CsvSource({"rocket.jpg, CONTAIN", "rocket.jpg, COVER", "chelsea.png, FILL", "transparent-40x30.png, COVER"})
    void pathBytesBufferAndStreamGiveIdenticalPixels(String name, ThumbnailFit fit) throws IOException {
        Path path = TestSupport.testdata(name);
        byte[] bytes = Files.readAllBytes(path);
        int w = 120;
        int h = 90;
        String expected;
        try (Image fromPath = Image.thumbnail(path, w, h, fit)) {
            expected = TestSupport.pixelSha256(fromPath);
        }
        assertSame(expected, Image.thumbnail(bytes, w, h, fit), "byte[]");
        assertSame(expected, Image.thumbnail(ByteBuffer.wrap(bytes), w, h, fit), "heap ByteBuffer");
        // A heap buffer over part of a larger array, from a non-zero position.
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 5, bytes.length);
        ByteBuffer window = ByteBuffer.wrap(padded, 2, padded.length - 2).slice();
        window.position(3).limit(3 + bytes.length);
        assertSame(expected, Image.thumbnail(window, w, h, fit), "sliced heap ByteBuffer");
        assertEquals(3, window.position(), "the position is not moved");
        assertSame(expected, Image.thumbnail(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), w, h, fit), "read-only heap ByteBuffer");
        // A direct buffer (read in place), from a non-zero position.
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 9);
        direct.position(9);
        direct.put(bytes);
        direct.position(9);
        assertSame(expected, Image.thumbnail(direct, w, h, fit), "direct ByteBuffer");
        assertEquals(9, direct.position(), "the position is not moved");
        assertEquals(bytes.length + 9, direct.limit());
        assertSame(expected, Image.thumbnail(direct.asReadOnlyBuffer(), w, h, fit), "read-only direct ByteBuffer");
        // A stream that returns few bytes per read.
        try (InputStream in = new TrickleInputStream(bytes)) {
            assertSame(expected, Image.thumbnail(in, w, h, fit), "InputStream");
            assertEquals(-1, in.read(), "the stream was read to its end");
        }
        // The options overloads with the default options give the same pixels.
        assertSame(expected, Image.thumbnail(path, w, h, fit, ThumbnailOptions.DEFAULT), "path + options");
        assertSame(expected, Image.thumbnail(direct, w, h, fit, ThumbnailOptions.DEFAULT), "direct + options");
    }

    /** Asserts the pixels of {@code image} have the SHA-256 {@code expected}, and closes it. */
    private static void assertSame(String expected, Image image, String what) {
        try (image) {
            assertEquals(expected, TestSupport.pixelSha256(image), what);
        }
    }

    @Test
    void theResultIsAnOrdinaryImage() {
        try (Image thumbnail = Image.thumbnail(ROCKET, 160, 160, ThumbnailFit.CONTAIN);
             Image blurred = thumbnail.blur(1f)) {
            blurred.mirror();
            try (Image again = Image.decode(blurred.encode(ImageFormat.PNG))) {
                assertArrayEquals(size(thumbnail), size(again));
                assertEquals(TestSupport.pixelSha256(blurred), TestSupport.pixelSha256(again));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 100", "100, 0", "-1, 100", "100, -5", "-2147483648, -2147483648"})
    void nonPositiveSizesAreRejectedBeforeTheCall(int width, int height) throws IOException {
        byte[] bytes = Files.readAllBytes(ROCKET);
        assertThrows(IllegalArgumentException.class, () -> Image.thumbnail(ROCKET, width, height, ThumbnailFit.CONTAIN));
        assertThrows(IllegalArgumentException.class, () -> Image.thumbnail(bytes, width, height, ThumbnailFit.COVER));
        assertThrows(IllegalArgumentException.class,
                () -> Image.thumbnail(ByteBuffer.wrap(bytes), width, height, ThumbnailFit.FILL, ThumbnailOptions.DEFAULT));
        // The stream is not read when the arguments are wrong.
        ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
        assertThrows(IllegalArgumentException.class, () -> Image.thumbnail(stream, width, height, ThumbnailFit.CONTAIN));
        assertEquals(bytes.length, stream.available(), "the stream was not read");
    }

    @ParameterizedTest
    @CsvSource({"32769, 10", "10, 2147483647", "32768, 32768"})
    void oversizedBoxIsInvalidArgument(int width, int height) throws IOException {
        byte[] bytes = Files.readAllBytes(ROCKET);
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> Image.thumbnail(ROCKET, width, height, ThumbnailFit.CONTAIN));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> Image.thumbnail(bytes, width, height, ThumbnailFit.CONTAIN));
    }

    @Test
    void missingFileIsNotFound() {
        Path missing = temp.resolve("missing.jpg");
        PixbridgeException e = assertCode(ErrorCode.NOT_FOUND, () -> Image.thumbnail(missing, 100, 100, ThumbnailFit.CONTAIN));
        assertTrue(e.getMessage().contains("missing.jpg"), e.getMessage());
    }

    @Test
    void corruptDataIsDecodeAndTextIsUnsupported() throws IOException {
        // Cut inside the JPEG headers (a JPEG cut inside its scan still decodes, as in browsers).
        byte[] cut = Arrays.copyOf(Files.readAllBytes(ROCKET), 400);
        assertCode(ErrorCode.DECODE, () -> Image.thumbnail(cut, 100, 100, ThumbnailFit.CONTAIN));
        ByteBuffer directCut = ByteBuffer.allocateDirect(cut.length).put(cut).flip();
        assertCode(ErrorCode.DECODE, () -> Image.thumbnail(directCut, 100, 100, ThumbnailFit.FILL));
        Path file = Files.write(temp.resolve("cut.jpg"), cut);
        assertCode(ErrorCode.DECODE, () -> Image.thumbnail(file, 100, 100, ThumbnailFit.COVER));
        assertCode(ErrorCode.DECODE,
                () -> Image.thumbnail(TestSupport.testdata("truncated-64x48.png"), 10, 10, ThumbnailFit.CONTAIN));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT,
                () -> Image.thumbnail("plain text, no image".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 10, 10,
                        ThumbnailFit.CONTAIN));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.thumbnail(new byte[0], 10, 10, ThumbnailFit.CONTAIN));
    }

    @Test
    void limitsApplyToTheSourcesFullSize() {
        // A 50-pixel thumbnail of rocket.jpg is decoded at reduced scale, but the limits are
        // checked against the file's 640x427.
        ThumbnailOptions tight = ThumbnailOptions.DEFAULT.withLimits(new DecodeLimits(600, 32768, 512L << 20));
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Image.thumbnail(ROCKET, 50, 50, ThumbnailFit.CONTAIN, tight));
        ThumbnailOptions enough = tight.withLimits(new DecodeLimits(640, 32768, 512L << 20));
        try (Image within = Image.thumbnail(ROCKET, 50, 50, ThumbnailFit.CONTAIN, enough)) {
            assertEquals(50, within.width());
        }
    }

    @Test
    void nullArgumentsNameTheParameter() {
        byte[] bytes = new byte[] {1, 2, 3};
        assertNpe("path", () -> Image.thumbnail((Path) null, 10, 10, ThumbnailFit.CONTAIN));
        assertNpe("data", () -> Image.thumbnail((byte[]) null, 10, 10, ThumbnailFit.CONTAIN));
        assertNpe("data", () -> Image.thumbnail((ByteBuffer) null, 10, 10, ThumbnailFit.CONTAIN));
        assertNpe("in", () -> Image.thumbnail((InputStream) null, 10, 10, ThumbnailFit.CONTAIN));
        assertNpe("fit", () -> Image.thumbnail(bytes, 10, 10, null));
        assertNpe("options", () -> Image.thumbnail(ROCKET, 10, 10, ThumbnailFit.CONTAIN, null));
        assertNpe("limits", () -> ThumbnailOptions.DEFAULT.withLimits(null));
    }

    @Test
    void optionsAreValuesWithWithers() {
        ThumbnailOptions options = ThumbnailOptions.DEFAULT.withAllowUpscale(true);
        assertEquals(new ThumbnailOptions(DecodeLimits.DEFAULT, true), options);
        assertEquals(ThumbnailOptions.DEFAULT, options.withAllowUpscale(false));
        assertEquals(DecodeLimits.DEFAULT, ThumbnailOptions.DEFAULT.limits());
        assertTrue(!ThumbnailOptions.DEFAULT.allowUpscale());
    }

    private static void assertNpe(String parameter, org.junit.jupiter.api.function.Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertTrue(e.getMessage().startsWith(parameter + " "), e.getMessage());
    }

    static PixbridgeException assertCode(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
        PixbridgeException e = assertThrows(PixbridgeException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "the exception has a message");
        return e;
    }

    /** A stream that returns at most 1000 bytes per read, as sockets do. */
    static final class TrickleInputStream extends InputStream {
        private final byte[] data;
        private int position;

        TrickleInputStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1000), data.length - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }
}
