package io.pixbridge.bench;

import io.pixbridge.bench.TimingRule.Stats;
import io.pixbridge.imageio.PixbridgeImageReader;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * {@code ImageIO.read} of JPEG photos with the JDK's reader against the same call through
 * Pixbridge's ImageIO provider (which ImageIO picks first when the jar is on the class path).
 *
 * <p>Time: the two readers alternate call by call in one JVM (one pair = one run of the timing
 * rule); each call opens the file, decodes it to a {@code BufferedImage} and drops it. Java heap
 * allocated per call comes from the thread's allocation counter. Peak memory: one fresh JVM per
 * reader ({@code --rss jdk|pixbridge|none FILE N}) reads the file N times and reports its peak
 * RSS (VmHWM); {@code none} only reads the file's bytes, the JVM's own footprint.
 *
 * <p>Usage: {@code java -Dpixbridge.timing.rule=bench/timing-rule.properties ImageIoBench
 * OUT.jsonl [--quick] FILE.jpg...}: appends one JSON line per file (kind {@code java}) to OUT.jsonl.
 */
public final class ImageIoBench {
    private ImageIoBench() {
    }

    /** The JDK's JPEG reader (the first registered reader that is not Pixbridge's). */
    static ImageReader jdkReader() {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext();) {
            ImageReader reader = it.next();
            if (!(reader instanceof PixbridgeImageReader)) {
                return reader;
            }
        }
        throw new IllegalStateException("no JDK JPEG reader");
    }

    /** {@code ImageIO.read(file)} with a given reader: what ImageIO.read does with its first reader. */
    static BufferedImage readWith(ImageReader reader, File file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file)) {
            reader.setInput(in, true, true);
            return reader.read(0, reader.getDefaultReadParam());
        } finally {
            reader.dispose();
        }
    }

    static BufferedImage readJdk(File file) {
        try {
            return readWith(jdkReader(), file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static BufferedImage readPixbridge(File file) {
        try {
            return ImageIO.read(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The file itself if it is a JPEG, else (a PNG such as the bench's 4k.png) a temporary JPEG
     * of it at quality 90, 4:2:0, written by Pixbridge, deleted when the JVM exits.
     */
    static File asJpeg(File file) throws IOException {
        if (!file.getName().toLowerCase(Locale.ROOT).endsWith(".png")) {
            return file;
        }
        File jpeg = File.createTempFile(file.getName().replace(".png", "") + "-q90-", ".jpg");
        jpeg.deleteOnExit();
        try (io.pixbridge.Image image = io.pixbridge.Image.open(file.toPath())) {
            image.save(jpeg.toPath(), io.pixbridge.EncodeOptions.DEFAULT.withQuality(90));
        }
        return jpeg;
    }

    /** The process's peak resident set size in MiB (VmHWM). */
    static double peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** Runs {@code --rss MODE FILE N} in a fresh JVM and returns the peak RSS it printed. */
    static double childPeakRss(String mode, File file, int reads) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ImageIoBench.class.getName());
        command.add("--rss");
        command.add(mode);
        command.add(file.toString());
        command.add(Integer.toString(reads));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("child " + mode + " failed: " + output);
        }
        String[] lines = output.split("\\R");
        return Double.parseDouble(lines[lines.length - 1]);
    }

    /**
     * Runs the comparison, or one peak-memory child.
     *
     * @param args OUT.jsonl [--quick] FILE.jpg..., or --rss MODE FILE N
     * @throws Exception if a file cannot be read or written or a child JVM fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--rss")) {
            File file = new File(args[2]);
            int reads = Integer.parseInt(args[3]);
            long sum = 0;
            for (int i = 0; i < reads; i++) {
                switch (args[1]) {
                    case "jdk" -> sum += readJdk(file).getWidth();
                    case "pixbridge" -> sum += readPixbridge(file).getWidth();
                    default -> sum += Files.readAllBytes(file.toPath()).length;
                }
            }
            BlurBench.sink += sum;
            System.out.println(String.format(Locale.ROOT, "%.1f", peakRssMiB()));
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: ImageIoBench OUT.jsonl [--quick] FILE.jpg...");
            System.exit(2);
        }
        boolean quick = args[1].equals("--quick");
        TimingRule rule = BlurBench.readRule(quick);
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[0]), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND))) {
            for (int f = quick ? 2 : 1; f < args.length; f++) {
                File file = asJpeg(new File(args[f]));
                try (ImageInputStream in = ImageIO.createImageInputStream(file)) {
                    ImageReader first = ImageIO.getImageReaders(in).next();
                    if (!(first instanceof PixbridgeImageReader)) {
                        throw new IllegalStateException("ImageIO's first reader is " + first.getClass().getName() + ", not Pixbridge's");
                    }
                    first.dispose();
                }
                BufferedImage probe = readPixbridge(file);
                String size = probe.getWidth() + "x" + probe.getHeight();
                List<Double> jdk = new ArrayList<>();
                List<Double> ours = new ArrayList<>();
                long[] allocated = new long[2];
                Stats pairs = rule.measure(() -> {
                    int pair = jdk.size();
                    for (int side = 0; side < 2; side++) {
                        boolean jdkSide = (pair + side) % 2 == 0;
                        long bytesBefore = threadBean.getThreadAllocatedBytes(tid);
                        long start = System.nanoTime();
                        BufferedImage image = jdkSide ? readJdk(file) : readPixbridge(file);
                        double millis = (System.nanoTime() - start) / 1e6;
                        allocated[jdkSide ? 0 : 1] = threadBean.getThreadAllocatedBytes(tid) - bytesBefore;
                        BlurBench.sink += image.getRGB(image.getWidth() / 2, image.getHeight() / 2);
                        (jdkSide ? jdk : ours).add(millis);
                    }
                    return null;
                });
                Stats jdkStats = Stats.of(BlurBench.timedPart(jdk, pairs), pairs.warmUpRuns(), jdk.get(0));
                Stats oursStats = Stats.of(BlurBench.timedPart(ours, pairs), pairs.warmUpRuns(), ours.get(0));
                int reads = quick ? 3 : 10;
                double rssNone = childPeakRss("none", file, reads);
                double rssJdk = childPeakRss("jdk", file, reads);
                double rssOurs = childPeakRss("pixbridge", file, reads);
                String name = (file.getName().endsWith(".jpg") && !args[f].endsWith(".png") ? file.getName()
                        : new File(args[f]).getName() + " as JPEG q90") + " (" + size + ")";
                out.println(BlurBench.json("ImageIO.read " + name + ", JDK reader", jdkStats, "ms", String.format(Locale.ROOT,
                        "in-process pairs with the Pixbridge provider; %.1f MB of Java heap allocated per call; peak RSS of a JVM reading it %d times %.0f MiB (%.0f MiB without decoding)",
                        allocated[0] / 1e6, reads, rssJdk, rssNone)));
                out.println(BlurBench.json("ImageIO.read " + name + ", Pixbridge provider", oursStats, "ms", String.format(Locale.ROOT,
                        "%.2fx the JDK reader's speed; %.1f MB of Java heap allocated per call; peak RSS of a JVM reading it %d times %.0f MiB (%.0f MiB without decoding)",
                        jdkStats.median() / oursStats.median(), allocated[1] / 1e6, reads, rssOurs, rssNone)));
                out.flush();
                System.err.println("imageio: " + file.getName() + " done");
            }
        }
    }
}
