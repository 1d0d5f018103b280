/**
 * Pixbridge for Java: decode, transform and encode images with the Rust core of Pixbridge.
 *
 * <p>Start with {@link io.pixbridge.Image}.
 */
module io.pixbridge {
    // Image.fromBufferedImage / toBufferedImage and the ImageIO provider.
    requires transitive java.desktop;

    exports io.pixbridge;
    exports io.pixbridge.imageio;

    // ImageIO finds these through the service loader (META-INF/services on the class path).
    provides javax.imageio.spi.ImageReaderSpi with
            io.pixbridge.imageio.JpegImageReaderSpi,
            io.pixbridge.imageio.PngImageReaderSpi,
            io.pixbridge.imageio.WebpImageReaderSpi;
    provides javax.imageio.spi.ImageWriterSpi with
            io.pixbridge.imageio.JpegImageWriterSpi,
            io.pixbridge.imageio.PngImageWriterSpi,
            io.pixbridge.imageio.WebpImageWriterSpi;
}
