package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One image used by several threads at once: reads (new-image operations, encoding, copying the
 * pixels) run concurrently and agree with one thread alone; an in-place operation is serialised
 * with them, so every read sees the image wholly before or wholly after it.
 */
class SharedImageConcurrencyTest {
    private static final int THREADS = 6;

    private static String blurSha(Image image) {
        try (Image blurred = image.blur(3f)) {
            return TestSupport.pixelSha256(blurred);
        }
    }

    private static List<String> runAll(List<Callable<String>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<String> results = new ArrayList<>();
            for (Future<String> result : pool.invokeAll(tasks, 5, TimeUnit.MINUTES)) {
                results.add(result.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readOnlyOperationsOnOneImageFromSeveralThreadsMatchOneThread() throws Exception {
        try (Image image = Image.open(TestSupport.testdata("rocket.jpg"))) {
            String blur = blurSha(image);
            String png = TestSupport.sha256Hex(image.encode(ImageFormat.PNG));
            String pixels = TestSupport.pixelSha256(image);
            String expected = blur + " " + png + " " + pixels;
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                tasks.add(() -> {
                    start.await();
                    String seen = null;
                    for (int round = 0; round < 2; round++) {
                        String now = blurSha(image) + " " + TestSupport.sha256Hex(image.encode(ImageFormat.PNG))
                            + " " + TestSupport.pixelSha256(image);
                        assertEquals(expected, now, "round " + round);
                        seen = now;
                    }
                    return seen;
                });
            }
            for (String result : runAll(tasks)) {
                assertEquals(expected, result);
            }
            assertEquals(pixels, TestSupport.pixelSha256(image), "reads left the image unchanged");
        }
    }

    @Test
    void inPlaceOperationsAreSerialisedWithReadsOfTheSameImage() throws Exception {
        try (Image image = Image.open(TestSupport.testdata("rocket.jpg"))) {
            String original = TestSupport.pixelSha256(image);
            String originalBlur = blurSha(image);
            image.mirror();
            String mirrored = TestSupport.pixelSha256(image);
            String mirroredBlur = blurSha(image);
            image.mirror();
            assertNotEquals(original, mirrored, "the test needs an image that mirroring changes");
            int mirrors = 16;
            CyclicBarrier start = new CyclicBarrier(THREADS + 1);
            List<Callable<String>> tasks = new ArrayList<>();
            tasks.add(() -> {
                start.await();
                for (int i = 0; i < mirrors; i++) {
                    image.mirror();
                }
                return "mirrored " + mirrors + " times";
            });
            for (int i = 0; i < THREADS; i++) {
                tasks.add(() -> {
                    start.await();
                    for (int round = 0; round < mirrors / 2; round++) {
                        String seen = TestSupport.pixelSha256(image);
                        assertTrue(seen.equals(original) || seen.equals(mirrored), "a read saw a half-mirrored image");
                        String blur = blurSha(image);
                        assertTrue(blur.equals(originalBlur) || blur.equals(mirroredBlur), "a blur saw a half-mirrored image");
                    }
                    return "read";
                });
            }
            runAll(tasks);
            assertEquals(original, TestSupport.pixelSha256(image), "an even number of whole mirrors");
        }
    }
}
