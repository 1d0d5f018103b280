package io.pixbridge;

import java.util.Objects;

/**
 * A failure reported by the native Pixbridge library: the {@link ErrorCode} of the C ABI and
 * the native message that explains it.
 */
public class PixbridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The code of the failure; never {@link ErrorCode#OK}. */
    private final ErrorCode code;

    /**
     * Creates an exception for a native failure.
     *
     * @param code why the call failed
     * @param message the native message
     */
    public PixbridgeException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * Called by the JNI library, which knows the code only as its number.
     *
     * @param code the stable number of the error code
     * @param message the native message
     */
    PixbridgeException(int code, String message) {
        this(ErrorCode.fromValue(code), message);
    }

    /**
     * Returns why the call failed.
     *
     * @return the error code, never {@link ErrorCode#OK}
     */
    public ErrorCode code() {
        return code;
    }
}
