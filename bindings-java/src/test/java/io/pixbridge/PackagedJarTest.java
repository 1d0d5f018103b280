package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs after {@code mvn package} built the jar: starts fresh JVMs with only the jar (plus the
 * probe class) on the class path and an empty {@code java.library.path}, as a user would. The
 * loading-order tests put a planted (not Pixbridge) or the real library on
 * {@code java.library.path} instead, or run a copy of the jar without its native library.
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

    /** Runs the probe on the packaged jar with an empty {@code java.library.path}. */
    private Run probe(String... jvmOptions) throws IOException, InterruptedException {
        return probe(jar(), Files.createDirectories(temp.resolve("empty-library-path")), jvmOptions);
    }

    /**
     * Runs the probe with {@code jar} (and the probe class) on the class path and
     * {@code libraryPath} as {@code java.library.path}; the planted library, if loaded, writes
     * {@link #plantedMarker()}.
     */
    private Run probe(Path jar, Path libraryPath, String... jvmOptions) throws IOException, InterruptedException {
        Path testClasses = Path.of(PackagedJarProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xcheck:jni");
        command.add("-Djava.library.path=" + libraryPath);
        command.addAll(Arrays.asList(jvmOptions));
        command.add("-cp");
        command.add(jar + File.pathSeparator + testClasses);
        command.add(PackagedJarProbe.class.getName());
        command.add(TestSupport.testdata("").toAbsolutePath().toString());
        command.add(temp.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(PLANTED_MARKER_VARIABLE, plantedMarker().toString());
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe timed out");
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println(text); // kept in the surefire output, which ci/test-java.sh scans for JNI warnings
        return new Run(process.exitValue(), text);
    }

    /** Environment variable naming the file the planted library's constructor writes. */
    private static final String PLANTED_MARKER_VARIABLE = "PIXBRIDGE_PLANTED_LIBRARY_MARKER";

    /** Exists once a planted library's code has run in a probe JVM. */
    private Path plantedMarker() {
        return temp.resolve("planted-library-ran");
    }

    /**
     * A directory holding a library named like ours that is not ours, as a stale or hostile copy
     * on {@code java.library.path} would be: built here with {@code cc}, its constructor (run by
     * the system loader as soon as it is loaded) writes {@link #plantedMarker()}.
     */
    private Path plantedLibraryDirectory() throws IOException, InterruptedException {
        return plantedLibraryDirectory("planted", "");
    }

    /**
     * Like {@link #plantedLibraryDirectory()}, but the library also implements
     * {@code NativeImage.abiVersion()}, returning {@code abiVersion}: a Pixbridge JNI library of
     * another ABI, as far as the loader can tell.
     */
    private Path plantedLibraryDirectory(int abiVersion) throws IOException, InterruptedException {
        return plantedLibraryDirectory("planted-abi-" + abiVersion, String.join("\n",
            "__attribute__((visibility(\"default\"))) int Java_io_pixbridge_NativeImage_abiVersion(void *env, void *cls) {",
            "    (void) env; (void) cls;",
            "    return " + abiVersion + ";",
            "}",
            ""));
    }

    private Path plantedLibraryDirectory(String name, String extraSource) throws IOException, InterruptedException {
        Path directory = Files.createDirectories(temp.resolve(name));
        Path source = temp.resolve(name + ".c");
        Files.writeString(source, String.join("\n",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "__attribute__((constructor)) static void planted(void) {",
            "    const char *marker = getenv(\"" + PLANTED_MARKER_VARIABLE + "\");",
            "    FILE *file = marker ? fopen(marker, \"w\") : NULL;",
            "    if (file) { fputs(\"planted library loaded\\n\", file); fclose(file); }",
            "}",
            extraSource));
        Path library = directory.resolve(System.mapLibraryName("pixbridge_jni"));
        Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", library.toString(), source.toString())
            .redirectErrorStream(true).start();
        String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc timed out");
        assertEquals(0, cc.exitValue(), "cc failed: " + output);
        return directory;
    }

    /** A directory holding the jar's own library, as an installation on {@code java.library.path} would. */
    private Path realLibraryDirectory() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("real"));
        try (JarFile jar = new JarFile(jar().toFile());
             InputStream in = jar.getInputStream(jar.getEntry(NativeLoader.resourcePath().substring(1)))) {
            Files.copy(in, directory.resolve(System.mapLibraryName("pixbridge_jni")));
        }
        return directory;
    }

    /** A copy of the packaged jar without {@code io/pixbridge/native/}: a jar with no library for this platform. */
    private Path jarWithoutNativeLibraries() throws IOException {
        Path stripped = temp.resolve("pixbridge-without-native.jar");
        try (JarFile jar = new JarFile(jar().toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(stripped))) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                if (entry.getName().startsWith("io/pixbridge/native/")) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = jar.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        try (JarFile jar = new JarFile(stripped.toFile())) {
            assertNull(jar.getEntry(NativeLoader.resourcePath().substring(1)));
            assertNotNull(jar.getEntry("io/pixbridge/Image.class"));
        }
        return stripped;
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

    /**
     * Issue 15: a library named like ours on {@code java.library.path} (stale or planted) must not
     * be loaded in place of the jar's verified copy. With the old order (java.library.path before
     * the jar) it was loaded first and its constructor ran.
     */
    @Test
    void aLibraryPlantedOnJavaLibraryPathIsNeverLoaded() throws Exception {
        Run run = probe(jar(), plantedLibraryDirectory());
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("source=extracted:"), run.output);
        assertTrue(run.output.contains("saved=640x427 RGB8"), run.output);
        assertFalse(Files.exists(plantedMarker()), "the planted library was loaded: " + run.output);
    }

    /** Allowing java.library.path does not make it win: the jar's copy is still preferred. */
    @Test
    void theJarsCopyIsPreferredEvenWhenTheSystemPathIsAllowed() throws Exception {
        Run run = probe(jar(), plantedLibraryDirectory(), "-Dpixbridge.library.useSystemPath=true");
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("source=extracted:"), run.output);
        assertFalse(Files.exists(plantedMarker()), "the planted library was loaded: " + run.output);
    }

    /**
     * A jar without this platform's library does not search java.library.path unless allowed,
     * and its error says how to use a library from outside the jar.
     */
    @Test
    void withoutThePlatformsLibraryTheErrorSaysHowToUseAnExternalOne() throws Exception {
        Run run = probe(jarWithoutNativeLibraries(), plantedLibraryDirectory());
        assertNotEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("UnsatisfiedLinkError: Pixbridge could not load its native library for platform "
            + NativeLoader.platform()), run.output);
        assertTrue(run.output.contains("not in the jar (no native library packaged for this platform)"), run.output);
        assertTrue(run.output.contains("java.library.path: not searched (only with -Dpixbridge.library.useSystemPath=true)"),
            run.output);
        assertTrue(run.output.contains("-Dpixbridge.library.path=/absolute/path/" + System.mapLibraryName("pixbridge_jni")),
            run.output);
        assertFalse(Files.exists(plantedMarker()), "the planted library was loaded: " + run.output);
    }

    /** When allowed and the jar has no library for this platform, java.library.path's Pixbridge library is used. */
    @Test
    void anAllowedSystemPathServesAJarWithoutThePlatformsLibrary() throws Exception {
        Run run = probe(jarWithoutNativeLibraries(), realLibraryDirectory(), "-Dpixbridge.library.useSystemPath=true");
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("source=java.library.path"), run.output);
        assertTrue(run.output.contains("saved=640x427 RGB8"), run.output);
        assertTrue(run.output.contains("live=0"), run.output);
        assertFalse(run.output.contains("WARNING"), "JNI check warnings: " + run.output);
    }

    /**
     * An allowed java.library.path library that is not a Pixbridge JNI library is refused by the
     * check after loading (so its load-time code did run: only an explicit opt-in reaches it).
     */
    @Test
    void anAllowedSystemPathLibraryThatIsNotOursIsRefused() throws Exception {
        Path planted = plantedLibraryDirectory().resolve(System.mapLibraryName("pixbridge_jni"));
        Run run = probe(jarWithoutNativeLibraries(), planted.getParent(), "-Dpixbridge.library.useSystemPath=true");
        assertNotEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("UnsatisfiedLinkError: Pixbridge could not load its native library"), run.output);
        assertTrue(run.output.contains(planted + " was loaded but is not a Pixbridge JNI library for this SDK"), run.output);
        assertTrue(run.output.contains("io.pixbridge.NativeImage.abiVersion()"), run.output);
        assertFalse(run.output.contains("source="), "the probe must not get past loading: " + run.output);
        assertTrue(Files.exists(plantedMarker()), "the opt-in did search java.library.path");
    }

    /** {@code -Dpixbridge.library.path} names a file; it is used only if it is a Pixbridge JNI library. */
    @Test
    void anExplicitLibraryIsCheckedBeforeUse() throws Exception {
        Path planted = plantedLibraryDirectory().resolve(System.mapLibraryName("pixbridge_jni"));
        Run refused = probe("-Dpixbridge.library.path=" + planted);
        assertNotEquals(0, refused.exitCode, refused.output);
        assertTrue(refused.output.contains("-Dpixbridge.library.path=" + planted + ": " + planted
            + " was loaded but is not a Pixbridge JNI library for this SDK"), refused.output);
        assertFalse(refused.output.contains("source="), "the probe must not get past loading: " + refused.output);

        Path real = realLibraryDirectory().resolve(System.mapLibraryName("pixbridge_jni"));
        Run used = probe("-Dpixbridge.library.path=" + real);
        assertEquals(0, used.exitCode, used.output);
        assertTrue(used.output.contains("source=property:" + real), used.output);
        assertTrue(used.output.contains("saved=640x427 RGB8"), used.output);
    }

    /**
     * A Pixbridge-like library of another ABI revision with the same operations (a build from
     * other sources) is refused, with both versions and the file in the error.
     */
    @Test
    void anExternalLibraryOfAnotherAbiIsRefused() throws Exception {
        int staleVersion = NativeOperations.ABI_VERSION + 1000;
        Path stale = plantedLibraryDirectory(staleVersion).resolve(System.mapLibraryName("pixbridge_jni"));
        String expected = stale + " was loaded but has ABI version " + staleVersion
            + ", and this SDK needs ABI version " + NativeOperations.ABI_VERSION;

        Run explicit = probe("-Dpixbridge.library.path=" + stale);
        assertNotEquals(0, explicit.exitCode, explicit.output);
        assertTrue(explicit.output.contains(expected), explicit.output);
        assertFalse(explicit.output.contains("source="), "the probe must not get past loading: " + explicit.output);

        Run systemPath = probe(jarWithoutNativeLibraries(), stale.getParent(), "-Dpixbridge.library.useSystemPath=true");
        assertNotEquals(0, systemPath.exitCode, systemPath.output);
        assertTrue(systemPath.output.contains(expected), systemPath.output);
        assertFalse(systemPath.output.contains("source="), "the probe must not get past loading: " + systemPath.output);
    }
}
