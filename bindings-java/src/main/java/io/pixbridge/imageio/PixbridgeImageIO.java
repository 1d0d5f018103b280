package io.pixbridge.imageio;

import io.pixbridge.Image;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.IIOServiceProvider;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.spi.ServiceRegistry;

/**
 * Pixbridge's ImageIO service provider: its place among the other providers and how to turn it
 * off.
 *
 * <p>With the Pixbridge jar on the class path (or its module on the module path), ImageIO finds
 * the readers ({@link JpegImageReaderSpi}, {@link PngImageReaderSpi}, {@link WebpImageReaderSpi})
 * and writers ({@link JpegImageWriterSpi}, {@link PngImageWriterSpi}, {@link WebpImageWriterSpi})
 * through {@code META-INF/services} (and the module's {@code provides}). When each is registered
 * it orders itself before every provider already registered for the same format, which includes
 * the JDK's own JPEG and PNG providers, so {@code ImageIO.read(file)} on a JPEG or PNG file and
 * {@code ImageIO.write(image, "png", file)} go through Pixbridge. Providers registered later (by
 * other libraries) are not ordered against Pixbridge's.
 *
 * <p>To turn the provider off:
 * <ul>
 *   <li>start the JVM with {@code -Dio.pixbridge.imageio=false} ({@link #ENABLED_PROPERTY}): each
 *       provider then removes itself as soon as it is registered, and ImageIO behaves as without
 *       Pixbridge;</li>
 *   <li>or, at run time, call {@link #deregister()}, which is
 *       {@code IIORegistry.getDefaultInstance().deregisterServiceProvider(provider)} for each of
 *       Pixbridge's providers ({@code ImageIO.scanForPlugins()} registers them again).</li>
 * </ul>
 */
public final class PixbridgeImageIO {
    /**
     * The system property that turns the provider off when {@code "false"} (any case); read
     * each time a provider is registered.
     */
    public static final String ENABLED_PROPERTY = "io.pixbridge.imageio";

    private static volatile Boolean nativeAvailable;

    private PixbridgeImageIO() {
    }

    /**
     * Whether the provider is enabled: {@link #ENABLED_PROPERTY} is not {@code "false"}.
     *
     * @return false if the system property turns the provider off
     */
    public static boolean isEnabled() {
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").trim());
    }

    /**
     * Removes Pixbridge's readers and writers from ImageIO's default registry, so that ImageIO
     * uses the providers it would use without Pixbridge.
     *
     * @return the number of providers removed (0 if none was registered)
     */
    public static int deregister() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        List<IIOServiceProvider> ours = new ArrayList<>();
        registry.getServiceProviders(ImageReaderSpi.class, false).forEachRemaining(spi -> {
            if (spi instanceof PixbridgeImageReaderSpi) {
                ours.add(spi);
            }
        });
        registry.getServiceProviders(ImageWriterSpi.class, false).forEachRemaining(spi -> {
            if (spi instanceof PixbridgeImageWriterSpi) {
                ours.add(spi);
            }
        });
        for (IIOServiceProvider provider : ours) {
            registry.deregisterServiceProvider(provider);
        }
        return ours.size();
    }

    /**
     * Whether the native library loads on this machine. A provider whose library cannot load
     * declines every input, so that ImageIO falls back to the JDK's providers.
     */
    static boolean nativeAvailable() {
        Boolean available = nativeAvailable;
        if (available == null) {
            try {
                Image.nativeWorkerThreads(); // loads the library; starts nothing
                available = Boolean.TRUE;
            } catch (UnsatisfiedLinkError e) {
                available = Boolean.FALSE;
            }
            nativeAvailable = available;
        }
        return available;
    }

    /**
     * What a provider does when registered: removes itself if the provider is turned off, else
     * orders itself before every other provider of {@code category} that handles the same
     * format.
     */
    static <T> void onRegistration(ServiceRegistry registry, Class<T> category, T ours, Format format,
            java.util.function.Function<T, String[]> formatNames) {
        if (!isEnabled()) {
            registry.deregisterServiceProvider(ours, category);
            return;
        }
        List<T> others = new ArrayList<>();
        for (Iterator<T> it = registry.getServiceProviders(category, false); it.hasNext();) {
            T other = it.next();
            if (other != ours && !(other instanceof PixbridgeImageReaderSpi) && !(other instanceof PixbridgeImageWriterSpi)
                    && format.sharesAName(formatNames.apply(other))) {
                others.add(other);
            }
        }
        for (T other : others) {
            registry.unsetOrdering(category, other, ours);
            registry.setOrdering(category, ours, other);
        }
    }
}
