package io.pixbridge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Native pixel memory held by images that have not been freed yet, and the garbage collections it
 * asks for so that images that are never closed are freed in time.
 *
 * <p>An {@link Image} is a small Java object in front of megabytes of native memory: forgotten
 * images hardly grow the Java heap, so the collector that would let the {@link java.lang.ref.Cleaner}
 * free them may never run (300 forgotten 16 MB results under {@code -Xmx64m} reached 4.6 GiB
 * without a single collection). So every image counts its pixels here, and when the memory of
 * unfreed images reaches the budget, one thread calls {@link System#gc()}; the Cleaner then frees
 * the unreachable images. The next threshold is twice the memory still held, and it comes back
 * down towards the budget as images are freed, so closing images as one should never triggers a
 * collection, and a program that keeps many images open on purpose is not collected over and
 * over. The memory of unreachable images therefore stays within about twice the budget plus what
 * the program keeps open.
 *
 * <p>The budget is {@value #DEFAULT_BUDGET_MIB} MiB, or the system property
 * {@value #BUDGET_PROPERTY} (in MiB, read once; {@code 0} turns the collections off).
 */
final class NativeMemory {
    /** System property: the budget in MiB. */
    static final String BUDGET_PROPERTY = "pixbridge.nativeMemoryBudgetMiB";
    /** The budget without the property, in MiB (the C# SDK's threshold too). */
    static final long DEFAULT_BUDGET_MIB = 256;

    private static final long BUDGET_BYTES = budgetBytes();
    private static final AtomicLong UNFREED = new AtomicLong();
    private static final AtomicLong COLLECT_AT = new AtomicLong(BUDGET_BYTES);
    private static final AtomicLong COLLECTIONS = new AtomicLong();

    private NativeMemory() {
    }

    private static long budgetBytes() {
        long mib = DEFAULT_BUDGET_MIB;
        String configured = System.getProperty(BUDGET_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            try {
                mib = Math.max(0, Long.parseLong(configured.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "-D" + BUDGET_PROPERTY + "=" + configured + " is not a whole number of MiB", e);
            }
        }
        return mib == 0 ? Long.MAX_VALUE : mib << 20;
    }

    /** Counts a new image's pixels; may ask for a collection (see the class docs). */
    static void reserve(long bytes) {
        long unfreed = UNFREED.addAndGet(bytes);
        long collectAt = COLLECT_AT.get();
        // One thread wins the exchange and asks for the collection; the others go on.
        if (unfreed >= collectAt && COLLECT_AT.compareAndSet(collectAt, Math.max(BUDGET_BYTES, 2 * unfreed))) {
            COLLECTIONS.incrementAndGet();
            System.gc();
        }
    }

    /** Uncounts a freed image's pixels; lowers the threshold again once usage has fallen well below it. */
    static void release(long bytes) {
        long unfreed = UNFREED.addAndGet(-bytes);
        long collectAt = COLLECT_AT.get();
        long lowered = Math.max(BUDGET_BYTES, 2 * unfreed);
        if (lowered < collectAt / 2) {
            COLLECT_AT.compareAndSet(collectAt, lowered);
        }
    }

    /** Bytes of pixels of images not freed yet (tests). */
    static long unfreedBytes() {
        return UNFREED.get();
    }

    /** Collections asked for so far (tests). */
    static long collections() {
        return COLLECTIONS.get();
    }

    /** The budget in bytes ({@code Long.MAX_VALUE} when turned off). */
    static long budgetBytesValue() {
        return BUDGET_BYTES;
    }
}
