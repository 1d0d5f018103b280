/* Times libvips' vips_gaussblur in-process, for bench/scripts/peers.py.
 *
 *   vips_gaussblur crop IN.png OUT.png SIGMA PRECISION MIN_AMPL
 *       blurs IN once with that configuration and writes the 8-bit result to OUT (for accuracy).
 *   vips_gaussblur time IN.png THREADS RULE SIGMA:PRECISION:MIN_AMPL...
 *       loads IN once into memory, then for each configuration times the blur on THREADS
 *       threads, sampled by RULE (one profile of bench/timing-rule.properties in its colon form,
 *       which peers.py passes), and prints one JSON line (milliseconds).
 *
 *   vips_gaussblur version
 *       prints the version of the libvips it runs against (it may be linked to another build).
 *
 * PRECISION is integer, float or approximate. A blur is timed from the call to vips_gaussblur to
 * the whole result being written into a fresh memory buffer (vips_image_write_to_memory), so
 * every pixel is computed and the output allocation is included, as for the other contenders.
 * A float result is cast back to 8 bits inside the timed region (what a user of an 8-bit image
 * gets). The operation cache is off, so no call returns an earlier result. Images are made
 * 4-band (alpha 255 added when missing), so libvips blurs as many channels as the others. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

/* Most timed runs of one case (bounds a rule's max_runs). */
#define MAX_RUNS 64

/* How a case is sampled: one profile of bench/timing-rule.properties (its header says how). */
struct rule {
    int warm_up, min_runs, max_runs;
    double budget_s, fast_run_s;
    int fast_max_runs;
    double slow_run_s;
    int slow_min_runs;
};

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void fail(const char *what) {
    fprintf(stderr, "vips_gaussblur: %s: %s\n", what, vips_error_buffer());
    exit(1);
}

static VipsPrecision parse_precision(const char *name) {
    if (strcmp(name, "integer") == 0) return VIPS_PRECISION_INTEGER;
    if (strcmp(name, "float") == 0) return VIPS_PRECISION_FLOAT;
    if (strcmp(name, "approximate") == 0) return VIPS_PRECISION_APPROXIMATE;
    fprintf(stderr, "vips_gaussblur: unknown precision %s (integer, float or approximate)\n", name);
    exit(2);
}

static double parse_positive(const char *text, const char *what) {
    char *end;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || !(value > 0.0)) {
        fprintf(stderr, "vips_gaussblur: %s must be a positive number, got %s\n", what, text);
        exit(2);
    }
    return value;
}

/* IN as a 4-band 8-bit image held in memory. */
static VipsImage *load_rgba(const char *path) {
    VipsImage *file = vips_image_new_from_file(path, "access", VIPS_ACCESS_RANDOM, NULL);
    if (!file) fail(path);
    if (file->BandFmt != VIPS_FORMAT_UCHAR || (file->Bands != 3 && file->Bands != 4)) {
        fprintf(stderr, "vips_gaussblur: %s: expected an 8-bit RGB or RGBA image\n", path);
        exit(1);
    }
    VipsImage *rgba = file;
    if (file->Bands == 3) {
        if (vips_bandjoin_const1(file, &rgba, 255.0, NULL)) fail("bandjoin_const1");
        g_object_unref(file);
    }
    VipsImage *memory = vips_image_copy_memory(rgba);
    if (!memory) fail("copy_memory");
    g_object_unref(rgba);
    return memory;
}

/* One blur, computed in full into a fresh buffer (the caller frees it). */
static void *blur(VipsImage *in, double sigma, VipsPrecision precision, double min_ampl, size_t *size) {
    VipsImage *out;
    if (vips_gaussblur(in, &out, sigma, "precision", precision, "min_ampl", min_ampl, NULL)) fail("gaussblur");
    if (out->BandFmt != VIPS_FORMAT_UCHAR) {
        VipsImage *narrow;
        if (vips_cast_uchar(out, &narrow, NULL)) fail("cast_uchar");
        g_object_unref(out);
        out = narrow;
    }
    void *pixels = vips_image_write_to_memory(out, size);
    if (!pixels) fail("write_to_memory");
    g_object_unref(out);
    return pixels;
}

static double timed_blur(VipsImage *in, double sigma, VipsPrecision precision, double min_ampl) {
    size_t size;
    double start = now_s();
    void *pixels = blur(in, sigma, precision, min_ampl, &size);
    double elapsed = now_s() - start;
    g_free(pixels);
    return elapsed;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks, as pixbridge-bench and peers.py do. */
static double quantile(const double *sorted, int n, double q) {
    double pos = q * (n - 1);
    int low = (int)pos, high = low + (pos > low ? 1 : 0);
    return sorted[low] + (sorted[high] - sorted[low]) * (pos - low);
}

#define RULE_FORM "WARM_UP:MIN_RUNS:MAX_RUNS:BUDGET_S:FAST_RUN_S:FAST_MAX_RUNS:SLOW_RUN_S:SLOW_MIN_RUNS"

/* RULE in the colon form of bench/timing-rule.properties. */
static struct rule parse_rule(const char *text) {
    struct rule r;
    char end;
    if (sscanf(text, "%d:%d:%d:%lf:%lf:%d:%lf:%d%c", &r.warm_up, &r.min_runs, &r.max_runs, &r.budget_s,
               &r.fast_run_s, &r.fast_max_runs, &r.slow_run_s, &r.slow_min_runs, &end) != 8 ||
        r.warm_up < 1 || r.min_runs < 1 || r.max_runs < r.min_runs || r.slow_min_runs < 1 || r.max_runs > MAX_RUNS ||
        r.fast_max_runs > MAX_RUNS || !(r.budget_s >= 0.0) || !(r.fast_run_s >= 0.0) || !(r.slow_run_s > 0.0)) {
        fprintf(stderr, "vips_gaussblur: RULE %s is not " RULE_FORM " with WARM_UP >= 1, 1 <= MIN_RUNS <= MAX_RUNS, "
                        "SLOW_MIN_RUNS >= 1 and at most %d runs\n", text, MAX_RUNS);
        exit(2);
    }
    return r;
}

/* Samples one configuration by `rule` (the algorithm of bench/timing-rule.properties). */
static void time_config(VipsImage *in, int threads, const struct rule *rule, const char *config) {
    char precision_name[32];
    double sigma, min_ampl;
    if (sscanf(config, "%lf:%31[a-z]:%lf", &sigma, precision_name, &min_ampl) != 3 || !(sigma > 0.0) ||
        !(min_ampl > 0.0)) {
        fprintf(stderr, "vips_gaussblur: configuration %s is not SIGMA:PRECISION:MIN_AMPL\n", config);
        exit(2);
    }
    VipsPrecision precision = parse_precision(precision_name);
    double samples[MAX_RUNS];
    int n = 0;
    double warm = timed_blur(in, sigma, precision, min_ampl);
    int warm_ups = rule->warm_up - 1, min_runs = rule->min_runs, max_runs = rule->max_runs;
    if (warm > rule->slow_run_s) {
        warm_ups = 0;
        if (rule->slow_min_runs < min_runs) min_runs = rule->slow_min_runs;
    } else if (warm < rule->fast_run_s && rule->fast_max_runs > max_runs) {
        max_runs = rule->fast_max_runs;
    }
    for (int i = 0; i < warm_ups; i++) timed_blur(in, sigma, precision, min_ampl);
    double spent = 0.0;
    while (n < min_runs || (n < max_runs && spent < rule->budget_s)) {
        samples[n] = timed_blur(in, sigma, precision, min_ampl);
        spent += samples[n++];
    }
    for (int i = 0; i < n; i++) samples[i] *= 1e3;
    qsort(samples, n, sizeof samples[0], compare_doubles);
    printf("{\"sigma\": %g, \"precision\": \"%s\", \"min_ampl\": %g, \"threads\": %d, \"iterations\": %d, "
           "\"median_ms\": %.6f, \"min_ms\": %.6f, \"p25_ms\": %.6f, \"p75_ms\": %.6f, \"max_ms\": %.6f}\n",
           sigma, precision_name, min_ampl, threads, n, quantile(samples, n, 0.5), samples[0],
           quantile(samples, n, 0.25), quantile(samples, n, 0.75), samples[n - 1]);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (VIPS_INIT(argv[0])) fail("init");
    /* No cached results: every timed call computes the blur. */
    vips_cache_set_max(0);
    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", vips_version_string());
    } else if (argc == 7 && strcmp(argv[1], "crop") == 0) {
        VipsImage *in = load_rgba(argv[2]);
        size_t size;
        void *pixels = blur(in, parse_positive(argv[4], "SIGMA"), parse_precision(argv[5]),
                            parse_positive(argv[6], "MIN_AMPL"), &size);
        VipsImage *out = vips_image_new_from_memory(pixels, size, in->Xsize, in->Ysize, 4, VIPS_FORMAT_UCHAR);
        if (!out) fail("new_from_memory");
        out->Type = VIPS_INTERPRETATION_sRGB;
        if (vips_image_write_to_file(out, argv[3], NULL)) fail(argv[3]);
        g_object_unref(out);
        g_free(pixels);
        g_object_unref(in);
    } else if (argc >= 6 && strcmp(argv[1], "time") == 0) {
        VipsImage *in = load_rgba(argv[2]);
        int threads = (int)parse_positive(argv[3], "THREADS");
        struct rule rule = parse_rule(argv[4]);
        vips_concurrency_set(threads);
        for (int i = 5; i < argc; i++) time_config(in, threads, &rule, argv[i]);
        g_object_unref(in);
    } else {
        fprintf(stderr,
                "usage: vips_gaussblur version\n"
                "       vips_gaussblur crop IN.png OUT.png SIGMA PRECISION MIN_AMPL\n"
                "       vips_gaussblur time IN.png THREADS RULE SIGMA:PRECISION:MIN_AMPL...\n"
                "       (RULE: " RULE_FORM ")\n");
        return 2;
    }
    vips_shutdown();
    return 0;
}
