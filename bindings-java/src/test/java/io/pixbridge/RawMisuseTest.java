package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse of the raw native layer ({@link NativeImage}, {@link NativeOperations}), below the safe
 * {@link Image} API: destroyed, doubly destroyed, forged and wrong-kind handles, and a handle
 * destroyed on one thread while another uses it. Every call must throw a
 * {@link PixbridgeException} with {@link ErrorCode#INVALID_HANDLE} (the handle table's
 * generation and kind checks), never crash the JVM, and leave no handle behind.
 */
class RawMisuseTest {
    /** The image table's kind tag, bits 56..63 of a handle (runtime/src/images.rs). */
    private static final long IMAGE_KIND = 0x1;
    /** The buffer table's kind tag: a buffer handle is the wrong kind for every image call. */
    private static final long BUFFER_KIND = 0x2;

    @TempDir
    Path temp;

    /** A raw call that takes an image handle. */
    @FunctionalInterface
    private interface RawCall {
        void call(long handle) throws Throwable;
    }

    /**
     * Every native method that takes an image handle, with valid other arguments for a 4 x 4
     * image, so that only the handle can be wrong. The per-operation methods are found by
     * reflection, so that an operation added to the table is covered without editing this test.
     */
    private Map<String, RawCall> everyHandleCall() {
        byte[] savePath = temp.resolve("never-written.png").toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
        Map<String, RawCall> calls = new LinkedHashMap<>();
        calls.put("NativeImage.dimensions", NativeImage::dimensions);
        calls.put("NativeImage.colorType", NativeImage::colorType);
        calls.put("NativeImage.share", NativeImage::share);
        calls.put("NativeImage.pixelBuffer", NativeImage::pixelBuffer);
        calls.put("NativeImage.copyPixels", h -> NativeImage.copyPixels(h, new byte[64]));
        calls.put("NativeImage.save", h -> NativeImage.save(h, savePath));
        calls.put("NativeImage.encode", h -> NativeImage.encode(h, ImageFormat.PNG.value(), 0));
        calls.put("NativeImage.encodeWith", h -> NativeImage.encodeWith(h, ImageFormat.PNG.value(), 0, 0, 0, 0, 0, 0, 0, 0, 0));
        calls.put("NativeImage.saveWith", h -> NativeImage.saveWith(h, savePath, NativeImage.FORMAT_FROM_EXTENSION, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        Method[] operations = NativeOperations.class.getDeclaredMethods();
        Arrays.sort(operations, Comparator.comparing(Method::getName));
        int found = 0;
        for (Method operation : operations) {
            if (!Modifier.isNative(operation.getModifiers())) {
                continue;
            }
            found++;
            Class<?>[] types = operation.getParameterTypes();
            assertEquals(long.class, types[0], operation + ": the image handle comes first");
            Object[] arguments = new Object[types.length];
            for (int i = 1; i < types.length; i++) {
                // 1 is in range for every parameter on a 4 x 4 image (sigma, size, crop, delta, filter).
                arguments[i] = types[i] == float.class ? (Object) 1f : (Object) 1;
            }
            operation.setAccessible(true);
            calls.put("NativeOperations." + operation.getName(), h -> {
                arguments[0] = h;
                try {
                    Object result = operation.invoke(null, arguments);
                    if (result instanceof Long created) {
                        NativeImage.destroy(created); // only reached if the call wrongly succeeded
                    }
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }
        assertTrue(found >= 12, "NativeOperations has the 12 operations of the table, found " + found);
        return calls;
    }

    private static long newImage() {
        NativeLoader.load();
        byte[] rgba = new byte[4 * 4 * 4];
        Arrays.fill(rgba, (byte) 0x7f);
        return NativeImage.fromPixels(4, 4, rgba);
    }

    /** Asserts that {@code call} throws PixbridgeException(INVALID_HANDLE) for {@code handle}. */
    private static void assertInvalidHandle(String name, RawCall call, long handle) {
        try {
            call.call(handle);
        } catch (PixbridgeException e) {
            assertEquals(ErrorCode.INVALID_HANDLE, e.code(),
                    name + "(" + Long.toHexString(handle) + "): " + e.getMessage());
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), name + ": the exception has a message");
            return;
        } catch (Throwable other) {
            throw new AssertionError(name + "(" + Long.toHexString(handle) + ") threw " + other + " instead of INVALID_HANDLE", other);
        }
        fail(name + "(" + Long.toHexString(handle) + ") succeeded on an invalid handle");
    }

    @Test
    void destroyedHandleIsInvalidForEveryCallIncludingASecondDestroy() {
        long baseline = Diagnostics.liveHandleCount();
        long handle = newImage();
        assertEquals(4L << 32 | 4L, NativeImage.dimensions(handle), "a live handle works");
        NativeImage.destroy(handle);
        assertEquals(baseline, Diagnostics.liveHandleCount(), "destroy freed the handle");
        for (Map.Entry<String, RawCall> call : everyHandleCall().entrySet()) {
            assertInvalidHandle(call.getKey(), call.getValue(), handle);
        }
        assertInvalidHandle("NativeImage.destroy (second time)", NativeImage::destroy, handle);
        // A new image may reuse the slot; the old handle must not reach it.
        long reused = newImage();
        try {
            assertNotEquals(handle, reused, "a reused slot gets a new generation");
            assertInvalidHandle("NativeImage.destroy (stale, slot reused)", NativeImage::destroy, handle);
            assertEquals(4L << 32 | 4L, NativeImage.dimensions(reused), "the stale destroy left the new image alone");
        } finally {
            NativeImage.destroy(reused);
        }
        assertEquals(baseline, Diagnostics.liveHandleCount());
    }

    @Test
    void forgedAndWrongKindHandlesAreInvalid() {
        long baseline = Diagnostics.liveHandleCount();
        long live = newImage();
        try {
            assertEquals(IMAGE_KIND, live >>> 56, "image handles carry the image kind tag");
            List<Long> forged = new ArrayList<>(List.of(0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE,
                    IMAGE_KIND << 56, // image kind, index 0 (no slot), generation 0
                    (live & ~(0xffL << 56)) | (BUFFER_KIND << 56), // the live slot as a buffer handle
                    (live & ~(0xffL << 56)) | (0x7fL << 56), // the live slot with an unknown kind
                    live & 0x00ff_ffff_ffff_ffffL, // the live slot with no kind
                    live + (1L << 32), // the live slot, next generation
                    (live & ~0xffff_ffffL) | 0xffff_ffffL)); // the live generation, a slot never created
            Random random = new Random(0x5eed_1234L);
            for (int i = 0; i < 200; i++) {
                long value = random.nextLong();
                forged.add(value);
                forged.add((IMAGE_KIND << 56) | (value & 0x00ff_ffff_ffff_ffffL)); // right kind, random rest
            }
            forged.removeIf(value -> value == live);
            Map<String, RawCall> calls = everyHandleCall();
            calls.put("NativeImage.destroy", NativeImage::destroy);
            for (long handle : forged) {
                for (Map.Entry<String, RawCall> call : calls.entrySet()) {
                    assertInvalidHandle(call.getKey(), call.getValue(), handle);
                }
            }
            assertEquals(4L << 32 | 4L, NativeImage.dimensions(live), "the real image survived every forged call");
            assertEquals(baseline + 1, Diagnostics.liveHandleCount());
        } finally {
            NativeImage.destroy(live);
        }
        assertEquals(baseline, Diagnostics.liveHandleCount());
    }

    @Test
    void handleDestroyedWhileAnotherThreadUsesItInALoop() throws Exception {
        long baseline = Diagnostics.liveHandleCount();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 20; round++) {
                long handle = newImage();
                CountDownLatch warmedUp = new CountDownLatch(1);
                Future<String> user = pool.submit(() -> {
                    int succeeded = 0;
                    int failed = 0;
                    for (int i = 0; failed < 500; i++) {
                        try {
                            switch (i % 4) {
                                case 0 -> NativeOperations.mirror(handle);
                                case 1 -> NativeImage.colorType(handle);
                                case 2 -> NativeImage.destroy(NativeOperations.blur(handle, 1f));
                                default -> NativeImage.dimensions(handle);
                            }
                            if (failed > 0) {
                                return "call " + i + " succeeded after the handle had failed";
                            }
                            if (++succeeded == 200) {
                                warmedUp.countDown();
                            }
                        } catch (PixbridgeException e) {
                            if (e.code() != ErrorCode.INVALID_HANDLE) {
                                return "call " + i + ": " + e.code() + " " + e.getMessage();
                            }
                            failed++;
                        }
                    }
                    return succeeded >= 200 ? "ok" : "only " + succeeded + " calls succeeded before the destroy";
                });
                assertTrue(warmedUp.await(60, TimeUnit.SECONDS), "the user thread got going");
                NativeImage.destroy(handle);
                assertEquals("ok", user.get(60, TimeUnit.SECONDS), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(baseline, Diagnostics.liveHandleCount(), "no handle left behind (blur results included)");
    }

    @Test
    void racingDestroysFreeAHandleExactlyOnce() throws Exception {
        long baseline = Diagnostics.liveHandleCount();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                long handle = newImage();
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> destroyed = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    destroyed.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        try {
                            NativeImage.destroy(handle);
                            return true;
                        } catch (PixbridgeException e) {
                            assertEquals(ErrorCode.INVALID_HANDLE, e.code(), e.getMessage());
                            return false;
                        }
                    }));
                }
                int succeeded = 0;
                for (Future<Boolean> result : destroyed) {
                    succeeded += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, succeeded, "round " + round + ": exactly one destroy succeeds");
                assertEquals(baseline, Diagnostics.liveHandleCount());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theShippedLayerHasNoBenchmarkHook() {
        // The blur timing hook lives in io.pixbridge.bench.NativeTiming, compiled only into the
        // benchmark's own build of the library (cargo feature bench-hooks); ci/test-java.sh checks
        // that the shipped library does not export it.
        for (Method method : NativeImage.class.getDeclaredMethods()) {
            assertFalse(method.getName().toLowerCase(java.util.Locale.ROOT).contains("nanos"), method + " is a test hook");
        }
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.pixbridge.bench.NativeTiming"));
    }

    /**
     * The raw layer passes plain numbers; the native side checks them with the runtime's
     * validation, shared with the C ABI (one validation in native code), whatever Java sends.
     */
    @Test
    void optionNumbersAreValidatedNatively() throws Exception {
        long baseline = Diagnostics.liveHandleCount();
        long handle = newImage();
        byte[] rocket = java.nio.file.Files.readAllBytes(TestSupport.testdata("rocket.jpg"));
        byte[] path = TestSupport.testdata("rocket.jpg").toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
        byte[] savePath = temp.resolve("never-written.jpg").toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
        int jpeg = ImageFormat.JPEG.value();
        try {
            // encodeWith / saveWith: quality, subsampling, progressive, optimizeHuffman, pngCompression,
            // webpQuality, avifQuality, avifSpeed, stripMetadata.
            int[][] badEncode = {
                {101, 0, 0, 0, 0, 0, 0, 0, 0}, {-1, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 3, 0, 0, 0, 0, 0, 0, 0},
                {0, -1, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 2, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 7, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 10, 0, 0, 0, 0}, {0, 0, 0, 0, -3, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 101, 0, 0, 0},
                {0, 0, 0, 0, 0, -1, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 101, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 11, 0},
                {0, 0, 0, 0, 0, 0, 0, -1, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 2},
            };
            for (int[] bad : badEncode) {
                String what = Arrays.toString(bad);
                assertInvalidArgument("encodeWith " + what, () -> NativeImage.encodeWith(handle, jpeg, bad[0], bad[1],
                        bad[2], bad[3], bad[4], bad[5], bad[6], bad[7], bad[8]));
                assertInvalidArgument("saveWith " + what,
                        () -> {
                            NativeImage.saveWith(handle, savePath, jpeg, bad[0], bad[1], bad[2], bad[3], bad[4], bad[5],
                                    bad[6], bad[7], bad[8]);
                            return null;
                        });
            }
            assertInvalidArgument("encodeWith format 11",
                    () -> NativeImage.encodeWith(handle, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            assertInvalidArgument("encodeWith format -1",
                    () -> NativeImage.encodeWith(handle, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            assertInvalidArgument("saveWith format -2", () -> {
                NativeImage.saveWith(handle, savePath, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0);
                return null;
            });
            assertFalse(java.nio.file.Files.exists(temp.resolve("never-written.jpg")));
            assertTrue(NativeImage.encodeWith(handle, jpeg, 100, 2, 1, 1, 9, 100, 100, 10, 1).length > 0,
                    "the largest valid values work");

            // thumbnails: fit, allowUpscale, negative sizes and limits.
            int[][] badThumbnail = {{10, 10, 3, 0}, {10, 10, -1, 0}, {10, 10, 0, 2}, {-10, 10, 0, 0}, {10, -10, 0, 0}, {0, 10, 0, 0}};
            for (int[] bad : badThumbnail) {
                String what = Arrays.toString(bad);
                assertInvalidArgument("thumbnailFile " + what, () -> NativeImage.thumbnailFile(path, bad[0], bad[1], bad[2],
                        32768, 32768, 1L << 29, bad[3], 0));
                assertInvalidArgument("thumbnailArray " + what, () -> NativeImage.thumbnailArray(rocket, 0, rocket.length,
                        bad[0], bad[1], bad[2], 32768, 32768, 1L << 29, bad[3], 0));
            }
            assertInvalidArgument("thumbnail negative limit", () -> NativeImage.thumbnailArray(rocket, 0, rocket.length,
                    10, 10, 0, -1, 32768, 1L << 29, 0, 0));
            // decode options: negative minimum sizes and limits.
            assertInvalidArgument("openWith minWidth -1", () -> NativeImage.openWith(path, 32768, 32768, 1L << 29, -1, 0, 0, 0, 0));
            assertInvalidArgument("decodeWithArray minHeight -1", () -> NativeImage.decodeWithArray(rocket, 0, rocket.length,
                    32768, 32768, 1L << 29, 0, -1, 0, 0, 0));
            assertInvalidArgument("decodeWithArray maxDecodedBytes -1", () -> NativeImage.decodeWithArray(rocket, 0, rocket.length,
                    32768, 32768, -1L, 0, 0, 0, 0, 0));
            // The deferred and lenient flags are 0 or 1, and not both 1, checked natively.
            assertInvalidArgument("openWith deferred 2", () -> NativeImage.openWith(path, 32768, 32768, 1L << 29, 0, 0, 2, 0, 0));
            assertInvalidArgument("decodeWithArray deferred -1", () -> NativeImage.decodeWithArray(rocket, 0, rocket.length,
                    32768, 32768, 1L << 29, 0, 0, -1, 0, 0));
            assertInvalidArgument("openWith lenient 2", () -> NativeImage.openWith(path, 32768, 32768, 1L << 29, 0, 0, 0, 2, 0));
            assertInvalidArgument("decodeWithArray lenient -1", () -> NativeImage.decodeWithArray(rocket, 0, rocket.length,
                    32768, 32768, 1L << 29, 0, 0, 0, -1, 0));
            // keepProfile and keepMetadata likewise.
            assertInvalidArgument("openWith keepProfile 2", () -> NativeImage.openWith(path, 32768, 32768, 1L << 29,
                    0, 0, 0, 0, 2));
            assertInvalidArgument("decodeWithArray keepProfile -1", () -> NativeImage.decodeWithArray(rocket, 0,
                    rocket.length, 32768, 32768, 1L << 29, 0, 0, 0, 0, -1));
            assertInvalidArgument("thumbnailArray keepMetadata 2", () -> NativeImage.thumbnailArray(rocket, 0,
                    rocket.length, 10, 10, 0, 32768, 32768, 1L << 29, 0, 2));
            assertInvalidArgument("openWith deferred and lenient", () -> NativeImage.openWith(path, 32768, 32768, 1L << 29,
                    0, 0, 1, 1, 0));
            // Ranges and nulls as for decodeArray / decodeDirect.
            assertInvalidArgument("thumbnailArray bad range", () -> NativeImage.thumbnailArray(rocket, -1, 4, 10, 10, 0,
                    32768, 32768, 1L << 29, 0, 0));
            assertInvalidArgument("thumbnailDirect bad range", () -> NativeImage.thumbnailDirect(
                    java.nio.ByteBuffer.allocateDirect(8), 4, 5, 10, 10, 0, 32768, 32768, 1L << 29, 0, 0));
            assertInvalidArgument("thumbnailArray range past the end", () -> NativeImage.thumbnailArray(rocket, 1, rocket.length,
                    10, 10, 0, 32768, 32768, 1L << 29, 0, 0));
            assertInvalidArgument("decodeArray range past the end", () -> NativeImage.decodeArray(rocket, rocket.length, 1,
                    32768, 32768, 1L << 29));
            assertInvalidArgument("decodeWithArray range past the end", () -> NativeImage.decodeWithArray(rocket, 0,
                    rocket.length + 1, 32768, 32768, 1L << 29, 0, 0, 0, 0, 0));
            PixbridgeException nullData = assertThrows(PixbridgeException.class,
                    () -> NativeImage.thumbnailDirect(null, 0, 0, 10, 10, 0, 32768, 32768, 1L << 29, 0, 0));
            assertEquals(ErrorCode.NULL_ARGUMENT, nullData.code());
        } finally {
            NativeImage.destroy(handle);
        }
        assertEquals(baseline, Diagnostics.liveHandleCount());
    }

    /** A raw call with all its arguments bound. */
    @FunctionalInterface
    private interface BoundCall {
        Object call() throws Throwable;
    }

    private static void assertInvalidArgument(String what, BoundCall call) {
        Object result;
        try {
            result = call.call();
        } catch (PixbridgeException e) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), what + ": " + e.getMessage());
            return;
        } catch (Throwable other) {
            throw new AssertionError(what + " threw " + other, other);
        }
        if (result instanceof Long created) {
            NativeImage.destroy(created); // only reached if the call wrongly succeeded
        }
        fail(what + " succeeded");
    }
}
