/* Reads testdata/manifest.json into the typed cases of manifest.h. */
#include "manifest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pixbridge.h"

/* The table below lists every operation of the library's table, in its order, with the names
 * and types of its parameters (docs/operations.md). PIXBRIDGE_ABI_VERSION is
 * ABI_REVISION * 1000 + OPERATION_COUNT: an operation appended to the library without an entry
 * here stops the build instead of leaving its manifest cases unparsed. */
_Static_assert(PIXBRIDGE_ABI_VERSION % 1000 == MANIFEST_OPERATION_COUNT,
    "pixbridge.h has another number of operations than manifest.c's table: add the new one");

const manifest_operation manifest_operations[MANIFEST_OPERATION_COUNT] = {
    [MANIFEST_OP_BLUR] = {"blur", 1, 1, {{"sigma", MANIFEST_F32}}},
    [MANIFEST_OP_UNSHARPEN] = {"unsharpen", 1, 3,
        {{"sigma", MANIFEST_F32}, {"amount", MANIFEST_F32}, {"threshold", MANIFEST_U32}}},
    [MANIFEST_OP_RESIZE] = {"resize", 1, 3,
        {{"width", MANIFEST_U32}, {"height", MANIFEST_U32}, {"filter", MANIFEST_RESIZE_FILTER}}},
    [MANIFEST_OP_CROP] = {"crop", 1, 4,
        {{"x", MANIFEST_U32}, {"y", MANIFEST_U32}, {"width", MANIFEST_U32}, {"height", MANIFEST_U32}}},
    [MANIFEST_OP_ROTATE90] = {"rotate90", 1, 0, {{NULL, MANIFEST_F32}}},
    [MANIFEST_OP_ROTATE270] = {"rotate270", 1, 0, {{NULL, MANIFEST_F32}}},
    [MANIFEST_OP_MIRROR] = {"mirror", 0, 0, {{NULL, MANIFEST_F32}}},
    [MANIFEST_OP_FLIP_VERTICAL] = {"flip_vertical", 0, 0, {{NULL, MANIFEST_F32}}},
    [MANIFEST_OP_ROTATE180] = {"rotate180", 0, 0, {{NULL, MANIFEST_F32}}},
    [MANIFEST_OP_GRAYSCALE] = {"grayscale", 0, 0, {{NULL, MANIFEST_F32}}},
    [MANIFEST_OP_ADJUST_BRIGHTNESS] = {"adjust_brightness", 0, 1, {{"delta", MANIFEST_I32}}},
    [MANIFEST_OP_ADJUST_CONTRAST] = {"adjust_contrast", 0, 1, {{"contrast", MANIFEST_F32}}},
    [MANIFEST_OP_GAMMA] = {"gamma", 0, 1, {{"gamma", MANIFEST_F32}}},
};

/* Names spelled as the manifest spells them, indexed by their C-ABI code. */
static const char* const ERROR_NAMES[] = {
    "Ok", "NullArgument", "InvalidHandle", "NotFound", "Io", "PermissionDenied", "UnsupportedFormat",
    "Decode", "Encode", "InvalidArgument", "LimitExceeded", "InvalidUtf8", "BufferTooSmall", "Panic", "Cancelled",
    "PluginFailed", "PluginRejected",
};
_Static_assert(PIXBRIDGE_ERROR_CODE_PLUGIN_REJECTED + 1 == sizeof ERROR_NAMES / sizeof ERROR_NAMES[0], "one name per error code");

static const char* const FILTER_NAMES[] = {"Nearest", "Bilinear", "Lanczos3"};
_Static_assert(PIXBRIDGE_RESIZE_FILTER_LANCZOS3 == 2, "filter codes");

static const char* const FORMAT_NAMES[] = {"png", "jpeg", "webp", "bmp", "tiff", "gif", "qoi", "tga", "pnm", "ico", "avif"};
_Static_assert(PIXBRIDGE_IMAGE_FORMAT_JPEG == 1 && PIXBRIDGE_IMAGE_FORMAT_ICO == 9 && PIXBRIDGE_IMAGE_FORMAT_AVIF == 10, "format codes");

static const char* const FIT_NAMES[] = {"Contain", "Cover", "Fill"};
_Static_assert(PIXBRIDGE_THUMBNAIL_FIT_COVER == 1 && PIXBRIDGE_THUMBNAIL_FIT_FILL == 2, "fit codes");

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

const char* manifest_error_name(uint32_t code) {
    return code < COUNT(ERROR_NAMES) ? ERROR_NAMES[code] : NULL;
}

const char* manifest_step_name(const manifest_step* step) {
    return step->op == MANIFEST_OP_ENCODE_DECODE ? "encode_decode" : manifest_operations[step->op].name;
}

/* Index of `name` in `names`, or -1. */
static int find_name(const char* const* names, size_t count, const char* name) {
    for (size_t i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

typedef struct {
    char* error;
    size_t error_size;
} context;

static int fail(context* c, const char* format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(c->error, c->error_size, format, args);
    va_end(args);
    return 0;
}

/* Every key of `object` is one of the NULL-terminated `allowed`. */
static int only_keys(context* c, const json_value* object, const char* what, const char* const* allowed) {
    for (size_t i = 0; i < object->length; i++) {
        const char* key = object->members[i].key;
        size_t j = 0;
        while (allowed[j] != NULL && strcmp(allowed[j], key) != 0) {
            j++;
        }
        if (allowed[j] == NULL) {
            return fail(c, "%s: unexpected key \"%s\"", what, key);
        }
    }
    return 1;
}

static const char* string_of(const json_value* object, const char* key) {
    const json_value* value = json_get(object, key);
    return value != NULL && value->type == JSON_STRING ? value->string : NULL;
}

static int u32_of(context* c, const json_value* object, const char* what, const char* key, uint32_t* out) {
    const json_value* value = json_get(object, key);
    if (value == NULL || value->type != JSON_NUMBER || !value->integer_fits || value->integer < 0
        || value->integer > (long long)UINT32_MAX) {
        return fail(c, "%s: \"%s\" is not a u32", what, key);
    }
    *out = (uint32_t)value->integer;
    return 1;
}

static int i32_of(context* c, const json_value* object, const char* what, const char* key, int32_t* out) {
    const json_value* value = json_get(object, key);
    if (value == NULL || value->type != JSON_NUMBER || !value->integer_fits || value->integer < INT32_MIN
        || value->integer > INT32_MAX) {
        return fail(c, "%s: \"%s\" is not an i32", what, key);
    }
    *out = (int32_t)value->integer;
    return 1;
}

/* A number (rounded to f32 as the Rust suite does: f64, then f32) or "NaN", "Infinity", "-Infinity". */
static int f32_of(context* c, const json_value* object, const char* what, const char* key, float* out) {
    const json_value* value = json_get(object, key);
    if (value != NULL && value->type == JSON_NUMBER) {
        *out = (float)value->number;
        return 1;
    }
    if (value != NULL && value->type == JSON_STRING) {
        if (strcmp(value->string, "NaN") == 0) {
            *out = NAN;
            return 1;
        }
        if (strcmp(value->string, "Infinity") == 0) {
            *out = INFINITY;
            return 1;
        }
        if (strcmp(value->string, "-Infinity") == 0) {
            *out = -INFINITY;
            return 1;
        }
    }
    return fail(c, "%s: \"%s\" is not a float (a number, \"NaN\", \"Infinity\" or \"-Infinity\")", what, key);
}

static int parse_step(context* c, const json_value* op, manifest_step* step) {
    if (op->type != JSON_OBJECT) {
        return fail(c, "an op is not an object");
    }
    const char* name = string_of(op, "op");
    if (name == NULL) {
        return fail(c, "an op has no \"op\" name");
    }
    memset(step, 0, sizeof *step);
    char what[96];
    snprintf(what, sizeof what, "op %s", name);
    if (strcmp(name, "encode_decode") == 0) {
        static const char* const keys[] = {"op", "format", "quality", NULL};
        if (!only_keys(c, op, what, keys)) {
            return 0;
        }
        step->op = MANIFEST_OP_ENCODE_DECODE;
        const char* format = string_of(op, "format");
        int code = format != NULL ? find_name(FORMAT_NAMES, COUNT(FORMAT_NAMES), format) : -1;
        if (code < 0) {
            return fail(c, "%s: unknown or missing format", what);
        }
        step->format = (uint32_t)code;
        if (json_get(op, "quality") != NULL) {
            if (!u32_of(c, op, what, "quality", &step->quality)) {
                return 0;
            }
            if (step->quality == 0) {
                return fail(c, "%s: quality 0: omit \"quality\" for the default", what);
            }
        }
        return 1;
    }
    int index = -1;
    for (int i = 0; i < MANIFEST_OPERATION_COUNT; i++) {
        if (strcmp(manifest_operations[i].name, name) == 0) {
            index = i;
        }
    }
    if (index < 0) {
        return fail(c, "unknown op \"%s\"", name);
    }
    const manifest_operation* operation = &manifest_operations[index];
    step->op = index;
    const char* keys[MANIFEST_MAX_PARAMS + 2] = {"op"};
    for (size_t i = 0; i < operation->param_count; i++) {
        keys[i + 1] = operation->params[i].name;
    }
    if (!only_keys(c, op, what, keys)) {
        return 0;
    }
    for (size_t i = 0; i < operation->param_count; i++) {
        const manifest_param* param = &operation->params[i];
        if (json_get(op, param->name) == NULL) {
            return fail(c, "%s: missing parameter \"%s\"", what, param->name);
        }
        int ok = 1;
        switch (param->type) {
        case MANIFEST_F32: ok = f32_of(c, op, what, param->name, &step->args[i].f32); break;
        case MANIFEST_U32: ok = u32_of(c, op, what, param->name, &step->args[i].u32); break;
        case MANIFEST_I32: ok = i32_of(c, op, what, param->name, &step->args[i].i32); break;
        case MANIFEST_RESIZE_FILTER: {
            const char* filter = string_of(op, param->name);
            int code = filter != NULL ? find_name(FILTER_NAMES, COUNT(FILTER_NAMES), filter) : -1;
            if (code < 0) {
                ok = fail(c, "%s: \"%s\" is not a filter name (Nearest, Bilinear, Lanczos3)", what, param->name);
            }
            step->args[i].u32 = (uint32_t)code;
            break;
        }
        }
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

static int parse_thumbnail(context* c, const json_value* thumbnail, manifest_case* out) {
    static const char* const keys[] = {"width", "height", "fit", "allow_upscale", NULL};
    if (thumbnail->type != JSON_OBJECT) {
        return fail(c, "thumbnail is not an object");
    }
    if (!only_keys(c, thumbnail, "thumbnail", keys)) {
        return 0;
    }
    for (size_t i = 0; keys[i] != NULL; i++) {
        if (json_get(thumbnail, keys[i]) == NULL) {
            return fail(c, "thumbnail: missing \"%s\" (width, height, fit and allow_upscale are required)", keys[i]);
        }
    }
    if (!u32_of(c, thumbnail, "thumbnail", "width", &out->thumbnail_width)
        || !u32_of(c, thumbnail, "thumbnail", "height", &out->thumbnail_height)) {
        return 0;
    }
    const char* fit = string_of(thumbnail, "fit");
    int code = fit != NULL ? find_name(FIT_NAMES, COUNT(FIT_NAMES), fit) : -1;
    if (code < 0) {
        return fail(c, "thumbnail: fit is not one of Contain, Cover, Fill");
    }
    const json_value* upscale = json_get(thumbnail, "allow_upscale");
    if (upscale->type != JSON_BOOL) {
        return fail(c, "thumbnail: allow_upscale is not a boolean");
    }
    out->thumbnail = 1;
    out->thumbnail_fit = (uint32_t)code;
    out->allow_upscale = upscale->boolean;
    return 1;
}

static char* copy_string(const char* text) {
    size_t n = strlen(text) + 1;
    char* copy = malloc(n);
    if (copy != NULL) {
        memcpy(copy, text, n);
    }
    return copy;
}

/* `expect`: {"error": name} or {width, height, sha256}. */
static int parse_expect(context* c, const json_value* expect, char** error, uint32_t* width, uint32_t* height,
    char sha256_out[65]) {
    if (expect == NULL || expect->type != JSON_OBJECT) {
        return fail(c, "no expect object");
    }
    if (json_get(expect, "error") != NULL) {
        static const char* const error_keys[] = {"error", NULL};
        if (!only_keys(c, expect, "expect", error_keys)) {
            return 0;
        }
        const char* name = string_of(expect, "error");
        if (name == NULL || find_name(ERROR_NAMES + 1, COUNT(ERROR_NAMES) - 1, name) < 0) {
            return fail(c, "expect: error is not the name of an error code");
        }
        *error = copy_string(name);
        return *error != NULL ? 1 : fail(c, "out of memory");
    }
    static const char* const image_keys[] = {"width", "height", "sha256", NULL};
    if (!only_keys(c, expect, "expect", image_keys) || !u32_of(c, expect, "expect", "width", width)
        || !u32_of(c, expect, "expect", "height", height)) {
        return 0;
    }
    const char* sha256 = string_of(expect, "sha256");
    if (sha256 == NULL || strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64) {
        return fail(c, "expect: sha256 is not 64 lower-case hex digits");
    }
    memcpy(sha256_out, sha256, 65);
    return 1;
}

static int parse_plugin_step(context* c, const json_value* op, manifest_plugin_step* step) {
    static const char* const keys[] = {"op", "arguments", NULL};
    if (op->type != JSON_OBJECT) {
        return fail(c, "an op is not an object");
    }
    const char* name = string_of(op, "op");
    if (name == NULL) {
        return fail(c, "an op has no \"op\" name");
    }
    char what[96];
    snprintf(what, sizeof what, "op %s", name);
    if (!only_keys(c, op, what, keys)) {
        return 0;
    }
    if ((step->op = copy_string(name)) == NULL) {
        return fail(c, "out of memory");
    }
    const json_value* arguments = json_get(op, "arguments");
    if (arguments == NULL) {
        return 1;
    }
    if (arguments->type != JSON_OBJECT) {
        return fail(c, "%s: \"arguments\" is not an object", what);
    }
    if (arguments->length > 0 && (step->arguments = calloc(arguments->length, sizeof *step->arguments)) == NULL) {
        return fail(c, "out of memory");
    }
    for (size_t i = 0; i < arguments->length; i++) {
        const json_member* member = &arguments->members[i];
        if (member->value->type != JSON_NUMBER) {
            return fail(c, "%s: argument \"%s\" is not a number", what, member->key);
        }
        manifest_plugin_argument* argument = &step->arguments[step->argument_count];
        if ((argument->name = copy_string(member->key)) == NULL) {
            return fail(c, "out of memory");
        }
        argument->value = member->value->number;
        step->argument_count++;
    }
    return 1;
}

static int parse_plugin_case(context* c, const json_value* value, manifest_plugin_case* out) {
    static const char* const keys[] = {"name", "plugins", "input", "ops", "expect", NULL};
    if (!only_keys(c, value, "plugin case", keys)) {
        return 0;
    }
    const json_value* plugins = json_get(value, "plugins");
    if (plugins == NULL || plugins->type != JSON_ARRAY || plugins->length == 0) {
        return fail(c, "no plugins array (one file name at least)");
    }
    if ((out->plugins = calloc(plugins->length, sizeof *out->plugins)) == NULL) {
        return fail(c, "out of memory");
    }
    for (size_t i = 0; i < plugins->length; i++) {
        const json_value* file = plugins->items[i];
        if (file->type != JSON_STRING || file->string[0] == '\0' || strchr(file->string, '/') != NULL) {
            return fail(c, "plugins: an entry is not a file name");
        }
        if ((out->plugins[i] = copy_string(file->string)) == NULL) {
            return fail(c, "out of memory");
        }
        out->plugin_count++;
    }
    const json_value* input = json_get(value, "input");
    if (input != NULL) {
        if (input->type != JSON_STRING) {
            return fail(c, "input is not a string");
        }
        if ((out->input = copy_string(input->string)) == NULL) {
            return fail(c, "out of memory");
        }
    }
    const json_value* ops = json_get(value, "ops");
    if (ops == NULL || ops->type != JSON_ARRAY) {
        return fail(c, "no ops array");
    }
    if (ops->length > 0) {
        if (out->input == NULL) {
            return fail(c, "ops without an input");
        }
        if ((out->steps = calloc(ops->length, sizeof *out->steps)) == NULL) {
            return fail(c, "out of memory");
        }
    }
    for (size_t i = 0; i < ops->length; i++) {
        out->step_count++;
        if (!parse_plugin_step(c, ops->items[i], &out->steps[i])) {
            return 0;
        }
    }
    if (!parse_expect(c, json_get(value, "expect"), &out->error, &out->width, &out->height, out->sha256)) {
        return 0;
    }
    if (out->error == NULL && out->input == NULL) {
        return fail(c, "expects an image but has no input");
    }
    return 1;
}

static int parse_case(context* c, const json_value* value, manifest_case* out) {
    static const char* const keys[] = {"name", "input", "thumbnail", "ops", "expect", NULL};
    if (!only_keys(c, value, "case", keys)) {
        return 0;
    }
    const char* input = string_of(value, "input");
    if (input == NULL) {
        return fail(c, "no input");
    }
    out->input = copy_string(input);
    if (out->input == NULL) {
        return fail(c, "out of memory");
    }
    const json_value* thumbnail = json_get(value, "thumbnail");
    if (thumbnail != NULL && !parse_thumbnail(c, thumbnail, out)) {
        return 0;
    }
    const json_value* ops = json_get(value, "ops");
    if (ops == NULL || ops->type != JSON_ARRAY) {
        return fail(c, "no ops array");
    }
    if (ops->length > 0) {
        out->steps = calloc(ops->length, sizeof *out->steps);
        if (out->steps == NULL) {
            return fail(c, "out of memory");
        }
    }
    for (size_t i = 0; i < ops->length; i++) {
        if (!parse_step(c, ops->items[i], &out->steps[i])) {
            return 0;
        }
        out->step_count++;
    }
    return parse_expect(c, json_get(value, "expect"), &out->error, &out->width, &out->height, out->sha256);
}

/* The whole file, NUL-terminated; NULL on failure (with `error` set). */
static char* read_file(context* c, const char* path, size_t* out_length) {
    FILE* file = fopen(path, "rb");
    if (file == NULL) {
        fail(c, "cannot open %s", path);
        return NULL;
    }
    size_t capacity = 1 << 16;
    size_t length = 0;
    char* text = malloc(capacity);
    while (text != NULL) {
        length += fread(text + length, 1, capacity - length, file);
        if (length < capacity) {
            break;
        }
        capacity *= 2;
        char* bigger = realloc(text, capacity);
        if (bigger == NULL) {
            free(text);
        }
        text = bigger;
    }
    int failed = text == NULL || ferror(file);
    fclose(file);
    if (failed) {
        free(text);
        fail(c, "cannot read %s", path);
        return NULL;
    }
    text[length] = '\0';
    *out_length = length;
    return text;
}

int manifest_load(const char* path, manifest* out, char* error, size_t error_size) {
    context c = {error, error_size};
    memset(out, 0, sizeof *out);
    size_t length = 0;
    char* text = read_file(&c, path, &length);
    if (text == NULL) {
        return 0;
    }
    json_value* root = json_parse(text, length, error, error_size);
    free(text);
    if (root == NULL) {
        return 0;
    }
    int ok = 0;
    static const char* const keys[] = {"version", "cases", "plugin_cases", NULL};
    const json_value* version = json_get(root, "version");
    const json_value* cases = json_get(root, "cases");
    const json_value* plugin_cases = json_get(root, "plugin_cases");
    if (root->type != JSON_OBJECT || !only_keys(&c, root, "manifest", keys)) {
        fail(&c, "the manifest is not an object with \"version\" and \"cases\"");
    } else if (version == NULL || version->type != JSON_NUMBER || !version->integer_fits || version->integer != 1) {
        fail(&c, "manifest version must be 1");
    } else if (cases == NULL || cases->type != JSON_ARRAY) {
        fail(&c, "manifest has no \"cases\" array");
    } else if (plugin_cases != NULL && plugin_cases->type != JSON_ARRAY) {
        fail(&c, "manifest's \"plugin_cases\" is not an array");
    } else if ((cases->length > 0 && (out->cases = calloc(cases->length, sizeof *out->cases)) == NULL)
        || (plugin_cases != NULL && plugin_cases->length > 0
            && (out->plugin_cases = calloc(plugin_cases->length, sizeof *out->plugin_cases)) == NULL)) {
        fail(&c, "out of memory");
    } else {
        ok = 1;
        for (size_t i = 0; ok && i < cases->length; i++) {
            const json_value* value = cases->items[i];
            const char* name = string_of(value, "name");
            if (value->type != JSON_OBJECT || name == NULL) {
                ok = fail(&c, "case %zu has no name", i);
                break;
            }
            for (size_t j = 0; j < out->count; j++) {
                if (strcmp(out->cases[j].name, name) == 0) {
                    ok = fail(&c, "case name %s is used twice", name);
                }
            }
            manifest_case* parsed = &out->cases[out->count++];
            parsed->name = copy_string(name);
            if (ok && parsed->name == NULL) {
                ok = fail(&c, "out of memory");
            }
            if (ok && !parse_case(&c, value, parsed)) {
                /* Prefix the case's name to the message. */
                char reason[512];
                snprintf(reason, sizeof reason, "%s", error);
                ok = fail(&c, "case %s: %s", name, reason);
            }
        }
        for (size_t i = 0; ok && plugin_cases != NULL && i < plugin_cases->length; i++) {
            const json_value* value = plugin_cases->items[i];
            const char* name = string_of(value, "name");
            if (value->type != JSON_OBJECT || name == NULL) {
                ok = fail(&c, "plugin case %zu has no name", i);
                break;
            }
            for (size_t j = 0; j < out->count; j++) {
                if (strcmp(out->cases[j].name, name) == 0) {
                    ok = fail(&c, "case name %s is used twice", name);
                }
            }
            for (size_t j = 0; j < out->plugin_count; j++) {
                if (strcmp(out->plugin_cases[j].name, name) == 0) {
                    ok = fail(&c, "case name %s is used twice", name);
                }
            }
            manifest_plugin_case* parsed = &out->plugin_cases[out->plugin_count++];
            parsed->name = copy_string(name);
            if (ok && parsed->name == NULL) {
                ok = fail(&c, "out of memory");
            }
            if (ok && !parse_plugin_case(&c, value, parsed)) {
                char reason[512];
                snprintf(reason, sizeof reason, "%s", error);
                ok = fail(&c, "plugin case %s: %s", name, reason);
            }
        }
    }
    json_free(root);
    if (!ok) {
        manifest_free(out);
    }
    return ok;
}

void manifest_free(manifest* m) {
    for (size_t i = 0; i < m->count; i++) {
        free(m->cases[i].name);
        free(m->cases[i].input);
        free(m->cases[i].steps);
        free(m->cases[i].error);
    }
    free(m->cases);
    m->cases = NULL;
    m->count = 0;
    for (size_t i = 0; i < m->plugin_count; i++) {
        manifest_plugin_case* c = &m->plugin_cases[i];
        for (size_t j = 0; j < c->plugin_count; j++) {
            free(c->plugins[j]);
        }
        for (size_t j = 0; j < c->step_count; j++) {
            for (size_t k = 0; k < c->steps[j].argument_count; k++) {
                free(c->steps[j].arguments[k].name);
            }
            free(c->steps[j].arguments);
            free(c->steps[j].op);
        }
        free(c->name);
        free(c->plugins);
        free(c->input);
        free(c->steps);
        free(c->error);
    }
    free(m->plugin_cases);
    m->plugin_cases = NULL;
    m->plugin_count = 0;
}
