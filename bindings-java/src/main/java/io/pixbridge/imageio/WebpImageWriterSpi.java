package io.pixbridge.imageio;

/** Writes WEBP through Pixbridge; see {@link PixbridgeImageIO} and {@link PixbridgeImageWriter}. */
public final class WebpImageWriterSpi extends PixbridgeImageWriterSpi {
    /** Creates the provider (ImageIO does, through the service loader). */
    public WebpImageWriterSpi() {
        super(Format.WEBP, WebpImageReaderSpi.class.getName());
    }
}
