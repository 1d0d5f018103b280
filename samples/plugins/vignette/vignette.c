/* vignette: a sample Pixbridge plugin in plain C99.
 *
 * It needs only ffi/include/pixbridge_plugin.h and a C compiler (no Pixbridge library to link
 * against) and gives the host two operations:
 *
 *   vignette   (new image)  darkens the image towards its corners; strength 0..1, default 0.5
 *   posterize  (in place)   reduces each of R, G, B to `levels` evenly spaced values, 2..256
 *
 * Build: make   (or the one line in the Makefile) -> libpixbridge_vignette.so
 *
 * The run functions write nothing but their target and message buffer, so the host may call
 * them on several threads at once.
 */
#include <stdio.h>

#include "pixbridge_plugin.h"

/* Writes a message for the host (truncated to the buffer, always NUL-terminated) and returns
 * the failure code. */
static int32_t fail(char* message, size_t capacity, const char* text) {
    if (message != NULL && capacity > 0) {
        snprintf(message, capacity, "%s", text);
    }
    return 1;
}

/* A view is usable when it has pixels and each row fits in its stride. */
static int view_ok(const void* pixels, uint32_t width, uint32_t height, size_t stride) {
    return pixels != NULL && width > 0 && height > 0 && stride / 4 >= width;
}

/* ---- vignette ---- */

static int32_t run_vignette(const double* arguments, size_t argument_count,
                            const PixbridgePluginSource* source, const PixbridgePluginTarget* target,
                            char* message, size_t message_capacity) {
    if (arguments == NULL || argument_count != 1) {
        return fail(message, message_capacity, "vignette takes 1 argument (strength)");
    }
    if (source == NULL || !view_ok(source->pixels, source->width, source->height, source->stride)) {
        return fail(message, message_capacity, "vignette needs a source image");
    }
    if (target == NULL || !view_ok(target->pixels, target->width, target->height, target->stride)) {
        return fail(message, message_capacity, "vignette needs a target image");
    }
    if (source->width != target->width || source->height != target->height) {
        return fail(message, message_capacity, "the source and target sizes differ");
    }
    const double strength = arguments[0];
    const double width = (double)target->width;
    const double height = (double)target->height;
    for (uint32_t y = 0; y < target->height; y++) {
        const uint8_t* in = source->pixels + (size_t)y * source->stride;
        uint8_t* out = target->pixels + (size_t)y * target->stride;
        /* Pixel centres mapped to -1..1, so the falloff is symmetric on both axes. */
        const double dy = ((double)y + 0.5) / height * 2.0 - 1.0;
        for (uint32_t x = 0; x < target->width; x++) {
            const double dx = ((double)x + 0.5) / width * 2.0 - 1.0;
            double f = 1.0 - strength * (dx * dx + dy * dy) / 2.0;
            if (f < 0.0) {
                f = 0.0;
            }
            for (int c = 0; c < 3; c++) {
                out[4 * x + c] = (uint8_t)(in[4 * x + c] * f + 0.5);
            }
            out[4 * x + 3] = in[4 * x + 3];
        }
    }
    return 0;
}

static const PixbridgePluginParameter vignette_parameters[] = {
    {"strength",
     "How dark the corners get: 0 leaves the image unchanged, 1 takes the corners to black. "
     "Default 0.5.",
     PIXBRIDGE_PLUGIN_PARAMETER_FLOAT, 0, 0.5, 0.0, 1.0},
};

/* ---- posterize ---- */

static int32_t run_posterize(const double* arguments, size_t argument_count,
                             const PixbridgePluginSource* source, const PixbridgePluginTarget* target,
                             char* message, size_t message_capacity) {
    (void)source; /* NULL for an in-place operation */
    if (arguments == NULL || argument_count != 1) {
        return fail(message, message_capacity, "posterize takes 1 argument (levels)");
    }
    if (target == NULL || !view_ok(target->pixels, target->width, target->height, target->stride)) {
        return fail(message, message_capacity, "posterize needs a target image");
    }
    /* The host has checked that levels is an integer in 2..256; check again rather than divide
     * by zero if it were not. */
    if (!(arguments[0] >= 2.0 && arguments[0] <= 256.0)) {
        return fail(message, message_capacity, "levels must be between 2 and 256");
    }
    const unsigned n = (unsigned)arguments[0] - 1u;
    for (uint32_t y = 0; y < target->height; y++) {
        uint8_t* row = target->pixels + (size_t)y * target->stride;
        for (uint32_t x = 0; x < target->width; x++) {
            for (int c = 0; c < 3; c++) {
                /* The nearest of n + 1 levels, then back to 0..255, both rounded. */
                const unsigned q = (row[4 * x + c] * n + 127u) / 255u;
                row[4 * x + c] = (uint8_t)((q * 255u + n / 2u) / n);
            }
        }
    }
    return 0;
}

static const PixbridgePluginParameter posterize_parameters[] = {
    {"levels", "How many values each of red, green and blue keeps, from 2 to 256. Default 4.",
     PIXBRIDGE_PLUGIN_PARAMETER_INT, 0, 4.0, 2.0, 256.0},
};

/* ---- the descriptor ---- */

static const PixbridgePluginOperation operations[] = {
    {"vignette",
     "Darkens the image gradually towards its edges and corners, like an old lens, and returns "
     "a new image. Alpha is kept.",
     PIXBRIDGE_PLUGIN_KIND_FRESH, 1, vignette_parameters, run_vignette},
    {"posterize",
     "Reduces each of red, green and blue to a few evenly spaced values, for a flat, poster-like "
     "look. Alpha is kept.",
     PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 1, posterize_parameters, run_posterize},
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    sizeof operations / sizeof operations[0],
    "vignette",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A sample plugin in C: a vignette (a new image) and a posterize (in place).",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
