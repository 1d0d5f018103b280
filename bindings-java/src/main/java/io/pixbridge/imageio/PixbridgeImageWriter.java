package io.pixbridge.imageio;

import io.pixbridge.EncodeOptions;
import io.pixbridge.Image;
import io.pixbridge.PixbridgeException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.ImageOutputStream;

/**
 * An ImageIO writer that encodes with Pixbridge: JPEG, PNG or WebP (lossless), one image per
 * stream.
 *
 * <ul>
 *   <li><b>Pixels</b>: the image goes through {@code Image.fromBufferedImage} (its fast paths for
 *       the common types), then Pixbridge's encoder; the bytes are written to the output stream,
 *       which is flushed, not closed. A {@link RenderedImage} that is not a
 *       {@link BufferedImage} is copied into one first. Rasters alone
 *       ({@link IIOImage#hasRaster()}) are not supported.</li>
 *   <li><b>JPEG</b>: {@link #getDefaultWriteParam()} is a {@link JPEGImageWriteParam}. With
 *       {@link ImageWriteParam#MODE_EXPLICIT} its compression quality {@code q} (0 to 1) becomes
 *       Pixbridge's quality {@code round(100 q)} (at least 1); otherwise Pixbridge's default (90,
 *       4:2:0) is used, not the JDK's 75. Optimised Huffman tables and
 *       {@link ImageWriteParam#MODE_DEFAULT} progressive mode are honoured. Images with alpha are
 *       refused ({@code canEncodeImage} is false, so {@code ImageIO.write} returns false, as with
 *       the JDK's writer).</li>
 *   <li><b>PNG, WebP</b>: lossless, Pixbridge's default settings; the parameter has no settings.</li>
 *   <li><b>Parameters</b>: a source region, source subsampling and source bands are refused with
 *       an {@link IllegalArgumentException}. Metadata is not written: the metadata arguments are
 *       ignored and the default and converted metadata are null.</li>
 *   <li><b>Errors</b>: an encoder failure throws an {@link IIOException} whose cause is the
 *       {@link PixbridgeException}.</li>
 * </ul>
 */
public final class PixbridgeImageWriter extends ImageWriter {
    private final Format format;

    PixbridgeImageWriter(PixbridgeImageWriterSpi provider, Format format) {
        super(provider);
        this.format = format;
    }

    /**
     * A {@link JPEGImageWriteParam} for JPEG, a parameter without settings otherwise.
     *
     * @return a new parameter
     */
    @Override
    public ImageWriteParam getDefaultWriteParam() {
        return format == Format.JPEG ? new JPEGImageWriteParam(Locale.getDefault()) : new ImageWriteParam(Locale.getDefault());
    }

    /**
     * No stream metadata.
     *
     * @param param ignored
     * @return null
     */
    @Override
    public IIOMetadata getDefaultStreamMetadata(ImageWriteParam param) {
        return null;
    }

    /**
     * No image metadata.
     *
     * @param imageType ignored
     * @param param ignored
     * @return null
     */
    @Override
    public IIOMetadata getDefaultImageMetadata(ImageTypeSpecifier imageType, ImageWriteParam param) {
        return null;
    }

    /**
     * No stream metadata.
     *
     * @param inData ignored
     * @param param ignored
     * @return null
     */
    @Override
    public IIOMetadata convertStreamMetadata(IIOMetadata inData, ImageWriteParam param) {
        return null;
    }

    /**
     * No image metadata.
     *
     * @param inData ignored
     * @param imageType ignored
     * @param param ignored
     * @return null
     */
    @Override
    public IIOMetadata convertImageMetadata(IIOMetadata inData, ImageTypeSpecifier imageType, ImageWriteParam param) {
        return null;
    }

    /**
     * Encodes {@code image} with Pixbridge and writes it to the output.
     *
     * @param streamMetadata ignored
     * @param image the image (not a raster)
     * @param param null or a parameter of {@link #getDefaultWriteParam()}'s kind
     * @throws IOException if writing fails, or an {@link IIOException} (cause: the
     *     {@link PixbridgeException}) if Pixbridge cannot encode the image
     * @throws IllegalStateException if no output is set
     * @throws UnsupportedOperationException if {@code image} holds a raster
     * @throws IllegalArgumentException for a parameter this writer does not honour
     */
    @Override
    public void write(IIOMetadata streamMetadata, IIOImage image, ImageWriteParam param) throws IOException {
        Object output = getOutput();
        if (output == null) {
            throw new IllegalStateException("no output set");
        }
        if (image == null) {
            throw new IllegalArgumentException("image must not be null");
        }
        if (image.hasRaster()) {
            throw new UnsupportedOperationException("PixbridgeImageWriter writes images, not rasters");
        }
        checkParam(param);
        BufferedImage pixels = asBufferedImage(image.getRenderedImage());
        clearAbortRequest();
        processImageStarted(0);
        byte[] bytes;
        try (Image encoded = Image.fromBufferedImage(pixels)) {
            bytes = encoded.encode(format.imageFormat, options(param));
        } catch (PixbridgeException e) {
            throw new IIOException("Pixbridge could not encode the " + format.displayName + " image: " + e.getMessage(), e);
        }
        ImageOutputStream stream = (ImageOutputStream) output;
        stream.write(bytes);
        stream.flush();
        if (abortRequested()) {
            processWriteAborted();
        } else {
            processImageProgress(100f);
            processImageComplete();
        }
    }

    private static void checkParam(ImageWriteParam param) {
        if (param == null) {
            return;
        }
        if (param.getSourceRegion() != null) {
            throw new IllegalArgumentException("PixbridgeImageWriter does not take a source region");
        }
        if (param.getSourceXSubsampling() != 1 || param.getSourceYSubsampling() != 1) {
            throw new IllegalArgumentException("PixbridgeImageWriter does not subsample");
        }
        if (param.getSourceBands() != null) {
            throw new IllegalArgumentException("PixbridgeImageWriter does not select bands");
        }
    }

    /** The encode options the parameter asks for (JPEG); the defaults otherwise. */
    private EncodeOptions options(ImageWriteParam param) {
        EncodeOptions options = EncodeOptions.DEFAULT;
        if (format != Format.JPEG || param == null) {
            return options;
        }
        if (param.canWriteCompressed() && param.getCompressionMode() == ImageWriteParam.MODE_EXPLICIT) {
            int quality = Math.round(param.getCompressionQuality() * 100);
            options = options.withQuality(Math.max(1, Math.min(100, quality)));
        }
        if (param.canWriteProgressive() && param.getProgressiveMode() == ImageWriteParam.MODE_DEFAULT) {
            options = options.withProgressive(true);
        }
        if (param instanceof JPEGImageWriteParam && ((JPEGImageWriteParam) param).getOptimizeHuffmanTables()) {
            options = options.withOptimizeHuffman(true);
        }
        return options;
    }

    /** {@code image} itself if it is a BufferedImage, else a copy of its pixels in one. */
    private static BufferedImage asBufferedImage(RenderedImage image) {
        if (image instanceof BufferedImage) {
            return (BufferedImage) image;
        }
        ColorModel model = image.getColorModel();
        WritableRaster raster = model.createCompatibleWritableRaster(image.getWidth(), image.getHeight());
        image.copyData(raster.createWritableTranslatedChild(image.getMinX(), image.getMinY()));
        return new BufferedImage(model, raster, model.isAlphaPremultiplied(), null);
    }
}
