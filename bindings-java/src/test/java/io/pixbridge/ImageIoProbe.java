package io.pixbridge;

import io.pixbridge.imageio.PixbridgeImageIO;
import java.io.File;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;

/**
 * Run by {@link ImageIoTest} in a fresh JVM with the SDK on the class path (so ImageIO finds the
 * provider through {@code META-INF/services}): prints the first JPEG and PNG reader and writer
 * ImageIO picks, the reader of a JPEG file, then the same after {@link PixbridgeImageIO#deregister()}.
 *
 * <p>Arguments: a JPEG file.
 */
public final class ImageIoProbe {
    private ImageIoProbe() {
    }

    private static String first(Iterator<?> providers) {
        return providers.hasNext() ? providers.next().getClass().getName() : "none";
    }

    private static void report(String when, File jpeg) throws Exception {
        System.out.println(when + " jpeg-reader=" + first(ImageIO.getImageReadersByFormatName("jpeg")));
        System.out.println(when + " png-reader=" + first(ImageIO.getImageReadersByFormatName("png")));
        System.out.println(when + " jpeg-writer=" + first(ImageIO.getImageWritersByFormatName("jpg")));
        System.out.println(when + " png-writer=" + first(ImageIO.getImageWritersByFormatName("png")));
        Iterator<ImageReader> readers = ImageIO.getImageReaders(ImageIO.createImageInputStream(jpeg));
        System.out.println(when + " file-reader=" + first(readers));
        Iterator<ImageWriter> webp = ImageIO.getImageWritersByFormatName("webp");
        System.out.println(when + " webp-writer=" + first(webp));
        System.out.println(when + " read=" + ImageIO.read(jpeg).getWidth());
    }

    /**
     * Prints the providers ImageIO picks.
     *
     * @param args a JPEG file
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        File jpeg = new File(args[0]);
        report("initial", jpeg);
        System.out.println("deregistered=" + PixbridgeImageIO.deregister());
        report("after", jpeg);
    }
}
