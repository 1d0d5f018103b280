package io.pixbridge.imageio;

import io.pixbridge.ImageFormat;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.stream.ImageInputStream;

/** The formats the provider reads and writes: their ImageIO names and how to recognise them. */
enum Format {
    /** JPEG, recognised by its SOI marker followed by another marker. */
    JPEG(ImageFormat.JPEG, "JPEG", new String[] {"JPEG", "jpeg", "JPG", "jpg"}, new String[] {"jpg", "jpeg"},
            new String[] {"image/jpeg"}, new int[] {0xff, 0xd8, 0xff}),
    /** PNG, recognised by its 8-byte signature. */
    PNG(ImageFormat.PNG, "PNG", new String[] {"png", "PNG"}, new String[] {"png"}, new String[] {"image/png"},
            new int[] {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a}),
    /** WebP, recognised by {@code RIFF????WEBP}; Pixbridge writes it lossless. */
    WEBP(ImageFormat.WEBP, "WebP", new String[] {"webp", "WEBP", "WebP"}, new String[] {"webp"},
            new String[] {"image/webp"}, new int[] {'R', 'I', 'F', 'F', -1, -1, -1, -1, 'W', 'E', 'B', 'P'});

    final ImageFormat imageFormat;
    final String displayName;
    final String[] names;
    final String[] suffixes;
    final String[] mimeTypes;
    /** The first bytes of every file of the format; -1 matches any byte. */
    private final int[] magic;

    Format(ImageFormat imageFormat, String displayName, String[] names, String[] suffixes, String[] mimeTypes,
            int[] magic) {
        this.imageFormat = imageFormat;
        this.displayName = displayName;
        this.names = names;
        this.suffixes = suffixes;
        this.mimeTypes = mimeTypes;
        this.magic = magic;
    }

    /**
     * Whether the stream, from its current position, starts like a file of this format. The
     * position is restored (mark/reset); a stream shorter than the signature does not match.
     */
    boolean matches(ImageInputStream stream) throws IOException {
        byte[] head = new byte[magic.length];
        stream.mark();
        try {
            stream.readFully(head);
        } catch (EOFException e) {
            return false;
        } finally {
            stream.reset();
        }
        for (int i = 0; i < magic.length; i++) {
            if (magic[i] >= 0 && (head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code otherNames} (another provider's format names) name this format too. */
    boolean sharesAName(String[] otherNames) {
        return otherNames != null && Arrays.stream(otherNames).anyMatch(
                other -> Arrays.stream(names).anyMatch(name -> name.equalsIgnoreCase(other)));
    }
}
