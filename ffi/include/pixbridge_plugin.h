/* pixbridge_plugin.h: the Pixbridge plugin ABI, version 1.1.
 *
 * Written by hand, and checked: `cargo test -p pixbridge-plugin --test header` compiles a C
 * program against this header and compares every size and field offset with the Rust
 * definitions in plugin/src/abi.rs (the host's and the Rust helper crate's).
 *
 * A plugin is a shared library (.so, .dylib, .dll) that exports one C function,
 *
 *     const PixbridgePluginDescriptor* pixbridge_plugin_entry(void);
 *
 * returning a descriptor that lives as long as the library is loaded (normally a static).
 * It needs this header and a C compiler, nothing else: no Pixbridge library to link against.
 * See docs/plugins.md for a complete example, the versioning rule and the threading rules.
 */
#ifndef PIXBRIDGE_PLUGIN_H
#define PIXBRIDGE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The major version: a host loads only plugins built for the same major version. */
#define PIXBRIDGE_PLUGIN_ABI_MAJOR 1u
/** The minor version: each minor version only appends fields to the end of the descriptor,
 *  so a plugin built for an older minor version loads on a newer host (which treats the
 *  missing fields as absent) and one built for a newer minor version loads on an older host
 *  (which ignores the fields it does not know). */
#define PIXBRIDGE_PLUGIN_ABI_MINOR 1u
/** The name of the entry symbol. */
#define PIXBRIDGE_PLUGIN_ENTRY_SYMBOL "pixbridge_plugin_entry"

/** An operation that returns a new image of the same size (`source` is the input, `target`
 *  a new image whose pixels are all zero). */
#define PIXBRIDGE_PLUGIN_KIND_FRESH 0u
/** An operation that changes the image in place (`source` is NULL, `target` is the image). */
#define PIXBRIDGE_PLUGIN_KIND_IN_PLACE 1u

/** A whole number: the value the operation receives is integral. */
#define PIXBRIDGE_PLUGIN_PARAMETER_INT 0u
/** A finite real number. */
#define PIXBRIDGE_PLUGIN_PARAMETER_FLOAT 1u
/** A flag: the value the operation receives is 0 or 1 (minimum 0, maximum 1). */
#define PIXBRIDGE_PLUGIN_PARAMETER_BOOL 2u

/** The size of the message buffer a run function receives, NUL included. */
#define PIXBRIDGE_PLUGIN_MESSAGE_CAPACITY 1024u

/** Read-only pixels: `height` rows of `width` RGBA8 pixels (straight alpha), row `y` starting
 *  at `pixels + y * stride`. */
typedef struct PixbridgePluginSource {
    const uint8_t* pixels;
    uint32_t width;
    uint32_t height;
    size_t stride;
} PixbridgePluginSource;

/** Writable pixels, laid out as in PixbridgePluginSource. */
typedef struct PixbridgePluginTarget {
    uint8_t* pixels;
    uint32_t width;
    uint32_t height;
    size_t stride;
} PixbridgePluginTarget;

/** Runs one operation.
 *
 *  `arguments` holds `argument_count` values, one per declared parameter in declaration order,
 *  already checked by the host against each parameter's type and range. `source` is the input
 *  of a fresh operation (NULL for an in-place one); `target` is where the result goes (same
 *  width and height as the input). Returns 0 on success; any other value is a failure, and the
 *  function may then write a UTF-8 message and a NUL into `message` (`message_capacity` bytes,
 *  PIXBRIDGE_PLUGIN_MESSAGE_CAPACITY today). It must not unwind (no C++ exception, no Rust
 *  panic) out of this call, and it may run on several threads at once for different images. */
typedef int32_t (*PixbridgePluginRun)(const double* arguments, size_t argument_count,
                                      const PixbridgePluginSource* source,
                                      const PixbridgePluginTarget* target, char* message,
                                      size_t message_capacity);

/** One parameter of an operation. `name` is lower-case ASCII letters, digits and `_`,
 *  starting with a letter, at most 64 bytes; `docs` is UTF-8 (may be NULL).
 *  minimum <= default_value <= maximum, all finite (integral for INT, 0 or 1 for BOOL). */
typedef struct PixbridgePluginParameter {
    const char* name;
    const char* docs;
    uint32_t type; /* PIXBRIDGE_PLUGIN_PARAMETER_* */
    uint32_t reserved; /* 0 */
    double default_value;
    double minimum;
    double maximum;
} PixbridgePluginParameter;

/** One operation. `name` follows the parameter names' rule and must differ from every
 *  operation of Pixbridge itself and of every other loaded plugin. `parameters` may be NULL
 *  only when `parameter_count` is 0 (at most 64). */
typedef struct PixbridgePluginOperation {
    const char* name;
    const char* docs;
    uint32_t kind; /* PIXBRIDGE_PLUGIN_KIND_* */
    uint32_t parameter_count;
    const PixbridgePluginParameter* parameters;
    PixbridgePluginRun run;
} PixbridgePluginOperation;

/** What `pixbridge_plugin_entry` returns. Set `size` to sizeof(PixbridgePluginDescriptor),
 *  `abi_major`/`abi_minor` to the macros above, `operation_size` and `parameter_size` to
 *  sizeof(PixbridgePluginOperation) and sizeof(PixbridgePluginParameter): the host reads the
 *  arrays with those strides. `name` and `version` are UTF-8 and not NULL (at most 256 bytes);
 *  1 to 1024 operations. */
typedef struct PixbridgePluginDescriptor {
    uint32_t size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t operation_count;
    const char* name;
    const char* version;
    const PixbridgePluginOperation* operations;
    uint32_t operation_size;
    uint32_t parameter_size;
    /* Added in 1.1; a 1.0 descriptor ends before it. */
    const char* docs; /* what the plugin does, UTF-8 (may be NULL) */
} PixbridgePluginDescriptor;

/** The entry point every plugin exports (declared here so that a plugin's definition is
 *  checked against it). */
#if defined(_WIN32)
__declspec(dllexport)
#elif defined(__GNUC__)
__attribute__((visibility("default")))
#endif
const PixbridgePluginDescriptor* pixbridge_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* PIXBRIDGE_PLUGIN_H */
