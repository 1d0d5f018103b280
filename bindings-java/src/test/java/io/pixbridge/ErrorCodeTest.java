package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void numbersMatchTheCAbi() {
        // The stable numbers from docs/design.md, written out independently of the enum.
        String[] names = {"Ok", "NullArgument", "InvalidHandle", "NotFound", "Io", "PermissionDenied",
            "UnsupportedFormat", "Decode", "Encode", "InvalidArgument", "LimitExceeded", "InvalidUtf8",
            "BufferTooSmall", "Panic", "Cancelled", "PluginFailed", "PluginRejected"};
        assertEquals(names.length, ErrorCode.values().length);
        for (int i = 0; i < names.length; i++) {
            assertEquals(names[i], ErrorCode.fromValue(i).nativeName());
            assertEquals(i, ErrorCode.fromValue(i).value());
        }
        assertThrows(IllegalArgumentException.class, () -> ErrorCode.fromValue(17));
        assertThrows(IllegalArgumentException.class, () -> ErrorCode.fromValue(-1));
    }
}
