package io.pixbridge;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@link Image#fromBufferedImage} and {@link Image#toBufferedImage}: which raster layouts go to
 * native code as they are (the fast paths) and which through {@code getRGB} (the general path).
 *
 * <p>A fast path hands the raster's backing array to one native call, which copies the range the
 * pixels occupy into native memory and converts it in one pass (no per-pixel Java loop). It is
 * taken when the image's type is one of the standard types below <em>and</em> its raster is laid
 * out as that type's rasters are: one bank, the standard band order, any scanline stride and any
 * data offset (so {@code getSubimage} views qualify). Anything else, including {@code TYPE_CUSTOM}
 * and the packed, indexed and 16-bit types, goes through the general path.
 */
final class BufferedImages {
    private BufferedImages() {
    }

    // The stable numbers of the PixelFormat layouts: the channel bytes in memory order.
    static final int BGRA8 = PixelFormat.BGRA8.value();
    static final int BGR8 = PixelFormat.BGR8.value();
    static final int GRAY8 = PixelFormat.GRAY8.value();
    static final int BGRA8_PREMULTIPLIED = PixelFormat.BGRA8_PREMULTIPLIED.value();
    static final int ARGB8 = PixelFormat.ARGB8.value();
    static final int ABGR8 = PixelFormat.ABGR8.value();
    static final int RGBX8 = PixelFormat.RGBX8.value();
    static final int BGRX8 = PixelFormat.BGRX8.value();
    static final int ARGB8_PREMULTIPLIED = PixelFormat.ARGB8_PREMULTIPLIED.value();
    static final int ABGR8_PREMULTIPLIED = PixelFormat.ABGR8_PREMULTIPLIED.value();

    /** Whether ints are stored least significant byte first (every supported platform). */
    static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Band offsets of the standard interleaved byte rasters (bands R, G, B[, A]). */
    private static final int[] ABGR_BANDS = {3, 2, 1, 0};
    private static final int[] BGR_BANDS = {2, 1, 0};
    private static final int[] GRAY_BANDS = {0};

    /** Bit masks of the standard packed int rasters (bands R, G, B[, A]). */
    private static final int[] ARGB_MASKS = {0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000};
    private static final int[] RGB_MASKS = {0x00ff0000, 0x0000ff00, 0x000000ff};
    private static final int[] BGR_MASKS = {0x000000ff, 0x0000ff00, 0x00ff0000};

    /** A native image handle made from {@code image}'s pixels (fast path if it has one). */
    static long toNative(BufferedImage image) {
        long handle = fastPath(image);
        return handle != 0 ? handle : generalPath(image);
    }

    /** Whether {@code image} takes a fast path (what {@link #toNative} does first). */
    static boolean hasFastPath(BufferedImage image) {
        return plainByteRaster(image) != null || plainIntRaster(image) != null;
    }

    /** The native handle, or 0 when the image has no fast path. */
    private static long fastPath(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        Plain bytes = plainByteRaster(image);
        if (bytes != null) {
            byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            return NativePixels.fromBytes(data, bytes.offset, bytes.length, width, height, bytes.format, bytes.stride);
        }
        Plain ints = plainIntRaster(image);
        if (ints != null) {
            int[] data = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
            return NativePixels.fromInts(data, ints.offset, ints.length, width, height, ints.format, ints.stride);
        }
        return 0;
    }

    /**
     * Where a fast path finds the pixels: first element, number of elements, PixelFormat and the
     * row stride in bytes.
     */
    private record Plain(int offset, int length, int format, int stride) {
    }

    /** The standard byte types, when their raster is laid out as usual; else null. */
    private static Plain plainByteRaster(BufferedImage image) {
        int format;
        int[] bands;
        switch (image.getType()) {
            case BufferedImage.TYPE_4BYTE_ABGR:
                format = ABGR8;
                bands = ABGR_BANDS;
                break;
            case BufferedImage.TYPE_4BYTE_ABGR_PRE:
                format = ABGR8_PREMULTIPLIED;
                bands = ABGR_BANDS;
                break;
            case BufferedImage.TYPE_3BYTE_BGR:
                format = BGR8;
                bands = BGR_BANDS;
                break;
            case BufferedImage.TYPE_BYTE_GRAY:
                format = GRAY8;
                bands = GRAY_BANDS;
                break;
            default:
                return null;
        }
        WritableRaster raster = image.getRaster();
        DataBuffer buffer = raster.getDataBuffer();
        SampleModel model = raster.getSampleModel();
        if (!(buffer instanceof DataBufferByte) || buffer.getNumBanks() != 1 || !(model instanceof ComponentSampleModel)) {
            return null;
        }
        ComponentSampleModel components = (ComponentSampleModel) model;
        int pixelStride = components.getPixelStride();
        if (pixelStride != bands.length || !Arrays.equals(components.getBandOffsets(), bands)
                || Arrays.stream(components.getBankIndices()).anyMatch(bank -> bank != 0)) {
            return null;
        }
        return locate(image, components.getScanlineStride(), pixelStride, buffer.getOffset(),
                ((DataBufferByte) buffer).getData().length, format, 1);
    }

    /** The standard int types, when their raster is laid out as usual; else null. */
    private static Plain plainIntRaster(BufferedImage image) {
        int format;
        int[] masks;
        // An int's bytes in memory: B, G, R, A on a little-endian machine, A, R, G, B on a
        // big-endian one. The layouts without a big-endian PixelFormat take the general path.
        switch (image.getType()) {
            case BufferedImage.TYPE_INT_ARGB:
                format = LITTLE_ENDIAN ? BGRA8 : ARGB8;
                masks = ARGB_MASKS;
                break;
            case BufferedImage.TYPE_INT_ARGB_PRE:
                format = LITTLE_ENDIAN ? BGRA8_PREMULTIPLIED : ARGB8_PREMULTIPLIED;
                masks = ARGB_MASKS;
                break;
            case BufferedImage.TYPE_INT_RGB:
                format = LITTLE_ENDIAN ? BGRX8 : -1;
                masks = RGB_MASKS;
                break;
            case BufferedImage.TYPE_INT_BGR:
                format = LITTLE_ENDIAN ? RGBX8 : -1;
                masks = BGR_MASKS;
                break;
            default:
                return null;
        }
        if (format < 0) {
            return null;
        }
        WritableRaster raster = image.getRaster();
        DataBuffer buffer = raster.getDataBuffer();
        SampleModel model = raster.getSampleModel();
        if (!(buffer instanceof DataBufferInt) || buffer.getNumBanks() != 1
                || !(model instanceof SinglePixelPackedSampleModel)) {
            return null;
        }
        SinglePixelPackedSampleModel packed = (SinglePixelPackedSampleModel) model;
        if (!Arrays.equals(packed.getBitMasks(), masks)) {
            return null;
        }
        return locate(image, packed.getScanlineStride(), 1, buffer.getOffset(),
                ((DataBufferInt) buffer).getData().length, format, 4);
    }

    /**
     * The range of the backing array that holds the image's pixels, in elements, or null if it
     * does not lie inside the array (or its size does not fit an int).
     *
     * @param scanlineStride elements from one row to the next
     * @param pixelStride elements from one pixel to the next
     * @param bufferOffset the data buffer's offset (element 0 of the sample model)
     * @param arrayLength the backing array's length
     * @param elementBytes bytes per element (1 for byte[], 4 for int[])
     */
    private static Plain locate(BufferedImage image, int scanlineStride, int pixelStride, int bufferOffset,
            int arrayLength, int format, int elementBytes) {
        WritableRaster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        if (width <= 0 || height <= 0 || scanlineStride < (long) width * pixelStride) {
            return null;
        }
        // The image's pixel (0, 0) is the raster's (minX, minY), which is the sample model's
        // (minX - translateX, minY - translateY); a sub-image has a negative translation.
        long x = (long) raster.getMinX() - raster.getSampleModelTranslateX();
        long y = (long) raster.getMinY() - raster.getSampleModelTranslateY();
        long first = bufferOffset + y * scanlineStride + x * pixelStride;
        long length = (long) (height - 1) * scanlineStride + (long) width * pixelStride;
        long strideBytes = (long) scanlineStride * elementBytes;
        if (x < 0 || y < 0 || first < 0 || first + length > arrayLength || strideBytes > Integer.MAX_VALUE) {
            return null;
        }
        return new Plain((int) first, (int) length, format, (int) strideBytes);
    }

    /**
     * Any other image: its colours as {@code getRGB} reports them (straight sRGB ARGB, through
     * the image's colour model), gathered into one {@code int[]} by one {@code getRGB} call, then
     * handed to native code as a {@code TYPE_INT_ARGB} raster. Images without alpha become RGB
     * images (their alpha bytes, always 255, are ignored).
     */
    private static long generalPath(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        long pixels = (long) width * height;
        if (pixels > Integer.MAX_VALUE - 8) {
            throw new PixbridgeException(ErrorCode.LIMIT_EXCEEDED,
                    width + " x " + height + " pixels do not fit in one Java array of ints");
        }
        int[] argb = new int[(int) pixels];
        image.getRGB(0, 0, width, height, argb, 0, width);
        boolean alpha = image.getColorModel().hasAlpha();
        int format = LITTLE_ENDIAN ? (alpha ? BGRA8 : BGRX8) : ARGB8;
        return NativePixels.fromInts(argb, 0, argb.length, width, height, format, width * 4);
    }

    /**
     * A new {@code BufferedImage} with the pixels of the native image {@code handle}:
     * {@code TYPE_BYTE_GRAY} for grey colour types without alpha, {@code TYPE_4BYTE_ABGR} for
     * every colour type with alpha, {@code TYPE_3BYTE_BGR} for the others; the native side
     * converts into the new raster's array.
     */
    static BufferedImage fromNative(long handle, int width, int height, ColorType colorType) {
        int type;
        int format;
        int bytesPerPixel;
        switch (colorType) {
            case L8:
            case L16:
                type = BufferedImage.TYPE_BYTE_GRAY;
                format = GRAY8;
                bytesPerPixel = 1;
                break;
            case LA8:
            case LA16:
            case RGBA8:
            case RGBA16:
            case RGBA32F:
                type = BufferedImage.TYPE_4BYTE_ABGR;
                format = ABGR8;
                bytesPerPixel = 4;
                break;
            default:
                type = BufferedImage.TYPE_3BYTE_BGR;
                format = BGR8;
                bytesPerPixel = 3;
                break;
        }
        long bytes = (long) width * height * bytesPerPixel;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new PixbridgeException(ErrorCode.LIMIT_EXCEEDED, width + " x " + height
                    + " pixels need " + bytes + " bytes, more than a BufferedImage's one Java array can hold");
        }
        BufferedImage out = new BufferedImage(width, height, type);
        byte[] data = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        // Stride 0: packed rows, nothing between them to keep.
        NativePixels.copyToBytes(handle, format, 0, data);
        return out;
    }
}
