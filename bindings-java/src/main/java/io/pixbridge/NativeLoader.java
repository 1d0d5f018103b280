package io.pixbridge;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and loads {@code libpixbridge_jni}, in this order:
 *
 * <ol>
 *   <li>the file named by the system property {@value #LIBRARY_PATH_PROPERTY} (an explicit
 *       choice: if it fails, nothing else is tried);
 *   <li>the copy inside the jar at {@code /io/pixbridge/native/<platform>/<file>}, extracted into
 *       a fresh directory that only the current user can access (created inside the directory
 *       named by {@value #EXTRACT_DIR_PROPERTY}, default {@code java.io.tmpdir}), checked
 *       against the jar's bytes with SHA-256, then loaded;
 *   <li>only if the system property {@value #USE_SYSTEM_PATH_PROPERTY} is {@code true}, and
 *       only when the jar's copy is missing or failed to load:
 *       {@code System.loadLibrary("pixbridge_jni")}, i.e. {@code java.library.path}. By default
 *       {@code java.library.path} is never searched, so a stale or planted library there is
 *       never loaded.
 * </ol>
 *
 * <p>A library from outside the jar (the first and third places) is checked after loading: it
 * must implement {@code NativeImage.abiVersion()} (a library that is not a Pixbridge JNI library
 * does not), and that version must equal {@link NativeOperations#ABI_VERSION}, generated with
 * this jar's natives from the same sources. Otherwise loading fails with an
 * {@link UnsatisfiedLinkError} naming the file (and both versions). The check runs after
 * {@link System#load(String)}, when the library's load-time code has already run: point the
 * loader outside the jar only at libraries that you trust.
 */
final class NativeLoader {
    /** System property: absolute path of the JNI library file to load. */
    static final String LIBRARY_PATH_PROPERTY = "pixbridge.library.path";
    /** System property: {@code true} lets the loader fall back to {@code java.library.path}. */
    static final String USE_SYSTEM_PATH_PROPERTY = "pixbridge.library.useSystemPath";
    /** System property: directory in which the private extraction directory is created (for a noexec /tmp). */
    static final String EXTRACT_DIR_PROPERTY = "pixbridge.native.extractDir";
    /** The library's name for {@link System#loadLibrary(String)}. */
    static final String LIBRARY_NAME = "pixbridge_jni";

    private static volatile String source;

    private NativeLoader() {
    }

    /**
     * Loads the library once per class loader.
     *
     * @return how it was found (see {@link Diagnostics#nativeLibrarySource()})
     * @throws UnsatisfiedLinkError naming the platform, the places tried and the loader's messages
     */
    static String load() {
        String loaded = source;
        if (loaded != null) {
            return loaded;
        }
        synchronized (NativeLoader.class) {
            if (source == null) {
                source = loadNow();
            }
            return source;
        }
    }

    private static String loadNow() {
        String explicit = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (explicit != null && !explicit.isEmpty()) {
            try {
                String file = Path.of(explicit).toAbsolutePath().toString();
                System.load(file);
                checkExternal(file);
                return "property:" + explicit;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                throw failure(List.of("-D" + LIBRARY_PATH_PROPERTY + "=" + explicit + ": " + e.getMessage()), e);
            }
        }
        List<String> tried = new ArrayList<>();
        Throwable jarFailure;
        try {
            String extracted = loadFromJar(tried);
            if (extracted != null) {
                return extracted;
            }
            jarFailure = null;
        } catch (IOException | UnsatisfiedLinkError | RuntimeException e) {
            jarFailure = e;
        }
        if (!useSystemPath()) {
            tried.add("java.library.path: not searched (only with -D" + USE_SYSTEM_PATH_PROPERTY + "=true)");
            throw failure(tried, jarFailure, "\nTo use a library from outside the jar, name its file with -D"
                    + LIBRARY_PATH_PROPERTY + "=/absolute/path/" + System.mapLibraryName(LIBRARY_NAME)
                    + ", or let the loader search java.library.path with -D" + USE_SYSTEM_PATH_PROPERTY + "=true.");
        }
        String libraryPath = System.getProperty("java.library.path");
        try {
            System.loadLibrary(LIBRARY_NAME);
            checkExternal(onLibraryPath(libraryPath));
            return "java.library.path";
        } catch (UnsatisfiedLinkError e) {
            tried.add("System.loadLibrary(\"" + LIBRARY_NAME + "\") with java.library.path=" + libraryPath
                    + " (-D" + USE_SYSTEM_PATH_PROPERTY + "=true): " + e.getMessage());
            throw failure(tried, e);
        }
    }

    /** Whether {@value #USE_SYSTEM_PATH_PROPERTY} is {@code true} (ignoring case). */
    private static boolean useSystemPath() {
        return Boolean.parseBoolean(System.getProperty(USE_SYSTEM_PATH_PROPERTY));
    }

    /**
     * Loads the jar's copy for this platform.
     *
     * @return {@code "extracted:<file>"}, or null if the jar has no library for this platform
     * @throws IOException or {@link UnsatisfiedLinkError} if reading, extracting, the hash check or
     *     loading failed; {@code tried} then says what happened
     */
    private static String loadFromJar(List<String> tried) throws IOException {
        String resource = resourcePath();
        byte[] library;
        try {
            library = readLibrary(NativeLoader.class::getResourceAsStream, currentOsName(), currentOsArch(), isMusl());
        } catch (IOException e) {
            tried.add("jar resource " + resource + ": " + e.getMessage());
            throw e;
        }
        if (library == null) {
            tried.add("jar resource " + resource + ": not in the jar (no native library packaged for this platform)");
            return null;
        }
        Path file;
        try {
            file = extract(library);
        } catch (IOException | RuntimeException e) {
            tried.add("extracting jar resource " + resource + ": " + e);
            throw e;
        }
        try {
            verifyAndLoad(file, sha256(library));
            return "extracted:" + file;
        } catch (IOException | UnsatisfiedLinkError | RuntimeException e) {
            tried.add("jar resource " + resource + " extracted to " + file + ": " + e.getMessage());
            throw e;
        } finally {
            deleteExtracted(file);
        }
    }

    /**
     * Checks that the library just loaded from {@code file} (outside the jar) is a Pixbridge JNI
     * library for this SDK: it must implement {@code NativeImage.abiVersion()}, and that version
     * must be {@link NativeOperations#ABI_VERSION} (generated with this SDK's natives).
     *
     * @throws UnsatisfiedLinkError naming {@code file} and both versions if it is not
     */
    static void checkExternal(String file) {
        int version;
        try {
            version = NativeImage.abiVersion();
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(file + " was loaded but is not a Pixbridge JNI library"
                    + " for this SDK: it does not implement io.pixbridge.NativeImage.abiVersion() (" + e.getMessage()
                    + "); its load-time code has already run in this JVM");
            error.initCause(e);
            throw error;
        }
        if (version != NativeOperations.ABI_VERSION) {
            throw new UnsatisfiedLinkError(file + " was loaded but has ABI version " + version
                    + ", and this SDK needs ABI version " + NativeOperations.ABI_VERSION
                    + ": it was built from other Pixbridge sources");
        }
    }

    /** The file {@code System.loadLibrary} found in {@code libraryPath}, for messages: the first directory that has one. */
    private static String onLibraryPath(String libraryPath) {
        String name = System.mapLibraryName(LIBRARY_NAME);
        if (libraryPath != null) {
            for (String directory : libraryPath.split(File.pathSeparator)) {
                try {
                    Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
                    if (Files.isRegularFile(candidate)) {
                        return candidate.toAbsolutePath().toString();
                    }
                } catch (RuntimeException e) {
                    // An entry that is not a valid path: System.loadLibrary skipped it too.
                }
            }
        }
        return name + " on java.library.path";
    }

    private static UnsatisfiedLinkError failure(List<String> tried, Throwable cause) {
        return failure(tried, cause, "");
    }

    private static UnsatisfiedLinkError failure(List<String> tried, Throwable cause, String hint) {
        StringBuilder message = new StringBuilder("Pixbridge could not load its native library for platform ")
                .append(platform()).append(". Tried:");
        for (int i = 0; i < tried.size(); i++) {
            message.append("\n  ").append(i + 1).append(". ").append(tried.get(i));
        }
        message.append(hint);
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message.toString());
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }

    /** The resource holding this platform's library, e.g. {@code /io/pixbridge/native/linux-x86_64/libpixbridge_jni.so}. */
    static String resourcePath() {
        return resourcePath(currentOsName(), currentOsArch(), isMusl());
    }

    /** The platform folder for this JVM: {@code <os>[-musl]-<arch>}. */
    static String platform() {
        return platform(currentOsName(), currentOsArch(), isMusl());
    }

    private static String currentOsName() {
        return System.getProperty("os.name", "");
    }

    private static String currentOsArch() {
        return System.getProperty("os.arch", "");
    }

    /**
     * The resource holding a platform's library inside the jar: the one rule the jar's layout
     * ({@code ci/package-java.sh}, docs/platforms.md) and this loader share. Pure, so that every
     * platform's choice is tested on any machine.
     *
     * @param osName the {@code os.name} system property, e.g. {@code Linux}, {@code Mac OS X}, {@code Windows 11}
     * @param osArch the {@code os.arch} system property, e.g. {@code amd64}, {@code x86_64}, {@code aarch64}
     * @param musl whether the JVM runs on musl libc (Alpine); only read on Linux
     * @return e.g. {@code /io/pixbridge/native/windows-aarch64/pixbridge_jni.dll}
     */
    static String resourcePath(String osName, String osArch, boolean musl) {
        return "/io/pixbridge/native/" + platform(osName, osArch, musl) + "/" + libraryFileName(osName);
    }

    /**
     * The platform folder: {@code linux-}, {@code linux-musl-}, {@code macos-} or {@code windows-},
     * then the architecture ({@code x86_64}, {@code aarch64}, {@code x86}, or {@code os.arch}
     * reduced to letters, digits and underscores). Other systems use {@code os.name} reduced to
     * letters and digits.
     *
     * @param osName the {@code os.name} system property
     * @param osArch the {@code os.arch} system property (the JVM's, not the machine's: an x86-64
     *     JVM on an Arm64 Windows needs the x86-64 library)
     * @param musl whether the JVM runs on musl libc; only read on Linux
     * @return e.g. {@code linux-musl-x86_64}
     */
    static String platform(String osName, String osArch, boolean musl) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = architecture(osArch.toLowerCase(Locale.ROOT));
        if (os.startsWith("linux")) {
            return (musl ? "linux-musl-" : "linux-") + arch;
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "macos-" + arch;
        }
        if (os.startsWith("windows")) {
            return "windows-" + arch;
        }
        return os.replaceAll("[^a-z0-9]+", "") + "-" + arch;
    }

    /**
     * The library's file name on a system: what {@link System#mapLibraryName(String)} gives there
     * for {@value #LIBRARY_NAME}, written out so that it does not depend on the running JVM.
     *
     * @param osName the {@code os.name} system property
     * @return {@code pixbridge_jni.dll}, {@code libpixbridge_jni.dylib} or {@code libpixbridge_jni.so}
     */
    static String libraryFileName(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return LIBRARY_NAME + ".dll";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "lib" + LIBRARY_NAME + ".dylib";
        }
        return "lib" + LIBRARY_NAME + ".so";
    }

    private static String architecture(String arch) {
        switch (arch) {
            case "amd64":
            case "x86_64":
            case "x64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            case "x86":
            case "i386":
            case "i486":
            case "i586":
            case "i686":
                return "x86";
            default:
                return arch.replaceAll("[^a-z0-9_]+", "");
        }
    }

    /**
     * Whether this JVM runs on musl libc (worked out once), from the libraries mapped into the process
     * ({@code /proc/self/maps}); where that cannot be read, whether musl's dynamic loader
     * {@code /lib/ld-musl-<arch>.so.1} exists.
     */
    private static boolean isMusl() {
        return MuslHolder.MUSL;
    }

    /** Reads {@code /proc/self/maps} once, on first use. */
    private static final class MuslHolder {
        static final boolean MUSL = detectMusl();

        private MuslHolder() {
        }
    }

    private static boolean detectMusl() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        try {
            return isMusl(Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            try (var entries = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
                return entries.iterator().hasNext();
            } catch (IOException | RuntimeException e2) {
                return false;
            }
        }
    }

    /**
     * Whether a process whose {@code /proc/self/maps} has these lines is a musl one: musl's
     * loader ({@code ld-musl-<arch>.so.1}) or libc ({@code libc.musl-<arch>.so.1}) is mapped. A
     * glibc system that merely has musl installed (Debian's {@code musl} package puts
     * {@code /lib/ld-musl-x86_64.so.1} there) is not musl.
     *
     * @param mapsLines the lines of {@code /proc/self/maps}
     * @return {@code true} for musl
     */
    static boolean isMusl(List<String> mapsLines) {
        for (String line : mapsLines) {
            int slash = line.lastIndexOf('/');
            if (slash >= 0) {
                String file = line.substring(slash + 1);
                if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Opens a resource by its absolute name ({@code /io/pixbridge/...}); null if there is none. */
    @FunctionalInterface
    interface Resources {
        /**
         * Opens one resource.
         *
         * @param absoluteName the resource's name, starting with {@code /}
         * @return its stream, or null if there is no such resource
         * @throws IOException if it exists but cannot be opened
         */
        InputStream open(String absoluteName) throws IOException;
    }

    /**
     * Reads a platform's library from {@code resources} (the jar, in {@link #load()}).
     *
     * @param resources where resources are looked up
     * @param osName the {@code os.name} system property
     * @param osArch the {@code os.arch} system property
     * @param musl whether the JVM runs on musl libc
     * @return the library's bytes, or null if there is none for that platform (never another platform's)
     * @throws IOException if reading failed
     */
    static byte[] readLibrary(Resources resources, String osName, String osArch, boolean musl) throws IOException {
        try (InputStream in = resources.open(resourcePath(osName, osArch, musl))) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** Writes the library into a new directory that only the current user can access. */
    private static Path extract(byte[] library) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] ownerOnlyDirectory = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        String parent = System.getProperty(EXTRACT_DIR_PROPERTY);
        Path directory = parent == null || parent.isEmpty()
                ? Files.createTempDirectory("pixbridge-native-", ownerOnlyDirectory)
                : Files.createTempDirectory(Path.of(parent), "pixbridge-native-", ownerOnlyDirectory);
        Path file = directory.resolve(System.mapLibraryName(LIBRARY_NAME));
        if (posix) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(file, library, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            Files.write(file, library, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        return file;
    }

    /**
     * Loads {@code file} only if its SHA-256 equals {@code expectedSha256} (the jar's bytes), so a
     * file changed after extraction is never loaded.
     *
     * @throws UnsatisfiedLinkError if the hash differs or the system loader fails
     */
    static void verifyAndLoad(Path file, byte[] expectedSha256) throws IOException {
        byte[] actual = sha256(Files.readAllBytes(file));
        if (!MessageDigest.isEqual(actual, expectedSha256)) {
            throw new UnsatisfiedLinkError("refusing to load " + file
                    + ": its SHA-256 differs from the library inside the jar (the extracted file was modified)");
        }
        System.load(file.toAbsolutePath().toString());
    }

    /** Removes the extracted copy: a loaded library stays mapped on POSIX; Windows keeps it until exit. */
    private static void deleteExtracted(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException e) {
            file.toFile().deleteOnExit();
            file.getParent().toFile().deleteOnExit();
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
