/* legacy_v1_0: a plugin as it was built against ABI 1.0, before 1.1 appended `docs` to the
 * descriptor (built as libtest_legacy_v1_0.so).
 *
 * It does not use the header's PixbridgePluginDescriptor: it declares its own copy of the 1.0
 * descriptor (the 1.1 one without the trailing `docs`, 48 bytes on 64-bit platforms) and sets
 * `abi_minor = 0` and `size` to that struct's size. Only the other types come from the header;
 * their layout has not changed since 1.0.
 *
 * What the host must do: load it (any size >= 48 with major 1 is accepted), read nothing past
 * `size` (its docs are absent, reported as none, not read from whatever follows in memory), and
 * run `legacy_invert` (in place, no parameters): R, G, B become 255 - value, alpha is kept.
 */
#include <stddef.h>
#include <stdio.h>

#include "pixbridge_plugin.h"

/* The descriptor of ABI 1.0, field for field. */
typedef struct LegacyDescriptor10 {
    uint32_t size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t operation_count;
    const char* name;
    const char* version;
    const PixbridgePluginOperation* operations;
    uint32_t operation_size;
    uint32_t parameter_size;
} LegacyDescriptor10;

/* 1.1 appended `docs` right after the 1.0 fields: the 1.0 size is the offset of `docs` (a
 * compile-time check, written for C99, which has no _Static_assert). */
typedef char legacy_size_is_the_1_0_size[sizeof(LegacyDescriptor10) == offsetof(PixbridgePluginDescriptor, docs) ? 1 : -1];

static int32_t run_legacy_invert(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                                 const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source;
    if (target == NULL || target->pixels == NULL || target->stride / 4 < target->width) {
        if (message != NULL && message_capacity > 0) {
            snprintf(message, message_capacity, "%s", "legacy_invert needs a target image");
        }
        return 1;
    }
    for (uint32_t y = 0; y < target->height; y++) {
        uint8_t* row = target->pixels + (size_t)y * target->stride;
        for (uint32_t x = 0; x < target->width; x++) {
            for (int c = 0; c < 3; c++) {
                row[4 * x + c] = (uint8_t)(255 - row[4 * x + c]);
            }
        }
    }
    return 0;
}

static const PixbridgePluginOperation operations[] = {
    {"legacy_invert", "Inverts R, G and B; alpha is kept.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL,
     run_legacy_invert},
};

static const LegacyDescriptor10 descriptor = {
    sizeof(LegacyDescriptor10),
    1, /* ABI 1.0 */
    0,
    1,
    "legacy",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
};

/* The header declares the 1.1 return type; a 1.0 plugin returned its own (shorter) struct. */
const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return (const PixbridgePluginDescriptor*)(const void*)&descriptor;
}
