/* imgtool: a small "legacy" C image tool that gains blur and thumbnails through Pixbridge.
 *
 * What it did before: list image files (size on disk and the format from the file's magic
 * bytes) and write PPM files with its own writer. What Pixbridge adds, with a few calls of
 * the C ABI (pixbridge.h, -lpixbridge): decoding (width, height, colour type in the listing),
 * a Gaussian blur, shrink-on-load thumbnails, saving as PNG or JPEG, and the decoded pixels
 * handed to the old PPM writer without a copy.
 *
 *   imgtool list FILE...                  size, format and (new) dimensions of each file
 *   imgtool blur SIGMA IN OUT             (new) Gaussian blur, saved in OUT's format
 *   imgtool thumbnail SIZE IN OUT         (new) SIZE x SIZE cover thumbnail (OUT: .jpg, .png, .ppm, ...)
 *   imgtool batch OUT_DIR FILE...         all of it for each file: OUT_DIR/<name>-blur.png,
 *                                         <name>-thumb.jpg and <name>-thumb.ppm
 */
#define _POSIX_C_SOURCE 200809L /* stat, mkdir */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pixbridge.h>

/* ---- the legacy part: no Pixbridge here ---- */

/* The format from the first bytes of a file. */
static const char* sniff_format(const char* path) {
    unsigned char magic[12] = {0};
    FILE* file = fopen(path, "rb");
    if (file == NULL) {
        return "unreadable";
    }
    size_t n = fread(magic, 1, sizeof magic, file);
    fclose(file);
    if (n >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
        return "JPEG";
    }
    if (n >= 8 && memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0) {
        return "PNG";
    }
    if (n >= 6 && (memcmp(magic, "GIF87a", 6) == 0 || memcmp(magic, "GIF89a", 6) == 0)) {
        return "GIF";
    }
    if (n >= 2 && magic[0] == 'B' && magic[1] == 'M') {
        return "BMP";
    }
    if (n >= 12 && memcmp(magic, "RIFF", 4) == 0 && memcmp(magic + 8, "WEBP", 4) == 0) {
        return "WebP";
    }
    if (n >= 2 && magic[0] == 'P' && magic[1] >= '1' && magic[1] <= '7') {
        return "PNM";
    }
    return "unknown";
}

/* Writes 8-bit RGB pixels as a binary PPM (P6), dropping the alpha of RGBA input. */
static int write_ppm(const char* path, const unsigned char* rgba, unsigned width, unsigned height) {
    FILE* file = fopen(path, "wb");
    if (file == NULL) {
        fprintf(stderr, "imgtool: cannot write %s: %s\n", path, strerror(errno));
        return 0;
    }
    fprintf(file, "P6\n%u %u\n255\n", width, height);
    for (size_t i = 0; i < (size_t)width * height; i++) {
        fwrite(rgba + 4 * i, 1, 3, file);
    }
    int ok = !ferror(file);
    ok = fclose(file) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "imgtool: writing %s failed\n", path);
    }
    return ok;
}

static const char* base_name(const char* path) {
    const char* slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static int has_suffix(const char* text, const char* suffix) {
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* ---- what Pixbridge adds ---- */

/* Reports a failed Pixbridge call with the library's message; returns 0. */
static int report(const char* what, const char* path, PixbridgeErrorCode code) {
    char message[512] = "";
    size_t length = 0;
    pixbridge_last_error_message((uint8_t*)message, sizeof message, &length);
    fprintf(stderr, "imgtool: %s %s: error %u: %s\n", what, path, (unsigned)code, message);
    return 0;
}

/* Paths are UTF-8 (pointer, length) pairs in the C ABI. */
#define PATH_ARGS(path) (const uint8_t*)(path), strlen(path)

static const char* color_type_name(PixbridgeColorType type) {
    static const char* const names[] = {"grey", "grey+alpha", "RGB", "RGBA", "grey 16-bit", "grey+alpha 16-bit",
        "RGB 16-bit", "RGBA 16-bit", "RGB float", "RGBA float"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

static int list(int count, char** paths) {
    int ok = 1;
    for (int i = 0; i < count; i++) {
        struct stat info;
        if (stat(paths[i], &info) != 0) {
            fprintf(stderr, "imgtool: %s: %s\n", paths[i], strerror(errno));
            ok = 0;
            continue;
        }
        printf("%-28s %9lld bytes  %-7s", base_name(paths[i]), (long long)info.st_size, sniff_format(paths[i]));
        /* New: the decoded size and colour type. */
        uint64_t image = 0;
        PixbridgeErrorCode code = pixbridge_image_open(PATH_ARGS(paths[i]), NULL, &image);
        PixbridgeImageInfo image_info;
        if (code == PIXBRIDGE_ERROR_CODE_OK && (code = pixbridge_image_info(image, &image_info)) == 0) {
            printf("  %5u x %-5u %s\n", image_info.width, image_info.height, color_type_name(image_info.color_type));
        } else {
            printf("  (not decodable)\n");
            ok = report("decoding", paths[i], code);
        }
        pixbridge_image_destroy(image); /* 0 is never valid: InvalidHandle, harmless */
    }
    return ok;
}

/* Saves `image` to `out`: PPM through the legacy writer (zero-copy pixels), the other formats
 * through Pixbridge (format from the extension; JPEG at quality 85). */
static int save(uint64_t image, const char* out) {
    PixbridgeErrorCode code;
    if (has_suffix(out, ".ppm")) {
        PixbridgeImageInfo info;
        const uint8_t* pixels = NULL;
        size_t length = 0;
        if ((code = pixbridge_image_info(image, &info)) != 0 || (code = pixbridge_image_pixels(image, &pixels, &length)) != 0) {
            return report("reading the pixels for", out, code);
        }
        return write_ppm(out, pixels, info.width, info.height);
    }
    PixbridgeEncodeOptions options = {0};
    options.quality = has_suffix(out, ".jpg") || has_suffix(out, ".jpeg") ? 85 : 0;
    code = pixbridge_image_save_with(image, PATH_ARGS(out), UINT32_MAX, &options);
    return code == PIXBRIDGE_ERROR_CODE_OK ? 1 : report("saving", out, code);
}

static int blur(float sigma, const char* in, const char* out, int mirror) {
    uint64_t image = 0, blurred = 0;
    PixbridgeErrorCode code = pixbridge_image_open(PATH_ARGS(in), NULL, &image);
    if (code != PIXBRIDGE_ERROR_CODE_OK) {
        return report("opening", in, code);
    }
    code = pixbridge_image_blur(image, sigma, &blurred); /* a new image */
    pixbridge_image_destroy(image);
    if (code != PIXBRIDGE_ERROR_CODE_OK) {
        return report("blurring", in, code);
    }
    if (mirror && (code = pixbridge_image_mirror(blurred)) != PIXBRIDGE_ERROR_CODE_OK) { /* in place */
        pixbridge_image_destroy(blurred);
        return report("mirroring", in, code);
    }
    int ok = save(blurred, out);
    pixbridge_image_destroy(blurred);
    return ok;
}

/* Saves the thumbnail to `out`, and to `also` if not NULL. */
static int thumbnail(unsigned size, const char* in, const char* out, const char* also) {
    uint64_t thumb = 0;
    /* A large JPEG is decoded at 1/2, 1/4 or 1/8 scale, never at full size. */
    PixbridgeErrorCode code =
        pixbridge_image_thumbnail_file(PATH_ARGS(in), size, size, PIXBRIDGE_THUMBNAIL_FIT_COVER, NULL, &thumb);
    if (code != PIXBRIDGE_ERROR_CODE_OK) {
        return report("making a thumbnail of", in, code);
    }
    int ok = save(thumb, out) && (also == NULL || save(thumb, also));
    pixbridge_image_destroy(thumb);
    return ok;
}

/* OUT_DIR/<name without extension><suffix>. */
static char* output_path(const char* dir, const char* input, const char* suffix) {
    const char* name = base_name(input);
    const char* dot = strrchr(name, '.');
    int stem = dot != NULL ? (int)(dot - name) : (int)strlen(name);
    size_t size = strlen(dir) + 1 + (size_t)stem + strlen(suffix) + 1;
    char* path = malloc(size);
    if (path != NULL) {
        snprintf(path, size, "%s/%.*s%s", dir, stem, name, suffix);
    }
    return path;
}

static int batch(const char* dir, int count, char** paths) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "imgtool: cannot create %s: %s\n", dir, strerror(errno));
        return 0;
    }
    int ok = list(count, paths);
    for (int i = 0; i < count; i++) {
        char* blurred = output_path(dir, paths[i], "-blur.png");
        char* thumb_jpg = output_path(dir, paths[i], "-thumb.jpg");
        char* thumb_ppm = output_path(dir, paths[i], "-thumb.ppm");
        if (blurred == NULL || thumb_jpg == NULL || thumb_ppm == NULL) {
            fprintf(stderr, "imgtool: out of memory\n");
            ok = 0;
        } else if (blur(4.0f, paths[i], blurred, 1) && thumbnail(160, paths[i], thumb_jpg, thumb_ppm)) {
            printf("wrote %s, %s, %s\n", blurred, thumb_jpg, thumb_ppm);
        } else {
            ok = 0;
        }
        free(blurred);
        free(thumb_jpg);
        free(thumb_ppm);
    }
    return ok;
}

static int usage(void) {
    fprintf(stderr,
        "usage: imgtool list FILE...\n"
        "       imgtool blur SIGMA IN OUT\n"
        "       imgtool thumbnail SIZE IN OUT\n"
        "       imgtool batch OUT_DIR FILE...\n");
    return 2;
}

int main(int argc, char** argv) {
    /* The library this program runs with is the one its header describes. */
    if (pixbridge_abi_version() != PIXBRIDGE_ABI_VERSION) {
        fprintf(stderr, "imgtool: libpixbridge has ABI %u, built for %u\n", pixbridge_abi_version(),
            PIXBRIDGE_ABI_VERSION);
        return 1;
    }
    if (argc < 3) {
        return usage();
    }
    const char* command = argv[1];
    int ok;
    if (strcmp(command, "list") == 0) {
        ok = list(argc - 2, argv + 2);
    } else if (strcmp(command, "blur") == 0 && argc == 5) {
        char* end = NULL;
        float sigma = strtof(argv[2], &end);
        if (end == argv[2] || *end != '\0') {
            return usage();
        }
        ok = blur(sigma, argv[3], argv[4], 0);
    } else if (strcmp(command, "thumbnail") == 0 && argc == 5) {
        char* end = NULL;
        unsigned long size = strtoul(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || size == 0 || size > 32768) {
            return usage();
        }
        ok = thumbnail((unsigned)size, argv[3], argv[4], NULL);
    } else if (strcmp(command, "batch") == 0 && argc >= 4) {
        ok = batch(argv[2], argc - 3, argv + 3);
    } else {
        return usage();
    }
    return ok ? 0 : 1;
}
