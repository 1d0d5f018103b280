import io.pixbridge.Diagnostics;
import io.pixbridge.EncodeOptions;
import io.pixbridge.Image;
import io.pixbridge.PixbridgeException;
import io.pixbridge.Plugin;
import io.pixbridge.PluginOperation;
import io.pixbridge.PluginParameter;
import io.pixbridge.ThumbnailFit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Pixbridge Java sample: for each JPEG given, open -> blur (new image) -> mirror (in place)
 * -> save as PNG, then a one-call 400 x 400 cover thumbnail saved as a progressive JPEG of
 * quality 80, then the same blur asynchronously with progress, and one cancelled from its own
 * progress listener, printing what it did. With the environment variable
 * {@code PIXBRIDGE_PLUGIN_DIR} naming a folder of built plugins ({@code ci/build-plugins.sh}), it
 * also loads the two sample plugins and applies {@code sepia} (in place) and {@code vignette}
 * (a new image) to the first image. Needs only the Pixbridge jar on the class path:
 *
 * <pre>
 * javac -cp pixbridge.jar -d classes PixbridgeSample.java
 * java -cp pixbridge.jar:classes PixbridgeSample out-dir photo1.jpg photo2.jpg
 * </pre>
 */
public final class PixbridgeSample {
    private PixbridgeSample() {
    }

    /**
     * Runs the sample.
     *
     * @param args the output directory, then one or more JPEG files
     * @throws Exception if the output directory cannot be created
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PixbridgeSample <out-dir> <image.jpg>...");
            System.exit(2);
        }
        Path outDir = Files.createDirectories(Path.of(args[0]));
        System.out.println("Pixbridge native library: " + Diagnostics.nativeLibrarySource()
                + " (platform " + Diagnostics.platform() + ")");
        int failures = 0;
        for (int i = 1; i < args.length; i++) {
            Path input = Path.of(args[i]);
            String name = input.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            Path output = outDir.resolve(name + "-blur4-mirror.png");
            long start = System.nanoTime();
            try (Image image = Image.open(input);
                 Image blurred = image.blur(4f)) {
                System.out.printf("%s: opened %dx%d %s%n", input, image.width(), image.height(), image.colorType());
                System.out.println("  blur(4) -> new image; mirror() -> in place");
                blurred.mirror();
                blurred.save(output);
                System.out.printf("  saved %s (%d bytes) in %.1f ms%n", output, Files.size(output),
                        (System.nanoTime() - start) / 1e6);
            } catch (PixbridgeException e) {
                System.out.printf("%s: failed with %s: %s%n", input, e.code(), e.getMessage());
                failures++;
                continue;
            }
            Path thumbnailOutput = outDir.resolve(name + "-thumbnail-400-cover.jpg");
            start = System.nanoTime();
            try (Image thumbnail = Image.thumbnail(input, 400, 400, ThumbnailFit.COVER)) {
                thumbnail.save(thumbnailOutput, EncodeOptions.DEFAULT.withQuality(80).withProgressive(true));
                System.out.printf("  thumbnail(400, 400, COVER) -> %dx%d, saved %s (%d bytes) in %.1f ms%n",
                        thumbnail.width(), thumbnail.height(), thumbnailOutput, Files.size(thumbnailOutput),
                        (System.nanoTime() - start) / 1e6);
            } catch (PixbridgeException e) {
                System.out.printf("%s: failed with %s: %s%n", input, e.code(), e.getMessage());
                failures++;
            }
        }
        if (!runAsync(Path.of(args[1]), outDir)) {
            failures++;
        }
        if (!runPlugins(Path.of(args[1]), outDir)) {
            failures++;
        }
        System.out.println("live native images at exit: " + Diagnostics.liveHandleCount());
        if (failures > 0) {
            System.exit(1);
        }
    }

    /**
     * The asynchronous calls of the README: a blur with progress whose result is saved by a
     * dependent action, then a blur cancelled from its own listener once a fifth is done.
     *
     * @return whether both behaved as documented
     */
    private static boolean runAsync(Path input, Path outDir) {
        Path output = outDir.resolve("async-blur4.png");
        try (Image image = Image.open(input)) {
            // Progress at each quarter passed (the listener is told at most every hundredth).
            float[] next = {0.25f};
            CompletableFuture<Image> blur = image.blurAsync(4f, fraction -> {
                if (fraction >= next[0]) {
                    System.out.printf("  blurAsync(4): %.0f%%%n", 100 * fraction);
                    next[0] = (float) (Math.floor(fraction * 4) + 1) / 4;
                }
            });
            CompletableFuture<Void> saved = blur.thenAccept(blurred -> {
                try (blurred) {
                    blurred.save(output);
                }
            });
            saved.join();
            System.out.printf("  blurAsync(4).thenAccept(save) -> %s (%d bytes)%n", output, Files.size(output));

            AtomicReference<CompletableFuture<Image>> cancelled = new AtomicReference<>();
            float[] stoppedAt = {0f};
            CompletableFuture<Image> unwanted = image.blurAsync(30f, fraction -> {
                stoppedAt[0] = fraction;
                CompletableFuture<Image> self = cancelled.get();
                if (fraction > 0.2f && self != null) {
                    self.cancel(true); // the native work stops; the future ends cancelled
                }
            });
            cancelled.set(unwanted);
            try {
                unwanted.join().close();
                System.out.println("  blurAsync(30) finished before the cancel reached it");
            } catch (CancellationException e) {
                System.out.printf("  blurAsync(30) cancelled from its listener at %.0f%%%n", 100 * stoppedAt[0]);
            }
            // The future is cancelled at once; the native call returns a moment later and only then
            // lets go of the image (and of its control, counted here).
            while (Diagnostics.liveControlCount() > 0) {
                Thread.onSpinWait();
            }
            return true;
        } catch (PixbridgeException | java.io.IOException | java.util.concurrent.CompletionException e) {
            System.out.printf("%s: async calls failed: %s%n", input, e);
            return false;
        }
    }

    /**
     * Loads the sample plugins from {@code PIXBRIDGE_PLUGIN_DIR}, prints what they offer, and
     * applies {@code sepia} (in place) and then {@code vignette} (a new image) to {@code input},
     * saving the result as PNG. Skipped, with a note, when the variable is not set.
     *
     * @return false if a step failed
     */
    private static boolean runPlugins(Path input, Path outDir) {
        String dir = System.getenv("PIXBRIDGE_PLUGIN_DIR");
        if (dir == null || dir.isEmpty()) {
            System.out.println("plugins: skipped (set PIXBRIDGE_PLUGIN_DIR to the folder ci/build-plugins.sh builds)");
            return true;
        }
        String name = input.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path output = outDir.resolve(name + "-sepia-vignette.png");
        try (Plugin sepia = Plugin.load(Path.of(dir, "libpixbridge_sepia.so"));
             Plugin vignette = Plugin.load(Path.of(dir, "libpixbridge_vignette.so"))) {
            for (Plugin plugin : new Plugin[] {sepia, vignette}) {
                System.out.printf("plugin %s %s (ABI %s): %s%n", plugin.name(), plugin.version(), plugin.abiVersion(),
                        plugin.description());
                for (PluginOperation operation : plugin.operations()) {
                    StringBuilder parameters = new StringBuilder();
                    for (PluginParameter parameter : operation.parameters()) {
                        parameters.append(parameters.length() == 0 ? "" : ", ").append(parameter.name())
                                .append(" = ").append(parameter.defaultValue())
                                .append(" [").append(parameter.minimum()).append(", ").append(parameter.maximum()).append("]");
                    }
                    System.out.printf("  %s (%s): %s%n", operation.name(), operation.kind(), parameters);
                }
            }
            try (Image image = Image.open(input)) {
                image.applyInPlace("sepia", Map.of("strength", 0.8));
                try (Image vignetted = image.apply("vignette", Map.of("strength", 0.7))) {
                    vignetted.save(output);
                }
            }
            System.out.printf("%s: sepia(strength 0.8) in place -> vignette(strength 0.7) -> saved %s (%d bytes)%n",
                    input, output, Files.size(output));
            return true;
        } catch (PixbridgeException | java.io.IOException e) {
            System.out.println("plugins: failed: " + e);
            return false;
        }
    }
}
