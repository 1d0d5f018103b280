package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Image#fromBufferedImage} and {@link Image#toBufferedImage}: every fast-path type, the
 * general path and sub-image offsets, against pixel values written by hand (ARGB ints given to
 * {@code setRGB} or raw raster samples) and read back through {@code copyPixels} (RGBA bytes) or
 * {@code getRGB}.
 */
class BufferedImageTest {
    /** 3 x 2 straight ARGB colours, some translucent; every byte distinct in its channel. */
    private static final int[] TRANSLUCENT = {
        0xff102030, 0x80405060, 0x00708090,
        0xffffffff, 0x01000000, 0x7fa0b0c0,
    };

    /** 3 x 2 opaque colours. */
    private static final int[] OPAQUE = {
        0xff102030, 0xff405060, 0xff708090,
        0xffffffff, 0xff000000, 0xffa0b0c0,
    };

    /** The RGBA bytes of ARGB ints, computed here by shifting (the expected pixels). */
    private static byte[] rgba(int[] argb) {
        byte[] out = new byte[argb.length * 4];
        for (int i = 0; i < argb.length; i++) {
            out[4 * i] = (byte) (argb[i] >>> 16);
            out[4 * i + 1] = (byte) (argb[i] >>> 8);
            out[4 * i + 2] = (byte) argb[i];
            out[4 * i + 3] = (byte) (argb[i] >>> 24);
        }
        return out;
    }

    private static BufferedImage filled(int type, int width, int height, int[] argb) {
        BufferedImage image = new BufferedImage(width, height, type);
        image.setRGB(0, 0, width, height, argb, 0, width);
        return image;
    }

    private static byte[] pixelsOf(Image image) {
        byte[] out = new byte[image.width() * image.height() * 4];
        image.copyPixels(out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_ARGB})
    void straightAlphaTypesKeepEveryByte(int type) {
        BufferedImage source = filled(type, 3, 2, TRANSLUCENT);
        assertTrue(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertEquals(3, image.width());
            assertEquals(2, image.height());
            assertEquals(ColorType.RGBA8, image.colorType());
            assertArrayEquals(rgba(TRANSLUCENT), pixelsOf(image));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_BGR})
    void opaqueTypesBecomeRgb(int type) {
        BufferedImage source = filled(type, 3, 2, OPAQUE);
        assertTrue(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertEquals(ColorType.RGB8, image.colorType());
            assertArrayEquals(rgba(OPAQUE), pixelsOf(image));
        }
    }

    @Test
    void grayTakesTheSamplesAsTheyAre() {
        BufferedImage source = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] levels = {0, 77, 128, 255};
        source.getRaster().setPixels(0, 0, 4, 1, levels);
        assertTrue(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertEquals(ColorType.L8, image.colorType());
            byte[] expected = new byte[16];
            for (int i = 0; i < 4; i++) {
                expected[4 * i] = expected[4 * i + 1] = expected[4 * i + 2] = (byte) levels[i];
                expected[4 * i + 3] = (byte) 255;
            }
            assertArrayEquals(expected, pixelsOf(image));
            BufferedImage back = image.toBufferedImage();
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
            assertArrayEquals(levels, back.getRaster().getPixels(0, 0, 4, 1, (int[]) null));
        }
    }

    @Test
    void premultipliedIntRasterIsUnpremultiplied() {
        BufferedImage source = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB_PRE);
        int[] data = ((DataBufferInt) source.getRaster().getDataBuffer()).getData();
        // Premultiplied ARGB written raw: (a=128, r'=64, g'=32, b'=0), opaque, fully transparent.
        data[0] = 0x80402000;
        data[1] = 0xff112233;
        data[2] = 0x00000000;
        assertTrue(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            // c = round(c' * 255 / a), halves up: 64 * 255 / 128 = 127.5 -> 128; 32 -> 63.75 -> 64.
            assertArrayEquals(new byte[] {(byte) 128, 64, 0, (byte) 128, 0x11, 0x22, 0x33, (byte) 255, 0, 0, 0, 0},
                    pixelsOf(image));
        }
    }

    @Test
    void premultipliedByteRasterIsUnpremultiplied() {
        BufferedImage source = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR_PRE);
        // Raw A, B, G, R bytes: (a=128, b'=0, g'=32, r'=64) and opaque (0x33, 0x22, 0x11).
        System.arraycopy(new byte[] {(byte) 128, 0, 32, 64, (byte) 255, 0x33, 0x22, 0x11}, 0,
                ((DataBufferByte) source.getRaster().getDataBuffer()).getData(), 0, 8);
        assertTrue(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertArrayEquals(new byte[] {(byte) 128, 64, 0, (byte) 128, 0x11, 0x22, 0x33, (byte) 255}, pixelsOf(image));
        }
    }

    @Test
    void toBufferedImagePicksTheTypeOfTheColourType() {
        try (Image rgbaImage = Image.fromPixels(3, 2, rgba(TRANSLUCENT))) {
            BufferedImage out = rgbaImage.toBufferedImage();
            assertEquals(BufferedImage.TYPE_4BYTE_ABGR, out.getType());
            assertArrayEquals(TRANSLUCENT, out.getRGB(0, 0, 3, 2, null, 0, 3));
        }
        try (Image rgb = Image.fromBufferedImage(filled(BufferedImage.TYPE_INT_RGB, 3, 2, OPAQUE))) {
            BufferedImage out = rgb.toBufferedImage();
            assertEquals(BufferedImage.TYPE_3BYTE_BGR, out.getType());
            assertArrayEquals(OPAQUE, out.getRGB(0, 0, 3, 2, null, 0, 3));
        }
    }

    @Test
    void decodedFilesComeOutAsTheirColourType() {
        try (Image gray = Image.open(TestSupport.testdata("gray-32x24.png"));
                Image rgba = Image.open(TestSupport.testdata("transparent-40x30.png"));
                Image jpeg = Image.open(TestSupport.testdata("gradient-64x48.jpg"))) {
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, gray.toBufferedImage().getType());
            assertEquals(BufferedImage.TYPE_4BYTE_ABGR, rgba.toBufferedImage().getType());
            assertEquals(BufferedImage.TYPE_3BYTE_BGR, jpeg.toBufferedImage().getType());
            // Every pixel, against copyPixels (RGBA) assembled into ARGB here.
            for (Image image : new Image[] {rgba, jpeg}) {
                byte[] px = pixelsOf(image);
                int[] expected = new int[image.width() * image.height()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = (px[4 * i + 3] & 0xff) << 24 | (px[4 * i] & 0xff) << 16 | (px[4 * i + 1] & 0xff) << 8
                            | (px[4 * i + 2] & 0xff);
                }
                BufferedImage out = image.toBufferedImage();
                assertArrayEquals(expected, out.getRGB(0, 0, image.width(), image.height(), null, 0, image.width()));
            }
            byte[] grayPx = pixelsOf(gray);
            int[] samples = gray.toBufferedImage().getRaster().getPixels(0, 0, 32, 24, (int[]) null);
            for (int i = 0; i < samples.length; i++) {
                assertEquals(grayPx[4 * i] & 0xff, samples[i], "pixel " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR,
        BufferedImage.TYPE_INT_RGB})
    void subImagesKeepTheirOffsetAndStride(int type) {
        int width = 7;
        int height = 5;
        int[] argb = new int[width * height];
        boolean alpha = type == BufferedImage.TYPE_4BYTE_ABGR || type == BufferedImage.TYPE_INT_ARGB;
        for (int i = 0; i < argb.length; i++) {
            argb[i] = (alpha ? (i * 7 + 1) << 24 : 0xff000000) | (i * 3) << 16 | (255 - i) << 8 | (i * 5 & 0xff);
        }
        BufferedImage parent = filled(type, width, height, argb);
        BufferedImage sub = parent.getSubimage(2, 1, 4, 3);
        assertTrue(BufferedImages.hasFastPath(sub));
        int[] expected = new int[4 * 3];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                expected[y * 4 + x] = argb[(y + 1) * width + x + 2];
            }
        }
        try (Image image = Image.fromBufferedImage(sub)) {
            assertEquals(4, image.width());
            assertEquals(3, image.height());
            assertArrayEquals(rgba(expected), pixelsOf(image));
        }
    }

    @Test
    void generalPathFor565() {
        // Pure colours survive 5-6-5 exactly.
        int[] colours = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff, 0xff000000, 0xffff00ff};
        BufferedImage source = filled(BufferedImage.TYPE_USHORT_565_RGB, 3, 2, colours);
        assertFalse(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertEquals(ColorType.RGB8, image.colorType());
            assertArrayEquals(rgba(colours), pixelsOf(image));
        }
    }

    @Test
    void generalPathForAnIndexedImageWithTransparency() {
        IndexColorModel palette = new IndexColorModel(8, 3, new byte[] {0, 0x11, (byte) 0xee}, new byte[] {0, 0x22, (byte) 0xdd},
                new byte[] {0, 0x33, (byte) 0xcc}, new byte[] {0, (byte) 0xff, (byte) 0x80});
        BufferedImage source = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        source.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 1, 2});
        assertFalse(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertEquals(ColorType.RGBA8, image.colorType());
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0x11, 0x22, 0x33, (byte) 0xff, (byte) 0xee, (byte) 0xdd, (byte) 0xcc,
                (byte) 0x80}, pixelsOf(image));
        }
    }

    @Test
    void aRasterInAnotherBandOrderTakesTheGeneralPath() {
        // R, G, B, A bytes (band offsets 0, 1, 2, 3): not a standard type, so TYPE_CUSTOM.
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 2, 1, 8, 4, new int[] {0, 1, 2, 3}, null);
        raster.setDataElements(0, 0, 2, 1, new byte[] {1, 2, 3, (byte) 255, 9, 8, 7, (byte) 255});
        BufferedImage source = new BufferedImage(model, raster, false, null);
        assertEquals(BufferedImage.TYPE_CUSTOM, source.getType());
        assertFalse(BufferedImages.hasFastPath(source));
        try (Image image = Image.fromBufferedImage(source)) {
            assertArrayEquals(new byte[] {1, 2, 3, (byte) 255, 9, 8, 7, (byte) 255}, pixelsOf(image));
        }
    }

    @Test
    void pixelFormatsWithPaddedRows() {
        // 2 x 2 BGRA, rows 10 bytes apart (2 padding bytes, 0x55).
        byte[] bgra = {
            1, 2, 3, (byte) 255, 4, 5, 6, (byte) 128, 0x55, 0x55,
            7, 8, 9, 0, 10, 11, 12, (byte) 255,
        };
        try (Image image = Image.fromPixels(bgra, 2, 2, PixelFormat.BGRA8, 10)) {
            assertEquals(ColorType.RGBA8, image.colorType());
            assertArrayEquals(new byte[] {3, 2, 1, (byte) 255, 6, 5, 4, (byte) 128, 9, 8, 7, 0, 12, 11, 10, (byte) 255},
                    pixelsOf(image));
            // Out as BGR with 7-byte rows: the padding byte between the rows is left as it was.
            byte[] bgr = new byte[13];
            Arrays.fill(bgr, (byte) 0x77);
            image.copyPixels(bgr, PixelFormat.BGR8, 7);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 0x77, 7, 8, 9, 10, 11, 12}, bgr);
            PixbridgeException tooSmall = assertThrows(PixbridgeException.class,
                    () -> image.copyPixels(new byte[12], PixelFormat.BGR8, 7));
            assertEquals(ErrorCode.BUFFER_TOO_SMALL, tooSmall.code());
        }
        PixbridgeException shortData = assertThrows(PixbridgeException.class,
                () -> Image.fromPixels(new byte[17], 2, 2, PixelFormat.BGRA8, 10));
        assertEquals(ErrorCode.INVALID_ARGUMENT, shortData.code());
        assertThrows(IllegalArgumentException.class, () -> Image.fromPixels(bgra, 2, 2, PixelFormat.BGRA8, -1));
        assertThrows(NullPointerException.class, () -> Image.fromPixels(bgra, 2, 2, null, 0));
    }

    /** The raw natives validate every range, size, code and handle themselves. */
    @Test
    void rawNativesRefuseBadArguments() {
        NativeLoader.load();
        byte[] bytes = new byte[16];
        int[] ints = new int[4];
        int abgr = PixelFormat.ABGR8.value();
        assertCode(ErrorCode.NULL_ARGUMENT, () -> NativePixels.fromBytes(null, 0, 0, 1, 1, abgr, 0));
        assertCode(ErrorCode.NULL_ARGUMENT, () -> NativePixels.fromInts(null, 0, 0, 1, 1, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, -1, 4, 1, 1, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 8, 9, 1, 1, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 0, -4, 1, 1, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromInts(ints, 2, 3, 1, 1, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 0, 16, 1, 1, 99, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 0, 16, -1, 1, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 0, 16, 2, 2, abgr, 4));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 0, 15, 2, 2, abgr, 0));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.fromBytes(bytes, 0, 0, 0, 0, abgr, 0));
        assertCode(ErrorCode.INVALID_HANDLE, () -> NativePixels.copyToBytes(12345, abgr, 0, bytes));
        try (Image image = Image.fromPixels(2, 2, bytes)) {
            long handle = image.enterCall();
            try {
                assertCode(ErrorCode.NULL_ARGUMENT, () -> NativePixels.copyToBytes(handle, abgr, 0, null));
                assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.copyToBytes(handle, 99, 0, bytes));
                assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.copyToBytes(handle, abgr, -8, bytes));
                assertCode(ErrorCode.INVALID_ARGUMENT, () -> NativePixels.copyToBytes(handle, abgr, 7, bytes));
                assertCode(ErrorCode.BUFFER_TOO_SMALL, () -> NativePixels.copyToBytes(handle, abgr, 0, new byte[15]));
            } finally {
                image.exitCall();
            }
        }
    }

    private static void assertCode(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
        assertEquals(code, assertThrows(PixbridgeException.class, call).code());
    }

    @Test
    void argumentsAndClosedImages() {
        assertThrows(NullPointerException.class, () -> Image.fromBufferedImage(null));
        Image image = Image.fromPixels(1, 1, new byte[] {1, 2, 3, 4});
        image.close();
        assertThrows(IllegalStateException.class, image::toBufferedImage);
    }

    @Test
    void leavesNoHandleBehind() {
        long before = Diagnostics.liveHandleCount();
        for (int i = 0; i < 20; i++) {
            try (Image image = Image.fromBufferedImage(filled(BufferedImage.TYPE_INT_ARGB, 3, 2, TRANSLUCENT))) {
                image.toBufferedImage();
            }
        }
        assertEquals(before, Diagnostics.liveHandleCount());
    }
}
