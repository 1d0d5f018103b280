package io.pixbridge.imageio;

/** Reads WEBP through Pixbridge; see {@link PixbridgeImageIO}. */
public final class WebpImageReaderSpi extends PixbridgeImageReaderSpi {
    /** Creates the provider (ImageIO does, through the service loader). */
    public WebpImageReaderSpi() {
        super(Format.WEBP, WebpImageWriterSpi.class.getName());
    }
}
