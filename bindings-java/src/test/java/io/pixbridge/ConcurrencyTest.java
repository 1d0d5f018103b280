package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many threads running the pipeline on their own images get identical results. */
class ConcurrencyTest {
    private static String pipeline() {
        try (Image image = Image.open(TestSupport.testdata("coffee.png"));
             Image small = image.resize(160, 120, ResizeFilter.LANCZOS3);
             Image blurred = small.blur(2.5f)) {
            blurred.mirror();
            blurred.adjustContrast(15f);
            try (Image roundTrip = Image.decode(blurred.encode(ImageFormat.PNG))) {
                return TestSupport.pixelSha256(roundTrip);
            }
        }
    }

    @Test
    void parallelPipelinesAgree() throws Exception {
        String expected = pipeline();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < threads * 4; i++) {
                tasks.add(ConcurrencyTest::pipeline);
            }
            for (Future<String> result : pool.invokeAll(tasks, 5, TimeUnit.MINUTES)) {
                assertEquals(expected, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sharedImageReadByManyThreads() throws Exception {
        try (Image shared = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            String expected;
            try (Image blurred = shared.blur(3f)) {
                expected = TestSupport.pixelSha256(blurred);
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Callable<String>> tasks = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    tasks.add(() -> {
                        try (Image blurred = shared.blur(3f)) {
                            return TestSupport.pixelSha256(blurred);
                        }
                    });
                }
                for (Future<String> result : pool.invokeAll(tasks, 5, TimeUnit.MINUTES)) {
                    assertEquals(expected, result.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
