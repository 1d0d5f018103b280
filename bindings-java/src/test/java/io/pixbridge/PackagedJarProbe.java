package io.pixbridge;

import java.nio.file.Path;

/**
 * A consumer program started by {@link PackagedJarTest} in its own JVM with only the packaged
 * jar (and this class) on the class path. Uses the public API only.
 */
public final class PackagedJarProbe {
    private PackagedJarProbe() {
    }

    /**
     * Opens a JPEG, blurs, mirrors, saves a PNG, reads it back and prints what happened.
     *
     * @param args the testdata directory and an output directory
     */
    public static void main(String[] args) {
        Path testdata = Path.of(args[0]);
        Path output = Path.of(args[1]).resolve("probe.png");
        System.out.println("source=" + Diagnostics.nativeLibrarySource());
        try (Image image = Image.open(testdata.resolve("rocket.jpg"));
             Image blurred = image.blur(4f)) {
            blurred.mirror();
            blurred.save(output);
        }
        try (Image saved = Image.open(output)) {
            System.out.println("saved=" + saved.width() + "x" + saved.height() + " " + saved.colorType());
        }
        System.out.println("live=" + Diagnostics.liveHandleCount());
    }
}
