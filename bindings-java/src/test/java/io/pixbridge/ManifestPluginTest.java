package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Every case of the {@code "plugin_cases"} array of testdata/manifest.json: the same width,
 * height and pixel SHA-256 (or error code) as the Rust reference runner
 * ({@code run_plugin_case} in {@code ffi/tests/plugins.rs}). A case loads its {@code plugins}
 * from {@code PIXBRIDGE_PLUGIN_DIR} in order (a load failure is its outcome), opens its
 * {@code input}, applies its {@code ops} by name with named arguments (mapped to positions
 * through the loaded plugins' descriptions by {@link Image#apply(String, Map)} and
 * {@link Image#applyInPlace(String, Map)}), and unloads every plugin it loaded.
 */
@ResourceLock(PluginTest.PLUGINS)
@Execution(ExecutionMode.SAME_THREAD)
class ManifestPluginTest {
    private static final Set<String> CASE_KEYS = Set.of("name", "plugins", "input", "ops", "expect");

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> pluginCases() throws IOException {
        String json = Files.readString(TestSupport.testdata("manifest.json"), StandardCharsets.UTF_8);
        Map<String, Object> manifest = (Map<String, Object>) Json.parse(json);
        List<Map<String, Object>> cases = (List<Map<String, Object>>) manifest.get("plugin_cases");
        assertTrue(cases != null && !cases.isEmpty(), "the manifest has no plugin_cases");
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyPluginCase() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> testCase : pluginCases()) {
            String name = (String) testCase.get("name");
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try {
                    run(testCase);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("manifest plugin case " + name + ": " + e.getMessage(), e);
                }
            }));
        }
        return tests.stream();
    }

    /** A case in the manifest's syntax. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> inline(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    /** The runner fails a case whose expectation is wrong, instead of passing it silently. */
    @Test
    void wrongExpectationsFail() {
        String[] wrong = {
            // A wrong hash, a wrong error, an error where the case succeeds, success where it fails.
            "{ \"name\": \"w1\", \"plugins\": [\"libtest_legacy_v1_0.so\"], \"input\": \"gradient-64x48.png\","
                + " \"ops\": [ { \"op\": \"legacy_invert\" } ], \"expect\": { \"width\": 64, \"height\": 48, \"sha256\": \"00\" } }",
            "{ \"name\": \"w2\", \"plugins\": [\"libbad_future_abi.so\"], \"ops\": [], \"expect\": { \"error\": \"NotFound\" } }",
            "{ \"name\": \"w3\", \"plugins\": [\"libpixbridge_sepia.so\"], \"input\": \"gradient-64x48.png\","
                + " \"ops\": [ { \"op\": \"sepia\" } ], \"expect\": { \"error\": \"InvalidArgument\" } }",
            "{ \"name\": \"w4\", \"plugins\": [\"libbad_future_abi.so\"], \"ops\": [],"
                + " \"expect\": { \"width\": 1, \"height\": 1, \"sha256\": \"00\" } }",
            "{ \"name\": \"w5\", \"plugins\": [], \"input\": \"gradient-64x48.png\", \"ops\": [], \"unknown\": 1,"
                + " \"expect\": { \"width\": 64, \"height\": 48, \"sha256\": \"00\" } }",
        };
        for (String json : wrong) {
            // An unexpected error propagates as itself, every other mismatch as an AssertionError.
            Throwable failure = assertThrows(Throwable.class, () -> run(inline(json)), json);
            assertTrue(failure instanceof AssertionError || failure instanceof PixbridgeException, failure.toString());
        }
        assertEquals(0, Plugin.registeredNames().size(), "every plugin a case loaded is unloaded");
    }

    @SuppressWarnings("unchecked")
    private static void run(Map<String, Object> testCase) {
        Set<String> unknown = new TreeSet<>(testCase.keySet());
        unknown.removeAll(CASE_KEYS);
        assertTrue(unknown.isEmpty(), "unknown keys in the case: " + unknown);
        Map<String, Object> expect = (Map<String, Object>) testCase.get("expect");
        String expectedError = (String) expect.get("error");
        long handlesBefore = Diagnostics.liveHandleCount();
        long pluginsBefore = Diagnostics.livePluginCount();
        List<Plugin> loaded = new ArrayList<>();
        Image image = null;
        try {
            for (Object file : (List<Object>) testCase.get("plugins")) {
                loaded.add(Plugin.load(PluginTest.plugin((String) file)));
            }
            String input = (String) testCase.get("input");
            if (input == null) {
                fail("a case whose plugins load needs an input");
            }
            image = Image.open(TestSupport.testdata(input));
            for (Map<String, Object> step : (List<Map<String, Object>>) testCase.get("ops")) {
                image = apply(image, step);
            }
            if (expectedError != null) {
                fail("expected error " + expectedError + " but got " + image);
            }
            assertEquals(((Number) expect.get("width")).intValue(), image.width(), "width");
            assertEquals(((Number) expect.get("height")).intValue(), image.height(), "height");
            assertEquals(expect.get("sha256"), TestSupport.pixelSha256(image), "SHA-256 of the RGBA8 pixels");
        } catch (PixbridgeException e) {
            if (expectedError == null) {
                throw e;
            }
            assertEquals(expectedError, e.code().nativeName(), "error code; message: " + e.getMessage());
            assertFalse(e.getMessage().isEmpty(), "the message is empty");
        } finally {
            if (image != null) {
                image.close();
            }
            for (Plugin plugin : loaded) {
                plugin.close();
            }
        }
        assertEquals(pluginsBefore, Diagnostics.livePluginCount(), "plugins left loaded by the case");
        assertEquals(handlesBefore, Diagnostics.liveHandleCount(), "image handles leaked by the case");
    }

    /**
     * Applies one step {@code {"op": name, "arguments": {...}}}: through
     * {@link Image#apply(String, Map)} for an operation a loaded plugin describes as fresh
     * (closing the image it replaces), else {@link Image#applyInPlace(String, Map)} (an unknown
     * operation thus reaches the native library, whose error is the outcome).
     */
    @SuppressWarnings("unchecked")
    private static Image apply(Image image, Map<String, Object> step) {
        Set<String> unknown = new TreeSet<>(step.keySet());
        unknown.removeAll(Set.of("op", "arguments"));
        assertTrue(unknown.isEmpty(), "unknown keys in the step: " + unknown);
        String operation = (String) step.get("op");
        Map<String, Number> arguments = new LinkedHashMap<>();
        Object given = step.get("arguments");
        if (given != null) {
            for (Map.Entry<String, Object> argument : ((Map<String, Object>) given).entrySet()) {
                arguments.put(argument.getKey(), (Number) argument.getValue());
            }
        }
        PluginOperation described = Plugin.registered(operation);
        if (described != null && described.kind() == PluginOperationKind.FRESH) {
            Image made = image.apply(operation, arguments);
            image.close();
            return made;
        }
        image.applyInPlace(operation, arguments);
        return image;
    }
}
