package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Image#setNativeWorkerThreads(int)}, {@link Image#nativeWorkerThreads()} and
 * {@code PIXBRIDGE_WORKER_THREADS}, each scenario in a JVM of its own ({@link WorkerThreadsProbe}).
 */
class WorkerThreadsTest {
    /** Runs the probe with {@code scenario} and the worker-thread variable set to {@code variable} (null: unset). */
    private static Map<String, String> probe(String scenario, String variable) throws Exception {
        String classPath = System.getProperty("java.class.path");
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            classPath = classPath.isEmpty() ? modulePath : classPath + File.pathSeparator + modulePath;
        }
        List<String> command = List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xcheck:jni",
            "-cp", classPath, WorkerThreadsProbe.class.getName(),
            TestSupport.testdata("").toString(), scenario);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("PIXBRIDGE_WORKER_THREADS");
        if (variable != null) {
            builder.environment().put("PIXBRIDGE_WORKER_THREADS", variable);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe finished");
        assertEquals(0, process.exitValue(), output);
        Map<String, String> seen = new HashMap<>();
        for (String line : output.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                seen.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return seen;
    }

    @Test
    void aCountSetFirstIsTheOneThePoolStartsWithAndAnotherIsRefusedLater() throws Exception {
        Map<String, String> seen = probe("set", "2");
        assertEquals("ok", seen.get("set3"));
        assertEquals("3", seen.get("before"), "the call takes precedence over the variable");
        assertTrue(seen.get("negative").startsWith("INVALID_ARGUMENT: threads must not be negative"), seen.get("negative"));
        assertEquals("3", seen.get("after"));
        assertEquals("ok", seen.get("same"));
        assertTrue(seen.get("other").startsWith("INVALID_ARGUMENT: "), seen.get("other"));
        assertTrue(seen.get("other").contains("already runs with 3 threads"), seen.get("other"));
        assertEquals("3", seen.get("still"));
    }

    @Test
    void theEnvironmentVariableIsHonoured() throws Exception {
        Map<String, String> seen = probe("environment", "1");
        assertEquals("1", seen.get("before"));
        assertEquals("1", seen.get("after"));
        assertEquals("ok", seen.get("same"));
        assertTrue(seen.get("other").contains("already runs with 1 thread:"), seen.get("other"));
    }

    @Test
    void withoutEitherThereIsOnePerLogicalCpu() throws Exception {
        Map<String, String> seen = probe("environment", null);
        String cores = Integer.toString(Runtime.getRuntime().availableProcessors());
        assertEquals(cores, seen.get("before"));
        assertEquals(cores, seen.get("after"));
    }
}
