package io.pixbridge;

/**
 * Told how far an asynchronous call has got: {@code image.blurAsync(30f, fraction -> ...)}.
 *
 * <p>The fractions one call reports are strictly increasing, in (0, 1], about one per hundredth
 * at most; a call that succeeds always ends with exactly {@code 1.0}, before its future completes.
 * A cancelled or failed call stops reporting. Reports of one call never overlap, but they come from
 * the threads that do the work: the executor's thread that made the native call, or one of the
 * native worker threads (named {@code pixbridge-<n>}; see {@link Image#nativeWorkerThreads()}),
 * which the library attaches to the JVM as daemon threads the first time they report. So a
 * listener must be thread-safe with respect to the rest of the program, and quick: the work
 * waits for it. It must not block (no {@code join()} on a Pixbridge future, no waiting for a
 * lock held around a Pixbridge call): a worker thread blocked in it is one fewer worker for every
 * native call in the process.
 *
 * <p>A listener may cancel the call it watches ({@code future.cancel(true)}): the native work
 * stops within the next hundredth or so. Dependent actions of the future ({@code thenAccept}, ...)
 * then run on the thread that cancelled, as for any {@link java.util.concurrent.CompletableFuture};
 * use the {@code ...Async} forms of those methods to run them elsewhere.
 *
 * <p>A listener that throws stops the call: the future completes exceptionally with what it threw
 * and the native work is cancelled. (Ignoring the exception would hide a bug and keep reporting
 * to a listener that is known to be broken.) Nothing it throws reaches the native library.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * Reports progress.
     *
     * @param fraction the fraction of the call done, above 0 and at most 1
     */
    void onProgress(float fraction);
}
