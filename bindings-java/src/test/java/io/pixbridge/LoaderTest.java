package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader, in this JVM (whose java.library.path does not contain the library). */
class LoaderTest {
    @TempDir
    Path temp;

    @Test
    void platformOfThisMachine() {
        String platform = Diagnostics.platform();
        assertTrue(platform.matches("(linux|linux-musl|macos|windows)-(x86_64|aarch64)"), platform);
        assertEquals("/io/pixbridge/native/" + platform + "/" + System.mapLibraryName("pixbridge_jni"),
            NativeLoader.resourcePath());
    }

    @Test
    void libraryWasExtractedFromTheResourcesAndTheCopyRemoved() {
        String source = Diagnostics.nativeLibrarySource();
        assertTrue(source.startsWith("extracted:"), source);
        Path extracted = Path.of(source.substring("extracted:".length()));
        assertFalse(Files.exists(extracted), "the extracted copy is deleted once loaded");
        assertFalse(Files.exists(extracted.getParent()), "and so is its private directory");
    }

    @Test
    void tamperedExtractedFileIsNotLoaded() throws IOException {
        byte[] library;
        try (InputStream in = NativeLoader.class.getResourceAsStream(NativeLoader.resourcePath())) {
            assertNotNull(in, "the library is packaged");
            library = in.readAllBytes();
        }
        Path file = temp.resolve(System.mapLibraryName("pixbridge_jni"));
        byte[] tampered = library.clone();
        tampered[tampered.length / 2] ^= 0x5A;
        Files.write(file, tampered);
        UnsatisfiedLinkError refused = assertThrows(UnsatisfiedLinkError.class,
            () -> NativeLoader.verifyAndLoad(file, NativeLoader.sha256(library)));
        assertTrue(refused.getMessage().contains("SHA-256"), refused.getMessage());

        // Garbage under the right name: had it reached System.load, the message would be the
        // system loader's ("invalid ELF header"), not the hash check's.
        Files.write(file, new byte[] {1, 2, 3});
        UnsatisfiedLinkError garbage = assertThrows(UnsatisfiedLinkError.class,
            () -> NativeLoader.verifyAndLoad(file, NativeLoader.sha256(library)));
        assertTrue(garbage.getMessage().contains("SHA-256"), garbage.getMessage());
    }

    /**
     * The library answers the ABI-version call that the loader requires of a library from outside
     * the jar, and it is the version generated into {@link NativeOperations}, whose operation count
     * ({@code ABI_REVISION * 1000 + OPERATION_COUNT}) is one native per operation there.
     */
    @Test
    void libraryReportsAnAbiVersionMatchingTheGeneratedNatives() {
        Diagnostics.nativeLibrarySource();
        int version = NativeImage.abiVersion();
        long operations = Arrays.stream(NativeOperations.class.getDeclaredMethods())
            .map(Method::getModifiers).filter(Modifier::isNative).count();
        assertTrue(version >= 1000, "ABI version " + version);
        assertEquals(NativeOperations.ABI_VERSION, version);
        assertEquals(operations, version % 1000, "ABI version " + version + " vs " + operations + " operation natives");
        NativeLoader.checkExternal("the loaded library"); // ours: accepted
    }
}
