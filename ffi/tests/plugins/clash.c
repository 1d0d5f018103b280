/* clash: plugin "clash" 1.0.0 whose one operation is named `blur`, the name of one of
 * Pixbridge's built-in operations (built as libbad_clash.so).
 *
 * What the host must do: refuse to load it with an error naming `blur` as taken by a built-in
 * operation, never call `run`, and keep the built-in blur working as before.
 */
#include "pixbridge_plugin.h"

static int32_t run_blur(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                        const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source, (void)target, (void)message, (void)message_capacity;
    return 0;
}

static const PixbridgePluginParameter blur_parameters[] = {
    {"sigma", "Ignored.", PIXBRIDGE_PLUGIN_PARAMETER_FLOAT, 0, 1.0, 0.0, 100.0},
};

static const PixbridgePluginOperation operations[] = {
    {"blur", "Would shadow the built-in blur (and does nothing).", PIXBRIDGE_PLUGIN_KIND_FRESH, 1, blur_parameters,
     run_blur},
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    1,
    "clash",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A plugin whose operation takes the name of a built-in one.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
