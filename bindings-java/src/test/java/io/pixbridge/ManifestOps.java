package io.pixbridge;

import java.util.Map;

/**
 * Applies one manifest operation ({@code {"op": "blur", "sigma": 4}}) to an image: the syntax the
 * golden manifest and the bad-input corpus share.
 */
final class ManifestOps {
    private ManifestOps() {
    }

    /** Applies one manifest op; a fresh-kind op replaces (and closes) the current image. */
    static Image apply(Image image, Map<String, Object> op) {
        String name = (String) op.get("op");
        switch (name) {
            case "blur":
                return replace(image, image.blur(f(op, "sigma")));
            case "unsharpen":
                return replace(image, image.unsharpen(f(op, "sigma"), f(op, "amount"), int32(op, "threshold")));
            case "resize":
                return replace(image, image.resize(int32(op, "width"), int32(op, "height"),
                        ResizeFilter.valueOf(((String) op.get("filter")).toUpperCase(java.util.Locale.ROOT))));
            case "crop":
                return replace(image, image.crop(int32(op, "x"), int32(op, "y"), int32(op, "width"), int32(op, "height")));
            case "rotate90":
                return replace(image, image.rotate90());
            case "rotate270":
                return replace(image, image.rotate270());
            case "mirror":
                image.mirror();
                return image;
            case "flip_vertical":
                image.flipVertical();
                return image;
            case "rotate180":
                image.rotate180();
                return image;
            case "grayscale":
                image.grayscale();
                return image;
            case "adjust_brightness":
                image.adjustBrightness(int32(op, "delta"));
                return image;
            case "adjust_contrast":
                image.adjustContrast(f(op, "contrast"));
                return image;
            case "encode_decode": {
                ImageFormat format = ImageFormat.fromName((String) op.get("format"));
                byte[] encoded = op.containsKey("quality") ? image.encode(format, int32(op, "quality")) : image.encode(format);
                return replace(image, Image.decode(encoded));
            }
            default:
                throw new AssertionError("unknown manifest op " + name);
        }
    }

    private static Image replace(Image old, Image fresh) {
        old.close();
        return fresh;
    }

    static float f(Map<String, Object> op, String name) {
        Object value = op.get(name);
        if (value instanceof String) {
            switch ((String) value) {
                case "NaN":
                    return Float.NaN;
                case "Infinity":
                    return Float.POSITIVE_INFINITY;
                case "-Infinity":
                    return Float.NEGATIVE_INFINITY;
                default:
                    throw new AssertionError("bad float " + value);
            }
        }
        return ((Number) value).floatValue();
    }

    /**
     * A manifest integer as Java's int: unsigned 32-bit values over 2^31 - 1 wrap to negative,
     * exactly what a Java caller holding the C value would pass (and Java then refuses).
     */
    static int int32(Map<String, Object> map, String name) {
        long value = (Long) map.get(name);
        if (value < Integer.MIN_VALUE || value > 0xffff_ffffL) {
            throw new AssertionError(name + " = " + value + " is not a 32-bit value");
        }
        return (int) value;
    }
}
