package io.pixbridge;

/**
 * A parameter of a plugin's operation, as the plugin describes it. Every value crosses to the
 * plugin as a {@code double}; {@link #type()} says which values are accepted, and the native
 * library refuses a value outside {@link #minimum()} to {@link #maximum()} with
 * {@link ErrorCode#INVALID_ARGUMENT}.
 *
 * @param name the parameter's name (lower-case ASCII letters, digits and {@code _}), the key of
 *     the argument maps of {@link Image#apply(String, java.util.Map)}
 * @param description what the parameter means; empty if the plugin says nothing
 * @param type which values it accepts: whole numbers, any finite number, or 0 and 1 for a flag
 * @param defaultValue the value used when a caller gives none
 * @param minimum the smallest accepted value
 * @param maximum the largest accepted value
 */
public record PluginParameter(String name, String description, PluginParameterType type, double defaultValue,
        double minimum, double maximum) {
    /**
     * Creates a parameter description.
     *
     * @param name the parameter's name
     * @param description what it means, or an empty string
     * @param type which values it accepts
     * @param defaultValue the value used when a caller gives none
     * @param minimum the smallest accepted value
     * @param maximum the largest accepted value
     * @throws NullPointerException if {@code name}, {@code description} or {@code type} is null
     */
    public PluginParameter {
        Arguments.requireNonNull(name, "name");
        Arguments.requireNonNull(description, "description");
        Arguments.requireNonNull(type, "type");
    }
}
