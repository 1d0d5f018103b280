package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixbridge.imageio.JpegImageReaderSpi;
import io.pixbridge.imageio.PixbridgeImageIO;
import io.pixbridge.imageio.PixbridgeImageReader;
import io.pixbridge.imageio.PixbridgeImageReaderSpi;
import io.pixbridge.imageio.PixbridgeImageWriter;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ServiceRegistry;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ImageIO provider: ImageIO picks Pixbridge's readers and writers first, they decode and
 * encode what Pixbridge does, the JDK's own PNG reader reads what they write, bad input is an
 * {@link IIOException}, and the opt-out works.
 */
class ImageIoTest {
    @TempDir
    Path temp;

    /** The JDK's reader of a format (the first one that is not Pixbridge's). */
    private static ImageReader jdkReader(String format) {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format); it.hasNext();) {
            ImageReader reader = it.next();
            if (!(reader instanceof PixbridgeImageReader)) {
                assertTrue(reader.getClass().getName().startsWith("com.sun.imageio."), reader.getClass().getName());
                return reader;
            }
        }
        throw new AssertionError("no JDK reader for " + format);
    }

    private static BufferedImage readWith(ImageReader reader, Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in);
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    private static int[] argb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @Test
    void pixbridgeComesFirstForJpegAndPng() throws IOException {
        assertInstanceOf(PixbridgeImageReader.class, ImageIO.getImageReadersByFormatName("jpeg").next());
        assertInstanceOf(PixbridgeImageReader.class, ImageIO.getImageReadersByFormatName("JPG").next());
        assertInstanceOf(PixbridgeImageReader.class, ImageIO.getImageReadersByFormatName("png").next());
        assertInstanceOf(PixbridgeImageReader.class, ImageIO.getImageReadersBySuffix("jpg").next());
        assertInstanceOf(PixbridgeImageReader.class, ImageIO.getImageReadersByMIMEType("image/png").next());
        assertInstanceOf(PixbridgeImageWriter.class, ImageIO.getImageWritersByFormatName("jpeg").next());
        assertInstanceOf(PixbridgeImageWriter.class, ImageIO.getImageWritersByFormatName("png").next());
        assertInstanceOf(PixbridgeImageWriter.class, ImageIO.getImageWritersByFormatName("webp").next());
        // The JDK's providers are still there, after ours.
        assertNotNull(jdkReader("jpeg"));
        assertNotNull(jdkReader("png"));
        try (ImageInputStream in = ImageIO.createImageInputStream(TestSupport.testdata("rocket.jpg").toFile())) {
            assertInstanceOf(PixbridgeImageReader.class, ImageIO.getImageReaders(in).next());
        }
    }

    @Test
    void imageIoReadOfAJpegIsPixbridgesDecode() throws IOException {
        Path file = TestSupport.testdata("rocket.jpg");
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, read.getType());
        try (Image image = Image.open(file)) {
            BufferedImage expected = image.toBufferedImage();
            assertArrayEquals(((DataBufferByte) expected.getRaster().getDataBuffer()).getData(),
                    ((DataBufferByte) read.getRaster().getDataBuffer()).getData());
            // And the same colours as Pixbridge's own RGBA pixels.
            byte[] rgba = new byte[image.width() * image.height() * 4];
            image.copyPixels(rgba);
            int[] colours = argb(read);
            for (int i = 0; i < colours.length; i += 997) {
                int expectedArgb = 0xff000000 | (rgba[4 * i] & 0xff) << 16 | (rgba[4 * i + 1] & 0xff) << 8 | (rgba[4 * i + 2] & 0xff);
                assertEquals(expectedArgb, colours[i], "pixel " + i);
            }
        }
        // The JDK's reader of the same file is close (another IDCT) but its own decode.
        BufferedImage jdk = readWith(jdkReader("jpeg"), file);
        assertEquals(read.getWidth(), jdk.getWidth());
        assertEquals(read.getHeight(), jdk.getHeight());
        int[] ours = argb(read);
        int[] theirs = argb(jdk);
        int worst = 0;
        for (int i = 0; i < ours.length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                worst = Math.max(worst, Math.abs((ours[i] >> shift & 0xff) - (theirs[i] >> shift & 0xff)));
            }
        }
        assertTrue(worst <= 8, "largest channel difference to the JDK's decode: " + worst);
    }

    @Test
    void exifOrientationIsApplied() throws IOException {
        // rocket-exif6.jpg: 640 x 427 stored, orientation 6 (rotate 90 degrees clockwise to view).
        Path file = TestSupport.testdata("rocket-exif6.jpg");
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(427, read.getWidth());
        assertEquals(640, read.getHeight());
        BufferedImage jdk = readWith(jdkReader("jpeg"), file);
        assertEquals(640, jdk.getWidth());
        // The header answers the upright size too, without reading the pixels.
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in);
            assertEquals(427, reader.getWidth(0));
            assertEquals(640, reader.getHeight(0));
            assertEquals(1, reader.getNumImages(true));
            assertEquals(BufferedImage.TYPE_3BYTE_BGR, reader.getImageTypes(0).next().getBufferedImageType());
            assertNull(reader.getImageMetadata(0));
            assertNull(reader.getStreamMetadata());
            assertThrows(IndexOutOfBoundsException.class, () -> reader.getWidth(1));
        } finally {
            reader.dispose();
        }
    }

    @Test
    void sourceRegionAndSubsamplingAreHonoured() throws IOException {
        Path file = TestSupport.testdata("rocket.jpg");
        BufferedImage full = ImageIO.read(file.toFile());
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in);
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceRegion(new Rectangle(100, 50, 41, 30));
            param.setSourceSubsampling(3, 2, 1, 0);
            BufferedImage part = reader.read(0, param);
            // Columns 101, 104, ..., 140 (14), rows 50, 52, ..., 78 (15): ImageIO's rule.
            assertEquals(14, part.getWidth());
            assertEquals(15, part.getHeight());
            for (int y = 0; y < part.getHeight(); y++) {
                for (int x = 0; x < part.getWidth(); x++) {
                    assertEquals(full.getRGB(101 + 3 * x, 50 + 2 * y), part.getRGB(x, y), x + "," + y);
                }
            }
            ImageReadParam refused = reader.getDefaultReadParam();
            refused.setDestination(new BufferedImage(640, 427, BufferedImage.TYPE_3BYTE_BGR));
            assertThrows(IllegalArgumentException.class, () -> reader.read(0, refused));
        } finally {
            reader.dispose();
        }
    }

    @Test
    void pngWrittenByPixbridgeReadsBackIdenticallyWithTheJdksReader() throws IOException {
        BufferedImage source = new BufferedImage(37, 23, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                source.setRGB(x, y, (x * 7) << 24 | (y * 11) << 16 | (x * y & 0xff) << 8 | (x + y));
            }
        }
        // Fully transparent pixels keep their colour in PNG: use alpha >= 1 everywhere but one.
        File file = temp.resolve("out.png").toFile();
        assertTrue(ImageIO.write(source, "png", file));
        byte[] bytes = Files.readAllBytes(file.toPath());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4));
        BufferedImage back = readWith(jdkReader("png"), file.toPath());
        assertEquals(37, back.getWidth());
        int[] expected = argb(source);
        int[] actual = argb(back);
        for (int i = 0; i < expected.length; i++) {
            // A fully transparent pixel's colour is not defined once premultiplication is involved.
            if (expected[i] >>> 24 != 0) {
                assertEquals(expected[i], actual[i], "pixel " + i);
            }
        }
    }

    @Test
    void opaqueImagesAreWrittenWithoutAlphaAndGreyAsGrey() throws IOException {
        BufferedImage rgb = new BufferedImage(8, 4, BufferedImage.TYPE_3BYTE_BGR);
        rgb.setRGB(3, 2, 0xff123456);
        File rgbFile = temp.resolve("rgb.png").toFile();
        assertTrue(ImageIO.write(rgb, "png", rgbFile));
        BufferedImage rgbBack = readWith(jdkReader("png"), rgbFile.toPath());
        assertFalse(rgbBack.getColorModel().hasAlpha());
        assertEquals(0xff123456, rgbBack.getRGB(3, 2));

        BufferedImage gray = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setPixels(0, 0, 4, 1, new int[] {0, 50, 200, 255});
        File grayFile = temp.resolve("gray.png").toFile();
        assertTrue(ImageIO.write(gray, "png", grayFile));
        BufferedImage grayBack = readWith(jdkReader("png"), grayFile.toPath());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, grayBack.getType());
        assertArrayEquals(new int[] {0, 50, 200, 255}, grayBack.getRaster().getPixels(0, 0, 4, 1, (int[]) null));
    }

    @Test
    void jpegQualityIsHonoured() throws IOException {
        BufferedImage photo = ImageIO.read(TestSupport.testdata("rocket.jpg").toFile());
        byte[] low = writeJpeg(photo, 0.2f);
        byte[] high = writeJpeg(photo, 0.95f);
        assertTrue(low.length * 2 < high.length, low.length + " bytes at 0.2, " + high.length + " at 0.95");
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(high));
        assertEquals(640, back.getWidth());
        // The JDK's writer refuses alpha for JPEG; so does ours (no writer: write returns false).
        BufferedImage translucent = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        assertFalse(ImageIO.write(translucent, "jpg", new ByteArrayOutputStream()));
    }

    private static byte[] writeJpeg(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        assertInstanceOf(PixbridgeImageWriter.class, writer);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    @Test
    void webpRoundTripIsLossless() throws IOException {
        BufferedImage source = new BufferedImage(9, 5, BufferedImage.TYPE_4BYTE_ABGR);
        for (int i = 0; i < 45; i++) {
            source.setRGB(i % 9, i / 9, (255 - i) << 24 | (i * 5) << 16 | (i * 3) << 8 | i);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(source, "webp", bytes));
        byte[] webp = bytes.toByteArray();
        assertEquals("WEBP", new String(webp, 8, 4, StandardCharsets.US_ASCII));
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(webp));
        assertArrayEquals(argb(source), argb(back));
    }

    @Test
    void truncatedJpegIsAnIioException() throws IOException {
        byte[] jpeg = Files.readAllBytes(TestSupport.testdata("rocket.jpg"));
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        IIOException e = assertThrows(IIOException.class, () -> ImageIO.read(new ByteArrayInputStream(truncated)));
        assertInstanceOf(PixbridgeException.class, e.getCause());
        assertEquals(ErrorCode.DECODE, ((PixbridgeException) e.getCause()).code());
        // Only a header: the JPEG signature and nothing else.
        byte[] header = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
        assertThrows(IIOException.class, () -> ImageIO.read(new ByteArrayInputStream(header)));
        // Not an image at all: no reader claims it, so ImageIO returns null.
        assertNull(ImageIO.read(new ByteArrayInputStream("hello".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void theOptOutPropertyRemovesTheProviderWhenRegistered() {
        ImageReaderSpi jdk = null;
        for (Iterator<ImageReaderSpi> it = IIORegistry.getDefaultInstance().getServiceProviders(ImageReaderSpi.class, false);
                it.hasNext();) {
            ImageReaderSpi spi = it.next();
            if (spi.getClass().getName().equals("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi")) {
                jdk = spi;
            }
        }
        assertNotNull(jdk);
        String previous = System.getProperty(PixbridgeImageIO.ENABLED_PROPERTY);
        try {
            ServiceRegistry enabled = new ServiceRegistry(List.<Class<?>>of(ImageReaderSpi.class).iterator());
            enabled.registerServiceProvider(jdk);
            enabled.registerServiceProvider(new JpegImageReaderSpi());
            assertInstanceOf(PixbridgeImageReaderSpi.class, enabled.getServiceProviders(ImageReaderSpi.class, true).next());

            System.setProperty(PixbridgeImageIO.ENABLED_PROPERTY, "false");
            assertFalse(PixbridgeImageIO.isEnabled());
            ServiceRegistry disabled = new ServiceRegistry(List.<Class<?>>of(ImageReaderSpi.class).iterator());
            disabled.registerServiceProvider(jdk);
            disabled.registerServiceProvider(new JpegImageReaderSpi());
            List<Object> left = new ArrayList<>();
            disabled.getServiceProviders(ImageReaderSpi.class, true).forEachRemaining(left::add);
            assertEquals(List.of(jdk), left);
        } finally {
            if (previous == null) {
                System.clearProperty(PixbridgeImageIO.ENABLED_PROPERTY);
            } else {
                System.setProperty(PixbridgeImageIO.ENABLED_PROPERTY, previous);
            }
        }
    }

    /** Runs {@link ImageIoProbe} on the class path (META-INF/services), with and without the opt-out. */
    private List<String> probe(String... jvmOptions) throws IOException, InterruptedException {
        String classes = Path.of(Image.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        String testClasses = Path.of(ImageIoProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xcheck:jni");
        command.addAll(Arrays.asList(jvmOptions));
        command.add("-cp");
        command.add(classes + File.pathSeparator + testClasses);
        command.add(ImageIoProbe.class.getName());
        command.add(TestSupport.testdata("rocket.jpg").toAbsolutePath().toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return Arrays.asList(output.split("\\R"));
    }

    @Test
    void onTheClassPathServicesFileRegistersAndDeregisterRemoves() throws IOException, InterruptedException {
        List<String> lines = probe();
        assertTrue(lines.contains("initial jpeg-reader=io.pixbridge.imageio.PixbridgeImageReader"), lines.toString());
        assertTrue(lines.contains("initial png-reader=io.pixbridge.imageio.PixbridgeImageReader"), lines.toString());
        assertTrue(lines.contains("initial jpeg-writer=io.pixbridge.imageio.PixbridgeImageWriter"), lines.toString());
        assertTrue(lines.contains("initial png-writer=io.pixbridge.imageio.PixbridgeImageWriter"), lines.toString());
        assertTrue(lines.contains("initial file-reader=io.pixbridge.imageio.PixbridgeImageReader"), lines.toString());
        assertTrue(lines.contains("initial webp-writer=io.pixbridge.imageio.PixbridgeImageWriter"), lines.toString());
        assertTrue(lines.contains("initial read=640"), lines.toString());
        assertTrue(lines.contains("deregistered=6"), lines.toString());
        assertTrue(lines.contains("after jpeg-reader=com.sun.imageio.plugins.jpeg.JPEGImageReader"), lines.toString());
        assertTrue(lines.contains("after png-writer=com.sun.imageio.plugins.png.PNGImageWriter"), lines.toString());
        assertTrue(lines.contains("after webp-writer=none"), lines.toString());
        assertTrue(lines.contains("after read=640"), lines.toString());
    }

    @Test
    void theSystemPropertyTurnsTheProviderOff() throws IOException, InterruptedException {
        List<String> lines = probe("-D" + PixbridgeImageIO.ENABLED_PROPERTY + "=false");
        assertTrue(lines.contains("initial jpeg-reader=com.sun.imageio.plugins.jpeg.JPEGImageReader"), lines.toString());
        assertTrue(lines.contains("initial png-writer=com.sun.imageio.plugins.png.PNGImageWriter"), lines.toString());
        assertTrue(lines.contains("initial webp-writer=none"), lines.toString());
        assertTrue(lines.contains("deregistered=0"), lines.toString());
    }
}
