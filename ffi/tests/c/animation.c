/* The animation exports from strict C99: frame count, delays (with the length query), frame 2's
 * pixels, an index out of range and a truncated file. argv[1]: the testdata folder. The fixture
 * (testdata/animation/make.sh, ImageMagick): 12 x 8, red, lime, blue for 100, 200, 300 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pixbridge.h"

static int failures = 0;

#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond)) {                                                \
            printf("FAILED line %d: %s\n", __LINE__, #cond);          \
            failures++;                                               \
        }                                                             \
    } while (0)

static unsigned char* read_file(const char* path, size_t* len) {
    FILE* file = fopen(path, "rb");
    unsigned char* data;
    long size;
    if (file == NULL) return NULL;
    fseek(file, 0, SEEK_END);
    size = ftell(file);
    fseek(file, 0, SEEK_SET);
    data = malloc((size_t)size);
    *len = fread(data, 1, (size_t)size, file);
    fclose(file);
    return data;
}

int main(int argc, char** argv) {
    char path[4096];
    size_t len = 0, count = 0;
    unsigned char* gif;
    PixbridgeAnimationInfo info;
    uint32_t delays[3] = {0, 0, 0};
    uint64_t frame = 0;
    unsigned char pixel[12 * 8 * 4];
    if (argc < 2) return 2;
    snprintf(path, sizeof path, "%s/animation/rgb-3frames.gif", argv[1]);
    gif = read_file(path, &len);
    if (gif == NULL) {
        printf("FAILED: cannot read %s\n", path);
        return 1;
    }

    CHECK(pixbridge_animation_info(gif, len, NULL, &info) == PIXBRIDGE_ERROR_CODE_OK);
    CHECK(info.frame_count == 3 && info.width == 12 && info.height == 8 && info.loop_count == 0);

    CHECK(pixbridge_animation_frame_delays(gif, len, NULL, NULL, 0, &count) == PIXBRIDGE_ERROR_CODE_BUFFER_TOO_SMALL);
    CHECK(count == 3);
    CHECK(pixbridge_animation_frame_delays(gif, len, NULL, delays, 3, &count) == PIXBRIDGE_ERROR_CODE_OK);
    CHECK(delays[0] == 100 && delays[1] == 200 && delays[2] == 300);

    CHECK(pixbridge_image_decode_frame(gif, len, 2, NULL, &frame) == PIXBRIDGE_ERROR_CODE_OK);
    CHECK(pixbridge_image_copy_pixels(frame, pixel, sizeof pixel) == PIXBRIDGE_ERROR_CODE_OK);
    CHECK(pixel[0] == 0 && pixel[1] == 0 && pixel[2] == 255 && pixel[3] == 255);
    CHECK(pixbridge_image_destroy(frame) == PIXBRIDGE_ERROR_CODE_OK);

    frame = 0;
    CHECK(pixbridge_image_decode_frame(gif, len, 3, NULL, &frame) == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT);
    CHECK(frame == 0);
    CHECK(pixbridge_animation_info(gif, len - 20, NULL, &info) == PIXBRIDGE_ERROR_CODE_DECODE);

    free(gif);
    if (failures == 0) printf("animation checks passed\n");
    return failures == 0 ? 0 : 1;
}
