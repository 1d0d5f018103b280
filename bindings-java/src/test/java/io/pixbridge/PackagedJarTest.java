package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs after {@code mvn package} built the jar: starts fresh JVMs with only the jar (plus the
 * probe class) on the class path and an empty {@code java.library.path}, as a user would.
 */
class PackagedJarTest {
    @TempDir
    Path temp;

    private static Path jar() {
        Path jar = Path.of(System.getProperty("pixbridge.jar"));
        assertTrue(Files.isRegularFile(jar), "packaged jar missing: " + jar);
        return jar;
    }

    private static final class Run {
        final int exitCode;
        final String output;

        Run(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    private Run probe(String... jvmOptions) throws IOException, InterruptedException {
        Path emptyLibraryPath = Files.createDirectories(temp.resolve("empty-library-path"));
        Path testClasses = Path.of(PackagedJarProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xcheck:jni");
        command.add("-Djava.library.path=" + emptyLibraryPath);
        command.addAll(Arrays.asList(jvmOptions));
        command.add("-cp");
        command.add(jar() + File.pathSeparator + testClasses);
        command.add(PackagedJarProbe.class.getName());
        command.add(TestSupport.testdata("").toAbsolutePath().toString());
        command.add(temp.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe timed out");
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println(text); // kept in the surefire output, which ci/test-java.sh scans for JNI warnings
        return new Run(process.exitValue(), text);
    }

    @Test
    void jarCarriesTheNativeLibraryUnderItsPlatformFolder() throws IOException {
        String entryName = NativeLoader.resourcePath().substring(1);
        try (JarFile jar = new JarFile(jar().toFile())) {
            ZipEntry entry = jar.getEntry(entryName);
            assertNotNull(entry, "missing " + entryName);
            byte[] magic;
            try (InputStream in = jar.getInputStream(entry)) {
                magic = in.readNBytes(4);
            }
            if (entryName.endsWith(".so")) {
                assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, magic);
            }
            assertNotNull(jar.getEntry("module-info.class"));
            assertNotNull(jar.getEntry("io/pixbridge/Image.class"));
            // The benchmark harness and its timing hook are never shipped.
            assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("io/pixbridge/bench/")), "benchmark classes in the jar");
        }
    }

    @Test
    void aPlainJavaProgramUsesTheJarWithNoSetUp() throws Exception {
        Run run = probe();
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("source=extracted:"), run.output);
        assertTrue(run.output.contains("saved=640x427 RGB8"), run.output);
        assertTrue(run.output.contains("live=0"), run.output);
        assertFalse(run.output.contains("WARNING"), "JNI check warnings: " + run.output);
        assertTrue(Files.isRegularFile(temp.resolve("probe.png")));
    }

    @Test
    void extractionDirectoryCanBeChosen() throws Exception {
        Path chosen = Files.createDirectories(temp.resolve("exec-allowed"));
        Run run = probe("-Dpixbridge.native.extractDir=" + chosen);
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("source=extracted:" + chosen + File.separator + "pixbridge-native-"), run.output);
        try (var left = Files.list(chosen)) {
            assertEquals(0, left.count(), "the private directory is removed after loading");
        }
    }

    @Test
    void explicitLibraryPathIsUsedAndItsFailureIsReported() throws Exception {
        Path bogus = temp.resolve("no-such-lib.so");
        Run run = probe("-Dpixbridge.library.path=" + bogus);
        assertNotEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("Pixbridge could not load its native library for platform "
            + NativeLoader.platform()), run.output);
        assertTrue(run.output.contains(bogus.toString()), run.output);
    }
}
