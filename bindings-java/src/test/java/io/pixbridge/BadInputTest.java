package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of testdata/bad/manifest.json (the bad-input corpus of issue 6) through the Java
 * API: the same error code name (or size) as the Rust suite gets through the C ABI. Cases marked
 * {@code "argument_error": true} may instead be refused by the binding itself with
 * IllegalArgumentException or NullPointerException, as the Java API documents.
 */
class BadInputTest {
    /** The outcome the binding reports for an argument it refuses before the native call. */
    static final String ARGUMENT_REFUSED = "ArgumentRefused";

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() throws IOException {
        String json = Files.readString(TestSupport.testdata("bad/manifest.json"), StandardCharsets.UTF_8);
        Map<String, Object> manifest = (Map<String, Object>) Json.parse(json);
        assertEquals(1L, manifest.get("version"), "manifest version");
        return (List<Map<String, Object>>) manifest.get("cases");
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputCase() throws IOException {
        List<Map<String, Object>> cases = cases();
        assertTrue(cases.size() >= 40, "issue 6 asks for at least 40 cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> testCase : cases) {
            String name = (String) testCase.get("name");
            tests.add(DynamicTest.dynamicTest(name, () -> check(testCase)));
        }
        return tests.stream();
    }

    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> testCase) {
        Map<String, Object> expect = (Map<String, Object>) testCase.get("expect");
        long liveBefore = Diagnostics.liveHandleCount();
        String outcome;
        try {
            outcome = outcome(testCase);
        } catch (PixbridgeException e) {
            assertFalse(e.getMessage().isEmpty(), "the native message is empty");
            outcome = e.code().nativeName();
        }
        String expected = expect.containsKey("error")
                ? (String) expect.get("error")
                : "Ok " + expect.get("width") + "x" + expect.get("height");
        if (Boolean.TRUE.equals(testCase.get("argument_error")) && outcome.equals(ARGUMENT_REFUSED)) {
            return;
        }
        assertEquals(expected, outcome, "case " + testCase.get("name") + " (" + testCase.get("why") + ")");
        assertEquals(liveBefore, Diagnostics.liveHandleCount(), "handles leaked by the case");
    }

    /**
     * Runs one case: "Ok WxH" on success, {@link #ARGUMENT_REFUSED} when the binding refuses an
     * argument itself; a native failure is thrown as PixbridgeException.
     */
    @SuppressWarnings("unchecked")
    static String outcome(Map<String, Object> testCase) {
        String call = (String) testCase.get("call");
        Path input = testCase.containsKey("input") ? TestSupport.testdata((String) testCase.get("input")) : null;
        try {
            switch (call) {
                case "decode":
                    try (Image image = Image.decode(Files.readAllBytes(input))) {
                        return size(image);
                    }
                case "open":
                    try (Image image = Image.open(input)) {
                        return size(image);
                    }
                case "ops": {
                    Image image = Image.open(input);
                    try {
                        for (Map<String, Object> op : (List<Map<String, Object>>) testCase.get("ops")) {
                            image = ManifestOps.apply(image, op);
                        }
                        return size(image);
                    } finally {
                        image.close();
                    }
                }
                case "save":
                    return save(input, (String) testCase.get("path"));
                case "from_pixels": {
                    byte[] pixels = new byte[Math.toIntExact((Long) testCase.get("length"))];
                    try (Image image = Image.fromPixels(ManifestOps.int32(testCase, "width"), ManifestOps.int32(testCase, "height"), pixels)) {
                        return size(image);
                    }
                }
                case "encode":
                    try (Image image = Image.open(input)) {
                        byte[] encoded = image.encode(ImageFormat.fromName((String) testCase.get("format")),
                                ManifestOps.int32(testCase, "quality"));
                        return "Ok " + encoded.length + " bytes";
                    }
                default:
                    throw new AssertionError("unknown call " + call);
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            return ARGUMENT_REFUSED;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String save(Path input, String pathTemplate) throws IOException {
        Path tmp = Files.createTempDirectory("pixbridge-bad-");
        try (Image image = Image.open(input)) {
            image.save(Path.of(pathTemplate.replace("{tmp}", tmp.toString())));
            return size(image);
        } catch (PixbridgeException e) {
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "a failed save left files behind");
            }
            throw e;
        } finally {
            try (Stream<Path> all = Files.walk(tmp)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static String size(Image image) {
        return "Ok " + image.width() + "x" + image.height();
    }
}
