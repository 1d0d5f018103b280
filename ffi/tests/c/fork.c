/* Fork safety: a process that has run parallel work (the thread pool is started) forks; the
 * child blurs and must get the parent's pixels instead of waiting forever for pool threads that
 * exist only in the parent. The child's result travels back as a checksum through a pipe; an
 * alarm ends a hung child, which the parent reports. POSIX (fork, pipe, waitpid, alarm). */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pixbridge.h"

/* FNV-1a of the blurred pixels of `image`, or 0 after printing why it failed. */
static uint64_t blurred_checksum(const PixbridgeFunctions* px, uint64_t image, const char* who) {
    uint64_t blurred = 0;
    PixbridgeImageInfo info;
    PixbridgeErrorCode code = px->image_blur(image, 8.0f, &blurred);
    if (code != PIXBRIDGE_ERROR_CODE_OK || px->image_info(blurred, &info) != PIXBRIDGE_ERROR_CODE_OK) {
        fprintf(stderr, "%s: blur failed with code %u\n", who, (unsigned)code);
        return 0;
    }
    size_t length = (size_t)info.width * info.height * 4;
    uint8_t* pixels = malloc(length);
    if (pixels == NULL || px->image_copy_pixels(blurred, pixels, length) != PIXBRIDGE_ERROR_CODE_OK) {
        fprintf(stderr, "%s: copying the pixels failed\n", who);
        free(pixels);
        return 0;
    }
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < length; i++) {
        hash = (hash ^ pixels[i]) * 1099511628211ull;
    }
    free(pixels);
    px->image_destroy(blurred);
    return hash;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s INPUT.jpg\n", argv[0]);
        return 2;
    }
    const PixbridgeFunctions* px = pixbridge_functions();
    uint64_t image = 0;
    if (px->image_open((const uint8_t*)argv[1], strlen(argv[1]), NULL, &image) != PIXBRIDGE_ERROR_CODE_OK) {
        fprintf(stderr, "open failed\n");
        return 1;
    }
    uint64_t parent = blurred_checksum(px, image, "parent");
    if (parent == 0) return 1;

    int channel[2];
    if (pipe(channel) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        alarm(30);
        uint64_t sum = blurred_checksum(px, image, "child");
        ssize_t written = write(channel[1], &sum, sizeof sum);
        _exit(written == (ssize_t)sizeof sum && sum != 0 ? 0 : 3);
    }
    close(channel[1]);
    uint64_t from_child = 0;
    ssize_t got = read(channel[0], &from_child, sizeof from_child);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "the child was killed by signal %d (%s)\n", WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? "its blur hung for 30 s" : "crashed");
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof from_child) {
        fprintf(stderr, "the child failed (exit status %d)\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 1;
    }
    if (from_child != parent) {
        fprintf(stderr, "the child's blur differs from the parent's\n");
        return 1;
    }
    printf("forked child blurred the same pixels (checksum %016llx)\n", (unsigned long long)parent);
    px->image_destroy(image);
    return 0;
}
