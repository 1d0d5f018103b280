package io.pixbridge.bench;

import io.pixbridge.ColorType;
import io.pixbridge.Diagnostics;
import io.pixbridge.Image;
import io.pixbridge.ImageFormat;
import io.pixbridge.bench.TimingRule.Stats;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.DataBufferInt;
import java.awt.image.Kernel;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Plain-Java benchmark harness (JMH is not available offline): warm-up, many timed iterations,
 * median and spread, results folded into a volatile sink so the JIT cannot drop the work.
 * Everything timed a run at a time (a pair of alternated calls counting as one run) follows the
 * project's timing rule, {@code bench/timing-rule.properties}, whose path comes in the system
 * property {@code pixbridge.timing.rule} (profile {@code quick} with {@code --quick}, else
 * {@code full}); only the nanosecond call-overhead batches keep their own counts, which the rule
 * leaves out of its scope.
 *
 * <p>Usage: {@code java -Dpixbridge.timing.rule=bench/timing-rule.properties BlurBench IMAGE.png
 * RUST_RESULTS.jsonl OUT.jsonl [--quick]}. Compares
 * Pixbridge's {@code blur} with {@code java.awt.image.ConvolveOp} (separable Gaussian, two 1-D
 * kernels), measures trivial native calls, the 4K blur through Java against the same blur from
 * Rust (timed inside the library in this process, alternating call by call; for information
 * also {@code pixbridge-bench}'s median of the same run), shows that {@code pixels()} copies
 * nothing, and what {@code decode(byte[])}'s input copy costs.
 */
public final class BlurBench {
    /** Written by every measured call so that no result is dead code. */
    static volatile long sink;

    private BlurBench() {
    }

    /** The system property that names the timing-rule file ({@code run.sh} sets it). */
    static final String RULE_PROPERTY = "pixbridge.timing.rule";

    /** The {@code full} or {@code quick} profile of the file named by {@link #RULE_PROPERTY}. */
    static TimingRule readRule(boolean quick) throws IOException {
        String file = System.getProperty(RULE_PROPERTY);
        if (file == null || file.isEmpty()) {
            throw new IllegalArgumentException("set -D" + RULE_PROPERTY + "=PATH to bench/timing-rule.properties");
        }
        return TimingRule.read(Path.of(file), quick ? "quick" : "full");
    }

    /** The entries of a per-run list that belong to the timed runs (the warm-ups come first). */
    static double[] timedPart(List<Double> perRun, Stats stats) {
        return perRun.subList(stats.warmUpRuns(), perRun.size()).stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Times a trivial call in nanoseconds per call: batches of {@code batch} calls, many batches. */
    static Stats timeNanosPerCall(LongSupplier call, int batch, int batches) {
        for (int i = 0; i < 20_000; i++) { // warm-up: let the JIT compile the call path
            sink += call.getAsLong();
        }
        double[] samples = new double[batches];
        for (int b = 0; b < batches; b++) {
            long acc = 0;
            long start = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                acc += call.getAsLong();
            }
            samples[b] = (System.nanoTime() - start) / (double) batch;
            sink += acc;
        }
        return Stats.of(samples);
    }

    /** Blurs once and frees the result; what every timed Java blur does. */
    static long blurOnce(Image image, float sigma) {
        try (Image blurred = image.blur(sigma)) {
            return blurred.width();
        }
    }

    /** Java and Rust samples of one paired blur comparison. */
    record Paired(Stats java, Stats rust) {
        /** Java median over Rust median, minus 1, in percent. */
        double overheadPercent() {
            return (java.median() / rust.median() - 1) * 100;
        }
    }

    /**
     * The same blur timed inside the native library, in this process, on the same image:
     * {@link NativeTiming#blurNanos} runs the core's blur and frees the result, timing itself, so
     * no Java API and no JNI crossing is inside its time. The image's native handle is internal
     * to the SDK, so the harness (on the class path) reads it by reflection.
     */
    static final class NativeBlur {
        private final long handle;

        NativeBlur(Image image) throws ReflectiveOperationException {
            Field lifetimeField = Image.class.getDeclaredField("lifetime");
            lifetimeField.setAccessible(true);
            Object lifetime = lifetimeField.get(image);
            Field handleField = lifetime.getClass().getDeclaredField("handle");
            handleField.setAccessible(true);
            handle = handleField.getLong(lifetime);
        }

        /** One blur inside the library; its milliseconds as timed there. */
        double millis(float sigma) {
            return NativeTiming.blurNanos(handle, sigma) / 1e6;
        }
    }

    /**
     * {@code image.blur(sigma)} through the Java API against the same blur timed inside the
     * library, alternating call by call (each goes first in every other pair), so that both see
     * the same process, allocator, threads and moment of the machine's load. One pair is one run
     * of the timing rule.
     */
    static Paired pairedInProcess(Image image, NativeBlur inside, float sigma, TimingRule rule) {
        List<Double> javaSamples = new ArrayList<>();
        List<Double> nativeSamples = new ArrayList<>();
        Stats pairs = rule.measure(() -> {
            int pair = javaSamples.size();
            for (int side = 0; side < 2; side++) {
                if ((pair + side) % 2 == 0) {
                    nativeSamples.add(inside.millis(sigma));
                } else {
                    long start = System.nanoTime();
                    sink += blurOnce(image, sigma);
                    javaSamples.add((System.nanoTime() - start) / 1e6);
                }
            }
            return null;
        });
        return new Paired(Stats.of(timedPart(javaSamples, pairs), pairs.warmUpRuns(), javaSamples.get(0)),
                Stats.of(timedPart(nativeSamples, pairs), pairs.warmUpRuns(), nativeSamples.get(0)));
    }

    /** Separable Gaussian with two 1-D ConvolveOp kernels of radius ceil(3 sigma). */
    static BufferedImage convolveGaussian(BufferedImage src, float sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        float[] weights = new float[2 * radius + 1];
        double total = 0;
        for (int x = -radius; x <= radius; x++) {
            weights[x + radius] = (float) Math.exp(-(x * x) / (2.0 * sigma * sigma));
            total += weights[x + radius];
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= (float) total;
        }
        ConvolveOp horizontal = new ConvolveOp(new Kernel(weights.length, 1, weights), ConvolveOp.EDGE_NO_OP, null);
        ConvolveOp vertical = new ConvolveOp(new Kernel(1, weights.length, weights), ConvolveOp.EDGE_NO_OP, null);
        return vertical.filter(horizontal.filter(src, null), null);
    }

    static BufferedImage toBufferedImage(Image image) {
        int w = image.width();
        int h = image.height();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int[] argb = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        ByteBuffer px = image.pixels();
        for (int i = 0; i < w * h; i++) {
            int r = px.get() & 0xff;
            int g = px.get() & 0xff;
            int b = px.get() & 0xff;
            int a = px.get() & 0xff;
            argb[i] = (a << 24) | (r << 16) | (g << 8) | b;
        }
        return out;
    }

    /** Pixbridge's median for a 4K blur from the Rust results, or NaN. */
    static double rustMedian(List<String> lines, float sigma, int threads) {
        String sigmaField = "\"sigma\":" + (sigma == Math.rint(sigma) ? String.format(Locale.ROOT, "%.1f", sigma) : Float.toString(sigma));
        for (String line : lines) {
            if (line.contains("\"kind\":\"blur\"") && line.contains("\"method\":\"pixbridge\"")
                    && line.contains("\"size\":\"4k\"") && line.contains(sigmaField + ",")
                    && line.contains("\"threads\":" + threads + ",")) {
                int at = line.indexOf("\"median_ms\":") + "\"median_ms\":".length();
                int end = at;
                while (end < line.length() && "0123456789.eE-".indexOf(line.charAt(end)) >= 0) {
                    end++;
                }
                return Double.parseDouble(line.substring(at, end));
            }
        }
        return Double.NaN;
    }

    /** A sigma as people write it: 10, 2.5. */
    static String sigmaText(float sigma) {
        return sigma == Math.rint(sigma) ? Integer.toString((int) sigma) : Float.toString(sigma);
    }

    static String json(String kase, Stats s, String unit, String note) {
        return String.format(Locale.ROOT,
                "{\"kind\":\"java\",\"case\":\"%s\",\"unit\":\"%s\",\"median\":%.6g,\"p25\":%.6g,\"p75\":%.6g,\"min\":%.6g,\"iterations\":%d,\"note\":\"%s\"}",
                kase, unit, s.median(), s.p25(), s.p75(), s.min(), s.runs(), note);
    }

    static String target(String text) {
        return "{\"kind\":\"java_target\",\"text\":\"" + text.replace("\"", "'") + "\"}";
    }

    /**
     * Runs every case and writes their JSON lines.
     *
     * @param args IMAGE.png RUST_RESULTS.jsonl OUT.jsonl [--quick]
     * @throws IOException if a file cannot be read or written, or the timing rule file cannot be read
     * @throws ReflectiveOperationException if the SDK's native handle cannot be reached
     */
    public static void main(String[] args) throws IOException, ReflectiveOperationException {
        if (args.length < 3) {
            System.err.println("usage: BlurBench IMAGE.png RUST_RESULTS.jsonl OUT.jsonl [--quick]");
            System.exit(2);
        }
        boolean quick = args.length > 3 && args[3].equals("--quick");
        TimingRule rule = readRule(quick);
        List<String> rust = Files.readAllLines(Path.of(args[1]));
        int threads = Runtime.getRuntime().availableProcessors();
        Path imageFile = Path.of(args[0]).toAbsolutePath();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])));
                Image image = Image.open(imageFile)) {
            // Trivial calls. width() reads a Java field (no native call). colorType() is a real
            // native round trip, not cached: the image's lifetime guard (two atomic adds), the
            // JNI transition, the runtime's handle-table lookup (lock, generation check, Arc
            // clone) and the image's read lock. liveHandleCount() is the bare JNI round trip
            // plus the runtime's table lock.
            Stats field = timeNanosPerCall(image::width, 100_000, quick ? 50 : 200);
            Stats colorType = timeNanosPerCall(() -> image.colorType().ordinal(), 100_000, quick ? 50 : 200);
            Stats live = timeNanosPerCall(Diagnostics::liveHandleCount, 100_000, quick ? 50 : 200);
            out.println(json("width() (Java field, no native call)", field, "ns", "per call"));
            out.println(json("colorType() (native round trip: lifetime guard, JNI, handle lookup)", colorType, "ns", "per call, not cached"));
            out.println(json("Diagnostics.liveHandleCount() (native round trip: JNI, table lock)", live, "ns", "per call"));
            // Everything the Java path adds to a fresh operation such as blur, with next to no
            // pixel work: lifetime guard, JNI, runtime call, new Image (handle, Cleaner,
            // dimensions call) and close (destroy).
            Stats freshOperation;
            try (Image onePixel = Image.fromPixels(1, 1, new byte[] {1, 2, 3, 4})) {
                freshOperation = timeNanosPerCall(() -> {
                    try (Image rotated = onePixel.rotate90()) {
                        return rotated.height();
                    }
                }, 10_000, quick ? 30 : 100);
            }
            out.println(json("rotate90() of a 1x1 image (the Java path of a fresh operation: JNI, new Image, Cleaner, close)",
                    freshOperation, "ns", "per call; an upper bound of what Java adds to a 4K blur"));
            double slowest = Math.max(colorType.median(), live.median());
            out.println(target(String.format(Locale.ROOT, "trivial JNI call %.1f ns (colorType) / %.1f ns (liveHandleCount): %s (target < 60 ns).",
                    colorType.median(), live.median(), slowest < 60 ? "met" : "**missed**")));

            // pixels(): a direct view over native memory. Evidence: direct buffer, bytes allocated
            // per call (object headers only, not the image), and a later in-place mirror() shows
            // through the earlier view.
            ByteBuffer view = image.pixels();
            var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            for (int i = 0; i < 1000; i++) {
                sink += image.pixels().capacity();
            }
            long before = threadBean.getThreadAllocatedBytes(tid);
            int calls = 10_000;
            for (int i = 0; i < calls; i++) {
                sink += image.pixels().capacity();
            }
            double bytesPerCall = (threadBean.getThreadAllocatedBytes(tid) - before) / (double) calls;
            // The same count for a 64 x 48 image: a copy would scale with the pixels, a view does not.
            double smallBytesPerCall;
            try (Image small = image.resize(64, 48, io.pixbridge.ResizeFilter.NEAREST)) {
                for (int i = 0; i < 1000; i++) {
                    sink += small.pixels().capacity();
                }
                long smallBefore = threadBean.getThreadAllocatedBytes(tid);
                for (int i = 0; i < calls; i++) {
                    sink += small.pixels().capacity();
                }
                smallBytesPerCall = (threadBean.getThreadAllocatedBytes(tid) - smallBefore) / (double) calls;
            }
            Stats pixelsTime = timeNanosPerCall(() -> image.pixels().capacity(), 1000, quick ? 30 : 100);
            int firstRed = view.get(0) & 0xff;
            int lastRedOfRow = view.get((image.width() - 1) * 4) & 0xff;
            try (Image copy = image.crop(0, 0, image.width(), 1)) {
                ByteBuffer rowView = copy.pixels();
                copy.mirror();
                boolean seen = (rowView.get(0) & 0xff) == lastRedOfRow;
                out.println(json("pixels() view", pixelsTime, "ns", String.format(Locale.ROOT,
                        "direct=%s, %.0f bytes allocated per call for a %d-byte image, %.0f for a 12288-byte image; mirror() after pixels() visible through the view: %s",
                        view.isDirect(), bytesPerCall, view.capacity(), smallBytesPerCall, seen)));
                out.println(target(String.format(Locale.ROOT,
                        "pixels() zero copy: %s (direct buffer, %.0f bytes of Java heap per call for a %d MB image and %.0f for a 12 KB one, in-place changes visible through an earlier view: %s).",
                        view.isDirect() && bytesPerCall < 1024 && seen ? "met" : "**missed**", bytesPerCall, view.capacity() >> 20,
                        smallBytesPerCall, seen)));
            }
            sink += firstRed;

            // decode(byte[]) copies the encoded bytes into native memory (GetByteArrayRegion)
            // before decoding; decode(direct ByteBuffer) reads them in place. Same bytes, timed
            // alternately; the copy alone is timed with System.arraycopy (the same memcpy).
            byte[] jpeg = image.encode(ImageFormat.JPEG, 90);
            ByteBuffer directJpeg = ByteBuffer.allocateDirect(jpeg.length).put(jpeg).flip();
            List<Double> fromArray = new ArrayList<>();
            List<Double> fromDirect = new ArrayList<>();
            // One pair (both decodes) is one run of the timing rule.
            Stats decodePairs = rule.measure(() -> {
                int pair = fromArray.size();
                // Which one goes first alternates, so that neither always inherits the other's heap state.
                for (int side = 0; side < 2; side++) {
                    boolean array = (pair + side) % 2 == 0;
                    long start = System.nanoTime();
                    try (Image decoded = array ? Image.decode(jpeg) : Image.decode(directJpeg)) {
                        sink += decoded.width();
                    }
                    (array ? fromArray : fromDirect).add((System.nanoTime() - start) / 1e6);
                }
                return null;
            });
            byte[] copyTarget = new byte[jpeg.length];
            Stats copy = timeNanosPerCall(() -> {
                System.arraycopy(jpeg, 0, copyTarget, 0, jpeg.length);
                return copyTarget[jpeg.length / 2];
            }, 10, 50);
            Stats arrayDecode = Stats.of(timedPart(fromArray, decodePairs), decodePairs.warmUpRuns(), fromArray.get(0));
            Stats directDecode = Stats.of(timedPart(fromDirect, decodePairs), decodePairs.warmUpRuns(), fromDirect.get(0));
            out.println(json("decode(byte[]) 4K JPEG (input copied)", arrayDecode, "ms", String.format(Locale.ROOT,
                    "%d-byte JPEG; decode(direct ByteBuffer) of the same bytes (no copy) %.1f ms [%.1f-%.1f]; copying the input alone %.0f us (%.2f%% of the decode)",
                    jpeg.length, directDecode.median(), directDecode.p25(), directDecode.p75(), copy.median() / 1e3,
                    copy.median() / 1e6 / arrayDecode.median() * 100)));
            out.flush();

            // 4K blur through Java vs the same blur from Rust: Image.blur paired call by call with
            // the blur timed inside the library in this process. Against another process (such as
            // pixbridge-bench, shown for information) the same blur differs by a few % on this
            // machine whatever the binding does.
            float[] sigmas = {1, 2, 5, 10, 40, 100};
            NativeBlur inside = new NativeBlur(image);
            double logRatioSum = 0;
            BufferedImage awt = toBufferedImage(image);
            boolean convolveAffordable = true;
            for (float sigma : sigmas) {
                // ConvolveOp leaves large arrays behind: collect them now so that concurrent GC
                // work does not compete with the timed blurs for the cores.
                System.gc();
                Paired paired = pairedInProcess(image, inside, sigma, rule);
                Stats java = paired.java();
                logRatioSum += Math.log(paired.java().median() / paired.rust().median());
                out.println(json("4K blur sigma " + sigmaText(sigma) + " (Pixbridge via Java, in-process pairs)", java, "ms",
                        String.format(Locale.ROOT, "Image.blur + close, timed in Java; Java/Rust %+.1f%%", paired.overheadPercent())));
                out.println(json("4K blur sigma " + sigmaText(sigma) + " (Pixbridge inside the library, in-process pairs)", paired.rust(), "ms",
                        "core blur + free, timed in Rust in the same process, alternating call by call with the Java one"));
                double rustMs = rustMedian(rust, sigma, threads);
                out.println(json("4K blur sigma " + sigmaText(sigma) + " (Pixbridge from pixbridge-bench)", Stats.of(new double[] {rustMs}), "ms",
                        "for information: another process, another time"));
                if (convolveAffordable) {
                    Stats convolve = rule.measure(() -> convolveGaussian(awt, sigma).getRGB(7, 7));
                    out.println(json("4K ConvolveOp separable Gaussian sigma " + sigmaText(sigma), convolve, "ms",
                            String.format(Locale.ROOT, "radius ceil(3 sigma), EDGE_NO_OP; Pixbridge %.1fx faster", convolve.median() / java.median())));
                    // ConvolveOp's cost grows linearly with sigma: stop once a call takes over 3 s.
                    convolveAffordable = convolve.median() <= 3000;
                }
                out.flush();
                System.err.println("java: sigma " + sigmaText(sigma) + " done");
            }
            // One sigma's [p25-p75] spans a few % on a shared machine, more than the 2% to show,
            // so the verdict pools the six paired comparisons.
            double pooled = (Math.exp(logRatioSum / sigmas.length) - 1) * 100;
            out.println(target(String.format(Locale.ROOT,
                    "4K blur through Java vs the same blur inside the library (Rust), in-process pairs, over all %d sigmas (geometric mean of the median ratios): %+.1f%%: %s (target within 2%%); "
                            + "the Java path of one fresh operation costs %.1f us (rotate90 of a 1x1 image).",
                    sigmas.length, pooled, Math.abs(pooled) <= 2 ? "met" : "**missed**", freshOperation.median() / 1e3)));
        }
    }
}
