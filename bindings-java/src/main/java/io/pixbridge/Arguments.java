package io.pixbridge;

/** Argument checks with messages that name the parameter, shared by {@link Image} and its operations. */
final class Arguments {
    private Arguments() {
    }

    /** Throws NPE with the parameter's name; used instead of Objects.requireNonNull for the message. */
    static void requireNonNull(Object value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }

    /** Refuses a negative value for a parameter the native API takes as unsigned. */
    static void requireNonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }
}
