/* null_descriptor: a bad plugin whose entry returns NULL (built as libbad_null_descriptor.so).
 *
 * What the host must do: refuse to load it with an error saying the entry returned no
 * descriptor, and close the library.
 */
#include "pixbridge_plugin.h"

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return NULL; /* the defect */
}
