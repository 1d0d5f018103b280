package io.pixbridge.imageio;

import io.pixbridge.ColorType;
import io.pixbridge.DecodeOptions;
import io.pixbridge.Image;
import io.pixbridge.PixbridgeException;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;

/**
 * An ImageIO reader that decodes with Pixbridge: JPEG, PNG or WebP, one image per stream.
 *
 * <ul>
 *   <li><b>Input</b>: the stream is read from its position to its end into memory once, then
 *       decoded by the native library with the default decode limits (32768 pixels a side,
 *       512 MiB of pixels). The stream is not closed.</li>
 *   <li><b>Header</b>: {@link #getWidth}, {@link #getHeight} and {@link #getImageTypes} of a JPEG
 *       answer from its header (Pixbridge's deferred decoding), without decoding the pixels;
 *       other formats decode once and keep the image until the next input or
 *       {@link #dispose()}.</li>
 *   <li><b>Pixels</b>: as Pixbridge decodes them, so EXIF orientation is applied (a rotated
 *       photo comes out upright, with width and height swapped; the JDK's reader ignores the
 *       orientation), and the image is what {@code Image.toBufferedImage()} returns:
 *       {@code TYPE_3BYTE_BGR}, {@code TYPE_4BYTE_ABGR} with alpha, {@code TYPE_BYTE_GRAY} for
 *       grey, 8 bits per channel.</li>
 *   <li><b>{@link ImageReadParam}</b>: the source region and source subsampling (with its
 *       offsets) are honoured (the region is cropped natively, then every n-th pixel kept); a
 *       destination image, a destination offset, a destination type other than the one
 *       {@link #getImageTypes} offers, and source or destination bands are refused with an
 *       {@link IllegalArgumentException}.</li>
 *   <li><b>Metadata</b>: none; {@link #getStreamMetadata()} and {@link #getImageMetadata(int)}
 *       return null.</li>
 *   <li><b>Errors</b>: data Pixbridge cannot decode (truncated, corrupt, over the limits) throws
 *       an {@link IIOException} whose cause is the {@link PixbridgeException}.</li>
 * </ul>
 */
public final class PixbridgeImageReader extends ImageReader {
    private final Format format;
    private byte[] data;
    private Image decoded;

    PixbridgeImageReader(PixbridgeImageReaderSpi provider, Format format) {
        super(provider);
        this.format = format;
    }

    /**
     * Sets the input, which must be an {@link ImageInputStream}, and forgets the previous one.
     *
     * @param input the stream
     * @param seekForwardOnly see {@link ImageReader#setInput(Object, boolean, boolean)}
     * @param ignoreMetadata see {@link ImageReader#setInput(Object, boolean, boolean)}
     */
    @Override
    public void setInput(Object input, boolean seekForwardOnly, boolean ignoreMetadata) {
        super.setInput(input, seekForwardOnly, ignoreMetadata);
        forget();
    }

    private void forget() {
        data = null;
        if (decoded != null) {
            decoded.close();
            decoded = null;
        }
    }

    /**
     * One image per stream.
     *
     * @param allowSearch ignored
     * @return 1
     * @throws IllegalStateException if no input is set
     */
    @Override
    public int getNumImages(boolean allowSearch) {
        requireInput();
        return 1;
    }

    /**
     * The width of the (upright) image.
     *
     * @param imageIndex 0
     * @return the width in pixels
     * @throws IOException if the stream cannot be read or decoded
     */
    @Override
    public int getWidth(int imageIndex) throws IOException {
        return image(imageIndex).width();
    }

    /**
     * The height of the (upright) image.
     *
     * @param imageIndex 0
     * @return the height in pixels
     * @throws IOException if the stream cannot be read or decoded
     */
    @Override
    public int getHeight(int imageIndex) throws IOException {
        return image(imageIndex).height();
    }

    /**
     * The one type {@link #read} returns for this image.
     *
     * @param imageIndex 0
     * @return an iterator over that type
     * @throws IOException if the stream cannot be read or decoded
     */
    @Override
    public Iterator<ImageTypeSpecifier> getImageTypes(int imageIndex) throws IOException {
        return List.of(typeOf(image(imageIndex))).iterator();
    }

    private ImageTypeSpecifier typeOf(Image image) throws IIOException {
        ColorType colorType;
        try {
            colorType = image.colorType();
        } catch (PixbridgeException e) {
            throw failure(e);
        }
        int type;
        switch (colorType) {
            case L8:
            case L16:
                type = BufferedImage.TYPE_BYTE_GRAY;
                break;
            case LA8:
            case LA16:
            case RGBA8:
            case RGBA16:
            case RGBA32F:
                type = BufferedImage.TYPE_4BYTE_ABGR;
                break;
            default:
                type = BufferedImage.TYPE_3BYTE_BGR;
                break;
        }
        return ImageTypeSpecifier.createFromBufferedImageType(type);
    }

    /**
     * No stream metadata.
     *
     * @return null
     */
    @Override
    public IIOMetadata getStreamMetadata() {
        return null;
    }

    /**
     * No image metadata.
     *
     * @param imageIndex 0
     * @return null
     */
    @Override
    public IIOMetadata getImageMetadata(int imageIndex) {
        checkIndex(imageIndex);
        return null;
    }

    /**
     * Decodes the image with Pixbridge.
     *
     * @param imageIndex 0
     * @param param null, or a parameter whose source region and subsampling are honoured (see
     *     the class description for what is refused)
     * @return the image
     * @throws IOException if the stream cannot be read, or an {@link IIOException} (cause: the
     *     {@link PixbridgeException}) if Pixbridge cannot decode it
     * @throws IllegalArgumentException for a parameter this reader does not honour
     */
    @Override
    public BufferedImage read(int imageIndex, ImageReadParam param) throws IOException {
        checkIndex(imageIndex);
        Image image = image(imageIndex);
        checkParam(param, image);
        clearAbortRequest();
        processImageStarted(imageIndex);
        BufferedImage result;
        try {
            if (param == null) {
                result = image.toBufferedImage();
            } else {
                result = readWith(image, param);
            }
        } catch (PixbridgeException e) {
            throw failure(e);
        }
        if (abortRequested()) {
            processReadAborted();
        } else {
            processImageProgress(100f);
            processImageComplete();
        }
        return result;
    }

    /** Refuses what {@link #read} does not honour. */
    private void checkParam(ImageReadParam param, Image image) throws IIOException {
        if (param == null) {
            return;
        }
        if (param.getDestination() != null) {
            throw new IllegalArgumentException("PixbridgeImageReader does not read into a given destination image");
        }
        if (param.getDestinationType() != null && !param.getDestinationType().equals(typeOf(image))) {
            throw new IllegalArgumentException("PixbridgeImageReader reads this image only as the type getImageTypes offers");
        }
        if (param.getSourceBands() != null || param.getDestinationBands() != null) {
            throw new IllegalArgumentException("PixbridgeImageReader does not select bands");
        }
        if (param.getDestinationOffset().x != 0 || param.getDestinationOffset().y != 0) {
            throw new IllegalArgumentException("PixbridgeImageReader does not take a destination offset");
        }
    }

    /** The source region (cropped natively), then every n-th pixel of it (ImageIO's subsampling). */
    private BufferedImage readWith(Image image, ImageReadParam param) throws IIOException {
        Rectangle source = new Rectangle();
        Rectangle destination = new Rectangle();
        computeRegions(param, image.width(), image.height(), null, source, destination);
        if (source.isEmpty() || destination.isEmpty()) {
            throw new IllegalArgumentException("the source region does not overlap the image");
        }
        int stepX = param.getSourceXSubsampling();
        int stepY = param.getSourceYSubsampling();
        BufferedImage region;
        if (source.x == 0 && source.y == 0 && source.width == image.width() && source.height == image.height()) {
            region = image.toBufferedImage();
        } else {
            try (Image cropped = image.crop(source.x, source.y, source.width, source.height)) {
                region = cropped.toBufferedImage();
            }
        }
        if (stepX == 1 && stepY == 1) {
            return region;
        }
        // The interleaved byte types of toBufferedImage: pixelStride = bands, rows packed.
        int bands = region.getRaster().getNumBands();
        byte[] from = ((DataBufferByte) region.getRaster().getDataBuffer()).getData();
        BufferedImage out = new BufferedImage(destination.width, destination.height, region.getType());
        byte[] to = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        int fromRow = region.getWidth() * bands;
        int at = 0;
        for (int y = 0; y < destination.height; y++) {
            int rowStart = y * stepY * fromRow;
            for (int x = 0; x < destination.width; x++) {
                System.arraycopy(from, rowStart + x * stepX * bands, to, at, bands);
                at += bands;
            }
        }
        return out;
    }

    private void checkIndex(int imageIndex) {
        requireInput();
        if (imageIndex != 0) {
            throw new IndexOutOfBoundsException("a " + format.displayName + " stream holds one image; index " + imageIndex);
        }
    }

    private void requireInput() {
        if (getInput() == null) {
            throw new IllegalStateException("no input set");
        }
    }

    /**
     * The decoded (for JPEG: deferred, header read) image, made once per input from the whole
     * stream.
     */
    private Image image(int imageIndex) throws IOException {
        checkIndex(imageIndex);
        if (decoded == null) {
            if (data == null) {
                data = readAll((ImageInputStream) getInput());
            }
            try {
                decoded = Image.decode(data, DecodeOptions.DEFERRED);
            } catch (PixbridgeException e) {
                throw failure(e);
            }
        }
        return decoded;
    }

    private static byte[] readAll(ImageInputStream stream) throws IOException {
        long length = stream.length();
        long remaining = length < 0 ? -1 : length - stream.getStreamPosition();
        if (remaining >= 0 && remaining < Integer.MAX_VALUE - 8) {
            byte[] all = new byte[(int) remaining];
            stream.readFully(all);
            return all;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = stream.read(buffer)) != -1) {
            bytes.write(buffer, 0, n);
        }
        return bytes.toByteArray();
    }

    private IIOException failure(PixbridgeException e) {
        return new IIOException("Pixbridge could not decode the " + format.displayName + " data: " + e.getMessage(), e);
    }

    /** Forgets the input and the decoded image. */
    @Override
    public void reset() {
        super.reset();
        forget();
    }

    /** Frees the decoded image. */
    @Override
    public void dispose() {
        forget();
    }
}
