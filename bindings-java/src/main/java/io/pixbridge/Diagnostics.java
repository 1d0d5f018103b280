package io.pixbridge;

/** Counters and facts about the native library, for leak tests and support. */
public final class Diagnostics {
    private Diagnostics() {
    }

    /**
     * Returns the number of live native image handles in this process. Every open
     * {@link Image} holds one, and so does every pixel view from {@link Image#pixels()} until
     * it is garbage collected. Leak tests compare it with a baseline.
     *
     * @return the number of live image handles
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static long liveHandleCount() {
        NativeLoader.load();
        return NativeImage.liveHandleCount();
    }

    /**
     * Returns the number of live native controls in this process: each asynchronous call
     * ({@code blurAsync}, {@code openAsync}, ...) holds one from its submission until its native
     * work ends or it is cancelled before it started. Leak tests compare it with a baseline.
     *
     * @return the number of live controls
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static long liveControlCount() {
        NativeLoader.load();
        return NativeImage.liveControls();
    }

    /**
     * Returns the number of plugins loaded in this process (by {@link Plugin#load} and not yet
     * closed). Leak tests compare it with a baseline.
     *
     * @return the number of loaded plugins
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static long livePluginCount() {
        NativeLoader.load();
        return Plugin.nativeLiveCount();
    }

    /**
     * Returns the number of live native encoded-buffer handles in this process. The Java SDK
     * never holds one (encoding returns a Java array), so it stays at its baseline; leak tests
     * check that it does.
     *
     * @return the number of live buffer handles
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static long liveBufferCount() {
        NativeLoader.load();
        return NativeImage.liveBuffers();
    }

    /**
     * Describes where the native library was loaded from, in the loader's order of preference:
     * {@code "property:<path>"} (the file named by {@code -Dpixbridge.library.path}),
     * {@code "extracted:<path>"} (the jar's own copy, checked by SHA-256, extracted to
     * {@code <path>} and deleted once loaded) or {@code "java.library.path"} (only with
     * {@code -Dpixbridge.library.useSystemPath=true}, when the jar has no library for this
     * platform or its copy failed to load). A library from outside the jar is used only if it is
     * a Pixbridge JNI library whose ABI version has this SDK's operation count.
     *
     * @return how the native library was found
     * @throws UnsatisfiedLinkError if the native library cannot be loaded
     */
    public static String nativeLibrarySource() {
        return NativeLoader.load();
    }

    /**
     * Returns the platform folder this JVM looks for inside the jar, such as
     * {@code "linux-x86_64"}, {@code "linux-musl-aarch64"}, {@code "macos-aarch64"} or
     * {@code "windows-x86_64"}.
     *
     * @return the platform identifier
     */
    public static String platform() {
        return NativeLoader.platform();
    }
}
