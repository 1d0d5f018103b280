package io.pixbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The generated enums: numbers, native names, lookups, and ImageFormat's extra name lookup. */
class EnumsTest {
    @Test
    void fromValueInvertsValueAndRefusesUnknownNumbers() {
        for (ImageFormat format : ImageFormat.values()) {
            assertSame(format, ImageFormat.fromValue(format.value()));
        }
        for (ResizeFilter filter : ResizeFilter.values()) {
            assertSame(filter, ResizeFilter.fromValue(filter.value()));
        }
        for (ColorType type : ColorType.values()) {
            assertSame(type, ColorType.fromValue(type.value()));
        }
        assertThrows(IllegalArgumentException.class, () -> ImageFormat.fromValue(-1));
        assertThrows(IllegalArgumentException.class, () -> ResizeFilter.fromValue(3));
        assertThrows(IllegalArgumentException.class, () -> ColorType.fromValue(10));
    }

    @Test
    void nativeNamesAreTheRustVariants() {
        // Written out independently of the generator: the names of docs/design.md.
        assertEquals("WebP", ImageFormat.WEBP.nativeName());
        assertEquals(2, ImageFormat.WEBP.value());
        assertEquals("Lanczos3", ResizeFilter.LANCZOS3.nativeName());
        assertEquals("Rgba32F", ColorType.RGBA32F.nativeName());
        assertEquals(9, ColorType.RGBA32F.value());
        assertEquals("InvalidArgument", ErrorCode.INVALID_ARGUMENT.nativeName());
    }

    @Test
    void imageFormatFromNameIgnoresCaseAndAcceptsJpg() {
        assertSame(ImageFormat.JPEG, ImageFormat.fromName("jpg"));
        assertSame(ImageFormat.JPEG, ImageFormat.fromName("JPEG"));
        assertSame(ImageFormat.WEBP, ImageFormat.fromName("webp"));
        assertSame(ImageFormat.PNM, ImageFormat.fromName("Pnm"));
        assertThrows(IllegalArgumentException.class, () -> ImageFormat.fromName("jpeg2000"));
        assertThrows(NullPointerException.class, () -> ImageFormat.fromName(null));
    }
}
