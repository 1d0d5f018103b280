package io.pixbridge;

/**
 * Why a Pixbridge call failed. The numbers are the stable codes of the C ABI
 * ({@code uint32_t} in {@code pixbridge.h}) and of the C# SDK.
 */
public enum ErrorCode {
    /** Success; never carried by a {@link PixbridgeException}. */
    OK(0),
    /** A required argument was null. */
    NULL_ARGUMENT(1),
    /** The image handle was null, forged, destroyed or of the wrong kind. */
    INVALID_HANDLE(2),
    /** The file was not found. */
    NOT_FOUND(3),
    /** Another I/O failure (a directory given as a file, a full disk, ...). */
    IO(4),
    /** The operating system refused access. */
    PERMISSION_DENIED(5),
    /** Unknown content, unknown file extension, or a format not supported for this use. */
    UNSUPPORTED_FORMAT(6),
    /** Corrupt or truncated image data. */
    DECODE(7),
    /** The encoder failed. */
    ENCODE(8),
    /** A parameter is out of range (NaN sigma, crop outside the image, zero size, bad quality, ...). */
    INVALID_ARGUMENT(9),
    /** The decode limits were exceeded; checked before any large allocation. */
    LIMIT_EXCEEDED(10),
    /** A path or string was not valid UTF-8. */
    INVALID_UTF8(11),
    /** A caller's buffer was too small; the message reports the required size. */
    BUFFER_TOO_SMALL(12),
    /** A bug inside Pixbridge was caught at the boundary; the library keeps working. */
    PANIC(13);

    private static final ErrorCode[] BY_VALUE = values();

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    /**
     * Returns the stable number of this code, as used by the C ABI.
     *
     * @return the code's number
     */
    public int value() {
        return value;
    }

    /**
     * Returns the code with the given stable number.
     *
     * @param value a code number from the C ABI
     * @return the matching code
     * @throws IllegalArgumentException if no code has that number
     */
    public static ErrorCode fromValue(int value) {
        if (value >= 0 && value < BY_VALUE.length && BY_VALUE[value].value == value) {
            return BY_VALUE[value];
        }
        throw new IllegalArgumentException("unknown Pixbridge error code " + value);
    }

    /**
     * Returns the code's name as written in the design and in {@code testdata/manifest.json}
     * (for example {@code "InvalidArgument"}).
     *
     * @return the code's PascalCase name
     */
    public String pascalCaseName() {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : name().toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return out.toString();
    }
}
