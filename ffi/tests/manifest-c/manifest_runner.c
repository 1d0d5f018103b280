/* pixbridge-manifest-c: runs every case of the golden manifest (testdata/manifest.json) through
 * the installed C library exactly as a C program calls it (pixbridge.h, -lpixbridge), and
 * checks each result's width, height and SHA-256 of its RGBA8 pixels, or its error code name.
 * The "plugin_cases" load their plugins from the directory PIXBRIDGE_PLUGIN_DIR names
 * (pixbridge_plugin_load), map each step's named arguments to positions through the plugin's
 * description (pixbridge_plugin_operation_info, pixbridge_plugin_parameter_info,
 * pixbridge_plugin_text), apply them (pixbridge_plugin_apply) and unload the plugins again.
 *
 *   PIXBRIDGE_PLUGIN_DIR=DIR pixbridge-manifest-c [-v] MANIFEST [TESTDATA_DIR] [CASE_NAME...]
 *
 * TESTDATA_DIR (where the cases' inputs are) defaults to the manifest's folder; CASE_NAMEs run
 * only those cases. Besides the expectation, every case must leave no image, buffer or plugin
 * handle behind, and every failure of a library call must set the thread's last error (the same
 * code, and a message). Exit status 0 when every selected case passed, 1 otherwise, 2 for a
 * usage or manifest error (or plugin cases selected without PIXBRIDGE_PLUGIN_DIR).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "pixbridge.h"
#include "sha256.h"

typedef struct {
    char detail[512];
} report;

static int failf(report* r, const char* format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(r->detail, sizeof r->detail, format, args);
    va_end(args);
    return 0;
}

/* The calling thread's last error message (truncated to `size`). */
static void last_message(char* out, size_t size) {
    size_t length = 0;
    if (pixbridge_last_error_message((uint8_t*)out, size, &length) == PIXBRIDGE_ERROR_CODE_BUFFER_TOO_SMALL) {
        char* whole = malloc(length + 1);
        if (whole != NULL && pixbridge_last_error_message((uint8_t*)whole, length + 1, &length) == 0) {
            snprintf(out, size, "%s", whole);
        }
        free(whole);
    }
}

/* Applies one step; a new image replaces (and releases) the current one. */
static PixbridgeErrorCode apply(uint64_t* image, const manifest_step* step) {
    const manifest_arg* a = step->args;
    uint64_t next = 0;
    PixbridgeErrorCode code;
    switch (step->op) {
    case MANIFEST_OP_ENCODE_DECODE: {
        uint64_t buffer = 0;
        code = pixbridge_image_encode(*image, step->format, step->quality, &buffer);
        if (code != PIXBRIDGE_ERROR_CODE_OK) {
            return code;
        }
        const uint8_t* data = NULL;
        size_t length = 0;
        code = pixbridge_buffer_data(buffer, &data, &length);
        if (code == PIXBRIDGE_ERROR_CODE_OK) {
            code = pixbridge_image_decode(data, length, NULL, &next);
        }
        pixbridge_buffer_destroy(buffer);
        break;
    }
    case MANIFEST_OP_BLUR: code = pixbridge_image_blur(*image, a[0].f32, &next); break;
    case MANIFEST_OP_UNSHARPEN: code = pixbridge_image_unsharpen(*image, a[0].f32, a[1].f32, a[2].u32, &next); break;
    case MANIFEST_OP_RESIZE: code = pixbridge_image_resize(*image, a[0].u32, a[1].u32, a[2].u32, &next); break;
    case MANIFEST_OP_CROP: code = pixbridge_image_crop(*image, a[0].u32, a[1].u32, a[2].u32, a[3].u32, &next); break;
    case MANIFEST_OP_ROTATE90: code = pixbridge_image_rotate90(*image, &next); break;
    case MANIFEST_OP_ROTATE270: code = pixbridge_image_rotate270(*image, &next); break;
    case MANIFEST_OP_MIRROR: return pixbridge_image_mirror(*image);
    case MANIFEST_OP_FLIP_VERTICAL: return pixbridge_image_flip_vertical(*image);
    case MANIFEST_OP_ROTATE180: return pixbridge_image_rotate180(*image);
    case MANIFEST_OP_GRAYSCALE: return pixbridge_image_grayscale(*image);
    case MANIFEST_OP_ADJUST_BRIGHTNESS: return pixbridge_image_adjust_brightness(*image, a[0].i32);
    case MANIFEST_OP_ADJUST_CONTRAST: return pixbridge_image_adjust_contrast(*image, a[0].f32);
    case MANIFEST_OP_GAMMA: return pixbridge_image_gamma(*image, a[0].f32);
    default: return PIXBRIDGE_ERROR_CODE_PANIC; /* unreachable: the parser knows only these */
    }
    if (code == PIXBRIDGE_ERROR_CODE_OK) {
        pixbridge_image_destroy(*image);
        *image = next;
    }
    return code;
}

/* Width, height and pixel hash of a finished image against the case. */
static int check_image(const manifest_case* c, uint64_t image, report* r) {
    PixbridgeImageInfo info;
    if (pixbridge_image_info(image, &info) != PIXBRIDGE_ERROR_CODE_OK) {
        return failf(r, "pixbridge_image_info failed");
    }
    const uint8_t* pixels = NULL;
    size_t length = 0;
    if (pixbridge_image_pixels(image, &pixels, &length) != PIXBRIDGE_ERROR_CODE_OK
        || length != (size_t)info.width * info.height * 4) {
        return failf(r, "pixbridge_image_pixels failed or has the wrong length");
    }
    /* The copy and the zero-copy view hold the same bytes. */
    uint8_t* copy = malloc(length);
    int same = copy != NULL && pixbridge_image_copy_pixels(image, copy, length) == PIXBRIDGE_ERROR_CODE_OK
        && memcmp(copy, pixels, length) == 0;
    free(copy);
    if (!same) {
        return failf(r, "pixbridge_image_copy_pixels differs from pixbridge_image_pixels");
    }
    char hex[65];
    sha256_hex(pixels, length, hex);
    if (info.width != c->width || info.height != c->height || strcmp(hex, c->sha256) != 0) {
        return failf(r, "expected %ux%u sha256 %s, got %ux%u sha256 %s", c->width, c->height, c->sha256, info.width,
            info.height, hex);
    }
    return 1;
}

/* Runs one case; 1 if it passed, else 0 with the reason in `r`. */
static int run_case(const manifest_case* c, const char* testdata, report* r) {
    size_t path_length = strlen(testdata) + 1 + strlen(c->input);
    char* path = malloc(path_length + 1);
    if (path == NULL) {
        return failf(r, "out of memory");
    }
    snprintf(path, path_length + 1, "%s/%s", testdata, c->input);

    uint64_t image = 0;
    PixbridgeErrorCode code;
    const char* stage = c->thumbnail ? "thumbnail" : "open";
    if (c->thumbnail) {
        /* Null options are the defaults; allow_upscale passes the default limits spelt out. */
        PixbridgeThumbnailOptions options = {{32768, 32768, (uint64_t)512 << 20}, 1, 0};
        code = pixbridge_image_thumbnail_file((const uint8_t*)path, path_length, c->thumbnail_width,
            c->thumbnail_height, c->thumbnail_fit, c->allow_upscale ? &options : NULL, &image);
    } else {
        code = pixbridge_image_open((const uint8_t*)path, path_length, NULL, &image);
    }
    free(path);
    for (size_t i = 0; code == PIXBRIDGE_ERROR_CODE_OK && i < c->step_count; i++) {
        stage = manifest_step_name(&c->steps[i]);
        code = apply(&image, &c->steps[i]);
    }

    int passed;
    if (code != PIXBRIDGE_ERROR_CODE_OK) {
        const char* name = manifest_error_name(code);
        char message[256] = "";
        last_message(message, sizeof message);
        if (pixbridge_last_error_code() != code || message[0] == '\0') {
            passed = failf(r, "%s failed with %s, but the thread's last error does not say so", stage,
                name != NULL ? name : "an unknown code");
        } else if (c->error == NULL) {
            passed = failf(r, "expected an image, %s failed with %s: %s", stage,
                name != NULL ? name : "an unknown code", message);
        } else if (name == NULL || strcmp(name, c->error) != 0) {
            passed = failf(r, "expected %s, %s failed with %s: %s", c->error, stage,
                name != NULL ? name : "an unknown code", message);
        } else {
            passed = 1;
        }
    } else if (c->error != NULL) {
        passed = failf(r, "expected %s, but the case succeeded", c->error);
    } else {
        passed = check_image(c, image, r);
    }
    if (image != 0 && pixbridge_image_destroy(image) != PIXBRIDGE_ERROR_CODE_OK && passed) {
        passed = failf(r, "destroying the result failed");
    }
    return passed;
}

/* A text of a loaded plugin (pixbridge_plugin_text: the length first), malloc'd; NULL on failure. */
static char* plugin_text(uint64_t plugin, PixbridgePluginText text, uint32_t operation, uint32_t parameter) {
    size_t length = 0;
    if (pixbridge_plugin_text(plugin, text, operation, parameter, NULL, 0, &length)
        != PIXBRIDGE_ERROR_CODE_BUFFER_TOO_SMALL) {
        return NULL;
    }
    char* out = malloc(length + 1);
    if (out != NULL
        && pixbridge_plugin_text(plugin, text, operation, parameter, (uint8_t*)out, length + 1, &length)
            != PIXBRIDGE_ERROR_CODE_OK) {
        free(out);
        out = NULL;
    }
    return out;
}

/* How one plugin step ended before or at the library. */
typedef struct {
    PixbridgeErrorCode code;
    int from_runner; /* 1: the runner refused the arguments itself (no library call, no last error) */
    char message[256];
} step_outcome;

/* Finds operation `name` among the loaded plugins: 1 with its plugin and index, else 0. */
static int find_operation(const uint64_t* plugins, size_t count, const char* name, uint64_t* out_plugin,
    uint32_t* out_index) {
    for (size_t p = 0; p < count; p++) {
        PixbridgePluginInfo info;
        if (pixbridge_plugin_info(plugins[p], &info) != PIXBRIDGE_ERROR_CODE_OK) {
            continue;
        }
        for (uint32_t op = 0; op < info.operation_count; op++) {
            char* text = plugin_text(plugins[p], PIXBRIDGE_PLUGIN_TEXT_OPERATION_NAME, op, 0);
            int same = text != NULL && strcmp(text, name) == 0;
            free(text);
            if (same) {
                *out_plugin = plugins[p];
                *out_index = op;
                return 1;
            }
        }
    }
    return 0;
}

/* Applies one plugin step: named arguments to positions (defaults for the missing ones; an
 * unknown name is refused here, as an SDK does), then pixbridge_plugin_apply. A new image
 * replaces (and releases) the current one. */
static step_outcome apply_plugin_step(const uint64_t* plugins, size_t plugin_count, uint64_t* image,
    const manifest_plugin_step* step) {
    step_outcome outcome = {PIXBRIDGE_ERROR_CODE_OK, 0, ""};
    double values[64];
    size_t value_count = 0;
    uint64_t plugin = 0;
    uint32_t index = 0;
    /* An operation no loaded plugin describes goes to the library as it is (its error is the host's). */
    if (find_operation(plugins, plugin_count, step->op, &plugin, &index)) {
        PixbridgePluginOperationInfo info;
        if (pixbridge_plugin_operation_info(plugin, index, &info) != PIXBRIDGE_ERROR_CODE_OK
            || info.parameter_count > sizeof values / sizeof values[0]) {
            outcome.code = PIXBRIDGE_ERROR_CODE_PANIC;
            outcome.from_runner = 1;
            snprintf(outcome.message, sizeof outcome.message, "cannot read the description of %s", step->op);
            return outcome;
        }
        int matched[64] = {0};
        for (uint32_t p = 0; p < info.parameter_count; p++) {
            PixbridgePluginParameterInfo parameter;
            char* name = plugin_text(plugin, PIXBRIDGE_PLUGIN_TEXT_PARAMETER_NAME, index, p);
            if (name == NULL || pixbridge_plugin_parameter_info(plugin, index, p, &parameter) != PIXBRIDGE_ERROR_CODE_OK) {
                free(name);
                outcome.code = PIXBRIDGE_ERROR_CODE_PANIC;
                outcome.from_runner = 1;
                snprintf(outcome.message, sizeof outcome.message, "cannot read parameter %u of %s", p, step->op);
                return outcome;
            }
            values[p] = parameter.default_value;
            for (size_t a = 0; a < step->argument_count; a++) {
                if (strcmp(step->arguments[a].name, name) == 0) {
                    values[p] = step->arguments[a].value;
                    matched[a] = 1;
                }
            }
            free(name);
        }
        value_count = info.parameter_count;
        for (size_t a = 0; a < step->argument_count; a++) {
            if (a >= 64 || !matched[a]) {
                outcome.code = PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT;
                outcome.from_runner = 1;
                snprintf(outcome.message, sizeof outcome.message, "`%s` has no parameter `%s`", step->op,
                    step->arguments[a].name);
                return outcome;
            }
        }
    }
    uint64_t next = 0;
    outcome.code = pixbridge_plugin_apply((const uint8_t*)step->op, strlen(step->op), *image,
        value_count > 0 ? values : NULL, value_count, &next);
    if (outcome.code == PIXBRIDGE_ERROR_CODE_OK && next != 0) {
        pixbridge_image_destroy(*image);
        *image = next;
    }
    return outcome;
}

/* Runs one plugin case; 1 if it passed, else 0 with the reason in `r`. Every plugin loaded for
 * it is unloaded at the end, whatever happened. */
static int run_plugin_case(const manifest_plugin_case* c, const char* plugin_dir, const char* testdata, report* r) {
    uint64_t* plugins = calloc(c->plugin_count, sizeof *plugins);
    if (plugins == NULL) {
        return failf(r, "out of memory");
    }
    size_t loaded = 0;
    step_outcome outcome = {PIXBRIDGE_ERROR_CODE_OK, 0, ""};
    char stage[160] = "";
    uint64_t image = 0;
    for (size_t i = 0; outcome.code == PIXBRIDGE_ERROR_CODE_OK && i < c->plugin_count; i++) {
        char path[4096];
        int length = snprintf(path, sizeof path, "%s/%s", plugin_dir, c->plugins[i]);
        snprintf(stage, sizeof stage, "loading %s", c->plugins[i]);
        outcome.code = pixbridge_plugin_load((const uint8_t*)path, (size_t)length, &plugins[loaded]);
        if (outcome.code == PIXBRIDGE_ERROR_CODE_OK) {
            loaded++;
        }
    }
    if (outcome.code == PIXBRIDGE_ERROR_CODE_OK && c->input != NULL) {
        char path[4096];
        int length = snprintf(path, sizeof path, "%s/%s", testdata, c->input);
        snprintf(stage, sizeof stage, "open");
        outcome.code = pixbridge_image_open((const uint8_t*)path, (size_t)length, NULL, &image);
    }
    for (size_t i = 0; outcome.code == PIXBRIDGE_ERROR_CODE_OK && i < c->step_count; i++) {
        snprintf(stage, sizeof stage, "%s", c->steps[i].op);
        outcome = apply_plugin_step(plugins, loaded, &image, &c->steps[i]);
    }

    int passed;
    if (outcome.code != PIXBRIDGE_ERROR_CODE_OK) {
        const char* name = manifest_error_name(outcome.code);
        if (!outcome.from_runner) {
            last_message(outcome.message, sizeof outcome.message);
        }
        if (!outcome.from_runner && (pixbridge_last_error_code() != outcome.code || outcome.message[0] == '\0')) {
            passed = failf(r, "%s failed with %s, but the thread's last error does not say so", stage,
                name != NULL ? name : "an unknown code");
        } else if (c->error == NULL) {
            passed = failf(r, "expected an image, %s failed with %s: %s", stage,
                name != NULL ? name : "an unknown code", outcome.message);
        } else if (name == NULL || strcmp(name, c->error) != 0) {
            passed = failf(r, "expected %s, %s failed with %s: %s", c->error, stage,
                name != NULL ? name : "an unknown code", outcome.message);
        } else {
            passed = 1;
        }
    } else if (c->error != NULL) {
        passed = failf(r, "expected %s, but the case succeeded", c->error);
    } else {
        manifest_case expected;
        memset(&expected, 0, sizeof expected);
        expected.width = c->width;
        expected.height = c->height;
        memcpy(expected.sha256, c->sha256, sizeof expected.sha256);
        passed = check_image(&expected, image, r);
    }
    if (image != 0 && pixbridge_image_destroy(image) != PIXBRIDGE_ERROR_CODE_OK && passed) {
        passed = failf(r, "destroying the result failed");
    }
    for (size_t i = loaded; i > 0; i--) {
        if (pixbridge_plugin_unload(plugins[i - 1]) != PIXBRIDGE_ERROR_CODE_OK && passed) {
            passed = failf(r, "unloading %s failed", c->plugins[i - 1]);
        }
    }
    free(plugins);
    return passed;
}

static int selected(int argc, char** argv, int first_name, const char* name) {
    if (first_name >= argc) {
        return 1;
    }
    for (int i = first_name; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    int first = 1 + verbose;
    if (argc - first < 1) {
        fprintf(stderr, "usage: %s [-v] MANIFEST [TESTDATA_DIR] [CASE_NAME...]\n", argv[0]);
        return 2;
    }
    if (!sha256_self_test()) {
        fprintf(stderr, "error: the SHA-256 implementation fails its self-test\n");
        return 2;
    }
    const char* manifest_path = argv[first];
    char testdata[4096];
    if (argc - first >= 2) {
        snprintf(testdata, sizeof testdata, "%s", argv[first + 1]);
    } else {
        const char* slash = strrchr(manifest_path, '/');
        snprintf(testdata, sizeof testdata, "%.*s", slash ? (int)(slash - manifest_path) : 1, slash ? manifest_path : ".");
    }
    /* The header compiled against and the library loaded agree. */
    const PixbridgeFunctions* functions = pixbridge_functions();
    if (pixbridge_abi_version() != PIXBRIDGE_ABI_VERSION || functions->abi_version != PIXBRIDGE_ABI_VERSION
        || functions->size < sizeof(PixbridgeFunctions)) {
        fprintf(stderr, "error: library ABI %u, header ABI %u\n", pixbridge_abi_version(), PIXBRIDGE_ABI_VERSION);
        return 2;
    }

    manifest m;
    char error[1024];
    if (!manifest_load(manifest_path, &m, error, sizeof error)) {
        fprintf(stderr, "error: %s: %s\n", manifest_path, error);
        return 2;
    }
    const char* plugin_dir = getenv("PIXBRIDGE_PLUGIN_DIR");
    for (size_t i = 0; i < m.plugin_count; i++) {
        if (selected(argc, argv, first + 2, m.plugin_cases[i].name) && (plugin_dir == NULL || plugin_dir[0] == '\0')) {
            fprintf(stderr, "error: the plugin cases need PIXBRIDGE_PLUGIN_DIR (build the plugins with "
                            "ci/build-plugins.sh DIR)\n");
            manifest_free(&m);
            return 2;
        }
    }
    uint64_t base_images = 0, base_buffers = 0, base_plugins = 0;
    pixbridge_live_handles(&base_images, &base_buffers);
    pixbridge_live_plugins(&base_plugins);
    size_t run = 0, failed = 0;
    for (size_t i = 0; i < m.count; i++) {
        const manifest_case* c = &m.cases[i];
        if (!selected(argc, argv, first + 2, c->name)) {
            continue;
        }
        run++;
        report r = {""};
        int passed = run_case(c, testdata, &r);
        uint64_t images = 0, buffers = 0;
        pixbridge_live_handles(&images, &buffers);
        if (passed && (images != base_images || buffers != base_buffers)) {
            snprintf(r.detail, sizeof r.detail, "left %llu image and %llu buffer handles behind",
                (unsigned long long)(images - base_images), (unsigned long long)(buffers - base_buffers));
            passed = 0;
        }
        if (!passed) {
            failed++;
            printf("FAIL %s: %s\n", c->name, r.detail);
        } else if (verbose) {
            printf("ok   %s\n", c->name);
        }
    }
    size_t plugin_run = 0, plugin_failed = 0;
    for (size_t i = 0; i < m.plugin_count; i++) {
        const manifest_plugin_case* c = &m.plugin_cases[i];
        if (!selected(argc, argv, first + 2, c->name)) {
            continue;
        }
        plugin_run++;
        report r = {""};
        int passed = run_plugin_case(c, plugin_dir, testdata, &r);
        uint64_t images = 0, buffers = 0, plugins = 0;
        pixbridge_live_handles(&images, &buffers);
        pixbridge_live_plugins(&plugins);
        if (passed && (images != base_images || buffers != base_buffers || plugins != base_plugins)) {
            snprintf(r.detail, sizeof r.detail, "left %llu image, %llu buffer and %llu plugin handles behind",
                (unsigned long long)(images - base_images), (unsigned long long)(buffers - base_buffers),
                (unsigned long long)(plugins - base_plugins));
            passed = 0;
        }
        if (!passed) {
            plugin_failed++;
            printf("FAIL %s: %s\n", c->name, r.detail);
        } else if (verbose) {
            printf("ok   %s\n", c->name);
        }
    }
    size_t names = argc - first > 2 ? (size_t)(argc - first - 2) : 0;
    manifest_free(&m);
    uint64_t released = 0;
    pixbridge_trim(&released);
    printf("C manifest runner (pixbridge.h, ABI %u): %zu cases, %zu passed, %zu failed; "
           "%zu plugin cases, %zu passed, %zu failed\n",
        PIXBRIDGE_ABI_VERSION, run, run - failed, failed, plugin_run, plugin_run - plugin_failed, plugin_failed);
    failed += plugin_failed;
    run += plugin_run;
    if (run == 0 || (names > 0 && run != names)) {
        fprintf(stderr, "error: %s\n", run == 0 ? "no case ran" : "a case name given is not in the manifest");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
