/* future_abi: a bad plugin built for a future major version of the ABI, `abi_major = 2`
 * (built as libbad_future_abi.so).
 *
 * What the host must do: refuse to load it with an error naming the ABI version (a major
 * version may change anything, so nothing past `abi_major` may be trusted), without calling
 * `run`. The rest of the descriptor is a valid 1.1 one.
 */
#include "pixbridge_plugin.h"

static int32_t run_nothing(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                           const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source, (void)target, (void)message, (void)message_capacity;
    return 0;
}

static const PixbridgePluginOperation operations[] = {
    {"future_abi_nothing", "Does nothing.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL, run_nothing},
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    2, /* the defect: a major version this host does not speak */
    0,
    1,
    "future_abi",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A plugin for ABI 2.0.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
