/* malformed: five bad plugins from one file, each with exactly one defect in an otherwise valid
 * descriptor. Compiled with -DMALFORMED=N into libbad_malformed_N.so:
 *
 *   1  an operation whose name is NULL
 *   2  an operation with `parameters == NULL` but `parameter_count = 2`
 *   3  two operations with the same name, `twice`
 *   4  an operation whose kind is 7 (neither FRESH nor IN_PLACE)
 *   5  a parameter whose default (20) lies outside its range (0..10)
 *
 * What the host must do with each: refuse to load it with an error that names the defect (and
 * the operation or parameter when there is one), never call `run`, and close the library. No
 * operation of a refused plugin may become visible, not even its valid ones.
 */
#include "pixbridge_plugin.h"

#if !defined(MALFORMED) || MALFORMED < 1 || MALFORMED > 5
#error "compile with -DMALFORMED=1 .. -DMALFORMED=5"
#endif

static int32_t run_nothing(const double* arguments, size_t argument_count, const PixbridgePluginSource* source,
                           const PixbridgePluginTarget* target, char* message, size_t message_capacity) {
    (void)arguments, (void)argument_count, (void)source, (void)target, (void)message, (void)message_capacity;
    return 0;
}

static const PixbridgePluginParameter amount[] = {
    {"amount", "A valid parameter.", PIXBRIDGE_PLUGIN_PARAMETER_INT, 0, 5.0, 0.0, 10.0},
};

#if MALFORMED == 5
static const PixbridgePluginParameter out_of_range[] = {
    {"amount", "The defect: the default is outside 0..10.", PIXBRIDGE_PLUGIN_PARAMETER_INT, 0, 20.0, 0.0, 10.0},
};
#endif

static const PixbridgePluginOperation operations[] = {
    /* A valid first operation: the host must check every entry, not only the first. */
    {"malformed_valid", "A valid operation.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 1, amount, run_nothing},
#if MALFORMED == 1
    {NULL, "An operation without a name.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL, run_nothing},
#elif MALFORMED == 2
    {"malformed_no_parameters", "Says 2 parameters, gives none.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 2, NULL,
     run_nothing},
#elif MALFORMED == 3
    {"twice", "The first of two operations named twice.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 0, NULL, run_nothing},
    {"twice", "The second of two operations named twice.", PIXBRIDGE_PLUGIN_KIND_FRESH, 0, NULL, run_nothing},
#elif MALFORMED == 4
    {"malformed_kind", "An operation of kind 7.", 7, 0, NULL, run_nothing},
#elif MALFORMED == 5
    {"malformed_default", "Its parameter's default is out of range.", PIXBRIDGE_PLUGIN_KIND_IN_PLACE, 1,
     out_of_range, run_nothing},
#endif
};

static const PixbridgePluginDescriptor descriptor = {
    sizeof(PixbridgePluginDescriptor),
    PIXBRIDGE_PLUGIN_ABI_MAJOR,
    PIXBRIDGE_PLUGIN_ABI_MINOR,
    sizeof operations / sizeof operations[0],
    "malformed",
    "1.0.0",
    operations,
    sizeof(PixbridgePluginOperation),
    sizeof(PixbridgePluginParameter),
    "A plugin with one defect in its descriptor.",
};

const PixbridgePluginDescriptor* pixbridge_plugin_entry(void) {
    return &descriptor;
}
