package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Run-time plugins: loading and describing the sample plugins, applying each operation
 * (pixels checked against values computed by hand from the plugins' formulas), refused
 * plugins, failing operations, argument errors, reloading a new build from the same path,
 * lifetimes and leaks. The plugins come from {@code PIXBRIDGE_PLUGIN_DIR}
 * ({@code ci/build-plugins.sh} builds them; {@code ci/test-java.sh} sets it).
 *
 * <p>Plugins are process-wide (loading one twice is refused), so every test class that loads
 * plugins holds the {@link #PLUGINS} lock and runs on one thread.
 */
@ResourceLock(PluginTest.PLUGINS)
@Execution(ExecutionMode.SAME_THREAD)
class PluginTest {
    /** The resource lock of every test that loads plugins. */
    static final String PLUGINS = "io.pixbridge.plugins";

    @TempDir
    Path temp;

    private long handlesBefore;
    private long pluginsBefore;

    /** The folder of the built plugins: {@code PIXBRIDGE_PLUGIN_DIR}, or the system property {@code pixbridge.pluginDir}. */
    static Path pluginDir() {
        String dir = System.getenv("PIXBRIDGE_PLUGIN_DIR");
        if (dir == null || dir.isEmpty()) {
            dir = System.getProperty("pixbridge.pluginDir", "");
        }
        assertFalse(dir.isEmpty(), "PIXBRIDGE_PLUGIN_DIR is not set: build the plugins with ci/build-plugins.sh"
                + " and set it to their folder (ci/test-java.sh does both)");
        Path path = Path.of(dir);
        assertTrue(Files.isDirectory(path), "PIXBRIDGE_PLUGIN_DIR is not a folder: " + path);
        return path;
    }

    static Path plugin(String file) {
        return pluginDir().resolve(file);
    }

    @BeforeEach
    void baseline() {
        handlesBefore = Diagnostics.liveHandleCount();
        pluginsBefore = Diagnostics.livePluginCount();
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(pluginsBefore, Diagnostics.livePluginCount(), "plugins left loaded");
        System.gc(); // pixel views of the test are unreachable now
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Diagnostics.liveHandleCount() > handlesBefore && System.nanoTime() < deadline) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(handlesBefore, Diagnostics.liveHandleCount(), "image handles left open");
    }

    /** A width x 1 image of the given RGBA pixels. */
    private static Image row(int... rgba) {
        byte[] bytes = new byte[rgba.length];
        for (int i = 0; i < rgba.length; i++) {
            bytes[i] = (byte) rgba[i];
        }
        return Image.fromPixels(rgba.length / 4, 1, bytes);
    }

    private static int[] pixels(Image image) {
        byte[] bytes = new byte[image.width() * image.height() * 4];
        image.copyPixels(bytes);
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = bytes[i] & 0xff;
        }
        return values;
    }

    private static PixbridgeException fails(ErrorCode code, Executable call) {
        PixbridgeException e = assertThrows(PixbridgeException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isBlank(), "the message is empty");
        return e;
    }

    private static void assertContains(String expected, String text) {
        assertTrue(text.contains(expected), "expected \"" + expected + "\" in: " + text);
    }

    @Test
    void describesTheSamplePlugins() {
        try (Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
             Plugin vignette = Plugin.load(plugin("libpixbridge_vignette.so"))) {
            assertEquals("sepia", sepia.name());
            assertEquals("1.0.0", sepia.version());
            assertEquals("1.1", sepia.abiVersion());
            assertEquals(1, sepia.abiMajor());
            assertEquals(1, sepia.abiMinor());
            assertEquals("A sample plugin: a sepia tone (in place) and a per-channel colour gain (a new image).",
                    sepia.description());
            assertEquals(plugin("libpixbridge_sepia.so").toAbsolutePath(), sepia.path());
            assertFalse(sepia.isClosed());
            assertEquals(List.of("sepia", "channel_gain"), sepia.operations().stream().map(PluginOperation::name).toList());

            PluginOperation tone = sepia.operations().get(0);
            assertEquals(PluginOperationKind.IN_PLACE, tone.kind());
            assertTrue(tone.description().startsWith("Gives the image the brown tone"), tone.description());
            assertEquals(1, tone.parameters().size());
            PluginParameter strength = tone.parameters().get(0);
            assertEquals("strength", strength.name());
            assertEquals(PluginParameterType.FLOAT, strength.type());
            assertEquals(1.0, strength.defaultValue());
            assertEquals(0.0, strength.minimum());
            assertEquals(1.0, strength.maximum());
            assertFalse(strength.description().isEmpty());

            PluginOperation gain = sepia.operations().get(1);
            assertEquals(PluginOperationKind.FRESH, gain.kind());
            assertEquals(List.of("red", "green", "blue"), gain.parameters().stream().map(PluginParameter::name).toList());
            for (PluginParameter channel : gain.parameters()) {
                assertEquals(new PluginParameter(channel.name(), channel.description(), PluginParameterType.FLOAT, 1.0, 0.0, 4.0),
                        channel);
            }

            assertEquals("vignette", vignette.name());
            assertEquals("1.0.0", vignette.version());
            assertEquals("1.1", vignette.abiVersion());
            assertEquals(List.of("vignette", "posterize"), vignette.operations().stream().map(PluginOperation::name).toList());
            PluginOperation darken = vignette.operations().get(0);
            assertEquals(PluginOperationKind.FRESH, darken.kind());
            assertEquals(new PluginParameter("strength", darken.parameters().get(0).description(), PluginParameterType.FLOAT,
                    0.5, 0.0, 1.0), darken.parameters().get(0));
            PluginOperation posterize = vignette.operations().get(1);
            assertEquals(PluginOperationKind.IN_PLACE, posterize.kind());
            assertEquals(new PluginParameter("levels", posterize.parameters().get(0).description(), PluginParameterType.INT,
                    4.0, 2.0, 256.0), posterize.parameters().get(0));

            // Immutable, and the same list every time (read once at load).
            assertThrows(UnsupportedOperationException.class, () -> sepia.operations().add(tone));
            assertThrows(UnsupportedOperationException.class, () -> gain.parameters().clear());
            assertSame(sepia.operations(), sepia.operations());
            assertTrue(sepia.toString().contains("sepia 1.0.0"), sepia.toString());
        }
    }

    @Test
    void sepiaInPlaceAtFullAndHalfStrength() {
        try (Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
             Image full = row(100, 150, 200, 77);
             Image half = row(100, 150, 200, 77);
             Image explicit = row(100, 150, 200, 77)) {
            full.applyInPlace("sepia");
            assertArrayEquals(new int[] {192, 171, 134, 77}, pixels(full));
            explicit.applyInPlace("sepia", Map.of("strength", 1));
            assertArrayEquals(new int[] {192, 171, 134, 77}, pixels(explicit));
            half.applyInPlace("sepia", Map.of("strength", 0.5));
            assertArrayEquals(new int[] {146, 161, 167, 77}, pixels(half));
            assertEquals(1, sepia.operations().get(0).parameters().size());
        }
    }

    @Test
    void channelGainReturnsANewImage() {
        try (Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
             Image source = row(146, 161, 167, 90);
             Image gained = source.apply("channel_gain", Map.of("red", 2, "green", 0f, "blue", 1.5));
             Image unchanged = source.apply("channel_gain")) {
            assertArrayEquals(new int[] {255, 0, 251, 90}, pixels(gained));
            assertArrayEquals(new int[] {146, 161, 167, 90}, pixels(source), "the source is unchanged");
            assertArrayEquals(new int[] {146, 161, 167, 90}, pixels(unchanged), "every gain at its default 1");
            assertEquals(1, gained.width());
            assertEquals(1, gained.height());
        }
    }

    @Test
    void vignetteAndPosterize() {
        // 2 x 1: both pixel centres at dx = -0.5 / 0.5, dy = 0, so f = 1 - strength * 0.25 / 2.
        try (Plugin vignette = Plugin.load(plugin("libpixbridge_vignette.so"));
             Image source = row(200, 100, 40, 33, 200, 100, 40, 255);
             Image full = source.apply("vignette", Map.of("strength", 1.0));
             Image standard = source.apply("vignette");
             Image poster = row(64, 128, 192, 200)) {
            assertArrayEquals(new int[] {175, 88, 35, 33, 175, 88, 35, 255}, pixels(full)); // f = 0.875
            assertArrayEquals(new int[] {188, 94, 38, 33, 188, 94, 38, 255}, pixels(standard)); // f = 0.9375
            assertArrayEquals(new int[] {200, 100, 40, 33, 200, 100, 40, 255}, pixels(source));
            poster.applyInPlace("posterize", Map.of("levels", 3));
            assertArrayEquals(new int[] {128, 128, 255, 200}, pixels(poster));
        }
    }

    @Test
    void aPluginOfTheFirstAbiVersionLoadsAndRuns() {
        try (Plugin legacy = Plugin.load(plugin("libtest_legacy_v1_0.so"));
             Image image = row(0, 100, 255, 12)) {
            assertEquals("1.0", legacy.abiVersion());
            assertEquals("", legacy.description(), "a 1.0 descriptor has no docs");
            assertEquals("legacy_invert", legacy.operations().get(0).name());
            image.applyInPlace("legacy_invert");
            assertArrayEquals(new int[] {255, 155, 0, 12}, pixels(image));
        }
    }

    @Test
    void everyRefusedPluginSaysWhy() throws IOException {
        String[][] cases = {
            {"libbad_wrong_size.so", "declares 20 bytes"},
            {"libbad_future_abi.so", "built for plugin ABI 2"},
            {"libbad_no_entry.so", "no `pixbridge_plugin_entry` symbol"},
            {"libbad_null_descriptor.so", "no descriptor"},
            {"not_a_library.so", "cannot be loaded as a library"},
            {"libbad_malformed_1.so", "name is null"},
            {"libbad_malformed_2.so", "parameters pointer is null"},
            {"libbad_malformed_3.so", "two operations are named `twice`"},
            {"libbad_malformed_4.so", "kind 7"},
            {"libbad_malformed_5.so", "not within its range"},
            {"libbad_clash.so", "`blur` is one of Pixbridge's own operations"},
        };
        for (String[] c : cases) {
            PixbridgeException e = fails(ErrorCode.PLUGIN_REJECTED, () -> Plugin.load(plugin(c[0])).close());
            assertContains(c[1], e.getMessage());
            assertContains(c[0], e.getMessage());
        }
        assertContains("no plugin file", fails(ErrorCode.NOT_FOUND, () -> Plugin.load(plugin("libdoes_not_exist.so"))).getMessage());
        fails(ErrorCode.PLUGIN_REJECTED, () -> Plugin.load(Files.createDirectories(temp.resolve("a-folder.so"))));
        assertThrows(NullPointerException.class, () -> Plugin.load(null));
    }

    @Test
    void loadingAnOperationNameTwiceIsRefused() {
        try (Plugin first = Plugin.load(plugin("libpixbridge_sepia.so"));
             Image image = row(100, 150, 200, 255)) {
            PixbridgeException e = fails(ErrorCode.PLUGIN_REJECTED, () -> Plugin.load(plugin("libpixbridge_sepia.so")));
            assertContains("already provided by the loaded plugin sepia", e.getMessage());
            // The refused load changed nothing: the first one still works.
            image.applyInPlace("sepia");
            assertArrayEquals(new int[] {192, 171, 134, 255}, pixels(image));
            assertFalse(first.isClosed());
        }
    }

    @Test
    void failingAndPanickingOperationsReportThePluginsMessage() {
        try (Plugin failing = Plugin.load(plugin("libbad_failing.so"));
             Plugin panicking = Plugin.load(plugin("libpixbridge_test_panicking.so"));
             Image image = row(1, 2, 3, 4)) {
            for (int attempt = 0; attempt < 2; attempt++) { // the plugin stays usable
                assertContains("the failing plugin always fails",
                        fails(ErrorCode.PLUGIN_FAILED, () -> image.applyInPlace("always_fails")).getMessage());
            }
            assertContains("deliberate panic in a plugin", fails(ErrorCode.PLUGIN_FAILED, () -> image.applyInPlace("panics")).getMessage());
            assertContains("deliberate failure", fails(ErrorCode.PLUGIN_FAILED, () -> image.applyInPlace("fails")).getMessage());
            assertEquals(2, Diagnostics.livePluginCount() - pluginsBefore);
        }
    }

    @Test
    void argumentErrorsAreInvalidArguments() {
        try (Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
             Plugin vignette = Plugin.load(plugin("libpixbridge_vignette.so"));
             Image image = row(10, 20, 30, 40)) {
            String unknown = fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia", Map.of("strenght", 0.5))).getMessage();
            assertContains("strenght", unknown);
            assertContains("its parameters: strength", unknown);
            assertContains("red, green, blue",
                    fails(ErrorCode.INVALID_ARGUMENT, () -> image.apply("channel_gain", Map.of("alpha", 1))).getMessage());
            // Native checks of range and type.
            assertContains("strength", fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia", Map.of("strength", 1.5))).getMessage());
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia", Map.of("strength", Double.NaN)));
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("posterize", Map.of("levels", 1)));
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("posterize", Map.of("levels", 4.5)));
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.apply("channel_gain", Map.of("blue", -1)));
            // The wrong method names the right one.
            assertContains("call applyInPlace", fails(ErrorCode.INVALID_ARGUMENT, () -> image.apply("sepia")).getMessage());
            assertContains("call apply,", fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("channel_gain")).getMessage());
            assertContains("call apply,", fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("vignette", Map.of("strength", 0.1))).getMessage());
            // Unknown operations: without arguments the native error, with arguments the SDK's.
            assertContains("no_such_operation", fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("no_such_operation")).getMessage());
            assertContains("no_such_operation", fails(ErrorCode.INVALID_ARGUMENT, () -> image.apply("no_such_operation")).getMessage());
            assertContains("loaded: channel_gain, posterize, sepia, vignette",
                    fails(ErrorCode.INVALID_ARGUMENT, () -> image.apply("no_such_operation", Map.of("x", 1))).getMessage());
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("blur")); // built-ins are not plugin operations
            // Java-side nulls.
            assertThrows(NullPointerException.class, () -> image.apply(null));
            assertThrows(NullPointerException.class, () -> image.applyInPlace("sepia", null));
            Map<String, Double> withNull = new HashMap<>();
            withNull.put("strength", null);
            assertThrows(NullPointerException.class, () -> image.applyInPlace("sepia", withNull));
            assertArrayEquals(new int[] {10, 20, 30, 40}, pixels(image), "no refused call changed the image");
        }
        try (Image image = row(1, 2, 3, 4)) {
            assertContains("no plugin is loaded", fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia")).getMessage());
            assertContains("none is loaded",
                    fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia", Map.of("strength", 1))).getMessage());
        }
    }

    @Test
    void closedPluginsAndImages() {
        Image closedImage = row(1, 2, 3, 4);
        closedImage.close();
        Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
        try (Image image = row(100, 150, 200, 255)) {
            assertThrows(IllegalStateException.class, () -> closedImage.applyInPlace("sepia"));
            assertThrows(IllegalStateException.class, () -> closedImage.apply("channel_gain"));
            sepia.close();
            sepia.close(); // idempotent
            assertTrue(sepia.isClosed());
            assertTrue(sepia.toString().endsWith(", closed]"), sepia.toString());
            assertEquals(2, sepia.operations().size(), "the description stays readable");
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia"));
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("sepia", Map.of("strength", 1)));
            assertArrayEquals(new int[] {100, 150, 200, 255}, pixels(image));
        } finally {
            sepia.close();
        }
    }

    @Test
    void concurrentClosesUnloadOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> closes = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    closes.add(threads.submit(() -> {
                        start.await();
                        sepia.close();
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> close : closes) {
                    close.get(30, TimeUnit.SECONDS);
                }
                assertEquals(pluginsBefore, Diagnostics.livePluginCount());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void imagesOutliveThePluginThatMadeThem() {
        Image made;
        try (Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"));
             Image source = row(146, 161, 167, 255)) {
            made = source.apply("channel_gain", Map.of("red", 2.0, "green", 0.0, "blue", 1.5));
        }
        try (made) {
            assertArrayEquals(new int[] {255, 0, 251, 255}, pixels(made));
            try (Image blurred = made.blur(1f)) { // an ordinary image: built-in operations work on it
                assertEquals(1, blurred.width());
            }
        }
    }

    @Test
    void aNewBuildReplacesThePluginAtTheSamePath() throws IOException {
        Path path = temp.resolve("libversioned.so");
        Files.copy(plugin("libtest_versioned_1.so"), path);
        Image first = row(1, 2, 3, 4, 5, 6, 7, 8);
        try (first) {
            try (Plugin v1 = Plugin.load(path)) {
                assertEquals("1.0.0", v1.version());
                first.applyInPlace("generation_fill");
                assertArrayEquals(new int[] {100, 100, 100, 255, 100, 100, 100, 255}, pixels(first));
            }
            Path staged = temp.resolve("libversioned.so.new");
            Files.copy(plugin("libtest_versioned_2.so"), staged);
            Files.move(staged, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (Plugin v2 = Plugin.load(path);
                 Image second = row(1, 2, 3, 4)) {
                assertEquals("versioned", v2.name());
                assertEquals("2.0.0", v2.version());
                second.applyInPlace("generation_fill");
                assertArrayEquals(new int[] {200, 200, 200, 255}, pixels(second));
            }
            assertArrayEquals(new int[] {100, 100, 100, 255, 100, 100, 100, 255}, pixels(first), "made under 1.0.0");
        }
    }

    @Test
    void closingDuringACallLetsTheCallFinish() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Image image = row(0, 100, 255, 9)) {
            Plugin slow = Plugin.load(plugin("libtest_slow.so"));
            Future<?> call;
            try {
                call = thread.submit(() -> image.applyInPlace("hold", Map.of("milliseconds", 300)));
                Thread.sleep(100);
            } finally {
                slow.close();
            }
            call.get(30, TimeUnit.SECONDS);
            assertArrayEquals(new int[] {255, 155, 0, 9}, pixels(image), "the running call finished");
            fails(ErrorCode.INVALID_ARGUMENT, () -> image.applyInPlace("hold"));
        } finally {
            thread.shutdownNow();
        }
    }

    /** The raw native call refuses forged and destroyed image handles like every image call. */
    @Test
    void rawApplyRefusesBadHandles() {
        try (Plugin sepia = Plugin.load(plugin("libpixbridge_sepia.so"))) {
            long destroyed = NativeImage.fromPixels(1, 1, new byte[4]);
            NativeImage.destroy(destroyed);
            fails(ErrorCode.INVALID_HANDLE, () -> Plugin.nativeApply("sepia", destroyed, new double[0]));
            fails(ErrorCode.INVALID_HANDLE, () -> Plugin.nativeApply("channel_gain", 0x0100_0000_0000_0042L, new double[0]));
            fails(ErrorCode.INVALID_HANDLE, () -> Plugin.nativeUnload(destroyed));
            fails(ErrorCode.INVALID_ARGUMENT, () -> {
                long image = NativeImage.fromPixels(1, 1, new byte[4]);
                try {
                    Plugin.nativeApply("sepia", image, new double[] {0.5, 0.5});
                } finally {
                    NativeImage.destroy(image);
                }
            });
        }
    }
}
