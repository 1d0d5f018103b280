package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 stress run: 4 x cores threads run a mix of good pipelines and bad-input corpus cases
 * for a bounded time; every result must equal the single-threaded one, and the resident memory
 * (VmRSS from /proc/self/status) is printed at the start and the end.
 */
class StressTest {
    private static final long DURATION_MILLIS = Long.getLong("pixbridge.stress.millis", 10_000);

    /** A named pipeline whose result is a string: pixel SHA-256, size or error code name. */
    private record Task(String name, Supplier<String> run) {
        String outcome() {
            try {
                return run.get();
            } catch (PixbridgeException e) {
                if (e.getMessage().isEmpty()) {
                    throw new AssertionError(name + ": empty message for " + e.code());
                }
                return e.code().nativeName();
            }
        }
    }

    private static List<Task> tasks() throws IOException {
        List<Task> tasks = new ArrayList<>();
        byte[] rocket = Files.readAllBytes(TestSupport.testdata("rocket.jpg"));
        tasks.add(new Task("rocket-resize-blur-mirror", () -> {
            try (Image image = Image.decode(rocket);
                    Image small = image.resize(160, 107, ResizeFilter.LANCZOS3);
                    Image blurred = small.blur(1.5f)) {
                blurred.mirror();
                return TestSupport.pixelSha256(blurred);
            }
        }));
        tasks.add(new Task("gradient-unsharpen-crop-gray", () -> {
            try (Image image = Image.open(TestSupport.testdata("gradient-rgba-64x48.png"));
                    Image sharp = image.unsharpen(1.0f, 0.8f, 2);
                    Image cropped = sharp.crop(3, 5, 40, 30)) {
                cropped.grayscale();
                cropped.adjustContrast(20f);
                return TestSupport.pixelSha256(cropped);
            }
        }));
        tasks.add(new Task("noise-rotate-encode-decode", () -> {
            try (Image image = Image.open(TestSupport.testdata("noise-13x7.png"));
                    Image turned = image.rotate90();
                    Image again = Image.decode(turned.encode(ImageFormat.PNG))) {
                again.adjustBrightness(-30);
                return TestSupport.pixelSha256(again);
            }
        }));
        for (Map<String, Object> testCase : BadInputTest.cases()) {
            // Saves touch the file system and are not about concurrency; keep the rest.
            if (!"save".equals(testCase.get("call"))) {
                tasks.add(new Task((String) testCase.get("name"), () -> BadInputTest.outcome(testCase)));
            }
        }
        return tasks;
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Test
    void manyThreadsGetTheSingleThreadedResults() throws Exception {
        List<Task> tasks = tasks();
        List<String> expected = new ArrayList<>();
        for (Task task : tasks) {
            expected.add(task.outcome());
        }
        long liveBefore = Diagnostics.liveHandleCount();
        int threads = 4 * Runtime.getRuntime().availableProcessors();
        System.gc();
        long rssStart = rssKib();
        AtomicLong pipelines = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DURATION_MILLIS);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() < deadline) {
                        int i = random.nextInt(tasks.size());
                        String got = tasks.get(i).outcome();
                        if (!got.equals(expected.get(i))) {
                            throw new AssertionError(tasks.get(i).name() + ": " + got + " != single-threaded " + expected.get(i));
                        }
                        pipelines.incrementAndGet();
                    }
                    return null;
                }));
            }
            // RSS once a second: a native leak grows without bound, the JVM heap levels off.
            List<Long> rssSamples = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                Thread.sleep(1000);
                rssSamples.add(rssKib());
            }
            for (Future<?> worker : workers) {
                worker.get(120_000, TimeUnit.MILLISECONDS);
            }
            System.out.println("stress: RSS KiB each second: " + rssSamples);
        } finally {
            pool.shutdownNow();
        }
        System.gc();
        long rssEnd = rssKib();
        Runtime runtime = Runtime.getRuntime();
        System.out.printf("stress: %d threads, %d tasks, %d pipelines in %d ms; RSS %d KiB at start, %d KiB at end"
                + " (Java heap committed %d KiB)%n", threads, tasks.size(), pipelines.get(), DURATION_MILLIS,
                rssStart, rssEnd, runtime.totalMemory() / 1024);
        assertTrue(pipelines.get() > threads, "every thread ran at least one pipeline");
        assertEquals(liveBefore, Diagnostics.liveHandleCount(), "live native handles after the stress run");
    }
}
