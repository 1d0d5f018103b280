/* failing: a valid plugin "failing" 1.0.0 whose one operation always fails (built as
 * libbad_failing.so).
 *
 * What the host must do: load it; a call of `always_fails` (in place, no parameters), which
 * returns 7, must fail with a plugin-failure error whose message is exactly
 * "the failing plugin always fails"; the plugin stays loaded and can be called again.
 */
#include <stdio.h>

#include "pixbridge_plugin.h"

static int32_t run_always_fails(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                                const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source, (void)target;
    if (message != NULL && message_capacity > 0) {
        snprintf(message, message_capacity, "%s", "the failing plugin always fails");
    }
    return 7; /* any non-zero value is a failure */
}

static const PixbridgePluginOperation operations[] = {
    {"always_fails", "Fails on every call.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL, run_always_fails},
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    1,
    "failing",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A test plugin whose operation always fails.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
