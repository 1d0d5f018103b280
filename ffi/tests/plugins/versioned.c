/* versioned: one plugin in two builds, compiled with -DGENERATION=1 and -DGENERATION=2 into
 * libtest_versioned_1.so and libtest_versioned_2.so: plugin "versioned", version "1.0.0" or
 * "2.0.0", with one in-place operation `generation_fill` (no parameters) that sets every pixel
 * to R = G = B = GENERATION * 100, A = 255.
 *
 * What the host must do: a test copies build 1 to a path, loads it and runs generation_fill
 * (100), unloads it, copies build 2 over the same path, loads it again and must now see version
 * "2.0.0" and get 200: unloading really closes the library, and nothing from the first load
 * (descriptor, function pointers, operation table) survives it.
 */
#include <stdio.h>

#include "pixbridge_plugin.h"

#if !defined(GENERATION) || (GENERATION != 1 && GENERATION != 2)
#error "compile with -DGENERATION=1 or -DGENERATION=2"
#endif

#define STRINGIFY(x) #x
#define VERSION_OF(generation) STRINGIFY(generation) ".0.0"

static int32_t run_generation_fill(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                                   const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source;
    if (target == NULL || target->pixels == NULL || target->stride / 4 < target->width) {
        if (message != NULL && message_capacity > 0) {
            snprintf(message, message_capacity, "%s", "generation_fill needs a target image");
        }
        return 1;
    }
    for (uint32_t y = 0; y < target->height; y++) {
        uint8_t* row = target->pixels + (size_t)y * target->stride;
        for (uint32_t x = 0; x < target->width; x++) {
            row[4 * x + 0] = GENERATION * 100;
            row[4 * x + 1] = GENERATION * 100;
            row[4 * x + 2] = GENERATION * 100;
            row[4 * x + 3] = 255;
        }
    }
    return 0;
}

static const PixbridgePluginOperation operations[] = {
    {"generation_fill", "Fills the image with grey GENERATION * 100, opaque.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL,
     run_generation_fill},
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    1,
    "versioned",
    VERSION_OF(GENERATION),
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A plugin built twice, to test unloading and loading a new build from the same path.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
