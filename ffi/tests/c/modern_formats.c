/* Lossy WebP and AVIF through the C ABI from strict C99: PixbridgeEncodeOptions' webp_quality,
 * avif_quality, avif_speed and strip_metadata; the files' magic bytes; lossy smaller than
 * lossless for a photograph; the lossy WebP decoded back at its size; out-of-range values
 * refused with INVALID_ARGUMENT; decoding AVIF refused with UNSUPPORTED_FORMAT.
 * argv[1]: the testdata folder. */
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

/* Encodes with `options`; the bytes (malloc'd) and their length, or NULL with the error code. */
static unsigned char* encode(uint64_t image, PixbridgeImageFormat format, const PixbridgeEncodeOptions* options,
                             size_t* len, PixbridgeErrorCode* code) {
    uint64_t buffer = 0;
    const uint8_t* data = NULL;
    unsigned char* copy;
    *len = 0;
    *code = pixbridge_image_encode_with(image, format, options, &buffer);
    if (*code != PIXBRIDGE_ERROR_CODE_OK) return NULL;
    if (pixbridge_buffer_data(buffer, &data, len) != PIXBRIDGE_ERROR_CODE_OK) return NULL;
    copy = malloc(*len);
    memcpy(copy, data, *len);
    pixbridge_buffer_destroy(buffer);
    return copy;
}

int main(int argc, char** argv) {
    char path[4096];
    uint64_t photo = 0, decoded = 0;
    PixbridgeEncodeOptions options;
    PixbridgeImageInfo info;
    PixbridgeErrorCode code;
    size_t lossless_len = 0, lossy_len = 0, avif_len = 0, len = 0;
    unsigned char *lossless, *lossy, *avif;
    if (argc < 2) return 2;
    snprintf(path, sizeof path, "%s/chelsea.png", argv[1]);
    CHECK(pixbridge_image_open((const uint8_t*)path, strlen(path), NULL, &photo) == PIXBRIDGE_ERROR_CODE_OK);

    memset(&options, 0, sizeof options);
    options.strip_metadata = 1;
    lossless = encode(photo, PIXBRIDGE_IMAGE_FORMAT_WEBP, &options, &lossless_len, &code);
    CHECK(lossless != NULL && memcmp(lossless, "RIFF", 4) == 0 && memcmp(lossless + 8, "WEBPVP8L", 8) == 0);

    options.webp_quality = 75;
    lossy = encode(photo, PIXBRIDGE_IMAGE_FORMAT_WEBP, &options, &lossy_len, &code);
    CHECK(lossy != NULL && memcmp(lossy, "RIFF", 4) == 0 && memcmp(lossy + 8, "WEBPVP8 ", 8) == 0);
    CHECK(lossy_len > 0 && lossy_len * 4 < lossless_len);
    printf("lossy WebP q75: %lu bytes, lossless: %lu bytes\n", (unsigned long)lossy_len, (unsigned long)lossless_len);
    CHECK(lossy != NULL && pixbridge_image_decode(lossy, lossy_len, NULL, &decoded) == PIXBRIDGE_ERROR_CODE_OK);
    CHECK(pixbridge_image_info(decoded, &info) == PIXBRIDGE_ERROR_CODE_OK);
    CHECK(info.width == 451 && info.height == 300);
    pixbridge_image_destroy(decoded);

    memset(&options, 0, sizeof options);
    options.avif_quality = 60;
    options.avif_speed = 9;
    avif = encode(photo, PIXBRIDGE_IMAGE_FORMAT_AVIF, &options, &avif_len, &code);
    CHECK(avif != NULL && memcmp(avif + 4, "ftypavif", 8) == 0);
    CHECK(avif_len > 0 && avif_len * 4 < lossless_len);
    printf("AVIF q60 s9: %lu bytes\n", (unsigned long)avif_len);
    decoded = 0;
    CHECK(avif != NULL && pixbridge_image_decode(avif, avif_len, NULL, &decoded) == PIXBRIDGE_ERROR_CODE_UNSUPPORTED_FORMAT);
    CHECK(decoded == 0);

    memset(&options, 0, sizeof options);
    options.webp_quality = 101;
    CHECK(encode(photo, PIXBRIDGE_IMAGE_FORMAT_WEBP, &options, &len, &code) == NULL);
    CHECK(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT);
    memset(&options, 0, sizeof options);
    options.avif_speed = 11;
    CHECK(encode(photo, PIXBRIDGE_IMAGE_FORMAT_AVIF, &options, &len, &code) == NULL);
    CHECK(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT);
    memset(&options, 0, sizeof options);
    options.avif_quality = 101;
    CHECK(encode(photo, PIXBRIDGE_IMAGE_FORMAT_AVIF, &options, &len, &code) == NULL);
    CHECK(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT);
    memset(&options, 0, sizeof options);
    options.strip_metadata = 2;
    CHECK(encode(photo, PIXBRIDGE_IMAGE_FORMAT_PNG, &options, &len, &code) == NULL);
    CHECK(code == PIXBRIDGE_ERROR_CODE_INVALID_ARGUMENT);

    free(lossless);
    free(lossy);
    free(avif);
    pixbridge_image_destroy(photo);
    if (failures == 0) printf("modern format checks passed\n");
    return failures == 0 ? 0 : 1;
}
