package io.pixbridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Animated GIF and WebP: the frame count, delays and loop count. Decode any frame with
 * {@link Image#decodeFrame(byte[], int)}; plain decoding ({@link Image#decode(byte[])}) gives the
 * first frame. A still image (PNG, JPEG, a one-frame GIF, ...) is one frame with a zero delay.
 *
 * <pre>{@code
 * byte[] gif = Files.readAllBytes(Path.of("anim.gif"));
 * AnimationInfo info = Animation.info(gif);
 * try (Image last = Image.decodeFrame(gif, info.frameCount() - 1)) {
 *     // ...
 * }
 * }</pre>
 */
public final class Animation {
    private Animation() {
    }

    /**
     * Reads the frame count, canvas size, loop count and per-frame delays of an encoded image,
     * without decoding its frames (one pass over the file's structure).
     *
     * @param data the encoded bytes
     * @return the frames' description
     * @throws NullPointerException if {@code data} is null
     * @throws PixbridgeException {@link ErrorCode#UNSUPPORTED_FORMAT} (unknown content, animated
     *     PNG), {@link ErrorCode#LIMIT_EXCEEDED} (a canvas or frame over the limits, more than
     *     10000 frames) or {@link ErrorCode#DECODE} (malformed structure)
     */
    public static AnimationInfo info(byte[] data) {
        return info(data, DecodeLimits.DEFAULT);
    }

    /**
     * {@link #info(byte[])} within the given limits (for the canvas and each frame).
     *
     * @param data the encoded bytes
     * @param limits the decode limits
     * @return the frames' description
     * @throws NullPointerException if an argument is null
     * @throws PixbridgeException as for {@link #info(byte[])}
     */
    public static AnimationInfo info(byte[] data, DecodeLimits limits) {
        Arguments.requireNonNull(data, "data");
        Arguments.requireNonNull(limits, "limits");
        NativeLoader.load();
        int[] values = NativeAnimation.info(data, 0, data.length,
                limits.maxWidth(), limits.maxHeight(), limits.maxDecodedBytes());
        List<Duration> delays = new ArrayList<>(values.length - 4);
        for (int i = 4; i < values.length; i++) {
            delays.add(Duration.ofMillis(values[i]));
        }
        return new AnimationInfo(values[0], values[1], values[2], values[3], delays);
    }

    /**
     * Reads a file and describes its frames; see {@link #info(byte[])}.
     *
     * @param path the file
     * @return the frames' description
     * @throws NullPointerException if {@code path} is null
     * @throws UncheckedIOException if the file cannot be read
     * @throws PixbridgeException as for {@link #info(byte[])}
     */
    public static AnimationInfo info(Path path) {
        Arguments.requireNonNull(path, "path");
        try {
            return info(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
