package io.pixbridge.imageio;

/** Reads JPEG through Pixbridge; see {@link PixbridgeImageIO}. */
public final class JpegImageReaderSpi extends PixbridgeImageReaderSpi {
    /** Creates the provider (ImageIO does, through the service loader). */
    public JpegImageReaderSpi() {
        super(Format.JPEG, JpegImageWriterSpi.class.getName());
    }
}
