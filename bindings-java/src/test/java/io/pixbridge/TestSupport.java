package io.pixbridge;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Shared helpers of the test suite. */
final class TestSupport {
    private TestSupport() {
    }

    /** The repository's testdata folder (system property set by the pom, or ../testdata). */
    static Path testdata(String name) {
        return Path.of(System.getProperty("pixbridge.testdata", "../testdata")).resolve(name);
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256Hex(ByteBuffer buffer) {
        MessageDigest digest = digest();
        digest.update(buffer.duplicate());
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 of the image's RGBA8 pixels, read through copyPixels. */
    static String pixelSha256(Image image) {
        byte[] pixels = new byte[image.width() * image.height() * 4];
        image.copyPixels(pixels);
        return sha256Hex(pixels);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
