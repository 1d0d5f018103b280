/* The golden manifest (testdata/manifest.json; format in docs/design.md, "Golden manifest") as
 * typed cases, shared by the C and the C++ runner. Parsing is as strict as the Rust suite's
 * (ffi/tests/golden/manifest.rs): unknown keys, missing parameters, values out of their type's
 * range, unknown operations, filters, formats, fits and error names, and duplicate case names
 * are errors in the manifest, never skipped cases.
 */
#ifndef PIXBRIDGE_MANIFEST_H
#define PIXBRIDGE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The type of an operation parameter (runtime/src/operations.rs, ParamType). */
typedef enum { MANIFEST_F32, MANIFEST_U32, MANIFEST_I32, MANIFEST_RESIZE_FILTER } manifest_param_type;

typedef struct manifest_param {
    const char* name;
    manifest_param_type type;
} manifest_param;

#define MANIFEST_MAX_PARAMS 4

/* One entry of the operation table as the C ABI exposes it (pixbridge_image_<name>). */
typedef struct manifest_operation {
    const char* name;
    int fresh; /* 1: returns a new image (out_image); 0: in place */
    size_t param_count;
    manifest_param params[MANIFEST_MAX_PARAMS];
} manifest_operation;

/* The operations, in the order of the operation table; runners dispatch on these indices. */
enum {
    MANIFEST_OP_BLUR,
    MANIFEST_OP_UNSHARPEN,
    MANIFEST_OP_RESIZE,
    MANIFEST_OP_CROP,
    MANIFEST_OP_ROTATE90,
    MANIFEST_OP_ROTATE270,
    MANIFEST_OP_MIRROR,
    MANIFEST_OP_FLIP_VERTICAL,
    MANIFEST_OP_ROTATE180,
    MANIFEST_OP_GRAYSCALE,
    MANIFEST_OP_ADJUST_BRIGHTNESS,
    MANIFEST_OP_ADJUST_CONTRAST,
    MANIFEST_OP_GAMMA,
    MANIFEST_OPERATION_COUNT,
    /* The pseudo-op: encode in memory (pixbridge_image_encode) and decode again. */
    MANIFEST_OP_ENCODE_DECODE = -1
};

extern const manifest_operation manifest_operations[MANIFEST_OPERATION_COUNT];

typedef union manifest_arg {
    float f32;
    uint32_t u32; /* also a PixbridgeResizeFilter code */
    int32_t i32;
} manifest_arg;

typedef struct manifest_step {
    int op; /* MANIFEST_OP_* */
    manifest_arg args[MANIFEST_MAX_PARAMS]; /* in the operation's parameter order */
    uint32_t format;  /* encode_decode: a PixbridgeImageFormat code */
    uint32_t quality; /* encode_decode: 1-100, or 0 when the manifest gives none (the default) */
} manifest_step;

typedef struct manifest_case {
    char* name;
    char* input; /* file name under testdata/ */
    int thumbnail; /* 1: load with pixbridge_image_thumbnail_file instead of opening */
    uint32_t thumbnail_width, thumbnail_height;
    uint32_t thumbnail_fit; /* a PixbridgeThumbnailFit code */
    int allow_upscale;
    size_t step_count;
    manifest_step* steps;
    char* error; /* the expected error code name, or NULL when an image is expected */
    uint32_t width, height;
    char sha256[65]; /* lower-case hex of the RGBA8 pixels */
} manifest_case;

/* One named argument of a plugin step. */
typedef struct manifest_plugin_argument {
    char* name;
    double value;
} manifest_plugin_argument;

/* One step of a plugin case: an operation of a loaded plugin by name, with named arguments
 * (mapped to positions through the plugin's description by the runner; missing ones take the
 * parameter's default, an unknown name is an InvalidArgument the runner raises itself). */
typedef struct manifest_plugin_step {
    char* op;
    size_t argument_count;
    manifest_plugin_argument* arguments;
} manifest_plugin_step;

/* A case of "plugin_cases": load `plugins` (file names in PIXBRIDGE_PLUGIN_DIR) in order, open
 * `input` (NULL when the case expects a load to fail), run the steps, then unload them all. */
typedef struct manifest_plugin_case {
    char* name;
    size_t plugin_count;
    char** plugins;
    char* input;
    size_t step_count;
    manifest_plugin_step* steps;
    char* error; /* the expected error code name, or NULL when an image is expected */
    uint32_t width, height;
    char sha256[65];
} manifest_plugin_case;

typedef struct manifest {
    size_t count;
    manifest_case* cases;
    size_t plugin_count;
    manifest_plugin_case* plugin_cases;
} manifest;

/* Reads and parses the manifest file at `path` into `out` (free it with manifest_free).
 * Returns 1, or 0 with the reason (and the case it concerns) in `error`. */
int manifest_load(const char* path, manifest* out, char* error, size_t error_size);

void manifest_free(manifest* m);

/* The name of a PixbridgeErrorCode ("Ok", "NullArgument", ... "PluginRejected"), or NULL if unknown. */
const char* manifest_error_name(uint32_t code);

/* The manifest name of a step's operation ("blur", ..., "encode_decode"). */
const char* manifest_step_name(const manifest_step* step);

#ifdef __cplusplus
}
#endif

#endif /* PIXBRIDGE_MANIFEST_H */
