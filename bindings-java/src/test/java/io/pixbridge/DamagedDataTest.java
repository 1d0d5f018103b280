package io.pixbridge;

import static io.pixbridge.ThumbnailTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Truncated or corrupt data after a valid header: strict by default (a {@link ErrorCode#DECODE}
 * exception that says how many rows were decoded), or the partial image with
 * {@link DecodeOptions#lenient()}. The pixels are checked against the complete file's decode.
 */
class DamagedDataTest {
    /** The first half of {@code gradient-64x48.png}. */
    private static final Path TRUNCATED = TestSupport.testdata("truncated-64x48.png");
    private static final Path COMPLETE = TestSupport.testdata("gradient-64x48.png");

    private long baseline;

    @BeforeEach
    void countHandles() {
        baseline = Diagnostics.liveHandleCount();
    }

    @AfterEach
    void noHandleLeaked() {
        assertEquals(baseline, Diagnostics.liveHandleCount(), "live native handles after the test");
    }

    /** N from "... N of H rows were decoded". */
    private static int rowsDecoded(String message) {
        String[] words = message.split(" ");
        for (int i = 1; i + 2 < words.length; i++) {
            if (words[i].equals("of") && words[i + 2].equals("rows")) {
                return Integer.parseInt(words[i - 1]);
            }
        }
        throw new AssertionError("no 'N of H rows' in: " + message);
    }

    private static byte[] pixels(Image image) {
        byte[] out = new byte[image.width() * image.height() * 4];
        image.copyPixels(out);
        return out;
    }

    @Test
    void aTruncatedFileFailsByDefaultAndSaysHowManyRowsWereDecoded() throws IOException {
        PixbridgeException e = assertCode(ErrorCode.DECODE, () -> Image.open(TRUNCATED).close());
        assertTrue(e.getMessage().contains("of 48 rows were decoded"), e.getMessage());
        assertCode(ErrorCode.DECODE, () -> Image.open(TRUNCATED, DecodeOptions.DEFAULT).close());
        assertCode(ErrorCode.DECODE, () -> Image.decode(Files.readAllBytes(TRUNCATED)).close());
    }

    @Test
    void aLenientDecodeReturnsTheRowsTheFileHoldsAndMarksTheImage() throws IOException {
        PixbridgeException strict = assertCode(ErrorCode.DECODE, () -> Image.open(TRUNCATED).close());
        try (Image partial = Image.open(TRUNCATED, DecodeOptions.LENIENT);
                Image complete = Image.open(COMPLETE, DecodeOptions.DEFAULT.withLenient(true))) {
            assertTrue(partial.isPartial());
            String warning = partial.decodeWarning().orElseThrow();
            assertTrue(warning.startsWith("the data is truncated or corrupt"), warning);
            assertTrue(strict.getMessage().endsWith(warning), strict.getMessage() + " / " + warning);
            assertFalse(complete.isPartial());
            assertEquals(Optional.empty(), complete.decodeWarning());

            int rows = rowsDecoded(warning);
            assertTrue(rows > 0 && rows < 48, warning);
            int rowBytes = 64 * 4;
            byte[] got = pixels(partial);
            byte[] expected = pixels(complete);
            assertArrayEquals(Arrays.copyOf(expected, rows * rowBytes), Arrays.copyOf(got, rows * rowBytes),
                    "the decoded rows are the file's");
            for (int i = rows * rowBytes; i < got.length; i += 4) {
                assertArrayEquals(new byte[] {0, 0, 0, (byte) 255}, Arrays.copyOfRange(got, i, i + 4), "black at " + i);
            }

            byte[] bytes = Files.readAllBytes(TRUNCATED);
            try (Image fromArray = Image.decode(bytes, DecodeOptions.LENIENT);
                    Image fromDirect = Image.decode(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(),
                            DecodeOptions.LENIENT);
                    Image blurred = partial.blur(1)) {
                assertEquals(partial.decodeWarning(), fromArray.decodeWarning());
                assertEquals(partial.decodeWarning(), fromDirect.decodeWarning());
                assertEquals(Optional.empty(), blurred.decodeWarning(), "the mark stays with the decoded image");
            }
        }
    }

    @Test
    void lenientCannotBeDeferredAndNothingDecodedStillFails() throws IOException {
        PixbridgeException both = assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> Image.open(TRUNCATED, DecodeOptions.LENIENT.withDeferred(true)).close());
        assertTrue(both.getMessage().contains("lenient and deferred"), both.getMessage());

        // The header and a few bytes of compressed data: not one row.
        byte[] bytes = Files.readAllBytes(TestSupport.testdata("chelsea.png"));
        int idat = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("IDAT");
        byte[] cut = Arrays.copyOf(bytes, idat + 40);
        PixbridgeException none = assertCode(ErrorCode.DECODE, () -> Image.decode(cut, DecodeOptions.LENIENT).close());
        assertTrue(none.getMessage().contains("none of its 300 rows could be decoded"), none.getMessage());
    }

    @Test
    void aJpegCutInItsScanDataFailsByDefaultAndLenientlyKeepsItsSize() throws IOException {
        byte[] bytes = Files.readAllBytes(TestSupport.testdata("rocket.jpg"));
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        PixbridgeException e = assertCode(ErrorCode.DECODE, () -> Image.decode(cut).close());
        assertTrue(e.getMessage().contains("Premature end of JPEG file"), e.getMessage());
        try (Image partial = Image.decode(cut, DecodeOptions.LENIENT)) {
            assertEquals(640, partial.width());
            assertEquals(427, partial.height());
            assertEquals(rowsDecoded(e.getMessage()), rowsDecoded(partial.decodeWarning().orElseThrow()));
        }
    }
}
