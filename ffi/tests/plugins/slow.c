/* slow: plugin "slow" 1.0.0 with one in-place operation `hold` whose parameter `milliseconds`
 * (int, default 100, 0..10000) says how long it sleeps before it inverts R, G and B (alpha kept)
 * (built as libtest_slow.so, with -D_POSIX_C_SOURCE=199309L for nanosleep).
 *
 * What the host must do: a test starts `hold` on one thread and asks to unload the plugin on
 * another while the call sleeps. The host must not close the library under a running call:
 * either the unload waits until the call has returned, or it is refused (or deferred) with an
 * error; in every case the call finishes normally, with the image inverted, and no code of the
 * plugin runs after the library is closed.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L /* nanosleep */
#endif

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "pixbridge_plugin.h"

static int32_t run_hold(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                        const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)source;
    if (arguments == NULL || argument_count != 1 || target == NULL || target->pixels == NULL ||
        target->stride / 4 < target->width || !(arguments[0] >= 0.0 && arguments[0] <= 10000.0)) {
        if (message != NULL && message_capacity > 0) {
            snprintf(message, message_capacity, "%s", "hold needs a target image and milliseconds in 0..10000");
        }
        return 1;
    }
    const long milliseconds = (long)arguments[0];
    struct timespec left = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    /* A signal cuts the sleep short: sleep what is left. */
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
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

static const PixbridgePluginParameter hold_parameters[] = {
    {"milliseconds", "How long to sleep before inverting the image.", PIXBRIDGE_PLUGIN_PARAMETER_INT, 0, 100.0, 0.0,
     10000.0},
};

static const PixbridgePluginOperation operations[] = {
    {"hold", "Sleeps for `milliseconds`, then inverts R, G and B; alpha is kept.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 1,
     hold_parameters, run_hold},
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    1,
    "slow",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A test plugin whose operation takes as long as asked.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
