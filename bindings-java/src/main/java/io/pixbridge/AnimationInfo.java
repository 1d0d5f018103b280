package io.pixbridge;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Animation#info(byte[])} finds out about an image's frames: an animated GIF or WebP,
 * or a still image (one frame with a zero delay, shown once).
 *
 * @param frameCount number of frames, 1 to 10000
 * @param width width of the canvas: every decoded frame's width
 * @param height height of the canvas
 * @param loopCount how many times the animation plays, as the file states it; 0 means forever
 *     (a GIF without a looping block and a still image give 1)
 * @param delays how long each frame is shown, one per frame (GIF: multiples of 10 ms); unmodifiable
 */
public record AnimationInfo(int frameCount, int width, int height, int loopCount, List<Duration> delays) {
    /**
     * Copies {@code delays} into an unmodifiable list.
     *
     * @param frameCount number of frames
     * @param width canvas width
     * @param height canvas height
     * @param loopCount how many times the animation plays; 0 means forever
     * @param delays how long each frame is shown
     * @throws NullPointerException if {@code delays} or one of its elements is null
     */
    public AnimationInfo {
        delays = List.copyOf(delays);
    }

    /**
     * How long one showing of the animation takes: the sum of the delays.
     *
     * @return the total duration
     */
    public Duration duration() {
        return delays.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
