package io.pixbridge.imageio;

/** Writes JPEG through Pixbridge; see {@link PixbridgeImageIO} and {@link PixbridgeImageWriter}. */
public final class JpegImageWriterSpi extends PixbridgeImageWriterSpi {
    /** Creates the provider (ImageIO does, through the service loader). */
    public JpegImageWriterSpi() {
        super(Format.JPEG, JpegImageReaderSpi.class.getName());
    }
}
