package io.pixbridge;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Started by {@link AsyncTest} in a JVM of its own: runs asynchronous blurs whose progress is
 * reported from the native worker threads (which the library then attaches to the JVM), prints
 * whether it saw such reports, and returns from {@code main} without {@code System.exit}. The
 * JVM must then end: the attached worker threads are daemons.
 */
public final class AsyncExitProbe {
    private AsyncExitProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        byte[] pixels = new byte[1200 * 900 * 4];
        new java.util.Random(1).nextBytes(pixels);
        try (Image image = Image.fromPixels(1200, 900, pixels)) {
            for (int i = 0; i < 4; i++) {
                image.blurAsync(10f, fraction -> threads.add(Thread.currentThread().getName())).join().close();
            }
        }
        boolean workers = threads.stream().anyMatch(name -> name.startsWith("pixbridge-") && !name.startsWith("pixbridge-async-"));
        System.out.println("threads=" + threads);
        System.out.println("worker-reports=" + (workers ? "yes" : "no"));
    }
}
