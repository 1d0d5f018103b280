/* pixbridge-manifest-c: runs every case of the golden manifest (testdata/manifest.json) through
 * the installed C library exactly as a C program calls it (pixbridge.h, -lpixbridge), and
 * checks each result's width, height and SHA-256 of its RGBA8 pixels, or its error code name.
 *
 *   pixbridge-manifest-c [-v] MANIFEST [TESTDATA_DIR] [CASE_NAME...]
 *
 * TESTDATA_DIR (where the cases' inputs are) defaults to the manifest's folder; CASE_NAMEs run
 * only those cases. Besides the expectation, every case must leave no image or buffer handle
 * behind, and every failure must set the thread's last error (the same code, and a message).
 * Exit status 0 when every selected case passed, 1 otherwise, 2 for a usage or manifest error.
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
        PixbridgeThumbnailOptions options = {{32768, 32768, (uint64_t)512 << 20}, 1};
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
    uint64_t base_images = 0, base_buffers = 0;
    pixbridge_live_handles(&base_images, &base_buffers);
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
    size_t names = argc - first > 2 ? (size_t)(argc - first - 2) : 0;
    manifest_free(&m);
    uint64_t released = 0;
    pixbridge_trim(&released);
    printf("C manifest runner (pixbridge.h, ABI %u): %zu cases, %zu passed, %zu failed\n", PIXBRIDGE_ABI_VERSION, run,
        run - failed, failed);
    if (run == 0 || (names > 0 && run != names)) {
        fprintf(stderr, "error: %s\n", run == 0 ? "no case ran" : "a case name given is not in the manifest");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
