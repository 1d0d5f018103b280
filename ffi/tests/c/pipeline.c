/* A C user of pixbridge.h: open -> blur -> mirror -> save, through the function table,
 * plus one deliberate error to show the code + message convention. */
#include <stdio.h>
#include <string.h>

#include "pixbridge.h"

static int fail(const PixbridgeFunctions* px, const char* what, PixbridgeErrorCode code) {
    char message[512];
    size_t length = 0;
    if (px->last_error_message((uint8_t*)message, sizeof message, &length) != PIXBRIDGE_ERROR_CODE_OK) {
        strcpy(message, "(message too long)");
    }
    fprintf(stderr, "%s failed with code %u: %s\n", what, (unsigned)code, message);
    return 1;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT.jpg OUTPUT.png\n", argv[0]);
        return 2;
    }
    const PixbridgeFunctions* px = pixbridge_functions();
    if (px->size != sizeof(PixbridgeFunctions) || px->abi_version != PIXBRIDGE_ABI_VERSION) {
        fprintf(stderr, "unexpected function table (size %zu, ABI %u)\n", px->size, (unsigned)px->abi_version);
        return 1;
    }

    uint64_t image = 0, blurred = 0;
    PixbridgeErrorCode code = px->image_open((const uint8_t*)argv[1], strlen(argv[1]), NULL, &image);
    if (code != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "open", code);
    PixbridgeImageInfo info;
    if ((code = px->image_info(image, &info)) != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "info", code);
    printf("opened %ux%u\n", (unsigned)info.width, (unsigned)info.height);

    if ((code = px->image_blur(image, 4.0f, &blurred)) != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "blur", code);
    if ((code = px->image_mirror(blurred)) != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "mirror", code);
    if ((code = px->image_save(blurred, (const uint8_t*)argv[2], strlen(argv[2]))) != PIXBRIDGE_ERROR_CODE_OK)
        return fail(px, "save", code);
    printf("saved %s\n", argv[2]);

    /* A deliberate error: a NaN sigma is refused with a code and a message. */
    uint64_t unused = 0;
    code = px->image_blur(image, 0.0f / 0.0f, &unused);
    char message[512];
    size_t length = 0;
    if (code != PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT || unused != 0 ||
        px->last_error_message((uint8_t*)message, sizeof message, &length) != PIXBRIDGE_ERROR_CODE_OK || length == 0) {
        fprintf(stderr, "NaN sigma was not refused properly (code %u)\n", (unsigned)code);
        return 1;
    }
    printf("NaN sigma refused: InvalidArgument: %s\n", message);

    /* Pixel formats: a 2 x 1 BGR image in, premultiplied ARGB out (opaque, so colours unchanged;
     * the alpha byte is first). Worked out by hand. */
    const uint8_t bgr[6] = {1, 2, 3, 4, 5, 6};
    uint8_t argb[10] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    const uint8_t want[10] = {255, 3, 2, 1, 255, 6, 5, 4, 9, 9};
    uint64_t pixels = 0;
    if ((code = px->image_from_pixel_data(bgr, sizeof bgr, 2, 1, PIXBRIDGE_PIXEL_FORMAT_BGR8, 0, &pixels)) !=
        PIXBRIDGE_ERROR_CODE_OK)
        return fail(px, "image_from_pixel_data", code);
    if ((code = px->image_copy_pixel_data(pixels, PIXBRIDGE_PIXEL_FORMAT_ARGB8_PREMULTIPLIED, 0, argb, sizeof argb)) !=
        PIXBRIDGE_ERROR_CODE_OK)
        return fail(px, "image_copy_pixel_data", code);
    if (memcmp(argb, want, sizeof want) != 0) {
        fprintf(stderr, "image_copy_pixel_data wrote the wrong bytes\n");
        return 1;
    }
    if (px->image_copy_pixel_data(pixels, PIXBRIDGE_PIXEL_FORMAT_ARGB8, 0, argb, 7) != PIXBRIDGE_ERROR_CODE_BUFFER_TOO_SMALL ||
        px->image_copy_pixel_data(pixels, 13, 0, argb, sizeof argb) != PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT ||
        px->image_copy_pixel_data(pixels, PIXBRIDGE_PIXEL_FORMAT_GRAY8, 0, NULL, 2) != PIXBRIDGE_ERROR_CODE_NULL_ARGUMENT) {
        fprintf(stderr, "image_copy_pixel_data accepted bad arguments\n");
        return 1;
    }
    printf("pixel formats: BGR in, premultiplied ARGB out\n");
    if ((code = px->image_destroy(pixels)) != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "destroy", code);

    if ((code = px->image_destroy(blurred)) != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "destroy", code);
    if ((code = px->image_destroy(image)) != PIXBRIDGE_ERROR_CODE_OK) return fail(px, "destroy", code);
    if (px->image_destroy(image) != PIXBRIDGE_ERROR_CODE_INVALID_HANDLE) {
        fprintf(stderr, "double destroy was not refused\n");
        return 1;
    }
    uint64_t live_images = 1, live_buffers = 1;
    px->live_handles(&live_images, &live_buffers);
    printf("live handles after cleanup: %llu images, %llu buffers\n", (unsigned long long)live_images,
           (unsigned long long)live_buffers);
    return live_images == 0 && live_buffers == 0 ? 0 : 1;
}
