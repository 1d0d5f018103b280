package io.pixbridge;

/**
 * The channel layout an image was decoded from. Pixels are always exposed as RGBA8; the colour
 * type decides how the image is encoded (a grey image is saved as grey).
 */
public enum ColorType {
    /** 8-bit luminance. */
    L8(0),
    /** 8-bit luminance with alpha. */
    LA8(1),
    /** 8-bit RGB. */
    RGB8(2),
    /** 8-bit RGBA. */
    RGBA8(3),
    /** 16-bit luminance. */
    L16(4),
    /** 16-bit luminance with alpha. */
    LA16(5),
    /** 16-bit RGB. */
    RGB16(6),
    /** 16-bit RGBA. */
    RGBA16(7),
    /** 32-bit float RGB. */
    RGB32F(8),
    /** 32-bit float RGBA. */
    RGBA32F(9);

    private static final ColorType[] BY_VALUE = values();

    private final int value;

    ColorType(int value) {
        this.value = value;
    }

    /**
     * Returns the stable number of this colour type, as used by the C ABI.
     *
     * @return the colour type's number
     */
    public int value() {
        return value;
    }

    static ColorType fromValue(int value) {
        if (value >= 0 && value < BY_VALUE.length && BY_VALUE[value].value == value) {
            return BY_VALUE[value];
        }
        throw new PixbridgeException(ErrorCode.PANIC, "the native library reported unknown colour type " + value);
    }
}
