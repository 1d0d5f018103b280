package io.pixbridge.bench;

import io.pixbridge.ChromaSubsampling;
import io.pixbridge.DecodeOptions;
import io.pixbridge.EncodeOptions;
import io.pixbridge.Image;
import io.pixbridge.ImageFormat;
import io.pixbridge.ResizeFilter;
import io.pixbridge.ThumbnailFit;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Pipeline benchmark runner through Java (issue 13), for {@code bench/scripts/pipelines.py}:
 * {@code Pipelines JOB LIBRARY INPUT OUTPUT RULE} does one whole job (decode, process, encode,
 * write the file) with one library, in this process alone, so that the peak RSS it reports is that
 * job's. The runs follow the timing rule {@code RULE}: one profile of
 * {@code bench/timing-rule.properties} as its eight colon-separated values (see {@link TimingRule}).
 * It prints one JSON line: {@code job, library, input, output, supported, runs, warmup_runs,
 * median_ms, p25_ms, p75_ms, min_ms, max_ms, cpu_median_ms} (CPU time of the whole process per
 * timed run: all threads, JIT and GC included, from
 * {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime}, which JDK 17 reads from
 * {@code times(2)} on Linux: whole clock ticks, 10 ms here, so a short job's figure is coarse),
 * {@code peak_rss_mb} (VmHWM), {@code start_rss_mb}
 * (VmRSS when main started), {@code output_bytes, threads}; MB are 10^6 bytes. A cell the library
 * cannot do prints {@code "supported":false} and runs nothing.
 *
 * <p>The jobs, with the parameters of the C# runner ({@code bindings-csharp/benchmarks}):
 * <ul>
 * <li>{@code thumb400}: thumbnail 400 px wide (aspect kept, height rounded half away from zero),
 *     JPEG q80 4:2:0;</li>
 * <li>{@code crop-shrink-sharpen}: crop 100 px off each edge, shrink to 90 % (rounded half away
 *     from zero; Lanczos3, or bicubic where that is what the library has), sharpen (Gaussian sigma 1,
 *     amount 1, threshold 0), JPEG q75;</li>
 * <li>{@code blur-mirror-png}: Gaussian blur sigma 40, mirror left to right, PNG.</li>
 * </ul>
 *
 * <p>The libraries, each on its idiomatic fastest public path: {@code pixbridge} (the Java SDK,
 * the packaged jar; its native operations use every core) and {@code imageio} (ImageIO and
 * Java2D as the JDK ships them, single-threaded; see {@link ImageIoJobs}).
 */
public final class Pipelines {
    /** The job names, in table order. */
    static final List<String> JOBS = List.of("thumb400", "crop-shrink-sharpen", "blur-mirror-png");

    /** The library names, Pixbridge first. */
    static final List<String> LIBRARIES = List.of("pixbridge", "imageio");

    /** Thumbnail width of {@code thumb400}. */
    static final int THUMB_WIDTH = 400;

    /** Pixels cropped off each edge in {@code crop-shrink-sharpen}. */
    static final int CROP_MARGIN = 100;

    /** Shrink factor of {@code crop-shrink-sharpen}. */
    static final double SHRINK_FACTOR = 0.9;

    /** Sigma of the sharpen step of {@code crop-shrink-sharpen}. */
    static final float SHARPEN_SIGMA = 1f;

    /** Amount of the sharpen step (1: add the full difference from the blur). */
    static final float SHARPEN_AMOUNT = 1f;

    /** Sigma of {@code blur-mirror-png}. */
    static final float BLUR_SIGMA = 40f;

    private static final String USAGE = "usage: java -cp JAR:CLASSES io.pixbridge.bench.Pipelines JOB LIBRARY INPUT OUTPUT RULE";

    private Pipelines() {
    }

    /** One job with one library: reads INPUT, writes OUTPUT. */
    @FunctionalInterface
    interface Job {
        /**
         * Runs the whole job once.
         *
         * @param input the input image file
         * @param output the file to write
         * @throws IOException if reading or writing fails
         */
        void run(Path input, Path output) throws IOException;
    }

    /**
     * Runs one cell and prints its JSON line.
     *
     * @param args JOB LIBRARY INPUT OUTPUT RULE
     */
    public static void main(String[] args) {
        double startRss = statusMegabytes("VmRSS");
        TimingRule rule = null;
        String problem = null;
        if (args.length != 5) {
            problem = "expected 5 arguments, got " + args.length;
        } else if (!JOBS.contains(args[0])) {
            problem = "unknown job '" + args[0] + "'";
        } else if (!LIBRARIES.contains(args[1])) {
            problem = "unknown library '" + args[1] + "'";
        } else {
            try {
                rule = TimingRule.parse(args[4]);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            usage(problem);
            return;
        }
        String job = args[0];
        String library = args[1];
        Path input = Path.of(args[2]);
        Path output = Path.of(args[3]);
        Job cell = find(library, job);
        if (cell == null) {
            System.out.println(unsupportedLine(job, library, args[2], args[3]));
            return;
        }
        if (!Files.isRegularFile(input)) {
            usage("input not found: " + input);
            return;
        }

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        boolean cpuAvailable = os.getProcessCpuTime() >= 0;
        // One entry per run, warm-ups first: the rule's Stats says how many of each there were.
        List<Double> cpuMillis = new ArrayList<>();
        TimingRule.Stats stats = rule.measure(() -> {
            long cpuStart = os.getProcessCpuTime();
            try {
                cell.run(input, output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cpuMillis.add((os.getProcessCpuTime() - cpuStart) / 1e6);
            return null;
        });
        Double cpuMedian = null;
        if (cpuAvailable) {
            double[] timed = cpuMillis.subList(stats.warmUpRuns(), cpuMillis.size()).stream()
                    .mapToDouble(Double::doubleValue).sorted().toArray();
            cpuMedian = TimingRule.Stats.quantile(timed, 0.5);
        }
        long outputBytes;
        try {
            outputBytes = Files.size(output);
        } catch (IOException e) {
            throw new UncheckedIOException("the job wrote no output " + output, e);
        }
        System.out.println(resultLine(job, library, args[2], args[3], stats, cpuMedian, startRss, outputBytes));
    }

    private static void usage(String problem) {
        System.err.println("Pipelines: " + problem);
        System.err.println(USAGE);
        System.err.println("  JOB: " + String.join(", ", JOBS) + "; LIBRARY: " + String.join(", ", LIBRARIES)
                + "; RULE: warm_up:min_runs:max_runs:budget_s:fast_run_s:fast_max_runs:slow_run_s:slow_min_runs"
                + " (one profile of bench/timing-rule.properties)");
        System.exit(2);
    }

    /** The job of one cell, or null when the library cannot do it. */
    static Job find(String library, String job) {
        Map<String, Job> jobs = switch (library) {
            case "pixbridge" -> Map.of("thumb400", PixbridgeJobs::thumbnail,
                    "crop-shrink-sharpen", PixbridgeJobs::cropShrinkSharpen,
                    "blur-mirror-png", PixbridgeJobs::blurMirrorPng);
            case "imageio" -> Map.of("thumb400", ImageIoJobs::thumbnail,
                    "crop-shrink-sharpen", ImageIoJobs::cropShrinkSharpen,
                    "blur-mirror-png", ImageIoJobs::blurMirrorPng);
            default -> Map.of();
        };
        return jobs.get(job);
    }

    /**
     * Height of a thumbnail {@code width} wide of a {@code sourceWidth} x {@code sourceHeight}
     * image: aspect kept, rounded half away from zero (Math.round does that for the positive
     * values here), at least 1.
     */
    static int scaledHeight(int sourceWidth, int sourceHeight, int width) {
        return (int) Math.max(1, Math.round((double) sourceHeight * width / sourceWidth));
    }

    /** A size shrunk by {@link #SHRINK_FACTOR}, rounded half away from zero, at least 1. */
    static int shrunk(int size) {
        return (int) Math.max(1, Math.round(size * SHRINK_FACTOR));
    }

    /**
     * A field of {@code /proc/self/status} ({@code VmHWM}: peak resident set size, {@code VmRSS})
     * in MB (10^6 bytes), or -1 where it cannot be read.
     */
    static double statusMegabytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024 / 1e6;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, /proc hidden, or a format this does not know: report -1 rather than fail the cell.
        }
        return -1;
    }

    static String unsupportedLine(String job, String library, String input, String output) {
        return "{\"job\":" + quote(job) + ",\"library\":" + quote(library) + ",\"input\":" + quote(input)
                + ",\"output\":" + quote(output) + ",\"supported\":false}";
    }

    static String resultLine(String job, String library, String input, String output, TimingRule.Stats stats,
            Double cpuMedian, double startRss, long outputBytes) {
        StringBuilder line = new StringBuilder();
        line.append("{\"job\":").append(quote(job))
                .append(",\"library\":").append(quote(library))
                .append(",\"input\":").append(quote(input))
                .append(",\"output\":").append(quote(output))
                .append(",\"supported\":true")
                .append(",\"runs\":").append(stats.runs())
                .append(",\"warmup_runs\":").append(stats.warmUpRuns())
                .append(",\"median_ms\":").append(number(stats.median(), 3))
                .append(",\"p25_ms\":").append(number(stats.p25(), 3))
                .append(",\"p75_ms\":").append(number(stats.p75(), 3))
                .append(",\"min_ms\":").append(number(stats.min(), 3))
                .append(",\"max_ms\":").append(number(stats.max(), 3));
        if (cpuMedian != null) {
            line.append(",\"cpu_median_ms\":").append(number(cpuMedian, 3));
        }
        line.append(",\"peak_rss_mb\":").append(number(statusMegabytes("VmHWM"), 1))
                .append(",\"start_rss_mb\":").append(number(startRss, 1))
                .append(",\"output_bytes\":").append(outputBytes)
                .append(",\"threads\":").append(Runtime.getRuntime().availableProcessors())
                .append('}');
        return line.toString();
    }

    /** A JSON number with {@code decimals} places (JSON has no NaN: that becomes null). */
    static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * Pixbridge through its public Java API (the packaged jar): every {@link Image} is closed by
     * try-with-resources, so native memory is freed at once rather than by the Cleaner.
     */
    static final class PixbridgeJobs {
        /**
         * Height of the {@code thumb400} box: the largest the native side accepts, so that with
         * {@link ThumbnailFit#CONTAIN} the width alone decides the size (as the C# runner does).
         */
        private static final int UNBOUNDED_HEIGHT = 32768;

        /** JPEG of {@code thumb400}: quality 80, 4:2:0 (the peers' default), baseline. */
        private static final EncodeOptions THUMBNAIL_JPEG =
                EncodeOptions.DEFAULT.withQuality(80).withSubsampling(ChromaSubsampling.YUV420);

        /** JPEG of {@code crop-shrink-sharpen}: quality 75, the other settings at their defaults (4:2:0). */
        private static final EncodeOptions CROP_SHRINK_SHARPEN_JPEG = EncodeOptions.DEFAULT.withQuality(75);

        private PixbridgeJobs() {
        }

        /** One call: shrink-on-load decode and a Catmull-Rom fit into 400 x {@link #UNBOUNDED_HEIGHT}. */
        static void thumbnail(Path input, Path output) {
            try (Image thumbnail = Image.thumbnail(input, THUMB_WIDTH, UNBOUNDED_HEIGHT, ThumbnailFit.CONTAIN)) {
                thumbnail.save(output, THUMBNAIL_JPEG);
            }
        }

        /**
         * Deferred decoding (the counterpart of NetVips' sequential access): the full-size decode
         * lives only inside {@code crop}, which reuses its buffer.
         */
        static void cropShrinkSharpen(Path input, Path output) {
            int m = CROP_MARGIN;
            try (Image full = Image.open(input, DecodeOptions.DEFERRED);
                    Image cropped = full.crop(m, m, full.width() - 2 * m, full.height() - 2 * m);
                    Image shrunk = cropped.resize(shrunk(cropped.width()), shrunk(cropped.height()), ResizeFilter.LANCZOS3);
                    Image sharpened = shrunk.unsharpen(SHARPEN_SIGMA, SHARPEN_AMOUNT, 0)) {
                sharpened.save(output, CROP_SHRINK_SHARPEN_JPEG);
            }
        }

        /** Deferred decoding: the blur runs in the decode's own buffer. */
        static void blurMirrorPng(Path input, Path output) {
            try (Image full = Image.open(input, DecodeOptions.DEFERRED);
                    Image blurred = full.blur(BLUR_SIGMA)) {
                blurred.mirror(); // in place: no third image
                blurred.save(output, ImageFormat.PNG, EncodeOptions.DEFAULT);
            }
        }
    }

    /**
     * ImageIO and Java2D as the JDK ships them: {@code ImageIO.read}, {@code Graphics2D.drawImage}
     * with bicubic interpolation, {@link ConvolveOp}, and the JDK's JPEG ({@link ImageWriter} with
     * an explicit quality; its default for RGB is 4:2:0) and PNG writers (default settings). All of
     * it runs on one thread. Working images are {@code TYPE_INT_RGB}, the type Java2D's and
     * ConvolveOp's native loops handle directly.
     *
     * <ul>
     * <li>{@code thumb400}: a progressive down-scale, halving with bicubic {@code drawImage} until
     *     the next halving would pass the target, then one last bicubic step to 400 px (3840 ->
     *     1920 -> 960 -> 480 -> 400). This is the usual Java thumbnail idiom (Campbell's "The
     *     Perils of Image.getScaledInstance()", imgscalr's QUALITY mode): Java2D's bicubic does not
     *     widen its kernel when shrinking, so one step from 3840 to 400 px would sample 4 x 4 of
     *     every ~10 x 10 source pixels and alias; halving keeps every step within the kernel's
     *     reach. It is the quality choice, and the one the idiom uses: there is no faster Java2D
     *     path of comparable quality ({@code getScaledInstance(SCALE_AREA_AVERAGING)} is far slower).</li>
     * <li>{@code crop-shrink-sharpen}: {@code getSubimage} (a view, no copy), one bicubic
     *     {@code drawImage} to 90 % (a factor this close to 1 needs no halving), then an unsharp
     *     mask as one 7 x 7 {@link ConvolveOp}: kernel {@code (1 + amount) * delta - amount *
     *     gaussian(sigma 1)} (radius 3 sigma; not separable, because of the delta), with
     *     {@code EDGE_NO_OP}: the outermost 3 pixels stay unsharpened. ConvolveOp saturates
     *     to 0..255, as the other libraries' sharpen does.</li>
     * <li>{@code blur-mirror-png}: a separable Gaussian, two 1-D ConvolveOps of radius ceil(3 sigma)
     *     = 120. ConvolveOp has no clamp-to-edge mode ({@code EDGE_NO_OP} would leave a 120 px frame
     *     unblurred, {@code EDGE_ZERO_FILL} a black one), so the image is first padded by 120 px of
     *     replicated edge pixels (the clamp edges of the other libraries), both passes run with
     *     {@code EDGE_NO_OP}, and the middle is kept; the padding costs about 18 % more convolution
     *     at 4K. The mirror and the crop back to the original size are one {@code drawImage} with the
     *     source rectangle reversed (a 1:1 nearest-neighbour blit).</li>
     * </ul>
     */
    static final class ImageIoJobs {
        /** Unsharp mask of {@code crop-shrink-sharpen} as one 7 x 7 kernel. */
        private static final ConvolveOp UNSHARP = unsharpOp(SHARPEN_SIGMA, SHARPEN_AMOUNT);

        /** Radius of the {@code blur-mirror-png} kernel: ceil(3 sigma), as BlurBench's ConvolveOp blur. */
        private static final int BLUR_RADIUS = (int) Math.ceil(3 * BLUR_SIGMA);

        private static final ConvolveOp BLUR_HORIZONTAL;
        private static final ConvolveOp BLUR_VERTICAL;

        static {
            // The baseline is ImageIO as the JDK ships it: with the Pixbridge jar on the class path,
            // Pixbridge's ImageIO provider would otherwise read and write these files (pipelines.sh
            // also turns it off with -Dio.pixbridge.imageio=false).
            io.pixbridge.imageio.PixbridgeImageIO.deregister();
            float[] weights = gaussian(BLUR_SIGMA, BLUR_RADIUS);
            BLUR_HORIZONTAL = new ConvolveOp(new Kernel(weights.length, 1, weights), ConvolveOp.EDGE_NO_OP, null);
            BLUR_VERTICAL = new ConvolveOp(new Kernel(1, weights.length, weights), ConvolveOp.EDGE_NO_OP, null);
        }

        private ImageIoJobs() {
        }

        static void thumbnail(Path input, Path output) throws IOException {
            BufferedImage source = read(input);
            int height = scaledHeight(source.getWidth(), source.getHeight(), THUMB_WIDTH);
            writeJpeg(progressiveScale(source, THUMB_WIDTH, height), output, 0.80f);
        }

        static void cropShrinkSharpen(Path input, Path output) throws IOException {
            BufferedImage source = read(input);
            int m = CROP_MARGIN;
            BufferedImage cropped = source.getSubimage(m, m, source.getWidth() - 2 * m, source.getHeight() - 2 * m);
            BufferedImage shrunk = scale(cropped, shrunk(cropped.getWidth()), shrunk(cropped.getHeight()));
            writeJpeg(UNSHARP.filter(shrunk, null), output, 0.75f);
        }

        static void blurMirrorPng(Path input, Path output) throws IOException {
            BufferedImage source = read(input);
            int width = source.getWidth();
            int height = source.getHeight();
            int r = BLUR_RADIUS;
            BufferedImage padded = padReplicated(source, r);
            BufferedImage blurred = BLUR_VERTICAL.filter(BLUR_HORIZONTAL.filter(padded, null), null);
            BufferedImage mirrored = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = mirrored.createGraphics();
            try {
                // Source x from r + width down to r: mirrored, and the padding left out, in one blit.
                g.drawImage(blurred, 0, 0, width, height, r + width, r, r, r + height, null);
            } finally {
                g.dispose();
            }
            // ImageIO.write(..., File) deletes an existing file first, so no older tail is left.
            if (!ImageIO.write(mirrored, "png", output.toFile())) {
                throw new IOException("ImageIO has no PNG writer");
            }
        }

        private static BufferedImage read(Path input) throws IOException {
            BufferedImage image = ImageIO.read(input.toFile());
            if (image == null) {
                throw new IOException("ImageIO cannot read " + input);
            }
            return image;
        }

        /** One bicubic drawImage into a new TYPE_INT_RGB image of the given size. */
        private static BufferedImage scale(BufferedImage source, int width, int height) {
            BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = target.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.drawImage(source, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            return target;
        }

        /** Halves with bicubic drawImage while that stays above the target, then one step to it. */
        private static BufferedImage progressiveScale(BufferedImage source, int width, int height) {
            BufferedImage current = source;
            int w = source.getWidth();
            int h = source.getHeight();
            do {
                w = w > width ? Math.max(width, w / 2) : width;
                h = h > height ? Math.max(height, h / 2) : height;
                current = scale(current, w, h);
            } while (w != width || h != height);
            return current;
        }

        /**
         * A TYPE_INT_RGB copy with {@code r} pixels of replicated edge on every side: the image
         * drawn in the middle, then its outer rows, columns and corner pixels stretched outwards
         * (nearest neighbour, Java2D's default, so the stretch copies them exactly).
         */
        private static BufferedImage padReplicated(BufferedImage source, int r) {
            int w = source.getWidth();
            int h = source.getHeight();
            BufferedImage padded = new BufferedImage(w + 2 * r, h + 2 * r, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = padded.createGraphics();
            try {
                g.drawImage(source, r, r, null);
                // Sides: destination rectangle, then the one-pixel source strip it repeats.
                g.drawImage(source, 0, r, r, r + h, 0, 0, 1, h, null);
                g.drawImage(source, r + w, r, w + 2 * r, r + h, w - 1, 0, w, h, null);
                g.drawImage(source, r, 0, r + w, r, 0, 0, w, 1, null);
                g.drawImage(source, r, r + h, r + w, h + 2 * r, 0, h - 1, w, h, null);
                // Corners: one pixel each.
                g.drawImage(source, 0, 0, r, r, 0, 0, 1, 1, null);
                g.drawImage(source, r + w, 0, w + 2 * r, r, w - 1, 0, w, 1, null);
                g.drawImage(source, 0, r + h, r, h + 2 * r, 0, h - 1, 1, h, null);
                g.drawImage(source, r + w, r + h, w + 2 * r, h + 2 * r, w - 1, h - 1, w, h, null);
            } finally {
                g.dispose();
            }
            return padded;
        }

        /** Writes a baseline JPEG with the JDK's writer at an explicit quality (0.80 = libjpeg's 80). */
        private static void writeJpeg(BufferedImage image, Path output, float quality) throws IOException {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
            if (!writers.hasNext()) {
                throw new IOException("ImageIO has no JPEG writer");
            }
            ImageWriter writer = writers.next();
            try {
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
                // FileImageOutputStream does not truncate: delete first so no older tail is left.
                Files.deleteIfExists(output);
                try (ImageOutputStream stream = ImageIO.createImageOutputStream(output.toFile())) {
                    writer.setOutput(stream);
                    writer.write(null, new IIOImage(image, null, null), param);
                }
            } finally {
                writer.dispose();
            }
        }

        /** Normalised 1-D Gaussian weights of radius {@code radius}. */
        private static float[] gaussian(float sigma, int radius) {
            double[] weights = new double[2 * radius + 1];
            double total = 0;
            for (int x = -radius; x <= radius; x++) {
                weights[x + radius] = Math.exp(-(x * (double) x) / (2.0 * sigma * sigma));
                total += weights[x + radius];
            }
            float[] normalised = new float[weights.length];
            for (int i = 0; i < weights.length; i++) {
                normalised[i] = (float) (weights[i] / total);
            }
            return normalised;
        }

        /** {@code (1 + amount) * delta - amount * gaussian(sigma)}, 2D, radius ceil(3 sigma). */
        private static ConvolveOp unsharpOp(float sigma, float amount) {
            int radius = (int) Math.ceil(3 * sigma);
            float[] g = gaussian(sigma, radius);
            int size = g.length;
            float[] kernel = new float[size * size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    kernel[y * size + x] = -amount * g[y] * g[x];
                }
            }
            kernel[radius * size + radius] += 1 + amount;
            return new ConvolveOp(new Kernel(size, size, kernel), ConvolveOp.EDGE_NO_OP, null);
        }
    }
}
