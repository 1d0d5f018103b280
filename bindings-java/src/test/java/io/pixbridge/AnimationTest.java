package io.pixbridge;

import static io.pixbridge.ThumbnailTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Animation#info(byte[])} and {@link Image#decodeFrame(byte[], int)} on fixtures made by
 * ImageMagick and libwebp's img2webp (testdata/animation/make.sh): a 12 x 8 canvas showing red,
 * lime and blue for 100, 200 and 300 ms, looping forever.
 */
class AnimationTest {
    private static final byte[][] COLOURS = {
        {(byte) 255, 0, 0, (byte) 255}, {0, (byte) 255, 0, (byte) 255}, {0, 0, (byte) 255, (byte) 255}};

    private long baseline;

    @BeforeEach
    void countHandles() {
        baseline = Diagnostics.liveHandleCount();
    }

    @AfterEach
    void noHandleLeaked() {
        assertEquals(baseline, Diagnostics.liveHandleCount(), "live native handles after the test");
    }

    private static byte[] read(String name) throws IOException {
        return Files.readAllBytes(TestSupport.testdata(name));
    }

    @Test
    void infoCountsFramesAndDelays() throws IOException {
        for (String name : List.of("animation/rgb-3frames.gif", "animation/rgb-3frames.webp")) {
            AnimationInfo info = Animation.info(read(name));
            List<Duration> delays = List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));
            assertEquals(new AnimationInfo(3, 12, 8, 0, delays), info, name);
            assertEquals(Duration.ofMillis(600), info.duration());
            assertEquals(info, Animation.info(TestSupport.testdata(name)));
        }
    }

    @Test
    void decodeFrameGivesEachFrameFullCanvas() throws IOException {
        byte[] data = read("animation/rgb-3frames.gif");
        for (int index = 0; index < 3; index++) {
            try (Image frame = Image.decodeFrame(data, index)) {
                assertEquals(12, frame.width());
                assertEquals(8, frame.height());
                byte[] pixels = new byte[12 * 8 * 4];
                frame.copyPixels(pixels);
                assertArrayEquals(COLOURS[index], Arrays.copyOfRange(pixels, 0, 4));
                assertArrayEquals(COLOURS[index], Arrays.copyOfRange(pixels, pixels.length - 4, pixels.length));
            }
        }
        try (Image first = Image.decode(data)) {
            byte[] pixels = new byte[12 * 8 * 4];
            first.copyPixels(pixels);
            assertArrayEquals(COLOURS[0], Arrays.copyOfRange(pixels, 0, 4));
        }
    }

    @Test
    void indexOutOfRangeThrowsNamingTheCount() throws IOException {
        byte[] data = read("animation/rgb-3frames.gif");
        PixbridgeException error = assertCode(ErrorCode.INVALID_ARGUMENT, () -> Image.decodeFrame(data, 3));
        assertTrue(error.getMessage().contains("3 frames"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Image.decodeFrame(data, -1));
    }

    @Test
    void stillImageIsOneFrameAndBadInputFails() throws IOException {
        assertEquals(new AnimationInfo(1, 5, 3, 1, List.of(Duration.ZERO)), Animation.info(read("animation/still.png")));
        byte[] data = read("animation/rgb-3frames.gif");
        assertCode(ErrorCode.LIMIT_EXCEEDED, () -> Animation.info(data, new DecodeLimits(11, 100, 1 << 20)));
        assertCode(ErrorCode.DECODE, () -> Image.decodeFrame(Arrays.copyOf(data, data.length - 20), 2));
        assertCode(ErrorCode.UNSUPPORTED_FORMAT, () -> Animation.info("not an image".getBytes()));
    }
}
