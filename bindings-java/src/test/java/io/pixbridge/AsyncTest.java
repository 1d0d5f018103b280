package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The asynchronous methods: cancellation (before the start, mid-way, after completion, from the
 * native side), progress, lifetime, errors, threads, leaks, concurrency, and every operation's
 * async twin against its synchronous result.
 */
class AsyncTest {
    /** Big enough that a blur at sigma 30 reports many hundredths before it ends (about a second). */
    private static final int BIG_WIDTH = 4000;
    private static final int BIG_HEIGHT = 3000;

    @TempDir
    Path temp;

    /** An image of random pixels (alpha included), the same for the same seed. */
    private static Image noise(int width, int height, long seed) {
        byte[] pixels = new byte[width * height * 4];
        new Random(seed).nextBytes(pixels);
        return Image.fromPixels(width, height, pixels);
    }

    /** Waits until {@code counter} is at most {@code baseline} (native work may still be returning); returns it. */
    private static long awaitAtMost(LongSupplier counter, long baseline) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long value = counter.getAsLong();
        while (value > baseline && System.nanoTime() < deadline) {
            Thread.sleep(5);
            value = counter.getAsLong();
        }
        return value;
    }

    /** The counters every leak check compares with a baseline. */
    private record Counters(long images, long buffers, long controls) {
        static Counters now() {
            return new Counters(Diagnostics.liveHandleCount(), Diagnostics.liveBufferCount(), Diagnostics.liveControlCount());
        }

        /** Waits for the native work still returning, then checks nothing is left above {@code this}. */
        void assertBackTo() throws InterruptedException {
            assertTrue(awaitAtMost(Diagnostics::liveControlCount, controls) <= controls, "controls left: "
                    + (Diagnostics.liveControlCount() - controls));
            assertTrue(awaitAtMost(Diagnostics::liveHandleCount, images) <= images, "image handles left: "
                    + (Diagnostics.liveHandleCount() - images));
            assertEquals(buffers, Diagnostics.liveBufferCount(), "buffer handles");
        }
    }

    /** Records progress reports and the threads that made them. */
    private static final class Recorder implements ProgressListener {
        final ConcurrentLinkedQueue<Float> fractions = new ConcurrentLinkedQueue<>();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        volatile Thread last;

        @Override
        public void onProgress(float fraction) {
            fractions.add(fraction);
            threads.add(Thread.currentThread());
            last = Thread.currentThread();
        }

        List<Float> list() {
            return new ArrayList<>(fractions);
        }
    }

    /** An executor that only queues tasks, so a test decides when (and whether) they run. */
    private static final class HeldExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable command) {
            tasks.add(command);
        }

        synchronized void runAll() {
            tasks.forEach(Runnable::run);
            tasks.clear();
        }
    }

    private static Throwable cause(CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return e.getCause();
    }

    private static PixbridgeException nativeFailure(CompletableFuture<?> future) {
        return assertInstanceOf(PixbridgeException.class, cause(future));
    }

    // --- every operation ---

    /** Arguments in range for every operation on a 64 x 48 image (sigma, sizes, crop box, deltas, filter). */
    private static Object argument(Class<?> type) {
        if (type == float.class) {
            return 1.5f;
        }
        if (type == int.class) {
            return 7;
        }
        if (type == ResizeFilter.class) {
            return ResizeFilter.LANCZOS3;
        }
        throw new AssertionError("no test value for " + type);
    }

    @Test
    void everyOperationHasAnAsyncTwinInThreeFormsThatEqualsTheSyncResult() throws Exception {
        Counters before = Counters.now();
        List<String> checked = new ArrayList<>();
        for (Method sync : ImageOperations.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(sync.getModifiers()) || CompletableFuture.class.isAssignableFrom(sync.getReturnType())) {
                continue;
            }
            String name = sync.getName() + "Async";
            Class<?>[] types = sync.getParameterTypes();
            Class<?>[] withListener = Arrays.copyOf(types, types.length + 1);
            withListener[types.length] = ProgressListener.class;
            Class<?>[] withExecutor = Arrays.copyOf(withListener, types.length + 2);
            withExecutor[types.length + 1] = Executor.class;
            Method plain = ImageOperations.class.getMethod(name, types);
            Method listened = ImageOperations.class.getMethod(name, withListener);
            Method executed = ImageOperations.class.getMethod(name, withExecutor);
            boolean fresh = sync.getReturnType() == Image.class;
            for (Method async : List.of(plain, listened, executed)) {
                assertEquals(CompletableFuture.class, async.getReturnType(), async.toString());
            }
            Object[] arguments = Arrays.stream(types).map(AsyncTest::argument).toArray();
            Object[] listenedArguments = Arrays.copyOf(arguments, arguments.length + 1);
            Recorder recorder = new Recorder();
            listenedArguments[arguments.length] = recorder;
            ExecutorService own = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-executor"));
            Object[] executedArguments = Arrays.copyOf(listenedArguments, listenedArguments.length + 1);
            executedArguments[listenedArguments.length] = own;
            try (Image source = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
                String expected;
                if (fresh) {
                    try (Image result = (Image) sync.invoke(source, arguments)) {
                        expected = TestSupport.pixelSha256(result);
                    }
                } else {
                    try (Image copy = source.crop(0, 0, source.width(), source.height())) {
                        sync.invoke(copy, arguments);
                        expected = TestSupport.pixelSha256(copy);
                    }
                }
                Object[][] calls = {arguments, listenedArguments, executedArguments};
                Method[] forms = {plain, listened, executed};
                for (int form = 0; form < 3; form++) {
                    if (fresh) {
                        CompletableFuture<?> future = (CompletableFuture<?>) forms[form].invoke(source, calls[form]);
                        try (Image result = (Image) future.get(60, TimeUnit.SECONDS)) {
                            assertEquals(expected, TestSupport.pixelSha256(result), forms[form].toString());
                        }
                    } else {
                        try (Image copy = source.crop(0, 0, source.width(), source.height())) {
                            CompletableFuture<?> future = (CompletableFuture<?>) forms[form].invoke(copy, calls[form]);
                            assertEquals(null, future.get(60, TimeUnit.SECONDS));
                            assertEquals(expected, TestSupport.pixelSha256(copy), forms[form].toString());
                        }
                    }
                }
            } finally {
                own.shutdown();
            }
            List<Float> seen = recorder.list();
            assertFalse(seen.isEmpty(), name + " reported no progress");
            assertEquals(1.0f, seen.get(seen.size() - 1), name + ": " + seen);
            checked.add(name);
        }
        assertTrue(checked.size() >= 13, "async twins checked: " + checked);
        before.assertBackTo();
    }

    // --- cancellation ---

    @Test
    void aCancelBeforeTheExecutorRunsTheTaskReleasesAtOnceAndNothingRuns() throws Exception {
        try (Image source = noise(256, 256, 1)) {
            Counters before = Counters.now();
            HeldExecutor held = new HeldExecutor();
            Recorder recorder = new Recorder();
            CompletableFuture<Image> future = source.blurAsync(3f, recorder, held);
            assertEquals(before.controls() + 1, Diagnostics.liveControlCount(), "the call holds a control");
            assertTrue(future.cancel(true));
            assertTrue(future.isCancelled());
            assertThrows(CancellationException.class, future::join);
            // Released by the cancel itself: no control, and the source is not held open any more.
            assertEquals(before.controls(), Diagnostics.liveControlCount());
            held.runAll();
            assertTrue(recorder.list().isEmpty(), "the work never ran: " + recorder.list());
            before.assertBackTo();
        }
        // The same for an in-place operation and a save: nothing changes, no file.
        try (Image source = noise(256, 256, 2)) {
            String pixels = TestSupport.pixelSha256(source);
            HeldExecutor held = new HeldExecutor();
            CompletableFuture<Void> mirrored = source.mirrorAsync(null, held);
            Path file = temp.resolve("never.png");
            CompletableFuture<Void> saved = source.saveAsync(file, null, held);
            mirrored.cancel(false);
            saved.cancel(false);
            held.runAll();
            assertEquals(pixels, TestSupport.pixelSha256(source));
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void aControlCancelledBeforeTheNativeCallMakesItFailWithCancelledAndChangeNothing() throws Exception {
        try (Image source = noise(300, 200, 3)) {
            String pixels = TestSupport.pixelSha256(source);
            long control = NativeImage.controlCreate(null);
            long handle = source.enterCall();
            try {
                NativeImage.controlCancel(control);
                PixbridgeException blur = assertThrows(PixbridgeException.class,
                    () -> NativeControlledOperations.blur(handle, 2f, control));
                assertEquals(ErrorCode.CANCELLED, blur.code());
                PixbridgeException gamma = assertThrows(PixbridgeException.class,
                    () -> NativeControlledOperations.gamma(handle, 2f, control));
                assertEquals(ErrorCode.CANCELLED, gamma.code());
                byte[] path = temp.resolve("cancelled.png").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                assertEquals(ErrorCode.CANCELLED, assertThrows(PixbridgeException.class,
                    () -> NativeImage.saveControlled(handle, path, control)).code());
                assertFalse(Files.exists(temp.resolve("cancelled.png")));
            } finally {
                source.exitCall();
                NativeImage.controlDestroy(control);
            }
            assertEquals(pixels, TestSupport.pixelSha256(source));
            // A destroyed control is an invalid handle, never reused.
            assertEquals(ErrorCode.INVALID_HANDLE,
                assertThrows(PixbridgeException.class, () -> NativeImage.controlCancel(control)).code());
        }
    }

    @Test
    void forgedStaleAndWrongKindControlHandlesAreRefused() throws Exception {
        try (Image source = noise(16, 16, 18)) {
            long images = Diagnostics.liveHandleCount();
            long controls = Diagnostics.liveControlCount();
            long handle = source.enterCall();
            try {
                long stale = NativeImage.controlCreate(null);
                NativeImage.controlDestroy(stale);
                for (long bad : new long[] {stale, handle, 0x1234L, -1L}) {
                    String what = "control " + Long.toHexString(bad);
                    assertEquals(ErrorCode.INVALID_HANDLE, assertThrows(PixbridgeException.class,
                        () -> NativeControlledOperations.blur(handle, 1f, bad), what).code());
                    assertEquals(ErrorCode.INVALID_HANDLE, assertThrows(PixbridgeException.class,
                        () -> NativeControlledOperations.mirror(handle, bad), what).code());
                    assertEquals(ErrorCode.INVALID_HANDLE, assertThrows(PixbridgeException.class,
                        () -> NativeImage.encodeControlled(handle, ImageFormat.PNG.value(), 0, bad), what).code());
                    assertEquals(ErrorCode.INVALID_HANDLE,
                        assertThrows(PixbridgeException.class, () -> NativeImage.controlCancel(bad), what).code());
                    assertEquals(ErrorCode.INVALID_HANDLE,
                        assertThrows(PixbridgeException.class, () -> NativeImage.controlDestroy(bad), what).code());
                }
                // Control 0 means none; a control handle is no image handle.
                NativeImage.destroy(NativeControlledOperations.blur(handle, 1f, 0));
                long control = NativeImage.controlCreate(null);
                try {
                    assertEquals(ErrorCode.INVALID_HANDLE, assertThrows(PixbridgeException.class,
                        () -> NativeControlledOperations.blur(control, 1f, control)).code());
                } finally {
                    NativeImage.controlDestroy(control);
                }
            } finally {
                source.exitCall();
            }
            assertEquals(images, Diagnostics.liveHandleCount());
            assertEquals(controls, Diagnostics.liveControlCount());
        }
    }

    @Test
    void aCancelledCodeFromTheNativeSideEndsAsACancelledFuture() {
        CompletableFuture<Object> future = NativeTask.submit(null, Runnable::run, control -> {
            throw new PixbridgeException(ErrorCode.CANCELLED, "the operation was cancelled");
        }, null, null);
        assertTrue(future.isCancelled());
        assertThrows(CancellationException.class, future::join);
        // Other codes are the exception itself, wrapped by join() and get().
        CompletableFuture<Object> failed = NativeTask.submit(null, Runnable::run, control -> {
            throw new PixbridgeException(ErrorCode.DECODE, "bad data");
        }, null, null);
        assertFalse(failed.isCancelled());
        assertEquals(ErrorCode.DECODE, nativeFailure(failed).code());
        ExecutionException viaGet = assertThrows(ExecutionException.class, failed::get);
        assertInstanceOf(PixbridgeException.class, viaGet.getCause());
    }

    /** Cancels the future from its own listener once more than {@code at} of the work is done. */
    private static final class CancelAt implements ProgressListener {
        final AtomicReference<CompletableFuture<?>> future = new AtomicReference<>();
        final ConcurrentLinkedQueue<Float> fractions = new ConcurrentLinkedQueue<>();
        final float at;
        volatile long cancelledAt;

        CancelAt(float at) {
            this.at = at;
        }

        @Override
        public void onProgress(float fraction) {
            fractions.add(fraction);
            CompletableFuture<?> watched = future.get();
            if (fraction > at && watched != null && cancelledAt == 0) {
                cancelledAt = System.nanoTime();
                watched.cancel(true);
            }
        }

        float max() {
            return fractions.stream().max(Float::compare).orElse(0f);
        }
    }

    @Test
    void aCancelMidwayStopsTheWorkAndLeavesNothing() throws Exception {
        try (Image source = noise(BIG_WIDTH, BIG_HEIGHT, 4)) {
            String pixels = TestSupport.pixelSha256(source);
            Counters before = Counters.now();
            CancelAt listener = new CancelAt(0.2f);
            CompletableFuture<Image> future = source.blurAsync(30f, listener);
            listener.future.set(future);
            assertThrows(CancellationException.class, future::join);
            assertTrue(future.isCancelled());
            assertNotEquals(0, listener.cancelledAt, "cancelled from the listener: " + listener.fractions);
            before.assertBackTo(); // the native call returned: no result image, no control
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - listener.cancelledAt);
            float max = listener.max();
            System.out.printf("blur sigma 30 on %dx%d cancelled at %.2f: stopped at %.2f, within %d ms%n",
                BIG_WIDTH, BIG_HEIGHT, listener.at, max, latencyMs);
            assertTrue(max < 1.0f, "the blur stopped before its end: " + max);
            assertEquals(pixels, TestSupport.pixelSha256(source), "the source is unchanged");
        }
    }

    @Test
    void aCancelledInPlaceOperationLeavesThePixelsIdentical() throws Exception {
        try (Image image = noise(BIG_WIDTH, BIG_HEIGHT, 5)) {
            String pixels = TestSupport.pixelSha256(image);
            long controls = Diagnostics.liveControlCount();
            List<Float> stoppedAt = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                CancelAt listener = new CancelAt(0.2f);
                CompletableFuture<Void> future = switch (round) {
                    case 0 -> image.gammaAsync(0.5f, listener);
                    case 1 -> image.adjustContrastAsync(40f, listener);
                    default -> image.grayscaleAsync(listener);
                };
                listener.future.set(future);
                assertThrows(CancellationException.class, future::join);
                assertNotEquals(0, listener.cancelledAt, "round " + round + " was cancelled from its listener");
                // The control goes when the native call has returned (undoing what it had changed).
                assertTrue(awaitAtMost(Diagnostics::liveControlCount, controls) <= controls);
                stoppedAt.add(listener.max());
                // Had the operation run to its end, the pixels would differ: equal means it stopped.
                assertEquals(pixels, TestSupport.pixelSha256(image), "round " + round + " left the pixels as they were");
            }
            System.out.println("in-place operations cancelled after 0.2: " + stoppedAt);
            // Not cancelled, the same calls do change the image.
            image.gammaAsync(0.5f).join();
            assertNotEquals(pixels, TestSupport.pixelSha256(image));
        }
    }

    /**
     * Below the futures: a native call whose control is cancelled from its progress callback
     * stops with {@link ErrorCode#CANCELLED} before its end (every report is seen here, none
     * filtered), and the source is unchanged.
     */
    @Test
    void theNativeCallStopsMidwayWhenItsControlIsCancelledFromTheCallback() throws Exception {
        try (Image source = noise(BIG_WIDTH, BIG_HEIGHT, 17)) {
            String pixels = TestSupport.pixelSha256(source);
            long images = Diagnostics.liveHandleCount();
            ConcurrentLinkedQueue<Float> seen = new ConcurrentLinkedQueue<>();
            long[] control = new long[1];
            long[] cancelledAt = new long[1];
            control[0] = NativeImage.controlCreate(fraction -> {
                seen.add(fraction);
                if (fraction > 0.2f && cancelledAt[0] == 0) {
                    cancelledAt[0] = System.nanoTime();
                    NativeImage.controlCancel(control[0]);
                }
            });
            long handle = source.enterCall();
            try {
                PixbridgeException e = assertThrows(PixbridgeException.class,
                    () -> NativeControlledOperations.blur(handle, 30f, control[0]));
                long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt[0]);
                assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
                float max = seen.stream().max(Float::compare).orElse(0f);
                System.out.printf("native blur sigma 30 on %dx%d, control cancelled after 0.2: stopped at %.2f, "
                    + "returned %d ms after the cancel%n", BIG_WIDTH, BIG_HEIGHT, max, latencyMs);
                assertTrue(max < 0.5f, "stopped soon after the cancel: " + seen);
            } finally {
                source.exitCall();
                NativeImage.controlDestroy(control[0]);
            }
            assertEquals(images, Diagnostics.liveHandleCount(), "no image made");
            assertEquals(pixels, TestSupport.pixelSha256(source));
        }
    }

    @Test
    void aCancelAfterCompletionChangesNothing() throws Exception {
        try (Image source = noise(320, 240, 6)) {
            CompletableFuture<Image> future = source.blurAsync(2f);
            try (Image blurred = future.get(60, TimeUnit.SECONDS);
                 Image expected = source.blur(2f)) {
                assertFalse(future.cancel(true));
                assertFalse(future.isCancelled());
                assertSame(blurred, future.join());
                assertEquals(TestSupport.pixelSha256(expected), TestSupport.pixelSha256(blurred));
            }
        }
    }

    @Test
    void completingTheFutureAnyOtherWayCancelsTheWorkToo() throws Exception {
        try (Image source = noise(BIG_WIDTH, BIG_HEIGHT, 7)) {
            Counters before = Counters.now();
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Image> future = source.blurAsync(30f, fraction -> started.countDown());
            assertTrue(started.await(60, TimeUnit.SECONDS));
            assertTrue(future.completeExceptionally(new java.util.concurrent.TimeoutException("gave up")));
            assertInstanceOf(java.util.concurrent.TimeoutException.class, cause(future));
            before.assertBackTo();
        }
    }

    // --- progress ---

    @Test
    void progressIsStrictlyIncreasingInZeroToOneAndEndsAtOneBeforeTheFutureCompletes() throws Exception {
        try (Image source = noise(2000, 1500, 8)) {
            Recorder recorder = new Recorder();
            AtomicReference<List<Float>> atCompletion = new AtomicReference<>();
            CompletableFuture<Image> future = source.blurAsync(12f, recorder);
            CompletableFuture<Void> done = future.thenAccept(blurred -> {
                atCompletion.set(recorder.list());
                blurred.close();
            });
            done.get(60, TimeUnit.SECONDS);
            List<Float> seen = atCompletion.get();
            assertTrue(seen.size() > 10, "many reports for a large blur: " + seen);
            assertTrue(seen.size() <= 101, "at most one per hundredth: " + seen.size());
            for (int i = 0; i < seen.size(); i++) {
                float fraction = seen.get(i);
                assertTrue(fraction > 0f && fraction <= 1f, "in (0, 1]: " + seen);
                if (i > 0) {
                    assertTrue(fraction > seen.get(i - 1), "strictly increasing: " + seen);
                }
            }
            assertEquals(1.0f, seen.get(seen.size() - 1), "ends at 1 before the future completes");
            assertEquals(seen, recorder.list(), "nothing reported after completion");
        }
    }

    @Test
    void aListenerThatThrowsFailsTheFutureWithItsExceptionAndStopsTheWork() throws Exception {
        try (Image source = noise(BIG_WIDTH, BIG_HEIGHT, 9)) {
            Counters before = Counters.now();
            AtomicInteger calls = new AtomicInteger();
            IllegalStateException boom = new IllegalStateException("listener bug");
            CompletableFuture<Image> future = source.blurAsync(30f, fraction -> {
                calls.incrementAndGet();
                if (fraction > 0.1f) {
                    throw boom;
                }
            });
            assertSame(boom, cause(future));
            before.assertBackTo();
            int after = calls.get();
            Thread.sleep(50);
            assertEquals(after, calls.get(), "no report after the failure");
        }
        // A listener that throws on the final report of a quick call still fails it.
        try (Image small = noise(16, 16, 10)) {
            CompletableFuture<Void> future = small.mirrorAsync(fraction -> {
                throw new UnsupportedOperationException("no");
            });
            assertInstanceOf(UnsupportedOperationException.class, cause(future));
        }
    }

    // --- lifetime ---

    @Test
    void closeDuringAsyncWorkDefersTheReleaseUntilTheCallEnds() throws Exception {
        Image source = noise(2000, 1500, 11);
        String expected;
        try (Image blurred = source.blur(20f)) {
            expected = TestSupport.pixelSha256(blurred);
        }
        long withSource = Diagnostics.liveHandleCount();
        CountDownLatch working = new CountDownLatch(1);
        CompletableFuture<Image> future = source.blurAsync(20f, fraction -> working.countDown());
        assertTrue(working.await(60, TimeUnit.SECONDS));
        source.close(); // returns at once; the call holds the image open
        assertTrue(source.toString().contains("closed"));
        assertThrows(IllegalStateException.class, () -> source.blurAsync(1f), "a closed image takes no new call");
        assertThrows(IllegalStateException.class, source::width);
        try (Image blurred = future.get(60, TimeUnit.SECONDS)) {
            // Freed memory would have failed the call (or given other pixels).
            assertEquals(expected, TestSupport.pixelSha256(blurred), "the call finished on intact memory");
            // The source went when the call returned, before the future completed: the result took its place.
            assertTrue(Diagnostics.liveHandleCount() <= withSource);
        }
        assertTrue(awaitAtMost(Diagnostics::liveHandleCount, withSource - 1) <= withSource - 1);

        // Closed while the task waits in the queue: the submission holds the image open.
        Image queued = noise(64, 64, 12);
        String pixels = TestSupport.pixelSha256(queued);
        long withQueued = Diagnostics.liveHandleCount();
        HeldExecutor held = new HeldExecutor();
        CompletableFuture<Image> copy = queued.cropAsync(0, 0, 64, 64, null, held);
        CompletableFuture<Void> flipped = queued.flipVerticalAsync(null, held);
        queued.close();
        assertTrue(Diagnostics.liveHandleCount() <= withQueued, "still held by the queued calls");
        assertThrows(IllegalStateException.class, queued::width);
        held.runAll();
        try (Image result = copy.get(60, TimeUnit.SECONDS)) {
            assertEquals(pixels, TestSupport.pixelSha256(result), "the queued copy read the image it was given");
            assertEquals(null, flipped.get(60, TimeUnit.SECONDS));
            assertTrue(Diagnostics.liveHandleCount() <= withQueued, "the last call out freed the closed image");
        }
    }

    @Test
    void argumentErrorsThrowAtOnceAndNativeErrorsCompleteTheFuture() throws Exception {
        Image image = noise(32, 32, 13);
        try {
            Counters before = Counters.now();
            assertThrows(NullPointerException.class, () -> image.resizeAsync(4, 4, null));
            assertThrows(IllegalArgumentException.class, () -> image.cropAsync(-1, 0, 1, 1));
            assertThrows(NullPointerException.class, () -> image.saveAsync(null));
            assertThrows(NullPointerException.class, () -> Image.openAsync((Path) null));
            assertThrows(IllegalArgumentException.class, () -> image.encodeAsync(ImageFormat.JPEG, 0));
            assertThrows(IllegalArgumentException.class, () -> Image.thumbnailAsync(new byte[1], 0, 1, ThumbnailFit.FILL));
            assertEquals(before.controls(), Diagnostics.liveControlCount(), "nothing was submitted");

            assertEquals(ErrorCode.INVALID_ARGUMENT, nativeFailure(image.blurAsync(-1f)).code());
            assertEquals(ErrorCode.INVALID_ARGUMENT, nativeFailure(image.cropAsync(30, 30, 10, 10)).code());
            assertEquals(ErrorCode.NOT_FOUND, nativeFailure(Image.openAsync(temp.resolve("missing.png"))).code());
            assertEquals(ErrorCode.UNSUPPORTED_FORMAT,
                nativeFailure(Image.decodeAsync(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).code());
            assertEquals(ErrorCode.UNSUPPORTED_FORMAT, nativeFailure(image.saveAsync(temp.resolve("x.unknown"))).code());
            before.assertBackTo();

            // An executor that refuses the task: the exception is thrown and nothing is held.
            Executor refusing = command -> {
                throw new RejectedExecutionException("full");
            };
            assertThrows(RejectedExecutionException.class, () -> image.blurAsync(1f, null, refusing));
            assertEquals(before.controls(), Diagnostics.liveControlCount());
            image.close();
            assertTrue(awaitAtMost(Diagnostics::liveHandleCount, before.images() - 1) <= before.images() - 1,
                "the refused call let go of the image");
        } finally {
            image.close();
        }
    }

    // --- decode, encode, save, thumbnail ---

    @Test
    void decodeAndOpenAsyncEqualTheSyncResults() throws Exception {
        Path rocket = TestSupport.testdata("rocket.jpg");
        byte[] bytes = Files.readAllBytes(rocket);
        String expected;
        try (Image image = Image.decode(bytes)) {
            expected = TestSupport.pixelSha256(image);
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 10);
        direct.position(10);
        direct.put(bytes).position(10);
        ByteBuffer heap = ByteBuffer.wrap(bytes);
        List<CompletableFuture<Image>> futures = List.of(
            Image.decodeAsync(bytes),
            Image.decodeAsync(bytes, DecodeLimits.DEFAULT),
            Image.decodeAsync(bytes, DecodeOptions.DEFAULT, new Recorder()),
            Image.decodeAsync(direct),
            Image.decodeAsync(heap.asReadOnlyBuffer(), DecodeOptions.DEFAULT),
            Image.decodeAsync(new ByteArrayInputStream(bytes)),
            Image.decodeAsync(Files.newInputStream(rocket), DecodeOptions.DEFAULT, null, Runnable::run),
            Image.openAsync(rocket),
            Image.openAsync(rocket, DecodeLimits.DEFAULT),
            Image.openAsync(rocket, DecodeOptions.DEFAULT));
        for (CompletableFuture<Image> future : futures) {
            try (Image image = future.get(60, TimeUnit.SECONDS)) {
                assertEquals(expected, TestSupport.pixelSha256(image));
            }
        }
        assertEquals(10, direct.position(), "the buffer's position is not moved");

        // Shrink-on-load and deferred decoding go through the same options.
        try (Image sync = Image.open(rocket, DecodeOptions.minSize(100, 100));
             Image async = Image.openAsync(rocket, DecodeOptions.minSize(100, 100)).join();
             Image deferred = Image.decodeAsync(new ByteArrayInputStream(bytes), DecodeOptions.DEFERRED).join()) {
            assertEquals(TestSupport.pixelSha256(sync), TestSupport.pixelSha256(async));
            assertEquals(expected, TestSupport.pixelSha256(deferred));
        }

        // A stream that fails completes the future with its IOException.
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
        assertInstanceOf(IOException.class, cause(Image.decodeAsync(broken)));
    }

    @Test
    void thumbnailEncodeAndSaveAsyncEqualTheSyncResults() throws Exception {
        Path rocket = TestSupport.testdata("rocket.jpg");
        byte[] bytes = Files.readAllBytes(rocket);
        String thumb;
        try (Image image = Image.thumbnail(rocket, 200, 150, ThumbnailFit.COVER)) {
            thumb = TestSupport.pixelSha256(image);
        }
        List<CompletableFuture<Image>> thumbnails = List.of(
            Image.thumbnailAsync(rocket, 200, 150, ThumbnailFit.COVER),
            Image.thumbnailAsync(bytes, 200, 150, ThumbnailFit.COVER, ThumbnailOptions.DEFAULT),
            Image.thumbnailAsync(ByteBuffer.wrap(bytes), 200, 150, ThumbnailFit.COVER, new Recorder()),
            Image.thumbnailAsync(new ByteArrayInputStream(bytes), 200, 150, ThumbnailFit.COVER, ThumbnailOptions.DEFAULT,
                null, null));
        for (CompletableFuture<Image> future : thumbnails) {
            try (Image image = future.get(60, TimeUnit.SECONDS)) {
                assertEquals(thumb, TestSupport.pixelSha256(image));
            }
        }

        try (Image image = Image.open(TestSupport.testdata("gradient-64x48.png"))) {
            EncodeOptions options = EncodeOptions.DEFAULT.withQuality(70).withProgressive(true);
            assertArrayEquals(image.encode(ImageFormat.PNG), image.encodeAsync(ImageFormat.PNG).join());
            assertArrayEquals(image.encode(ImageFormat.JPEG, 55), image.encodeAsync(ImageFormat.JPEG, 55).join());
            assertArrayEquals(image.encode(ImageFormat.JPEG, options), image.encodeAsync(ImageFormat.JPEG, options).join());
            ByteArrayOutputStream sync = new ByteArrayOutputStream();
            ByteArrayOutputStream async = new ByteArrayOutputStream();
            image.write(sync, ImageFormat.WEBP);
            assertEquals(null, image.encodeAsync(async, ImageFormat.WEBP).join());
            assertArrayEquals(sync.toByteArray(), async.toByteArray());
            async.reset();
            image.encodeAsync(async, ImageFormat.JPEG, options, new Recorder()).join();
            assertArrayEquals(image.encode(ImageFormat.JPEG, options), async.toByteArray());

            image.save(temp.resolve("sync.png"));
            image.saveAsync(temp.resolve("async.png")).join();
            image.saveAsync(temp.resolve("async-options.png"), EncodeOptions.DEFAULT).join();
            image.saveAsync(temp.resolve("async-format.bin"), ImageFormat.PNG, EncodeOptions.DEFAULT).join();
            byte[] expected = Files.readAllBytes(temp.resolve("sync.png"));
            assertArrayEquals(expected, Files.readAllBytes(temp.resolve("async.png")));
            assertArrayEquals(expected, Files.readAllBytes(temp.resolve("async-options.png")));
            assertArrayEquals(expected, Files.readAllBytes(temp.resolve("async-format.bin")));
        }
    }

    @Test
    void aCancelledSaveWritesNoFileAndKeepsAnExistingOne() throws Exception {
        try (Image image = noise(BIG_WIDTH, BIG_HEIGHT, 14)) {
            Counters before = Counters.now();
            Path fresh = temp.resolve("fresh.png");
            CancelAt listener = new CancelAt(0.1f);
            CompletableFuture<Void> future = image.saveAsync(fresh, EncodeOptions.DEFAULT.withPngCompression(6), listener);
            listener.future.set(future);
            assertThrows(CancellationException.class, future::join);
            before.assertBackTo();
            assertTrue(listener.max() < 1.0f, "the save stopped before its end: " + listener.fractions);
            assertFalse(Files.exists(fresh), "no file");

            Path existing = temp.resolve("existing.png");
            Files.write(existing, new byte[] {42});
            CancelAt again = new CancelAt(0.1f);
            CompletableFuture<Void> replace = image.saveAsync(existing, EncodeOptions.DEFAULT.withPngCompression(6), again);
            again.future.set(replace);
            assertThrows(CancellationException.class, replace::join);
            before.assertBackTo();
            assertArrayEquals(new byte[] {42}, Files.readAllBytes(existing), "the old file is intact");
            try (var files = Files.list(temp)) {
                assertEquals(List.of(existing), files.toList(), "no temporary file left behind");
            }
        }
    }

    // --- threads ---

    /** A stream of {@code bytes} that records the thread that reads it: the thread making the native call. */
    private static InputStream recordingStream(byte[] bytes, Set<Thread> readers) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                readers.add(Thread.currentThread());
                return super.read(b, off, len);
            }

            @Override
            public synchronized byte[] readAllBytes() {
                readers.add(Thread.currentThread());
                return super.readAllBytes();
            }
        };
    }

    @Test
    void theWorkRunsOnTheDefaultExecutorsDaemonPlatformThreadsNotTheCallers() throws Exception {
        int workers = Image.nativeWorkerThreads();
        byte[] png;
        try (Image source = noise(700, 500, 100)) {
            png = source.encode(ImageFormat.PNG);
        }
        Set<Thread> readers = ConcurrentHashMap.newKeySet();
        Recorder recorder = new Recorder();
        List<CompletableFuture<Image>> futures = new ArrayList<>();
        for (int i = 0; i < 4 * workers + 2; i++) {
            futures.add(Image.decodeAsync(recordingStream(png, readers), recorder));
        }
        List<CompletableFuture<Image>> blurs = new ArrayList<>();
        for (CompletableFuture<Image> future : futures) {
            try (Image decoded = future.get(60, TimeUnit.SECONDS)) {
                blurs.add(decoded.blurAsync(8f, recorder));
            }
        }
        for (CompletableFuture<Image> future : blurs) {
            future.get(60, TimeUnit.SECONDS).close();
        }
        Thread me = Thread.currentThread();
        assertFalse(readers.contains(me), "no work on the caller's thread");
        for (Thread reader : readers) {
            assertTrue(reader.getName().startsWith("pixbridge-async-"), reader.getName());
            assertTrue(reader.isDaemon(), reader + " is a daemon");
        }
        assertTrue(readers.size() <= workers, "at most one calling thread per native worker: " + readers);
        assertFalse(recorder.threads.contains(me), "no progress reported on the caller's thread");
        for (Thread thread : recorder.threads) {
            assertTrue(thread.isDaemon(), thread + " is a daemon thread");
            assertTrue(thread.getName().startsWith("pixbridge-"), thread.getName());
        }

        // A given executor is used instead.
        ExecutorService own = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-executor"));
        try {
            Set<Thread> mine = ConcurrentHashMap.newKeySet();
            Image.decodeAsync(recordingStream(png, mine), null, own).get(60, TimeUnit.SECONDS).close();
            assertEquals(1, mine.size());
            assertEquals("my-executor", mine.iterator().next().getName());
        } finally {
            own.shutdown();
        }
        assertNotNull(Image.asyncExecutor());
        assertSame(Image.asyncExecutor(), Image.asyncExecutor());
    }

    @Test
    void virtualThreadsWaitingForAsyncCallsParkWhileThePoolWorks() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
        // Java 21 API through reflection, so that this compiles for Java 17.
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        Method isVirtual = Thread.class.getMethod("isVirtual");
        int count = 64;
        Set<Thread> nativeThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger matches = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        try (Image source = noise(256, 256, 15); Image expected = source.blur(4f)) {
            String hash = TestSupport.pixelSha256(expected);
            byte[] png = source.encode(ImageFormat.PNG);
            for (int i = 0; i < count; i++) {
                threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                    try (Image decoded = Image.decodeAsync(recordingStream(png, nativeThreads)).join();
                         Image blurred = decoded.blurAsync(4f).join()) {
                        if (hash.equals(TestSupport.pixelSha256(blurred))) {
                            matches.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                assertTrue((Boolean) isVirtual.invoke(thread));
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
        assertEquals(count, matches.get());
        assertTrue(nativeThreads.stream().allMatch(thread -> thread.getName().startsWith("pixbridge-async-")),
            nativeThreads.toString());
    }

    /**
     * A JVM whose native worker threads reported progress (and so were attached to it) still ends
     * when {@code main} returns: they are attached as daemon threads ({@link AsyncExitProbe}).
     */
    @Test
    void theJvmExitsWhenMainReturnsAfterWorkerThreadsReportedProgress() throws Exception {
        String classPath = System.getProperty("java.class.path");
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            classPath = classPath.isEmpty() ? modulePath : classPath + java.io.File.pathSeparator + modulePath;
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xcheck:jni", "-cp", classPath, AsyncExitProbe.class.getName())
            .redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        boolean ended = process.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String text = output.get(10, TimeUnit.SECONDS);
        assertTrue(ended, "the JVM ended after main returned: " + text);
        assertEquals(0, process.exitValue(), text);
        assertTrue(text.contains("worker-reports=yes"), "worker threads reported progress: " + text);
        assertFalse(text.contains("WARNING in native method") || text.contains("FATAL ERROR in native method"), text);
    }

    // --- leaks and load ---

    /** Resident memory of this process in KiB (Linux), or -1. */
    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Test
    void thousandsOfCancelledOperationsLeakNothing() throws Exception {
        try (Image source = noise(512, 512, 16)) {
            Counters before = Counters.now();
            long rssBefore = 0;
            int[] outcomes = new int[3]; // cancelled, failed by a listener, finished before the cancel
            for (int round = 0; round < 4; round++) {
                if (round == 1) {
                    before.assertBackTo();
                    System.gc();
                    rssBefore = rssKiB(); // after a first round has warmed up the JIT, the heap and the caches
                }
                List<CompletableFuture<?>> futures = new ArrayList<>();
                HeldExecutor held = new HeldExecutor();
                for (int i = 0; i < 1000; i++) {
                    CancelAt listener = new CancelAt(0f);
                    CompletableFuture<?> future = switch (i % 5) {
                        case 0 -> source.blurAsync(6f, null, held);              // cancelled before it starts
                        case 1 -> source.blurAsync(6f, listener);                // cancelled mid-way by its listener
                        case 2 -> source.adjustContrastAsync(20f, listener);     // in place, mid-way by its listener
                        case 3 -> source.encodeAsync(ImageFormat.PNG);           // cancelled at some point
                        default -> source.resizeAsync(300, 300, ResizeFilter.LANCZOS3, fraction -> {
                            throw new IllegalStateException("a listener that fails");
                        });
                    };
                    listener.future.set(future);
                    futures.add(future);
                    if (i % 5 == 0 || i % 5 == 3) {
                        future.cancel(true);
                    }
                }
                held.runAll();
                for (CompletableFuture<?> future : futures) {
                    try {
                        Object value = future.join();
                        outcomes[2]++;
                        if (value instanceof Image image) {
                            image.close(); // finished before the cancel arrived
                        }
                    } catch (CancellationException e) {
                        outcomes[0]++;
                    } catch (CompletionException e) {
                        assertInstanceOf(IllegalStateException.class, e.getCause());
                        outcomes[1]++;
                    }
                }
                before.assertBackTo();
            }
            System.gc();
            long change = rssKiB() - rssBefore;
            System.out.printf("4000 async calls: %d cancelled, %d failed by their listener, %d finished first; "
                + "RSS change over the last 3000: %+d KiB%n", outcomes[0], outcomes[1], outcomes[2], change);
            assertTrue(outcomes[0] >= 2800, "most calls were cancelled: " + Arrays.toString(outcomes));
            assertEquals(800, outcomes[1], "every call whose listener throws fails");
            assertTrue(rssBefore <= 0 || change < 128 * 1024, "RSS grew by " + change + " KiB over 3000 cancelled calls");
        }
    }

    @Test
    void manyConcurrentAsyncCallsEachEqualTheSyncResult() throws Exception {
        int images = 20;
        int calls = 200;
        List<Image> sources = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        Counters before = Counters.now();
        try {
            for (int i = 0; i < images; i++) {
                Image source = noise(96 + i, 64 + i, 200 + i);
                sources.add(source);
                try (Image blurred = source.blur(2.5f)) {
                    expected.add(TestSupport.pixelSha256(blurred));
                }
            }
            // Submitted from several threads at once, onto the default executor.
            ExecutorService submitters = Executors.newFixedThreadPool(8);
            List<CompletableFuture<CompletableFuture<Image>>> submitted = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Image source = sources.get(i % images);
                submitted.add(CompletableFuture.supplyAsync(() -> source.blurAsync(2.5f), submitters));
            }
            Set<Integer> mismatches = new HashSet<>();
            for (int i = 0; i < calls; i++) {
                try (Image blurred = submitted.get(i).get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS)) {
                    if (!expected.get(i % images).equals(TestSupport.pixelSha256(blurred))) {
                        mismatches.add(i);
                    }
                }
            }
            submitters.shutdown();
            assertTrue(mismatches.isEmpty(), "calls whose result differs from the sync one: " + mismatches);
        } finally {
            sources.forEach(Image::close);
        }
        before.assertBackTo();
    }
}
