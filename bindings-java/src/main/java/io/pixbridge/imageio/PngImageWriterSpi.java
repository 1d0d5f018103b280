package io.pixbridge.imageio;

/** Writes PNG through Pixbridge; see {@link PixbridgeImageIO} and {@link PixbridgeImageWriter}. */
public final class PngImageWriterSpi extends PixbridgeImageWriterSpi {
    /** Creates the provider (ImageIO does, through the service loader). */
    public PngImageWriterSpi() {
        super(Format.PNG, PngImageReaderSpi.class.getName());
    }
}
