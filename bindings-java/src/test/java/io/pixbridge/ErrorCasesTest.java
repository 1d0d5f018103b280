package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives the right exception and code, and the JVM keeps working. */
class ErrorCasesTest {
    @TempDir
    Path temp;

    private static PixbridgeException assertCode(ErrorCode expected, Executable call) {
        PixbridgeException e = assertThrows(PixbridgeException.class, call);
        assertEquals(expected, e.code(), () -> "message: " + e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "native message is empty");
        return e;
    }

    @AfterEach
    void libraryStillWorks() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"));
             Image blurred = image.blur(1f)) {
            assertEquals(64, blurred.width());
        }
    }

    @Test
    void missingFileIsNotFound() {
        PixbridgeException e = assertCode(ErrorCode.NOT_FOUND, () -> Image.open(temp.resolve("missing.png")));
        assertTrue(e.getMessage().contains("missing.png"), e.getMessage());
    }

    @Test
    void directoryIsIo() {
        assertCode(ErrorCode.IO, () -> Image.open(temp));
    }

    @Test
    void nonImageBytesAreUnsupportedFormat() {
        byte[] text = "this is not an image, just text".getBytes(StandardCharsets.US_ASCII);
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(text));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.open(TestSupport.testdata("not-an-image.png")));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(new byte[0]));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(ByteBuffer.allocateDirect(0)));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(ByteBuffer.allocate(0)));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(new java.io.ByteArrayInputStream(text)));
        // An exhausted stream is empty bytes to the native decoder (C# agrees: same code, same message).
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Image.decode(new ByteArrayInputStream(new byte[0])));
    }

    @Test
    void truncatedFilesAreDecodeErrors() throws IOException {
        assertCode(ErrorCode.DECODE, () -> Image.open(TestSupport.testdata("truncated-64x48.png")));
        byte[] jpeg = Files.readAllBytes(TestSupport.testdata("rocket.jpg"));
        // Cut inside the headers: a JPEG cut inside the entropy-coded data decodes (grey rest), as in browsers.
        byte[] truncatedJpeg = Arrays.copyOf(jpeg, 300);
        assertCode(ErrorCode.DECODE, () -> Image.decode(truncatedJpeg));
        byte[] png = Files.readAllBytes(TestSupport.testdata("gradient-64x48.png"));
        assertCode(ErrorCode.DECODE, () -> Image.decode(Arrays.copyOf(png, 40)));
    }

    @Test
    void unknownSaveExtensionIsUnsupportedFormat() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> image.save(temp.resolve("out.xyz")));
            assertCode(ErrorCode.NOT_FOUND, () -> image.save(temp.resolve("no-such-dir/out.png")));
        }
    }

    @Test
    void badOperationArgumentsAreInvalidArgument() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.blur(Float.NaN));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.blur(-1f));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.crop(60, 0, 10, 10));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.resize(0, 10, ResizeFilter.NEAREST));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.adjustBrightness(256));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.encode(ImageFormat.JPEG, 101));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> image.encode(ImageFormat.PNG, 50));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> Image.fromPixels(2, 2, new byte[15]));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> Image.fromPixels(0, 2, new byte[0]));
        }
    }

    @Test
    void overTheDecodeLimitsIsLimitExceeded() throws IOException {
        DecodeLimits small = new DecodeLimits(32, 32, 1L << 20);
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Image.open(TestSupport.testdata("gradient-64x48.png"), small));
        byte[] png = Files.readAllBytes(TestSupport.testdata("gradient-64x48.png"));
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Image.decode(png, new DecodeLimits(1000, 1000, 100)));
        // The same bytes decode within the default limits.
        try (Image image = Image.decode(png)) {
            assertEquals(48, image.height());
        }
    }

    @Test
    void shortPixelBufferIsBufferTooSmall() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            PixbridgeException e = assertCode(ErrorCode.BUFFER_TOO_SMALL, () -> image.copyPixels(new byte[100]));
            assertTrue(e.getMessage().contains(Integer.toString(64 * 48 * 4)), e.getMessage());
        }
    }

    @Test
    void nullArgumentsNameTheParameter() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            assertNpe("path", () -> Image.open(null));
            assertNpe("limits", () -> Image.open(TestSupport.testdata("gradient-64x48.png"), (DecodeLimits) null));
            assertNpe("data", () -> Image.decode((byte[]) null));
            assertNpe("data", () -> Image.decode((ByteBuffer) null));
            assertNpe("in", () -> Image.decode((java.io.InputStream) null));
            assertNpe("rgba", () -> Image.fromPixels(1, 1, null));
            assertNpe("path", () -> image.save(null));
            assertNpe("format", () -> image.encode(null));
            assertNpe("dst", () -> image.copyPixels(null));
            assertNpe("filter", () -> image.resize(2, 2, null));
            assertNpe("out", () -> image.write(null, ImageFormat.PNG));
        }
    }

    private static void assertNpe(String parameter, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertTrue(e.getMessage().contains(parameter), () -> "message does not name " + parameter + ": " + e.getMessage());
    }

    @Test
    void valuesJavaCannotPassAreIllegalArguments() {
        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            assertThrows(IllegalArgumentException.class, () -> image.crop(-1, 0, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> image.resize(-5, 2, ResizeFilter.BILINEAR));
            assertThrows(IllegalArgumentException.class, () -> image.unsharpen(1f, 1f, -1));
            assertThrows(IllegalArgumentException.class, () -> image.encode(ImageFormat.JPEG, 0));
            assertThrows(IllegalArgumentException.class, () -> Image.fromPixels(-1, 1, new byte[4]));
            assertThrows(IllegalArgumentException.class, () -> new DecodeLimits(-1, 1, 1));
        }
    }

    @Test
    void decodeFromEveryInputKindGivesTheSamePixels() throws IOException {
        byte[] png = Files.readAllBytes(TestSupport.testdata("gradient-rgba-64x48.png"));
        String expected;
        try (Image image = Image.open(TestSupport.testdata("gradient-rgba-64x48.png"))) {
            expected = TestSupport.pixelSha256(image);
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(png.length + 10);
        direct.position(5);
        direct.put(png);
        direct.position(5).limit(5 + png.length);
        byte[] padded = new byte[png.length + 7];
        System.arraycopy(png, 0, padded, 3, png.length);
        ByteBuffer heapSlice = ByteBuffer.wrap(padded, 3, png.length).slice();
        ByteBuffer readOnlyHeap = ByteBuffer.wrap(png).asReadOnlyBuffer();
        for (Image image : new Image[] {Image.decode(png), Image.decode(direct), Image.decode(heapSlice),
            Image.decode(readOnlyHeap), Image.decode(new ByteArrayInputStream(png))}) {
            try (image) {
                assertEquals(expected, TestSupport.pixelSha256(image));
            }
        }
        assertEquals(5, direct.position(), "decode must not move the buffer's position");
    }

    @Test
    void encodeWriteAndSaveRoundTrip() throws IOException {
        try (Image image = Image.open(TestSupport.testdata("gradient-rgba-64x48.png"))) {
            String expected = TestSupport.pixelSha256(image);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            image.write(out, ImageFormat.PNG);
            byte[] encoded = image.encode(ImageFormat.PNG);
            assertEquals(Arrays.toString(new byte[] {(byte) 0x89, 'P', 'N', 'G'}),
                    Arrays.toString(Arrays.copyOf(encoded, 4)));
            Path saved = temp.resolve("round trip ü.png");
            image.save(saved);
            for (Image decoded : new Image[] {Image.decode(out.toByteArray()), Image.decode(encoded), Image.open(saved)}) {
                try (decoded) {
                    assertEquals(expected, TestSupport.pixelSha256(decoded));
                    assertEquals(ColorType.RGBA8, decoded.colorType());
                }
            }
            byte[] jpeg = image.encode(ImageFormat.JPEG, 80);
            assertEquals((byte) 0xFF, jpeg[0]);
            assertEquals((byte) 0xD8, jpeg[1]);
        }
    }
}
