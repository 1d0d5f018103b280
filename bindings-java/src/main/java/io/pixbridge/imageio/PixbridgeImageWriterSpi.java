package io.pixbridge.imageio;

import java.util.Locale;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.spi.ServiceRegistry;
import javax.imageio.stream.ImageOutputStream;

/**
 * The ImageIO writer provider of one format encoded by Pixbridge (see {@link PixbridgeImageIO}
 * for its priority and opt-out). Outputs are {@link ImageOutputStream}s.
 */
public abstract class PixbridgeImageWriterSpi extends ImageWriterSpi {
    private final Format format;

    PixbridgeImageWriterSpi(Format format, String readerSpiName) {
        super("Pixbridge", PixbridgeImageReaderSpi.version(), format.names, format.suffixes, format.mimeTypes,
                PixbridgeImageWriter.class.getName(), new Class<?>[] {ImageOutputStream.class},
                new String[] {readerSpiName}, false, null, null, null, null, false, null, null, null, null);
        this.format = format;
    }

    /**
     * Whether the writer encodes images of this type: every type, except for JPEG the types with
     * alpha (as the JDK's JPEG writer, which refuses them too; JPEG has no alpha); none if the
     * native library does not load on this machine (ImageIO then uses another writer).
     *
     * @param type the image's type
     * @return true if {@link PixbridgeImageWriter#write} takes it
     */
    @Override
    public boolean canEncodeImage(ImageTypeSpecifier type) {
        return (format != Format.JPEG || !type.getColorModel().hasAlpha()) && PixbridgeImageIO.nativeAvailable();
    }

    /**
     * Creates a writer.
     *
     * @param extension ignored
     * @return a new {@link PixbridgeImageWriter}
     */
    @Override
    public ImageWriter createWriterInstance(Object extension) {
        return new PixbridgeImageWriter(this, format);
    }

    /**
     * Describes the provider.
     *
     * @param locale ignored
     * @return for example {@code "Pixbridge PNG writer"}
     */
    @Override
    public String getDescription(Locale locale) {
        return "Pixbridge " + format.displayName + " writer";
    }

    /**
     * Orders this provider before the other writers of its format, or removes it if
     * {@link PixbridgeImageIO#ENABLED_PROPERTY} is {@code false}.
     *
     * @param registry the registry
     * @param category the category it is registered under
     */
    @Override
    public void onRegistration(ServiceRegistry registry, Class<?> category) {
        if (category == ImageWriterSpi.class) {
            PixbridgeImageIO.onRegistration(registry, ImageWriterSpi.class, this, format, ImageWriterSpi::getFormatNames);
        }
    }
}
