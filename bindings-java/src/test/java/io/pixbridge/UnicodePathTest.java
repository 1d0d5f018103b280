package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths cross to the native library as standard UTF-8 bytes (not JNI's modified UTF-8, which
 * writes a character outside the Basic Multilingual Plane as two 3-byte surrogates), and
 * messages come back through the {@code jni} crate, which converts to modified UTF-8 for
 * {@code NewStringUTF}: names with non-BMP characters survive both ways (docs/platforms.md).
 */
class UnicodePathTest {
    @TempDir
    Path temp;

    private static byte[] pattern(int width, int height) {
        byte[] rgba = new byte[width * height * 4];
        for (int i = 0; i < rgba.length; i++) {
            rgba[i] = (byte) (i * 37 % 251);
        }
        return rgba;
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"фото-😀.png", "写真 𠮷野家.jpg", "emoji-📷\u200d-e\u0301.bmp"})
    void saveOpenAndThumbnailANonAsciiNonBmpName(String name) throws IOException {
        assertTrue(name.codePoints().anyMatch(Character::isSupplementaryCodePoint), "the case under test: a non-BMP character");
        // The JVM must name files in UTF-8 (sun.jnu.encoding, from the locale; pom.xml sets LC_ALL for the tests).
        if (!System.getProperty("os.name").startsWith("Windows")) { // Windows names files in UTF-16 whatever the locale
            assertEquals("UTF-8", System.getProperty("sun.jnu.encoding"), "run the JVM in a UTF-8 locale");
        }
        Path folder = Files.createDirectories(temp.resolve("папка-🗂"));
        Path path = folder.resolve(name);
        byte[] pixels = pattern(8, 6);
        try (Image image = Image.fromPixels(8, 6, pixels)) {
            image.save(path);
        }
        assertEquals(List.of(name), names(folder));
        if (System.getProperty("os.name").startsWith("Linux")) {
            // The bytes on disk are the name's standard UTF-8 (4 bytes for 😀, not 6 as in modified UTF-8).
            byte[] expected = name.getBytes(StandardCharsets.UTF_8);
            byte[] stored;
            try (Stream<Path> files = Files.list(folder)) {
                stored = files.findFirst().orElseThrow().getFileName().toString().getBytes(StandardCharsets.UTF_8);
            }
            assertArrayEquals(expected, stored);
        }

        try (Image reopened = Image.open(path)) {
            assertEquals(8, reopened.width());
            assertEquals(6, reopened.height());
            if (!name.endsWith(".jpg")) {
                byte[] read = new byte[pixels.length];
                reopened.copyPixels(read);
                assertArrayEquals(pixels, read);
            }
        }
        try (Image thumb = Image.thumbnail(path, 4, 4, ThumbnailFit.CONTAIN)) {
            assertEquals(4, thumb.width());
        }
        // Saving again replaces the file atomically under the same name; no temporary file is left.
        try (Image mirrored = Image.open(path)) {
            mirrored.mirror();
            mirrored.save(path);
        }
        assertEquals(List.of(name), names(folder));
    }

    @Test
    void missingNonBmpFileIsReportedWithItsName() {
        Path path = temp.resolve("нет-😀.png");
        PixbridgeException error = assertThrows(PixbridgeException.class, () -> Image.open(path));
        assertEquals(ErrorCode.NOT_FOUND, error.code());
        // The message went through the jni crate's UTF-8 -> modified UTF-8 conversion intact.
        assertTrue(error.getMessage().contains("нет-😀.png"), error.getMessage());
    }
}
