/* A C user of controls (pixbridge.h): progress up to 1, a cancel from the progress callback, a
 * cancel from another thread, a control cancelled before the call, an in-place operation and a
 * save cancelled midway (source unchanged, no file), and no handle left after many cancels. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pixbridge.h"

#define CHECK(condition, ...)                                     \
    do {                                                          \
        if (!(condition)) {                                       \
            fprintf(stderr, "line %d: ", __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                         \
            fprintf(stderr, "\n");                                \
            exit(1);                                              \
        }                                                         \
    } while (0)

#define OK(call) CHECK((call) == PIXBRIDGE_ERROR_CODE_OK, "%s failed", #call)

/* What a control's callback saw. Calls for one operation never overlap, but another thread
 * reads `reports`, hence the mutex. */
typedef struct Watch {
    pthread_mutex_t lock;
    float fractions[256];
    int reports;
    int cancel_at_first; /* cancel the control at the first report */
    uint64_t control;
} Watch;

static void on_progress(float fraction, void* user_data) {
    Watch* watch = (Watch*)user_data;
    pthread_mutex_lock(&watch->lock);
    if (watch->reports < 256) watch->fractions[watch->reports] = fraction;
    watch->reports++;
    pthread_mutex_unlock(&watch->lock);
    if (watch->cancel_at_first) pixbridge_control_cancel(watch->control);
}

static void watch_start(Watch* watch, int cancel_at_first) {
    memset(watch, 0, sizeof *watch);
    pthread_mutex_init(&watch->lock, NULL);
    watch->cancel_at_first = cancel_at_first;
    OK(pixbridge_control_create(on_progress, watch, &watch->control));
}

static void watch_end(Watch* watch) {
    OK(pixbridge_control_destroy(watch->control));
    pthread_mutex_destroy(&watch->lock);
}

static int reports(Watch* watch) {
    pthread_mutex_lock(&watch->lock);
    int count = watch->reports;
    pthread_mutex_unlock(&watch->lock);
    return count;
}

static uint64_t make_image(uint32_t width, uint32_t height) {
    size_t length = (size_t)width * height * 4;
    uint8_t* rgba = malloc(length);
    CHECK(rgba != NULL, "out of memory");
    for (size_t i = 0; i < length; i++) rgba[i] = (uint8_t)(i * 31 + i / 4093);
    uint64_t image = 0;
    OK(pixbridge_image_from_pixels(width, height, rgba, length, &image));
    free(rgba);
    return image;
}

static uint8_t* copy_pixels(uint64_t image, size_t* length) {
    PixbridgeImageInfo info;
    OK(pixbridge_image_info(image, &info));
    *length = (size_t)info.width * info.height * 4;
    uint8_t* pixels = malloc(*length);
    CHECK(pixels != NULL, "out of memory");
    OK(pixbridge_image_copy_pixels(image, pixels, *length));
    return pixels;
}

static void live(uint64_t* images, uint64_t* buffers, uint64_t* controls) {
    OK(pixbridge_live_handles(images, buffers));
    OK(pixbridge_live_controls(controls));
}

typedef struct Canceller {
    Watch* watch;
} Canceller;

/* Waits until the call is under way (its first progress report), then cancels it. */
static void* cancel_when_started(void* argument) {
    Canceller* canceller = (Canceller*)argument;
    while (reports(canceller->watch) == 0) sched_yield();
    CHECK(pixbridge_control_cancel(canceller->watch->control) == PIXBRIDGE_ERROR_CODE_OK, "cancel");
    return NULL;
}

int main(int argc, char** argv) {
    CHECK(argc == 2, "usage: cancellation SCRATCH_DIR");
    uint64_t images0, buffers0, controls0;
    live(&images0, &buffers0, &controls0);
    uint64_t image = make_image(1600, 1200);

    /* 1. Left alone: the plain result, progress strictly increasing up to exactly 1. */
    Watch watch;
    watch_start(&watch, 0);
    uint64_t controlled = 0, plain = 0;
    OK(pixbridge_image_blur_controlled(image, 6.0f, watch.control, &controlled));
    OK(pixbridge_image_blur(image, 6.0f, &plain));
    size_t length_a, length_b;
    uint8_t* a = copy_pixels(controlled, &length_a);
    uint8_t* b = copy_pixels(plain, &length_b);
    CHECK(length_a == length_b && memcmp(a, b, length_a) == 0, "controlled blur differs from the plain blur");
    free(a);
    free(b);
    CHECK(watch.reports >= 2 && watch.reports <= 102, "%d progress reports", watch.reports);
    for (int i = 1; i < watch.reports; i++)
        CHECK(watch.fractions[i] > watch.fractions[i - 1], "progress went from %f to %f", watch.fractions[i - 1],
              watch.fractions[i]);
    CHECK(watch.fractions[0] > 0.0f && watch.fractions[watch.reports - 1] == 1.0f, "progress does not end at 1");
    /* A cancel after completion changes nothing. */
    OK(pixbridge_control_cancel(watch.control));
    bool cancelled = false;
    OK(pixbridge_control_is_cancelled(watch.control, &cancelled));
    CHECK(cancelled, "the control does not say it was cancelled");
    watch_end(&watch);
    OK(pixbridge_image_destroy(controlled));
    OK(pixbridge_image_destroy(plain));
    printf("progress: strictly increasing to 1, same pixels as the plain call\n");

    /* 2. Cancelled from the progress callback: Cancelled, nothing written, the message says so. */
    watch_start(&watch, 1);
    uint64_t out = 0;
    PixbridgeErrorCode code = pixbridge_image_blur_controlled(image, 30.0f, watch.control, &out);
    CHECK(code == PIXBRIDGE_ERROR_CODE_CANCELLED && out == 0, "blur cancelled from the callback gave %u", (unsigned)code);
    char message[256];
    size_t message_length = 0;
    OK(pixbridge_last_error_message((uint8_t*)message, sizeof message, &message_length));
    CHECK(strstr(message, "cancelled") != NULL, "message: %s", message);
    watch_end(&watch);
    printf("cancelled from the callback: %s\n", message);

    /* 3. Cancelled from another thread while it runs. */
    watch_start(&watch, 0);
    Canceller canceller = {&watch};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, cancel_when_started, &canceller) == 0, "pthread_create");
    code = pixbridge_image_blur_controlled(image, 30.0f, watch.control, &out);
    pthread_join(thread, NULL);
    CHECK(code == PIXBRIDGE_ERROR_CODE_CANCELLED && out == 0, "blur cancelled by another thread gave %u", (unsigned)code);
    CHECK(watch.fractions[watch.reports - 1] < 1.0f, "a cancelled call reported 1");
    watch_end(&watch);
    printf("cancelled from another thread\n");

    /* 4. A control cancelled before the call: refused before it starts, no report. */
    watch_start(&watch, 0);
    OK(pixbridge_control_cancel(watch.control));
    code = pixbridge_image_resize_controlled(image, 800, 600, PIXBRIDGE_RESIZE_FILTER_LANCZOS3, watch.control, &out);
    CHECK(code == PIXBRIDGE_ERROR_CODE_CANCELLED && out == 0 && watch.reports == 0, "pre-cancelled resize gave %u",
          (unsigned)code);
    watch_end(&watch);

    /* 5. An in-place operation cancelled midway leaves the image exactly as it was. */
    size_t before_length, after_length;
    uint8_t* before = copy_pixels(image, &before_length);
    watch_start(&watch, 1);
    code = pixbridge_image_adjust_brightness_controlled(image, 40, watch.control);
    CHECK(code == PIXBRIDGE_ERROR_CODE_CANCELLED, "brightness cancelled midway gave %u", (unsigned)code);
    watch_end(&watch);
    uint8_t* after = copy_pixels(image, &after_length);
    CHECK(before_length == after_length && memcmp(before, after, before_length) == 0,
          "a cancelled in-place operation changed the image");
    free(before);
    free(after);
    printf("in-place operation cancelled: image unchanged\n");

    /* 6. A save cancelled midway writes no file. */
    char path[4096];
    snprintf(path, sizeof path, "%s/cancelled.png", argv[1]);
    watch_start(&watch, 1);
    code = pixbridge_image_save_controlled(image, (const uint8_t*)path, strlen(path), UINT32_MAX, NULL, watch.control);
    CHECK(code == PIXBRIDGE_ERROR_CODE_CANCELLED, "save cancelled midway gave %u", (unsigned)code);
    watch_end(&watch);
    CHECK(access(path, F_OK) != 0, "a cancelled save left %s", path);
    printf("save cancelled: no file\n");

    /* 7. Many cancelled calls leave no handle behind. */
    uint64_t small = make_image(200, 150);
    for (int round = 0; round < 500; round++) {
        watch_start(&watch, 1);
        code = pixbridge_image_blur_controlled(small, 3.0f, watch.control, &out);
        CHECK(code == PIXBRIDGE_ERROR_CODE_CANCELLED, "round %d gave %u", round, (unsigned)code);
        watch_end(&watch);
    }
    OK(pixbridge_image_destroy(small));
    OK(pixbridge_image_destroy(image));
    uint64_t images1, buffers1, controls1;
    live(&images1, &buffers1, &controls1);
    CHECK(images1 == images0 && buffers1 == buffers0 && controls1 == controls0,
          "handles left: %llu images, %llu buffers, %llu controls", (unsigned long long)(images1 - images0),
          (unsigned long long)(buffers1 - buffers0), (unsigned long long)(controls1 - controls0));
    printf("cancellation checks passed\n");
    return 0;
}
