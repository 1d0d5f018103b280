package io.pixbridge.imageio;

/** Reads PNG through Pixbridge; see {@link PixbridgeImageIO}. */
public final class PngImageReaderSpi extends PixbridgeImageReaderSpi {
    /** Creates the provider (ImageIO does, through the service loader). */
    public PngImageReaderSpi() {
        super(Format.PNG, PngImageWriterSpi.class.getName());
    }
}
