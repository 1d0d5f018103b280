package io.pixbridge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A run-time plugin: a shared library exporting {@code pixbridge_plugin_entry} (see
 * {@code docs/plugins.md}) whose operations Pixbridge applies like its own. Load it, then apply
 * its operations by name with {@link Image#apply(String, Map)} (operations that return a new
 * image) or {@link Image#applyInPlace(String, Map)} (operations that change the image):
 *
 * <pre>{@code
 * try (Plugin sepia = Plugin.load(Path.of("plugins/libpixbridge_sepia.so"));
 *      Image image = Image.open(Path.of("photo.jpg"))) {
 *     image.applyInPlace("sepia", Map.of("strength", 0.8));
 *     try (Image graded = image.apply("channel_gain", Map.of("blue", 1.5))) {
 *         graded.save(Path.of("out.png"));
 *     }
 * }
 * }</pre>
 *
 * <p>Plugins are process-wide: operation names are unique among Pixbridge's own operations and
 * those of every loaded plugin, so loading a plugin whose operation name is taken (for example
 * the same plugin twice) is refused. The description ({@link #name()}, {@link #operations()},
 * ...) is read once, at load.
 *
 * <p>A plugin stays loaded until {@link #close()}; it is not unloaded when this object becomes
 * unreachable (its operations are applied by name, not through this object). Closing removes its
 * operation names at once; calls already running one of its operations finish first, and the
 * library is unloaded when the last of them returns. Images a plugin made outlive it. Loading a
 * plugin runs its native code in this process: load only plugins you trust.
 *
 * <p>Instances are thread-safe.
 */
public final class Plugin implements AutoCloseable {
    /** Orders loads and closes, so that {@link #REGISTRY} always agrees with the native library. */
    private static final Object LOCK = new Object();

    /**
     * The operations of the plugins loaded through this class and not closed yet, by name (names
     * are unique natively). Written under {@link #LOCK}; read without it.
     */
    private static final Map<String, PluginOperation> REGISTRY = new ConcurrentHashMap<>();

    private final long handle;
    private final String name;
    private final String version;
    private final String description;
    private final Path path;
    private final int abiMajor;
    private final int abiMinor;
    private final List<PluginOperation> operations;
    /** Written under {@link #LOCK}. */
    private volatile boolean closed;

    /** Reads the description of the loaded plugin {@code handle}. */
    private Plugin(long handle) {
        this.handle = handle;
        String[] texts = nativeTexts(handle);
        double[] numbers = nativeNumbers(handle);
        int text = 0;
        int number = 0;
        this.name = texts[text++];
        this.version = texts[text++];
        this.description = texts[text++];
        this.path = Path.of(texts[text++]);
        this.abiMajor = (int) numbers[number++];
        this.abiMinor = (int) numbers[number++];
        int operationCount = (int) numbers[number++];
        List<PluginOperation> described = new ArrayList<>(operationCount);
        for (int o = 0; o < operationCount; o++) {
            String operationName = texts[text++];
            String operationDocs = texts[text++];
            PluginOperationKind kind = PluginOperationKind.fromValue((int) numbers[number++]);
            int parameterCount = (int) numbers[number++];
            List<PluginParameter> parameters = new ArrayList<>(parameterCount);
            for (int p = 0; p < parameterCount; p++) {
                String parameterName = texts[text++];
                String parameterDocs = texts[text++];
                PluginParameterType type = PluginParameterType.fromValue((int) numbers[number++]);
                double defaultValue = numbers[number++];
                double minimum = numbers[number++];
                double maximum = numbers[number++];
                parameters.add(new PluginParameter(parameterName, parameterDocs, type, defaultValue, minimum, maximum));
            }
            described.add(new PluginOperation(operationName, operationDocs, kind, parameters));
        }
        if (text != texts.length || number != numbers.length) {
            throw new PixbridgeException(ErrorCode.PANIC, "the native library described plugin " + name
                    + " inconsistently (" + texts.length + " texts, " + numbers.length + " numbers)");
        }
        this.operations = List.copyOf(described);
    }

    /**
     * Loads the plugin at {@code path} and reads its description. Its operations can be applied
     * by name from then on, until {@link #close()}.
     *
     * @param path the plugin's shared library ({@code .so}, {@code .dylib} or {@code .dll})
     * @return the loaded plugin, which the caller must close to unload it
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not on the default file system
     * @throws PixbridgeException {@link ErrorCode#NOT_FOUND} if there is no such file,
     *     {@link ErrorCode#PERMISSION_DENIED} or {@link ErrorCode#IO} if it cannot be read,
     *     {@link ErrorCode#PLUGIN_REJECTED} (the message says why) if it is not a usable plugin:
     *     not a loadable library, no entry symbol, an unsupported plugin ABI, a malformed
     *     descriptor, or an operation name that Pixbridge or another loaded plugin already has
     */
    public static Plugin load(Path path) {
        byte[] utf8 = Image.pathUtf8(path, "path");
        NativeLoader.load();
        synchronized (LOCK) {
            long handle = nativeLoad(utf8);
            Plugin plugin;
            try {
                plugin = new Plugin(handle);
            } catch (RuntimeException | Error e) {
                try {
                    nativeUnload(handle);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            for (PluginOperation operation : plugin.operations) {
                REGISTRY.put(operation.name(), operation);
            }
            return plugin;
        }
    }

    /**
     * Returns the plugin's name, as it gives it (for example {@code "sepia"}).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the plugin's version, free text as the plugin gives it (for example
     * {@code "1.0.0"}).
     *
     * @return the version
     */
    public String version() {
        return version;
    }

    /**
     * Returns what the plugin does; empty if it says nothing (always for a plugin built for
     * plugin ABI 1.0, whose descriptor has no such text).
     *
     * @return the description, possibly empty
     */
    public String description() {
        return description;
    }

    /**
     * Returns the path the plugin was loaded from (absolute).
     *
     * @return the path
     */
    public Path path() {
        return path;
    }

    /**
     * Returns the major version of the plugin ABI the plugin was built for.
     *
     * @return the major version, for example 1
     */
    public int abiMajor() {
        return abiMajor;
    }

    /**
     * Returns the minor version of the plugin ABI the plugin was built for.
     *
     * @return the minor version, for example 1 (0 for a plugin built for the first version)
     */
    public int abiMinor() {
        return abiMinor;
    }

    /**
     * Returns the version of the plugin ABI the plugin was built for, as {@code "major.minor"}.
     *
     * @return for example {@code "1.1"}
     */
    public String abiVersion() {
        return abiMajor + "." + abiMinor;
    }

    /**
     * Returns the plugin's operations, in the plugin's order. Read once at load; still
     * available after {@link #close()}.
     *
     * @return an immutable list of the operations
     */
    public List<PluginOperation> operations() {
        return operations;
    }

    /**
     * Returns whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Unloads the plugin: its operation names go at once (applying one then fails with
     * {@link ErrorCode#INVALID_ARGUMENT}, and the same plugin can be loaded again); calls running
     * one of its operations finish first, and the library is unloaded when the last returns.
     * Images it made stay valid. Idempotent and thread-safe.
     */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (closed) {
                return;
            }
            closed = true;
            for (PluginOperation operation : operations) {
                REGISTRY.remove(operation.name(), operation);
            }
            nativeUnload(handle);
        }
    }

    /**
     * Describes the plugin for debugging.
     *
     * @return for example {@code "Plugin[sepia 1.0.0, /plugins/libpixbridge_sepia.so]"}
     */
    @Override
    public String toString() {
        return "Plugin[" + name + " " + version + ", " + path + (closed ? ", closed]" : "]");
    }

    /** The operation named {@code name} of a plugin loaded through this class and not closed; null if none. */
    static PluginOperation registered(String name) {
        return REGISTRY.get(name);
    }

    /** The names of the operations of the plugins loaded through this class, sorted (for messages). */
    static List<String> registeredNames() {
        List<String> names = new ArrayList<>(REGISTRY.keySet());
        names.sort(null);
        return names;
    }

    // Implemented in bindings-java/native/src/plugins.rs. Callers must have loaded the library.

    /** Loads the plugin at the UTF-8 path and returns its handle. */
    static native long nativeLoad(byte[] pathUtf8);

    /** Unloads the plugin {@code plugin}. */
    static native void nativeUnload(long plugin);

    /**
     * The texts of the description: name, version, docs, path; then per operation its name and
     * docs followed by the name and docs of each parameter.
     */
    static native String[] nativeTexts(long plugin);

    /**
     * The numbers of the description: ABI major, ABI minor, operation count; then per operation
     * its kind and parameter count followed by each parameter's type, default, minimum, maximum.
     */
    static native double[] nativeNumbers(long plugin);

    /**
     * Applies the plugin operation {@code operation} to {@code image} with one value per
     * parameter (or none for every default); returns the new image's handle, or 0 for an
     * in-place operation.
     */
    static native long nativeApply(String operation, long image, double[] arguments);

    /** Loaded plugins in the process, however loaded (leak tests). */
    static native long nativeLiveCount();
}
