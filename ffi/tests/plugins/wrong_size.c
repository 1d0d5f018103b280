/* wrong_size: a bad plugin whose descriptor says `size = 20`, less than the 48 bytes of a 1.0
 * descriptor (built as libbad_wrong_size.so).
 *
 * What the host must do: refuse to load it (the smallest size it accepts is 48, a 1.0
 * descriptor) with an error naming the descriptor size, trusting no field past `size`, and
 * never calling `run`. Everything else in the descriptor is valid: the size is the only defect.
 */
#include "pixbridge_plugin.h"

static int32_t run_nothing(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                           const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source, (void)target, (void)message, (void)message_capacity;
    return 0;
}

static const PixbridgePluginOperation operations[] = {
    {"wrong_size_nothing", "Does nothing.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL, run_nothing},
};

static const PixbridgePluginDescriptor descriptor = {
    20, /* the defect: smaller than any descriptor the host knows */
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    1,
    "wrong_size",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A descriptor that claims to be 20 bytes long.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
