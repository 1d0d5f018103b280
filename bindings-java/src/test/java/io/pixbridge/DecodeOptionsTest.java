package io.pixbridge;

import static io.pixbridge.ThumbnailTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Image#open(Path, DecodeOptions)} and the decode overloads with {@link DecodeOptions}:
 * a minimum size makes a JPEG decode at 1/2, 1/4 or 1/8 scale (the smallest whose
 * {@code ceil(side / d)} still covers the minimum), other formats at full size.
 */
class DecodeOptionsTest {
    private static final Path ROCKET = TestSupport.testdata("rocket.jpg");
    private static final Path CHELSEA = TestSupport.testdata("chelsea.png");

    private long baseline;

    @BeforeEach
    void countHandles() {
        baseline = Diagnostics.liveHandleCount();
    }

    @AfterEach
    void noHandleLeaked() {
        assertEquals(baseline, Diagnostics.liveHandleCount(), "live native handles after the test");
    }

    /** The documented shrink-on-load size of a JPEG of {@code w} x {@code h} for a minimum size. */
    private static int[] scaledSize(int w, int h, int minWidth, int minHeight) {
        for (int d : new int[] {8, 4, 2}) {
            int sw = (w + d - 1) / d;
            int sh = (h + d - 1) / d;
            if (sw >= minWidth && sh >= minHeight) {
                return new int[] {sw, sh};
            }
        }
        return new int[] {w, h};
    }

    private static int[] size(Image image) {
        return new int[] {image.width(), image.height()};
    }

    @Test
    void minimumSizeGivesASmallerDecodeOfAJpeg() {
        int[] full;
        try (Image image = Image.open(ROCKET)) {
            full = size(image);
        }
        assertEquals(640, full[0]);
        for (int[] min : new int[][] {{100, 100}, {300, 10}, {10, 200}, {1, 1}, {400, 0}}) {
            int[] expected = scaledSize(full[0], full[1], min[0], min[1]);
            try (Image scaled = Image.open(ROCKET, DecodeOptions.minSize(min[0], min[1]))) {
                assertEquals(expected[0], scaled.width(), "width for min " + min[0] + "x" + min[1]);
                assertEquals(expected[1], scaled.height(), "height for min " + min[0] + "x" + min[1]);
                assertEquals(ColorType.RGB8, scaled.colorType());
            }
        }
        // Written out once: 640x427 at 1/4 is 160x107, at 1/8 80x54.
        try (Image quarter = Image.open(ROCKET, DecodeOptions.minSize(100, 100));
             Image eighth = Image.open(ROCKET, DecodeOptions.minSize(1, 1))) {
            assertEquals(160, quarter.width());
            assertEquals(107, quarter.height());
            assertEquals(80, eighth.width());
            assertEquals(54, eighth.height());
        }
        // A minimum over half the size leaves the full size.
        try (Image image = Image.open(ROCKET, DecodeOptions.minSize(321, 1))) {
            assertEquals(640, image.width());
        }
    }

    @Test
    void aPngIsAlwaysDecodedAtFullSize() {
        try (Image full = Image.open(CHELSEA);
             Image withMin = Image.open(CHELSEA, DecodeOptions.minSize(10, 10))) {
            assertEquals(full.width(), withMin.width());
            assertEquals(full.height(), withMin.height());
            assertEquals(TestSupport.pixelSha256(full), TestSupport.pixelSha256(withMin));
        }
    }

    @Test
    void defaultOptionsDecodeAtFullSize() {
        // A PNG: the same decoder, the same pixels.
        try (Image plain = Image.open(CHELSEA);
             Image withDefaults = Image.open(CHELSEA, DecodeOptions.DEFAULT)) {
            assertEquals(TestSupport.pixelSha256(plain), TestSupport.pixelSha256(withDefaults));
        }
        // Both paths decode a JPEG with libjpeg-turbo: the default options give open()'s pixels.
        try (Image plain = Image.open(ROCKET);
             Image withDefaults = Image.open(ROCKET, DecodeOptions.DEFAULT)) {
            assertEquals(plain.colorType(), withDefaults.colorType());
            assertEquals(TestSupport.pixelSha256(plain), TestSupport.pixelSha256(withDefaults));
        }
    }

    @Test
    void pathBytesBufferAndStreamGiveIdenticalPixels() throws IOException {
        byte[] bytes = Files.readAllBytes(ROCKET);
        DecodeOptions options = DecodeOptions.minSize(150, 100);
        String expected;
        try (Image fromPath = Image.open(ROCKET, options)) {
            expected = TestSupport.pixelSha256(fromPath);
            assertEquals(160, fromPath.width());
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 4);
        direct.position(4);
        direct.put(bytes).position(4);
        Image[] images = {
            Image.decode(bytes, options),
            Image.decode(ByteBuffer.wrap(bytes), options),
            Image.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), options),
            Image.decode(direct, options),
            Image.decode(new ByteArrayInputStream(bytes), options),
        };
        assertEquals(4, direct.position(), "the position is not moved");
        for (Image image : images) {
            try (image) {
                assertEquals(expected, TestSupport.pixelSha256(image));
            }
        }
    }

    private static byte[] copied(Image image) {
        byte[] pixels = new byte[image.width() * image.height() * 4];
        image.copyPixels(pixels);
        return pixels;
    }

    @Test
    void aDeferredJpegAnswersFromItsHeaderAndGivesTheSameResults() throws IOException {
        DecodeOptions eagerOptions = DecodeOptions.minSize(300, 200);
        DecodeOptions deferredOptions = eagerOptions.withDeferred(true);
        assertTrue(deferredOptions.deferred() && !eagerOptions.deferred());
        try (Image eager = Image.open(ROCKET, eagerOptions);
             Image deferred = Image.open(ROCKET, deferredOptions);
             Image fromBuffer = Image.decode(ByteBuffer.wrap(Files.readAllBytes(ROCKET)), deferredOptions)) {
            assertEquals(320, deferred.width());
            assertEquals(214, deferred.height());
            assertEquals(eager.colorType(), deferred.colorType());
            assertEquals(320, fromBuffer.width());
            // crop and blur (sigma above 10) reuse the decoded buffer; unsharpen reads it.
            try (Image a = eager.crop(10, 5, 300, 200); Image b = deferred.crop(10, 5, 300, 200)) {
                assertEquals(TestSupport.sha256Hex(copied(a)), TestSupport.sha256Hex(copied(b)));
            }
            try (Image a = eager.blur(25); Image b = fromBuffer.blur(25)) {
                assertEquals(TestSupport.sha256Hex(copied(a)), TestSupport.sha256Hex(copied(b)));
            }
            try (Image a = eager.unsharpen(1.5f, 1f, 0); Image b = deferred.unsharpen(1.5f, 1f, 0)) {
                assertEquals(TestSupport.sha256Hex(copied(a)), TestSupport.sha256Hex(copied(b)));
            }
            assertEquals(TestSupport.sha256Hex(copied(eager)), TestSupport.sha256Hex(copied(deferred)));
            eager.mirror();
            deferred.mirror();
            assertEquals(TestSupport.sha256Hex(copied(eager)), TestSupport.sha256Hex(copied(deferred)));
        }
    }

    @Test
    void aDeferredChainGivesTheEagerChainsPixels() {
        try (Image eager = Image.open(ROCKET, DecodeOptions.DEFAULT);
             Image deferred = Image.open(ROCKET, DecodeOptions.DEFERRED);
             Image expected = chain(eager);
             Image actual = chain(deferred)) {
            assertEquals(expected.width(), actual.width());
            assertEquals(expected.height(), actual.height());
            assertEquals(TestSupport.sha256Hex(copied(expected)), TestSupport.sha256Hex(copied(actual)));
        }
    }

    private static Image chain(Image source) {
        try (Image cropped = source.crop(20, 10, source.width() - 40, source.height() - 20);
             Image shrunk = cropped.resize(cropped.width() * 9 / 10, cropped.height() * 9 / 10, ResizeFilter.LANCZOS3);
             Image turned = shrunk.rotate90()) {
            return turned.unsharpen(0.7f, 1f, 0);
        }
    }

    @Test
    void deferredDecodeErrorsComeFromTheCallThatDecodes() throws IOException {
        byte[] bytes = Files.readAllBytes(ROCKET);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        assertCode(ErrorCode.DECODE, () -> Image.decode(cut, DecodeOptions.DEFAULT));
        try (Image deferred = Image.decode(cut, DecodeOptions.DEFERRED)) {
            assertEquals(640, deferred.width());
            // Operations on a deferred image are deferred too: parameters checked at once, the
            // decode (and its error) in the first call that needs pixels.
            try (Image cropped = deferred.crop(0, 0, 10, 10)) {
                assertEquals(10, cropped.width());
                assertCode(ErrorCode.INVALID_ARGUMENT, () -> deferred.crop(0, 0, 641, 10));
                assertCode(ErrorCode.DECODE, () -> cropped.encode(ImageFormat.PNG));
                assertCode(ErrorCode.DECODE, cropped::pixels);
            }
            assertCode(ErrorCode.DECODE, deferred::mirror);
        }
    }

    @Test
    void limitsApplyToTheFullSize() throws IOException {
        DecodeOptions tight = DecodeOptions.minSize(10, 10).withLimits(new DecodeLimits(600, 32768, 512L << 20));
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Image.open(ROCKET, tight));
        byte[] bytes = Files.readAllBytes(ROCKET);
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Image.decode(bytes, tight));
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Image.decode(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(), tight));
    }

    @Test
    void errorsAsForOpenAndDecode() {
        assertCode(ErrorCode.NOT_FOUND, () -> Image.open(TestSupport.testdata("no-such-file.jpg"), DecodeOptions.DEFAULT));
        assertCode(ErrorCode.DECODE, () -> Image.open(TestSupport.testdata("truncated-64x48.png"), DecodeOptions.minSize(4, 4)));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(new byte[] {1, 2, 3}, DecodeOptions.DEFAULT));
    }

    @Test
    void badOptionsAreRejectedInJava() {
        assertThrows(IllegalArgumentException.class, () -> DecodeOptions.minSize(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> DecodeOptions.DEFAULT.withMinSize(10, -1));
        assertThrows(NullPointerException.class, () -> new DecodeOptions(null, 0, 0));
        assertThrows(NullPointerException.class, () -> Image.open(ROCKET, (DecodeOptions) null));
        assertThrows(NullPointerException.class, () -> Image.decode(new byte[1], (DecodeOptions) null));
        assertEquals(new DecodeOptions(DecodeLimits.DEFAULT, 3, 4), DecodeOptions.DEFAULT.withMinSize(3, 4));
    }
}
