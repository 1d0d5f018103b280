package io.pixbridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One asynchronous native call: the machinery behind every {@code ...Async} method.
 *
 * <p>{@link #submit} creates a native control (the cancellation flag and the progress listener of
 * this one call), hooks the future and hands the task to the executor. The task then runs the
 * native call under the control on the executor's thread and completes the future with the
 * result. The future's own completion is the only cancellation signal: whoever completes it first
 * (a {@code cancel}, an {@code orTimeout}, a listener that throws) makes the hook cancel the
 * control, and the native work stops. So:
 *
 * <ul>
 *   <li>completed before the task starts: the hook releases everything at once (the image it
 *       holds open, the control), and the task, when the executor gets to it, does nothing;</li>
 *   <li>completed while the native call runs: the control is cancelled; the call returns
 *       {@link ErrorCode#CANCELLED} (or, if it had just finished, its result, which is released:
 *       a new image is closed);</li>
 *   <li>the native call finishes first: the task releases the control and the image it holds
 *       <em>before</em> it completes the future, so that when {@code join()} returns, the live
 *       handle counters are back where they were.</li>
 * </ul>
 *
 * <p>A {@link ErrorCode#CANCELLED} from the native side always surfaces as a cancelled future
 * ({@link java.util.concurrent.CancellationException}); every other failure completes the future
 * exceptionally with the exception itself (so {@code join()} throws a
 * {@link java.util.concurrent.CompletionException} whose cause is the {@link PixbridgeException}).
 *
 * <p>State: {@code PENDING -> RUNNING -> FINISHED} when the executor runs the task, or
 * {@code PENDING -> ABANDONED} when the future completes (or the submission fails) first. Exactly
 * one of the two transitions out of {@code PENDING} wins, and the winner releases the resources,
 * once.
 *
 * @param <T> the future's value type
 */
final class NativeTask<T> implements Runnable {
    /** A fresh operation's native call: returns the new image's handle. */
    @FunctionalInterface
    interface FreshCall {
        long call(long handle, long control);
    }

    /** An in-place operation's native call. */
    @FunctionalInterface
    interface InPlaceCall {
        void call(long handle, long control);
    }

    /** The work of a task, given the control: a native call and what surrounds it (I/O, adoption). */
    @FunctionalInterface
    interface Work<T> {
        T run(long control) throws Exception;
    }

    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int FINISHED = 2;
    private static final int ABANDONED = 3;

    private final CompletableFuture<T> future = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger(PENDING);
    /** The control handle; 0 once destroyed. */
    private final AtomicLong control = new AtomicLong();
    private final Work<T> work;
    /** Run once when the task no longer needs what it holds (an image's lifetime pin); may be null. */
    private final Runnable release;
    /** Disposes of a result nobody will see (the future was completed first); may be null. */
    private final Consumer<? super T> discard;

    private NativeTask(Work<T> work, Runnable release, Consumer<? super T> discard) {
        this.work = work;
        this.release = release;
        this.discard = discard;
    }

    /**
     * Runs {@code work} asynchronously on {@code executor} (null: {@link #defaultExecutor()}) with
     * progress going to {@code listener} (may be null). {@code release} runs exactly once, when the
     * task no longer needs what the caller acquired for it, even if this method throws.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the executor refuses the task
     */
    static <T> CompletableFuture<T> submit(ProgressListener listener, Executor executor, Work<T> work,
            Runnable release, Consumer<? super T> discard) {
        NativeTask<T> task = new NativeTask<>(work, release, discard);
        try {
            Executor target = executor != null ? executor : defaultExecutor();
            task.control.set(NativeImage.controlCreate(listener == null ? null : new Relay(listener, task.future)));
            task.future.whenComplete((value, failure) -> task.onFutureCompleted());
            target.execute(task);
        } catch (RuntimeException | Error e) {
            task.abandon();
            throw e;
        }
        return task.future;
    }

    @Override
    public void run() {
        if (!state.compareAndSet(PENDING, RUNNING)) {
            return; // abandoned: the future is done and everything was released
        }
        T value = null;
        Throwable failure = null;
        try {
            value = work.run(control.get());
        } catch (Throwable t) {
            failure = t;
        }
        try {
            releaseAll();
        } finally {
            state.set(FINISHED);
            if (failure == null) {
                if (!future.complete(value) && discard != null && value != null) {
                    discard.accept(value);
                }
            } else if (failure instanceof PixbridgeException e && e.code() == ErrorCode.CANCELLED) {
                future.cancel(false);
            } else {
                future.completeExceptionally(failure);
            }
        }
    }

    /** The future completed (by anyone): release a task that has not started, or stop one that runs. */
    private void onFutureCompleted() {
        if (abandon()) {
            return;
        }
        if (state.get() == RUNNING) {
            long handle = control.get();
            if (handle != 0) {
                try {
                    NativeImage.controlCancel(handle);
                } catch (PixbridgeException e) {
                    // The task destroyed the control meanwhile (handles are never reused): it is done.
                }
            }
        }
    }

    /** Moves a task that has not started to ABANDONED and releases it; false if it had started. */
    private boolean abandon() {
        if (!state.compareAndSet(PENDING, ABANDONED)) {
            return false;
        }
        releaseAll();
        return true;
    }

    /**
     * Runs {@code release}, then destroys the control; called once, by the winner of the state
     * change. In that order, so that a live control count back at its baseline means that the
     * images the calls held are released too.
     */
    private void releaseAll() {
        try {
            if (release != null) {
                release.run();
            }
        } finally {
            long handle = control.getAndSet(0);
            if (handle != 0) {
                NativeImage.controlDestroy(handle);
            }
        }
    }

    /**
     * The object the native control calls: forwards to the user's listener while the future is
     * not done, and turns a listener that throws into a failed future (which cancels the work).
     */
    private static final class Relay implements ProgressListener {
        private final ProgressListener listener;
        private final CompletableFuture<?> future;

        Relay(ProgressListener listener, CompletableFuture<?> future) {
            this.listener = listener;
            this.future = future;
        }

        @Override
        public void onProgress(float fraction) {
            if (future.isDone()) {
                return;
            }
            try {
                listener.onProgress(fraction);
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }
    }

    /** The default executor, made at its first use. */
    static Executor defaultExecutor() {
        return DefaultExecutor.VIEW;
    }

    /**
     * Daemon platform threads, as many as there are native worker threads ({@code
     * pixbridge-async-<n>}), an unbounded queue; idle threads end after 30 s.
     */
    private static final class DefaultExecutor {
        private static final ThreadPoolExecutor POOL = create();
        /** What {@link Image#asyncExecutor()} hands out: it runs tasks, and cannot be shut down. */
        static final Executor VIEW = POOL::execute;

        private static ThreadPoolExecutor create() {
            NativeLoader.load();
            int threads = Math.max(1, NativeImage.workerThreads());
            AtomicInteger count = new AtomicInteger();
            ThreadFactory factory = runnable -> {
                Thread thread = new Thread(runnable, "pixbridge-async-" + count.getAndIncrement());
                thread.setDaemon(true);
                return thread;
            };
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), factory);
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }
}
