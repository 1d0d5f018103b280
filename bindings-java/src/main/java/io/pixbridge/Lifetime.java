package io.pixbridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Owns the native handle: counts calls in flight so that a close (explicit or by the Cleaner)
 * during a call only marks the image closed, and the last call out frees it.
 *
 * <p>The whole state is one {@code long} changed by single atomic instructions (no lock):
 * the low bits count calls in flight, {@link #CLOSED} marks the image closed and
 * {@link #DESTROYED} records that the native handle was freed. The handle is freed exactly
 * once, by whoever moves the state from "closed, no call in flight" to "destroyed": the
 * closer if no call was in flight, else the last call to leave.
 */
final class Lifetime implements Runnable {
    /** Set by the close; no call may start afterwards. */
    private static final long CLOSED = 1L << 62;
    /** Set once, by the one thread that frees the native handle. */
    private static final long DESTROYED = 1L << 61;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Lifetime.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long handle;
    /** Pixel bytes counted in {@link NativeMemory} for this image; uncounted when it is freed. */
    private final long bytes;
    /** Calls in flight (low bits) plus the {@link #CLOSED} and {@link #DESTROYED} flags; changed only through STATE. */
    private volatile long state;

    Lifetime(long handle, long bytes) {
        this.handle = handle;
        this.bytes = bytes;
        NativeMemory.reserve(bytes);
    }

    void checkOpen() {
        if ((state & CLOSED) != 0) {
            throw closedError();
        }
    }

    boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** Starts a call; returns the handle, valid until {@link #exit()}. */
    long enter() {
        // Count first, check after: a call counted before the close keeps the handle alive;
        // one that finds the image closed undoes its count (which may free the handle).
        long previous = (long) STATE.getAndAdd(this, 1L);
        if ((previous & CLOSED) != 0) {
            exit();
            throw closedError();
        }
        return handle;
    }

    /** Ends a call; frees the image if it was closed meanwhile and this was the last call. */
    void exit() {
        long now = (long) STATE.getAndAdd(this, -1L) - 1;
        if (now == CLOSED) {
            destroyOnce();
        }
    }

    /** The close action, run once by {@link Image#close()} or by the Cleaner. */
    @Override
    public void run() {
        long previous = (long) STATE.getAndBitwiseOr(this, CLOSED);
        if (previous == 0) {
            destroyOnce();
        }
    }

    /** Frees the handle unless another thread already did (only one CAS can succeed). */
    private void destroyOnce() {
        if (STATE.compareAndSet(this, CLOSED, CLOSED | DESTROYED)) {
            try {
                NativeImage.destroy(handle);
            } finally {
                NativeMemory.release(bytes);
            }
        }
    }

    private static IllegalStateException closedError() {
        return new IllegalStateException("the image is closed");
    }
}
