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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of testdata/manifest.json: the same width, height and pixel SHA-256 (or error code)
 * as Rust, C and C#. A case with a {@code "thumbnail"} object loads its input with
 * {@link Image#thumbnail(java.nio.file.Path, int, int, ThumbnailFit, ThumbnailOptions)} instead of
 * {@link Image#open(java.nio.file.Path)}; its {@code ops} then apply as usual.
 */
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
            // The asynchronous twins (blurAsync, ...) run the same native code; AsyncTest checks them.
            boolean asyncTwin = java.util.concurrent.CompletableFuture.class.isAssignableFrom(method.getReturnType());
            if (Modifier.isPublic(method.getModifiers()) && !asyncTwin && !used.contains(method.getName())) {
                missing.add(method.getName());
            }
        }
        assertTrue(missing.isEmpty(), "operations without a manifest case: " + missing);
    }

    /** An inline case in the manifest's syntax. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> inline(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    private static String expect(Image image) {
        return "{ \"width\": " + image.width() + ", \"height\": " + image.height()
                + ", \"sha256\": \"" + TestSupport.pixelSha256(image) + "\" }";
    }

    /**
     * The runner's {@code "thumbnail"} key on inline cases (the golden manifest's own thumbnail
     * cases run in {@link #everyManifestCase()}). Expected hashes come from calling the API
     * directly: this checks the runner's plumbing, not the pixels.
     */
    @Test
    void thumbnailKeyReplacesOpenAndOpsApplyAfterIt() {
        String expected;
        try (Image image = Image.thumbnail(TestSupport.testdata("rocket.jpg"), 200, 150, ThumbnailFit.COVER)) {
            image.mirror();
            expected = expect(image);
        }
        run(inline("{ \"name\": \"inline-thumbnail-cover-mirror\", \"input\": \"rocket.jpg\","
                + " \"thumbnail\": { \"width\": 200, \"height\": 150, \"fit\": \"Cover\", \"allow_upscale\": false },"
                + " \"ops\": [ { \"op\": \"mirror\" } ], \"expect\": " + expected + " }"));
        try (Image kept = Image.thumbnail(TestSupport.testdata("gradient-64x48.png"), 128, 128, ThumbnailFit.FILL);
             Image enlarged = Image.thumbnail(TestSupport.testdata("gradient-64x48.png"), 128, 128, ThumbnailFit.FILL,
                     ThumbnailOptions.DEFAULT.withAllowUpscale(true))) {
            assertEquals(64, kept.width());
            assertEquals(128, enlarged.width());
            for (Image image : new Image[] {kept, enlarged}) {
                boolean upscale = image == enlarged;
                run(inline("{ \"name\": \"inline-upscale\", \"input\": \"gradient-64x48.png\","
                        + " \"thumbnail\": { \"width\": 128, \"height\": 128, \"fit\": \"Fill\", \"allow_upscale\": "
                        + upscale + " }, \"ops\": [], \"expect\": " + expect(image) + " }"));
            }
        }
    }

    @Test
    void thumbnailErrorsAreCodes() {
        String[][] cases = {
            {"rocket.jpg", "{ \"width\": 0, \"height\": 100, \"fit\": \"Contain\", \"allow_upscale\": false }", "InvalidArgument"},
            {"rocket.jpg", "{ \"width\": -4, \"height\": 100, \"fit\": \"Contain\", \"allow_upscale\": false }", "InvalidArgument"},
            {"rocket.jpg", "{ \"width\": 4294967295, \"height\": 100, \"fit\": \"Cover\", \"allow_upscale\": false }", "InvalidArgument"},
            {"rocket.jpg", "{ \"width\": 40000, \"height\": 100, \"fit\": \"Fill\", \"allow_upscale\": true }", "InvalidArgument"},
            {"no-such-file.jpg", "{ \"width\": 100, \"height\": 100, \"fit\": \"Contain\", \"allow_upscale\": false }", "NotFound"},
            {"truncated-64x48.png", "{ \"width\": 10, \"height\": 10, \"fit\": \"Fill\", \"allow_upscale\": false }", "Decode"},
        };
        for (String[] c : cases) {
            run(inline("{ \"name\": \"inline-error\", \"input\": \"" + c[0] + "\", \"thumbnail\": " + c[1]
                    + ", \"ops\": [], \"expect\": { \"error\": \"" + c[2] + "\" } }"));
        }
        // A mistake in the manifest fails the case instead of passing silently.
        for (String bad : new String[] {
            "{ \"width\": 10, \"height\": 10, \"fit\": \"Contain\" }",
            "{ \"width\": 10, \"height\": 10, \"fit\": \"contain\", \"allow_upscale\": false }",
            "{ \"width\": 10, \"height\": 10, \"fit\": \"Contain\", \"allow_upscale\": 0 }",
            "{ \"width\": 10, \"height\": 10, \"fit\": \"Contain\", \"allow_upscale\": false, \"extra\": 1 }",
        }) {
            Map<String, Object> testCase = inline("{ \"name\": \"inline-bad\", \"input\": \"rocket.jpg\", \"thumbnail\": " + bad
                    + ", \"ops\": [], \"expect\": { \"width\": 1, \"height\": 1, \"sha256\": \"\" } }");
            org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> run(testCase), bad);
        }
    }

    @SuppressWarnings("unchecked")
    private static void run(Map<String, Object> testCase) {
        Map<String, Object> expect = (Map<String, Object>) testCase.get("expect");
        String expectedError = (String) expect.get("error");
        long liveBefore = Diagnostics.liveHandleCount();
        Image image = null;
        try {
            Path input = TestSupport.testdata((String) testCase.get("input"));
            Object thumbnail = testCase.get("thumbnail");
            image = thumbnail == null ? Image.open(input) : openThumbnail(input, (Map<String, Object>) thumbnail);
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

    /** The keys of a case's {@code "thumbnail"} object, all required (as in C#'s runner). */
    private static final Set<String> THUMBNAIL_KEYS = Set.of("width", "height", "fit", "allow_upscale");

    /**
     * Loads the input of a case with {@code "thumbnail": {"width", "height", "fit", "allow_upscale"}}
     * through {@link Image#thumbnail(Path, int, int, ThumbnailFit, ThumbnailOptions)} with the
     * default limits. {@code fit} is a {@link ThumbnailFit} native name spelled exactly
     * ({@code "Contain"}, {@code "Cover"}, {@code "Fill"}) and {@code allow_upscale} a boolean; a
     * missing or unknown key or another fit is a mistake in the manifest and fails the case.
     * Sizes are passed as Java ints (values over 2^31 - 1 wrap to negative, as a Java caller
     * holding the C value would pass them); the {@link IllegalArgumentException} Java throws
     * before the call for a size below 1 counts as {@code InvalidArgument}, as C#'s runner counts
     * its {@code ArgumentOutOfRangeException}.
     */
    static Image openThumbnail(Path input, Map<String, Object> thumbnail) {
        Set<String> unknown = new TreeSet<>(thumbnail.keySet());
        unknown.removeAll(THUMBNAIL_KEYS);
        Set<String> missing = new TreeSet<>(THUMBNAIL_KEYS);
        missing.removeAll(thumbnail.keySet());
        assertTrue(unknown.isEmpty() && missing.isEmpty(),
                "manifest thumbnail: unknown keys " + unknown + ", missing keys " + missing);
        int width = ManifestOps.int32(thumbnail, "width");
        int height = ManifestOps.int32(thumbnail, "height");
        String fitName = (String) thumbnail.get("fit");
        ThumbnailFit fit = null;
        for (ThumbnailFit candidate : ThumbnailFit.values()) {
            if (candidate.nativeName().equals(fitName)) {
                fit = candidate;
            }
        }
        if (fit == null) {
            throw new AssertionError("manifest thumbnail fit " + fitName + " is not a ThumbnailFit name (Contain, Cover, Fill)");
        }
        Object allowUpscale = thumbnail.get("allow_upscale");
        if (!(allowUpscale instanceof Boolean)) {
            throw new AssertionError("manifest thumbnail allow_upscale must be true or false, got " + allowUpscale);
        }
        ThumbnailOptions options = ThumbnailOptions.DEFAULT.withAllowUpscale((Boolean) allowUpscale);
        try {
            return Image.thumbnail(input, width, height, fit, options);
        } catch (IllegalArgumentException e) {
            throw new PixbridgeException(ErrorCode.INVALID_ARGUMENT, "refused by the Java API before the call: " + e.getMessage());
        }
    }
}
