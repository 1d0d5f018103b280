package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** close(), use after close, the Cleaner, and pixel views that outlive their image. */
class LifetimeTest {
    @TempDir
    Path temp;

    /** Runs GC until the live-handle count is back to {@code baseline} or 60 s pass. */
    private static long awaitLiveCount(long baseline) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long live = Diagnostics.liveHandleCount();
        while (live > baseline && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            live = Diagnostics.liveHandleCount();
        }
        return live;
    }

    @Test
    void trimNativeMemoryGivesClosedImagesMemoryBack() {
        // 2000 x 1500 RGBA8: 12 MB, a block the native allocator keeps for reuse once freed.
        byte[] pixels = new byte[2000 * 1500 * 4];
        Image.fromPixels(2000, 1500, pixels).close();
        // At least that block (cleaners may free others at any time, so no upper bound).
        long released = Image.trimNativeMemory();
        assertTrue(released >= pixels.length, "released " + released + " bytes");
    }

    @Test
    void closeFreesTheHandleAndIsIdempotent() {
        long before = Diagnostics.liveHandleCount();
        Image image = Image.fromPixels(2, 1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(before + 1, Diagnostics.liveHandleCount());
        image.close();
        assertEquals(before, Diagnostics.liveHandleCount());
        image.close();
        image.close();
        assertEquals(before, Diagnostics.liveHandleCount());
        assertTrue(image.toString().contains("closed"), image.toString());
    }

    @Test
    void everyCallAfterCloseIsIllegalState() {
        Image image = Image.open(TestSupport.testdata("gradient-64x48.png"));
        image.close();
        List<Executable> calls = List.of(image::width, image::height, image::colorType, image::pixels,
            () -> image.copyPixels(new byte[64 * 48 * 4]), () -> image.save(temp.resolve("x.png")),
            () -> image.encode(ImageFormat.PNG), () -> image.encode(ImageFormat.JPEG, 50),
            () -> image.write(new java.io.ByteArrayOutputStream(), ImageFormat.PNG),
            () -> image.blur(1f), image::mirror, image::flipVertical, image::rotate90, image::rotate180,
            image::rotate270, image::grayscale, () -> image.crop(0, 0, 1, 1),
            () -> image.resize(2, 2, ResizeFilter.NEAREST), () -> image.adjustBrightness(1),
            () -> image.adjustContrast(1f), () -> image.unsharpen(1f, 1f, 0));
        for (Executable call : calls) {
            assertThrows(IllegalStateException.class, call);
        }
    }

    @Test
    void forgottenImagesAreFreedByTheCleaner() throws InterruptedException {
        long baseline = awaitLiveCount(Diagnostics.liveHandleCount());
        byte[] pixels = new byte[8 * 8 * 4];
        for (int i = 0; i < 5000; i++) {
            Image.fromPixels(8, 8, pixels); // never closed
        }
        assertTrue(Diagnostics.liveHandleCount() >= baseline + 1000,
            "the images should still be mostly alive before GC: " + Diagnostics.liveHandleCount());
        long live = awaitLiveCount(baseline);
        assertTrue(live <= baseline, "live handles after GC: " + live + ", baseline " + baseline);
    }

    /**
     * Issue 15, item 2: forgotten images hardly grow the Java heap, so without help no collection
     * runs and their native memory piles up (300 forgotten 16 MB results under -Xmx64m: 4.6 GiB).
     * The crops below allocate nothing on the Java heap beyond the small Image objects.
     */
    @Test
    void forgottenLargeImagesAreCollectedWithoutHeapPressure() throws InterruptedException {
        long baseline = awaitLiveCount(Diagnostics.liveHandleCount());
        long collectionsBefore = NativeMemory.collections();
        int width = 1024;
        int height = 2048;
        long imageBytes = (long) width * height * 4; // 8 MiB
        long mostLive = 0;
        try (Image source = Image.fromPixels(width, height, new byte[(int) imageBytes])) {
            for (int i = 0; i < 200; i++) {
                source.crop(0, 0, width, height); // never closed
                mostLive = Math.max(mostLive, Diagnostics.liveHandleCount() - baseline);
            }
        }
        // Twice the budget of forgotten images, plus what the Cleaner has not caught up with yet.
        long bound = 2 * NativeMemory.budgetBytesValue() / imageBytes + 16;
        assertTrue(NativeMemory.collections() > collectionsBefore, "no collection was asked for");
        assertTrue(mostLive <= bound, "up to " + mostLive + " images of 8 MiB alive at once; bound " + bound
            + " (budget " + (NativeMemory.budgetBytesValue() >> 20) + " MiB)");
        System.out.println("forgotten 8 MiB images: at most " + mostLive + " alive at once ("
            + (mostLive * imageBytes >> 20) + " MiB), " + (NativeMemory.collections() - collectionsBefore)
            + " collections asked for, budget " + (NativeMemory.budgetBytesValue() >> 20) + " MiB");
        assertTrue(awaitLiveCount(baseline) <= baseline);
    }

    /** The process's peak resident memory in KiB after resetting it to the current resident memory (Linux). */
    private static long resetPeakKib() throws java.io.IOException {
        java.nio.file.Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        return peakKib();
    }

    private static long peakKib() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmHWM in /proc/self/status");
    }

    /**
     * Issue 15, item 10: {@code fromPixels} copied the pixels twice (out of the Java array, then
     * into the image), so a 256 MiB image peaked at +511 MiB. Now the one copy out of the array
     * is the image's buffer.
     */
    @Test
    void fromPixelsCopiesThePixelsOnce() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(Path.of("/proc/self/status")));
        int width = 4096;
        int height = 4096;
        byte[] pixels = new byte[width * height * 4]; // 64 MiB, resident before the measurement
        java.util.Arrays.fill(pixels, (byte) 7);
        Image.trimNativeMemory(); // no cached block to reuse: every copy costs fresh pages
        long before = resetPeakKib();
        long grown;
        try (Image image = Image.fromPixels(width, height, pixels)) {
            grown = peakKib() - before;
            assertEquals(width, image.width());
        }
        long imageKib = (long) pixels.length >> 10;
        assertTrue(grown < imageKib * 3 / 2, "fromPixels of " + (imageKib >> 10) + " MiB raised the peak by "
            + (grown >> 10) + " MiB: more than one copy");
    }

    @Test
    void pixelViewIsZeroCopyReadOnlyAndOutlivesClose() throws InterruptedException {
        long baseline = awaitLiveCount(Diagnostics.liveHandleCount());
        useViewAfterClose(baseline);
        // The view (and its slice) are unreachable now: the Cleaner releases the shared handle.
        long live = awaitLiveCount(baseline);
        assertTrue(live <= baseline, "live handles after GC: " + live + ", baseline " + baseline);
    }

    /** In its own frame so that no local variable keeps the view reachable afterwards. */
    private static void useViewAfterClose(long baseline) {
        byte[] rgba = {10, 20, 30, 40, 50, 60, 70, 80};
        ByteBuffer view;
        try (Image image = Image.fromPixels(2, 1, rgba)) {
            ByteBuffer pixels = image.pixels();
            view = pixels;
            assertTrue(pixels.isDirect());
            assertTrue(pixels.isReadOnly());
            assertEquals(8, pixels.remaining());
            assertThrows(ReadOnlyBufferException.class, () -> pixels.put(0, (byte) 1));
            image.mirror(); // in place: the view shows it without a new call
            assertEquals(50, view.get(0));
            assertEquals(10, view.get(4));
        }
        assertTrue(Diagnostics.liveHandleCount() >= baseline + 1, "the view keeps the pixels alive after close");
        ByteBuffer slice = view.slice(4, 4);
        assertEquals(10, slice.get(0), "the view is readable after close");
        assertEquals(40, slice.get(3));
    }

    @Test
    void closeDuringACallIsDeferredUntilTheCallReturns() throws Exception {
        Image big = Image.open(TestSupport.testdata("rocket.jpg"));
        long before = Diagnostics.liveHandleCount();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch started = new CountDownLatch(1);
            Future<Image> running = pool.submit(() -> {
                started.countDown();
                return big.blur(30f);
            });
            started.await();
            Thread.sleep(20); // most likely inside the native call now
            big.close();
            assertThrows(IllegalStateException.class, big::width, "closed at once for new calls");
            try (Image blurred = running.get(60, TimeUnit.SECONDS)) {
                assertEquals(640, blurred.width());
            }
            assertTrue(Diagnostics.liveHandleCount() <= before - 1, "the source was freed when its call ended");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyThreadsClosingAndUsingOneImageNeverCrash() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 50; round++) {
                Image image = Image.open(TestSupport.testdata("noise-13x7.png"));
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int kind = t;
                    results.add(pool.submit(() -> {
                        try {
                            if (kind == 0) {
                                image.close();
                            } else if (kind % 2 == 0) {
                                image.mirror();
                            } else {
                                image.blur(1f).close();
                            }
                        } catch (IllegalStateException closed) {
                            // the close won the race: expected
                        }
                    }));
                }
                for (Future<?> result : results) {
                    result.get(30, TimeUnit.SECONDS);
                }
                image.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeRacingManyCallsFreesTheHandleExactlyOnce() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                long baseline = Diagnostics.liveHandleCount();
                Image image = Image.open(TestSupport.testdata("noise-13x7.png"));
                CountDownLatch running = new CountDownLatch(threads);
                List<Future<Long>> callers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    callers.add(pool.submit(() -> {
                        long calls = 0;
                        running.countDown();
                        try {
                            while (true) {
                                image.colorType();
                                calls++;
                            }
                        } catch (IllegalStateException closed) {
                            return calls; // the only way out: a destroy failure would be a PixbridgeException
                        }
                    }));
                }
                running.await();
                image.close();
                for (Future<Long> caller : callers) {
                    caller.get(30, TimeUnit.SECONDS);
                }
                // Freed exactly once: a second destroy would have thrown from a caller's exit or
                // the close, and a missing one would leave the count above the baseline.
                assertEquals(baseline, Diagnostics.liveHandleCount(), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
