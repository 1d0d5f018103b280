package io.pixbridge;

import java.util.List;

/**
 * An operation of a loaded {@link Plugin}, as the plugin describes it. Apply it by name with
 * {@link Image#apply(String, java.util.Map)} when {@link #kind()} is
 * {@link PluginOperationKind#FRESH} (a new image), or with
 * {@link Image#applyInPlace(String, java.util.Map)} when it is
 * {@link PluginOperationKind#IN_PLACE}.
 *
 * @param name the operation's name, unique among Pixbridge's own operations and those of every
 *     loaded plugin
 * @param description what it does; empty if the plugin says nothing
 * @param kind whether it returns a new image or changes the image in place
 * @param parameters its parameters, in the order the plugin takes their values (immutable)
 */
public record PluginOperation(String name, String description, PluginOperationKind kind,
        List<PluginParameter> parameters) {
    /**
     * Creates an operation description; {@code parameters} is copied into an immutable list.
     *
     * @param name the operation's name
     * @param description what it does, or an empty string
     * @param kind new image or in place
     * @param parameters its parameters, in declaration order
     * @throws NullPointerException if an argument or an element of {@code parameters} is null
     */
    public PluginOperation {
        Arguments.requireNonNull(name, "name");
        Arguments.requireNonNull(description, "description");
        Arguments.requireNonNull(kind, "kind");
        Arguments.requireNonNull(parameters, "parameters");
        parameters = List.copyOf(parameters);
    }
}
