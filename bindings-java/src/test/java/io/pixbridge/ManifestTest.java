package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case of testdata/manifest.json: the same width, height and pixel SHA-256 (or error code) as Rust, C and C#. */
class ManifestTest {
    @TestFactory
    Stream<DynamicTest> everyManifestCase() throws IOException {
        String json = Files.readString(TestSupport.testdata("manifest.json"), StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> manifest = (Map<String, Object>) Json.parse(json);
        assertEquals(1L, manifest.get("version"), "manifest version");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) manifest.get("cases");
        assertFalse(cases.isEmpty(), "the manifest has no cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> testCase : cases) {
            String name = (String) testCase.get("name");
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try {
                    run(testCase);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("manifest case " + name + ": " + e.getMessage(), e);
                }
            }));
        }
        return tests.stream();
    }

    /** Every generated operation (public method of ImageOperations) is used by at least one case. */
    @Test
    @SuppressWarnings("unchecked")
    void everyOperationHasACase() throws IOException {
        String json = Files.readString(TestSupport.testdata("manifest.json"), StandardCharsets.UTF_8);
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> testCase : (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(json)).get("cases")) {
            for (Map<String, Object> op : (List<Map<String, Object>>) testCase.get("ops")) {
                used.add(ManifestOps.lowerCamel((String) op.get("op")));
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Method method : ImageOperations.class.getDeclaredMethods()) {
            if (Modifier.isPublic(method.getModifiers()) && !used.contains(method.getName())) {
                missing.add(method.getName());
            }
        }
        assertTrue(missing.isEmpty(), "operations without a manifest case: " + missing);
    }

    @SuppressWarnings("unchecked")
    private static void run(Map<String, Object> testCase) {
        Map<String, Object> expect = (Map<String, Object>) testCase.get("expect");
        String expectedError = (String) expect.get("error");
        long liveBefore = Diagnostics.liveHandleCount();
        Image image = null;
        try {
            image = Image.open(TestSupport.testdata((String) testCase.get("input")));
            for (Map<String, Object> op : (List<Map<String, Object>>) testCase.get("ops")) {
                image = ManifestOps.apply(image, op);
            }
            if (expectedError != null) {
                fail("expected error " + expectedError + " but got " + image);
            }
            assertEquals(((Number) expect.get("width")).intValue(), image.width(), "width");
            assertEquals(((Number) expect.get("height")).intValue(), image.height(), "height");
            String sha = TestSupport.pixelSha256(image);
            assertEquals(expect.get("sha256"), sha, "SHA-256 of the RGBA8 pixels");
            // The zero-copy view must show the same bytes as the copy.
            assertEquals(sha, TestSupport.sha256Hex(image.pixels()), "SHA-256 through pixels()");
        } catch (PixbridgeException e) {
            if (expectedError == null) {
                throw e;
            }
            assertEquals(expectedError, e.code().nativeName(), "error code; message: " + e.getMessage());
            assertFalse(e.getMessage().isEmpty(), "the native message is empty");
        } finally {
            if (image != null) {
                image.close();
            }
        }
        System.gc(); // pixel views of this case are unreachable now; not asserted here (see LifetimeTest)
        assertTrue(Diagnostics.liveHandleCount() <= liveBefore + 1, "handles leaked by the case");
    }
}
