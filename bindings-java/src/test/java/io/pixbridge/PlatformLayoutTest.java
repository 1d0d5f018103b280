package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loader's platform rule (resource path from {@code os.name}, {@code os.arch} and libc),
 * checked for every platform the jar ships, on simulated jars and class-path folders holding all
 * of their libraries at once.
 */
class PlatformLayoutTest {
    @TempDir
    Path temp;

    /** The seven released platforms, as a JVM on each reports them: os.name, os.arch, musl. */
    private static final String[][] PLATFORMS = {
        {"Linux", "amd64", "false"},
        {"Linux", "aarch64", "false"},
        {"Linux", "amd64", "true"},
        {"Mac OS X", "x86_64", "false"},
        {"Mac OS X", "aarch64", "false"},
        {"Windows 11", "amd64", "false"},
        {"Windows 11", "aarch64", "false"},
    };

    /** What the release jar holds (ci/package-java.sh): one library per platform. */
    private static final String[] RELEASE_JAR_RESOURCES = {
        "/io/pixbridge/native/linux-x86_64/libpixbridge_jni.so",
        "/io/pixbridge/native/linux-aarch64/libpixbridge_jni.so",
        "/io/pixbridge/native/linux-musl-x86_64/libpixbridge_jni.so",
        "/io/pixbridge/native/macos-x86_64/libpixbridge_jni.dylib",
        "/io/pixbridge/native/macos-aarch64/libpixbridge_jni.dylib",
        "/io/pixbridge/native/windows-x86_64/pixbridge_jni.dll",
        "/io/pixbridge/native/windows-aarch64/pixbridge_jni.dll",
    };

    @ParameterizedTest
    @CsvSource({
        "Linux, amd64, false, /io/pixbridge/native/linux-x86_64/libpixbridge_jni.so",
        "Linux, x86_64, false, /io/pixbridge/native/linux-x86_64/libpixbridge_jni.so",
        "Linux, aarch64, false, /io/pixbridge/native/linux-aarch64/libpixbridge_jni.so",
        "Linux, arm64, false, /io/pixbridge/native/linux-aarch64/libpixbridge_jni.so",
        "Linux, amd64, true, /io/pixbridge/native/linux-musl-x86_64/libpixbridge_jni.so",
        "Linux, aarch64, true, /io/pixbridge/native/linux-musl-aarch64/libpixbridge_jni.so",
        "Mac OS X, x86_64, false, /io/pixbridge/native/macos-x86_64/libpixbridge_jni.dylib",
        "Mac OS X, aarch64, false, /io/pixbridge/native/macos-aarch64/libpixbridge_jni.dylib",
        "Darwin, arm64, false, /io/pixbridge/native/macos-aarch64/libpixbridge_jni.dylib",
        "Windows 11, amd64, false, /io/pixbridge/native/windows-x86_64/pixbridge_jni.dll",
        "Windows Server 2022, amd64, false, /io/pixbridge/native/windows-x86_64/pixbridge_jni.dll",
        "Windows 11, aarch64, false, /io/pixbridge/native/windows-aarch64/pixbridge_jni.dll",
        "Windows 10, x86, false, /io/pixbridge/native/windows-x86/pixbridge_jni.dll",
        // musl is a Linux distinction only
        "Windows 11, amd64, true, /io/pixbridge/native/windows-x86_64/pixbridge_jni.dll",
        "Mac OS X, aarch64, true, /io/pixbridge/native/macos-aarch64/libpixbridge_jni.dylib",
        "FreeBSD, amd64, false, /io/pixbridge/native/freebsd-x86_64/libpixbridge_jni.so",
        "Linux, riscv64, false, /io/pixbridge/native/linux-riscv64/libpixbridge_jni.so",
    })
    void eachPlatformMapsToItsResource(String osName, String osArch, boolean musl, String expected) {
        assertEquals(expected, NativeLoader.resourcePath(osName, osArch, musl));
    }

    @Test
    void releasedPlatformsAreTheJarsSevenResources() {
        List<String> paths = new ArrayList<>();
        for (String[] platform : PLATFORMS) {
            paths.add(NativeLoader.resourcePath(platform[0], platform[1], Boolean.parseBoolean(platform[2])));
        }
        assertEquals(List.of(RELEASE_JAR_RESOURCES), paths);
    }

    @Test
    void fileNameIsWhatThisJvmMapsTheLibraryNameTo() {
        assertEquals(System.mapLibraryName(NativeLoader.LIBRARY_NAME),
            NativeLoader.libraryFileName(System.getProperty("os.name")));
        assertEquals(NativeLoader.resourcePath(System.getProperty("os.name"), System.getProperty("os.arch"),
            Diagnostics.platform().contains("-musl-")), NativeLoader.resourcePath());
    }

    private static final String GLIBC_MAPS =
        "7f362fc0e000-7f362fc0f000 r--p 00000000 fe:00 331651                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

    @Test
    void muslIsDetectedFromTheMappedLoaderOrLibc() {
        assertTrue(NativeLoader.isMusl(List.of(
            "55d0c0a00000-55d0c0a01000 r--p 00000000 00:2a 1234 /usr/lib/jvm/java-17-openjdk/bin/java",
            "7f0a1c000000-7f0a1c014000 r--p 00000000 00:2a 2753                       /lib/ld-musl-x86_64.so.1")));
        assertTrue(NativeLoader.isMusl(List.of(
            "7f0a1c000000-7f0a1c014000 r-xp 00000000 00:2a 2754 /usr/lib/libc.musl-aarch64.so.1")));
        assertFalse(NativeLoader.isMusl(List.of(GLIBC_MAPS, "7f0a1c000000-7f0a1c014000 rw-p 00000000 00:00 0 [heap]")));
        assertFalse(NativeLoader.isMusl(List.of()));
        // musl installed on a glibc system (Debian's musl package) but not loaded: not musl.
        assertFalse(NativeLoader.isMusl(List.of(GLIBC_MAPS,
            "7f0a1c000000-7f0a1c014000 r--p 00000000 00:2a 2753 /home/me/notes-on-ld-musl-x86_64.txt")));
    }

    @Test
    void thisJvmIsGlibcOrMuslAsItsOwnMapsSay() throws IOException {
        boolean linux = System.getProperty("os.name").startsWith("Linux");
        boolean musl = linux
            && NativeLoader.isMusl(Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1));
        assertEquals(musl, Diagnostics.platform().startsWith("linux-musl-"), Diagnostics.platform());
    }

    /** Writes a jar holding every released platform's library; each file's bytes name its resource. */
    private Path releaseJar() throws IOException {
        Path jar = temp.resolve("pixbridge-all-platforms.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String resource : RELEASE_JAR_RESOURCES) {
                out.putNextEntry(new JarEntry(resource.substring(1)));
                out.write(resource.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The same layout as a class-path folder (an exploded jar, as IDEs and Maven's test phase use). */
    private Path releaseFolder() throws IOException {
        Path root = temp.resolve("classes");
        for (String resource : RELEASE_JAR_RESOURCES) {
            Path file = root.resolve(resource.substring(1));
            Files.createDirectories(file.getParent());
            Files.write(file, resource.getBytes(StandardCharsets.UTF_8));
        }
        return root;
    }

    private static void assertEachPlatformGetsItsOwnLibrary(URL classPathEntry) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classPathEntry}, null)) {
            NativeLoader.Resources resources = name -> loader.getResourceAsStream(name.substring(1));
            for (int i = 0; i < PLATFORMS.length; i++) {
                String[] platform = PLATFORMS[i];
                byte[] library = NativeLoader.readLibrary(resources, platform[0], platform[1], Boolean.parseBoolean(platform[2]));
                assertArrayEquals(RELEASE_JAR_RESOURCES[i].getBytes(StandardCharsets.UTF_8), library,
                    String.join(" ", platform) + " got " + (library == null ? "nothing" : new String(library, StandardCharsets.UTF_8)));
            }
            // An unreleased platform finds nothing: never a neighbour's library (glibc for musl, x86-64 for x86).
            assertNull(NativeLoader.readLibrary(resources, "Linux", "aarch64", true));
            assertNull(NativeLoader.readLibrary(resources, "Windows 10", "x86", false));
            assertNull(NativeLoader.readLibrary(resources, "FreeBSD", "amd64", false));
        }
    }

    @Test
    void jarWithAllPlatformsGivesEachItsOwnLibrary() throws IOException {
        Path jar = releaseJar();
        try (JarFile opened = new JarFile(jar.toFile())) {
            assertEquals(RELEASE_JAR_RESOURCES.length, opened.stream().count());
        }
        assertEachPlatformGetsItsOwnLibrary(jar.toUri().toURL());
    }

    @Test
    void classPathFolderWithAllPlatformsGivesEachItsOwnLibrary() throws IOException {
        assertEachPlatformGetsItsOwnLibrary(releaseFolder().toUri().toURL());
    }

    @Test
    void thisJarHasThisPlatformsLibraryUnderTheRulesName() throws IOException {
        // The resources this build packs (pom.xml) are where the rule looks on this machine.
        byte[] library = NativeLoader.readLibrary(NativeLoader.class::getResourceAsStream,
            System.getProperty("os.name"), System.getProperty("os.arch"), Diagnostics.platform().startsWith("linux-musl-"));
        assertTrue(library != null && library.length > 100_000, "no library at " + NativeLoader.resourcePath());
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        int magic = ((library[0] & 0xFF) << 24) | ((library[1] & 0xFF) << 16) | ((library[2] & 0xFF) << 8) | (library[3] & 0xFF);
        if (os.startsWith("windows")) {
            assertEquals(0x4D5A, magic >>> 16, "a PE file starts with MZ");
        } else if (os.startsWith("mac")) {
            assertEquals(0xCFFAEDFE, magic, "a 64-bit Mach-O file");
        } else {
            assertEquals(0x7F454C46, magic, "an ELF file");
        }
        try (InputStream in = NativeLoader.class.getResourceAsStream(NativeLoader.resourcePath())) {
            assertArrayEquals(in.readAllBytes(), library);
        }
        String listed = List.of(RELEASE_JAR_RESOURCES).stream()
            .filter(resource -> resource.equals(NativeLoader.resourcePath())).collect(Collectors.joining());
        assertEquals(NativeLoader.resourcePath(), listed, "this platform is one of the released seven");
    }
}
