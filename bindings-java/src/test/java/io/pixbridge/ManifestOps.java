package io.pixbridge;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies one manifest operation ({@code {"op": "blur", "sigma": 4}}) to an image: the syntax the
 * golden manifest and the bad-input corpus share.
 *
 * <p>Operations are found by name, as C#'s {@code ManifestOps.cs} does: {@code adjust_brightness}
 * is {@link Image#adjustBrightness(int)}, and each parameter is read from the JSON key whose lower
 * camel case is the Java parameter's name (the pom compiles with {@code -parameters}). So no
 * operation is listed here by hand and the manifests exercise the generated methods exactly as a
 * user calls them. Only pseudo-operations that are not image operations ({@code encode_decode})
 * are written out.
 */
final class ManifestOps {
    private ManifestOps() {
    }

    /** Applies one manifest op; a fresh-kind op replaces (and closes) the current image. */
    static Image apply(Image image, Map<String, Object> op) {
        String name = (String) op.get("op");
        if (name.equals("encode_decode")) {
            ImageFormat format = ImageFormat.fromName((String) op.get("format"));
            byte[] encoded = op.containsKey("quality") ? image.encode(format, int32(op, "quality")) : image.encode(format);
            return replace(image, Image.decode(encoded));
        }
        Method method = operation(name);
        Parameter[] parameters = method.getParameters();
        Set<String> keys = new TreeSet<>(op.keySet());
        keys.remove("op");
        Object[] arguments = new Object[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            String key = key(op, name, parameters[i].getName());
            keys.remove(key);
            arguments[i] = convert(op, key, parameters[i].getType());
        }
        if (!keys.isEmpty()) {
            throw new AssertionError("manifest operation " + name + " has unknown parameters " + keys);
        }
        Object result;
        try {
            result = method.invoke(image, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new AssertionError(cause);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
        return result instanceof Image ? replace(image, (Image) result) : image;
    }

    /** The generated operation of {@link Image} named after the manifest operation, as declared (not a bridge). */
    private static Method operation(String opName) {
        String methodName = lowerCamel(opName);
        List<Method> found = new ArrayList<>();
        for (Method method : Image.class.getMethods()) {
            if (method.getName().equals(methodName) && !Modifier.isStatic(method.getModifiers())) {
                Method declared = declaration(method);
                if (declared.getDeclaringClass() == ImageOperations.class) {
                    found.add(declared);
                }
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("manifest operation " + opName + ": Image has " + found.size()
                    + " generated operations named " + methodName + ", expected one");
        }
        Method method = found.get(0);
        for (Parameter parameter : method.getParameters()) {
            if (!parameter.isNamePresent()) {
                throw new AssertionError(method + " was compiled without -parameters: its parameter names are unknown");
            }
        }
        return method;
    }

    /**
     * A bridge method that javac adds to a public class for a public method it inherits from a
     * package-private one has no parameter names: use the method it forwards to.
     */
    private static Method declaration(Method method) {
        Method current = method;
        while (current.isBridge()) {
            try {
                current = current.getDeclaringClass().getSuperclass().getDeclaredMethod(current.getName(), current.getParameterTypes());
            } catch (NoSuchMethodException e) {
                throw new AssertionError("no declaration behind bridge " + method, e);
            }
        }
        return current;
    }

    /** The JSON key of a Java parameter: the one whose lower camel case is its name. */
    private static String key(Map<String, Object> op, String opName, String parameterName) {
        for (String key : op.keySet()) {
            if (!key.equals("op") && lowerCamel(key).equals(parameterName)) {
                return key;
            }
        }
        throw new AssertionError("manifest operation " + opName + " lacks parameter " + parameterName);
    }

    /** A manifest value as a Java parameter of the given type. */
    private static Object convert(Map<String, Object> op, String key, Class<?> type) {
        if (type == float.class) {
            return f(op, key);
        }
        if (type == int.class) {
            return int32(op, key);
        }
        if (type.isEnum()) {
            return byNativeName(type, (String) op.get(key));
        }
        throw new AssertionError("unsupported parameter type " + type + " of " + key);
    }

    /** The constant of a generated enum whose {@code nativeName()} is {@code name} (e.g. "Lanczos3"). */
    private static Object byNativeName(Class<?> type, String name) {
        try {
            Method nativeName = type.getMethod("nativeName");
            for (Object constant : type.getEnumConstants()) {
                if (nativeName.invoke(constant).equals(name)) {
                    return constant;
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(type + " is not a generated enum with nativeName()", e);
        }
        throw new AssertionError("no " + type.getSimpleName() + " is named " + name);
    }

    /**
     * {@code adjust_brightness} to {@code adjustBrightness}: the rule of the generator
     * ({@code codegen/src/naming.rs}), where a letter after {@code _} (skipping digits) is upper-cased.
     */
    static String lowerCamel(String snake) {
        StringBuilder out = new StringBuilder(snake.length());
        boolean capitalize = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                capitalize = true;
            } else if (capitalize && !Character.isDigit(c)) {
                out.append(Character.toUpperCase(c));
                capitalize = false;
            } else {
                out.append(c);
            }
        }
        return out.toString();
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
