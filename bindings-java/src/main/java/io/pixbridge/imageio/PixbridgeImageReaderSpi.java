package io.pixbridge.imageio;

import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ServiceRegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * The ImageIO reader provider of one format decoded by Pixbridge (see {@link PixbridgeImageIO}
 * for its priority and opt-out). Inputs are {@link ImageInputStream}s; a stream is recognised by
 * its first bytes, whatever the file is called.
 */
public abstract class PixbridgeImageReaderSpi extends ImageReaderSpi {
    private final Format format;

    PixbridgeImageReaderSpi(Format format, String writerSpiName) {
        super("Pixbridge", version(), format.names, format.suffixes, format.mimeTypes,
                PixbridgeImageReader.class.getName(), new Class<?>[] {ImageInputStream.class},
                new String[] {writerSpiName}, false, null, null, null, null, false, null, null, null, null);
        this.format = format;
    }

    static String version() {
        Package p = PixbridgeImageIO.class.getPackage();
        String version = p == null ? null : p.getImplementationVersion();
        return version == null ? "0.1.0" : version;
    }

    /**
     * Whether {@code source} is an {@link ImageInputStream} that starts with this format's
     * signature (the stream's position is restored) and the native library loads on this
     * machine (if it does not, every input is declined and ImageIO uses another reader).
     *
     * @param source the input ImageIO offers
     * @return true if this provider's reader decodes it
     * @throws IOException if reading the stream fails
     */
    @Override
    public boolean canDecodeInput(Object source) throws IOException {
        return source instanceof ImageInputStream && format.matches((ImageInputStream) source)
                && PixbridgeImageIO.nativeAvailable();
    }

    /**
     * Creates a reader.
     *
     * @param extension ignored
     * @return a new {@link PixbridgeImageReader}
     */
    @Override
    public ImageReader createReaderInstance(Object extension) {
        return new PixbridgeImageReader(this, format);
    }

    /**
     * Describes the provider.
     *
     * @param locale ignored
     * @return for example {@code "Pixbridge JPEG reader"}
     */
    @Override
    public String getDescription(Locale locale) {
        return "Pixbridge " + format.displayName + " reader";
    }

    /**
     * Orders this provider before the other readers of its format, or removes it if
     * {@link PixbridgeImageIO#ENABLED_PROPERTY} is {@code false}.
     *
     * @param registry the registry
     * @param category the category it is registered under
     */
    @Override
    public void onRegistration(ServiceRegistry registry, Class<?> category) {
        if (category == ImageReaderSpi.class) {
            PixbridgeImageIO.onRegistration(registry, ImageReaderSpi.class, this, format, ImageReaderSpi::getFormatNames);
        }
    }
}
