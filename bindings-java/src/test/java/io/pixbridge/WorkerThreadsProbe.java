package io.pixbridge;

import java.nio.file.Path;

/**
 * Started by {@link WorkerThreadsTest} in a JVM of its own (the worker pool is per process and
 * its size is fixed once it starts). Runs one scenario and prints one {@code key=value} line per
 * observation; the test checks them.
 */
public final class WorkerThreadsProbe {
    private WorkerThreadsProbe() {
    }

    private static void work(Path testdata) {
        try (Image image = Image.open(testdata.resolve("rocket.jpg"));
             Image blurred = image.blur(2f)) {
            blurred.width();
        }
    }

    /** Tries to set {@code threads} and prints {@code ok} or the error code and message. */
    private static String attempt(int threads) {
        try {
            Image.setNativeWorkerThreads(threads);
            return "ok";
        } catch (PixbridgeException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    /**
     * Runs a scenario.
     *
     * @param args the testdata directory and the scenario: {@code set} or {@code environment}
     */
    public static void main(String[] args) {
        Path testdata = Path.of(args[0]);
        if (args[1].equals("set")) {
            Diagnostics.liveHandleCount(); // a diagnostic does not start the pool
            System.out.println("set3=" + attempt(3));
            System.out.println("before=" + Image.nativeWorkerThreads());
            System.out.println("negative=" + attempt(-1));
        } else {
            System.out.println("before=" + Image.nativeWorkerThreads());
        }
        work(testdata);
        System.out.println("after=" + Image.nativeWorkerThreads());
        System.out.println("same=" + attempt(Image.nativeWorkerThreads()));
        System.out.println("other=" + attempt(Image.nativeWorkerThreads() + 1));
        System.out.println("still=" + Image.nativeWorkerThreads());
    }
}
